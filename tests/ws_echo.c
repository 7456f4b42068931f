/* ws_echo: a WebSocket echo server made of the library's own layers (the
   poll loop, the HTTP server connections, the WebSocket connection in its
   server role), so that tests/interop/ws.test.mjs can hold the WebSocket
   layer against the npm `ws` client and raw frames.

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
    sio__httpd http;
    size_t max_message;
} echo_server;

/* The server role of the library's WebSocket connection does the rest:
   pongs, echoing the close code, failing with 1002/1007/1009. */
static void echo_message(sio__wsc *w, char *data, size_t len, int binary, void *user) {
    (void)user;
    sio__wsc_send(w, -1, data, len, binary);
}

static const sio__wsc_handlers echo_wsc = {NULL, echo_message, NULL, NULL};

static void echo_request(sio__hconn *h, const sio_http_msg *m, char *body, size_t len, void *user) {
    echo_server *es = (echo_server *)user;
    (void)body;
    (void)len;
    if (!m->upgrade_websocket) {
        h->keep_alive = 0;
        sio__http_answer(h, 426, "text/plain", "Upgrade Required", 16, NULL);
        return;
    }
    sio__httpd_upgrade(h, m, es->max_message, &echo_wsc, es);
}

static void echo_too_big(sio__hconn *h, const sio_http_msg *m, void *user) {
    (void)m;
    (void)user;
    sio__http_answer(h, 413, NULL, NULL, 0, NULL);
}

static void echo_gone(sio__hconn *h, int err, void *user) {
    (void)h;
    (void)err;
    (void)user;
}

static const sio__httpd_handlers echo_http = {echo_request, echo_too_big, echo_gone};

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
    memset(&es.http, 0, sizeof es.http);
    es.http.loop = &es.loop;
    es.http.h = &echo_http;
    es.http.user = &es;
    es.http.max_headers = SIO_HTTP_MAX_HEADERS;
    es.http.max_header_bytes = SIO_HTTP_MAX_HEADER_BYTES;
    es.http.max_request_line = SIO_HTTP_MAX_REQUEST_LINE;
    es.http.max_connections = SIO_MAX_CONNECTIONS;
    es.http.max_body = SIO_MAX_PAYLOAD;
    es.loop.http_timeout_ms = SIO_HTTP_TIMEOUT_MS;
    if (sio__listen(host, port, 0, &fd, &real_port) != SIO_OK) {
        fprintf(stderr, "ws_echo: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return 1;
    }
    if (!sio__conn_add(&es.loop, fd, SIO__C_LISTEN, &sio__listen_ops, &es.http, sizeof(sio__conn))) return 1;
    printf("listening on port %d\n", real_port);
    fflush(stdout);
    while (!stop_requested) sio__loop_poll(&es.loop, 500);
    sio__loop_free(&es.loop);
    return 0;
}
