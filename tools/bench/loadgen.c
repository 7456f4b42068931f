/* loadgen.c - load generator for the socketio.h benchmarks (issue 7).

   Speaks Engine.IO v4 / Socket.IO v5 over WebSocket (and HTTP long-polling)
   straight on raw non-blocking sockets driven by one epoll loop, so that a
   single core can saturate a server pinned to another core. The header is
   used only for its pure helpers: WebSocket framing, HTTP head parsing,
   MessagePack.

   Modes (--mode):
     echo     C connections (--conns) x W acked events in flight (--inflight)
              for D seconds (--duration): acks/s, p50/p99 latency.
              Each message is 42<id>["echo","<payload>"], answered 43<id>[..].
     idle     hold N connections (--conns), answering pings; RSS of the
              server sampled every --step connections.
     connect  N handshakes (--conns), --concurrency at a time: WebSocket
              open, "0{...}", send "40", wait "40{"sid"...}", then reset.
     fanout   N receivers (--conns) join room "r"; one sender emits
              42<id>["to","r","ev","<payload>"]; deliveries/s.
     polling  echo over HTTP long-polling (one GET and one POST connection
              per session).
     listen   (tools/bench/cluster.sh, issue 14) hold N connections
              (--conns) Socket.IO-connected to "/", answering pings; prints
              "ready conns=N" once all are up, then counts the events
              42["ev",<seq>] each connection receives and keeps, per seq,
              the CLOCK_MONOTONIC time of the first and the last arrival.
              Stops after --hold S seconds, once --count K broadcasts
              reached every connection, or on SIGTERM/SIGINT; then prints
              "bcast seq=S n=C first_ns=F last_ns=L" per seq and a result.
     send     one connection emits 42["broadcast","ev",<seq>] --count K
              times (the echo server sends it to every other socket of
              "/", across the cluster); before each, an idle window of
              --gap-ms G, after each, G for the deliveries. Prints
              "idle|sent|end seq=S t_ns=T cpu_ns=C" at each window's
              start: T CLOCK_MONOTONIC ns ("sent": of the emit), C the CPU
              of the --pids processes so far.
     stat     no connections: prints "stat t_ns=T cpu_ns=C rss_kb=R" for
              the --pids processes (summed) and exits.
   --pids P1,P2,..: the processes whose CPU (ns: the sum over their threads
   of /proc/P/task/T/schedstat, which is utime+stime at ns resolution;
   /proc/P/stat ticks if schedstat is missing) and VmRSS the last three
   modes sum. --src-base B: source addresses start at 127.0.0.(B+1), so
   several generators on one box use disjoint source ranges.
   --binary B (echo over WebSocket): each event carries one binary
   argument of B bytes instead of the text payload, in the packet encoding
   of --parser: default (451-<id>["echo",{"_placeholder":true,"num":0}]
   then a binary frame; the ack is 461-<id>[...] then a binary frame) or
   msgpack (one binary frame each way: {type:2, nsp:"/", id, data:["echo",
   <bin B>]} and {type:3, ...}, the CONNECT too).
   --raw: plain WebSocket messages for tools/bench/ws_floor.c (no Engine.IO,
   no Socket.IO): the same bytes are sent and the echo is parsed the same
   way, so the generator does the same work per message for every server.

   --pid P: the server's process id; its CPU time (utime+stime from
   /proc/P/stat) over the measured window and its VmRSS are reported.
   Output: "sample conns=N rss_kb=K" lines (idle) and one final line
   "result key=value ..." that tools/bench/run.sh parses.

   Build: cc -std=c99 -O2 -I../.. loadgen.c -o loadgen  (Linux only: epoll) */
#define _GNU_SOURCE
#define SIO_NO_CLIENT
#define SOCKETIO_IMPLEMENTATION
#include "../../socketio.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LG_SCRATCH (1u << 20)     /* shared read buffer: largest message + head */
#define LG_HIST_FINE 100000       /* 1 us buckets up to 100 ms ... */
#define LG_HIST_COARSE 10000      /* ... then 1 ms buckets up to 10 s */
#define LG_FANOUT_WINDOW 4        /* broadcasts not yet fully delivered */
#define LG_MAX_BCAST 4096         /* listen: broadcasts told apart by seq */
#define LG_MAX_PIDS 256

enum { M_ECHO, M_IDLE, M_CONNECT, M_FANOUT, M_POLLING, M_LISTEN, M_SEND, M_STAT };
enum {
    S_CONNECTING,   /* TCP connect in progress */
    S_HTTP,         /* waiting for the 101 (or an HTTP response when polling) */
    S_EIO_OPEN,     /* waiting for "0{...}" */
    S_SIO_CONNECT,  /* sent "40", waiting for "40{...}" */
    S_JOIN,         /* fanout receiver: sent join, waiting for its ack */
    S_READY,
    S_DEAD
};
enum { R_PLAIN, R_SENDER, R_RECEIVER, R_POLL_GET, R_POLL_POST };

typedef struct session session;

typedef struct conn {
    int fd, state, role;
    unsigned char *left;          /* unparsed tail of the last read */
    size_t left_len, left_cap;
    char *out;                    /* bytes the kernel did not take yet */
    size_t out_len, out_cap;
    int want_out;                 /* EPOLLOUT armed */
    sio_ws_reader rd;
    uint64_t *sent_at;            /* echo: send times, ring of W indexed by id */
    unsigned long long next_id, head_id;
    int inflight, to_send;
    unsigned long long bin_id;    /* --binary, default parser: the ack whose attachment is due */
    int bin_due;
    session *sess;                /* polling */
    int idx;
} conn;

struct session {                  /* one Engine.IO session over long-polling */
    conn *get, *post;
    char sid[64];
    int state;                    /* S_HTTP: handshake, S_SIO_CONNECT, S_READY */
    int post_busy;
    sio_buf queue;                /* packets waiting for the next POST, \x1e-joined */
    uint64_t *sent_at;
    unsigned long long next_id;
    int inflight;
};

typedef struct lg {
    int mode, raw;
    int binary, mp;               /* --binary B, --parser msgpack */
    const char *host, *path;
    int port, conns, inflight, concurrency, payload, step, settle_ms, nsrc;
    double duration, warmup, hold;
    int pid;
    int ep;
    unsigned char *scratch;
    conn **all;
    int nall;
    session *sess;
    int opened, ready, pending, failed, errors;
    int src_next, src_base;
    int pids[LG_MAX_PIDS], npids; /* --pids: listen, send, stat */
    int count;                    /* listen, send: broadcasts */
    double gap_ms;
    unsigned *bc_n;               /* listen: per seq, arrivals and first/last times */
    uint64_t *bc_first, *bc_last;
    int bc_complete;
    char req[512];                /* WebSocket upgrade request */
    size_t req_len;
    char accept[29];
    char pl[65536];               /* the payload text */
    /* measurement */
    int measuring;
    unsigned long long acks, deliveries, sent_bcast, handshakes;
    uint32_t *hist_fine, *hist_coarse;
    unsigned long long hist_n, hist_over;
    int stop_opening;
    uint64_t deadline;
    uint64_t t_read;              /* time of the last read, for the latencies of what it carried */
} lg;

static const unsigned char lg_mask[4] = {0x37, 0xfa, 0x21, 0x3d};
static const char lg_key[] = "dGhlIHNhbXBsZSBub25jZQ==";

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "loadgen: out of memory\n");
        exit(1);
    }
    return q;
}

/* ---- the server's figures from /proc ---- */

static double proc_cpu_s(int pid) {
    char path[64], line[1024], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;
    int field;
    if (pid <= 0) return 0;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (!(f = fopen(path, "r"))) return -1;
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
    /* the command name may hold spaces and parentheses: count from the last ')' */
    p = strrchr(line, ')');
    if (!p) return -1;
    p += 2;
    for (field = 3; field < 14 && p; field++) {
        p = strchr(p, ' ');
        if (p) p++;
    }
    if (!p || sscanf(p, "%llu %llu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(int pid) {
    char path[64], line[256];
    long kb = -1;
    FILE *f;
    if (pid <= 0) return 0;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (!(f = fopen(path, "r"))) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
    fclose(f);
    return kb;
}

/* CPU of a process in ns: the sum over its threads of the first field of
   /proc/P/task/T/schedstat (time on a CPU), else utime+stime ticks. */
static uint64_t proc_cpu_ns(int pid) {
    char path[96], line[128];
    uint64_t sum = 0;
    int any = 0;
    DIR *d;
    struct dirent *e;
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    if ((d = opendir(path)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            FILE *f;
            unsigned long long ns;
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            snprintf(path, sizeof path, "/proc/%d/task/%.20s/schedstat", pid, e->d_name);
            if (!(f = fopen(path, "r"))) continue;
            if (fgets(line, sizeof line, f) && sscanf(line, "%llu", &ns) == 1) {
                sum += ns;
                any = 1;
            }
            fclose(f);
        }
        closedir(d);
    }
    if (!any) {
        double s = proc_cpu_s(pid);
        return s > 0 ? (uint64_t)(s * 1e9) : 0;
    }
    return sum;
}

static uint64_t pids_cpu_ns(const lg *g) {
    uint64_t sum = 0;
    int i;
    for (i = 0; i < g->npids; i++) sum += proc_cpu_ns(g->pids[i]);
    return sum;
}

static long pids_rss_kb(const lg *g) {
    long sum = 0, r;
    int i;
    for (i = 0; i < g->npids; i++)
        if ((r = proc_rss_kb(g->pids[i])) > 0) sum += r;
    return sum;
}

static volatile sig_atomic_t lg_stop;
static void on_stop_signal(int sig) {
    (void)sig;
    lg_stop = 1;
}

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- latency histogram ---- */

static void hist_add(lg *g, uint64_t ns) {
    uint64_t us = ns / 1000u;
    if (!g->measuring) return;
    g->hist_n++;
    if (us < LG_HIST_FINE) g->hist_fine[us]++;
    else if (us / 1000u < LG_HIST_COARSE) g->hist_coarse[us / 1000u]++;
    else g->hist_over++;
}

static double hist_pct(const lg *g, double pct) {
    unsigned long long want = (unsigned long long)((double)g->hist_n * pct / 100.0), seen = 0;
    size_t i;
    if (g->hist_n == 0) return 0;
    if (want >= g->hist_n) want = g->hist_n - 1;
    for (i = 0; i < LG_HIST_FINE; i++)
        if ((seen += g->hist_fine[i]) > want) return (double)i;
    for (i = LG_HIST_FINE / 1000; i < LG_HIST_COARSE; i++)
        if ((seen += g->hist_coarse[i]) > want) return (double)i * 1000.0;
    return 1e7;
}

/* ---- sockets ---- */

static void raise_fd_limit(int need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur >= (rlim_t)need) return;
    rl.rlim_cur = (rlim_t)need;
    if (rl.rlim_max < (rlim_t)need) rl.rlim_max = (rlim_t)need; /* works as root */
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        fprintf(stderr, "loadgen: fd limit %llu (wanted %d)\n", (unsigned long long)rl.rlim_cur, need);
    }
}

static void ep_set(lg *g, conn *c, int op, unsigned events) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.ptr = c;
    if (epoll_ctl(g->ep, op, c->fd, &ev) != 0 && op != EPOLL_CTL_DEL) die("epoll_ctl");
}

/* A new non-blocking TCP connection. Past ~28 000 connections one source
   address runs out of ephemeral ports, so sources rotate over
   127.0.0.1..127.0.0.nsrc (all loopback on Linux). */
static conn *conn_open(lg *g, int role) {
    struct sockaddr_in sa, src;
    conn *c;
    int one = 1, fd;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return NULL;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (g->nsrc > 1) {
        memset(&src, 0, sizeof src);
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)g->src_base + (uint32_t)(g->src_next++ % g->nsrc));
#ifdef IP_BIND_ADDRESS_NO_PORT
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
        if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
            close(fd);
            return NULL;
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)g->port);
    if (inet_pton(AF_INET, g->host, &sa.sin_addr) != 1) {
        fprintf(stderr, "loadgen: --host must be an IPv4 address\n");
        exit(2);
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(fd);
        return NULL;
    }
    c = (conn *)calloc(1, sizeof *c);
    if (!c) exit(1);
    c->fd = fd;
    c->role = role;
    c->state = S_CONNECTING;
    c->rd.expect_masked = 0;
    c->rd.max_message = LG_SCRATCH - 64;
    if ((g->nall & (g->nall - 1)) == 0) /* grow at powers of two */
        g->all = (conn **)xrealloc(g->all, sizeof(conn *) * (size_t)(g->nall ? 2 * g->nall : 1));
    c->idx = g->nall;
    g->all[g->nall++] = c;
    ep_set(g, c, EPOLL_CTL_ADD, EPOLLOUT);
    return c;
}

static void conn_kill(lg *g, conn *c, int reset) {
    if (c->state == S_DEAD) return;
    if (reset) {
        /* RST instead of FIN: no TIME_WAIT, so connect storms do not eat
           the ephemeral port range. Both servers see a plain reset. */
        struct linger lin;
        lin.l_onoff = 1;
        lin.l_linger = 0;
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    }
    epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->state = S_DEAD;
    free(c->left);
    free(c->out);
    free(c->sent_at);
    c->left = NULL;
    c->out = NULL;
    c->sent_at = NULL;
    c->left_len = c->out_len = 0;
    sio_ws_reader_free(&c->rd);
}

/* A connection lost before the end: a failed handshake, or an error. */
static void conn_fail(lg *g, conn *c, const char *why) {
    if (c->state == S_DEAD) return;
    if (g->mode == M_POLLING) {
        fprintf(stderr, "loadgen: polling connection lost: %s\n", why);
        exit(1);
    }
    if (c->state < S_READY || c->state == S_JOIN) {
        if (g->failed == 0) fprintf(stderr, "loadgen: handshake failed: %s\n", why);
        g->failed++;
        g->pending--;
    } else if (g->mode != M_CONNECT) {
        if (g->errors == 0) fprintf(stderr, "loadgen: connection lost: %s\n", why);
        g->errors++;
        if (g->mode == M_IDLE || g->mode == M_LISTEN) g->ready--;
    }
    conn_kill(g, c, 0);
}

/* Writes now; whatever the kernel does not take waits for EPOLLOUT. */
static int conn_write(lg *g, conn *c, const void *data, size_t n) {
    const char *p = (const char *)data;
    if (c->state == S_DEAD) return -1;
    if (c->out_len == 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
            w = 0;
        }
        p += w;
        n -= (size_t)w;
        if (n == 0) return 0;
    }
    if (c->out_len + n > c->out_cap) {
        c->out_cap = (c->out_len + n) * 2;
        c->out = (char *)xrealloc(c->out, c->out_cap);
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    if (!c->want_out) {
        c->want_out = 1;
        ep_set(g, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
    }
    return 0;
}

/* A masked client frame of opcode op for payload[0..n) appended at dst. */
static size_t ws_frame_op(unsigned char *dst, int op, const void *payload, size_t n) {
    size_t h = sio_ws_write_header(dst, 1, op, n, lg_mask);
    memcpy(dst + h, payload, n);
    sio_ws_mask(dst + h, n, lg_mask, 0);
    return h + n;
}

static size_t ws_frame(unsigned char *dst, const char *payload, size_t n) {
    return ws_frame_op(dst, SIO_WS_OP_TEXT, payload, n);
}

/* The msgpack parser's packet {type, nsp:"/"[, id][, data:["echo", bin]]}. */
static void mp_packet(const lg *g, sio_buf *b, int type, long long id) {
    sio_buf_reset(b);
    sio_mp_map(b, 2 + (id >= 0) + (type == SIO_PKT_EVENT));
    sio_mp_str(b, "type", 4);
    sio_mp_uint(b, (uint64_t)type);
    sio_mp_str(b, "nsp", 3);
    sio_mp_str(b, "/", 1);
    if (id >= 0) {
        sio_mp_str(b, "id", 2);
        sio_mp_uint(b, (uint64_t)id);
    }
    if (type == SIO_PKT_EVENT) {
        sio_mp_str(b, "data", 4);
        sio_mp_array(b, 2);
        sio_mp_str(b, "echo", 4);
        sio_mp_bin(b, g->pl, (size_t)g->binary);
    }
}

static int ws_send(lg *g, conn *c, const char *text, size_t n) {
    unsigned char buf[512];
    if (n + 14 > sizeof buf) {
        unsigned char *big = (unsigned char *)xrealloc(NULL, n + 14);
        int rc = conn_write(g, c, big, ws_frame(big, text, n));
        free(big);
        return rc;
    }
    return conn_write(g, c, buf, ws_frame(buf, text, n));
}

/* ---- the modes' message logic ---- */

static size_t fmt_echo(const lg *g, char *dst, unsigned long long id) {
    /* 42<id>["echo","<payload>"]: an event asking for an ack. Digits by
       hand: the generator must stay cheaper than the servers it loads. */
    char digits[24];
    size_t n = 2, k = 0;
    dst[0] = '4';
    dst[1] = '2';
    do digits[k++] = (char)('0' + id % 10); while ((id /= 10) != 0);
    while (k) dst[n++] = digits[--k];
    memcpy(dst + n, "[\"echo\",\"", 9);
    n += 9;
    memcpy(dst + n, g->pl, (size_t)g->payload);
    memcpy(dst + n + g->payload, "\"]", 2);
    return n + (size_t)g->payload + 2;
}

/* Sends the echoes a connection owes in one write: after an ack comes in
   a new message goes out, so W stay in flight. */
static void echo_flush(lg *g, conn *c) {
    unsigned char *buf, stackbuf[8192];
    size_t len = 0, per = (size_t)g->payload + 64;
    int k = c->to_send;
    uint64_t t;
    if (k <= 0 || g->stop_opening == 2) return;
    t = now_ns();    /* one clock read for the batch: it leaves in one write */
    if (g->binary) per = (size_t)g->binary + 128;
    buf = per * (size_t)k <= sizeof stackbuf ? stackbuf : (unsigned char *)xrealloc(NULL, per * (size_t)k);
    for (; c->to_send > 0; c->to_send--) {
        char text[65600];
        unsigned long long id = c->next_id++;
        size_t n;
        c->sent_at[id % (unsigned)g->inflight] = t;
        if (g->binary && g->mp) {
            static sio_buf pkt;
            mp_packet(g, &pkt, SIO_PKT_EVENT, (long long)id);
            len += ws_frame_op(buf + len, SIO_WS_OP_BINARY, pkt.data, pkt.len);
        } else if (g->binary) {
            n = (size_t)snprintf(text, sizeof text, "451-%llu[\"echo\",{\"_placeholder\":true,\"num\":0}]", id);
            len += ws_frame(buf + len, text, n);
            len += ws_frame_op(buf + len, SIO_WS_OP_BINARY, g->pl, (size_t)g->binary);
        } else {
            n = fmt_echo(g, text, id);
            len += ws_frame(buf + len, text, n);
        }
        c->inflight++;
    }
    if (conn_write(g, c, buf, len) != 0) g->errors++;
    if (buf != stackbuf) free(buf);
}

static void fanout_pump(lg *g);

static void became_ready(lg *g, conn *c) {
    c->state = S_READY;
    if (g->mode == M_CONNECT) {
        g->handshakes++;
        g->pending--;
        conn_kill(g, c, 1);
        return;
    }
    if (g->mode == M_FANOUT && c->role == R_RECEIVER) {
        c->state = S_JOIN;
        if (g->raw) ws_send(g, c, "J", 1);
        else ws_send(g, c, "421[\"join\",\"r\"]", 15);
        return;
    }
    g->pending--;
    g->ready++;
    if (g->mode == M_ECHO) {
        c->sent_at = (uint64_t *)calloc((size_t)g->inflight, sizeof(uint64_t));
        c->to_send = g->inflight;
        echo_flush(g, c);
    }
}

static unsigned long long parse_id(const char *s, size_t n, size_t *pos) {
    unsigned long long v = 0;
    while (*pos < n && s[*pos] >= '0' && s[*pos] <= '9') v = v * 10 + (unsigned)(s[(*pos)++] - '0');
    return v;
}

static void echo_acked(lg *g, conn *c, unsigned long long id) {
    hist_add(g, g->t_read - c->sent_at[id % (unsigned)g->inflight]);
    if (g->measuring) g->acks++;
    c->inflight--;
    c->to_send++;
}

/* Binary frames: the msgpack parser's packets, or (default parser) the
   attachment an ack announced. */
static void on_binary(lg *g, conn *c, const unsigned char *d, size_t n) {
    sio_mp root, v;
    int64_t type = -1, id = -1;
    if (!g->mp) {
        if (c->state == S_READY && c->bin_due) {
            c->bin_due = 0;
            if (n != (size_t)g->binary) g->errors++;
            echo_acked(g, c, c->bin_id);
        }
        return;
    }
    if (sio_mp_parse((const char *)d, n, &root) != SIO_OK || sio_mp_get(root, "type", &v) != SIO_OK ||
        sio_mp_as_int64(v, &type) != SIO_OK) {
        g->errors++;
        return;
    }
    if (sio_mp_get(root, "id", &v) == SIO_OK) sio_mp_as_int64(v, &id);
    if (c->state == S_SIO_CONNECT) {
        if (type == SIO_PKT_CONNECT) became_ready(g, c);
        else conn_fail(g, c, "CONNECT_ERROR");
    } else if (c->state == S_READY && type == SIO_PKT_ACK && id >= 0) {
        echo_acked(g, c, (unsigned long long)id);
    }
}

static void on_text(lg *g, conn *c, const char *s, size_t n) {
    if (g->raw) {
        if (g->mode == M_ECHO) {
            /* the floor echoes the very bytes sent: parse the id as for an ack */
            size_t pos = 2;
            unsigned long long id;
            if (n < 3 || s[0] != '4') {
                g->errors++;
                return;
            }
            id = parse_id(s, n, &pos);
            hist_add(g, g->t_read - c->sent_at[id % (unsigned)g->inflight]);
            if (g->measuring) g->acks++;
            c->inflight--;
            c->to_send++;
        } else if (g->mode == M_FANOUT) {
            if (c->state == S_JOIN && n == 1 && s[0] == 'J') {
                c->state = S_READY;
                g->pending--;
                g->ready++;
            } else if (s[0] == 'B') {
                g->deliveries++;
            }
        }
        return;
    }
    if (n == 1 && s[0] == '2') { /* server ping: the v4 heartbeat */
        ws_send(g, c, "3", 1);
        return;
    }
    if (n >= 1 && s[0] == '1') {
        conn_fail(g, c, "Engine.IO close packet");
        return;
    }
    switch (c->state) {
    case S_EIO_OPEN:
        if (n >= 1 && s[0] == '0') {
            c->state = S_SIO_CONNECT;
            if (g->mp) {
                static sio_buf pkt;
                unsigned char f[64];
                mp_packet(g, &pkt, SIO_PKT_CONNECT, -1);
                conn_write(g, c, f, ws_frame_op(f, SIO_WS_OP_BINARY, pkt.data, pkt.len));
            } else {
                ws_send(g, c, "40", 2);
            }
        }
        return;
    case S_SIO_CONNECT:
        if (n >= 2 && s[0] == '4' && s[1] == '0') became_ready(g, c);
        else if (n >= 2 && s[0] == '4' && s[1] == '4') conn_fail(g, c, "CONNECT_ERROR");
        return;
    case S_JOIN:
        if (n >= 2 && s[0] == '4' && s[1] == '3') {
            c->state = S_READY;
            g->pending--;
            g->ready++;
        }
        return;
    case S_READY:
        if (g->mode == M_ECHO && g->binary && n >= 5 && s[0] == '4' && s[1] == '6') {
            /* 461-<id>[...]: the ack counts when its attachment is in */
            size_t pos = 2;
            parse_id(s, n, &pos);
            if (pos < n && s[pos] == '-') pos++;
            c->bin_id = parse_id(s, n, &pos);
            c->bin_due = 1;
        } else if (g->mode == M_ECHO && n >= 3 && s[0] == '4' && s[1] == '3') {
            size_t pos = 2;
            if (g->binary) g->errors++;   /* the binary went missing */
            echo_acked(g, c, parse_id(s, n, &pos));
        } else if (g->mode == M_FANOUT && c->role == R_RECEIVER && n > 8 && memcmp(s, "42[\"ev\"", 7) == 0) {
            g->deliveries++;
        } else if (g->mode == M_LISTEN && n > 8 && memcmp(s, "42[\"ev\",", 8) == 0) {
            size_t pos = 8;
            unsigned long long seq = parse_id(s, n, &pos);
            g->deliveries++;
            if (pos == 8 || seq >= LG_MAX_BCAST) {
                g->errors++;
                return;
            }
            if (g->bc_n[seq]++ == 0) g->bc_first[seq] = g->t_read;
            g->bc_last[seq] = g->t_read;
            if (g->bc_n[seq] == (unsigned)g->ready) g->bc_complete++;
        }
        return;
    default:
        return;
    }
}

/* ---- WebSocket connections ---- */

static size_t ws_input(lg *g, conn *c, unsigned char *buf, size_t len) {
    size_t pos = 0;
    if (c->state == S_HTTP) {
        sio_http_msg m;
        int rc = sio_http_parse_response((const char *)buf, len, &m);
        sio_str acc;
        if (rc == 0) return 0;
        if (rc > 0) acc = sio_http_header_get(&m, "Sec-WebSocket-Accept");
        else acc.len = 0;
        if (rc < 0 || m.status != 101 || acc.len != 28 || memcmp(acc.ptr, g->accept, 28) != 0) {
            char why[64];
            snprintf(why, sizeof why, "WebSocket handshake answered %d", rc < 0 ? rc : m.status);
            conn_fail(g, c, why);
            return len;
        }
        pos = (size_t)rc;
        if (g->raw) became_ready(g, c);
        else c->state = S_EIO_OPEN;
        if (c->state == S_DEAD) return len;
    }
    for (;;) {
        sio_ws_msg msg;
        int r = sio_ws_read(&c->rd, buf + pos, len - pos, &msg);
        if (r < 0) {
            conn_fail(g, c, sio_strerror(r));
            return len;
        }
        pos += (size_t)r;
        if (msg.kind == SIO_WS_NONE) {
            if (r == 0) break;
            continue;
        }
        if (msg.kind == SIO_WS_TEXT) on_text(g, c, (const char *)msg.data, msg.len);
        else if (msg.kind == SIO_WS_BINARY && !g->raw) on_binary(g, c, msg.data, msg.len);
        else if (msg.kind == SIO_WS_CLOSE) conn_fail(g, c, "WebSocket close frame"); else if (msg.kind == SIO_WS_PING) {
            unsigned char f[160];
            size_t h = sio_ws_write_header(f, 1, SIO_WS_OP_PONG, msg.len, lg_mask);
            memcpy(f + h, msg.data, msg.len);
            sio_ws_mask(f + h, msg.len, lg_mask, 0);
            conn_write(g, c, f, h + msg.len);
        }
        if (c->state == S_DEAD) return len;
    }
    if (c->state == S_READY && g->mode == M_ECHO) echo_flush(g, c);
    return pos;
}

/* ---- long-polling sessions ---- */

static void poll_send_get(lg *g, session *s) {
    char req[256];
    int n;
    if (s->state == S_HTTP)
        n = sprintf(req, "GET %s?EIO=4&transport=polling HTTP/1.1\r\nHost: %s:%d\r\n\r\n", g->path, g->host,
                    g->port);
    else
        n = sprintf(req, "GET %s?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: %s:%d\r\n\r\n", g->path, s->sid,
                    g->host, g->port);
    if (conn_write(g, s->get, req, (size_t)n) != 0) g->errors++;
}

static void poll_flush_post(lg *g, session *s) {
    char head[256], *msg;
    int n;
    if (s->post_busy || s->queue.len == 0 || s->post->state != S_READY || g->stop_opening == 2) return;
    n = sprintf(head,
                "POST %s?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: %s:%d\r\n"
                "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %lu\r\n\r\n",
                g->path, s->sid, g->host, g->port, (unsigned long)s->queue.len);
    /* head and body in one write, as a browser usually sends them */
    msg = (char *)xrealloc(NULL, (size_t)n + s->queue.len);
    memcpy(msg, head, (size_t)n);
    memcpy(msg + n, s->queue.data, s->queue.len);
    conn_write(g, s->post, msg, (size_t)n + s->queue.len);
    free(msg);
    sio_buf_reset(&s->queue);
    s->post_busy = 1;
}

static void poll_queue(session *s, const char *pkt, size_t n) {
    if (s->queue.len) sio_buf_appendc(&s->queue, '\x1e');
    sio_buf_append(&s->queue, pkt, n);
}

static void poll_queue_echo(lg *g, session *s) {
    char text[65600];
    unsigned long long id = s->next_id++;
    s->sent_at[id % (unsigned)g->inflight] = now_ns();
    poll_queue(s, text, fmt_echo(g, text, id));
    s->inflight++;
}

static void poll_packet(lg *g, session *s, const char *p, size_t n) {
    if (n == 1 && p[0] == '2') {
        poll_queue(s, "3", 1);
    } else if (n >= 1 && p[0] == '0' && s->state == S_HTTP) {
        const char *k = strstr(p, "\"sid\":\"");
        size_t i = 0;
        if (!k) {
            g->errors++;
            return;
        }
        for (k += 7; *k && *k != '"' && i + 1 < sizeof s->sid; k++) s->sid[i++] = *k;
        s->sid[i] = 0;
        s->state = S_SIO_CONNECT;
        poll_queue(s, "40", 2);
    } else if (n >= 2 && p[0] == '4' && p[1] == '0' && s->state == S_SIO_CONNECT) {
        int i;
        s->state = S_READY;
        g->pending--;
        g->ready++;
        s->sent_at = (uint64_t *)calloc((size_t)g->inflight, sizeof(uint64_t));
        for (i = 0; i < g->inflight; i++) poll_queue_echo(g, s);
    } else if (n >= 3 && p[0] == '4' && p[1] == '3' && s->state == S_READY) {
        size_t pos = 2;
        unsigned long long id = parse_id(p, n, &pos);
        hist_add(g, now_ns() - s->sent_at[id % (unsigned)g->inflight]);
        if (g->measuring) g->acks++;
        s->inflight--;
        poll_queue_echo(g, s);
    } else if (n >= 1 && p[0] == '1') {
        g->errors++;
    }
}

/* One HTTP response on a polling connection. Returns bytes consumed. */
static size_t poll_input(lg *g, conn *c, unsigned char *buf, size_t len) {
    session *s = c->sess;
    size_t used = 0;
    for (;;) {
        sio_http_msg m;
        int rc = sio_http_parse_response((const char *)buf + used, len - used, &m);
        char *body;
        size_t blen, i, start;
        if (rc == 0) break;
        if (rc < 0 || m.content_length < 0) {
            conn_fail(g, c, "bad HTTP response");
            return len;
        }
        if ((size_t)rc + (size_t)m.content_length > len - used) break;
        body = (char *)buf + used + rc;
        blen = (size_t)m.content_length;
        used += (size_t)rc + blen;
        if (m.status != 200) {
            fprintf(stderr, "loadgen: polling got HTTP %d: %.*s\n", m.status, (int)blen, body);
            exit(1);
        }
        if (c->role == R_POLL_POST) {
            s->post_busy = 0;
        } else {
            char saved = body[blen]; /* scratch has room: the sid lookup uses strstr */
            body[blen] = 0;
            for (start = 0, i = 0; i <= blen; i++) {
                if (i == blen || body[i] == '\x1e') {
                    poll_packet(g, s, body + start, i - start);
                    start = i + 1;
                }
            }
            body[blen] = saved;
            if (g->stop_opening != 2) poll_send_get(g, s);
        }
        poll_flush_post(g, s);
    }
    return used;
}

/* ---- the loop ---- */

static void on_writable(lg *g, conn *c) {
    if (c->state == S_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            conn_fail(g, c, strerror(err));
            return;
        }
        ep_set(g, c, EPOLL_CTL_MOD, EPOLLIN);
        c->want_out = 0;
        if (g->mode == M_POLLING) {
            c->state = S_READY;
            if (c->role == R_POLL_GET) poll_send_get(g, c->sess);
            else poll_flush_post(g, c->sess);
        } else {
            c->state = S_HTTP;
            conn_write(g, c, g->req, g->req_len);
        }
        return;
    }
    if (c->out_len) {
        ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) {
            conn_fail(g, c, strerror(errno));
            return;
        }
        if (w > 0) {
            memmove(c->out, c->out + w, c->out_len - (size_t)w);
            c->out_len -= (size_t)w;
        }
    }
    if (c->out_len == 0 && c->want_out) {
        c->want_out = 0;
        ep_set(g, c, EPOLL_CTL_MOD, EPOLLIN);
    }
}

static void on_readable(lg *g, conn *c) {
    unsigned char *buf = g->scratch;
    size_t have = c->left_len, used;
    ssize_t n;
    if (have) memcpy(buf, c->left, have);
    n = recv(c->fd, buf + have, LG_SCRATCH - have - 1, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        conn_fail(g, c, n == 0 ? "closed by the server" : strerror(errno));
        return;
    }
    have += (size_t)n;
    g->t_read = now_ns();    /* when this read's answers arrived: one clock read for all */
    used = g->mode == M_POLLING ? poll_input(g, c, buf, have) : ws_input(g, c, buf, have);
    if (c->state == S_DEAD) return;
    c->left_len = have - used;
    if (c->left_len) {
        if (c->left_len > c->left_cap) {
            c->left_cap = c->left_len * 2;
            c->left = (unsigned char *)xrealloc(c->left, c->left_cap);
        }
        memmove(c->left, buf + used, c->left_len);
    }
}

static void loop_once(lg *g, int timeout_ms) {
    struct epoll_event evs[512];
    int n = epoll_wait(g->ep, evs, 512, timeout_ms), i;
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (i = 0; i < n; i++) {
        conn *c = (conn *)evs[i].data.ptr;
        if (c->state == S_DEAD) continue;
        if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_writable(g, c);
        if (c->state == S_DEAD) continue;
        if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(g, c);
    }
    if (g->mode == M_FANOUT) fanout_pump(g);
}

/* Opens connections until `target` are ready or pending, at most
   `concurrency` handshakes at a time. */
static void open_more(lg *g, int target) {
    while (!g->stop_opening && g->opened < target && g->pending < g->concurrency) {
        conn *c;
        int role = g->mode == M_FANOUT ? (g->opened == 0 ? R_SENDER : R_RECEIVER) : R_PLAIN;
        if (g->mode == M_POLLING) {
            session *s = &g->sess[g->opened];
            s->get = conn_open(g, R_POLL_GET);
            s->post = conn_open(g, R_POLL_POST);
            if (!s->get || !s->post) {
                fprintf(stderr, "loadgen: socket: %s\n", strerror(errno));
                g->stop_opening = 1;
                return;
            }
            s->get->sess = s->post->sess = s;
            s->state = S_HTTP;
            g->opened++;
            g->pending++;
            continue;
        }
        c = conn_open(g, role);
        if (!c) {
            fprintf(stderr, "loadgen: socket/connect after %d connections: %s\n", g->opened, strerror(errno));
            g->stop_opening = 1;
            g->failed++;
            return;
        }
        g->opened++;
        g->pending++;
    }
}

/* Fan-out flow control: the sender keeps at most LG_FANOUT_WINDOW
   broadcasts not yet delivered to every receiver, so neither server ever
   buffers without bound and the figure is a sustained rate. */
static void fanout_pump(lg *g) {
    conn *snd = g->nall ? g->all[0] : NULL;
    unsigned long long receivers = (unsigned long long)(g->conns);
    if (!snd || snd->state != S_READY || g->ready < g->conns + 1 || g->stop_opening == 2) return;
    while (g->sent_bcast < LG_FANOUT_WINDOW || g->deliveries >= (g->sent_bcast - LG_FANOUT_WINDOW + 1) * receivers) {
        char text[65600];
        int n;
        if (g->raw) {
            text[0] = 'B';
            n = 1 + sprintf(text + 1, "%llu[\"to\",\"r\",\"ev\",\"", g->sent_bcast);
        } else {
            n = sprintf(text, "42%llu[\"to\",\"r\",\"ev\",\"", g->sent_bcast);
        }
        memcpy(text + n, g->pl, (size_t)g->payload);
        memcpy(text + n + g->payload, "\"]", 2);
        ws_send(g, snd, text, (size_t)n + (size_t)g->payload + 2);
        g->sent_bcast++;
    }
}

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen --mode echo|idle|connect|fanout|polling|listen|send|stat [--raw] [--host 127.0.0.1]\n"
            "               [--port 3000]"
            "               [--path /socket.io/] [--conns N] [--inflight W] [--duration S] [--warmup S]\n"
            "               [--payload BYTES] [--concurrency K] [--step N] [--settle-ms MS] [--hold S]\n"
            "               [--src N] [--src-base B] [--pid SERVER_PID] [--binary BYTES] [--parser default|msgpack]\n"
            "               [--pids P1,P2,..] [--count K] [--gap-ms G]\n");
    exit(2);
}

int main(int argc, char **argv) {
    lg G, *g = &G;
    int i, target;
    uint64_t t0, t1;
    double srv0 = 0, srv1 = 0, me0 = 0, me1 = 0, wall;
    unsigned long long acks0 = 0, del0 = 0;
    long rss_base, rss_end;

    memset(g, 0, sizeof *g);
    g->mode = -1;
    g->host = "127.0.0.1";
    g->path = "/socket.io/";
    g->port = 3000;
    g->conns = 50;
    g->inflight = 8;
    g->concurrency = 256;
    g->payload = 32;
    g->duration = 5;
    g->warmup = 1;
    g->settle_ms = 500;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--raw") == 0) {
            g->raw = 1;
            continue;
        }
        if (!v) usage();
        i++;
        if (strcmp(a, "--mode") == 0) {
            if (strcmp(v, "echo") == 0) g->mode = M_ECHO;
            else if (strcmp(v, "idle") == 0) g->mode = M_IDLE;
            else if (strcmp(v, "connect") == 0) g->mode = M_CONNECT;
            else if (strcmp(v, "fanout") == 0) g->mode = M_FANOUT;
            else if (strcmp(v, "polling") == 0) g->mode = M_POLLING;
            else if (strcmp(v, "listen") == 0) g->mode = M_LISTEN;
            else if (strcmp(v, "send") == 0) g->mode = M_SEND;
            else if (strcmp(v, "stat") == 0) g->mode = M_STAT;
            else usage();
        } else if (strcmp(a, "--host") == 0) g->host = v;
        else if (strcmp(a, "--path") == 0) g->path = v;
        else if (strcmp(a, "--port") == 0) g->port = atoi(v);
        else if (strcmp(a, "--conns") == 0) g->conns = atoi(v);
        else if (strcmp(a, "--inflight") == 0) g->inflight = atoi(v);
        else if (strcmp(a, "--duration") == 0) g->duration = atof(v);
        else if (strcmp(a, "--warmup") == 0) g->warmup = atof(v);
        else if (strcmp(a, "--hold") == 0) g->hold = atof(v);
        else if (strcmp(a, "--payload") == 0) g->payload = atoi(v);
        else if (strcmp(a, "--binary") == 0) g->binary = atoi(v);
        else if (strcmp(a, "--parser") == 0 && (strcmp(v, "msgpack") == 0 || strcmp(v, "default") == 0)) g->mp = v[0] == 'm';
        else if (strcmp(a, "--concurrency") == 0) g->concurrency = atoi(v);
        else if (strcmp(a, "--step") == 0) g->step = atoi(v);
        else if (strcmp(a, "--settle-ms") == 0) g->settle_ms = atoi(v);
        else if (strcmp(a, "--src") == 0) g->nsrc = atoi(v);
        else if (strcmp(a, "--pid") == 0) g->pid = atoi(v);
        else if (strcmp(a, "--src-base") == 0) g->src_base = atoi(v);
        else if (strcmp(a, "--count") == 0) g->count = atoi(v);
        else if (strcmp(a, "--gap-ms") == 0) g->gap_ms = atof(v);
        else if (strcmp(a, "--pids") == 0) {
            const char *q = v;
            while (*q && g->npids < LG_MAX_PIDS) {
                int pv = atoi(q);
                if (pv > 0) g->pids[g->npids++] = pv;
                q = strchr(q, ',');
                if (!q) break;
                q++;
            }
        }
        else usage();
    }
    if (g->mode < 0 || g->conns < 1 || g->inflight < 1 || g->payload < 0 || g->payload > 65000 ||
        g->concurrency < 1 || g->binary < 0 || g->binary > 65000)
        usage();
    if ((g->binary || g->mp) && (g->mode != M_ECHO || g->raw)) {
        fprintf(stderr, "loadgen: --binary and --parser are for --mode echo over WebSocket, not --raw\n");
        return 2;
    }
    if (g->mode == M_STAT) {
        printf("stat t_ns=%llu cpu_ns=%llu rss_kb=%ld npids=%d\n", (unsigned long long)now_ns(),
               (unsigned long long)pids_cpu_ns(g), pids_rss_kb(g), g->npids);
        return 0;
    }
    if (g->mode == M_SEND) g->conns = 1;
    if (g->src_base < 0 || g->count < 0 || g->count > LG_MAX_BCAST || g->gap_ms < 0) usage();
    if (g->mp && !g->binary) g->binary = g->payload;   /* msgpack: the payload goes as binary */
    if (g->raw && g->mode == M_POLLING) {
        fprintf(stderr, "loadgen: --raw has no polling mode\n");
        return 2;
    }
    /* the kernel's search for a free ephemeral port slows down as the
       range fills up: keep each source address under ~5 000 ports */
    if (g->nsrc == 0) g->nsrc = g->conns > 5000 ? g->conns / 5000 + 1 : 1;
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(g->conns * (g->mode == M_POLLING ? 2 : 1) + 64);
    memset(g->pl, 'x', (size_t)g->payload);
    for (i = 0; i < g->binary; i++) g->pl[i] = (char)(i & 0xff);
    g->scratch = (unsigned char *)xrealloc(NULL, LG_SCRATCH);
    g->hist_fine = (uint32_t *)calloc(LG_HIST_FINE, sizeof(uint32_t));
    g->hist_coarse = (uint32_t *)calloc(LG_HIST_COARSE, sizeof(uint32_t));
    if (g->mode == M_POLLING) g->sess = (session *)calloc((size_t)g->conns, sizeof(session));
    g->ep = epoll_create1(EPOLL_CLOEXEC);
    if (g->ep < 0) die("epoll_create1");
    g->req_len = (size_t)sprintf(g->req,
                                 "GET %s%s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                                 g->raw ? "/" : g->path, g->raw ? "" : "?EIO=4&transport=websocket", g->host,
                                 g->port, lg_key);
    sio_ws_accept_key(lg_key, sizeof lg_key - 1, g->accept);

    target = g->mode == M_FANOUT ? g->conns + 1 : g->conns;
    rss_base = proc_rss_kb(g->pid);
    t0 = now_ns();
    g->deadline = t0 + 600ull * 1000000000ull;

    if (g->mode == M_CONNECT) {
        /* a few unmeasured handshakes first, so a JIT (Node) is warm as in
           the other modes; then the window is the whole storm */
        int warm = g->warmup > 0 ? (g->conns / 10 < 500 ? g->conns / 10 : 500) : 0;
        while ((int)g->handshakes + g->failed < warm && now_ns() < g->deadline) {
            open_more(g, warm);
            loop_once(g, 10);
        }
        while (g->pending > 0 && now_ns() < g->deadline) loop_once(g, 10);
        g->handshakes = 0;
        g->opened = 0;
        t0 = now_ns();
        srv0 = proc_cpu_s(g->pid);
        me0 = self_cpu_s();
        g->measuring = 1;
        while ((int)g->handshakes + g->failed < g->conns && now_ns() < g->deadline) {
            open_more(g, g->conns);
            loop_once(g, 10);
        }
        t1 = now_ns();
        srv1 = proc_cpu_s(g->pid);
        me1 = self_cpu_s();
        wall = (double)(t1 - t0) / 1e9;
        printf("result mode=connect raw=%d conns=%d ok=%llu failed=%d wall_s=%.3f rate=%.0f srv_cpu_s=%.3f "
               "srv_cpu_per_op_us=%.2f gen_cpu_s=%.3f gen_cpu_pct=%.0f rss_kb=%ld\n",
               g->raw, g->conns, g->handshakes, g->failed, wall, (double)g->handshakes / wall, srv1 - srv0,
               g->handshakes ? (srv1 - srv0) * 1e6 / (double)g->handshakes : 0.0, me1 - me0,
               100.0 * (me1 - me0) / wall, proc_rss_kb(g->pid));
        return g->failed ? 1 : 0;
    }

    /* connect everything (idle: step by step, sampling the server's RSS) */
    {
        int next_sample = g->step > 0 ? g->step : target;
        if (g->mode == M_IDLE && g->step > 0) printf("sample conns=0 rss_kb=%ld\n", rss_base);
        for (;;) {
            int goal = g->mode == M_IDLE ? (next_sample < target ? next_sample : target) : target;
            open_more(g, goal);
            loop_once(g, 10);
            if (now_ns() > g->deadline) {
                fprintf(stderr, "loadgen: gave up waiting for connections\n");
                break;
            }
            if (g->pending > 0) continue;
            if (g->mode != M_IDLE) {
                if (g->ready + g->failed + (g->mode == M_LISTEN ? g->errors : 0) >= target || g->stop_opening) break;
                continue;
            }
            if (g->opened >= goal || g->stop_opening) {
                uint64_t until = now_ns() + (uint64_t)g->settle_ms * 1000000u;
                while (now_ns() < until) loop_once(g, 10);
                if (g->step > 0) {
                    printf("sample conns=%d rss_kb=%ld\n", g->ready, proc_rss_kb(g->pid));
                    fflush(stdout);
                }
                if (g->opened >= target || g->stop_opening || g->failed > 0) break;
                next_sample += g->step > 0 ? g->step : target;
            }
        }
    }
    if (g->mode == M_LISTEN || g->mode == M_SEND) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
    }
    if (g->mode == M_LISTEN) {
        uint64_t until, t_ready = now_ns();
        unsigned long long total = 0;
        int k, nb = 0;
        if (g->ready < target)
            fprintf(stderr, "loadgen: listen: only %d of %d connections ready (%d failed); going on\n", g->ready,
                    target, g->failed);
        g->bc_n = (unsigned *)calloc(LG_MAX_BCAST, sizeof(unsigned));
        g->bc_first = (uint64_t *)calloc(LG_MAX_BCAST, sizeof(uint64_t));
        g->bc_last = (uint64_t *)calloc(LG_MAX_BCAST, sizeof(uint64_t));
        if (!g->bc_n || !g->bc_first || !g->bc_last) exit(1);
        printf("ready conns=%d failed=%d connect_wall_s=%.1f t_ns=%llu\n", g->ready, g->failed,
               (double)(t_ready - t0) / 1e9, (unsigned long long)t_ready);
        fflush(stdout);
        until = t_ready + (uint64_t)((g->hold > 0 ? g->hold : 3600) * 1e9);
        while (!lg_stop && now_ns() < until && !(g->count > 0 && g->bc_complete >= g->count)) loop_once(g, 10);
        for (k = 0; k < LG_MAX_BCAST; k++) {
            if (!g->bc_n[k]) continue;
            printf("bcast seq=%d n=%u first_ns=%llu last_ns=%llu\n", k, g->bc_n[k],
                   (unsigned long long)g->bc_first[k], (unsigned long long)g->bc_last[k]);
            total += g->bc_n[k];
            nb++;
        }
        printf("result mode=listen conns=%d held=%d failed=%d errors=%d bcasts=%d deliveries=%llu complete=%d "
               "gen_cpu_s=%.2f\n",
               g->conns, g->ready, g->failed, g->errors, nb, total, g->bc_complete, self_cpu_s());
        return 0;
    }
    if (g->mode == M_SEND) {
        conn *snd = g->all[0];
        uint64_t gap = (uint64_t)(g->gap_ms * 1e6), until;
        int k;
        if (g->ready < 1 || snd->state != S_READY) {
            fprintf(stderr, "loadgen: send: the connection failed\n");
            return 1;
        }
        /* per broadcast: an idle window of one gap, then the emit and one gap */
        for (k = 0; k <= 2 * g->count && !lg_stop; k++) {
            char text[96];
            uint64_t cpu = pids_cpu_ns(g), t = now_ns();
            int n, seq = k / 2;
            printf("%s seq=%d t_ns=%llu cpu_ns=%llu\n", k == 2 * g->count ? "end" : k % 2 ? "sent" : "idle", seq,
                   (unsigned long long)t, (unsigned long long)cpu);
            fflush(stdout);
            if (k == 2 * g->count) break;
            if (k % 2) {
                n = snprintf(text, sizeof text, "42[\"broadcast\",\"ev\",%d]", seq);
                if (ws_send(g, snd, text, (size_t)n) != 0) g->errors++;
            }
            until = t + gap;
            while (!lg_stop && now_ns() < until) loop_once(g, 5);
        }
        printf("result mode=send count=%d gap_ms=%.0f errors=%d rss_kb=%ld\n", g->count, g->gap_ms,
               g->errors + (snd->state != S_READY), pids_rss_kb(g));
        return g->errors ? 1 : 0;
    }
    if (g->ready < target && g->mode != M_IDLE) {
        fprintf(stderr, "loadgen: only %d of %d connections ready (%d failed)\n", g->ready, target, g->failed);
        return 1;
    }

    if (g->mode == M_IDLE) {
        uint64_t until = now_ns() + (uint64_t)(g->hold * 1e9);
        int held;
        while (now_ns() < until) loop_once(g, 10);
        rss_end = proc_rss_kb(g->pid);
        held = g->ready;
        wall = (double)(now_ns() - t0) / 1e9;
        printf("result mode=idle raw=%d conns=%d held=%d failed=%d errors=%d rss_base_kb=%ld rss_kb=%ld "
               "rss_per_conn_kb=%.3f connect_wall_s=%.1f gen_cpu_s=%.2f\n",
               g->raw, g->conns, held, g->failed, g->errors, rss_base, rss_end,
               held ? (double)(rss_end - rss_base) / held : 0.0, wall, self_cpu_s());
        return 0;
    }

    /* echo, fanout, polling: warm up, then the measured window */
    {
        uint64_t until = now_ns() + (uint64_t)(g->warmup * 1e9);
        while (now_ns() < until) loop_once(g, 10);
    }
    g->measuring = 1;
    acks0 = g->acks;
    del0 = g->deliveries;
    g->hist_n = 0;
    t0 = now_ns();
    srv0 = proc_cpu_s(g->pid);
    me0 = self_cpu_s();
    while (now_ns() < t0 + (uint64_t)(g->duration * 1e9)) loop_once(g, 10);
    t1 = now_ns();
    srv1 = proc_cpu_s(g->pid);
    me1 = self_cpu_s();
    g->stop_opening = 2;
    wall = (double)(t1 - t0) / 1e9;
    rss_end = proc_rss_kb(g->pid);
    if (g->mode == M_FANOUT) {
        unsigned long long d = g->deliveries - del0;
        printf("result mode=fanout raw=%d receivers=%d deliveries=%llu wall_s=%.3f rate=%.0f srv_cpu_s=%.3f "
               "srv_cpu_per_op_us=%.3f gen_cpu_s=%.3f gen_cpu_pct=%.0f rss_kb=%ld errors=%d\n",
               g->raw, g->conns, d, wall, (double)d / wall, srv1 - srv0, d ? (srv1 - srv0) * 1e6 / (double)d : 0.0,
               me1 - me0, 100.0 * (me1 - me0) / wall, rss_end, g->errors);
    } else {
        unsigned long long a = g->acks - acks0;
        printf("result mode=%s raw=%d binary=%d parser=%s conns=%d inflight=%d acks=%llu wall_s=%.3f rate=%.0f "
               "p50_us=%.0f p99_us=%.0f srv_cpu_s=%.3f srv_cpu_per_op_us=%.3f gen_cpu_s=%.3f gen_cpu_pct=%.0f "
               "rss_kb=%ld errors=%d\n",
               g->mode == M_ECHO ? "echo" : "polling", g->raw, g->binary, g->mp ? "msgpack" : "default", g->conns,
               g->inflight, a, wall, (double)a / wall,
               hist_pct(g, 50), hist_pct(g, 99), srv1 - srv0, a ? (srv1 - srv0) * 1e6 / (double)a : 0.0, me1 - me0,
               100.0 * (me1 - me0) / wall, rss_end, g->errors);
    }
    return g->errors ? 1 : 0;
}
