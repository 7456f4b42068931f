/* echo_events.h - the echo contract's event handlers, shared by the
   servers the interop tests drive: examples/echo.c and the examples that
   attach to a host (attach_microhttpd.c, loop_libuv.c). Include it after
   socketio.h (with SOCKETIO_IMPLEMENTATION); echo_install() puts them on
   "/" and "/custom":

     on connect         emits "auth" with the CONNECT payload ({} when none);
                        a socket that came back with its state (connection
                        state recovery) gets "recovered" first
     auth {"deny": R}   refused with CONNECT_ERROR {"message": R}
     E with an ack      acknowledged with the same arguments (to, broadcast,
                        ask and ask-all: with none)
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
   and the cluster events of tests/node/echo_server.mjs (issue 14), which
   span every server once echo runs with --redis (a "room" argument may
   be null: no room filter, a room, or an array of rooms: their union):
     whoami             "whoami-back" [{port, pid}] (or the ack, if asked)
     except [room, ev, ...], to-local [room, ev, ...]  the namespace but
                        room's members; room's members on this server only
     fetch [room]       "fetch-back" [err, [{id, rooms, auth}]] sorted by id
     rooms              "rooms-back" [err, [room...]] sorted
     sockets-join [room, r], sockets-leave [room, r], disconnect-sockets
                        [room, close]   on every server's sockets in room
     acks [room, ms, ev, ...]  as ask-all, "acks-back" [err, answers]: the
                        first argument of each ack, in arrival order
     server-emit [...], server-ask [...]  the server-side event "echo" to
                        the other servers; "server-ask-back" [err, answers
                        sorted by port, then pid]
     server-side "echo" [...]  "server-echo" [...] to this server's sockets
                        of the namespace; answered {port, pid, args} */
#ifndef ECHO_EVENTS_H
#define ECHO_EVENTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>   /* getpid */

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
    to.local = 1;
    if (err != SIO_ERR_CLOSED) sio_broadcast(nsp, &to, "ask-all-back", &m);
    sio_msg_free(&m);
    free(q);
}

/* ---- the cluster events ---- */

#define ECHO_MAX_ROOMS 16
typedef struct echo_target {
    sio_bcast to;
    const char *names[ECHO_MAX_ROOMS];
    char buf[ECHO_MAX_ROOMS][256];
} echo_target;

/* Argument i as a target: null (every socket), a room, or an array of rooms. */
static void target_of(const sio_args *a, size_t i, echo_target *t) {
    sio_json v, r;
    sio_json_iter it;
    size_t n = 0;
    memset(t, 0, sizeof *t);
    if (sio_args_get(a, i, &v) != SIO_OK || v.type == SIO_JSON_NULL) return;
    if (v.type == SIO_JSON_ARRAY) {
        sio_json_iter_init(&it, v);
        while (n < ECHO_MAX_ROOMS && sio_json_iter_next(&it, NULL, &r)) sio_json_strcpy(r, t->buf[n++], sizeof t->buf[0]);
    } else if (v.type == SIO_JSON_STRING) {
        sio_json_strcpy(v, t->buf[n++], sizeof t->buf[0]);
    } else {
        snprintf(t->buf[n++], sizeof t->buf[0], "%.*s", (int)v.len, v.ptr);   /* a number, as Node's rooms may be */
    }
    for (i = 0; i < n; i++) t->names[i] = t->buf[i];
    t->to.rooms = n ? t->names : NULL;
    t->to.nrooms = n;
}

/* A "-back" reply to one socket of this server (its own room), later. */
typedef struct echo_later {
    char sid[64];
    sio_server *srv;
} echo_later;

static echo_later *later_for(sio_socket *s, sio_server *srv) {
    echo_later *l = (echo_later *)calloc(1, sizeof *l);
    if (l) {
        snprintf(l->sid, sizeof l->sid, "%s", sio_socket_id(s));
        l->srv = srv;
    }
    return l;
}

static void later_send(sio_namespace *nsp, echo_later *l, const char *event, sio_msg *m) {
    const char *rooms[1];
    sio_bcast to;
    memset(&to, 0, sizeof to);
    rooms[0] = l->sid;
    to.rooms = rooms;
    to.nrooms = 1;
    to.local = 1;
    sio_broadcast(nsp, &to, event, m);
    free(l);
}

static void err_arg(sio_msg *m, int err) {
    if (err == SIO_OK) sio_json_null(&m->w);
    else sio_json_str(&m->w, err == SIO_ERR_TIMEOUT ? "timeout" : sio_strerror(err));
}

static void me_json(sio_json_writer *w, sio_server *srv) {
    sio_json_key(w, "port");
    sio_json_int(w, sio_server_port(srv));
    sio_json_key(w, "pid");
    sio_json_int(w, (long long)getpid());
}

static int cmp_str(const void *x, const void *y) {
    const sio_str *a = (const sio_str *)x, *b = (const sio_str *)y;
    int c = memcmp(a->ptr, b->ptr, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int cmp_socket(const void *x, const void *y) {
    return cmp_str(&((const sio_remote_socket *)x)->id, &((const sio_remote_socket *)y)->id);
}

static void on_fetched(sio_namespace *nsp, int err, const sio_remote_socket *ss, size_t n, void *user) {
    sio_remote_socket *sorted = (sio_remote_socket *)malloc((n ? n : 1) * sizeof *sorted);
    sio_msg m;
    size_t i;
    sio_msg_init(&m);
    err_arg(&m, err);
    sio_json_arr_begin(&m.w);
    if (sorted && n && err != SIO_ERR_TIMEOUT) {
        memcpy(sorted, ss, n * sizeof *ss);
        qsort(sorted, n, sizeof *sorted, cmp_socket);
        for (i = 0; i < n; i++) {
            sio_str rooms[64];
            size_t k = 0, j;
            sio_json_iter it;
            sio_json r, auth;
            sio_json_obj_begin(&m.w);
            sio_json_key(&m.w, "id");
            sio_json_str_n(&m.w, sorted[i].id.ptr, sorted[i].id.len);
            sio_json_key(&m.w, "rooms");
            sio_json_iter_init(&it, sorted[i].rooms);
            while (k < 64 && sio_json_iter_next(&it, NULL, &r)) rooms[k++] = sio_json_raw_str(r);
            qsort(rooms, k, sizeof *rooms, cmp_str);
            sio_json_arr_begin(&m.w);
            for (j = 0; j < k; j++) sio_json_str_n(&m.w, rooms[j].ptr, rooms[j].len);
            sio_json_arr_end(&m.w);
            sio_json_key(&m.w, "auth");
            if (sio_json_get(sorted[i].handshake, "auth", &auth) == SIO_OK) sio_json_raw(&m.w, auth.ptr, auth.len);
            else sio_json_raw(&m.w, "{}", 2);
            sio_json_obj_end(&m.w);
        }
    }
    sio_json_arr_end(&m.w);
    free(sorted);
    later_send(nsp, (echo_later *)user, "fetch-back", &m);
    sio_msg_free(&m);
}

static void on_rooms(sio_namespace *nsp, int err, const sio_str *rooms, size_t n, void *user) {
    sio_msg m;
    size_t i;
    sio_msg_init(&m);
    err_arg(&m, err);
    sio_json_arr_begin(&m.w);
    for (i = 0; i < n; i++) sio_json_str_n(&m.w, rooms[i].ptr, rooms[i].len);
    sio_json_arr_end(&m.w);
    later_send(nsp, (echo_later *)user, "rooms-back", &m);
    sio_msg_free(&m);
}

static void on_acks(sio_namespace *nsp, int err, const sio_bcast_reply *replies, size_t n, void *user) {
    sio_msg m;
    size_t i;
    sio_msg_init(&m);
    err_arg(&m, err);
    sio_json_arr_begin(&m.w);
    for (i = 0; i < n; i++) {
        sio_json first;
        sio_str bytes;
        if (sio_args_get(&replies[i].args, 0, &first) != SIO_OK) sio_json_null(&m.w);
        else if (sio_args_bin(&replies[i].args, first, &bytes)) sio_msg_bin(&m, bytes.ptr, bytes.len);   /* kept binary */
        else sio_json_raw(&m.w, first.ptr, first.len);
    }
    sio_json_arr_end(&m.w);
    later_send(nsp, (echo_later *)user, "acks-back", &m);
    sio_msg_free(&m);
}

static long long json_int_of(sio_json obj, const char *key) {
    sio_json v;
    return sio_json_get(obj, key, &v) == SIO_OK ? sio_json_integer(v) : 0;
}

static int cmp_answer(const void *x, const void *y) {
    sio_json a = *(const sio_json *)x, b = *(const sio_json *)y;
    long long d = json_int_of(a, "port") - json_int_of(b, "port");
    if (!d) d = json_int_of(a, "pid") - json_int_of(b, "pid");
    return (d > 0) - (d < 0);
}

static void on_server_answers(sio_namespace *nsp, int err, const sio_json *answers, size_t n, void *user) {
    sio_json *sorted = (sio_json *)malloc((n ? n : 1) * sizeof *sorted);
    sio_msg m;
    size_t i;
    sio_msg_init(&m);
    err_arg(&m, err);
    sio_json_arr_begin(&m.w);
    if (sorted && n) {
        memcpy(sorted, answers, n * sizeof *answers);
        qsort(sorted, n, sizeof *sorted, cmp_answer);
        for (i = 0; i < n; i++) sio_json_raw(&m.w, sorted[i].ptr, sorted[i].len);
    }
    sio_json_arr_end(&m.w);
    free(sorted);
    later_send(nsp, (echo_later *)user, "server-ask-back", &m);
    sio_msg_free(&m);
}

/* The server-side event "echo", from another server or the emitter. */
static void on_server_echo(sio_namespace *nsp, const char *event, const sio_args *args, sio_server_ack *ack, void *user) {
    sio_bcast to;
    sio_msg m;
    (void)event;
    memset(&to, 0, sizeof to);
    to.local = 1;
    args_from(&m, args, 0);
    sio_broadcast(nsp, &to, "server-echo", &m);
    sio_msg_free(&m);
    if (ack) {
        size_t i;
        sio_json v;
        sio_msg_init(&m);
        sio_json_obj_begin(&m.w);
        me_json(&m.w, (sio_server *)user);
        sio_json_key(&m.w, "args");
        sio_json_arr_begin(&m.w);
        for (i = 0; i < args->count; i++)
            if (sio_args_get(args, i, &v) == SIO_OK) sio_json_raw(&m.w, v.ptr, v.len);
        sio_json_arr_end(&m.w);
        sio_json_obj_end(&m.w);
        sio_server_event_ack(ack, &m);
        sio_msg_free(&m);
    }
}

/* The cluster events above: 1 when name was one of them. */
static int cluster_event(const sio_event *ev, const char *name, sio_server *srv) {
    sio_socket *s = ev->socket;
    sio_namespace *nsp = sio_socket_nsp(s);
    char event[SIO_MAX_EVENT_LEN + 1], room[256];
    echo_target t;
    sio_msg m;
    sio_json v;
    echo_later *l;
    if (strcmp(name, "whoami") == 0) {
        sio_msg_init(&m);
        sio_json_obj_begin(&m.w);
        me_json(&m.w, srv);
        sio_json_obj_end(&m.w);
        if (ev->ack_id >= 0) sio_ack(s, ev->ack_id, &m);
        else sio_emit(s, "whoami-back", &m);
        sio_msg_free(&m);
        return 1;
    }
    if ((strcmp(name, "except") == 0 || strcmp(name, "to-local") == 0) && ev->args.count >= 2) {
        target_of(&ev->args, 0, &t);
        if (name[0] == 'e') {   /* the rooms become the exceptions */
            t.to.except = t.to.rooms;
            t.to.nexcept = t.to.nrooms;
            t.to.rooms = NULL;
            t.to.nrooms = 0;
        } else {
            t.to.local = 1;
        }
        sio_args_strcpy(&ev->args, 1, event, sizeof event);
        args_from(&m, &ev->args, 2);
        sio_broadcast(nsp, &t.to, event, &m);
        sio_msg_free(&m);
    } else if (strcmp(name, "fetch") == 0) {
        target_of(&ev->args, 0, &t);
        if ((l = later_for(s, srv)) && sio_fetch_sockets(nsp, &t.to, on_fetched, l) != SIO_OK) free(l);
    } else if (strcmp(name, "rooms") == 0) {
        if ((l = later_for(s, srv)) && sio_all_rooms(nsp, on_rooms, l) != SIO_OK) free(l);
    } else if ((strcmp(name, "sockets-join") == 0 || strcmp(name, "sockets-leave") == 0) && ev->args.count >= 2) {
        target_of(&ev->args, 0, &t);
        sio_args_strcpy(&ev->args, 1, room, sizeof room);
        if (name[8] == 'j') sio_sockets_join(nsp, &t.to, room);
        else sio_sockets_leave(nsp, &t.to, room);
    } else if (strcmp(name, "disconnect-sockets") == 0) {
        target_of(&ev->args, 0, &t);
        /* acked after, as Node does: not at all if the sender was among them */
        sio_disconnect_sockets(nsp, &t.to, sio_args_get(&ev->args, 1, &v) == SIO_OK && v.type == SIO_JSON_TRUE);
    } else if (strcmp(name, "acks") == 0 && ev->args.count >= 3) {
        const char *except[1];
        target_of(&ev->args, 0, &t);
        if (!t.to.rooms) {   /* null: everyone but the sender */
            except[0] = sio_socket_id(s);
            t.to.except = except;
            t.to.nexcept = 1;
        }
        sio_args_get(&ev->args, 1, &v);
        sio_args_strcpy(&ev->args, 2, event, sizeof event);
        args_from(&m, &ev->args, 3);
        if ((l = later_for(s, srv)) &&
            sio_broadcast_ack(nsp, &t.to, event, &m, (int)sio_json_integer(v), on_acks, l) != SIO_OK)
            free(l);
        sio_msg_free(&m);
    } else if (strcmp(name, "server-emit") == 0) {
        args_from(&m, &ev->args, 0);
        sio_server_emit(nsp, "echo", &m);
        sio_msg_free(&m);
    } else if (strcmp(name, "server-ask") == 0) {
        args_from(&m, &ev->args, 0);
        if ((l = later_for(s, srv)) && sio_server_emit_ack(nsp, "echo", &m, 5000, on_server_answers, l) != SIO_OK)
            free(l);
        sio_msg_free(&m);
    } else {
        return 0;
    }
    if (ev->ack_id >= 0) sio_ack(s, ev->ack_id, NULL);   /* under way */
    return 1;
}

static void on_any(const sio_event *ev, void *user) {
    sio_socket *s = ev->socket;
    char name[SIO_MAX_EVENT_LEN + 1], arg0[512];
    sio_msg m;
    memcpy(name, ev->name.ptr, ev->name.len);   /* names are at most SIO_MAX_EVENT_LEN bytes */
    name[ev->name.len] = '\0';
    if (cluster_event(ev, name, (sio_server *)user)) return;

    if (strcmp(name, "join") == 0 || strcmp(name, "leave") == 0) {
        sio_args_strcpy(&ev->args, 0, arg0, sizeof arg0);
        if (name[0] == 'j') sio_join(s, arg0);
        else sio_leave(s, arg0);
    } else if (strcmp(name, "to") == 0 && ev->args.count >= 2) {
        char event[SIO_MAX_EVENT_LEN + 1];
        echo_target t;
        target_of(&ev->args, 0, &t);
        sio_args_strcpy(&ev->args, 1, event, sizeof event);
        args_from(&m, &ev->args, 2);
        sio_broadcast(sio_socket_nsp(s), &t.to, event, &m);
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

    /* every event: acked with its arguments (the commands to, broadcast,
       ask and ask-all with none, as the reference server does), or echoed
       as "<name>-back" */
    args_from(&m, &ev->args, 0);
    if (ev->ack_id >= 0) {
        int command = !strcmp(name, "to") || !strcmp(name, "broadcast") || !strcmp(name, "ask") || !strcmp(name, "ask-all");
        sio_ack(s, ev->ack_id, command ? NULL : &m);
    } else if (strcmp(name, "join") && strcmp(name, "leave") && strcmp(name, "to") && strcmp(name, "broadcast") &&
               strcmp(name, "ask") && strcmp(name, "ask-all")) {
        char back[SIO_MAX_EVENT_LEN + 8];
        snprintf(back, sizeof back, "%s-back", name);
        sio_emit(s, back, &m);
    }
    sio_msg_free(&m);
}

/* The handlers on "/" and "/custom"; disconnect (may be NULL) hears every
   socket that goes. SIO_OK, or the first error. */
static int echo_install(sio_server *srv, sio_disconnect_fn disconnect) {
    static const char *const nsps[2] = {"/", "/custom"};
    int i, rc = SIO_OK;
    for (i = 0; i < 2 && rc == SIO_OK; i++) {
        sio_namespace *nsp = sio_of(srv, nsps[i]);
        if (!nsp) return SIO_ERR_NOMEM;
        rc = sio_use(nsp, check_auth, NULL);
        if (rc == SIO_OK) rc = sio_on_connection(nsp, on_connection, NULL);
        if (rc == SIO_OK) rc = sio_on(nsp, "*", on_any, srv);
        if (rc == SIO_OK) rc = sio_on_server_event(nsp, "echo", on_server_echo, srv);
        if (rc == SIO_OK && disconnect) rc = sio_on_disconnect(nsp, disconnect, NULL);
    }
    return rc;
}

#endif
