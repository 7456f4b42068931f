/* own_loop.c - the library stepped from your own poll() loop, beside a
   descriptor of your own (here standard input).

   Every line typed on standard input is sent to all clients as "line";
   every "say" event from a client is printed on standard output.
   Build: cc -std=c99 -O2 -I.. own_loop.c -o own_loop   Run: ./own_loop [--port 3000] [--host 0.0.0.0] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "poll_stdin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FDS 1024

static void on_say(const sio_event *ev, void *user) {
    char text[1024];
    (void)user;
    sio_args_strcpy(&ev->args, 0, text, sizeof text);
    printf("%s: %s\n", sio_socket_id(ev->socket), text);
    fflush(stdout);
}

int main(int argc, char **argv) {
    static struct pollfd fds[MAX_FDS];
    char line[4096];
    size_t used = 0;
    sio_server_desc d;
    sio_server *srv;
    int err, i, stdin_open = 1;

    memset(&d, 0, sizeof d);
    d.port = 3000;
    for (i = 1; i + 1 < argc; i += 2) {           /* --port N, --host H */
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
    }
    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "own_loop: %s\n", sio_strerror(err));
        return 1;
    }
    sio_on(sio_of(srv, "/"), "say", on_say, NULL);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);

    for (;;) {
        int timeout = 1000, n;
        /* slot 0 is ours (standard input, filled by poll_stdin); the
           library fills the rest */
        n = sio_server_fds(srv, fds + 1, MAX_FDS - 1, &timeout);
        if (n < 0 || n > MAX_FDS - 1) {
            fprintf(stderr, "own_loop: too many connections for this example's array\n");
            return 1;
        }
        if (poll_stdin(fds, n, timeout, stdin_open) < 0) continue;
        sio_server_process(srv, fds + 1, n);

        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(0, line + used, sizeof line - 1 - used);
            char *nl;
            if (r <= 0) {
                stdin_open = 0;    /* keep serving after standard input ends */
                continue;
            }
            used += (size_t)r;
            while ((nl = (char *)memchr(line, '\n', used)) != NULL) {
                sio_msg m;
                sio_msg_init(&m);
                sio_json_str_n(&m.w, line, (size_t)(nl - line));
                sio_broadcast(sio_of(srv, "/"), NULL, "line", &m);
                sio_msg_free(&m);
                used -= (size_t)(nl + 1 - line);
                memmove(line, nl + 1, used);
            }
            if (used == sizeof line - 1) used = 0;  /* over-long line: dropped */
        }
    }
}
