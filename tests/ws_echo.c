/* ws_echo: a WebSocket echo server made of the library's own layers (the
   poll loop, the HTTP request parser, the accept key, the frame reader),
   so that tests/interop/ws.test.mjs can hold the WebSocket layer against
   the npm `ws` client and raw frames.

   ws_echo [--host H] [--port N] [--max-message BYTES]

   Prints "listening on port N". Any path upgrades. Text and binary come
   back with the same type, pings get pongs, a close gets a close with the
   same code (an empty one when it had none). A message over max-message
   (default 16 MiB) gets 1009, a protocol error 1002, bad UTF-8 1007.
   SIGTERM or SIGINT end it. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"
#include <signal.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

typedef struct echo_server {
    sio__loop loop;
    size_t max_message;
} echo_server;

static long echo_ws_data(sio__conn *c, char *data, size_t len);
static long echo_http_data(sio__conn *c, char *data, size_t len);
static const sio__conn_ops echo_ws_ops = {echo_ws_data, NULL, NULL};
static const sio__conn_ops echo_http_ops = {echo_http_data, NULL, NULL};

/* Server frames are never masked. */
static void echo_frame(sio__conn *c, int opcode, const void *data, size_t len) {
    unsigned char hdr[14];
    size_t hl = sio_ws_write_header(hdr, 1, opcode, (uint64_t)len, NULL);
    char *p = sio__conn_reserve(c, hl + len);
    if (!p) return;
    memcpy(p, hdr, hl);
    if (len) memcpy(p + hl, data, len);
    c->out.len += hl + len;
}

/* A close frame (code 0: empty), then the connection ends once it is out. */
static void echo_close(sio__conn *c, int code) {
    unsigned char b[2];
    b[0] = (unsigned char)(code >> 8);
    b[1] = (unsigned char)(code & 255);
    echo_frame(c, SIO_WS_OP_CLOSE, b, code ? 2 : 0);
    sio__conn_end(c);
}

static long echo_ws_data(sio__conn *c, char *data, size_t len) {
    size_t used = 0;
    while (!(c->flags & (SIO__F_DEAD | SIO__F_CLOSING))) {
        sio_ws_msg m;
        int n = sio_ws_read(c->ws, (unsigned char *)data + used, len - used, &m);
        if (n < 0) {
            echo_close(c, c->ws->error_code);
            return (long)len;
        }
        used += (size_t)n;
        if (m.kind == SIO_WS_NONE) {
            if (n == 0) break;
            continue;
        }
        switch (m.kind) {
        case SIO_WS_TEXT:
            echo_frame(c, SIO_WS_OP_TEXT, m.data, m.len);
            break;
        case SIO_WS_BINARY:
            echo_frame(c, SIO_WS_OP_BINARY, m.data, m.len);
            break;
        case SIO_WS_PING:
            echo_frame(c, SIO_WS_OP_PONG, m.data, m.len);
            break;
        case SIO_WS_CLOSE:
            /* 1005 is what the reader reports for "no code": answer likewise with none */
            echo_close(c, m.close_code == 1005 ? 0 : m.close_code);
            return (long)len;
        default:
            break;
        }
    }
    return (long)used;
}

static void echo_refuse(sio__conn *c, int status) {
    char head[160];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                     sio_http_reason(status));
    sio__conn_send(c, head, (size_t)n);
    sio__conn_end(c);
}

static long echo_http_data(sio__conn *c, char *data, size_t len) {
    echo_server *es = (echo_server *)c->owner;
    sio_http_msg m;
    sio_str key, ver;
    char accept[29], head[160];
    int status = 400, n, hl = sio_http_parse_request(data, len, &m, &status);
    long rest;
    if (hl == 0) return 0;
    if (hl < 0 || !m.upgrade_websocket) {
        echo_refuse(c, hl < 0 ? status : 426);
        return (long)len;
    }
    key = sio_http_header_get(&m, "Sec-WebSocket-Key");
    ver = sio_http_header_get(&m, "Sec-WebSocket-Version");
    if (!key.ptr || sio_ws_accept_key(key.ptr, key.len, accept) != SIO_OK || ver.len != 2 ||
        memcmp(ver.ptr, "13", 2) != 0) {
        echo_refuse(c, 400);
        return (long)len;
    }
    c->ws = (sio_ws_reader *)sio__malloc(NULL, sizeof *c->ws);
    if (!c->ws) return SIO_ERR_NOMEM;
    memset(c->ws, 0, sizeof *c->ws);
    c->ws->expect_masked = 1;
    c->ws->max_message = es->max_message;
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    sio__conn_send(c, head, (size_t)n);
    c->ops = &echo_ws_ops;
    c->kind = SIO__C_WS;
    /* frames may have come in the same read as the request */
    rest = echo_ws_data(c, data + hl, len - (size_t)hl);
    return rest < 0 ? rest : hl + rest;
}

static void echo_accept(sio__conn *l) {
    echo_server *es = (echo_server *)l->owner;
    int k;
    for (k = 0; k < 64; k++) {
        int one = 1, fd = accept(l->fd, NULL, NULL);
        sio__conn *c;
        if (fd < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (sio__set_nonblock(fd) != SIO_OK) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = sio__conn_add(&es->loop, fd, SIO__C_HTTP, &echo_http_ops, es);
        if (!c) close(fd);
    }
}

int main(int argc, char **argv) {
    echo_server es;
    const char *host = "0.0.0.0";
    int port = 0, fd, i, real_port = 0;
    unsigned long long max_message = 16u << 20;
    struct sigaction sa;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
            host = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--max-message") == 0 && i + 1 < argc) {
            max_message = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--host H] [--port N] [--max-message BYTES]\n", argv[0]);
            return 2;
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* room for one echoed message of the largest size, and then some */
    if (sio__loop_init(&es.loop, NULL, NULL, (size_t)max_message * 2 + (1u << 20)) != SIO_OK) return 1;
    es.max_message = (size_t)max_message;
    if (sio__listen(host, port, &fd, &real_port) != SIO_OK) {
        fprintf(stderr, "ws_echo: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return 1;
    }
    if (!sio__conn_add(&es.loop, fd, SIO__C_LISTEN, NULL, &es)) return 1;
    printf("listening on port %d\n", real_port);
    fflush(stdout);
    while (!stop_requested) sio__loop_poll(&es.loop, 500, echo_accept);
    sio__loop_free(&es.loop);
    return 0;
}
