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
     disconnect-me      the server disconnects that socket */
#ifndef ECHO_EVENTS_H
#define ECHO_EVENTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (rc == SIO_OK) rc = sio_on(nsp, "*", on_any, NULL);
        if (rc == SIO_OK && disconnect) rc = sio_on_disconnect(nsp, disconnect, NULL);
    }
    return rc;
}

#endif
