/* =====================================================================
   >>client: WebSocket, HTTP, Engine.IO v4 and Socket.IO v5 client
   =====================================================================
   Built bottom-up on the same loop as the server:
   - sio__wsc: a WebSocket client connection (RFC 6455 client role: masked
     frames with a fresh random key each, server frames must be unmasked);
   - sio__hcc: an HTTP/1.1 client connection with one request in flight,
     kept alive between requests. Long-polling uses two: one for the held
     GET, one for POSTs, so a held GET never delays a send;
   - the Engine.IO client: handshake ("0{...}"), polling or WebSocket,
     the upgrade dance, and the heartbeat watchdog. In v4 the SERVER pings:
     the client answers every "2" with "3" and never pings itself; if no
     "2" comes within pingInterval + pingTimeout the link is dead;
   - the Socket.IO client: namespace sockets over one Engine.IO link, with
     the Node client's reconnection rules and disconnect reasons. */

/* ---- URLs and addresses ---- */

typedef struct sio__url {
    int ws;                          /* ws:// rather than http:// */
    int tls;                         /* https:// or wss:// */
    int v6;                          /* literal IPv6 address, bracketed in the URL */
    char host[SIO_CLIENT_MAX_HOST];
    int port;
    const char *path;                /* from the first '/' to '?' or '#'; NULL if none */
    size_t path_len;
    const char *query;               /* after '?', without it; NULL if none */
    size_t query_len;
} sio__url;

static int sio__url_parse(const char *url, sio__url *u) {
    const char *p = url, *h;
    size_t hl, i;
    memset(u, 0, sizeof *u);
    if (!url) return SIO_ERR_INVALID;
    if (strncmp(p, "http://", 7) == 0) {
        p += 7;
    } else if (strncmp(p, "ws://", 5) == 0) {
        p += 5;
        u->ws = 1;
    } else if (strncmp(p, "https://", 8) == 0 || strncmp(p, "wss://", 6) == 0) {
#ifdef SIO_TLS_BEARSSL
        u->ws = p[0] == 'w';
        u->tls = 1;
        p += u->ws ? 6 : 8;
#else
        return SIO_ERR_UNSUPPORTED;   /* never a silent plain-text connection */
#endif
    } else {
        return SIO_ERR_INVALID;
    }
    if (*p == '[') {
        const char *e = strchr(p, ']');
        if (!e) return SIO_ERR_INVALID;
        h = p + 1;
        hl = (size_t)(e - h);
        p = e + 1;
        u->v6 = 1;
    } else {
        h = p;
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        hl = (size_t)(p - h);
    }
    if (!hl || hl >= sizeof u->host) return SIO_ERR_INVALID;
    /* the host goes into a Host header: nothing that could end the line */
    for (i = 0; i < hl; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '.' || ch == '_' || ch == '%' || (u->v6 && ch == ':')))
            return SIO_ERR_INVALID;
    }
    memcpy(u->host, h, hl);
    u->host[hl] = 0;
    u->port = u->tls ? 443 : 80;
    if (*p == ':') {
        long port = 0;
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++digits > 5) return SIO_ERR_INVALID;
            port = port * 10 + (*p - '0');
        }
        if (!digits || port < 1 || port > 65535) return SIO_ERR_INVALID;
        u->port = (int)port;
    }
    if (*p == '/') {
        u->path = p;
        while (*p && *p != '?' && *p != '#') p++;
        u->path_len = (size_t)(p - u->path);
    }
    if (*p == '?') {
        u->query = ++p;
        while (*p && *p != '#') p++;
        u->query_len = (size_t)(p - u->query);
    }
    if (*p && *p != '#') return SIO_ERR_INVALID;
    return SIO_OK;
}

typedef struct sio__addrs {
    struct sockaddr_storage a[SIO_CLIENT_MAX_ADDRS];
    socklen_t len[SIO_CLIENT_MAX_ADDRS];
    int n;
} sio__addrs;

/* Blocking getaddrinfo: a name like "localhost" may give ::1 and
   127.0.0.1, and a server may listen on only one of them, so every
   address is kept and tried in turn. */
static int sio__resolve(const char *host, int port, sio__addrs *out) {
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[16];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(portstr, sizeof portstr, "%d", port);
    out->n = 0;
    if (getaddrinfo(host, portstr, &hints, &res) != 0) return SIO_ERR_RESOLVE;
    for (ai = res; ai && out->n < SIO_CLIENT_MAX_ADDRS; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof out->a[0]) continue;
        memcpy(&out->a[out->n], ai->ai_addr, ai->ai_addrlen);
        out->len[out->n] = (socklen_t)ai->ai_addrlen;
        out->n++;
    }
    freeaddrinfo(res);
    return out->n ? SIO_OK : SIO_ERR_RESOLVE;
}

/* Non-blocking connect to address *idx, or the next ones that fail at
   once; the loop reports the outcome (on_connect, or on_close with
   SIO_ERR_REFUSED while SIO__F_CONNECTING is still set). */
static sio__conn *sio__dial(sio__loop *L, const sio__addrs *ad, int *idx, const sio__conn_ops *ops, void *owner,
                            int *err) {
    *err = SIO_ERR_REFUSED;
    for (; *idx < ad->n; (*idx)++) {
        const struct sockaddr_storage *sa = &ad->a[*idx];
        int fd = socket(sa->ss_family, SOCK_STREAM, 0), one = 1, rc;
        sio__conn *c;
        if (fd < 0) continue;
        if (sio__set_nonblock(fd) != SIO_OK) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        do rc = connect(fd, (const struct sockaddr *)sa, ad->len[*idx]);
        while (rc < 0 && errno == EINTR);
        if (rc < 0 && errno != EINPROGRESS) {
            close(fd);
            continue;
        }
        c = sio__conn_add(L, fd, SIO__C_CLIENT, ops, owner);
        if (!c) {
            close(fd);
            *err = SIO_ERR_NOMEM;
            return NULL;
        }
        if (rc < 0) c->flags |= SIO__F_CONNECTING;
        *err = SIO_OK;
        return c;
    }
    return NULL;
}

/* A TLS engine on a fresh client connection (SIO_TLS_BEARSSL): the
   request queued on it waits in the output until the handshake is done.
   host is the name sent by SNI and checked against the certificate. */
static int sio__tls_attach(sio__conn *c, void *ctx, const char *host) {
#ifdef SIO_TLS_BEARSSL
    if (ctx && !(c->tls = sio__tls_new((sio__tls_ctx *)ctx, host))) return SIO_ERR_TLS;
#else
    (void)c;
    (void)ctx;
    (void)host;
#endif
    return SIO_OK;
}

/* Why a TLS connection ended, in words, copied out before it is freed. */
static void sio__tls_why(sio__conn *c, char *dst, size_t cap) {
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        snprintf(dst, cap, "TLS: %s", sio__tls_error((sio__tls *)c->tls));
        return;
    }
#else
    (void)c;
#endif
    snprintf(dst, cap, "TLS failure");
}

/* ---- WebSocket client connection ---- */

enum { SIO__WSC_IDLE = 0, SIO__WSC_CONNECTING, SIO__WSC_OPEN, SIO__WSC_CLOSING, SIO__WSC_CLOSED };

typedef struct sio__wsc sio__wsc;
struct sio__wsc {
    /* set by the owner before sio__wsc_open */
    sio__loop *loop;
    sio__rng *rng;
    const sio_logger *log;
    size_t max_message;                 /* 0 = SIO_WS_MAX_MESSAGE */
    void (*on_open)(sio__wsc *w);
    void (*on_message)(sio__wsc *w, char *data, size_t len, int binary);
    void (*on_pong)(sio__wsc *w, const char *data, size_t len);
    /* err SIO_OK after a close handshake (code = the peer's code, 1005 if
       none), else why it ended (code = what we sent, or 0) */
    void (*on_close)(sio__wsc *w, int err, int code);
    void *user;
    void *tls_ctx;                      /* wss: the shared TLS context, else NULL */
    const char *tls_host;               /* the name to check the certificate against */
    char tls_err[160];                  /* why TLS failed, once on_close had SIO_ERR_TLS */
    /* private */
    sio__conn *c;
    const sio__addrs *addrs;
    int ai;
    sio_buf req;                        /* the upgrade request, until answered */
    char accept[29];
    int state;
    sio_ws_reader rd;
    int sent_close;
};

static long sio__wsc_on_data(sio__conn *c, char *data, size_t len);
static void sio__wsc_on_closed(sio__conn *c, int err);
static const sio__conn_ops sio__wsc_ops = {sio__wsc_on_data, sio__wsc_on_closed, NULL};

/* Client frames are always masked, each with a fresh random key, so a
   proxy cannot be fed a byte sequence chosen by the page (RFC 6455 10.3). */
static int sio__wsc_frame(sio__wsc *w, int opcode, int fin, const void *data, size_t len) {
    unsigned char hdr[14], mask[4];
    size_t hl;
    char *p;
    if (!w->c || (w->state != SIO__WSC_OPEN && !(w->state == SIO__WSC_CLOSING && opcode == SIO_WS_OP_CLOSE)))
        return SIO_ERR_CLOSED;
    sio__rng_bytes(w->rng, mask, 4);
    hl = sio_ws_write_header(hdr, fin, opcode, (uint64_t)len, mask);
    p = sio__conn_reserve(w->c, hl + len);
    if (!p) return SIO_ERR_CLOSED;
    memcpy(p, hdr, hl);
    if (len) memcpy(p + hl, data, len);
    sio_ws_mask((unsigned char *)p + hl, len, mask, 0);
    w->c->out.len += hl + len;
    return SIO_OK;
}

static int sio__wsc_send(sio__wsc *w, const void *data, size_t len, int binary) {
    return sio__wsc_frame(w, binary ? SIO_WS_OP_BINARY : SIO_WS_OP_TEXT, 1, data, len);
}

static int sio__wsc_dial(sio__wsc *w) {
    int err;
    sio__conn *c = sio__dial(w->loop, w->addrs, &w->ai, &sio__wsc_ops, w, &err);
    if (!c) return err;
    c->session = w;
    w->c = c;
    if ((err = sio__tls_attach(c, w->tls_ctx, w->tls_host)) != SIO_OK) {
        c->session = NULL;
        w->c = NULL;
        sio__conn_close(c, err);
        return err;
    }
    return sio__conn_send(c, w->req.data, w->req.len);
}

/* Starts the opening handshake. host_hdr: "host:port"; target: path and
   query; extra: "K: V\r\n" lines or NULL. */
static int sio__wsc_open(sio__wsc *w, const sio__addrs *ad, const char *host_hdr, const char *target,
                         const char *extra) {
    unsigned char nonce[16];
    char key[25];
    sio_ws_reader_free(&w->rd);
    memset(&w->rd, 0, sizeof w->rd);
    w->rd.expect_masked = 0;
    w->rd.max_message = w->max_message;
    w->rd.alloc = w->loop->alloc;
    w->req.alloc = w->loop->alloc;
    w->addrs = ad;
    w->ai = 0;
    w->sent_close = 0;
    sio__rng_bytes(w->rng, nonce, sizeof nonce);
    sio_ws_make_key(nonce, key);
    if (sio_ws_accept_key(key, 24, w->accept) != SIO_OK) return SIO_ERR_INVALID;
    sio_buf_reset(&w->req);
    sio_buf_appends(&w->req, "GET ");
    sio_buf_appends(&w->req, target);
    sio_buf_appends(&w->req, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(&w->req, host_hdr);
    sio_buf_appends(&w->req, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    sio_buf_appends(&w->req, key);
    sio_buf_appends(&w->req, "\r\nSec-WebSocket-Version: 13\r\n");
    if (extra) sio_buf_appends(&w->req, extra);
    sio_buf_appends(&w->req, "\r\n");
    if (w->req.err) return w->req.err;
    w->state = SIO__WSC_CONNECTING;
    return sio__wsc_dial(w);
}

/* Drops the connection at once, without callbacks. */
static void sio__wsc_abort(sio__wsc *w) {
    sio__conn *c = w->c;
    w->c = NULL;
    w->state = SIO__WSC_CLOSED;
    sio_buf_free(&w->req);
    if (c) {
        c->session = NULL;
        sio__conn_close(c, SIO_OK);
    }
}

/* Starts the closing handshake: our close frame, then the peer answers
   with its own and closes TCP (on_close then gets SIO_OK). code 0 = an
   empty close frame. */
static void sio__wsc_close(sio__wsc *w, int code, const char *reason) {
    char body[125];
    size_t n = 0;
    if (w->state == SIO__WSC_CONNECTING) {
        sio__wsc_abort(w);
        return;
    }
    if (w->state != SIO__WSC_OPEN || !w->c) return;
    if (code) {
        body[0] = (char)(code >> 8);
        body[1] = (char)(code & 255);
        n = 2;
        if (reason) {
            size_t r = strlen(reason);
            if (r > sizeof body - 2) r = sizeof body - 2;
            memcpy(body + 2, reason, r);
            n += r;
        }
    }
    w->state = SIO__WSC_CLOSING;
    w->sent_close = 1;
    sio__wsc_frame(w, SIO_WS_OP_CLOSE, 1, body, n);
}

/* Protocol failure: our close frame with the reader's code, then end. */
static void sio__wsc_fail(sio__wsc *w, sio__conn *c, int err, int code) {
    if (code && w->state == SIO__WSC_OPEN) {
        unsigned char b[2];
        b[0] = (unsigned char)(code >> 8);
        b[1] = (unsigned char)(code & 255);
        w->state = SIO__WSC_CLOSING;
        sio__wsc_frame(w, SIO_WS_OP_CLOSE, 1, b, 2);
    }
    c->session = NULL;
    w->c = NULL;
    w->state = SIO__WSC_CLOSED;
    sio_buf_free(&w->req);
    if (code) sio__conn_end(c);
    else sio__conn_close(c, err);
    if (w->on_close) w->on_close(w, err, code);
}

static long sio__wsc_on_data(sio__conn *c, char *data, size_t len) {
    sio__wsc *w = (sio__wsc *)c->session;
    size_t used = 0;
    if (!w) return (long)len;
    if (w->state == SIO__WSC_CONNECTING) {
        sio_http_msg m;
        sio_str acc;
        int hl = sio_http_parse_response(data, len, &m);
        if (hl == 0) return 0;
        if (hl < 0) {
            sio__log(w->log, SIO_LOG_INFO, "websocket: malformed handshake answer");
            sio__wsc_fail(w, c, SIO_ERR_PROTOCOL, 0);
            return (long)len;
        }
        acc = sio_http_header_get(&m, "Sec-WebSocket-Accept");
        if (m.status != 101 || !m.upgrade_websocket || acc.len != 28 || memcmp(acc.ptr, w->accept, 28) != 0) {
            sio__log(w->log, SIO_LOG_INFO, "websocket: upgrade refused (HTTP %d%s)", m.status,
                     m.status == 101 ? ", bad Sec-WebSocket-Accept" : "");
            sio__wsc_fail(w, c, m.status == 101 ? SIO_ERR_PROTOCOL : SIO_ERR_REFUSED, 0);
            return (long)len;
        }
        used = (size_t)hl;
        sio_buf_free(&w->req);
        w->state = SIO__WSC_OPEN;
        if (w->on_open) w->on_open(w);
        if (w->c != c || (c->flags & SIO__F_DEAD)) return (long)len;
    }
    while (used < len && w->c == c && !(c->flags & SIO__F_DEAD)) {
        sio_ws_msg msg;
        int n = sio_ws_read(&w->rd, (unsigned char *)data + used, len - used, &msg);
        if (n < 0) {
            sio__log(w->log, SIO_LOG_INFO, "websocket: bad frame from the server, closing with %d", w->rd.error_code);
            sio__wsc_fail(w, c, n, w->rd.error_code);
            return (long)len;
        }
        used += (size_t)n;
        if (msg.kind == SIO_WS_NONE) {
            if (n == 0) break;
            continue;
        }
        switch (msg.kind) {
        case SIO_WS_TEXT:
        case SIO_WS_BINARY:
            /* after our close frame, data is read and dropped */
            if (w->state == SIO__WSC_OPEN && w->on_message)
                w->on_message(w, (char *)msg.data, msg.len, msg.kind == SIO_WS_BINARY);
            break;
        case SIO_WS_PING:
            sio__wsc_frame(w, SIO_WS_OP_PONG, 1, msg.data, msg.len);
            break;
        case SIO_WS_PONG:
            if (w->on_pong) w->on_pong(w, (const char *)msg.data, msg.len);
            break;
        case SIO_WS_CLOSE: {
            /* Echo the peer's code (an empty close gets an empty close)
               unless we started the closing handshake ourselves. */
            int code = msg.close_code;
            if (!w->sent_close) {
                unsigned char b[2];
                b[0] = (unsigned char)(code >> 8);
                b[1] = (unsigned char)(code & 255);
                w->state = SIO__WSC_CLOSING;
                sio__wsc_frame(w, SIO_WS_OP_CLOSE, 1, b, code == 1005 ? 0 : 2);
            }
            c->session = NULL;
            w->c = NULL;
            w->state = SIO__WSC_CLOSED;
            sio__conn_end(c);
            if (w->on_close) w->on_close(w, SIO_OK, code);
            return (long)len;
        }
        default:
            break;
        }
    }
    return (long)used;
}

static void sio__wsc_on_closed(sio__conn *c, int err) {
    sio__wsc *w = (sio__wsc *)c->session;
    if (!w) return;
    c->session = NULL;
    w->c = NULL;
    if (w->state == SIO__WSC_CONNECTING && (c->flags & SIO__F_CONNECTING) && w->ai + 1 < w->addrs->n) {
        w->ai++;
        if (sio__wsc_dial(w) == SIO_OK) return;
    }
    w->state = SIO__WSC_CLOSED;
    sio_buf_free(&w->req);
    if (err == SIO_ERR_TLS) sio__tls_why(c, w->tls_err, sizeof w->tls_err);
    if (w->on_close) w->on_close(w, err == SIO_OK ? SIO_ERR_CLOSED : err, 0);
}

/* ---- HTTP client connection: one request in flight, kept alive ---- */

typedef struct sio__hcc {
    sio_client *cl;
    sio__conn *c;
    int busy;                /* request sent, answer not complete */
    int reused;              /* the request went on a kept-alive connection */
    int head;                /* answer head parsed */
    int status, keep_alive, chunked;
    long long clen;
    sio_http_chunked ch;
    sio_buf body;
    size_t seen;             /* head bytes already looked at */
    int ai;                  /* address being tried */
    sio_buf req;             /* the request, until its answer starts */
} sio__hcc;

static long sio__hcc_on_data(sio__conn *c, char *data, size_t len);
static void sio__hcc_on_closed(sio__conn *c, int err);
static const sio__conn_ops sio__hcc_ops = {sio__hcc_on_data, sio__hcc_on_closed, NULL};
static void sio__cl_http_done(sio_client *cl, sio__hcc *h, int status, char *body, size_t len);
static void sio__cl_http_failed(sio_client *cl, sio__hcc *h, int err);
static sio__loop *sio__cl_loop(sio_client *cl);
static const sio__addrs *sio__cl_addrs(sio_client *cl);
static void *sio__cl_tls_ctx(sio_client *cl);
static const char *sio__cl_host(sio_client *cl);
static void sio__cl_tls_failed(sio_client *cl, sio__conn *c);

static int sio__hcc_dial(sio__hcc *h) {
    int err;
    sio__conn *c = sio__dial(sio__cl_loop(h->cl), sio__cl_addrs(h->cl), &h->ai, &sio__hcc_ops, h->cl, &err);
    if (!c) return err;
    c->session = h;
    h->c = c;
    if ((err = sio__tls_attach(c, sio__cl_tls_ctx(h->cl), sio__cl_host(h->cl))) != SIO_OK) {
        c->session = NULL;
        h->c = NULL;
        sio__conn_close(c, err);
        return err;
    }
    return sio__conn_send(c, h->req.data, h->req.len);
}

/* h->req holds the whole request. */
static int sio__hcc_send(sio__hcc *h) {
    h->busy = 1;
    h->head = 0;
    h->seen = 0;
    sio_buf_free(&h->body);
    if (h->c && !(h->c->flags & (SIO__F_DEAD | SIO__F_CLOSING))) {
        h->reused = 1;
        return sio__conn_send(h->c, h->req.data, h->req.len);
    }
    h->reused = 0;
    h->ai = 0;
    return sio__hcc_dial(h);
}

static void sio__hcc_drop(sio__hcc *h) {
    sio__conn *c = h->c;
    h->c = NULL;
    h->busy = h->head = 0;
    sio_buf_free(&h->req);
    sio_buf_free(&h->body);
    if (c) {
        c->session = NULL;
        sio__conn_close(c, SIO_OK);
    }
}

static void sio__hcc_complete(sio__hcc *h, sio__conn *c) {
    sio_buf body = h->body;   /* the handler may drop h: the body is ours now */
    int status = h->status;
    memset(&h->body, 0, sizeof h->body);
    h->body.alloc = body.alloc;
    h->busy = h->head = 0;
    if (!h->keep_alive) {
        h->c = NULL;
        c->session = NULL;
        sio__conn_close(c, SIO_OK);
    }
    sio__cl_http_done(h->cl, h, status, body.data, body.len);
    sio_buf_free(&body);
}

static long sio__hcc_fail(sio__hcc *h, sio__conn *c, int err, size_t len) {
    sio__conn_close(c, err);   /* on_closed reports it */
    (void)h;
    return (long)len;
}

static long sio__hcc_on_data(sio__conn *c, char *data, size_t len) {
    sio__hcc *h = (sio__hcc *)c->session;
    size_t used = 0;
    if (!h) return (long)len;
    if (!h->busy) return sio__hcc_fail(h, c, SIO_ERR_PROTOCOL, len);  /* bytes nobody asked for */
    if (!h->head) {
        sio_http_msg m;
        int hl;
        if (h->seen && !sio_http_head_ready(data, len, h->seen)) {
            h->seen = len;
            return 0;
        }
        hl = sio_http_parse_response(data, len, &m);
        if (hl == 0) {
            h->seen = len;
            return 0;
        }
        if (hl < 0 || m.status < 200) return sio__hcc_fail(h, c, SIO_ERR_PROTOCOL, len);
        if (m.content_length > (long long)SIO_CLIENT_MAX_BODY) return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
        h->head = 1;
        h->seen = 0;
        h->status = m.status;
        h->keep_alive = m.keep_alive;
        h->chunked = m.chunked;
        h->clen = m.content_length;
        memset(&h->ch, 0, sizeof h->ch);
        h->body.alloc = c->loop->alloc;
        sio_buf_free(&h->req);
        used = (size_t)hl;
    }
    if (h->chunked) {
        size_t consumed = 0, outn = 0;
        int rc = sio_http_chunked_decode(&h->ch, data + used, len - used, &consumed, &outn);
        if (rc < 0) return sio__hcc_fail(h, c, rc, len);
        if (sio_buf_append(&h->body, data + used, outn) != SIO_OK || h->body.len > SIO_CLIENT_MAX_BODY)
            return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
        used += consumed;
        if (rc == 1) {
            sio__hcc_complete(h, c);
            return (long)len;
        }
        return (long)used;
    }
    if (h->clen >= 0) {
        size_t want = (size_t)h->clen - h->body.len, take = len - used < want ? len - used : want;
        if (sio_buf_append(&h->body, data + used, take) != SIO_OK) return sio__hcc_fail(h, c, SIO_ERR_NOMEM, len);
        if (h->body.len == (size_t)h->clen) sio__hcc_complete(h, c);
        return (long)len;
    }
    /* no length: the body ends with the connection */
    if (sio_buf_append(&h->body, data + used, len - used) != SIO_OK || h->body.len > SIO_CLIENT_MAX_BODY)
        return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
    return (long)len;
}

static void sio__hcc_on_closed(sio__conn *c, int err) {
    sio__hcc *h = (sio__hcc *)c->session;
    if (!h) return;
    c->session = NULL;
    h->c = NULL;
    if (!h->busy) return;   /* an idle kept-alive connection timed out */
    if (err == SIO_ERR_TLS) sio__cl_tls_failed(h->cl, c);
    if ((c->flags & SIO__F_CONNECTING) && h->ai + 1 < sio__cl_addrs(h->cl)->n) {
        h->ai++;
        if (sio__hcc_dial(h) == SIO_OK) return;
    }
    /* A kept-alive connection may be closed by the server just as the
       request leaves: resend it once on a fresh connection. */
    if (h->reused && !h->head && h->req.len) {
        h->reused = 0;
        h->ai = 0;
        if (sio__hcc_dial(h) == SIO_OK) return;
    }
    if (h->head && !h->chunked && h->clen < 0 && err == SIO_ERR_CLOSED) {
        sio__hcc_complete(h, c);
        return;
    }
    h->busy = h->head = 0;
    sio_buf_free(&h->req);
    sio_buf_free(&h->body);
    sio__cl_http_failed(h->cl, h, err);
}

/* ---- the client objects ---- */

enum { SIO__CL_IDLE = 0, SIO__CL_OPENING, SIO__CL_OPEN, SIO__CL_CLOSING, SIO__CL_CLOSED };
enum { SIO__UP_NONE = 0, SIO__UP_PROBING, SIO__UP_PAUSING, SIO__UP_FAILED };
enum { SIO__CS_OFF = 0, SIO__CS_CONNECTING, SIO__CS_CONNECTED };

typedef struct sio__chandler {
    char *event;
    sio_client_event_fn fn;
    void *user;
    struct sio__chandler *next;
} sio__chandler;

typedef struct sio__cack {
    long long id;
    sio_client_socket *s;
    sio_client_ack_fn fn;
    void *user;
    sio__timer timer;
    int sent;                  /* on the wire (not just held while offline) */
    struct sio__cack *next;
} sio__cack;

struct sio_client_socket {
    sio_client *cl;
    char *nsp;
    char *auth;                /* raw JSON object or NULL */
    char id[64];
    int active;                /* the user wants it connected */
    int state;                 /* SIO__CS_* */
    sio__chandler *handlers;
    sio_client_socket_fn on_connect;
    void *connect_user;
    sio_client_disconnect_fn on_disconnect;
    void *disconnect_user;
    sio_client_error_fn on_error;
    void *error_user;
    sio__cack *acks;
    long long next_ack;
    sio_buf held;              /* emits made while offline, as queue records */
    sio_client_socket *next;
};

struct sio_client {
    sio__loop loop;
    sio_client_desc desc;      /* defaults filled in; strings below are owned copies */
    sio_allocator allocator;
    sio_logger logger;
    sio__rng rng;
    sio__url url;
    char *path, *query, *headers, *url_copy;
    char hosthdr[SIO_CLIENT_MAX_HOST + 16];
    char default_nsp[SIO_MAX_NSP_LEN + 1];
    int allow_polling, allow_ws;
    sio__addrs addrs;
    int state;                 /* SIO__CL_* */
    int transport;             /* SIO__T_* */
    int up;                    /* SIO__UP_* */
    unsigned gen;              /* bumped whenever the link is torn down */
    char sid[64];
    long ping_interval, ping_timeout, max_payload;
    int can_upgrade;
    sio__hcc get, post;
    sio__wsc ws;
    sio_buf wq;                /* Engine.IO packets waiting: records [kind][len:4][bytes] */
    size_t wq_off;
    sio__timer watchdog, open_timer, reconnect_timer, probe_timer, fail_timer;
    int attempts, reconnecting, skip_reconnect;
    const char *fail_reason;
    unsigned long tcount;      /* cache-buster */
    sio_client_socket *sockets;
    sio_buf bin_head, bin_data;
    size_t bin_off[SIO_MAX_ATTACHMENTS + 1];
    int bin_need, bin_have;
    sio_buf tmp, body;
    int stop, destroying;
    void *tls_ctx;             /* https/wss: certificates and trust anchors, shared */
    char tls_err[160];         /* the last TLS failure, in words */
};

#define SIO__CLOG(cl, lvl, ...) sio__log(&(cl)->logger, lvl, __VA_ARGS__)
#define SIO__CL_OF(ptr, field) ((sio_client *)(void *)((char *)(ptr) - offsetof(sio_client, field)))

static sio__loop *sio__cl_loop(sio_client *cl) { return &cl->loop; }
static const sio__addrs *sio__cl_addrs(sio_client *cl) { return &cl->addrs; }
static void *sio__cl_tls_ctx(sio_client *cl) { return cl->tls_ctx; }
static const char *sio__cl_host(sio_client *cl) { return cl->url.host; }
static void sio__cl_tls_failed(sio_client *cl, sio__conn *c) { sio__tls_why(c, cl->tls_err, sizeof cl->tls_err); }

static void sio__cl_lost(sio_client *cl, const char *reason);
static void sio__cl_open(sio_client *cl);
static void sio__cl_sio_message(sio_client *cl, char *data, size_t len, int binary);
static void sio__cl_sio_open(sio_client *cl);
static void sio__cl_sockets_down(sio_client *cl, const char *reason, int was_open);

/* ---- the Engine.IO send queue ---- */

/* A record: 1 byte kind ('b' binary, else the packet type digit),
   4 bytes length (big-endian), then the bytes. */
static int sio__rec_append(sio_buf *q, int kind, const void *data, size_t len) {
    unsigned char h[5];
    if (len > 0xffffffffu) return SIO_ERR_TOO_BIG;
    h[0] = (unsigned char)kind;
    h[1] = (unsigned char)(len >> 24);
    h[2] = (unsigned char)(len >> 16);
    h[3] = (unsigned char)(len >> 8);
    h[4] = (unsigned char)len;
    sio_buf_append(q, h, 5);
    sio_buf_append(q, data, len);
    return q->err;
}

static size_t sio__rec_len(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return ((size_t)u[1] << 24) | ((size_t)u[2] << 16) | ((size_t)u[3] << 8) | (size_t)u[4];
}

static void sio__cl_log_packet(sio_client *cl, const char *dir, int kind, const char *data, size_t len) {
    if (!cl->logger.fn || cl->logger.level < SIO_LOG_DEBUG) return;
    if (kind == 'b') SIO__CLOG(cl, SIO_LOG_DEBUG, "%s binary, %lu bytes", dir, (unsigned long)len);
    else SIO__CLOG(cl, SIO_LOG_DEBUG, "%s %c%.*s%s", dir, kind, (int)(len > 300 ? 300 : len), data,
                   len > 300 ? "..." : "");
}

/* A POST with as many queued packets as fit under the server's
   maxPayload (at least one): "4hello\x1ebAQID". */
static void sio__cl_post(sio_client *cl) {
    sio_buf *b = &cl->body;
    size_t off = cl->wq_off, n = 0;
    char head[96];
    sio_buf_reset(b);
    while (off < cl->wq.len) {
        const char *r = cl->wq.data + off;
        size_t len = sio__rec_len(r), enc = r[0] == 'b' ? 1 + sio_base64_encoded_len(len) : 1 + len;
        if (n && b->len + 1 + enc > (size_t)cl->max_payload) break;
        if (n) sio_buf_appendc(b, '\x1e');
        sio_buf_appendc(b, r[0]);
        if (r[0] == 'b') sio_base64_buf(b, r + 5, len);
        else sio_buf_append(b, r + 5, len);
        off += 5 + len;
        n++;
    }
    cl->wq_off = off;
    if (cl->wq_off == cl->wq.len) {
        sio_buf_reset(&cl->wq);
        cl->wq_off = 0;
    }
    if (b->err) {
        sio__cl_lost(cl, "transport error");
        return;
    }
    sio_buf_reset(&cl->post.req);
    cl->post.req.alloc = cl->loop.alloc;
    sio_buf_appends(&cl->post.req, "POST ");
    sio_buf_appends(&cl->post.req, cl->path);
    snprintf(head, sizeof head, "?EIO=4&transport=polling&t=%lx&sid=", ++cl->tcount);
    sio_buf_appends(&cl->post.req, head);
    sio_buf_appends(&cl->post.req, cl->sid);
    sio_buf_appends(&cl->post.req, cl->query);
    sio_buf_appends(&cl->post.req, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(&cl->post.req, cl->hosthdr);
    sio_buf_appends(&cl->post.req, "\r\nAccept: */*\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ");
    sio_buf_appendu(&cl->post.req, (unsigned long long)b->len);
    sio_buf_appends(&cl->post.req, "\r\n");
    sio_buf_appends(&cl->post.req, cl->headers);
    sio_buf_appends(&cl->post.req, "\r\n");
    sio_buf_append(&cl->post.req, b->data, b->len);
    if (cl->post.req.err || sio__hcc_send(&cl->post) != SIO_OK) sio__cl_lost(cl, "transport error");
}

/* Sends what the queue holds on the current transport, if it may. */
static void sio__cl_flush(sio_client *cl) {
    if (cl->state != SIO__CL_OPEN || cl->wq_off >= cl->wq.len) return;
    if (cl->transport == SIO__T_WEBSOCKET) {
        size_t off = cl->wq_off;
        while (off < cl->wq.len) {
            const char *r = cl->wq.data + off;
            size_t len = sio__rec_len(r);
            /* one frame per packet: "4hello" as text, binary as raw bytes */
            if (r[0] == 'b') {
                sio__wsc_send(&cl->ws, r + 5, len, 1);
            } else {
                /* the kind byte sits right before the data once the length
                   is skipped: build "<digit><text>" in place */
                char *p = cl->wq.data + off + 4;
                p[0] = r[0];
                sio__wsc_send(&cl->ws, p, len + 1, 0);
            }
            off += 5 + len;
        }
        sio_buf_reset(&cl->wq);
        cl->wq_off = 0;
        return;
    }
    if (cl->up != SIO__UP_PAUSING && !cl->post.busy) sio__cl_post(cl);
}

static void sio__cl_send(sio_client *cl, int type, const void *data, size_t len, int binary) {
    int kind = binary ? 'b' : '0' + type;
    sio__cl_log_packet(cl, "->", kind, (const char *)data, len);
    if (sio__rec_append(&cl->wq, kind, data, len) != SIO_OK) {
        sio__cl_lost(cl, "transport error");
        return;
    }
    sio__cl_flush(cl);
}

/* ---- Engine.IO: polling ---- */

static void sio__cl_get(sio_client *cl) {
    char head[96];
    sio_buf *r = &cl->get.req;
    sio_buf_reset(r);
    r->alloc = cl->loop.alloc;
    sio_buf_appends(r, "GET ");
    sio_buf_appends(r, cl->path);
    snprintf(head, sizeof head, "?EIO=4&transport=polling&t=%lx", ++cl->tcount);
    sio_buf_appends(r, head);
    if (cl->sid[0]) {
        sio_buf_appends(r, "&sid=");
        sio_buf_appends(r, cl->sid);
    }
    sio_buf_appends(r, cl->query);
    sio_buf_appends(r, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(r, cl->hosthdr);
    sio_buf_appends(r, "\r\nAccept: */*\r\n");
    sio_buf_appends(r, cl->headers);
    sio_buf_appends(r, "\r\n");
    if (r->err || sio__hcc_send(&cl->get) != SIO_OK) {
        if (cl->state == SIO__CL_OPENING) {
            cl->fail_reason = "xhr poll error";
            sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->fail_timer, cl->loop.now);
        } else {
            sio__cl_lost(cl, "transport error");
        }
    }
}

static void sio__cl_finish_upgrade(sio_client *cl);

/* Next step after any polling request finished: keep a GET held, send
   what is queued; while the upgrade waits for them, finish it instead. */
static void sio__cl_after_io(sio_client *cl) {
    if (cl->state != SIO__CL_OPEN || cl->transport != SIO__T_POLLING) return;
    if (cl->up == SIO__UP_PAUSING) {
        if (!cl->get.busy && !cl->post.busy) sio__cl_finish_upgrade(cl);
        return;
    }
    if (!cl->get.busy) sio__cl_get(cl);
    if (cl->state == SIO__CL_OPEN) sio__cl_flush(cl);
}

static void sio__cl_packet(sio_client *cl, char *d, size_t n, int binary);

/* A polling payload: packets joined with \x1e, binary ones as
   "b<base64>", e.g. "0{...}\x1e40" or "42[\"a\"]\x1ebAQID". */
static void sio__cl_payload(sio_client *cl, char *body, size_t len) {
    unsigned gen = cl->gen;
    size_t i = 0;
    while (i < len && gen == cl->gen) {
        size_t j = i;
        while (j < len && body[j] != '\x1e') j++;
        if (j > i && body[i] == 'b') {
            size_t outn = 0;
            if (sio_base64_decode(body + i + 1, j - i - 1, (unsigned char *)body + i, j - i, &outn) != SIO_OK) {
                sio__cl_lost(cl, cl->state == SIO__CL_OPEN ? "parse error" : "xhr poll error");
                return;
            }
            sio__cl_packet(cl, body + i, outn, 1);
        } else {
            sio__cl_packet(cl, body + i, j - i, 0);
        }
        i = j + 1;
    }
}

static void sio__cl_finish_close(sio_client *cl);

static void sio__cl_http_done(sio_client *cl, sio__hcc *h, int status, char *body, size_t len) {
    if (cl->destroying) return;
    if (cl->state == SIO__CL_CLOSING) {
        /* the POST that was in flight is answered: now the close can go */
        if (h == &cl->post) sio__cl_finish_close(cl);
        return;
    }
    if (status != 200) {
        SIO__CLOG(cl, SIO_LOG_INFO, "polling %s answered HTTP %d: %.*s", h == &cl->get ? "GET" : "POST", status,
                  (int)(len > 200 ? 200 : len), body ? body : "");
        sio__cl_lost(cl, cl->state == SIO__CL_OPENING ? "xhr poll error" : "transport error");
        return;
    }
    if (h == &cl->get) {
        unsigned gen = cl->gen;
        sio__cl_payload(cl, body, len);
        if (gen != cl->gen) return;
        if (cl->state == SIO__CL_OPENING) {
            /* the handshake answer must start with the open packet */
            sio__cl_lost(cl, "xhr poll error");
            return;
        }
    }
    sio__cl_after_io(cl);
}

static void sio__cl_http_failed(sio_client *cl, sio__hcc *h, int err) {
    if (cl->destroying) return;
    if (cl->state == SIO__CL_CLOSING) {
        if (h == &cl->post) sio__cl_finish_close(cl);
        return;
    }
    SIO__CLOG(cl, SIO_LOG_INFO, "polling %s failed: %s", h == &cl->get ? "GET" : "POST",
              err == SIO_ERR_TLS ? cl->tls_err : sio_strerror(err));
    if (err == SIO_ERR_TLS) sio__cl_lost(cl, cl->tls_err);   /* the certificate's reason, for connect_error */
    else sio__cl_lost(cl, cl->state == SIO__CL_OPENING ? "xhr poll error" : "transport error");
}

/* ---- Engine.IO: WebSocket and the upgrade ---- */

static int sio__cl_ws_start(sio_client *cl, int with_sid) {
    sio_buf *t = &cl->tmp;
    int rc;
    sio_buf_reset(t);
    sio_buf_appends(t, cl->path);
    sio_buf_appends(t, "?EIO=4&transport=websocket");
    if (with_sid) {
        sio_buf_appends(t, "&sid=");
        sio_buf_appends(t, cl->sid);
    }
    sio_buf_appends(t, cl->query);
    sio_buf_appendc(t, 0);
    if (t->err) return t->err;
    rc = sio__wsc_open(&cl->ws, &cl->addrs, cl->hosthdr, t->data, cl->headers);
    return rc;
}

static void sio__cl_probe_abandon(sio_client *cl, const char *why) {
    int was_pausing = cl->up == SIO__UP_PAUSING;
    SIO__CLOG(cl, SIO_LOG_INFO, "upgrade to websocket abandoned (%s), staying on polling", why);
    sio__timer_cancel(&cl->loop.timers, &cl->probe_timer);
    sio__wsc_abort(&cl->ws);
    cl->up = SIO__UP_FAILED;
    if (was_pausing) sio__cl_after_io(cl);
}

static void sio__cl_probe_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, probe_timer);
    if (cl->up == SIO__UP_PROBING || cl->up == SIO__UP_PAUSING) sio__cl_probe_abandon(cl, "timeout");
}

/* The probe answered "3probe": polling is drained (the server answers
   the held GET with "6"), then "5" switches the session over and the
   queue is replayed on the WebSocket in order. */
static void sio__cl_finish_upgrade(sio_client *cl) {
    sio__timer_cancel(&cl->loop.timers, &cl->probe_timer);
    sio__cl_log_packet(cl, "->", '5', "", 0);
    sio__wsc_send(&cl->ws, "5", 1, 0);
    cl->transport = SIO__T_WEBSOCKET;
    cl->up = SIO__UP_NONE;
    sio__hcc_drop(&cl->get);
    sio__hcc_drop(&cl->post);
    SIO__CLOG(cl, SIO_LOG_INFO, "upgraded to websocket");
    sio__cl_flush(cl);
}

static void sio__cl_ws_open(sio__wsc *w) {
    sio_client *cl = (sio_client *)w->user;
    if (cl->transport == SIO__T_POLLING && cl->up == SIO__UP_PROBING) {
        sio__cl_log_packet(cl, "-> (probe)", '2', "probe", 5);
        sio__wsc_send(w, "2probe", 6, 0);
    }
}

static void sio__cl_ws_message(sio__wsc *w, char *data, size_t len, int binary) {
    sio_client *cl = (sio_client *)w->user;
    if (cl->destroying) return;
    if (cl->transport == SIO__T_POLLING) {
        if (cl->up == SIO__UP_PROBING && !binary && len == 6 && memcmp(data, "3probe", 6) == 0) {
            SIO__CLOG(cl, SIO_LOG_DEBUG, "<- (probe) 3probe");
            cl->up = SIO__UP_PAUSING;
            sio__cl_after_io(cl);
        } else {
            sio__cl_probe_abandon(cl, "unexpected packet on the probe");
        }
        return;
    }
    sio__cl_packet(cl, data, len, binary);
}

static void sio__cl_ws_close(sio__wsc *w, int err, int code) {
    sio_client *cl = (sio_client *)w->user;
    if (cl->destroying) return;
    if (cl->transport == SIO__T_POLLING) {
        if (cl->up == SIO__UP_PROBING || cl->up == SIO__UP_PAUSING) sio__cl_probe_abandon(cl, "probe closed");
        return;
    }
    SIO__CLOG(cl, SIO_LOG_INFO, "websocket closed (%s, code %d)", err == SIO_ERR_TLS ? w->tls_err : sio_strerror(err),
              code);
    if (err == SIO_ERR_TLS) {
        snprintf(cl->tls_err, sizeof cl->tls_err, "%s", w->tls_err);
        sio__cl_lost(cl, cl->tls_err);
    } else if (cl->state == SIO__CL_OPENING) sio__cl_lost(cl, "websocket error");
    else sio__cl_lost(cl, err == SIO_OK || err == SIO_ERR_CLOSED ? "transport close" : "transport error");
}

/* ---- Engine.IO: packets, handshake, heartbeat ---- */

static void sio__cl_watchdog_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, watchdog);
    SIO__CLOG(cl, SIO_LOG_INFO, "no ping from the server within %ld ms", cl->ping_interval + cl->ping_timeout);
    sio__cl_lost(cl, "ping timeout");
}

static void sio__cl_arm_watchdog(sio_client *cl) {
    sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->watchdog,
                   sio__now_ms() + (uint64_t)(cl->ping_interval + cl->ping_timeout));
}

static long sio__json_long(sio_json obj, const char *key, long dflt) {
    sio_json v;
    if (sio_json_get(obj, key, &v) != SIO_OK || v.type != SIO_JSON_NUMBER) return dflt;
    return (long)sio_json_integer(v);
}

/* "0{"sid":"...","upgrades":["websocket"],"pingInterval":25000,...}" */
static void sio__cl_opened(sio_client *cl, const char *json, size_t n) {
    sio_json root, v, up;
    if (sio_json_parse(json, n, &root) != SIO_OK || root.type != SIO_JSON_OBJECT ||
        sio_json_get(root, "sid", &v) != SIO_OK || v.type != SIO_JSON_STRING ||
        sio_json_strcpy(v, cl->sid, sizeof cl->sid) >= sizeof cl->sid || !cl->sid[0]) {
        cl->sid[0] = 0;
        sio__cl_lost(cl, cl->transport == SIO__T_POLLING ? "xhr poll error" : "websocket error");
        return;
    }
    cl->ping_interval = sio__json_long(root, "pingInterval", 25000);
    cl->ping_timeout = sio__json_long(root, "pingTimeout", 20000);
    cl->max_payload = sio__json_long(root, "maxPayload", 1000000);
    if (cl->ping_interval < 0) cl->ping_interval = 25000;
    if (cl->ping_timeout < 0) cl->ping_timeout = 20000;
    if (cl->max_payload < 64) cl->max_payload = 1000000;
    cl->can_upgrade = 0;
    if (sio_json_get(root, "upgrades", &up) == SIO_OK && up.type == SIO_JSON_ARRAY) {
        sio_json_iter it;
        sio_json_iter_init(&it, up);
        while (sio_json_iter_next(&it, NULL, &v))
            if (sio_json_str_eq(v, "websocket")) cl->can_upgrade = 1;
    }
    cl->state = SIO__CL_OPEN;
    sio__timer_cancel(&cl->loop.timers, &cl->open_timer);
    sio__cl_arm_watchdog(cl);
    SIO__CLOG(cl, SIO_LOG_INFO, "connected: sid %s over %s, pingInterval %ld, pingTimeout %ld, maxPayload %ld",
              cl->sid, cl->transport == SIO__T_POLLING ? "polling" : "websocket", cl->ping_interval,
              cl->ping_timeout, cl->max_payload);
    if (cl->reconnecting) {
        int tries = cl->attempts;
        cl->reconnecting = 0;
        cl->attempts = 0;
        if (cl->desc.on_reconnect) cl->desc.on_reconnect(cl, tries, cl->desc.user);
        if (cl->state != SIO__CL_OPEN) return;
    }
    cl->attempts = 0;
    if (cl->transport == SIO__T_POLLING && cl->can_upgrade && cl->allow_ws) {
        cl->up = SIO__UP_PROBING;
        SIO__CLOG(cl, SIO_LOG_INFO, "probing websocket");
        if (sio__cl_ws_start(cl, 1) != SIO_OK) cl->up = SIO__UP_FAILED;
        else sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->probe_timer,
                            cl->loop.now + (uint64_t)cl->desc.timeout_ms);
    }
    sio__cl_sio_open(cl);
}

static void sio__cl_packet(sio_client *cl, char *d, size_t n, int binary) {
    if (binary) {
        sio__cl_log_packet(cl, "<-", 'b', d, n);
        if (cl->state != SIO__CL_OPEN) {
            sio__cl_lost(cl, "parse error");
            return;
        }
        sio__cl_sio_message(cl, d, n, 1);
        return;
    }
    if (n == 0) {
        sio__cl_lost(cl, "parse error");
        return;
    }
    sio__cl_log_packet(cl, "<-", d[0], d + 1, n - 1);
    if (cl->state == SIO__CL_OPENING) {
        if (d[0] == '0') sio__cl_opened(cl, d + 1, n - 1);
        else sio__cl_lost(cl, cl->transport == SIO__T_POLLING ? "xhr poll error" : "websocket error");
        return;
    }
    switch (d[0]) {
    case '1':
        sio__cl_lost(cl, "transport close");
        break;
    case '2':
        /* v4: the server pings, we answer; the watchdog restarts */
        sio__cl_arm_watchdog(cl);
        sio__cl_send(cl, SIO_EIO_PONG, d + 1, n - 1, 0);
        break;
    case '3':
    case '6':
        break;
    case '4':
        sio__cl_sio_message(cl, d + 1, n - 1, 0);
        break;
    default:
        sio__cl_lost(cl, "parse error");
        break;
    }
}

/* ---- connection life cycle and reconnection ---- */

/* Tears the link down without telling anyone. */
static void sio__cl_teardown(sio_client *cl) {
    sio__timers *T = &cl->loop.timers;
    cl->gen++;
    sio__hcc_drop(&cl->get);
    sio__hcc_drop(&cl->post);
    sio__wsc_abort(&cl->ws);
    sio__timer_cancel(T, &cl->watchdog);
    sio__timer_cancel(T, &cl->open_timer);
    sio__timer_cancel(T, &cl->probe_timer);
    sio__timer_cancel(T, &cl->fail_timer);
    sio_buf_reset(&cl->wq);
    cl->wq_off = 0;
    /* reset, not freed: a handler may still be looking at attachments */
    sio_buf_reset(&cl->bin_head);
    sio_buf_reset(&cl->bin_data);
    cl->bin_need = cl->bin_have = 0;
    cl->up = SIO__UP_NONE;
    cl->sid[0] = 0;
    cl->state = SIO__CL_IDLE;
}

static double sio__cl_rand01(sio_client *cl) {
    unsigned char b[8];
    uint64_t v = 0;
    int i;
    sio__rng_bytes(&cl->rng, b, sizeof b);
    for (i = 0; i < 8; i++) v = (v << 8) | b[i];
    return (double)(v >> 11) / 9007199254740992.0;   /* 53 bits -> [0,1) */
}

/* Node's back-off: initial * 2^attempt, then a jitter of up to
   factor * delay either way, then capped at the maximum. With 1000 ms,
   0.5: attempt 0 waits 500..1500 ms, attempt 1 1000..3000 ms, ... */
static uint64_t sio__cl_backoff(sio_client *cl) {
    double ms = (double)cl->desc.reconnection_delay_ms, f = cl->desc.randomization_factor;
    int i;
    for (i = 0; i < cl->attempts && ms < 1e12; i++) ms *= 2;
    cl->attempts++;
    if (f > 0) {
        double r = sio__cl_rand01(cl), dev = (double)(long long)(r * f * ms);
        ms = ((int)(r * 10) & 1) == 0 ? ms - dev : ms + dev;
    }
    if (ms > (double)cl->desc.reconnection_delay_max_ms) ms = (double)cl->desc.reconnection_delay_max_ms;
    return ms < 0 ? 0 : (uint64_t)ms;
}

static void sio__cl_reconnect(sio_client *cl) {
    uint64_t delay;
    if (cl->reconnecting || cl->skip_reconnect || cl->desc.no_reconnection) {
        if (!cl->reconnecting) cl->state = SIO__CL_CLOSED;
        return;
    }
    if (cl->desc.reconnection_attempts > 0 && cl->attempts >= cl->desc.reconnection_attempts) {
        SIO__CLOG(cl, SIO_LOG_INFO, "reconnection failed after %d attempts", cl->attempts);
        cl->attempts = 0;
        cl->state = SIO__CL_CLOSED;
        if (cl->desc.on_reconnect_failed) cl->desc.on_reconnect_failed(cl, cl->desc.user);
        return;
    }
    delay = sio__cl_backoff(cl);
    cl->reconnecting = 1;
    SIO__CLOG(cl, SIO_LOG_INFO, "reconnecting in %lu ms (attempt %d)", (unsigned long)delay, cl->attempts);
    sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->reconnect_timer, sio__now_ms() + delay);
}

static void sio__cl_reconnect_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, reconnect_timer);
    if (cl->skip_reconnect || cl->state != SIO__CL_IDLE) {
        cl->reconnecting = 0;
        return;
    }
    if (cl->desc.on_reconnect_attempt) cl->desc.on_reconnect_attempt(cl, cl->attempts, cl->desc.user);
    if (cl->skip_reconnect || cl->state != SIO__CL_IDLE) {
        cl->reconnecting = 0;
        return;
    }
    sio__cl_open(cl);
}

/* The link is gone (or never came up): tell the sockets, then maybe
   reconnect. */
static void sio__cl_lost(sio_client *cl, const char *reason) {
    int was_open = cl->state == SIO__CL_OPEN;
    if (cl->state != SIO__CL_OPEN && cl->state != SIO__CL_OPENING) return;
    SIO__CLOG(cl, was_open ? SIO_LOG_INFO : SIO_LOG_WARN, "%s: %s", was_open ? "connection lost" : "connection failed",
              reason);
    sio__cl_teardown(cl);
    sio__cl_sockets_down(cl, reason, was_open);
    if (cl->state != SIO__CL_IDLE || cl->destroying) return;   /* a handler closed or reopened it */
    if (cl->reconnecting) {
        /* the attempt failed: schedule the next one */
        cl->reconnecting = 0;
    }
    sio__cl_reconnect(cl);
}

static void sio__cl_open_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, open_timer);
    if (cl->state == SIO__CL_OPENING) sio__cl_lost(cl, "timeout");
}

static void sio__cl_fail_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, fail_timer);
    sio__cl_lost(cl, cl->fail_reason ? cl->fail_reason : "transport error");
}

static void sio__cl_open(sio_client *cl) {
    int rc;
    if (cl->state == SIO__CL_OPENING || cl->state == SIO__CL_OPEN) return;
    cl->state = SIO__CL_OPENING;
    cl->open_timer.fn = sio__cl_open_due;
    cl->transport = cl->allow_polling ? SIO__T_POLLING : SIO__T_WEBSOCKET;
    cl->up = SIO__UP_NONE;
    cl->sid[0] = 0;
    cl->loop.now = sio__now_ms();
    sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->open_timer, cl->loop.now + (uint64_t)cl->desc.timeout_ms);
    SIO__CLOG(cl, SIO_LOG_INFO, "connecting to %s:%d%s over %s", cl->url.host, cl->url.port, cl->path,
              cl->transport == SIO__T_POLLING ? "polling" : "websocket");
    /* resolved again on every attempt: the server may have moved */
    if (sio__resolve(cl->url.host, cl->url.port, &cl->addrs) != SIO_OK) {
        SIO__CLOG(cl, SIO_LOG_WARN, "cannot resolve %s", cl->url.host);
        cl->fail_reason = cl->transport == SIO__T_POLLING ? "xhr poll error" : "websocket error";
        sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->fail_timer, cl->loop.now);
        return;
    }
    if (cl->transport == SIO__T_POLLING) {
        sio__cl_get(cl);
        return;
    }
    rc = sio__cl_ws_start(cl, 0);
    if (rc != SIO_OK) {
        cl->fail_reason = "websocket error";
        sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->fail_timer, cl->loop.now);
    }
}

/* Sends what is queued plus the close packet "1" in one last POST, on a
   connection of its own that is left to finish by itself. */
static void sio__cl_final_post(sio_client *cl) {
    sio__cl_log_packet(cl, "->", '1', "", 0);
    sio__rec_append(&cl->wq, '1', "", 0);
    cl->up = SIO__UP_NONE;
    cl->state = SIO__CL_OPEN;   /* sio__cl_post may report a failure through sio__cl_lost */
    cl->skip_reconnect = 1;
    sio__cl_post(cl);
    if (cl->post.c) {
        sio__conn *c = cl->post.c;
        c->session = NULL;
        cl->post.c = NULL;
        cl->post.busy = 0;
        sio__conn_end(c);
    }
}

static void sio__cl_finish_close(sio_client *cl) {
    sio_client_socket *s;
    if (cl->state == SIO__CL_CLOSING) sio__cl_final_post(cl);
    sio__cl_teardown(cl);
    cl->state = SIO__CL_CLOSED;
    SIO__CLOG(cl, SIO_LOG_INFO, "connection closed by the client");
    /* a socket opened while we were closing wants a new connection */
    for (s = cl->sockets; s; s = s->next)
        if (s->active) {
            cl->skip_reconnect = 0;
            cl->state = SIO__CL_IDLE;
            sio__cl_open(cl);
            return;
        }
}

static void sio__cl_close_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, open_timer);
    if (cl->state == SIO__CL_CLOSING) sio__cl_finish_close(cl);
    else sio__cl_open_due(t);
}

/* Closes the link on purpose: what is queued (DISCONNECT packets) goes
   out first, then "1" on polling or a close frame on WebSocket. On
   polling only one POST may be in flight, so a busy one is waited for,
   as the Node client waits for its "drain". */
static void sio__cl_shutdown(sio_client *cl) {
    cl->skip_reconnect = 1;
    cl->reconnecting = 0;
    sio__timer_cancel(&cl->loop.timers, &cl->reconnect_timer);
    if (cl->state == SIO__CL_CLOSING) return;
    if (cl->state == SIO__CL_OPEN && cl->transport == SIO__T_WEBSOCKET) {
        sio__cl_flush(cl);
        sio__wsc_close(&cl->ws, 1000, NULL);
        if (cl->ws.c) {
            /* let the close frame go out; the server's answer is not awaited */
            sio__conn *c = cl->ws.c;
            c->session = NULL;
            cl->ws.c = NULL;
            sio__conn_end(c);
        }
    } else if (cl->state == SIO__CL_OPEN) {
        if (cl->post.busy) {
            cl->state = SIO__CL_CLOSING;
            cl->open_timer.fn = sio__cl_close_due;
            sio__timer_set(&cl->loop.timers, cl->loop.alloc, &cl->open_timer, sio__now_ms() + 2000);
            return;
        }
        sio__cl_final_post(cl);
    }
    sio__cl_finish_close(cl);
}

/* ---- Socket.IO ---- */

static sio_client_socket *sio__cl_socket(sio_client *cl, const char *nsp, size_t n) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next)
        if (strlen(s->nsp) == n && memcmp(s->nsp, nsp, n) == 0) return s;
    return NULL;
}

/* "<type>[N-][/nsp,][id]" + ["event", args...] or the args array alone. */
static int sio__cl_build(sio_buf *b, int type, const char *nsp, long long ack_id, const char *event,
                         const sio_msg *args) {
    int nbins = args ? args->nbins : 0;
    sio_buf_reset(b);
    if (nbins) type = type == SIO_PKT_EVENT ? SIO_PKT_BINARY_EVENT : SIO_PKT_BINARY_ACK;
    sio_packet_write(b, type, nbins, nsp, strlen(nsp), ack_id, NULL, 0);
    if (event) {
        sio_json_writer w;
        sio_json_writer_init(&w, b);
        sio_buf_appendc(b, '[');
        sio_json_str(&w, event);
        if (w.err) return w.err;
        if (!args || args->buf.len <= 1) {
            sio_buf_appendc(b, ']');
        } else {
            size_t at;
            int rc;
            sio_buf_appendc(b, ',');
            at = b->len;
            rc = sio__msg_append(b, args);
            if (rc != SIO_OK) return rc;
            /* drop the '[' of the args array */
            memmove(b->data + at, b->data + at + 1, b->len - at - 1);
            b->len--;
        }
    } else {
        int rc = sio__msg_append(b, args);
        if (rc != SIO_OK) return rc;
    }
    return b->err;
}

/* Sends the packet in cl->tmp plus attachments, or holds it while offline. */
static int sio__cs_out(sio_client_socket *s, const sio_msg *args, int may_hold) {
    sio_client *cl = s->cl;
    int i, nbins = args ? args->nbins : 0;
    if (s->state == SIO__CS_CONNECTED && cl->state == SIO__CL_OPEN) {
        sio__cl_send(cl, SIO_EIO_MESSAGE, cl->tmp.data, cl->tmp.len, 0);
        for (i = 0; i < nbins; i++) sio__cl_send(cl, SIO_EIO_MESSAGE, args->bins[i].ptr, args->bins[i].len, 1);
        return SIO_OK;
    }
    if (!may_hold) return 1;
    {
        size_t need = 5 + 1 + cl->tmp.len, old = s->held.len;
        for (i = 0; i < nbins; i++) need += 5 + args->bins[i].len;
        if (s->held.len + need > cl->desc.max_buffered) {
            SIO__CLOG(cl, SIO_LOG_WARN, "%s: offline buffer full (%lu bytes), emit dropped", s->nsp,
                      (unsigned long)cl->desc.max_buffered);
            return SIO_ERR_TOO_BIG;
        }
        /* the record carries "4" + packet, as the engine queue wants it */
        sio__rec_append(&s->held, '4', cl->tmp.data, cl->tmp.len);
        for (i = 0; i < nbins; i++) sio__rec_append(&s->held, 'b', args->bins[i].ptr, args->bins[i].len);
        if (s->held.err) {
            s->held.len = old;
            s->held.err = 0;
            return SIO_ERR_NOMEM;
        }
    }
    return SIO_OK;
}

static void sio__cs_send_connect(sio_client_socket *s) {
    sio_client *cl = s->cl;
    sio_buf_reset(&cl->tmp);
    sio_packet_write(&cl->tmp, SIO_PKT_CONNECT, 0, s->nsp, strlen(s->nsp), -1, s->auth,
                     s->auth ? strlen(s->auth) : 0);
    s->state = SIO__CS_CONNECTING;
    if (!cl->tmp.err) sio__cl_send(cl, SIO_EIO_MESSAGE, cl->tmp.data, cl->tmp.len, 0);
}

/* Engine.IO is open: every socket that wants to be connected asks to. */
static void sio__cl_sio_open(sio_client *cl) {
    sio_client_socket *s;
    unsigned gen = cl->gen;
    for (s = cl->sockets; s && gen == cl->gen; s = s->next)
        if (s->active && s->state == SIO__CS_OFF) sio__cs_send_connect(s);
}

static void sio__cs_clear_acks(sio_client_socket *s, int all) {
    sio__cack **pp = &s->acks, *a;
    while ((a = *pp) != NULL) {
        if (!all && !a->sent) {
            pp = &a->next;
            continue;
        }
        *pp = a->next;
        sio__timer_cancel(&s->cl->loop.timers, &a->timer);
        a->fn(s, SIO_ERR_CLOSED, NULL, a->user);
        sio__free(s->cl->loop.alloc, a);
    }
}

/* The manager closes the link once no socket wants it any more. */
static void sio__cl_check_idle(sio_client *cl) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next)
        if (s->active) return;
    if (cl->state != SIO__CL_CLOSED) sio__cl_shutdown(cl);
}

static void sio__cl_sockets_down(sio_client *cl, const char *reason, int was_open) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next) {
        int was = s->state;
        if (!s->active) continue;
        s->state = SIO__CS_OFF;
        s->id[0] = 0;
        if (was_open && was == SIO__CS_CONNECTED) {
            /* acks of packets that went out will never come; held ones stay */
            sio__cs_clear_acks(s, 0);
            if (s->on_disconnect) s->on_disconnect(s, reason, s->disconnect_user);
        } else if (!was_open) {
            if (s->on_error) s->on_error(s, reason, NULL, s->error_user);
        }
    }
}

static void sio__cs_connected(sio_client_socket *s, const sio_packet *p) {
    sio_client *cl = s->cl;
    sio_json sid;
    sio__cack *a;
    if (s->state != SIO__CS_CONNECTING) return;
    s->id[0] = 0;
    if (sio_json_get(p->json, "sid", &sid) == SIO_OK) sio_json_strcpy(sid, s->id, sizeof s->id);
    s->state = SIO__CS_CONNECTED;
    SIO__CLOG(cl, SIO_LOG_INFO, "namespace %s joined, id %s", s->nsp, s->id);
    /* emits made while offline go out first, in order */
    if (s->held.len) {
        size_t off = 0;
        while (off < s->held.len) {
            size_t len = sio__rec_len(s->held.data + off);
            sio__cl_log_packet(cl, "-> (held)", (unsigned char)s->held.data[off], s->held.data + off + 5, len);
            off += 5 + len;
        }
        sio_buf_append(&cl->wq, s->held.data, s->held.len);
        sio_buf_free(&s->held);
        s->held.alloc = cl->loop.alloc;
        if (cl->wq.err) {
            sio__cl_lost(cl, "transport error");
            return;
        }
        sio__cl_flush(cl);
    }
    for (a = s->acks; a; a = a->next) a->sent = 1;
    if (s->on_connect) s->on_connect(s, s->connect_user);
}

static void sio__cs_refused(sio_client_socket *s, const sio_packet *p) {
    char msg[512];
    const char *data = NULL;
    char *dcopy = NULL;
    sio_json m, d;
    msg[0] = 0;
    if (p->json.type == SIO_JSON_STRING) {
        sio_json_strcpy(p->json, msg, sizeof msg);
    } else {
        if (sio_json_get(p->json, "message", &m) == SIO_OK) {
            if (m.type == SIO_JSON_STRING) sio_json_strcpy(m, msg, sizeof msg);
            else snprintf(msg, sizeof msg, "%.*s", (int)m.len, m.ptr);
        }
        if (sio_json_get(p->json, "data", &d) == SIO_OK) {
            dcopy = sio__strndup(s->cl->loop.alloc, d.ptr, d.len);
            data = dcopy;
        }
    }
    SIO__CLOG(s->cl, SIO_LOG_INFO, "namespace %s refused: %s", s->nsp, msg);
    s->state = SIO__CS_OFF;
    s->active = 0;
    if (s->on_error) s->on_error(s, msg, data, s->error_user);
    sio__free(s->cl->loop.alloc, dcopy);
    sio__cl_check_idle(s->cl);
}

static void sio__cl_dispatch(sio_client *cl, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_client_socket *s = sio__cl_socket(cl, p->nsp.ptr, p->nsp.len);
    unsigned gen = cl->gen;
    if (!s) return;   /* a namespace we do not know: ignored, as in Node */
    switch (p->type) {
    case SIO_PKT_CONNECT:
        if (p->json.type != SIO_JSON_OBJECT) {
            sio__cl_lost(cl, "parse error");
            return;
        }
        sio__cs_connected(s, p);
        return;
    case SIO_PKT_CONNECT_ERROR:
        if (s->state == SIO__CS_CONNECTING) sio__cs_refused(s, p);
        return;
    case SIO_PKT_DISCONNECT:
        if (s->state != SIO__CS_CONNECTED) return;
        s->state = SIO__CS_OFF;
        s->active = 0;
        s->id[0] = 0;
        sio__cs_clear_acks(s, 0);
        if (s->on_disconnect) s->on_disconnect(s, "io server disconnect", s->disconnect_user);
        if (gen == cl->gen) sio__cl_check_idle(cl);
        return;
    case SIO_PKT_EVENT:
    case SIO_PKT_BINARY_EVENT: {
        sio_client_event ev;
        sio_json name;
        sio__chandler *h;
        char namebuf[SIO_MAX_EVENT_LEN + 1];
        if (s->state != SIO__CS_CONNECTED) return;
        memset(&ev, 0, sizeof ev);
        ev.socket = s;
        ev.ack_id = p->ack_id;
        ev.args.array = p->json;
        ev.args.first = 1;
        ev.args.count = sio_json_count(p->json) - 1;
        ev.args.bins = bins;
        ev.args.nbins = (size_t)nbins;
        sio_json_at(p->json, 0, &name);
        if (name.type == SIO_JSON_STRING) {
            if (sio_json_strcpy(name, namebuf, sizeof namebuf) >= sizeof namebuf) {
                sio__cl_lost(cl, "parse error");
                return;
            }
        } else {
            snprintf(namebuf, sizeof namebuf, "%.*s", (int)name.len, name.ptr);
        }
        ev.name.ptr = namebuf;
        ev.name.len = strlen(namebuf);
        for (h = s->handlers; h; h = h->next) {
            if (strcmp(h->event, namebuf) == 0 || strcmp(h->event, "*") == 0) h->fn(&ev, h->user);
            if (gen != cl->gen || s->state != SIO__CS_CONNECTED) break;
        }
        return;
    }
    default: { /* ACK, BINARY_ACK */
        sio__cack **pp, *a;
        for (pp = &s->acks; (a = *pp) != NULL; pp = &a->next)
            if (a->id == p->ack_id) break;
        if (a) {
            sio_args args;
            *pp = a->next;
            sio__timer_cancel(&cl->loop.timers, &a->timer);
            memset(&args, 0, sizeof args);
            args.array = p->json;
            args.count = sio_json_count(p->json);
            args.bins = bins;
            args.nbins = (size_t)nbins;
            a->fn(s, SIO_OK, &args, a->user);
            sio__free(cl->loop.alloc, a);
        }
        return;
    }
    }
}

/* A Socket.IO packet, or one attachment of the BINARY_EVENT/ACK before it:
   "51-[\"up\",{\"_placeholder\":true,\"num\":0}]" then one binary message. */
static void sio__cl_sio_message(sio_client *cl, char *data, size_t len, int binary) {
    sio_packet p;
    if (binary) {
        if (!cl->bin_need) {
            SIO__CLOG(cl, SIO_LOG_INFO, "binary message with no packet waiting for it");
            sio__cl_lost(cl, "parse error");
            return;
        }
        if (sio_buf_append(&cl->bin_data, data, len) != SIO_OK) {
            sio__cl_lost(cl, "transport error");
            return;
        }
        cl->bin_off[++cl->bin_have] = cl->bin_data.len;
        if (cl->bin_have < cl->bin_need) return;
        if (sio_packet_parse(cl->bin_head.data, cl->bin_head.len, &p) == SIO_OK) {
            sio_str bins[SIO_MAX_ATTACHMENTS];
            int i, n = cl->bin_need;
            for (i = 0; i < n; i++) {
                bins[i].ptr = cl->bin_data.data + cl->bin_off[i];
                bins[i].len = cl->bin_off[i + 1] - cl->bin_off[i];
            }
            cl->bin_need = cl->bin_have = 0;
            sio__cl_dispatch(cl, &p, bins, n);
        }
        cl->bin_need = cl->bin_have = 0;
        sio_buf_reset(&cl->bin_head);
        sio_buf_reset(&cl->bin_data);
        return;
    }
    if (cl->bin_need) {
        SIO__CLOG(cl, SIO_LOG_INFO, "text while attachments were expected");
        sio__cl_lost(cl, "parse error");
        return;
    }
    if (sio_packet_parse(data, len, &p) != SIO_OK) {
        SIO__CLOG(cl, SIO_LOG_INFO, "malformed Socket.IO packet");
        sio__cl_lost(cl, "parse error");
        return;
    }
    if (p.attachments) {
        sio_buf_reset(&cl->bin_head);
        sio_buf_reset(&cl->bin_data);
        if (sio_buf_append(&cl->bin_head, data, len) != SIO_OK) {
            sio__cl_lost(cl, "transport error");
            return;
        }
        cl->bin_need = p.attachments;
        cl->bin_have = 0;
        cl->bin_off[0] = 0;
        return;
    }
    sio__cl_dispatch(cl, &p, NULL, 0);
}

/* ---- public API ---- */

static char *sio__cl_strdup(sio_client *cl, const char *s) {
    return s ? sio__strndup(cl->loop.alloc, s, strlen(s)) : NULL;
}

SIO_API sio_client *sio_client_create(const sio_client_desc *desc, int *err) {
    sio_client_desc d;
    sio_client *cl;
    const sio_allocator *a;
    const char *tr;
    int rc;
    sio_buf q;
    if (err) *err = SIO_OK;
    if (!desc || !desc->url) {
        if (err) *err = SIO_ERR_INVALID;
        return NULL;
    }
    d = *desc;
    a = (d.allocator.alloc_fn || d.allocator.free_fn) ? &d.allocator : NULL;
    cl = (sio_client *)sio__malloc(a, sizeof *cl);
    if (!cl) {
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    memset(cl, 0, sizeof *cl);
    cl->desc = d;
    cl->allocator = d.allocator;
    cl->logger = d.logger;
    rc = sio__loop_init(&cl->loop, a ? &cl->allocator : NULL, &cl->logger, 0);
    if (rc != SIO_OK) {
        sio__free(a, cl->loop.scratch);
        sio__free(a, cl);
        if (err) *err = rc;
        return NULL;
    }
    a = cl->loop.alloc;
    sio__rng_init(&cl->rng);
    cl->tmp.alloc = cl->body.alloc = cl->wq.alloc = cl->bin_head.alloc = cl->bin_data.alloc = a;
    cl->watchdog.fn = sio__cl_watchdog_due;
    cl->open_timer.fn = sio__cl_open_due;
    cl->reconnect_timer.fn = sio__cl_reconnect_due;
    cl->probe_timer.fn = sio__cl_probe_due;
    cl->fail_timer.fn = sio__cl_fail_due;
    cl->get.cl = cl->post.cl = cl;
    cl->ws.loop = &cl->loop;
    cl->ws.rng = &cl->rng;
    cl->ws.log = &cl->logger;
    cl->ws.user = cl;
    cl->ws.on_open = sio__cl_ws_open;
    cl->ws.on_message = sio__cl_ws_message;
    cl->ws.on_close = sio__cl_ws_close;
    if (cl->desc.reconnection_delay_ms <= 0) cl->desc.reconnection_delay_ms = 1000;
    if (cl->desc.reconnection_delay_max_ms <= 0) cl->desc.reconnection_delay_max_ms = 5000;
    if (cl->desc.randomization_factor == 0) cl->desc.randomization_factor = 0.5;
    if (cl->desc.timeout_ms <= 0) cl->desc.timeout_ms = 20000;
    if (cl->desc.max_buffered == 0) cl->desc.max_buffered = SIO_CLIENT_MAX_BUFFERED;
    cl->max_payload = 1000000;

    cl->url_copy = sio__cl_strdup(cl, d.url);
    rc = cl->url_copy ? sio__url_parse(cl->url_copy, &cl->url) : SIO_ERR_NOMEM;
    if (rc == SIO_ERR_UNSUPPORTED)
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: https:// and wss:// need TLS, which this build does not have", d.url);
#ifdef SIO_TLS_BEARSSL
    if (rc == SIO_OK && cl->url.tls) {
        char why[256];
        sio__tls_ctx *ctx = NULL;
        rc = sio__tls_ctx_new(a, &d.tls, 0, &ctx, why, sizeof why);
        if (rc != SIO_OK) SIO__CLOG(cl, SIO_LOG_ERROR, "TLS: %s", why);
        cl->tls_ctx = ctx;
        cl->ws.tls_ctx = ctx;
        cl->ws.tls_host = cl->url.host;
        if (rc == SIO_OK && d.tls.insecure_skip_verify)
            SIO__CLOG(cl, SIO_LOG_WARN, "TLS certificate verification is OFF: anyone on the path can read and "
                                        "change this connection");
    }
#endif
    else if (rc != SIO_OK)
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: not a http:// or ws:// URL", d.url);
    tr = d.transports;
    if (rc == SIO_OK) {
        if (!tr || !*tr || strcmp(tr, "auto") == 0) cl->allow_polling = cl->allow_ws = 1;
        else if (strcmp(tr, "polling") == 0) cl->allow_polling = 1;
        else if (strcmp(tr, "websocket") == 0) cl->allow_ws = 1;
        else {
            SIO__CLOG(cl, SIO_LOG_ERROR, "transports: \"%s\" is not auto, polling or websocket", tr);
            rc = SIO_ERR_INVALID;
        }
    }
    if (rc == SIO_OK) {
        /* the URL's path is the namespace, as io("http://host/admin") */
        if (cl->url.path && cl->url.path_len > 1) {
            if (cl->url.path_len > SIO_MAX_NSP_LEN) rc = SIO_ERR_INVALID;
            else memcpy(cl->default_nsp, cl->url.path, cl->url.path_len);
        } else {
            strcpy(cl->default_nsp, "/");
        }
    }
    if (rc == SIO_OK) {
        const char *hdr = d.headers ? d.headers : "";
        size_t hl = strlen(hdr);
        /* extra headers must be whole "K: V\r\n" lines so none can end the head */
        if (hl && (hl < 2 || hdr[hl - 2] != '\r' || hdr[hl - 1] != '\n' || strstr(hdr, "\r\n\r\n") || hdr[0] == '\r'))
            rc = SIO_ERR_INVALID;
        cl->headers = sio__cl_strdup(cl, hdr);
        cl->path = sio__cl_strdup(cl, d.path ? d.path : "/socket.io/");
        memset(&q, 0, sizeof q);
        q.alloc = a;
        if (d.query && *d.query) {
            sio_buf_appendc(&q, '&');
            sio_buf_appends(&q, d.query[0] == '?' || d.query[0] == '&' ? d.query + 1 : d.query);
        }
        if (cl->url.query && cl->url.query_len) {
            sio_buf_appendc(&q, '&');
            sio_buf_append(&q, cl->url.query, cl->url.query_len);
        }
        sio_buf_appendc(&q, 0);
        cl->query = q.err ? NULL : q.data;
        if (q.err) sio_buf_free(&q);
        if (!cl->headers || !cl->path || !cl->query) rc = rc ? rc : SIO_ERR_NOMEM;
        else if (strpbrk(cl->path, " \r\n") || strpbrk(cl->query, " \r\n#")) rc = SIO_ERR_INVALID;
        if (rc == SIO_ERR_INVALID) SIO__CLOG(cl, SIO_LOG_ERROR, "bad path, query or headers");
    }
    if (rc == SIO_OK) {
        if (cl->url.v6) snprintf(cl->hosthdr, sizeof cl->hosthdr, "[%s]:%d", cl->url.host, cl->url.port);
        else snprintf(cl->hosthdr, sizeof cl->hosthdr, "%s:%d", cl->url.host, cl->url.port);
        rc = sio__resolve(cl->url.host, cl->url.port, &cl->addrs);
        if (rc != SIO_OK) SIO__CLOG(cl, SIO_LOG_ERROR, "cannot resolve %s", cl->url.host);
    }
    if (rc != SIO_OK) {
        sio_client_destroy(cl);
        if (err) *err = rc;
        return NULL;
    }
    sio__cl_open(cl);
    return cl;
}

SIO_API void *sio_client_user(const sio_client *c) { return c ? c->desc.user : NULL; }

SIO_API sio_client_socket *sio_client_socket_open(sio_client *cl, const char *nsp, const char *auth_json) {
    sio_client_socket *s;
    const sio_allocator *a;
    char *auth = NULL;
    if (!cl) return NULL;
    a = cl->loop.alloc;
    if (!nsp) nsp = cl->default_nsp;
    if (nsp[0] != '/' || strlen(nsp) > SIO_MAX_NSP_LEN || strchr(nsp, ',')) return NULL;
    if (auth_json) {
        sio_json j;
        if (sio_json_parse(auth_json, strlen(auth_json), &j) != SIO_OK || j.type != SIO_JSON_OBJECT) return NULL;
        auth = sio__strndup(a, auth_json, strlen(auth_json));
        if (!auth) return NULL;
    }
    s = sio__cl_socket(cl, nsp, strlen(nsp));
    if (!s) {
        s = (sio_client_socket *)sio__malloc(a, sizeof *s);
        if (!s) {
            sio__free(a, auth);
            return NULL;
        }
        memset(s, 0, sizeof *s);
        s->cl = cl;
        s->held.alloc = a;
        s->nsp = sio__strndup(a, nsp, strlen(nsp));
        if (!s->nsp) {
            sio__free(a, auth);
            sio__free(a, s);
            return NULL;
        }
        /* appended, so namespaces are joined in the order they were opened */
        {
            sio_client_socket **pp = &cl->sockets;
            while (*pp) pp = &(*pp)->next;
            *pp = s;
        }
    }
    sio__free(a, s->auth);
    s->auth = auth;
    if (s->active) return s;
    s->active = 1;
    if (cl->state == SIO__CL_OPEN) {
        sio__cs_send_connect(s);
    } else if (cl->state == SIO__CL_CLOSED) {
        cl->skip_reconnect = 0;
        cl->attempts = 0;
        cl->state = SIO__CL_IDLE;
        sio__cl_open(cl);
    }
    return s;
}

SIO_API void sio_client_socket_close(sio_client_socket *s) {
    sio_client *cl;
    int was;
    if (!s || !s->active) return;
    cl = s->cl;
    was = s->state;
    if (was == SIO__CS_CONNECTED && cl->state == SIO__CL_OPEN) {
        sio_buf_reset(&cl->tmp);
        sio_packet_write(&cl->tmp, SIO_PKT_DISCONNECT, 0, s->nsp, strlen(s->nsp), -1, NULL, 0);
        sio__cl_send(cl, SIO_EIO_MESSAGE, cl->tmp.data, cl->tmp.len, 0);
    }
    s->active = 0;
    s->state = SIO__CS_OFF;
    s->id[0] = 0;
    sio_buf_free(&s->held);
    sio__cs_clear_acks(s, 1);
    if (was == SIO__CS_CONNECTED && s->on_disconnect) s->on_disconnect(s, "io client disconnect", s->disconnect_user);
    sio__cl_check_idle(cl);
}

SIO_API sio_client *sio_client_socket_client(const sio_client_socket *s) { return s ? s->cl : NULL; }
SIO_API const char *sio_client_socket_id(const sio_client_socket *s) { return s ? s->id : ""; }
SIO_API int sio_client_connected(const sio_client_socket *s) {
    return s && s->state == SIO__CS_CONNECTED && s->cl->state == SIO__CL_OPEN;
}

SIO_API int sio_client_on(sio_client_socket *s, const char *event, sio_client_event_fn fn, void *user) {
    const sio_allocator *a;
    sio__chandler *h, **pp;
    if (!s || !event || !fn) return SIO_ERR_INVALID;
    a = s->cl->loop.alloc;
    h = (sio__chandler *)sio__malloc(a, sizeof *h);
    if (!h) return SIO_ERR_NOMEM;
    h->event = sio__strndup(a, event, strlen(event));
    if (!h->event) {
        sio__free(a, h);
        return SIO_ERR_NOMEM;
    }
    h->fn = fn;
    h->user = user;
    h->next = NULL;
    for (pp = &s->handlers; *pp; pp = &(*pp)->next) {}
    *pp = h;
    return SIO_OK;
}

SIO_API void sio_client_on_connect(sio_client_socket *s, sio_client_socket_fn fn, void *user) {
    s->on_connect = fn;
    s->connect_user = user;
}

SIO_API void sio_client_on_disconnect(sio_client_socket *s, sio_client_disconnect_fn fn, void *user) {
    s->on_disconnect = fn;
    s->disconnect_user = user;
}

SIO_API void sio_client_on_connect_error(sio_client_socket *s, sio_client_error_fn fn, void *user) {
    s->on_error = fn;
    s->error_user = user;
}

static int sio__cl_event_ok(const char *event) {
    static const char *const reserved[] = {"connect", "connect_error", "disconnect", "disconnecting",
                                           "newListener", "removeListener"};
    size_t i;
    if (!event) return 0;
    for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(event, reserved[i]) == 0) return 0;
    return 1;
}

static void sio__cl_ack_due(sio__timer *t) {
    sio__cack *a = (sio__cack *)(void *)((char *)t - offsetof(sio__cack, timer));
    sio_client_socket *s = a->s;
    sio__cack **pp;
    for (pp = &s->acks; *pp; pp = &(*pp)->next)
        if (*pp == a) {
            *pp = a->next;
            break;
        }
    a->fn(s, SIO_ERR_TIMEOUT, NULL, a->user);
    sio__free(s->cl->loop.alloc, a);
}

static int sio__cl_emit(sio_client_socket *s, const char *event, const sio_msg *args, int timeout_ms,
                        sio_client_ack_fn fn, void *user, int is_volatile) {
    sio_client *cl;
    sio__cack *a = NULL;
    int rc;
    if (!s) return SIO_ERR_INVALID;
    if (!sio__cl_event_ok(event)) return SIO_ERR_INVALID;
    if (!s->active) return SIO_ERR_STATE;
    cl = s->cl;
    if (fn) {
        a = (sio__cack *)sio__malloc(cl->loop.alloc, sizeof *a);
        if (!a) return SIO_ERR_NOMEM;
        memset(a, 0, sizeof *a);
        a->id = s->next_ack++;
        a->s = s;
        a->fn = fn;
        a->user = user;
        a->timer.fn = sio__cl_ack_due;
    }
    rc = sio__cl_build(&cl->tmp, SIO_PKT_EVENT, s->nsp, a ? a->id : -1, event, args);
    if (rc == SIO_OK) rc = sio__cs_out(s, args, !is_volatile);
    if (rc != SIO_OK) {
        sio__free(cl->loop.alloc, a);
        return rc;
    }
    if (a) {
        a->sent = s->state == SIO__CS_CONNECTED;
        a->next = s->acks;
        s->acks = a;
        /* the deadline runs from the emit, held or not, as in Node */
        if (timeout_ms > 0)
            sio__timer_set(&cl->loop.timers, cl->loop.alloc, &a->timer, sio__now_ms() + (uint64_t)timeout_ms);
    }
    return SIO_OK;
}

SIO_API int sio_client_emit(sio_client_socket *s, const char *event, const sio_msg *args) {
    return sio__cl_emit(s, event, args, 0, NULL, NULL, 0);
}

SIO_API int sio_client_emit_json(sio_client_socket *s, const char *event, const char *json_args) {
    sio_msg m;
    int rc;
    sio_msg_init(&m);
    rc = sio_msg_json(&m, json_args);
    if (rc == SIO_OK) rc = sio_client_emit(s, event, &m);
    sio_msg_free(&m);
    return rc;
}

SIO_API int sio_client_emit_ack(sio_client_socket *s, const char *event, const sio_msg *args, int timeout_ms,
                                sio_client_ack_fn fn, void *user) {
    if (!fn) return SIO_ERR_INVALID;
    return sio__cl_emit(s, event, args, timeout_ms, fn, user, 0);
}

SIO_API int sio_client_emit_volatile(sio_client_socket *s, const char *event, const sio_msg *args) {
    return sio__cl_emit(s, event, args, 0, NULL, NULL, 1);
}

SIO_API int sio_client_ack(sio_client_socket *s, long long ack_id, const sio_msg *args) {
    sio_client *cl;
    int rc;
    if (!s || ack_id < 0) return SIO_ERR_INVALID;
    cl = s->cl;
    if (s->state != SIO__CS_CONNECTED || cl->state != SIO__CL_OPEN) return SIO_ERR_CLOSED;
    rc = sio__cl_build(&cl->tmp, SIO_PKT_ACK, s->nsp, ack_id, NULL, args);
    if (rc != SIO_OK) return rc;
    return sio__cs_out(s, args, 0);
}

SIO_API const char *sio_client_transport(const sio_client *c) {
    if (!c || c->state != SIO__CL_OPEN) return "";
    return c->transport == SIO__T_WEBSOCKET ? "websocket" : "polling";
}

SIO_API int sio_client_closed(const sio_client *c) { return !c || c->state == SIO__CL_CLOSED; }

SIO_API int sio_client_poll(sio_client *c, int timeout_ms) {
    if (!c) return SIO_ERR_INVALID;
    return sio__loop_poll(&c->loop, timeout_ms, NULL);
}

SIO_API int sio_client_run(sio_client *c) {
    int rc = SIO_OK;
    if (!c) return SIO_ERR_INVALID;
    c->stop = 0;
    while (!c->stop && c->state != SIO__CL_CLOSED && rc == SIO_OK) rc = sio_client_poll(c, 1000);
    /* let the last packets (DISCONNECT, close) leave */
    sio__loop_flush(&c->loop);
    return rc;
}

SIO_API void sio_client_stop(sio_client *c) {
    if (c) {
        c->stop = 1;
        c->loop.stop = 1;
    }
}

SIO_API void sio_client_disconnect(sio_client *cl) {
    sio_client_socket *s;
    if (!cl) return;
    cl->skip_reconnect = 1;
    for (s = cl->sockets; s; s = s->next) sio_client_socket_close(s);
    if (cl->state != SIO__CL_CLOSED) sio__cl_shutdown(cl);
}

SIO_API void sio_client_destroy(sio_client *cl) {
    const sio_allocator *a;
    if (!cl) return;
    a = cl->loop.alloc;
    if (cl->loop.scratch) {
        sio_client_disconnect(cl);
        sio__loop_flush(&cl->loop);
    }
    cl->destroying = 1;
    while (cl->sockets) {
        sio_client_socket *s = cl->sockets;
        cl->sockets = s->next;
        sio__cs_clear_acks(s, 1);
        while (s->handlers) {
            sio__chandler *h = s->handlers;
            s->handlers = h->next;
            sio__free(a, h->event);
            sio__free(a, h);
        }
        sio_buf_free(&s->held);
        sio__free(a, s->auth);
        sio__free(a, s->nsp);
        sio__free(a, s);
    }
    sio__wsc_abort(&cl->ws);
    sio_ws_reader_free(&cl->ws.rd);
    sio__hcc_drop(&cl->get);
    sio__hcc_drop(&cl->post);
    sio__loop_free(&cl->loop);
#ifdef SIO_TLS_BEARSSL
    if (cl->tls_ctx) sio__tls_ctx_free((sio__tls_ctx *)cl->tls_ctx);
#endif
    sio_buf_free(&cl->wq);
    sio_buf_free(&cl->tmp);
    sio_buf_free(&cl->body);
    sio_buf_free(&cl->bin_head);
    sio_buf_free(&cl->bin_data);
    sio__free(a, cl->path);
    sio__free(a, cl->query);
    sio__free(a, cl->headers);
    sio__free(a, cl->url_copy);
    if (cl->rng.fd >= 0) close(cl->rng.fd);
    sio__free(a, cl);
}
