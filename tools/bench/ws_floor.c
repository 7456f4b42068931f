/* ws_floor.c - the floor of the benchmarks: a raw WebSocket echo server.

   No Engine.IO, no Socket.IO, no timers: an epoll loop, the HTTP upgrade,
   and per readable socket one read() and at most one write(). What it
   costs per message is what the kernel, the loopback and the framing
   cost on this machine; a Socket.IO server cannot do less work.

   Messages (all text frames, as tools/bench/loadgen.c --raw sends them):
     "J"        join the broadcast group; echoed back as the join's ack
     "B..."     written once framed, then to every member of the group
     anything   echoed back unchanged
   Memory per idle connection is the struct below plus the kernel's socket
   buffers: the unparsed tail of a read is the only thing ever kept.

   Build: cc -std=c99 -O2 -I../.. ws_floor.c -o ws_floor  (Linux only: epoll)
   Run:   ws_floor [--port N]   (127.0.0.1 only; N = 0 picks a free port; prints "listening on port N") */
#define _GNU_SOURCE
#define SIO_NO_CLIENT
#define SOCKETIO_IMPLEMENTATION
#include "../../socketio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define FL_SCRATCH (1u << 20)

typedef struct fconn {
    int fd, upgraded, member, want_out, dead;
    unsigned char *left;          /* unparsed tail of the last read */
    size_t left_len;
    char *out;                    /* what the kernel did not take yet */
    size_t out_len;
    sio_ws_reader rd;
} fconn;

typedef struct floor_srv {
    int ep, lfd;
    unsigned char *scratch;
    sio_buf reply;                /* all replies produced by one read */
    sio_buf bcast;
    fconn **members;
    size_t nmembers, members_cap;
    fconn **dead;                 /* closed at the end of the epoll batch */
    size_t ndead, dead_cap;
} floor_srv;

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void ep_mod(floor_srv *f, fconn *c, unsigned events) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(f->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void fc_close(floor_srv *f, fconn *c) {
    size_t i;
    if (c->member)
        for (i = 0; i < f->nmembers; i++)
            if (f->members[i] == c) {
                f->members[i] = f->members[--f->nmembers];
                break;
            }
    epoll_ctl(f->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    sio_ws_reader_free(&c->rd);
    free(c->left);
    free(c->out);
    free(c);
}

/* A write error on a broadcast member must not free it while the current
   epoll batch may still name it: it is marked and closed after the batch. */
static void fc_defer_close(floor_srv *f, fconn *c) {
    if (c->dead) return;
    c->dead = 1;
    if (f->ndead == f->dead_cap) {
        f->dead_cap = f->dead_cap ? 2 * f->dead_cap : 64;
        f->dead = (fconn **)realloc(f->dead, f->dead_cap * sizeof *f->dead);
        if (!f->dead) exit(1);
    }
    f->dead[f->ndead++] = c;
}

/* One write; a remainder waits for EPOLLOUT. Returns -1 on a dead peer. */
static int fc_write(floor_srv *f, fconn *c, const void *data, size_t n) {
    const char *p = (const char *)data;
    if (c->out_len == 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fc_defer_close(f, c);
                return -1;
            }
            w = 0;
        }
        p += w;
        n -= (size_t)w;
        if (n == 0) return 0;
    }
    c->out = (char *)realloc(c->out, c->out_len + n);
    if (!c->out) exit(1);
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    if (!c->want_out) {
        c->want_out = 1;
        ep_mod(f, c, EPOLLIN | EPOLLOUT);
    }
    return 0;
}

static size_t fc_upgrade(floor_srv *f, fconn *c, const unsigned char *buf, size_t len, int *dead) {
    sio_http_msg m;
    int status = 400, rc = sio_http_parse_request((const char *)buf, len, &m, &status);
    char accept[29], head[256];
    sio_str key;
    int n;
    if (rc == 0) return 0;
    if (rc < 0 || !m.upgrade_websocket) goto bad;
    key = sio_http_header_get(&m, "Sec-WebSocket-Key");
    if (!key.ptr || sio_ws_accept_key(key.ptr, key.len, accept) != SIO_OK) goto bad;
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: %s\r\n\r\n",
                 accept);
    c->upgraded = 1;
    if (fc_write(f, c, head, (size_t)n) != 0) *dead = 1;
    return (size_t)rc;
bad:
    n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                 sio_http_reason(status));
    if (send(c->fd, head, (size_t)n, MSG_NOSIGNAL) < 0) { /* closing anyway */
    }
    fc_close(f, c);
    *dead = 1;
    return len;
}

static void fc_readable(floor_srv *f, fconn *c) {
    unsigned char *buf = f->scratch;
    size_t have = c->left_len, pos = 0;
    ssize_t n;
    int dead = 0;
    if (have) memcpy(buf, c->left, have);
    n = recv(c->fd, buf + have, FL_SCRATCH - have, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        fc_close(f, c);
        return;
    }
    have += (size_t)n;
    if (!c->upgraded) {
        pos = fc_upgrade(f, c, buf, have, &dead);
        if (dead) return;
    }
    sio_buf_reset(&f->reply);
    while (c->upgraded) {
        sio_ws_msg msg;
        int r = sio_ws_read(&c->rd, buf + pos, have - pos, &msg);
        if (r < 0) {
            sio_ws_append_close(&f->reply, c->rd.error_code, NULL, NULL);
            if (send(c->fd, f->reply.data, f->reply.len, MSG_NOSIGNAL) < 0) { /* closing anyway */
            }
            fc_close(f, c);
            return;
        }
        pos += (size_t)r;
        if (msg.kind == SIO_WS_NONE) {
            if (r == 0) break;
            continue;
        }
        switch (msg.kind) {
        case SIO_WS_TEXT:
        case SIO_WS_BINARY:
            if (msg.len >= 1 && msg.data[0] == 'B') {
                /* framed once, then one write per member */
                size_t i;
                sio_buf_reset(&f->bcast);
                sio_ws_append_frame(&f->bcast, msg.kind == SIO_WS_TEXT ? SIO_WS_OP_TEXT : SIO_WS_OP_BINARY,
                                    msg.data, msg.len, NULL);
                for (i = 0; i < f->nmembers; i++)
                    if (f->members[i] != c && !f->members[i]->dead)
                        fc_write(f, f->members[i], f->bcast.data, f->bcast.len);
                break;
            }
            if (msg.len == 1 && msg.data[0] == 'J' && !c->member) {
                if (f->nmembers == f->members_cap) {
                    f->members_cap = f->members_cap ? 2 * f->members_cap : 64;
                    f->members = (fconn **)realloc(f->members, f->members_cap * sizeof *f->members);
                    if (!f->members) exit(1);
                }
                f->members[f->nmembers++] = c;
                c->member = 1;
            }
            sio_ws_append_frame(&f->reply, msg.kind == SIO_WS_TEXT ? SIO_WS_OP_TEXT : SIO_WS_OP_BINARY, msg.data,
                                msg.len, NULL);
            break;
        case SIO_WS_PING:
            sio_ws_append_frame(&f->reply, SIO_WS_OP_PONG, msg.data, msg.len, NULL);
            break;
        case SIO_WS_CLOSE:
            sio_ws_append_close(&f->reply, 1000, NULL, NULL);
            if (send(c->fd, f->reply.data, f->reply.len, MSG_NOSIGNAL) < 0) { /* closing anyway */
            }
            fc_close(f, c);
            return;
        default:
            break;
        }
    }
    if (f->reply.len && fc_write(f, c, f->reply.data, f->reply.len) != 0) return;
    c->left_len = have - pos;
    if (c->left_len) {
        c->left = (unsigned char *)realloc(c->left, c->left_len);
        if (!c->left) exit(1);
        memcpy(c->left, buf + pos, c->left_len);
    } else if (c->left) {
        free(c->left);
        c->left = NULL;
    }
}

static void fc_writable(floor_srv *f, fconn *c) {
    ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) fc_defer_close(f, c);
        return;
    }
    memmove(c->out, c->out + w, c->out_len - (size_t)w);
    c->out_len -= (size_t)w;
    if (c->out_len == 0) {
        c->want_out = 0;
        ep_mod(f, c, EPOLLIN);
    }
}

static void accept_all(floor_srv *f) {
    for (;;) {
        struct epoll_event ev;
        fconn *c;
        int one = 1, fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or EMFILE: the backlog keeps them */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = (fconn *)calloc(1, sizeof *c);
        if (!c) exit(1);
        c->fd = fd;
        c->rd.expect_masked = 1;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

int main(int argc, char **argv) {
    floor_srv F, *f = &F;
    struct sockaddr_in sa;
    struct epoll_event ev, evs[512];
    struct sigaction sig;
    struct rlimit rl;
    socklen_t sl = sizeof sa;
    int port = 0, one = 1, i;

    for (i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
    memset(f, 0, sizeof *f);
    memset(&sig, 0, sizeof sig);
    sig.sa_handler = on_signal;
    sigaction(SIGINT, &sig, NULL);
    sigaction(SIGTERM, &sig, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    f->scratch = (unsigned char *)malloc(FL_SCRATCH);
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* benchmarks stay on loopback */
    sa.sin_port = htons((uint16_t)port);
    if (!f->scratch || f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(f->lfd, 4096) != 0) {
        fprintf(stderr, "ws_floor: cannot listen on %d: %s\n", port, strerror(errno));
        return 1;
    }
    getsockname(f->lfd, (struct sockaddr *)&sa, &sl);
    f->ep = epoll_create1(EPOLL_CLOEXEC);
    ev.events = EPOLLIN;
    ev.data.ptr = NULL; /* the listener */
    epoll_ctl(f->ep, EPOLL_CTL_ADD, f->lfd, &ev);
    printf("listening on port %d\n", ntohs(sa.sin_port));
    fflush(stdout);
    while (!stop_requested) {
        int n = epoll_wait(f->ep, evs, 512, 1000);
        for (i = 0; i < n; i++) {
            fconn *c = (fconn *)evs[i].data.ptr;
            if (!c) {
                accept_all(f);
                continue;
            }
            if (c->dead) continue;
            if (evs[i].events & EPOLLOUT) {
                fc_writable(f, c);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) fc_readable(f, c);
        }
        while (f->ndead) fc_close(f, f->dead[--f->ndead]);
    }
    return 0;
}
