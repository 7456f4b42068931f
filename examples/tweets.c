/* tweets.c - the server pushes a "tweet" to every client once a second.

   Browser side:  io().on("tweet", (t) => console.log(t.user, t.text));
   Build: cc -std=c99 -O2 -I.. tweets.c -o tweets   Run: ./tweets [--port 3000] [--host 0.0.0.0] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    static const char *const users[] = {"ada", "grace", "linus", "ken", "dennis"};
    static const char *const words[] = {"shipping", "a", "tiny", "realtime", "server", "in", "C", "today"};
    sio_server_desc d;
    sio_server *srv;
    unsigned long n = 0;
    time_t last = 0;
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
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    for (;;) {
        sio_server_poll(srv, 200);
        if (time(NULL) != last) {          /* once a second: a tweet for everyone */
            char text[128];
            sio_msg m;
            last = time(NULL);
            snprintf(text, sizeof text, "%s %s %s #%lu", words[n % 8], words[(n / 8 + 3) % 8],
                     words[(n * 5 + 1) % 8], n);
            sio_msg_init(&m);
            sio_json_obj_begin(&m.w);
            sio_json_key(&m.w, "user");
            sio_json_str(&m.w, users[n % 5]);
            sio_json_key(&m.w, "text");
            sio_json_str(&m.w, text);
            sio_json_key(&m.w, "id");
            sio_json_int(&m.w, (long long)n++);
            sio_json_obj_end(&m.w);
            sio_broadcast(sio_of(srv, "/"), NULL, "tweet", &m);  /* encoded once for all */
            sio_msg_free(&m);
        }
    }
}
