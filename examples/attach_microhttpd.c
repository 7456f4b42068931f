/* attach_microhttpd.c - Socket.IO on the port of a libmicrohttpd server
   that also serves the application's own pages, as Node's
   `new Server(httpServer)` does.

   libmicrohttpd keeps its connections and passes requests: every request
   under /socket.io/ goes to sio_server_request. A long-polling GET that
   must wait is suspended (MHD_suspend_connection) and resumed when the
   library answers it from a later turn; a WebSocket handshake is answered
   101 through MHD's upgrade response, whose socket is then handed over
   (sio_server_upgraded) and given back with MHD_upgrade_action when done.
   One thread: libmicrohttpd in its external epoll mode and the library's
   descriptors in one poll() call.

   The Socket.IO events are those of echo.c (echo_events.h). GET / is a
   page of the application's; other paths get its own 404.

   Build: cc -std=c99 -O2 -I.. attach_microhttpd.c -o attach_microhttpd -lmicrohttpd
   Run:   ./attach_microhttpd [--host H] [--port 3000] [--ping-interval MS] [--ping-timeout MS] */
#define _DEFAULT_SOURCE
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "echo_events.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FDS 4096
#define HOST_NAME "libmicrohttpd"

static const char page[] =
    "<!doctype html><meta charset=utf-8><title>attached</title>\n"
    "<p>Socket.IO attached to " HOST_NAME ", on this page's port.</p>\n"
    "<pre id=log></pre>\n"
    "<script src=\"/socket.io/socket.io.js\"></script>\n"
    "<script>\n"
    "  const log = (t) => { document.getElementById('log').textContent += t + '\\n'; };\n"
    "  const socket = io();\n"
    "  socket.on('connect', () => socket.emit('echo', 'hello', (a) => log('ack: ' + a)));\n"
    "</script>\n";

static const char not_found[] = "no page here (" HOST_NAME ")\n";

static volatile sig_atomic_t stop_requested;

/* con_cls of the application's own requests (the library's have a request) */
static int own_request;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* One request of libmicrohttpd's that reaches the library. It lives until
   both are done with it: libmicrohttpd (its completion callback) and, for
   a WebSocket, the library (release). */
typedef struct request {
    struct MHD_Connection *conn;
    sio_buf body;                /* the upload, gathered */
    sio_exchange *x;             /* the library's side while it has one */
    int started, answered, status, refs;
    char *headers;               /* the answer */
    char *data;
    size_t len;
    struct MHD_UpgradeResponseHandle *urh;
} request;

static void request_unref(request *r) {
    if (--r->refs > 0) return;
    sio_buf_free(&r->body);
    free(r->headers);
    free(r->data);
    free(r);
}

/* The library's answer: kept, and the connection resumed if it was
   waiting, so that libmicrohttpd calls the access handler again. */
static void on_respond(void *user, int status, const char *headers, const void *body, size_t len) {
    request *r = (request *)user;
    r->status = status;
    r->headers = strdup(headers);
    r->data = (char *)malloc(len ? len : 1);
    if (len && r->data) memcpy(r->data, body, len);
    r->len = len;
    r->answered = 1;
    if (status != 101) {
        if (r->x) MHD_resume_connection(r->conn);
        r->x = NULL;   /* the exchange is over */
    }
}

/* The library is done with the WebSocket's socket: libmicrohttpd closes it. */
static void on_release(void *user, int fd) {
    request *r = (request *)user;
    (void)fd;
    MHD_upgrade_action(r->urh, MHD_UPGRADE_ACTION_CLOSE);
    r->x = NULL;
    request_unref(r);
}

static void add_headers(struct MHD_Response *resp, const char *block) {
    const char *p = block;
    while (p && *p) {
        const char *colon = strchr(p, ':'), *end = strstr(p, "\r\n");
        char name[256], value[2048];
        if (!end) break;
        if (colon && colon < end && (size_t)(colon - p) < sizeof name) {
            const char *v = colon + 1;
            while (*v == ' ') v++;
            snprintf(name, sizeof name, "%.*s", (int)(colon - p), p);
            snprintf(value, sizeof value, "%.*s", (int)(end - v), v);
            MHD_add_response_header(resp, name, value);
        }
        p = end + 2;
    }
}

static void on_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra, size_t extra_len,
                        MHD_socket sock, struct MHD_UpgradeResponseHandle *urh) {
    request *r = (request *)cls;
    (void)conn;
    (void)con_cls;
    r->urh = urh;
    r->refs++;   /* until on_release */
    if (sio_server_upgraded(r->x, sock, extra, extra_len) != SIO_OK) r->x = NULL;   /* released already */
}

static enum MHD_Result queue(struct MHD_Connection *conn, int status, const char *ctype, const char *headers,
                             const void *body, size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (!resp) return MHD_NO;
    if (ctype) MHD_add_response_header(resp, "Content-Type", ctype);
    add_headers(resp, headers);
    ok = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result queue_answer(request *r) {
    struct MHD_Response *resp;
    enum MHD_Result ok;
    if (r->status != 101) return queue(r->conn, r->status, NULL, r->headers, r->data, r->len);
    if (!(resp = MHD_create_response_for_upgrade(on_upgraded, r))) return MHD_NO;
    add_headers(resp, r->headers);
    ok = MHD_queue_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* libmicrohttpd has the request's headers as pairs, and the query only
   decoded: both are written back out as the library reads them. */
static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    sio_buf *b = (sio_buf *)cls;
    (void)kind;
    sio_buf_appends(b, key);
    sio_buf_appends(b, ": ");
    sio_buf_appends(b, value ? value : "");
    sio_buf_appends(b, "\r\n");
    return MHD_YES;
}

static void append_escaped(sio_buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            sio_buf_appendc(b, (char)c);
        } else {
            sio_buf_appendc(b, '%');
            sio_buf_appendc(b, hex[c >> 4]);
            sio_buf_appendc(b, hex[c & 15]);
        }
    }
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    sio_buf *b = (sio_buf *)cls;
    (void)kind;
    sio_buf_appendc(b, b->data && memchr(b->data, '?', b->len) ? '&' : '?');
    append_escaped(b, key);
    if (value) {
        sio_buf_appendc(b, '=');
        append_escaped(b, value);
    }
    return MHD_YES;
}

static enum MHD_Result to_library(sio_server *srv, request *r, const char *url, const char *method) {
    sio_host_request hr;
    sio_buf target, headers;
    sio_exchange *x;
    int err;
    memset(&target, 0, sizeof target);
    memset(&headers, 0, sizeof headers);
    sio_buf_appends(&target, url);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &target);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_header, &headers);
    sio_buf_appendc(&target, 0);
    sio_buf_appendc(&headers, 0);
    memset(&hr, 0, sizeof hr);
    hr.method = method;
    hr.target = target.data;
    hr.headers = headers.data;
    hr.body = r->body.data;
    hr.body_len = r->body.len;
    hr.respond = on_respond;
    hr.release = on_release;
    hr.user = r;
    x = target.err || headers.err ? NULL : sio_server_request(srv, &hr, &err);
    sio_buf_free(&target);
    sio_buf_free(&headers);
    if (r->answered) {
        r->x = r->status == 101 ? x : NULL;
        return queue_answer(r);
    }
    if (!x) return MHD_NO;   /* no memory: libmicrohttpd closes the connection */
    r->x = x;                /* a long-poll: on_respond resumes it */
    MHD_suspend_connection(r->conn);
    return MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_len, void **con_cls) {
    sio_server *srv = (sio_server *)cls;
    request *r = (request *)*con_cls;
    (void)version;
    if (strncmp(url, "/socket.io/", 11) != 0) {
        if (!*con_cls) {   /* answered on a later call: one queued on the first costs the keep-alive */
            *con_cls = &own_request;
            return MHD_YES;
        }
        if (*upload_len) {   /* the application's own pages take no bodies */
            *upload_len = 0;
            return MHD_YES;
        }
        if (strcmp(url, "/") == 0) return queue(conn, 200, "text/html; charset=utf-8", NULL, page, sizeof page - 1);
        return queue(conn, 404, "text/plain", NULL, not_found, sizeof not_found - 1);
    }
    if (!r) {
        if (!(r = (request *)calloc(1, sizeof *r))) return MHD_NO;
        r->conn = conn;
        r->refs = 1;   /* libmicrohttpd's, until on_completed */
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_len) {
        sio_buf_append(&r->body, upload, *upload_len);
        *upload_len = 0;
        return r->body.err ? MHD_NO : MHD_YES;
    }
    if (r->answered) return queue_answer(r);   /* resumed: the long-poll's answer */
    if (r->started) return MHD_YES;
    r->started = 1;
    return to_library(srv, r, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    request *r = (request *)*con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!r || *con_cls == (void *)&own_request) return;
    /* gone before the answer (or before the socket was handed over) */
    if (r->x && !r->urh) sio_server_request_gone(r->x);
    if (!r->urh) r->x = NULL;
    *con_cls = NULL;
    request_unref(r);
}

static void usage(void) {
    fprintf(stderr, "usage: attach_microhttpd [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]\n");
}

int main(int argc, char **argv) {
    static struct pollfd fds[MAX_FDS];
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *mhd;
    struct sigaction sa;
    sio_server_desc d;
    sio_server *srv;
    const char *host = "127.0.0.1";
    int i, err, port = 3000, mhd_fd;

    memset(&d, 0, sizeof d);
    d.no_listen = 1;   /* libmicrohttpd owns the port */
    for (i = 1; i < argc; i += 2) {   /* options all take a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(a, "--port") == 0) port = atoi(v);
        else if (strcmp(a, "--host") == 0) host = v;
        else if (strcmp(a, "--ping-interval") == 0) d.ping_interval_ms = atoi(v);
        else if (strcmp(a, "--ping-timeout") == 0) d.ping_timeout_ms = atoi(v);
        else {
            usage();
            return 2;
        }
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "attach_microhttpd: --host must be an IPv4 address: %s\n", host);
        return 2;
    }

    srv = sio_server_create(&d, &err);
    if (!srv || echo_install(srv, NULL) != SIO_OK) {
        fprintf(stderr, "attach_microhttpd: %s\n", sio_strerror(srv ? SIO_ERR_NOMEM : err));
        return 1;
    }
    mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG,
                           (uint16_t)port, NULL, NULL, on_access, srv, MHD_OPTION_SOCK_ADDR, &addr,
                           MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!mhd) {
        fprintf(stderr, "attach_microhttpd: libmicrohttpd cannot listen on %s port %d\n", host, port);
        sio_server_destroy(srv);
        return 1;
    }
    mhd_fd = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
    info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("listening on port %u\n", info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    while (!stop_requested) {
        MHD_UNSIGNED_LONG_LONG mt;
        int timeout = 1000, n;
        /* slot 0: libmicrohttpd (one epoll descriptor); the rest: ours */
        fds[0].fd = mhd_fd;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        n = sio_server_fds(srv, fds + 1, MAX_FDS - 1, &timeout);
        if (n < 0 || n > MAX_FDS - 1) {
            fprintf(stderr, "attach_microhttpd: too many connections for this example's array\n");
            break;
        }
        if (MHD_get_timeout(mhd, &mt) == MHD_YES && (timeout < 0 || mt < (MHD_UNSIGNED_LONG_LONG)timeout))
            timeout = (int)mt;
        if (poll(fds, (nfds_t)n + 1, timeout) < 0 && errno != EINTR) break;
        sio_server_process(srv, fds + 1, n);
        MHD_run(mhd);   /* also what the library's answers resumed */
    }
    sio_server_destroy(srv);   /* waiting requests get their 503 first */
    MHD_run(mhd);
    MHD_stop_daemon(mhd);
    return 0;
}
