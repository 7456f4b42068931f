/* echo.c - the reference echo server the interop tests and benchmarks use.

   /socket.io/ (namespaces "/" and "/custom"):
     on connect         emits "auth" with the CONNECT payload ({} when none);
                        with --recovery-ms, a socket that came back with its
                        state (connection state recovery) gets "recovered" first
     auth {"deny": R}   refused with CONNECT_ERROR {"message": R}
     E with an ack      acknowledged with the same arguments
     E without an ack   answered with "E-back" and the same arguments
     join/leave [room]  change rooms (acked with the room name if asked)
     to [room, ev, ...] emits ev with the rest to everyone in room
     broadcast [ev,...] emits to everyone in the namespace but the sender
     ask [ev, ...]      emits ev to the sender with an ack request (5 s);
                        its answer comes back as "ask-back" (["timeout"] if none)
     ask-all [room, ms, ev, ...]  broadcasts ev with the rest to room (null:
                        everyone but the sender) asking each for an ack within
                        ms; then "ask-all-back" [err, replies] goes to the
                        sender: err null, "timeout" or "closed"; replies
                        [{"id": socket id, "args": [...], "bins": [base64...]}]
     disconnect-me      the server disconnects that socket
   /engine.io/: a bare Engine.IO endpoint sending every message back.

   Build: cc -std=c99 -O2 -I.. echo.c -o echo
   Run:   ./echo --port 3000 */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* Refuse connections whose auth payload carries "deny": "reason". */
static int check_auth(sio_socket *s, sio_json auth, const char **message, const char **data, void *user) {
    static char reason[256];   /* used before the middleware returns */
    sio_json deny;
    (void)s;
    (void)data;
    (void)user;
    if (sio_json_get(auth, "deny", &deny) != SIO_OK) return 0;
    if (deny.type == SIO_JSON_STRING) sio_json_strcpy(deny, reason, sizeof reason);
    else snprintf(reason, sizeof reason, "%.*s", (int)deny.len, deny.ptr);
    *message = reason;
    return 1;
}

static void on_connection(sio_socket *s, void *user) {
    sio_json auth = sio_socket_auth(s);
    sio_msg m;
    (void)user;
    if (sio_socket_recovered(s)) sio_emit_json(s, "recovered", "[true]");
    sio_msg_init(&m);
    sio_json_raw(&m.w, auth.ptr, auth.len);
    sio_emit(s, "auth", &m);
    sio_msg_free(&m);
}

/* A message holding arguments from..count-1 of an event (binary kept). */
static void args_from(sio_msg *m, const sio_args *a, size_t from) {
    size_t i;
    sio_json v;
    sio_msg_init(m);
    for (i = from; i < a->count; i++)
        if (sio_args_get(a, i, &v) == SIO_OK) sio_json_raw(&m->w, v.ptr, v.len);
    for (i = 0; i < a->nbins; i++) m->bins[i] = a->bins[i];
    m->nbins = (int)a->nbins;
}

static void on_ask_reply(sio_socket *s, int err, const sio_args *args, void *user) {
    sio_msg m;
    (void)user;
    if (err == SIO_ERR_CLOSED) return;
    if (err == SIO_ERR_TIMEOUT) {
        sio_emit_json(s, "ask-back", "[\"timeout\"]");
        return;
    }
    args_from(&m, args, 0);
    sio_emit(s, "ask-back", &m);
    sio_msg_free(&m);
}

/* ask-all: the sender's id, to find it again when the answers are in */
typedef struct ask_all {
    char requester[64];
} ask_all;

static void on_ask_all_done(sio_namespace *nsp, int err, const sio_bcast_reply *replies, size_t n, void *user) {
    ask_all *q = (ask_all *)user;
    const char *rooms[1];
    sio_bcast to;
    sio_msg m;
    size_t i, k;
    sio_msg_init(&m);
    if (err == SIO_OK) sio_json_null(&m.w);
    else sio_json_str(&m.w, err == SIO_ERR_TIMEOUT ? "timeout" : err == SIO_ERR_CLOSED ? "closed" : sio_strerror(err));
    sio_json_arr_begin(&m.w);
    for (i = 0; i < n; i++) {
        sio_json_obj_begin(&m.w);
        sio_json_key(&m.w, "id");
        sio_json_str(&m.w, replies[i].socket_id);
        sio_json_key(&m.w, "args");
        sio_json_raw(&m.w, replies[i].args.array.ptr, replies[i].args.array.len);
        sio_json_key(&m.w, "bins");
        sio_json_arr_begin(&m.w);
        for (k = 0; k < replies[i].args.nbins; k++) {
            sio_buf b64;
            memset(&b64, 0, sizeof b64);
            sio_base64_buf(&b64, replies[i].args.bins[k].ptr, replies[i].args.bins[k].len);
            sio_json_str_n(&m.w, b64.data ? b64.data : "", b64.len);
            sio_buf_free(&b64);
        }
        sio_json_arr_end(&m.w);
        sio_json_obj_end(&m.w);
    }
    sio_json_arr_end(&m.w);
    rooms[0] = q->requester;   /* every socket is in a room named by its id */
    memset(&to, 0, sizeof to);
    to.rooms = rooms;
    to.nrooms = 1;
    if (err != SIO_ERR_CLOSED) sio_broadcast(nsp, &to, "ask-all-back", &m);
    sio_msg_free(&m);
    free(q);
}

static void on_any(const sio_event *ev, void *user) {
    sio_socket *s = ev->socket;
    char name[SIO_MAX_EVENT_LEN + 1], arg0[512];
    sio_msg m;
    (void)user;
    memcpy(name, ev->name.ptr, ev->name.len);   /* names are at most SIO_MAX_EVENT_LEN bytes */
    name[ev->name.len] = '\0';

    if (strcmp(name, "join") == 0 || strcmp(name, "leave") == 0) {
        sio_args_strcpy(&ev->args, 0, arg0, sizeof arg0);
        if (name[0] == 'j') sio_join(s, arg0);
        else sio_leave(s, arg0);
    } else if (strcmp(name, "to") == 0 && ev->args.count >= 2) {
        char event[SIO_MAX_EVENT_LEN + 1];
        const char *rooms[1];
        sio_bcast to;
        sio_args_strcpy(&ev->args, 0, arg0, sizeof arg0);
        sio_args_strcpy(&ev->args, 1, event, sizeof event);
        rooms[0] = arg0;
        memset(&to, 0, sizeof to);
        to.rooms = rooms;
        to.nrooms = 1;
        args_from(&m, &ev->args, 2);
        sio_broadcast(sio_socket_nsp(s), &to, event, &m);
        sio_msg_free(&m);
    } else if (strcmp(name, "broadcast") == 0 && ev->args.count >= 1) {
        char event[SIO_MAX_EVENT_LEN + 1];
        const char *except[1];
        sio_bcast to;
        sio_args_strcpy(&ev->args, 0, event, sizeof event);
        except[0] = sio_socket_id(s);
        memset(&to, 0, sizeof to);
        to.except = except;
        to.nexcept = 1;
        args_from(&m, &ev->args, 1);
        sio_broadcast(sio_socket_nsp(s), &to, event, &m);
        sio_msg_free(&m);
    } else if (strcmp(name, "ask") == 0 && ev->args.count >= 1) {
        char event[SIO_MAX_EVENT_LEN + 1];
        sio_args_strcpy(&ev->args, 0, event, sizeof event);
        args_from(&m, &ev->args, 1);
        sio_emit_ack(s, event, &m, 5000, on_ask_reply, NULL);
        sio_msg_free(&m);
    } else if (strcmp(name, "ask-all") == 0 && ev->args.count >= 3) {
        char event[SIO_MAX_EVENT_LEN + 1];
        const char *rooms[1], *except[1];
        sio_json ms;
        sio_bcast to;
        ask_all *q = (ask_all *)calloc(1, sizeof *q);
        int rc = SIO_ERR_NOMEM;
        sio_args_get(&ev->args, 1, &ms);
        sio_args_strcpy(&ev->args, 0, arg0, sizeof arg0);
        sio_args_strcpy(&ev->args, 2, event, sizeof event);
        memset(&to, 0, sizeof to);
        if (arg0[0]) {
            rooms[0] = arg0;
            to.rooms = rooms;
            to.nrooms = 1;
        } else {
            except[0] = sio_socket_id(s);
            to.except = except;
            to.nexcept = 1;
        }
        args_from(&m, &ev->args, 3);
        if (q) {
            snprintf(q->requester, sizeof q->requester, "%s", sio_socket_id(s));
            rc = sio_broadcast_ack(sio_socket_nsp(s), &to, event, &m, (int)sio_json_integer(ms), on_ask_all_done, q);
            if (rc != SIO_OK) free(q);
        }
        sio_msg_free(&m);
        if (rc != SIO_OK) {
            sio_msg_init(&m);
            sio_json_str(&m.w, sio_strerror(rc));
            sio_json_arr_begin(&m.w);
            sio_json_arr_end(&m.w);
            sio_emit(s, "ask-all-back", &m);
            sio_msg_free(&m);
        }
    } else if (strcmp(name, "disconnect-me") == 0) {
        sio_disconnect(s);
        return;
    }

    /* every event: acked with its arguments, or echoed as "<name>-back" */
    args_from(&m, &ev->args, 0);
    if (ev->ack_id >= 0) {
        sio_ack(s, ev->ack_id, &m);
    } else if (strcmp(name, "join") && strcmp(name, "leave") && strcmp(name, "to") && strcmp(name, "broadcast") &&
               strcmp(name, "ask") && strcmp(name, "ask-all")) {
        char back[SIO_MAX_EVENT_LEN + 8];
        snprintf(back, sizeof back, "%s-back", name);
        sio_emit(s, back, &m);
    }
    sio_msg_free(&m);
}

/* The bare Engine.IO endpoint: every message goes back as it came. */
static void engine_echo(sio_engine_conn *c, const void *data, size_t len, int binary, void *user) {
    (void)user;
    sio_engine_send(c, data, len, binary);
}

/* --print-disconnects: one line per socket that goes, with Node's reason */
static void print_disconnect(sio_socket *s, const char *reason, void *user) {
    printf("disconnect %s %s %s\n", sio_namespace_name(sio_socket_nsp(s)), sio_socket_id(s), reason);
    fflush(stdout);
    (void)user;
}

static void log_stderr(sio_log_level level, const char *msg, void *user) {
    (void)user;
    fprintf(stderr, "echo: %s: %s\n", sio_log_level_name(level), msg);
}

static void usage(void) {
    fprintf(stderr, "usage: echo [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]\n"
                    "            [--max-payload BYTES] [--connect-timeout MS] [--recovery-ms MS] [--cors ORIGIN]\n"
                    "            [--max-connections N] [--http-timeout MS] [--max-output BYTES] [--max-packets N]\n"
                    "            [--max-headers N] [--max-header-bytes N] [--max-request-line N]\n"
                    "            [--max-attachments N] [--max-json-depth N]\n"
                    "            [--allow-eio3] [--cors-credentials] [--print-disconnects] [--log] [-v]\n"
                    "            [--tls-cert PEM --tls-key PEM]   (TLS builds: build/tls/echo)\n");
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    const char *nsps[2] = {"/", "/custom"};
    struct sigaction sa;
    int i, err, print_disconnects = 0;

    memset(&d, 0, sizeof d);
    d.port = 3000;
    d.engine_path = "/engine.io/";
    d.engine.on_message = engine_echo;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--cors-credentials") == 0) {
            d.cors_credentials = 1;
            continue;
        }
        if (strcmp(a, "--allow-eio3") == 0) {   /* socket.io 2 clients too */
            d.allow_eio3 = 1;
            continue;
        }
        if (strcmp(a, "--print-disconnects") == 0) {
            print_disconnects = 1;
            continue;
        }
        if (strcmp(a, "-v") == 0) {   /* every packet both ways, raw and decoded */
            d.logger.fn = log_stderr;
            d.logger.level = SIO_LOG_TRACE;
            continue;
        }
        if (strcmp(a, "--log") == 0) {   /* the library's default level: refusals of bad input */
            d.logger.fn = log_stderr;
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
        else if (strcmp(a, "--max-payload") == 0) d.max_payload = atol(v);
        else if (strcmp(a, "--connect-timeout") == 0) d.connect_timeout_ms = atoi(v);
        else if (strcmp(a, "--recovery-ms") == 0) d.recovery_ms = atoi(v);
        else if (strcmp(a, "--cors") == 0) d.cors_origin = v;
        else if (strcmp(a, "--max-connections") == 0) d.max_connections = atoi(v);
        else if (strcmp(a, "--http-timeout") == 0) d.http_timeout_ms = atoi(v);
        else if (strcmp(a, "--max-output") == 0) d.max_output = (size_t)atol(v);
        else if (strcmp(a, "--max-packets") == 0) d.max_packets_per_payload = atoi(v);
        else if (strcmp(a, "--max-headers") == 0) d.max_http_headers = atoi(v);
        else if (strcmp(a, "--max-header-bytes") == 0) d.max_http_header_bytes = atoi(v);
        else if (strcmp(a, "--max-request-line") == 0) d.max_request_line = atoi(v);
        else if (strcmp(a, "--max-attachments") == 0) d.max_attachments = atoi(v);
        else if (strcmp(a, "--max-json-depth") == 0) d.max_json_depth = atoi(v);
        else if (strcmp(a, "--tls-cert") == 0) d.tls.cert_file = v;   /* needs SIO_TLS_BEARSSL */
        else if (strcmp(a, "--tls-key") == 0) d.tls.key_file = v;
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (!d.logger.fn) {
        d.logger.fn = log_stderr;
        d.logger.level = SIO_LOG_WARN;
    }

    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "echo: cannot start: %s\n", sio_strerror(err));
        return 1;
    }
    for (i = 0; i < 2; i++) {
        sio_namespace *nsp = sio_of(srv, nsps[i]);
        sio_use(nsp, check_auth, NULL);
        sio_on_connection(nsp, on_connection, NULL);
        sio_on(nsp, "*", on_any, NULL);
        if (print_disconnects) sio_on_disconnect(nsp, print_disconnect, NULL);
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    while (!stop_requested) sio_server_poll(srv, 1000);
    sio_server_destroy(srv);
    return 0;
}
