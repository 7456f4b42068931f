/* attach_accept.c - Socket.IO on the port of a server that runs its own
   accept() loop and reads its own requests, the smallest host there is.

   The program accepts connections and reads request heads itself (with
   the library's HTTP parser, sio_http_parse_request). Its own pages are
   answered here; the first request under /socket.io/ hands the whole
   connection over, socket and the bytes read so far, with
   sio_server_adopt: polling and WebSocket alike, the library then serves
   every later request on it (its other paths through on_http, which
   gives the same pages). This is also how a host's "take over the
   connection" hook is used.

   The Socket.IO events are those of echo.c (echo_events.h).

   Build: cc -std=c99 -O2 -I.. attach_accept.c -o attach_accept
   Run:   ./attach_accept [--host H] [--port 3000] [--ping-interval MS] [--ping-timeout MS] */
#define _DEFAULT_SOURCE
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "echo_events.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The program's own sockets. Windows has the same calls in Winsock 2
   (socketio.h included it) but for these few; Winsock must also be
   started before the first socket (the library starts it for its own
   servers and clients, but the listener here comes first). */
#ifdef _WIN32
typedef ULONG nfds_t;
#define poll(fds, n, ms) WSAPoll(fds, (ULONG)(n), ms)
#define MSG_NOSIGNAL 0   /* no SIGPIPE there: send() raises no signal */
static int start_sockets(void) {
    WSADATA wsa;
    return WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
}
static void close_socket(int fd) { closesocket((SOCKET)fd); }
static void set_nonblock(int fd) {
    u_long on = 1;
    ioctlsocket((SOCKET)fd, FIONBIO, &on);
}
/* the call failed for now only: no bytes yet */
static int try_again(void) { return WSAGetLastError() == WSAEWOULDBLOCK; }
static const char *socket_error(void) {
    static char text[32];
    snprintf(text, sizeof text, "Winsock error %d", WSAGetLastError());
    return text;
}
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
static int start_sockets(void) { return 1; }
static void close_socket(int fd) { close(fd); }
static void set_nonblock(int fd) { fcntl(fd, F_SETFL, O_NONBLOCK); }
/* the call failed for now only: no bytes yet, or a signal came */
static int try_again(void) { return errno == EAGAIN || errno == EINTR; }
static const char *socket_error(void) { return strerror(errno); }
#endif

#define MAX_FDS 4096
#define MAX_OWN 256        /* connections still read by the program itself */
#define HEAD_MAX 16384     /* a longer request head is refused */
#define HOST_NAME "accept loop"

static const char page[] =
    "<!doctype html><meta charset=utf-8><title>attached</title>\n"
    "<p>Socket.IO attached to " HOST_NAME ", on this page's port.</p>\n"
    "<pre id=log></pre>\n"
    "<script src=\"/socket.io/socket.io.js\"></script>\n"
    "<script>\n"
    "  const log = (t) => { document.getElementById('log').textContent += t + '\\n'; };\n"
    "  const socket = io();\n"
    "  socket.on('connect', () => socket.emit('echo', 'hello', (a) => log('ack: ' + a)));\n"
    "</script>\n";
static const char not_found[] = "no page here (" HOST_NAME ")\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* A connection the program reads itself, until it is handed over. */
typedef struct own {
    int fd;
    size_t len;
    char head[HEAD_MAX];
} own;

static own *conns[MAX_OWN];

static void own_close(int i) {
    close_socket(conns[i]->fd);
    free(conns[i]);
    conns[i] = NULL;
}

/* The program's pages. Small answers to a blocking-free socket: a short
   write closes the connection rather than queueing (enough for a page). */
static int answer(int fd, int status, const char *ctype, const char *body, size_t len) {
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n\r\n", status,
                     sio_http_reason(status), ctype, (unsigned long)len);
    return send(fd, head, (size_t)n, MSG_NOSIGNAL) == n && send(fd, body, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int page_for(int fd, sio_str path) {
    if (path.len == 1 && path.ptr[0] == '/') return answer(fd, 200, "text/html; charset=utf-8", page, sizeof page - 1);
    return answer(fd, 404, "text/plain", not_found, sizeof not_found - 1);
}

/* The same pages on connections the library took over. */
static void on_http(sio_http_request *req, void *user) {
    (void)user;
    if (req->msg->path.len == 1 && req->msg->path.ptr[0] == '/')
        sio_http_respond(req, 200, "text/html; charset=utf-8", page, sizeof page - 1, NULL);
    else
        sio_http_respond(req, 404, "text/plain", not_found, sizeof not_found - 1, NULL);
}

/* New bytes on connection i: answer whole requests, or hand it over. */
static void own_read(sio_server *srv, int i) {
    own *c = conns[i];
    ssize_t r = recv(c->fd, c->head + c->len, sizeof c->head - c->len, 0);
    if (r <= 0) {
        if (r == 0 || !try_again()) own_close(i);
        return;
    }
    c->len += (size_t)r;
    for (;;) {
        sio_http_msg m;
        int hl = sio_http_parse_request(c->head, c->len, &m, NULL);
        if (hl == 0 && c->len == sizeof c->head) hl = -1;
        if (hl == 0) return;   /* more to come */
        if (hl < 0) {
            answer(c->fd, 400, "text/plain", "Bad Request", 11);
            own_close(i);
            return;
        }
        if (m.path.len >= 11 && memcmp(m.path.ptr, "/socket.io/", 11) == 0) {
            /* the body, read or not, goes with the connection */
            int rc = sio_server_adopt(srv, c->fd, c->head, c->len);
            if (rc != SIO_OK) {
                fprintf(stderr, "attach_accept: cannot hand a connection over: %s\n", sio_strerror(rc));
                own_close(i);   /* refused: still ours to close */
                return;
            }
            free(c);   /* the socket is the library's now */
            conns[i] = NULL;
            return;
        }
        if (m.content_length > 0 || page_for(c->fd, m.path) != 0 || !m.keep_alive) {   /* pages take no bodies */
            own_close(i);
            return;
        }
        memmove(c->head, c->head + hl, c->len - (size_t)hl);
        c->len -= (size_t)hl;
    }
}

static void own_accept(int lfd) {
    int i, fd = accept(lfd, NULL, NULL);
    if (fd < 0) return;
    set_nonblock(fd);
    for (i = 0; i < MAX_OWN && conns[i]; i++) {
    }
    if (i == MAX_OWN || !(conns[i] = (own *)calloc(1, sizeof *conns[i]))) {
        close_socket(fd);
        return;
    }
    conns[i]->fd = fd;
}

static void usage(void) {
    fprintf(stderr, "usage: attach_accept [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]\n");
}

int main(int argc, char **argv) {
    static struct pollfd fds[MAX_FDS];
    static int slot_of[MAX_OWN];
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    sio_server_desc d;
    sio_server *srv;
    const char *host = "127.0.0.1";
    int i, err, lfd, one = 1, port = 3000;

    memset(&d, 0, sizeof d);
    d.no_listen = 1;   /* the port is the program's */
    d.on_http = on_http;
    for (i = 1; i < argc; i += 2) {   /* options all take a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(a, "--port") == 0) port = atoi(v);
        else if (strcmp(a, "--host") == 0) host = v;
        else if (strcmp(a, "--ping-interval") == 0) d.ping_interval_ms = atoi(v);
        else if (strcmp(a, "--ping-timeout") == 0) d.ping_timeout_ms = atoi(v);
        else {
            usage();
            return 2;
        }
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (!start_sockets()) {
        fprintf(stderr, "attach_accept: no sockets: %s\n", socket_error());
        return 1;
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(lfd, 128) != 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "attach_accept: cannot listen on %s port %d: %s\n", host, port, socket_error());
        return 1;
    }
    srv = sio_server_create(&d, &err);
    if (!srv || echo_install(srv, NULL) != SIO_OK) {
        fprintf(stderr, "attach_accept: %s\n", sio_strerror(srv ? SIO_ERR_NOMEM : err));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
#ifdef SIGPIPE
    signal(SIGPIPE, SIG_IGN);
#endif
    printf("listening on port %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    while (!stop_requested) {
        int timeout = 1000, n, k = 1, base;
        /* the listener, the program's own connections, then the library's */
        fds[0].fd = lfd;
        fds[0].events = POLLIN;
        for (i = 0; i < MAX_OWN; i++) {
            if (!conns[i]) continue;
            fds[k].fd = conns[i]->fd;
            fds[k].events = POLLIN;
            slot_of[i] = k++;
        }
        base = k;
        n = sio_server_fds(srv, fds + base, MAX_FDS - base, &timeout);
        if (n < 0 || n > MAX_FDS - base) {
            fprintf(stderr, "attach_accept: too many connections for this example's array\n");
            break;
        }
        for (i = 0; i < base; i++) fds[i].revents = 0;
        if (poll(fds, (nfds_t)(base + n), timeout) < 0 && errno != EINTR) break;
        sio_server_process(srv, fds + base, n);
        for (i = 0; i < MAX_OWN; i++)
            if (conns[i] && slot_of[i] < base && (int)fds[slot_of[i]].fd == conns[i]->fd && fds[slot_of[i]].revents)
                own_read(srv, i);
        if (fds[0].revents & POLLIN) own_accept(lfd);
    }
    for (i = 0; i < MAX_OWN; i++)
        if (conns[i]) own_close(i);
    sio_server_destroy(srv);
    close_socket(lfd);
    return 0;
}
