/* loop_libuv.c - a Socket.IO server and a Socket.IO client run by a libuv
   loop that the program already has, beside its own handles.

   Each library object (the server, the client) is stepped through its
   step API (sio_server_fds/_process, sio_client_fds/_process) from two
   libuv handles: a uv_poll_t on its descriptor and a uv_timer_t for its
   next deadline. Built with SIO_EPOLL, an object's descriptors are one
   epoll descriptor that never changes, so one uv_poll_t per object is
   the whole mapping: with poll() the set changes every turn, and a
   socket closed and another opened under the same number between two
   turns would look unchanged to a map kept by number.

   The server owns its port (/socket.io/ plus this program's page at / and
   its own 404, through on_http) and answers the events of echo.c
   (echo_events.h). With --connect URL (or "self": this very server), a
   client in the same loop joins URL's "/" with the auth {"from":"loop_libuv"}
   and reports on stdout, one line each:
     client connect ID            client event NAME [args...]
     client ack [args...]         client disconnect REASON
   On every connect it emits "echo" (with an ack), "hello" and "ask", and
   acks every event that asks for one with that event's own arguments.

   Build: cc -std=c99 -O2 -I.. loop_libuv.c -o loop_libuv -luv
   Run:   ./loop_libuv [--host H] [--port 3000] [--ping-interval MS] [--ping-timeout MS]
                       [--connect URL|self] [--verbose] */
#define _DEFAULT_SOURCE
#define SIO_EPOLL
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "echo_events.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define HOST_NAME "libuv"

static const char page[] =
    "<!doctype html><meta charset=utf-8><title>loop</title>\n"
    "<p>Socket.IO attached to " HOST_NAME ": its server and client run in this program's libuv loop.</p>\n"
    "<pre id=log></pre>\n"
    "<script src=\"/socket.io/socket.io.js\"></script>\n"
    "<script>\n"
    "  const log = (t) => { document.getElementById('log').textContent += t + '\\n'; };\n"
    "  const socket = io();\n"
    "  socket.on('connect', () => socket.emit('echo', 'hello', (a) => log('ack: ' + a)));\n"
    "</script>\n";
static const char not_found[] = "no page here (" HOST_NAME ")\n";

/* ---- a library object in the libuv loop ---- */

typedef struct stepped {
    uv_poll_t poll;
    uv_timer_t timer;
    int (*fds)(void *obj, struct pollfd *fds, int max, int *timeout_ms);
    int (*process)(void *obj, const struct pollfd *fds, int n);
    void *obj;
    struct pollfd pfd;
} stepped;

static int server_fds(void *o, struct pollfd *f, int max, int *t) { return sio_server_fds((sio_server *)o, f, max, t); }
static int server_process(void *o, const struct pollfd *f, int n) { return sio_server_process((sio_server *)o, f, n); }
static int client_fds(void *o, struct pollfd *f, int max, int *t) { return sio_client_fds((sio_client *)o, f, max, t); }
static int client_process(void *o, const struct pollfd *f, int n) { return sio_client_process((sio_client *)o, f, n); }

static void on_due(uv_timer_t *t);

/* After every step: the queued output goes (sio_*_fds flushes it) and the
   timer is set to the object's next deadline. */
static void rearm(stepped *s) {
    int timeout = -1;
    if (s->fds(s->obj, &s->pfd, 1, &timeout) != 1) return;
    if (timeout >= 0) uv_timer_start(&s->timer, on_due, (uint64_t)timeout, 0);
    else uv_timer_stop(&s->timer);
}

static void step(stepped *s, short revents) {
    s->pfd.revents = revents;
    s->process(s->obj, &s->pfd, 1);
    rearm(s);
}

static void on_ready(uv_poll_t *p, int status, int events) {
    stepped *s = (stepped *)p->data;
    step(s, (short)(status < 0 ? POLLERR : (events & UV_READABLE) ? POLLIN : 0));
}

static void on_due(uv_timer_t *t) { step((stepped *)t->data, 0); }

static int stepped_start(uv_loop_t *loop, stepped *s) {
    int timeout = -1;
    if (s->fds(s->obj, &s->pfd, 1, &timeout) != 1) return -1;
    if (uv_poll_init(loop, &s->poll, s->pfd.fd) != 0 || uv_timer_init(loop, &s->timer) != 0) return -1;
    s->poll.data = s->timer.data = s;
    uv_poll_start(&s->poll, UV_READABLE, on_ready);
    rearm(s);
    return 0;
}

static void stepped_stop(stepped *s) {
    uv_poll_stop(&s->poll);
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->poll, NULL);
    uv_close((uv_handle_t *)&s->timer, NULL);
}

/* ---- the server's own pages ---- */

static void on_http(sio_http_request *req, void *user) {
    (void)user;
    if (req->msg->path.len == 1 && req->msg->path.ptr[0] == '/')
        sio_http_respond(req, 200, "text/html; charset=utf-8", page, sizeof page - 1, NULL);
    else
        sio_http_respond(req, 404, "text/plain", not_found, sizeof not_found - 1, NULL);
}

/* ---- the client in the loop ---- */

/* The arguments as one JSON array (binary ones as their placeholders). */
static void print_args(const char *what, const char *name, const sio_args *a) {
    size_t i;
    printf("client %s%s%s [", what, name ? " " : "", name ? name : "");
    for (i = 0; i < a->count; i++) {
        sio_json v;
        if (sio_args_get(a, i, &v) == SIO_OK) printf("%s%.*s", i ? "," : "", (int)v.len, v.ptr);
    }
    printf("]\n");
    fflush(stdout);
}

static void on_client_event(const sio_client_event *ev, void *user) {
    char name[SIO_MAX_EVENT_LEN + 1];
    (void)user;
    snprintf(name, sizeof name, "%.*s", (int)ev->name.len, ev->name.ptr);
    print_args("event", name, &ev->args);
    if (ev->ack_id >= 0) {
        sio_msg m;
        args_from(&m, &ev->args, 0);   /* echo_events.h: the arguments, binary kept */
        sio_client_ack(ev->socket, ev->ack_id, &m);
        sio_msg_free(&m);
    }
}

static void on_echo_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    (void)user;
    if (err == SIO_OK) print_args("ack", NULL, args);
}

static void on_client_connect(sio_client_socket *s, void *user) {
    sio_msg m;
    (void)user;
    printf("client connect %s\n", sio_client_socket_id(s));
    fflush(stdout);
    sio_msg_init(&m);
    sio_msg_json(&m, "[\"from-loop\",42,{\"nested\":[true,null]}]");
    sio_client_emit_ack(s, "echo", &m, 5000, on_echo_ack, NULL);
    sio_msg_free(&m);
    sio_client_emit_json(s, "hello", "[\"world\"]");
    sio_client_emit_json(s, "ask", "[\"from-server\",\"q\"]");
}

static void on_client_disconnect(sio_client_socket *s, const char *reason, void *user) {
    (void)s;
    (void)user;
    printf("client disconnect %s\n", reason);
    fflush(stdout);
}

/* ---- main ---- */

static void log_stderr(sio_log_level level, const char *msg, void *user) {
    fprintf(stderr, "loop_libuv: %s: %s: %s\n", (const char *)user, sio_log_level_name(level), msg);
}

static void on_stop_signal(uv_signal_t *h, int sig) {
    (void)sig;
    uv_stop(h->loop);
}

static void usage(void) {
    fprintf(stderr, "usage: loop_libuv [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]\n"
                    "                  [--connect URL|self] [--verbose]\n");
}

int main(int argc, char **argv) {
    uv_loop_t *loop = uv_default_loop();
    uv_signal_t sigterm, sigint;
    stepped srv_side, cl_side;
    sio_server_desc d;
    sio_client_desc cd;
    sio_server *srv;
    sio_client *cl = NULL;
    const char *connect_to = NULL;
    char self[300];
    int i, err;

    memset(&d, 0, sizeof d);
    memset(&cd, 0, sizeof cd);
    d.port = 3000;
    d.on_http = on_http;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--verbose") == 0) {
            d.logger.fn = cd.logger.fn = log_stderr;
            d.logger.user = (void *)"server";
            cd.logger.user = (void *)"client";
            d.logger.level = cd.logger.level = SIO_LOG_DEBUG;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(a, "--port") == 0) d.port = atoi(v);
        else if (strcmp(a, "--host") == 0) d.host = v;
        else if (strcmp(a, "--ping-interval") == 0) d.ping_interval_ms = atoi(v);
        else if (strcmp(a, "--ping-timeout") == 0) d.ping_timeout_ms = atoi(v);
        else if (strcmp(a, "--connect") == 0) connect_to = v;
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (!(srv = sio_server_create(&d, &err)) || (err = echo_install(srv, NULL)) != SIO_OK) {
        fprintf(stderr, "loop_libuv: cannot start the server: %s\n", sio_strerror(err));
        return 1;
    }
    memset(&srv_side, 0, sizeof srv_side);
    srv_side.fds = server_fds;
    srv_side.process = server_process;
    srv_side.obj = srv;
    if (stepped_start(loop, &srv_side) != 0) return 1;

    if (connect_to) {
        sio_client_socket *s;
        if (strcmp(connect_to, "self") == 0) {
            snprintf(self, sizeof self, "http://%s:%d", d.host ? d.host : "127.0.0.1", sio_server_port(srv));
            connect_to = self;
        }
        cd.url = connect_to;
        if (!(cl = sio_client_create(&cd, &err)) ||
            !(s = sio_client_socket_open(cl, "/", "{\"from\":\"loop_libuv\"}"))) {
            fprintf(stderr, "loop_libuv: cannot start the client for %s: %s\n", connect_to, sio_strerror(err));
            return 1;
        }
        sio_client_on(s, "*", on_client_event, NULL);
        sio_client_on_connect(s, on_client_connect, NULL);
        sio_client_on_disconnect(s, on_client_disconnect, NULL);
        memset(&cl_side, 0, sizeof cl_side);
        cl_side.fds = client_fds;
        cl_side.process = client_process;
        cl_side.obj = cl;
        if (stepped_start(loop, &cl_side) != 0) return 1;
    }

    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigterm, on_stop_signal, SIGTERM);
    uv_signal_start(&sigint, on_stop_signal, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);

    uv_run(loop, UV_RUN_DEFAULT);   /* until a signal stops it */

    if (cl) {
        stepped_stop(&cl_side);
        sio_client_destroy(cl);
    }
    stepped_stop(&srv_side);
    sio_server_destroy(srv);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_run(loop, UV_RUN_DEFAULT);   /* the closes complete */
    uv_loop_close(loop);
    return 0;
}
