/* ---------------------------------------------------------------------
   WebSocket framing (RFC 6455), both roles, as pure functions on bytes.
   No sockets here: the caller moves bytes, these functions build and
   parse frames. No extensions (permessage-deflate is never negotiated),
   so RSV bits must always be zero.
   ------------------------------------------------------------------- */

enum {
    SIO_WS_OP_CONT = 0,
    SIO_WS_OP_TEXT = 1,
    SIO_WS_OP_BINARY = 2,
    SIO_WS_OP_CLOSE = 8,
    SIO_WS_OP_PING = 9,
    SIO_WS_OP_PONG = 10
};

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(sha1(key + GUID)),
   28 chars + NUL. SIO_ERR_INVALID unless the key is 24 chars of base64
   that decode to 16 bytes (RFC 6455 section 4.2.1, item 5). */
SIO_API int sio_ws_accept_key(const char *client_key, size_t n, char out[29]);

/* Client side: Sec-WebSocket-Key from 16 random bytes, 24 chars + NUL. */
SIO_API void sio_ws_make_key(const unsigned char nonce16[16], char out[25]);

/* Writes a frame header, returns its length (2..14). mask4 NULL = unmasked
   (server to client); otherwise the 4-byte key is written and the caller
   masks the payload with sio_ws_mask. opcode is used as given (low 4 bits). */
SIO_API size_t sio_ws_write_header(unsigned char out[14], int fin, int opcode, uint64_t payload_len,
                                   const unsigned char *mask4);

/* XOR-masks (or unmasks: same operation) n bytes in place. offset is the
   position of data[0] within the frame payload, so a payload may be
   masked in several pieces. */
SIO_API void sio_ws_mask(unsigned char *data, size_t n, const unsigned char mask4[4], size_t offset);

/* Appends one whole, final (FIN) frame to b; with mask4 the copy in b is
   masked, the caller's payload is left alone. SIO_ERR_INVALID for an
   unknown opcode or a control frame over 125 bytes; otherwise SIO_OK or
   the buffer's error. */
SIO_API int sio_ws_append_frame(sio_buf *b, int opcode, const void *payload, size_t n,
                                const unsigned char *mask4);

/* Appends a close frame. code 0 = empty body (reason must be NULL or "");
   else a code that may be sent on the wire (1000-1003, 1007-1014,
   3000-4999) and an optional NUL-terminated UTF-8 reason of at most 123
   bytes. SIO_ERR_INVALID otherwise. */
SIO_API int sio_ws_append_close(sio_buf *b, int code, const char *reason, const unsigned char *mask4);

/* What sio_ws_read hands out. */
typedef enum sio_ws_kind {
    SIO_WS_NONE = 0,   /* nothing complete yet */
    SIO_WS_TEXT,       /* data/len: whole message, valid UTF-8 */
    SIO_WS_BINARY,     /* data/len: whole message */
    SIO_WS_PING,       /* data/len: ping payload (<= 125), echo it in a pong */
    SIO_WS_PONG,       /* data/len: pong payload */
    SIO_WS_CLOSE       /* close_code, close_reason; data/len: raw body */
} sio_ws_kind;

typedef struct sio_ws_msg {
    sio_ws_kind kind;
    unsigned char *data;  /* payload, unmasked; valid until the next sio_ws_read
                             call on the same reader AND while the caller's
                             buffer is unchanged (it may point into it) */
    size_t len;
    int close_code;       /* SIO_WS_CLOSE: 1005 when the frame had no code */
    sio_str close_reason; /* SIO_WS_CLOSE: UTF-8 view into data, may be empty */
} sio_ws_msg;

/* Zero-initialise, then set the public fields. */
typedef struct sio_ws_reader {
    int expect_masked;          /* 1 on the server (client frames MUST be masked),
                                   0 on the client (server frames MUST NOT be) */
    size_t max_message;         /* 0 = SIO_WS_MAX_MESSAGE; a larger message -> 1009;
                                   values above 1 GiB count as 1 GiB */
    const sio_allocator *alloc; /* for the reassembly buffer; NULL = default */
    /* private */
    sio_buf frag;               /* reassembly of fragmented messages only */
    int frag_opcode;            /* 0 = no fragmented message in progress */
    unsigned utf8_state;        /* sio_utf8_check state across text fragments */
    int error_code;             /* after an error: the close status to send
                                   (1002 protocol, 1007 bad UTF-8, 1009 too big) */
} sio_ws_reader;

/* Parses frames from buf[0..len) and returns the number of bytes consumed
   (the caller drops them from its input) with *msg filled in:
   - kind != SIO_WS_NONE: one message or control frame is complete;
   - kind == SIO_WS_NONE: no message is complete. The return value is then
     0, or the size of whole fragments moved into the reassembly buffer.
   Call again with the remaining bytes until it returns 0 with kind NONE,
   then wait for more input. Only whole frames are consumed, so the
   caller's input buffer must be able to hold max_message + 14 bytes.
   A frame that is not part of a fragmented message is unmasked IN PLACE
   and msg->data points into buf (buf must be writable): no copy.
   Fragmented messages are joined in the reader (at most max_message
   bytes); control frames may be interleaved and are returned as they come.
   Negative on a protocol violation: SIO_ERR_PROTOCOL (close code 1002),
   SIO_ERR_UTF8 (1007) or SIO_ERR_TOO_BIG (1009), with r->error_code set
   to the close code to send; the reader then keeps returning that error.
   The size is checked from the frame header, before any payload arrives. */
SIO_API int sio_ws_read(sio_ws_reader *r, unsigned char *buf, size_t len, sio_ws_msg *msg);

/* Frees the reassembly buffer and clears the private state (error
   included); the public fields stay, so the reader can serve a new
   connection as is. */
SIO_API void sio_ws_reader_free(sio_ws_reader *r);
