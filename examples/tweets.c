/* tweets.c - every client gets a "tweet" once a second until it leaves,
   as the seed's first example: a timer per socket, started when it
   connects and stopped when it disconnects.

   Browser side:  io().on("tweet", (t) => console.log(t.user, t.text));
   Build: cc -std=c99 -O2 -I.. tweets.c -o tweets   Run: ./tweets [--port 3000] [--host 0.0.0.0] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const users[] = {"ada", "grace", "linus", "ken", "dennis"};
static const char *const words[] = {"shipping", "a", "tiny", "realtime", "server", "in", "C", "today"};
static unsigned long n;

static void tweet(sio_timer *t, void *user) {
    sio_socket *s = (sio_socket *)user;
    char text[128];
    sio_msg m;
    (void)t;
    snprintf(text, sizeof text, "%s %s %s #%lu", words[n % 8], words[(n / 8 + 3) % 8], words[(n * 5 + 1) % 8], n);
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "user");
    sio_json_str(&m.w, users[n % 5]);
    sio_json_key(&m.w, "text");
    sio_json_str(&m.w, text);
    sio_json_key(&m.w, "id");
    sio_json_int(&m.w, (long long)n++);
    sio_json_obj_end(&m.w);
    sio_emit(s, "tweet", &m);
    sio_msg_free(&m);
}

/* setInterval(() => socket.emit("tweet", ...), 1000) */
static void on_connection(sio_socket *s, void *user) {
    sio_server *srv = (sio_server *)user;
    sio_socket_set_data(s, sio_server_timer(srv, 1000, 1000, tweet, s));
}

/* clearInterval: the socket pointer dies after this handler */
static void on_disconnect(sio_socket *s, const char *reason, void *user) {
    (void)reason;
    (void)user;
    sio_timer_cancel((sio_timer *)sio_socket_data(s));
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    int err, i;

    memset(&d, 0, sizeof d);
    d.port = 3000;
    for (i = 1; i + 1 < argc; i += 2) {           /* --port N, --host H */
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
    }
    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "tweets: %s\n", sio_strerror(err));
        return 1;
    }
    sio_on_connection(sio_of(srv, "/"), on_connection, srv);
    sio_on_disconnect(sio_of(srv, "/"), on_disconnect, NULL);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    return sio_server_run(srv) == SIO_OK ? 0 : 1;
}
