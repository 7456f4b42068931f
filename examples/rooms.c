/* rooms.c - rooms: clients "enter" a room and "say" things heard only there.

   Browser side:
     const s = io();  s.emit("enter", "kitchen");  s.emit("say", "hello");
     s.on("said", (who, text) => ...);  s.on("count", (room, n) => ...)
   Build: cc -std=c99 -O2 -I.. rooms.c -o rooms   Run: ./rooms [--port 3000] [--host 0.0.0.0] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each socket remembers its room in its data pointer (a heap string). */
static void on_enter(const sio_event *ev, void *user) {
    sio_namespace *nsp = sio_socket_nsp(ev->socket);
    char room[64], *old = (char *)sio_socket_data(ev->socket), *copy;
    const char *rooms[1];
    sio_bcast to;
    sio_msg m;
    (void)user;
    if (sio_args_strcpy(&ev->args, 0, room, sizeof room) == 0 || !(copy = (char *)malloc(strlen(room) + 1))) return;
    if (old) {
        sio_leave(ev->socket, old);
        free(old);
    }
    sio_join(ev->socket, strcpy(copy, room));
    sio_socket_set_data(ev->socket, copy);
    /* everyone in the room learns how many it holds now */
    rooms[0] = room;
    memset(&to, 0, sizeof to);
    to.rooms = rooms;
    to.nrooms = 1;
    sio_msg_init(&m);
    sio_json_str(&m.w, room);
    sio_json_int(&m.w, (long long)sio_room_size(nsp, room));
    sio_broadcast(nsp, &to, "count", &m);
    sio_msg_free(&m);
    if (ev->ack_id >= 0) sio_ack(ev->socket, ev->ack_id, NULL);
}

static void on_say(const sio_event *ev, void *user) {
    const char *room = (const char *)sio_socket_data(ev->socket), *rooms[1];
    char text[1024];
    sio_bcast to;
    sio_msg m;
    (void)user;
    if (!room) return;
    sio_args_strcpy(&ev->args, 0, text, sizeof text);
    rooms[0] = room;
    memset(&to, 0, sizeof to);
    to.rooms = rooms;
    to.nrooms = 1;
    sio_msg_init(&m);
    sio_json_str(&m.w, sio_socket_id(ev->socket));
    sio_json_str(&m.w, text);
    sio_broadcast(sio_socket_nsp(ev->socket), &to, "said", &m);
    sio_msg_free(&m);
}

static void on_gone(sio_socket *s, const char *reason, void *user) {
    (void)reason;
    (void)user;
    free(sio_socket_data(s));   /* rooms are left automatically */
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    sio_namespace *nsp;
    int err, i;
    memset(&d, 0, sizeof d);
    d.port = 3000;
    for (i = 1; i + 1 < argc; i += 2) {           /* --port N, --host H */
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
    }
    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "rooms: %s\n", sio_strerror(err));
        return 1;
    }
    nsp = sio_of(srv, "/");
    sio_on(nsp, "enter", on_enter, NULL);
    sio_on(nsp, "say", on_say, NULL);
    sio_on_disconnect(nsp, on_gone, NULL);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    return sio_server_run(srv);
}
