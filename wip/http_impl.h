/* =====================================================================
   >>http: HTTP/1.1 message heads, chunked bodies, response heads
   =====================================================================
   Follows RFC 9112 (message syntax) and RFC 9110 (semantics). The head
   parser is a pure function that re-reads the buffer from its start on
   every call and keeps no state: a partial head gives 0, so the caller
   just appends bytes and calls again. Syntax errors are reported as soon
   as the bytes that prove them are there (framing rules such as CL + TE
   once the head is complete), limits as soon as they are crossed, so a
   peer cannot make us buffer more than SIO_HTTP_MAX_HEADER_BYTES.
   Requests are parsed strictly (we are the origin server and any
   leniency is a request smuggling vector behind a proxy); responses
   come from a server we chose to talk to and get a little slack. */

/* tchar from RFC 9110 5.6.2: the bytes allowed in methods, header names
   and transfer codings. */
static int sio__http_is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

/* Field values and reason phrases: VCHAR, SP, HTAB and obs-text (>= 0x80). */
static int sio__http_is_vchar(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int sio__http_lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive compare of a view with a NUL-terminated ASCII name. */
static int sio__http_ieq(sio_str s, const char *lit) {
    size_t i;
    for (i = 0; i < s.len; i++) {
        if (!lit[i] || sio__http_lower((unsigned char)s.ptr[i]) != sio__http_lower((unsigned char)lit[i]))
            return 0;
    }
    return lit[i] == '\0';
}

static sio_str sio__http_str(const char *p, size_t n) {
    sio_str s;
    s.ptr = p;
    s.len = n;
    return s;
}

/* Result of looking at a CR or LF: the length of the line end, or one of
   these. A CR that is the last byte might still get its LF. */
#define SIO__HTTP_EOL_NEED (-1)
#define SIO__HTTP_EOL_BAD (-2)

static int sio__http_eol(const char *buf, size_t i, size_t end, int lf_ok) {
    if (buf[i] == '\n') return lf_ok ? 1 : SIO__HTTP_EOL_BAD;
    if (i + 1 >= end) return SIO__HTTP_EOL_NEED;
    return buf[i + 1] == '\n' ? 2 : SIO__HTTP_EOL_BAD;
}

/* Maps an HTTP status chosen for a bad request to our error code. */
static int sio__http_fail(int *http_status, int status) {
    if (http_status) *http_status = status;
    if (status == 414 || status == 431) return SIO_ERR_TOO_BIG;
    if (status == 501 || status == 505) return SIO_ERR_UNSUPPORTED;
    return SIO_ERR_PARSE;
}

/* Content-Length is 1*DIGIT (RFC 9110 8.6); "+5", " 5 5", "5,5" and
   anything that would overflow are refused rather than guessed at. */
static int sio__http_parse_cl(sio_str v, long long *out) {
    const unsigned long long max = (unsigned long long)-1 >> 1;
    unsigned long long n = 0;
    size_t i;
    if (v.len == 0) return -1;
    for (i = 0; i < v.len; i++) {
        unsigned d = (unsigned)((unsigned char)v.ptr[i] - '0');
        if (d > 9) return -1;
        if (n > (max - d) / 10) return -1;
        n = n * 10 + d;
    }
    *out = (long long)n;
    return 0;
}

/* Walks a comma-separated list; returns 1 and the next trimmed element
   (possibly empty, as in "a,,b") or 0 at the end. *pos starts at 0. */
static int sio__http_list_next(sio_str list, size_t *pos, sio_str *elem) {
    size_t i = *pos, b, e;
    if (i > list.len) return 0;
    while (i < list.len && (list.ptr[i] == ' ' || list.ptr[i] == '\t')) i++;
    b = i;
    while (i < list.len && list.ptr[i] != ',') i++;
    e = i;
    while (e > b && (list.ptr[e - 1] == ' ' || list.ptr[e - 1] == '\t')) e--;
    *elem = sio__http_str(list.ptr + b, e - b);
    *pos = i + 1;
    return 1;
}

SIO_API int sio_http_token_has(sio_str value, const char *token) {
    size_t pos = 0;
    sio_str e;
    if (!token || !value.ptr) return 0;
    while (sio__http_list_next(value, &pos, &e))
        if (e.len && sio__http_ieq(e, token)) return 1;
    return 0;
}

SIO_API sio_str sio_http_header_get(const sio_http_msg *m, const char *name) {
    int i;
    if (!m || !name) return sio__http_str(NULL, 0);
    for (i = 0; i < m->header_count; i++)
        if (sio__http_ieq(m->headers[i].name, name)) return m->headers[i].value;
    return sio__http_str(NULL, 0);
}

/* After the head is complete: framing and connection semantics. Returns 0
   or the HTTP status that rejects the message. */
static int sio__http_semantics(sio_http_msg *m, int is_req) {
    int i, has_cl = 0, has_te = 0, te_unknown = 0, te_bad = 0;
    int conn_close = 0, conn_ka = 0, conn_upgrade = 0, up_ws = 0;
    long long cl = -1;
    for (i = 0; i < m->header_count; i++) {
        sio_str n = m->headers[i].name, v = m->headers[i].value;
        if (sio__http_ieq(n, "content-length")) {
            long long x;
            if (sio__http_parse_cl(v, &x) != 0) return 400;
            /* Two different lengths: two parsers could frame the body
               differently, the classic smuggling setup. */
            if (has_cl && x != cl) return 400;
            has_cl = 1;
            cl = x;
        } else if (sio__http_ieq(n, "transfer-encoding")) {
            size_t pos = 0;
            sio_str e;
            int any = 0;
            has_te = 1;
            while (sio__http_list_next(v, &pos, &e)) {
                if (!e.len) continue;
                any = 1;
                /* chunked must be applied once and last: in
                   "chunked, gzip" the end of the body is unknowable. */
                if (m->chunked) te_bad = 1;
                if (sio__http_ieq(e, "chunked")) m->chunked = 1;
                else te_unknown = 1;
            }
            if (!any) te_bad = 1;
        } else if (sio__http_ieq(n, "connection")) {
            conn_close |= sio_http_token_has(v, "close");
            conn_ka |= sio_http_token_has(v, "keep-alive");
            conn_upgrade |= sio_http_token_has(v, "upgrade");
        } else if (sio__http_ieq(n, "upgrade")) {
            up_ws |= sio_http_token_has(v, "websocket");
        }
    }
    if (has_te) {
        if (te_bad) return 400;
        if (is_req && has_cl) return 400;
        if (te_unknown) return 501;
        cl = -1;
    }
    m->content_length = cl;
    m->keep_alive = conn_close ? 0 : (m->minor_version >= 1 ? 1 : conn_ka);
    m->upgrade_websocket = conn_upgrade && up_ws;
    return 0;
}

/* "HTTP/" DIGIT "." DIGIT at buf[*i]. Returns 0 (ok, *minor set), 1 need
   more, 400 malformed, 505 a major version other than 1. HTTP/1.2 and up
   are answered as 1.1, as RFC 9110 2.5 asks. */
static int sio__http_version(const char *buf, size_t *i, size_t end, int *minor) {
    static const char pat[] = "HTTP/#.#";
    size_t k, p = *i;
    int major = 0;
    for (k = 0; k < 8; k++, p++) {
        if (p >= end) return 1;
        if (pat[k] == '#') {
            if (buf[p] < '0' || buf[p] > '9') return 400;
            if (k == 5) major = buf[p] - '0';
            else *minor = buf[p] - '0';
        } else if (buf[p] != pat[k]) {
            return 400;
        }
    }
    *i = p;
    if (major != 1) return 505;
    if (*minor > 1) *minor = 1;
    return 0;
}

static void sio__http_msg_init(sio_http_msg *m) {
    m->method = m->target = m->path = m->query = m->reason = sio__http_str(NULL, 0);
    m->status = 0;
    m->minor_version = 0;
    m->header_count = 0;
    m->content_length = -1;
    m->chunked = 0;
    m->keep_alive = 0;
    m->upgrade_websocket = 0;
    m->header_bytes = 0;
}

/* Request line: method SP target SP version CRLF, single spaces only
   (RFC 9112 3). Up to RFC 9112 2.2, empty lines before it are skipped.
   Returns 0 with *i after the line, 1 need more, or an HTTP status. */
static int sio__http_request_line(const char *buf, size_t *pi, size_t end, sio_http_msg *m) {
    size_t i = *pi, s;
    int rc, eol;
    while (i < end && buf[i] == '\r') {
        eol = sio__http_eol(buf, i, end, 0);
        if (eol == SIO__HTTP_EOL_NEED) return 1;
        if (eol < 0) return 400;
        i += (size_t)eol;
    }
    s = i;
    while (i < end && sio__http_is_tchar((unsigned char)buf[i])) i++;
    if (i >= end) return 1;
    if (buf[i] != ' ' || i == s) return 400;
    m->method = sio__http_str(buf + s, i - s);
    s = ++i;
    if (i < end && buf[i] != '/' && buf[i] != '*') return 400;
    while (i < end && (unsigned char)buf[i] > 0x20 && buf[i] != 0x7f) i++;
    if (i >= end) return 1;
    if (buf[i] != ' ' || i == s) return 400;
    m->target = sio__http_str(buf + s, i - s);
    /* origin-form "/path?q", or asterisk-form for "OPTIONS *" only;
       absolute-form (proxy requests) and authority-form (CONNECT) are
       not for us. */
    if (buf[s] != '/' && !(m->target.len == 1 && buf[s] == '*' && m->method.len == 7 &&
                           memcmp(m->method.ptr, "OPTIONS", 7) == 0))
        return 400;
    i++;
    rc = sio__http_version(buf, &i, end, &m->minor_version);
    if (rc == 1 || rc == 400) return rc;
    if (i >= end) return 1;
    if (buf[i] != '\r' && buf[i] != '\n') return 400;
    eol = sio__http_eol(buf, i, end, 0);
    if (eol == SIO__HTTP_EOL_NEED) return 1;
    if (eol < 0) return 400;
    if (rc) return rc; /* 505, only once the line proved well-formed */
    *pi = i + (size_t)eol;
    {
        const char *q = (const char *)memchr(m->target.ptr, '?', m->target.len);
        if (q) {
            m->path = sio__http_str(m->target.ptr, (size_t)(q - m->target.ptr));
            m->query = sio__http_str(q + 1, m->target.len - m->path.len - 1);
        } else {
            m->path = m->target;
            m->query = sio__http_str(m->target.ptr + m->target.len, 0);
        }
    }
    return 0;
}

/* Status line: version SP 3DIGIT [SP reason] line-end. The missing SP
   before an empty reason ("HTTP/1.1 200\r\n") is tolerated. */
static int sio__http_status_line(const char *buf, size_t *pi, size_t end, sio_http_msg *m) {
    size_t i = *pi, s, k;
    int rc, eol;
    rc = sio__http_version(buf, &i, end, &m->minor_version);
    if (rc == 1 || rc == 400) return rc;
    if (i >= end) return 1;
    if (buf[i++] != ' ') return 400;
    m->status = 0;
    for (k = 0; k < 3; k++, i++) {
        if (i >= end) return 1;
        if (buf[i] < '0' || buf[i] > '9') return 400;
        m->status = m->status * 10 + (buf[i] - '0');
    }
    if (m->status < 100) return 400;
    if (i >= end) return 1;
    if (buf[i] == ' ') i++;
    else if (buf[i] != '\r' && buf[i] != '\n') return 400;
    s = i;
    while (i < end && buf[i] != '\r' && buf[i] != '\n') {
        if (!sio__http_is_vchar((unsigned char)buf[i])) return 400;
        i++;
    }
    if (i >= end) return 1;
    eol = sio__http_eol(buf, i, end, 1);
    if (eol == SIO__HTTP_EOL_NEED) return 1;
    if (eol < 0) return 400;
    if (rc) return rc;
    m->reason = sio__http_str(buf + s, i - s);
    *pi = i + (size_t)eol;
    return 0;
}

/* Header fields up to and including the empty line. Returns 0 with *pi
   after the head, 1 need more, or an HTTP status. */
static int sio__http_fields(const char *buf, size_t *pi, size_t end, sio_http_msg *m, int lf_ok) {
    size_t i = *pi, s, vs, ve;
    int eol;
    for (;;) {
        if (i >= end) return 1;
        if (buf[i] == '\r' || buf[i] == '\n') {
            eol = sio__http_eol(buf, i, end, lf_ok);
            if (eol == SIO__HTTP_EOL_NEED) return 1;
            if (eol < 0) return 400;
            *pi = i + (size_t)eol;
            return 0;
        }
        /* A line starting with whitespace is obs-fold (a continuation of
           the previous value), which RFC 9112 5.2 lets us reject and which
           parsers disagree about. */
        if (buf[i] == ' ' || buf[i] == '\t') return 400;
        if (m->header_count >= SIO_HTTP_MAX_HEADERS) return 431;
        s = i;
        while (i < end && sio__http_is_tchar((unsigned char)buf[i])) i++;
        if (i >= end) return 1;
        /* "Name : v" is refused too: RFC 9112 5.1 says whitespace before
           the colon must get a 400, again because of smuggling. */
        if (buf[i] != ':' || i == s) return 400;
        m->headers[m->header_count].name = sio__http_str(buf + s, i - s);
        i++;
        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
        vs = i;
        while (i < end && buf[i] != '\r' && buf[i] != '\n') {
            if (!sio__http_is_vchar((unsigned char)buf[i])) return 400;
            i++;
        }
        if (i >= end) return 1;
        eol = sio__http_eol(buf, i, end, lf_ok);
        if (eol == SIO__HTTP_EOL_NEED) return 1;
        if (eol < 0) return 400;
        ve = i;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
        m->headers[m->header_count].value = sio__http_str(buf + vs, ve - vs);
        m->header_count++;
        i += (size_t)eol;
    }
}

/* The shared driver. Scanning stops at the limits, so "need more" past a
   limit turns into 414/431 without ever looking further. */
static int sio__http_parse_head(const char *buf, size_t len, sio_http_msg *m, int is_req, int *http_status) {
    size_t end = len < SIO_HTTP_MAX_HEADER_BYTES ? len : SIO_HTTP_MAX_HEADER_BYTES;
    size_t i = 0;
    int rc;
    sio__http_msg_init(m);
    if (is_req) {
        size_t lend = end < SIO_HTTP_MAX_REQUEST_LINE ? end : SIO_HTTP_MAX_REQUEST_LINE;
        rc = sio__http_request_line(buf, &i, lend, m);
        if (rc == 1) {
            if (len >= SIO_HTTP_MAX_REQUEST_LINE) return sio__http_fail(http_status, 414);
            if (len >= SIO_HTTP_MAX_HEADER_BYTES) return sio__http_fail(http_status, 431);
            return 0;
        }
    } else {
        rc = sio__http_status_line(buf, &i, end, m);
    }
    if (rc == 0) rc = sio__http_fields(buf, &i, end, m, !is_req);
    if (rc == 1) return len >= SIO_HTTP_MAX_HEADER_BYTES ? sio__http_fail(http_status, 431) : 0;
    if (rc == 0) rc = sio__http_semantics(m, is_req);
    if (rc) return sio__http_fail(http_status, rc);
    m->header_bytes = i;
    return (int)i;
}

SIO_API int sio_http_parse_request(const char *buf, size_t len, sio_http_msg *m, int *http_status) {
    if (http_status) *http_status = 0;
    if (!m || (!buf && len)) return sio__http_fail(http_status, 400);
    return sio__http_parse_head(buf, len, m, 1, http_status);
}

SIO_API int sio_http_parse_response(const char *buf, size_t len, sio_http_msg *m) {
    if (!m || (!buf && len)) return SIO_ERR_INVALID;
    return sio__http_parse_head(buf, len, m, 0, NULL);
}

SIO_API int sio_http_head_ready(const char *buf, size_t len, size_t prev_len) {
    size_t i;
    if (prev_len > len) prev_len = 0;
    if (len >= SIO_HTTP_MAX_HEADER_BYTES) return 1;
    if (prev_len < SIO_HTTP_MAX_REQUEST_LINE && len >= SIO_HTTP_MAX_REQUEST_LINE) return 1;
    /* An empty line ends with LF preceded by LF or by CR LF; it may
       straddle the old and new bytes, hence the step back. */
    for (i = prev_len > 2 ? prev_len - 2 : 1; i < len; i++) {
        if (buf[i] != '\n') continue;
        if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')) return 1;
    }
    return 0;
}

SIO_API int sio_http_query_get(sio_str query, const char *key, sio_str *raw_value) {
    size_t klen, i = 0;
    if (!key || !*key || !query.ptr) return 0;
    klen = strlen(key);
    while (i < query.len) {
        size_t s = i, e, eq;
        while (i < query.len && query.ptr[i] != '&') i++;
        e = i++;
        for (eq = s; eq < e && query.ptr[eq] != '='; eq++) {}
        if (eq - s == klen && memcmp(query.ptr + s, key, klen) == 0) {
            if (raw_value) {
                if (eq < e) *raw_value = sio__http_str(query.ptr + eq + 1, e - eq - 1);
                else *raw_value = sio__http_str(query.ptr + e, 0);
            }
            return 1;
        }
    }
    return 0;
}

static int sio__http_hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = sio__http_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

SIO_API size_t sio_http_url_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space) {
    size_t i = 0, out = 0;
    while (i < n) {
        char c = src[i];
        int hi, lo;
        if (c == '%' && i + 2 < n &&
            (hi = sio__http_hexval((unsigned char)src[i + 1])) >= 0 &&
            (lo = sio__http_hexval((unsigned char)src[i + 2])) >= 0) {
            c = (char)(hi * 16 + lo);
            i += 3;
        } else {
            if (c == '+' && plus_is_space) c = ' ';
            i++;
        }
        if (out + 1 < cap) dst[out] = c;
        out++;
    }
    if (cap) dst[out < cap ? out : cap - 1] = '\0';
    return out;
}

/* >>http-chunked
   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, the last chunk
   has size 0 and is followed by optional trailer fields and an empty
   line. Example: "4\r\nWiki\r\n0\r\n\r\n" decodes to "Wiki". Every input
   byte is consumed as soon as it is seen (the state remembers where we
   are), so the caller never re-feeds anything. */
enum {
    SIO__CK_SIZE0 = 0,   /* first hex digit of a size */
    SIO__CK_SIZE,        /* more hex digits */
    SIO__CK_SIZE_WS,     /* BWS after the digits */
    SIO__CK_EXT,         /* ";name=value..." up to CR */
    SIO__CK_SIZE_LF,     /* LF of the size line */
    SIO__CK_DATA,
    SIO__CK_DATA_CR,
    SIO__CK_DATA_LF,
    SIO__CK_TRAILER,     /* start of a trailer line (or the final CRLF) */
    SIO__CK_TRAILER_LINE,
    SIO__CK_TRAILER_LF,
    SIO__CK_END_LF,      /* LF of the final empty line */
    SIO__CK_DONE,
    SIO__CK_ERR_PARSE,
    SIO__CK_ERR_BIG
};

SIO_API int sio_http_chunked_decode(sio_http_chunked *st, char *buf, size_t len, size_t *consumed, size_t *out_len) {
    size_t r = 0, w = 0;
    int rc = 0;
    while (r < len && rc == 0) {
        unsigned char c = (unsigned char)buf[r];
        int hv;
        switch (st->state) {
        case SIO__CK_SIZE0:
        case SIO__CK_SIZE:
            hv = sio__http_hexval(c);
            if (hv >= 0) {
                if (st->remaining > ((unsigned long long)-1 >> 4)) { st->state = SIO__CK_ERR_BIG; break; }
                st->remaining = st->remaining * 16 + (unsigned)hv;
                st->state = SIO__CK_SIZE;
            } else if (st->state == SIO__CK_SIZE0) {
                st->state = SIO__CK_ERR_PARSE;
                break;
            } else if (c == ' ' || c == '\t') {
                st->state = SIO__CK_SIZE_WS;
            } else if (c == ';') {
                st->state = SIO__CK_EXT;
            } else if (c == '\r') {
                st->state = SIO__CK_SIZE_LF;
            } else {
                st->state = SIO__CK_ERR_PARSE;
                break;
            }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_SIZE_WS:
            if (c == ';') st->state = SIO__CK_EXT;
            else if (c == '\r') st->state = SIO__CK_SIZE_LF;
            else if (c != ' ' && c != '\t') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_EXT:
            /* Extensions carry nothing we use; skip them, minding CTLs. */
            if (c == '\r') st->state = SIO__CK_SIZE_LF;
            else if (!sio__http_is_vchar(c)) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_SIZE_LF:
            if (c != '\n') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len = 0;
            st->state = st->remaining ? SIO__CK_DATA : SIO__CK_TRAILER;
            break;
        case SIO__CK_DATA: {
            size_t n = len - r;
            if ((unsigned long long)n > st->remaining) n = (size_t)st->remaining;
            if (w != r) memmove(buf + w, buf + r, n);
            w += n;
            r += n;
            st->remaining -= n;
            if (!st->remaining) st->state = SIO__CK_DATA_CR;
            break;
        }
        case SIO__CK_DATA_CR:
        case SIO__CK_DATA_LF:
            if (c != (st->state == SIO__CK_DATA_CR ? '\r' : '\n')) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->state = st->state == SIO__CK_DATA_CR ? SIO__CK_DATA_LF : SIO__CK_SIZE0;
            break;
        case SIO__CK_TRAILER:
            if (c == '\r') st->state = SIO__CK_END_LF;
            else if (sio__http_is_tchar(c)) st->state = SIO__CK_TRAILER_LINE;
            else { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_TRAILER_LINE:
            /* Trailer fields are checked for CTLs and dropped: nothing in
               Socket.IO sends them and merging them into the head would
               need storage the caller did not give us. */
            if (c == '\r') st->state = SIO__CK_TRAILER_LF;
            else if (!sio__http_is_vchar(c)) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_TRAILER_LF:
        case SIO__CK_END_LF:
            if (c != '\n') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            st->state = st->state == SIO__CK_END_LF ? SIO__CK_DONE : SIO__CK_TRAILER;
            break;
        default:
            break;
        }
        if (st->ext_len > SIO_HTTP_MAX_CHUNK_LINE && st->state < SIO__CK_DONE) st->state = SIO__CK_ERR_BIG;
        if (st->state >= SIO__CK_DONE) rc = 1;
    }
    if (consumed) *consumed = r;
    if (out_len) *out_len = w;
    if (st->state == SIO__CK_DONE) return 1;
    if (st->state == SIO__CK_ERR_PARSE) return SIO_ERR_PARSE;
    if (st->state == SIO__CK_ERR_BIG) return SIO_ERR_TOO_BIG;
    return 0;
}

/* >>http-writer */

SIO_API const char *sio_http_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: break;
    }
    switch (status / 100) {
    case 1: return "Informational";
    case 2: return "Success";
    case 3: return "Redirection";
    case 4: return "Client Error";
    case 5: return "Server Error";
    default: return "Unknown";
    }
}

/* extra_headers must be whole "Name: value\r\n" lines: a bare CR or LF, a
   missing final CRLF or an empty line would corrupt or end the head. */
static int sio__http_headers_block_ok(const char *h) {
    size_t i, line_start = 0;
    for (i = 0; h[i]; i++) {
        if (h[i] == '\r') {
            if (h[i + 1] != '\n' || i == line_start) return 0;
            i++;
            line_start = i + 1;
        } else if (h[i] == '\n') {
            return 0;
        }
    }
    return i == line_start;
}

SIO_API int sio_http_write_head(sio_buf *b, int status, const char *content_type, long long body_len, const char *extra_headers) {
    size_t start;
    if (!b || status < 100 || status > 999) return SIO_ERR_INVALID;
    if (content_type && strpbrk(content_type, "\r\n")) return SIO_ERR_INVALID;
    if (extra_headers && !sio__http_headers_block_ok(extra_headers)) return SIO_ERR_INVALID;
    start = b->len;
    sio_buf_appends(b, "HTTP/1.1 ");
    sio_buf_appendu(b, (unsigned long long)status);
    sio_buf_appendc(b, ' ');
    sio_buf_appends(b, sio_http_reason(status));
    sio_buf_appends(b, "\r\n");
    if (content_type) {
        sio_buf_appends(b, "Content-Type: ");
        sio_buf_appends(b, content_type);
        sio_buf_appends(b, "\r\n");
    }
    if (body_len >= 0) {
        sio_buf_appends(b, "Content-Length: ");
        sio_buf_appendu(b, (unsigned long long)body_len);
        sio_buf_appends(b, "\r\n");
    }
    if (extra_headers) sio_buf_appends(b, extra_headers);
    sio_buf_appends(b, "\r\n");
    if (b->err) b->len = start; /* no half-written head on failure */
    return b->err;
}
