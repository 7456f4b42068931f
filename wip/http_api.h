/* ---------------------------------------------------------------------
   HTTP/1.1 (RFC 9110, RFC 9112): just enough for long-polling, WebSocket
   upgrades and plain pages, on both sides. Pure functions over bytes: the
   caller owns the buffer and every sio_str handed out is a view into it,
   valid while that buffer is unchanged.
   ------------------------------------------------------------------- */

#ifndef SIO_HTTP_MAX_CHUNK_LINE
#define SIO_HTTP_MAX_CHUNK_LINE 4096      /* chunk size line; whole trailer section */
#endif

typedef struct sio_http_header {
    sio_str name, value;          /* value has leading/trailing OWS removed */
} sio_http_header;

typedef struct sio_http_msg {
    /* request */
    sio_str method, target;       /* target as sent: "/socket.io/?EIO=4&transport=polling" */
    sio_str path, query;          /* target split at the first '?' (query without '?', empty if none) */
    /* response */
    int status;                   /* 100..999 */
    sio_str reason;               /* may be empty */
    /* both */
    int minor_version;            /* 0 or 1 (HTTP/1.0 or HTTP/1.1) */
    sio_http_header headers[SIO_HTTP_MAX_HEADERS];
    int header_count;
    long long content_length;     /* -1 when absent */
    int chunked;                  /* Transfer-Encoding: chunked (as the last coding) */
    int keep_alive;               /* 1.1: on unless "Connection: close"; 1.0: only with "keep-alive" */
    int upgrade_websocket;        /* "Upgrade: websocket" and Connection lists "upgrade" */
    size_t header_bytes;          /* bytes up to and including the blank line */
} sio_http_msg;

/* Parses a request head from buf[0..len). Returns header_bytes (> 0) when
   the head is complete, 0 when more bytes are needed, or a negative
   SIO_ERR_*; then *http_status (may be NULL) is the status to answer with:
   400 malformed (SIO_ERR_PARSE), 414 request line too long and 431 head
   too big or too many headers (SIO_ERR_TOO_BIG), 505 HTTP version other
   than 1.x and 501 unknown Transfer-Encoding (SIO_ERR_UNSUPPORTED).
   Strict where leniency enables request smuggling: CRLF line ends only,
   no obs-fold, Content-Length digits only and never together with
   Transfer-Encoding. Every call parses from the start of buf again; use
   sio_http_head_ready() to skip calls that cannot complete. The body (if
   any) starts at buf + header_bytes: Content-Length bytes, or chunked. */
SIO_API int sio_http_parse_request(const char *buf, size_t len, sio_http_msg *m, int *http_status);

/* Same for a response head (status line instead of request line). Bare LF
   line ends are tolerated. Errors: SIO_ERR_PARSE, SIO_ERR_TOO_BIG,
   SIO_ERR_UNSUPPORTED (not HTTP/1.x, or a transfer coding other than
   chunked). When both Transfer-Encoding: chunked and Content-Length are
   present, chunked wins and content_length is -1 (RFC 9112 6.3). Whether
   a body follows at all (HEAD, 1xx, 204, 304) is for the caller to know. */
SIO_API int sio_http_parse_response(const char *buf, size_t len, sio_http_msg *m);

/* Cheap pre-check for incremental reads: buf[0..prev_len) was already seen
   by the parser (which returned 0), buf[0..len) is what is there now.
   Returns 1 when the head may now be complete or a size limit was
   crossed, i.e. when the parser is worth calling; 0 when the call can be
   skipped (bad bytes are then reported a little later, once the empty
   line or a limit arrives). Keeps byte-at-a-time arrival from costing
   O(n^2) on a bounded but 16 KiB head. */
SIO_API int sio_http_head_ready(const char *buf, size_t len, size_t prev_len);

/* First header called `name` (case-insensitive); {NULL,0} if absent. A
   present but empty header has a non-NULL ptr and len 0. */
SIO_API sio_str sio_http_header_get(const sio_http_msg *m, const char *name);

/* 1 if the comma-separated list `value` contains `token` (case-insensitive,
   OWS around elements ignored), else 0. "keep-alive, Upgrade" has "upgrade". */
SIO_API int sio_http_token_has(sio_str value, const char *token);

/* Looks up the first `key` in a query string "a=1&b=2" (without '?'); the
   key is compared as sent, not %-decoded. Returns 1 and sets *raw_value
   (may be NULL) to the still %-encoded value, or returns 0. A bare "a"
   counts as found with an empty value; an empty key is never found. */
SIO_API int sio_http_query_get(sio_str query, const char *key, sio_str *raw_value);

/* %XX-decodes src[0..n) into dst (malformed % sequences are copied as
   is; '+' becomes ' ' if plus_is_space), writes at most cap-1 bytes and a
   NUL when cap > 0, and returns the full decoded length (like snprintf: a
   result >= cap means truncation). dst == src is allowed (the output never
   outruns the input). "%00" yields a NUL byte: use the returned length. */
SIO_API size_t sio_http_url_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space);

/* Incremental chunked body decoding (RFC 9112 7.1), in place.
   Zero-initialise the state before the first call. */
typedef struct sio_http_chunked {
    int state;
    unsigned long long remaining; /* data bytes left in the current chunk */
    size_t ext_len;               /* bytes in the current size line / trailer section */
} sio_http_chunked;

/* Decodes as much of buf[0..len) as it can. On return buf[0..*out_len)
   holds decoded body bytes (*out_len <= *consumed), *consumed input bytes
   were eaten and buf[*consumed..len) is untouched input for the next call.
   Returns 1 once the last chunk and trailers are complete (*consumed then
   stops right after them: a pipelined message may follow), 0 when more
   input is needed, SIO_ERR_PARSE on bad syntax, SIO_ERR_TOO_BIG when a
   size line or the trailer section exceeds SIO_HTTP_MAX_CHUNK_LINE bytes
   or a size overflows 64 bits. Errors are sticky. Line ends must be CRLF.
   The total body size is not limited here: count *out_len yourself. */
SIO_API int sio_http_chunked_decode(sio_http_chunked *st, char *buf, size_t len, size_t *consumed, size_t *out_len);

/* Standard reason phrase ("OK", "Bad Request", "Payload Too Large", ...);
   an unknown code gets a generic one by class. Never NULL. */
SIO_API const char *sio_http_reason(int status);

/* Appends "HTTP/1.1 <status> <reason>\r\n", "Content-Type: ..." (if
   content_type is not NULL), "Content-Length: <n>" (if body_len >= 0; pass
   -1 for 1xx, 204 and chunked answers), the preformatted extra_headers
   block "K: V\r\n..." (may be NULL) and the blank line. Returns SIO_OK,
   SIO_ERR_INVALID (status outside 100..999, CR/LF in content_type, or
   extra_headers not made of complete non-empty CRLF lines, which would
   let a header be injected or end the head early) or the buffer's error. */
SIO_API int sio_http_write_head(sio_buf *b, int status, const char *content_type, long long body_len, const char *extra_headers);
