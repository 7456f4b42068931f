/* Tests of the step APIs: a server and a client driven by ONE poll() of the
   caller's, through sio_server_fds/_process and sio_client_fds/_process,
   as an application with its own loop would. Loopback, in one process.
   Build: cc -std=c99 -Wall -Wextra -Wpedantic -Werror tests/test_loop.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#ifdef _WIN32
/* Winsock's poll(), from the winsock2.h socketio.h included */
typedef ULONG nfds_t;
#define poll(fds, n, ms) WSAPoll(fds, (ULONG)(n), ms)
#else
#include <poll.h>
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>

static int n_pass, n_fail, group_fail;

#define CHECK(c) do { if (!(c)) { group_fail++; \
    fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void group(const char *name) {
    if (group_fail) printf("not ok %d - loop: %s\n", n_pass + n_fail + 1, name), n_fail++;
    else printf("ok %d - loop: %s\n", n_pass + n_fail + 1, name), n_pass++;
    group_fail = 0;
}

#define CAP 64

typedef struct world {
    sio_server *srv;
    sio_client *cl;
    sio_client_socket *cs;
    int connected, acked, got_back, turns;
    char ack_text[64];
} world;

static int reserved_refused;

static void srv_echo(const sio_event *ev, void *user) {
    sio_msg m;
    sio_json v;
    (void)user;
    /* reserved names never go out: the peer would close the connection */
    reserved_refused += sio_emit(ev->socket, "disconnect", NULL) == SIO_ERR_INVALID;
    reserved_refused += sio_emit_json(ev->socket, "connect_error", "[1]") == SIO_ERR_INVALID;
    reserved_refused += sio_broadcast(sio_socket_nsp(ev->socket), NULL, "connect", NULL) == SIO_ERR_INVALID;
    reserved_refused += sio_emit_ack(ev->socket, "newListener", NULL, 0, NULL, NULL) == SIO_ERR_INVALID;
    sio_msg_init(&m);
    if (sio_args_get(&ev->args, 0, &v) == SIO_OK) sio_json_raw(&m.w, v.ptr, v.len);
    if (ev->ack_id >= 0) sio_ack(ev->socket, ev->ack_id, &m);
    else sio_emit(ev->socket, "back", &m);
    sio_msg_free(&m);
}

static void cl_connect(sio_client_socket *s, void *user) {
    (void)s;
    ((world *)user)->connected = 1;
}

static void cl_back(const sio_client_event *ev, void *user) {
    (void)ev;
    ((world *)user)->got_back++;
}

static void cl_acked(sio_client_socket *s, int err, const sio_args *args, void *user) {
    world *w = (world *)user;
    (void)s;
    w->acked = err == SIO_OK ? 1 : -1;
    if (err == SIO_OK) sio_args_strcpy(args, 0, w->ack_text, sizeof w->ack_text);
}

/* broadcast acks: what the callback saw */
static int bcast_err = 1, bcast_calls;
static size_t bcast_n;
static char bcast_first[64];
static void on_bcast_done(sio_namespace *nsp, int err, const sio_bcast_reply *replies, size_t n, void *user) {
    (void)nsp;
    (void)user;
    bcast_calls++;
    bcast_err = err;
    bcast_n = n;
    bcast_first[0] = '\0';
    if (n) sio_args_strcpy(&replies[0].args, 0, bcast_first, sizeof bcast_first);
    /* too late to ask again once the server is going */
    if (err == SIO_ERR_CLOSED && sio_broadcast_ack(nsp, NULL, "again", NULL, 1000, on_bcast_done, NULL) != SIO_ERR_CLOSED)
        bcast_calls += 100;
}

static void cl_answer(const sio_client_event *ev, void *user) {
    sio_msg m;
    (void)user;
    sio_msg_init(&m);
    sio_json_str(&m.w, "here");
    if (ev->ack_id >= 0) sio_client_ack(ev->socket, ev->ack_id, &m);
    sio_msg_free(&m);
}

/* Turns of the caller's loop until *flag, at most ms: both parts in one
   poll(). Returns 0 when the arrays did not fit. */
static int turns(world *w, const int *flag, long ms) {
    uint64_t t0 = sio_time_ms();   /* the library's clock: the same on every platform */
    while (!(flag && *flag) && sio_time_ms() - t0 < (uint64_t)ms) {
        struct pollfd fds[CAP];
        int timeout = 100, ns, nc;
        ns = sio_server_fds(w->srv, fds, CAP, &timeout);
        if (ns < 0 || ns > CAP) return 0;
        nc = sio_client_fds(w->cl, fds + ns, CAP - ns, &timeout);
        if (nc < 0 || nc > CAP - ns) return 0;
        if (timeout < 0 || timeout > 100) return 0;   /* only ever lowered */
        if (poll(fds, (nfds_t)(ns + nc), timeout) < 0) continue;
        sio_server_process(w->srv, fds, ns);
        sio_client_process(w->cl, fds + ns, nc);
        w->turns++;
    }
    return 1;
}

static void run(const char *transports) {
    world w;
    sio_server_desc sd;
    sio_client_desc cd;
    char url[64], name[128];
    struct pollfd none[1];
    sio_msg m;
    int err = 0, n, timeout;
    memset(&w, 0, sizeof w);
    memset(&sd, 0, sizeof sd);
    sd.host = "127.0.0.1";
    w.srv = sio_server_create(&sd, &err);
    CHECK(w.srv != NULL);
    if (!w.srv) return;
    sio_on(sio_of(w.srv, "/"), "echo", srv_echo, NULL);
    memset(&cd, 0, sizeof cd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", sio_server_port(w.srv));
    cd.url = url;
    cd.transports = transports;
    w.cl = sio_client_create(&cd, &err);
    CHECK(w.cl != NULL);
    if (!w.cl) {
        sio_server_destroy(w.srv);
        return;
    }
    w.cs = sio_client_socket_open(w.cl, "/", NULL);
    sio_client_on_connect(w.cs, cl_connect, &w);
    sio_client_on(w.cs, "back", cl_back, &w);

    /* arguments checked; an array too small is told, not written */
    timeout = -1;
    CHECK(sio_client_fds(NULL, none, 1, &timeout) == SIO_ERR_INVALID);
    CHECK(sio_client_fds(w.cl, none, 1, NULL) == SIO_ERR_INVALID);
    CHECK(sio_client_process(NULL, none, 0) == SIO_ERR_INVALID);
    CHECK(sio_client_process(w.cl, NULL, 1) == SIO_ERR_INVALID);
    CHECK(turns(&w, &w.connected, 5000));
    CHECK(w.connected);
    none[0].fd = -7;
    n = sio_client_fds(w.cl, none, 0, &timeout);
    CHECK(n >= 1 && (int)none[0].fd == -7);   /* a SOCKET, unsigned, on Windows */
    {
        struct pollfd fds[CAP];
        timeout = -1;
        CHECK(sio_client_fds(w.cl, fds, CAP, &timeout) == n);
        CHECK(timeout >= 0);   /* connected: the heartbeat watchdog is a timer */
        CHECK(sio_client_process(w.cl, fds, 0) == SIO_OK);
    }
    snprintf(name, sizeof name, "server and client in one poll(): connect (%s)", transports);
    group(name);

    sio_msg_init(&m);
    sio_json_str(&m.w, "through one loop");
    CHECK(sio_client_emit_ack(w.cs, "echo", &m, 3000, cl_acked, &w) == SIO_OK);
    sio_msg_free(&m);
    CHECK(turns(&w, &w.acked, 5000));
    CHECK(w.acked == 1 && strcmp(w.ack_text, "through one loop") == 0);
    CHECK(sio_client_emit_json(w.cs, "echo", "[1]") == SIO_OK);
    CHECK(turns(&w, &w.got_back, 5000));
    CHECK(w.got_back == 1);
    CHECK(reserved_refused == 8 && sio_client_connected(w.cs));
    CHECK(sio_client_emit_json(w.cs, "disconnecting", "[]") == SIO_ERR_INVALID);
    reserved_refused = 0;
    snprintf(name, sizeof name, "an acked emit and an event each way, reserved names refused (%s)", transports);
    group(name);

    /* a broadcast with acks: our client answers "roll", ignores "never" */
    sio_client_on(w.cs, "roll", cl_answer, NULL);
    bcast_calls = 0;
    CHECK(sio_broadcast_ack(sio_of(w.srv, "/"), NULL, "roll", NULL, 3000, on_bcast_done, NULL) == SIO_OK);
    CHECK(bcast_calls == 0);                 /* never from inside the call */
    CHECK(turns(&w, &bcast_calls, 5000));
    CHECK(bcast_calls == 1 && bcast_err == SIO_OK && bcast_n == 1 && strcmp(bcast_first, "here") == 0);
    CHECK(sio_broadcast_ack(sio_of(w.srv, "/"), NULL, "roll", NULL, 0, on_bcast_done, NULL) == SIO_ERR_INVALID);
    CHECK(sio_broadcast_ack(sio_of(w.srv, "/"), NULL, "connect", NULL, 100, on_bcast_done, NULL) == SIO_ERR_INVALID);
    bcast_calls = 0;
    CHECK(sio_broadcast_ack(sio_of(w.srv, "/"), NULL, "never", NULL, 150, on_bcast_done, NULL) == SIO_OK);
    CHECK(turns(&w, &bcast_calls, 5000));
    CHECK(bcast_calls == 1 && bcast_err == SIO_ERR_TIMEOUT && bcast_n == 0);
    /* one still waiting when the server goes: SIO_ERR_CLOSED, nothing leaked */
    bcast_calls = 0;
    CHECK(sio_broadcast_ack(sio_of(w.srv, "/"), NULL, "never", NULL, 60000, on_bcast_done, NULL) == SIO_OK);
    CHECK(turns(&w, NULL, 50));
    sio_client_destroy(w.cl);
    sio_server_destroy(w.srv);
    CHECK(bcast_calls == 1 && bcast_err == SIO_ERR_CLOSED);
    snprintf(name, sizeof name, "broadcast with acks: all answered, timed out, server destroyed (%s)", transports);
    group(name);
}

/* ---- timers (sio_server_timer, sio_client_timer) ---- */

typedef struct tcount {
    int fired, stop_after;
    sio_timer *self;
} tcount;

static void t_tick(sio_timer *t, void *user) {
    tcount *c = (tcount *)user;
    c->fired++;
    if (c->stop_after && c->fired == c->stop_after) sio_timer_cancel(t);   /* from inside its own fn */
}

static void timers(void) {
    world w;
    sio_server_desc sd;
    sio_client_desc cd;
    tcount once, every, stopped, outside, conce, cevery;
    sio_timer *t;
    int never = 0;
    memset(&w, 0, sizeof w);
    memset(&sd, 0, sizeof sd);
    memset(&cd, 0, sizeof cd);
    memset(&once, 0, sizeof once);
    memset(&every, 0, sizeof every);
    memset(&stopped, 0, sizeof stopped);
    memset(&outside, 0, sizeof outside);
    memset(&conce, 0, sizeof conce);
    memset(&cevery, 0, sizeof cevery);
    sd.host = "127.0.0.1";
    w.srv = sio_server_create(&sd, NULL);
    cd.url = "http://127.0.0.1:9";   /* nothing answers there: only the client's loop matters */
    cd.no_reconnection = 1;
    w.cl = sio_client_create(&cd, NULL);
    CHECK(w.srv && w.cl);
    if (!w.srv || !w.cl) return;
    CHECK(sio_server_timer(w.srv, 0, 0, NULL, NULL) == NULL && sio_server_timer(NULL, 1, 0, t_tick, &once) == NULL);
    CHECK(sio_server_timer(w.srv, -1, 0, t_tick, &once) == NULL);
    CHECK(sio_server_timer(w.srv, 50, 0, t_tick, &once) != NULL);            /* setTimeout */
    CHECK(sio_server_timer(w.srv, 20, 20, t_tick, &every) != NULL);          /* setInterval */
    stopped.stop_after = 3;
    CHECK(sio_server_timer(w.srv, 10, 10, t_tick, &stopped) != NULL);       /* stops itself */
    t = sio_server_timer(w.srv, 10, 10, t_tick, &outside);
    CHECK(t != NULL);
    CHECK(sio_client_timer(w.cl, 30, 0, t_tick, &conce) != NULL);
    CHECK(sio_client_timer(w.cl, 25, 25, t_tick, &cevery) != NULL);
    turns(&w, &never, 45);
    sio_timer_cancel(t);                                                    /* from outside */
    outside.stop_after = outside.fired;
    turns(&w, &never, 300);
    CHECK(once.fired == 1 && conce.fired == 1);
    CHECK(every.fired >= 8 && every.fired <= 18);
    CHECK(cevery.fired >= 6 && cevery.fired <= 15);
    CHECK(stopped.fired == 3);
    CHECK(outside.fired == outside.stop_after && outside.fired >= 2);
    /* timers still running go with their server and client */
    sio_client_destroy(w.cl);
    sio_server_destroy(w.srv);
    group("timers: once, repeating, cancelled from inside and outside, server and client");
}

int main(void) {
    timers();
    run("websocket");
    run("polling");
    run("auto");        /* polling, then the upgrade to WebSocket */
    printf("# pass %d\n# fail %d\n", n_pass, n_fail);
    return n_fail > 0 ? 1 : 0;
}
