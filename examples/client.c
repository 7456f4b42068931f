/* client.c - a C client for the chat demo (examples/chat.c), or any server
   speaking the same events.

   Joins the room under a name, sends every line typed on standard input as
   a "message", and prints what the room says. Reconnects by itself if the
   server goes away; lines typed meanwhile, or before the first connection,
   are sent once it is back, after its join.

   Build: cc -std=c99 -O2 -I.. client.c -o client
   Run:   ./client [URL] [NAME]        (default http://localhost:3000, "c-client") */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "poll_stdin.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define CLIENT_FDS 16

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* Prints the "name" and "text" members of an object argument. */
static void print_message(const sio_client_event *ev, void *user) {
    char name[64], text[1024];
    sio_json obj, v;
    (void)user;
    if (sio_args_get(&ev->args, 0, &obj) != SIO_OK) return;
    name[0] = text[0] = 0;
    if (sio_json_get(obj, "name", &v) == SIO_OK) sio_json_strcpy(v, name, sizeof name);
    if (sio_json_get(obj, "text", &v) == SIO_OK) sio_json_strcpy(v, text, sizeof text);
    printf("%s: %s\n", name, text);
    fflush(stdout);
}

static void print_notice(const sio_client_event *ev, void *user) {
    char name[64];
    sio_json obj, v;
    (void)user;
    name[0] = 0;
    if (sio_args_get(&ev->args, 0, &obj) == SIO_OK && sio_json_get(obj, "name", &v) == SIO_OK)
        sio_json_strcpy(v, name, sizeof name);
    printf("* %s %.*s\n", name, (int)ev->name.len, ev->name.ptr);
    fflush(stdout);
}

/* Who we are, and whether a "join" already waits among the held emits. */
typedef struct chat_user {
    const char *name;
    int join_held;
} chat_user;

static void join(sio_client_socket *s, const char *name) {
    sio_msg m;
    sio_msg_init(&m);
    sio_json_str(&m.w, name);
    sio_client_emit(s, "join", &m);
    sio_msg_free(&m);
}

/* (Re)join on every connect: the server forgets names when we go. Emits
   made while offline are held and go out as soon as the connection is
   up, before this runs; the chat drops messages from a socket that has
   not joined, so a line typed offline is held behind a held "join"
   (main), and then this one is not sent twice. */
static void on_connect(sio_client_socket *s, void *user) {
    chat_user *u = (chat_user *)user;
    if (!u->join_held) join(s, u->name);
    u->join_held = 0;
    fprintf(stderr, "client: connected over %s\n", sio_client_transport(sio_client_socket_client(s)));
}

static void on_disconnect(sio_client_socket *s, const char *reason, void *user) {
    (void)s;
    (void)user;
    fprintf(stderr, "client: disconnected (%s), reconnecting\n", reason);
}

static void on_connect_error(sio_client_socket *s, const char *message, const char *data, void *user) {
    (void)s;
    (void)data;
    (void)user;
    fprintf(stderr, "client: cannot connect: %s\n", message);
}

int main(int argc, char **argv) {
    const char *url = argc > 1 ? argv[1] : "http://localhost:3000";
    chat_user user;
    char line[2048];
    size_t used = 0;
    int stdin_open = 1, err;
    sio_client_desc d;
    sio_client *c;
    sio_client_socket *s;

    user.name = argc > 2 ? argv[2] : "c-client";
    user.join_held = 0;
    memset(&d, 0, sizeof d);
    d.url = url;
    c = sio_client_create(&d, &err);
    if (!c) {
        fprintf(stderr, "client: %s: %s\n", url, sio_strerror(err));
        return 1;
    }
    s = sio_client_socket_open(c, "/", NULL);
    sio_client_on_connect(s, on_connect, &user);
    sio_client_on_disconnect(s, on_disconnect, NULL);
    sio_client_on_connect_error(s, on_connect_error, NULL);
    sio_client_on(s, "message", print_message, NULL);
    sio_client_on(s, "joined", print_notice, NULL);
    sio_client_on(s, "left", print_notice, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* One wait for standard input and the client's sockets (the step
       API, and poll_stdin.h): a typed line goes out at once, the client's
       timers stay on time. A client needs a handful of descriptors: its
       connection, an upgrade probe or a second polling request, a DNS
       query. Slot 0 is standard input. */
    while (!stop_requested && !sio_client_closed(c)) {
        struct pollfd fds[1 + CLIENT_FDS];
        int timeout = -1, n;
        n = sio_client_fds(c, fds + 1, CLIENT_FDS, &timeout);
        if (n < 0 || n > CLIENT_FDS) {
            fprintf(stderr, "client: %s\n", n < 0 ? sio_strerror(n) : "more descriptors than expected");
            break;
        }
        if (poll_stdin(fds, n, timeout, stdin_open) < 0) continue;   /* a signal: look at stop_requested */
        sio_client_process(c, fds + 1, n);
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(0, line + used, sizeof line - 1 - used);
            char *nl;
            if (r <= 0) {
                stdin_open = 0;       /* keep listening after standard input ends */
                continue;
            }
            used += (size_t)r;
            while ((nl = (char *)memchr(line, '\n', used)) != NULL) {
                sio_msg m;
                if (!sio_client_socket_id(s)[0] && !user.join_held) {   /* offline: held, after a join */
                    join(s, user.name);
                    user.join_held = 1;
                }
                sio_msg_init(&m);
                sio_json_str_n(&m.w, line, (size_t)(nl - line));
                sio_client_emit(s, "message", &m);   /* held while disconnected */
                sio_msg_free(&m);
                used -= (size_t)(nl + 1 - line);
                memmove(line, nl + 1, used);
            }
            if (used == sizeof line - 1) used = 0;
        }
    }
    sio_client_destroy(c);
    return 0;
}
