/* client_heap.c - what one connected client socket costs a small device
   (issue 19, `make size`): the client-only build (SIO_NO_SERVER, no
   browser client) joins "/" of the server at URL over WebSocket, gets an
   acked echo through, and prints the heap it holds then (every byte the
   library asked its allocator for, live) and the most it ever held.

   Build: cc -std=c99 -Os -DSIO_NO_SERVER -DSIO_NO_CLIENT_JS -I../.. client_heap.c -o client_heap
   Run:   ./client_heap http://127.0.0.1:3000   (exit 0 once measured, 1 on failure within 10 s) */
#ifndef SIO_NO_SERVER
#define SIO_NO_SERVER
#endif
#ifndef SIO_NO_CLIENT_JS
#define SIO_NO_CLIENT_JS
#endif
#define SOCKETIO_IMPLEMENTATION
#include "../../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every block carries its size in front, so frees can be counted. */
typedef struct heap {
    size_t live, peak, blocks;
} heap;

#define HDR 16   /* keeps the block's alignment */

static void *h_alloc(size_t n, void *user) {
    heap *h = (heap *)user;
    unsigned char *p = (unsigned char *)malloc(n + HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    h->live += n;
    h->blocks++;
    if (h->live > h->peak) h->peak = h->live;
    return p + HDR;
}

static void h_free(void *ptr, void *user) {
    heap *h = (heap *)user;
    size_t n;
    if (!ptr) return;
    memcpy(&n, (unsigned char *)ptr - HDR, sizeof n);
    h->live -= n;
    h->blocks--;
    free((unsigned char *)ptr - HDR);
}

static void *h_realloc(void *ptr, size_t n, void *user) {
    heap *h = (heap *)user;
    size_t old = 0;
    unsigned char *p;
    if (!ptr) return h_alloc(n, user);
    memcpy(&old, (unsigned char *)ptr - HDR, sizeof old);
    p = (unsigned char *)realloc((unsigned char *)ptr - HDR, n + HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    h->live = h->live - old + n;
    if (h->live > h->peak) h->peak = h->live;
    return p + HDR;
}

static int acked;

static void on_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s, (void)args, (void)user;
    acked = err == SIO_OK ? 1 : -1;
}

static void on_connect(sio_client_socket *s, void *user) {
    (void)user;
    sio_client_emit_ack(s, "echo", NULL, 5000, on_ack, NULL);
}

int main(int argc, char **argv) {
    heap h;
    sio_client_desc d;
    sio_client *c;
    sio_client_socket *s;
    int err, i;
    memset(&h, 0, sizeof h);
    memset(&d, 0, sizeof d);
    if (argc < 2) {
        fprintf(stderr, "usage: client_heap URL\n");
        return 2;
    }
    d.url = argv[1];
    d.transports = "websocket";
    d.allocator.alloc_fn = h_alloc;
    d.allocator.realloc_fn = h_realloc;
    d.allocator.free_fn = h_free;
    d.allocator.user = &h;
    if (!(c = sio_client_create(&d, &err)) || !(s = sio_client_socket_open(c, "/", NULL))) {
        fprintf(stderr, "client_heap: %s\n", sio_strerror(err));
        return 1;
    }
    sio_client_on_connect(s, on_connect, NULL);
    for (i = 0; i < 1000 && !acked; i++) sio_client_poll(c, 10);
    if (acked != 1) {
        fprintf(stderr, "client_heap: no acked echo within 10 s\n");
        return 1;
    }
    sio_client_poll(c, 0);   /* the turn's output gone, its buffers back */
    printf("heap with one connected socket: %lu bytes in %lu blocks (peak %lu)\n", (unsigned long)h.live,
           (unsigned long)h.blocks, (unsigned long)h.peak);
    sio_client_destroy(c);
    if (h.live != 0) {
        fprintf(stderr, "client_heap: %lu bytes still held after destroy\n", (unsigned long)h.live);
        return 1;
    }
    return 0;
}
