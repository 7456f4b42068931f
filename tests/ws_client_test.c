/* ws_client_test URL: the library's WebSocket connection (sio__wsc) in the
   client role against
   the server of tests/interop/ws_client.test.mjs, which echoes and obeys
   a few "please-..." commands. One connection per case, "case:NAME" first.
   Prints TAP lines, then "# pass N" and "# fail M"; exit 1 on failure.
   Every wait has a deadline. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

typedef struct tmsg {
    char *data;
    size_t len;
    int binary;
} tmsg;

typedef struct tc {
    sio__loop loop;
    sio__rng rng;
    sio__addrs addrs;
    sio__url url;
    char host[SIO_CLIENT_MAX_HOST + 16];
    char target[1024];
    sio__wsc *w;                /* NULL once closed: its memory goes with its connection */
    int opened, closed, close_err, close_code;
    tmsg msgs[8];
    int nmsgs;
    char pong[128];
    int pong_len;
    int pass, fail, n;
} tc;

static void t_open(sio__wsc *w, void *user) {
    (void)w;
    ((tc *)user)->opened = 1;
}

static void t_message(sio__wsc *w, char *data, size_t len, int binary, void *user) {
    tc *t = (tc *)user;
    tmsg *m;
    (void)w;
    if (t->nmsgs >= 8) return;
    m = &t->msgs[t->nmsgs++];
    m->data = (char *)malloc(len ? len : 1);
    if (m->data && len) memcpy(m->data, data, len);
    m->len = len;
    m->binary = binary;
}

static void t_pong(sio__wsc *w, const char *data, size_t len, void *user) {
    tc *t = (tc *)user;
    (void)w;
    if (len > sizeof t->pong) len = sizeof t->pong;
    memcpy(t->pong, data, len);
    t->pong_len = (int)len;
}

static void t_close(sio__wsc *w, int err, int code, const char *why, void *user) {
    tc *t = (tc *)user;
    (void)w;
    (void)why;
    t->w = NULL;
    t->closed = 1;
    t->close_err = err;
    t->close_code = code;
}

static const sio__wsc_handlers t_handlers = {t_open, t_message, t_pong, t_close};

static void t_reset(tc *t) {
    int i;
    for (i = 0; i < t->nmsgs; i++) free(t->msgs[i].data);
    t->nmsgs = 0;
    t->opened = t->closed = t->close_err = t->close_code = 0;
    t->pong_len = -1;
}

/* Runs the loop until *flag >= want or ms pass. */
static int t_wait(tc *t, const int *flag, int want, int ms) {
    uint64_t end = sio__now_ms() + (uint64_t)ms;
    while (*flag < want && sio__now_ms() < end) sio__loop_poll(&t->loop, 20);
    return *flag >= want;
}

/* A fresh connection that announced its case. */
static int t_start(tc *t, const char *name, size_t max_message) {
    char line[128];
    t_reset(t);
    int err;
    t->w = sio__wsc_dial(&t->loop, &t->rng, &t->addrs, t->host, t->target, NULL, NULL, NULL, max_message, &t_handlers,
                         t, &err);
    if (!t->w) return 0;
    if (!t_wait(t, &t->opened, 1, 5000)) return 0;
    snprintf(line, sizeof line, "case:%s", name);
    return sio__wsc_send(t->w, -1, line, strlen(line), 0) == SIO_OK;
}

static void t_report(tc *t, int ok, const char *what, const char *detail) {
    t->n++;
    if (ok) t->pass++;
    else t->fail++;
    printf("%sok %d - %s%s%s\n", ok ? "" : "not ", t->n, what, detail && *detail ? ": " : "", detail ? detail : "");
    fflush(stdout);
}

/* Ends the case with a normal close and waits for the server's answer. */
static void t_finish(tc *t) {
    if (t->w && t->w->state == SIO__WSC_OPEN) {
        sio__wsc_close(t->w, 1000, NULL);
        t_wait(t, &t->closed, 1, 3000);
    }
    sio__wsc_abort(t->w);
    t->w = NULL;
}

static char *t_payload(size_t n, int binary) {
    static const char *const pieces[] = {"a", "\xc3\xa9", "\xe6\xbc\xa2", "\xf0\x9f\x98\x80"};
    char *p = (char *)malloc(n ? n : 1);
    size_t i = 0, k = 0;
    if (!p) return NULL;
    if (binary) {
        for (i = 0; i < n; i++) p[i] = (char)((i * 31 + 7) & 0xff);
        return p;
    }
    /* mixed one- to four-byte UTF-8, padded with 'a' near the end */
    while (i < n) {
        const char *pc = pieces[k++ % 4];
        size_t l = strlen(pc);
        if (i + l > n) pc = "a", l = 1;
        memcpy(p + i, pc, l);
        i += l;
    }
    return p;
}

static void case_echo(tc *t, size_t n) {
    char name[64], detail[128] = "";
    char *text = t_payload(n, 0), *bin = t_payload(n, 1);
    int ok = 0;
    snprintf(name, sizeof name, "echo-%lu", (unsigned long)n);
    if (text && bin && t_start(t, name, 2u << 20)) {
        sio__wsc_send(t->w, -1, text, n, 0);
        sio__wsc_send(t->w, -1, bin, n, 1);
        if (t_wait(t, &t->nmsgs, 2, 10000)) {
            ok = !t->msgs[0].binary && t->msgs[0].len == n && memcmp(t->msgs[0].data, text, n) == 0 &&
                 t->msgs[1].binary && t->msgs[1].len == n && memcmp(t->msgs[1].data, bin, n) == 0;
            if (!ok) snprintf(detail, sizeof detail, "echo differs");
        } else {
            snprintf(detail, sizeof detail, "got %d of 2 messages", t->nmsgs);
        }
    } else {
        snprintf(detail, sizeof detail, "could not connect");
    }
    t_finish(t);
    snprintf(name, sizeof name, "text and binary of %lu bytes echoed intact", (unsigned long)n);
    t_report(t, ok, name, detail);
    free(text);
    free(bin);
}

static void case_fragmented(tc *t) {
    int ok = 0;
    if (t_start(t, "fragmented-send", 0)) {
        sio__wsc_put(t->w, SIO_WS_OP_TEXT, 0, -1, "Hel", 3);
        sio__wsc_put(t->w, SIO_WS_OP_CONT, 0, -1, "", 0);
        sio__wsc_put(t->w, SIO_WS_OP_CONT, 1, -1, "lo \xc3\xa9", 5);
        sio__wsc_put(t->w, SIO_WS_OP_BINARY, 0, -1, "\x01\x02", 2);
        sio__wsc_put(t->w, SIO_WS_OP_CONT, 1, -1, "\x03", 1);
        if (t_wait(t, &t->nmsgs, 2, 5000))
            ok = !t->msgs[0].binary && t->msgs[0].len == 8 && memcmp(t->msgs[0].data, "Hello \xc3\xa9", 8) == 0 &&
                 t->msgs[1].binary && t->msgs[1].len == 3 && memcmp(t->msgs[1].data, "\x01\x02\x03", 3) == 0;
    }
    t_finish(t);
    t_report(t, ok, "fragmented text and binary sends come back whole", NULL);
}

static void case_ping(tc *t) {
    int ok = 0;
    if (t_start(t, "ping", 0)) {
        sio__wsc_put(t->w, SIO_WS_OP_PING, 1, -1, "ping payload", 12);
        ok = t_wait(t, &t->pong_len, 12, 5000) && memcmp(t->pong, "ping payload", 12) == 0;
    }
    t_finish(t);
    t_report(t, ok, "ping with payload gets the same pong", NULL);
}

static void case_fragment_in(tc *t) {
    int ok = 0;
    if (t_start(t, "fragment", 0)) {
        sio__wsc_send(t->w, -1, "please-fragment", 15, 0);
        if (t_wait(t, &t->nmsgs, 1, 5000))
            ok = !t->msgs[0].binary && t->msgs[0].len == 9 && memcmp(t->msgs[0].data, "abcdefghi", 9) == 0;
    }
    t_finish(t);
    t_report(t, ok, "a fragmented message from the server arrives whole", NULL);
}

/* The server misbehaves on command; we must close with `code`. */
static void case_violation(tc *t, const char *name, const char *cmd, size_t max_message, int code,
                           const char *what) {
    char detail[96] = "";
    int ok = 0;
    if (t_start(t, name, max_message)) {
        sio__wsc_send(t->w, -1, cmd, strlen(cmd), 0);
        if (t_wait(t, &t->closed, 1, 5000)) {
            ok = t->close_code == code && t->nmsgs == 0;
            snprintf(detail, sizeof detail, "closed with %d (%s)", t->close_code, sio_strerror(t->close_err));
        } else {
            snprintf(detail, sizeof detail, "not closed");
        }
    }
    sio__wsc_abort(t->w);
    t->w = NULL;
    t_report(t, ok, what, detail);
}

static void case_server_close(tc *t) {
    char detail[96] = "";
    int ok = 0;
    if (t_start(t, "close", 0)) {
        sio__wsc_send(t->w, -1, "please-close", 12, 0);
        if (t_wait(t, &t->closed, 1, 5000)) {
            ok = t->close_err == SIO_OK && t->close_code == 4001;
            snprintf(detail, sizeof detail, "code %d (%s)", t->close_code, sio_strerror(t->close_err));
        }
    }
    /* let our answering close frame go out before the next case */
    {
        int dummy = 0;
        t_wait(t, &dummy, 1, 100);
    }
    sio__wsc_abort(t->w);
    t->w = NULL;
    t_report(t, ok, "server close 4001 is answered with 4001", detail);
}

static void case_bye(tc *t) {
    char detail[96] = "";
    int ok = 0;
    if (t_start(t, "bye", 0)) {
        sio__wsc_send(t->w, -1, "hello", 5, 0);
        t_wait(t, &t->nmsgs, 1, 5000);
        sio__wsc_close(t->w, 4000, "bye");
        if (t_wait(t, &t->closed, 1, 5000)) {
            ok = t->close_err == SIO_OK && t->close_code == 4000 && t->nmsgs == 1;
            snprintf(detail, sizeof detail, "server answered %d", t->close_code);
        }
    }
    sio__wsc_abort(t->w);
    t->w = NULL;
    t_report(t, ok, "client close 4000 \"bye\" completes the closing handshake", detail);
}

int main(int argc, char **argv) {
    static tc t;
    static const size_t sizes[] = {0, 125, 126, 65535, 65536, 1u << 20};
    size_t i;
    int rc;
    if (argc != 2) {
        fprintf(stderr, "usage: %s ws://host:port/path\n", argv[0]);
        return 2;
    }
    if ((rc = sio__url_parse(argv[1], &t.url)) != SIO_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], sio_strerror(rc));
        return 2;
    }
    t.addrs.n = 0;   /* an address, not a name: this tests framing, not resolution */
    if (sio__addr_literal(t.url.host, t.url.port, &t.addrs) != 1) {
        fprintf(stderr, "%s: give an IPv4 or IPv6 address\n", t.url.host);
        return 1;
    }
    if (t.url.v6) snprintf(t.host, sizeof t.host, "[%s]:%d", t.url.host, t.url.port);
    else snprintf(t.host, sizeof t.host, "%s:%d", t.url.host, t.url.port);
    snprintf(t.target, sizeof t.target, "%.*s%s%.*s", t.url.path ? (int)t.url.path_len : 1,
             t.url.path ? t.url.path : "/", t.url.query ? "?" : "", (int)t.url.query_len,
             t.url.query ? t.url.query : "");
    if (sio__loop_init(&t.loop, NULL, NULL, 0) != SIO_OK) return 1;
    if (sio__rng_init(&t.rng) != SIO_OK) return 1;

    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) case_echo(&t, sizes[i]);
    case_fragmented(&t);
    case_ping(&t);
    case_fragment_in(&t);
    case_violation(&t, "bad-utf8", "please-bad-utf8", 0, 1007, "invalid UTF-8 from the server -> we close 1007");
    case_violation(&t, "big", "please-big", 1000, 1009, "message over our max (1000) -> we close 1009");
    case_violation(&t, "masked", "please-masked", 0, 1002, "masked server frame -> we close 1002");
    case_server_close(&t);
    case_bye(&t);

    /* let the last close frames leave */
    {
        int dummy = 0;
        t_wait(&t, &dummy, 1, 200);
    }
    t_reset(&t);
    sio__loop_free(&t.loop);
    if (t.rng.fd >= 0) close(t.rng.fd);
    printf("# pass %d\n# fail %d\n", t.pass, t.fail);
    return t.fail ? 1 : 0;
}
