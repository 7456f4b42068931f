/* test_stream.c - the socket.io-stream compatible streams, server and
   client in one process over loopback: transfers both ways with
   back-pressure, files, pauses, errors and early close on both sides, and
   every malformed $stream-* packet we could think of, sent raw. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int g_pass, g_fail, g_bad;
#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            g_bad++;                                                          \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
        }                                                                     \
    } while (0)

static void group(const char *name) {
    if (g_bad) printf("not ok %d - %s\n", g_pass + g_fail + 1, name), g_fail++;
    else printf("ok %d - %s\n", g_pass + g_fail + 1, name), g_pass++;
    fflush(stdout);
    g_bad = 0;
}

static unsigned char pat(unsigned long long i) { return (unsigned char)((i * 131u) ^ (i >> 13)); }

/* ---------------------------------------------------------------- world */

typedef struct world {
    sio_server *srv;
    sio_stream_hub *shub;
    sio_client *cl;
    sio_client_socket *cs;
    sio_stream_hub *chub;
    int connected, disconnected;
    sio_buf log;              /* raw events the client saw: name + args, one per line */
} world;

static void w_connect(sio_client_socket *s, void *u) {
    (void)s;
    ((world *)u)->connected = 1;
}
static void w_disconnect(sio_client_socket *s, const char *reason, void *u) {
    (void)s;
    (void)reason;
    ((world *)u)->disconnected = 1;
}
static void w_any(const sio_client_event *ev, void *u) {
    world *w = (world *)u;
    sio_buf_append(&w->log, ev->name.ptr, ev->name.len);
    sio_buf_appendc(&w->log, ' ');
    sio_buf_append(&w->log, ev->args.array.ptr, ev->args.array.len);
    sio_buf_appendc(&w->log, '\n');
    sio_buf_appendc(&w->log, 0);
    w->log.len--;
}

static void w_run(world *w, const int *flag, int ms) {
    uint64_t t0 = sio_time_ms();   /* the library's clock: the same on every platform */
    for (;;) {
        if (flag && *flag) return;
        sio_server_poll(w->srv, 1);
        sio_client_poll(w->cl, 1);
        if (sio_time_ms() - t0 > (uint64_t)ms) return;
    }
}

/* client_hub = 0: a raw client that logs every event, for hand-made packets */
static int w_open(world *w, const char *transports, int client_hub) {
    sio_server_desc sd;
    sio_client_desc cd;
    char url[64];
    int err;
    memset(w, 0, sizeof *w);
    memset(&sd, 0, sizeof sd);
    sd.host = "127.0.0.1";
    w->srv = sio_server_create(&sd, &err);
    if (!w->srv) return err;
    w->shub = sio_stream_attach(sio_of(w->srv, "/"), &err);
    if (!w->shub) return err;
    memset(&cd, 0, sizeof cd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", sio_server_port(w->srv));
    cd.url = url;
    cd.transports = transports;
    cd.no_reconnection = 1;
    w->cl = sio_client_create(&cd, &err);
    if (!w->cl) return err;
    w->cs = sio_client_socket_open(w->cl, "/", NULL);
    sio_client_on_connect(w->cs, w_connect, w);
    sio_client_on_disconnect(w->cs, w_disconnect, w);
    if (client_hub) {
        w->chub = sio_stream_attach_client(w->cs, &err);
        if (!w->chub) return err;
    } else {
        sio_client_on(w->cs, "*", w_any, w);
    }
    w_run(w, &w->connected, 5000);
    return w->connected ? SIO_OK : SIO_ERR_TIMEOUT;
}

static void w_close(world *w) {
    sio_client_destroy(w->cl);
    sio_server_destroy(w->srv);
    sio_stream_hub_destroy(w->chub);
    sio_stream_hub_destroy(w->shub);
    sio_buf_free(&w->log);
}

/* ------------------------------------------------------- endpoints */

/* One end of a transfer: generates or checks the pattern. */
typedef struct end {
    sio_stream *st;
    unsigned long long total;     /* bytes to send (writer) */
    unsigned long long n;         /* bytes written / received */
    int byte_by_byte;             /* writer: the first 1000 bytes one write each */
    int pause_every;              /* reader: pause after every k-th chunk */
    int chunks, paused, bad_data, ended, closed, close_err, events;
    size_t max_queue, max_chunk;
    char close_msg[256];
} end;

static void e_close(sio_stream *st, int err, const char *message, void *user) {
    end *e = (end *)user;
    (void)st;
    e->closed++;
    e->close_err = err;
    snprintf(e->close_msg, sizeof e->close_msg, "%s", message ? message : "");
    e->st = NULL;
}
static void e_end(sio_stream *st, void *user) {
    (void)st;
    ((end *)user)->ended++;
}
static void e_data(sio_stream *st, const void *data, size_t len, void *user) {
    end *e = (end *)user;
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    for (i = 0; i < len; i++)
        if (p[i] != pat(e->n + i)) e->bad_data++;
    e->n += len;
    e->chunks++;
    if (len > e->max_chunk) e->max_chunk = len;
    if (st->held_bytes > e->max_queue) e->max_queue = st->held_bytes;
    if (e->pause_every && e->chunks % e->pause_every == 0) {
        sio_stream_pause(st);
        e->paused = 1;
    }
}
static void e_drain(sio_stream *st, void *user) {
    end *e = (end *)user;
    unsigned char buf[10000];
    for (;;) {
        size_t want = e->total - e->n < sizeof buf ? (size_t)(e->total - e->n) : sizeof buf;
        size_t i;
        int took;
        if (e->byte_by_byte && e->n < 1000) want = want ? 1 : 0;
        if (!want) {
            sio_stream_end(st);
            return;
        }
        for (i = 0; i < want; i++) buf[i] = pat(e->n + i);
        took = sio_stream_write(st, buf, want);
        if (took < 0) return;
        e->n += (unsigned long long)took;
        if (st->wq.len > e->max_queue) e->max_queue = st->wq.len;
        if ((size_t)took < want) return;  /* on_drain comes back */
    }
}

static void e_attach_reader(end *e, sio_stream *st) {
    sio_stream_handlers h;
    memset(&h, 0, sizeof h);
    h.on_data = e_data;
    h.on_end = e_end;
    h.on_close = e_close;
    h.user = e;
    e->st = st;
    sio_stream_set_handlers(st, &h);
}
static void e_attach_writer(end *e, sio_stream *st) {
    sio_stream_handlers h;
    memset(&h, 0, sizeof h);
    h.on_drain = e_drain;
    h.on_close = e_close;
    h.user = e;
    e->st = st;
    sio_stream_set_handlers(st, &h);
    e_drain(st, e);
}

/* Server side of the transfers: "up" reads, "down" writes args[1].size bytes. */
static end srv_end;
static void srv_up(const sio_stream_event *ev, void *user) {
    (void)user;
    srv_end.events++;
    if (ev->stream) e_attach_reader(&srv_end, ev->stream);
}
static void srv_down(const sio_stream_event *ev, void *user) {
    sio_json o, size;
    (void)user;
    srv_end.events++;
    if (sio_args_get(&ev->args, 1, &o) == SIO_OK && sio_json_get(o, "size", &size) == SIO_OK)
        srv_end.total = (unsigned long long)sio_json_integer(size);
    srv_end.byte_by_byte = 1;
    if (ev->stream) e_attach_writer(&srv_end, ev->stream);
}

static void test_transfers(const char *transports) {
    world w;
    end ce;
    char name[128];
    int done;
    const unsigned long long N = 3u * 1024 * 1024 + 7;
    CHECK(w_open(&w, transports, 1) == SIO_OK);
    sio_stream_on(w.shub, "up", srv_up, NULL);
    sio_stream_on(w.shub, "down", srv_down, NULL);

    /* client -> server */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.total = N;
    ce.st = sio_stream_open_client(w.chub, "up", "[{\"name\":\"x\"}]", NULL);
    CHECK(ce.st != NULL);
    if (ce.st) {
        CHECK(strlen(sio_stream_id(ce.st)) == 36 && sio_stream_id(ce.st)[14] == '4');
        CHECK(sio_stream_client_socket(ce.st) == w.cs && sio_stream_socket(ce.st) == NULL);
        e_attach_writer(&ce, ce.st);
    }
    w_run(&w, &srv_end.closed, 20000);
    w_run(&w, &ce.closed, 2000);
    CHECK(srv_end.events == 1);
    CHECK(srv_end.n == N && srv_end.bad_data == 0 && srv_end.ended == 1);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_OK);
    CHECK(ce.closed == 1 && ce.close_err == SIO_OK && ce.n == N);
    CHECK(ce.max_queue <= SIO_STREAM_HIGH_WATER);
    CHECK(srv_end.max_chunk <= SIO_STREAM_CHUNK);
    CHECK(w.shub->live == NULL && w.chub->live == NULL && w.shub->acks == NULL && w.chub->acks == NULL);
    snprintf(name, sizeof name, "upload 3 MiB client -> server (%s)", transports);
    group(name);

    /* server -> client, reader pausing now and then, writer byte by byte at first */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.pause_every = 5;
    ce.st = sio_stream_open_client(w.chub, "down", "[{\"size\":3145735}]", NULL);
    CHECK(ce.st != NULL);
    if (ce.st) e_attach_reader(&ce, ce.st);
    done = 0;
    while (!ce.closed && done++ < 20000) {
        w_run(&w, &ce.closed, 1);
        if (ce.paused && ce.st) {
            /* while paused nothing more is asked for */
            CHECK(!ce.st->read_req);
            w_run(&w, NULL, 2);
            ce.paused = 0;
            sio_stream_resume(ce.st);
        }
    }
    w_run(&w, &srv_end.closed, 2000);
    CHECK(ce.n == N && ce.bad_data == 0 && ce.ended == 1);
    CHECK(ce.closed == 1 && ce.close_err == SIO_OK);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_OK && srv_end.n == N);
    CHECK(srv_end.max_queue <= SIO_STREAM_HIGH_WATER);
    CHECK(ce.max_queue <= SIO_STREAM_HIGH_WATER);
    CHECK(w.shub->live == NULL && w.chub->live == NULL);
    snprintf(name, sizeof name, "download 3 MiB server -> client with pauses (%s)", transports);
    group(name);

    /* an empty stream: just the ends */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.st = sio_stream_open_client(w.chub, "down", "[{\"size\":0}]", NULL);
    if (ce.st) e_attach_reader(&ce, ce.st);
    w_run(&w, &ce.closed, 3000);
    w_run(&w, &srv_end.closed, 1000);
    CHECK(ce.n == 0 && ce.ended == 1 && ce.close_err == SIO_OK && srv_end.close_err == SIO_OK);
    snprintf(name, sizeof name, "empty stream (%s)", transports);
    group(name);
    w_close(&w);
}

/* ------------------------------------------------------- files */

static int srv_save_fd = -1;
static void srv_save(const sio_stream_event *ev, void *user) {
    (void)user;
    srv_end.events++;
    if (!ev->stream) return;
    e_attach_reader(&srv_end, ev->stream);
    sio_stream_save_fd(ev->stream, srv_save_fd, 1);
}

static void test_files(void) {
    world w;
    end ce;
    char src[] = "/tmp/sio_stream_srcXXXXXX", dst[] = "/tmp/sio_stream_dstXXXXXX";
    int fs = mkstemp(src), fd = mkstemp(dst);
    unsigned char buf[4096];
    unsigned long long i, total = 1000003;
    FILE *f;
    CHECK(fs >= 0 && fd >= 0);
    for (i = 0; i < total; i++) {
        buf[i % sizeof buf] = pat(i);
        if (i % sizeof buf == sizeof buf - 1 || i == total - 1)
            CHECK(write(fs, buf, (size_t)(i % sizeof buf) + 1) == (ssize_t)(i % sizeof buf) + 1);
    }
    close(fs);
    srv_save_fd = fd;
    CHECK(w_open(&w, "websocket", 1) == SIO_OK);
    sio_stream_on(w.shub, "save", srv_save, NULL);
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.st = sio_stream_open_client(w.chub, "save", NULL, NULL);
    CHECK(ce.st != NULL);
    if (ce.st) {
        sio_stream_handlers h;
        memset(&h, 0, sizeof h);
        h.on_close = e_close;
        h.user = &ce;
        sio_stream_set_handlers(ce.st, &h);
        CHECK(sio_stream_send_file(ce.st, "/nonexistent/dir/x") == SIO_ERR_NOT_FOUND);
        CHECK(sio_stream_send_file(ce.st, src) == SIO_OK);
        CHECK(sio_stream_write(ce.st, "x", 1) == SIO_ERR_STATE);   /* the file feeds it */
        CHECK(sio_stream_send_file(ce.st, src) == SIO_ERR_STATE);
    }
    w_run(&w, &srv_end.closed, 10000);
    w_run(&w, &ce.closed, 2000);
    CHECK(srv_end.n == total && srv_end.bad_data == 0 && srv_end.close_err == SIO_OK);
    CHECK(ce.close_err == SIO_OK);
    f = fopen(dst, "rb");
    CHECK(f != NULL);
    if (f) {
        size_t n, k = 0;
        int bad = 0;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            size_t j;
            for (j = 0; j < n; j++)
                if (buf[j] != pat(k + j)) bad++;
            k += n;
        }
        fclose(f);
        CHECK(k == total && bad == 0);
    }
    /* save_fd to a descriptor that cannot be written: SIO_ERR_IO both ways */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    srv_save_fd = open("/dev/null", O_RDONLY);
    ce.total = 100000;
    ce.st = sio_stream_open_client(w.chub, "save", NULL, NULL);
    if (ce.st) e_attach_writer(&ce, ce.st);
    w_run(&w, &ce.closed, 3000);
    w_run(&w, &srv_end.closed, 1000);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_IO);
    CHECK(ce.closed == 1 && ce.close_err == SIO_ERR_REFUSED && strlen(ce.close_msg) > 0);
    w_close(&w);
    unlink(src);
    unlink(dst);
    group("send_file / save_fd, and a failing save_fd");
}

/* ------------------------------------------------------- errors */

static void test_errors(void) {
    world w;
    end ce;
    CHECK(w_open(&w, "websocket", 1) == SIO_OK);
    sio_stream_on(w.shub, "up", srv_up, NULL);
    sio_stream_on(w.shub, "down", srv_down, NULL);

    /* the writer gives up mid-way: the reader learns why */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.total = 10u << 20;
    ce.st = sio_stream_open_client(w.chub, "up", NULL, NULL);
    if (ce.st) e_attach_writer(&ce, ce.st);
    while (srv_end.n < 300000 && !srv_end.closed) w_run(&w, NULL, 1);
    CHECK(sio_stream_error(ce.st, "disk on fire") == SIO_OK);
    CHECK(w.chub->live == NULL);
    w_run(&w, &srv_end.closed, 2000);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_REFUSED);
    CHECK(strcmp(srv_end.close_msg, "disk on fire") == 0);
    CHECK(ce.closed == 0); /* no callback for what the caller did itself */
    group("sio_stream_error reaches the peer's on_close with its message");

    /* the connection goes away mid-transfer: both sides hear "Connection aborted" */
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.st = sio_stream_open_client(w.chub, "down", "[{\"size\":100000000}]", NULL);
    if (ce.st) e_attach_reader(&ce, ce.st);
    while (ce.n < 300000 && !ce.closed) w_run(&w, NULL, 1);
    sio_client_socket_close(w.cs);
    CHECK(ce.closed == 1 && ce.close_err == SIO_ERR_CLOSED);
    w_run(&w, &srv_end.closed, 3000);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_CLOSED);
    CHECK(w.disconnected == 1); /* the hub passes disconnects on */
    CHECK(w.shub->live == NULL && w.chub->live == NULL);
    CHECK(sio_stream_open_client(w.chub, "up", NULL, NULL) == NULL);
    group("early close: both ends get SIO_ERR_CLOSED, the old disconnect handler still runs");
    w_close(&w);
}

/* Handlers set after sio_stream_attach*(): the hubs still hear the
   disconnect (before, a later sio_on_disconnect displaced the hub's, and
   its streams outlived their socket). */
static int srv_disc_calls;
static void srv_disc(sio_socket *s, const char *reason, void *user) {
    (void)s;
    (void)reason;
    (void)user;
    srv_disc_calls++;
}

static void test_late_handlers(void) {
    world w;
    end ce;
    int err = 0;
    CHECK(w_open(&w, "websocket", 1) == SIO_OK);
    sio_stream_on(w.shub, "down", srv_down, NULL);
    srv_disc_calls = 0;
    sio_on_disconnect(sio_of(w.srv, "/"), srv_disc, NULL);
    sio_client_on_disconnect(w.cs, w_disconnect, &w);
    CHECK(sio_stream_attach(sio_of(w.srv, "/"), &err) == NULL && err == SIO_ERR_STATE);
    CHECK(sio_stream_attach_client(w.cs, &err) == NULL && err == SIO_ERR_STATE);
    memset(&srv_end, 0, sizeof srv_end);
    memset(&ce, 0, sizeof ce);
    ce.st = sio_stream_open_client(w.chub, "down", "[{\"size\":100000000}]", NULL);
    if (ce.st) e_attach_reader(&ce, ce.st);
    while (ce.n < 300000 && !ce.closed) w_run(&w, NULL, 1);
    CHECK(w.shub->live != NULL && w.chub->live != NULL);
    sio_client_socket_close(w.cs);
    CHECK(ce.closed == 1 && ce.close_err == SIO_ERR_CLOSED && w.chub->live == NULL);
    w_run(&w, &srv_end.closed, 3000);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_CLOSED && w.shub->live == NULL);
    CHECK(w.disconnected == 1 && srv_disc_calls == 1);
    w_close(&w);
    group("disconnect handlers set after attaching: hubs still close their streams, both handlers run");
}

/* ------------------------------------------------------- raw packets */

static int raw_acked;
static char raw_ack[512];
static void raw_ack_fn(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    (void)user;
    raw_acked++;
    if (err == SIO_OK && args) snprintf(raw_ack, sizeof raw_ack, "%.*s", (int)args->array.len, args->array.ptr);
    else snprintf(raw_ack, sizeof raw_ack, "error %d", err);
}

static void raw_emit(world *w, const char *event, const char *json) {
    CHECK(sio_client_emit_json(w->cs, event, json) == SIO_OK);
    w_run(w, NULL, 30);
}

static void raw_write(world *w, const char *id, const void *bin, size_t len, const char *enc, int want_ack) {
    sio_msg m;
    sio_msg_init(&m);
    sio_json_str(&m.w, id);
    sio_msg_bin(&m, bin, len);
    if (enc) sio_json_str(&m.w, enc);
    if (want_ack) CHECK(sio_client_emit_ack(w->cs, "$stream-write", &m, 0, raw_ack_fn, NULL) == SIO_OK);
    else CHECK(sio_client_emit(w->cs, "$stream-write", &m) == SIO_OK);
    sio_msg_free(&m);
    w_run(w, NULL, 30);
}

static void test_raw(void) {
    world w;
    static char big[SIO_STREAM_HIGH_WATER + 10];
    char json[512];
    int i;
    CHECK(w_open(&w, "websocket", 0) == SIO_OK);
    sio_stream_on(w.shub, "up", srv_up, NULL);

    /* nonsense the hub must shrug off */
    memset(&srv_end, 0, sizeof srv_end);
    raw_emit(&w, "$stream", "[]");
    raw_emit(&w, "$stream", "[5]");
    raw_emit(&w, "$stream", "[\"nobody-listens\",{\"$stream\":\"a\"}]");
    raw_emit(&w, "$stream-read", "[]");
    raw_emit(&w, "$stream-read", "[5,5]");
    raw_emit(&w, "$stream-read", "[\"unknown\",5]");
    raw_emit(&w, "$stream-end", "[{\"$stream\":\"x\"}]");
    raw_emit(&w, "$stream-error", "[null]");
    raw_emit(&w, "$stream-write", "[\"\"]");
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":5},{\"$stream\":\"\"},{\"$stream\":\"a\\u0000b\"},[{\"$stream\":\"n\"}]]");
    CHECK(srv_end.events == 1 && w.shub->live == NULL);
    memset(json, 'x', sizeof json);
    memcpy(json, "[\"up\",{\"$stream\":\"", 18);
    memcpy(json + 18 + SIO_STREAM_MAX_ID + 1, "\"}]", 4);
    raw_emit(&w, "$stream", json);      /* id one byte too long */
    CHECK(srv_end.events == 2 && w.shub->live == NULL);
    CHECK(w.connected && !w.disconnected);
    group("malformed $stream-* events are ignored");

    /* a write for an unknown id is acked with Node's error text */
    raw_acked = 0;
    raw_write(&w, "nope", "abc", 3, "buffer", 1);
    CHECK(raw_acked == 1 && strcmp(raw_ack, "[\"invalid stream id: nope\"]") == 0);
    group("$stream-write for an unknown id: ack [\"invalid stream id: <id>\"]");

    /* a proper stream, fed by hand: reads are asked for, chunks acked, end answered */
    memset(&srv_end, 0, sizeof srv_end);
    w.log.len = 0;
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"s1\"},{\"name\":\"n\"}]");
    CHECK(srv_end.events == 1 && srv_end.st != NULL);
    CHECK(w.log.len && strstr(w.log.data, "$stream-read [\"$stream-read\",\"s1\",65536]") != NULL);
    raw_acked = 0;
    for (i = 0; i < 3; i++) raw_write(&w, "s1", "\x00\x83\x06", 3, "buffer", 1);
    CHECK(raw_acked == 3 && strcmp(raw_ack, "[]") == 0);
    CHECK(srv_end.n == 9);
    /* a base64 string chunk (forceBase64 senders), then a plain string one */
    raw_emit(&w, "$stream-write", "[\"s1\",\"\",\"base64\"]");
    CHECK(srv_end.n == 9 && srv_end.st != NULL);
    w.log.len = 0;
    raw_emit(&w, "$stream-end", "[\"s1\"]");
    CHECK(srv_end.ended == 1 && srv_end.closed == 1 && srv_end.close_err == SIO_OK);
    CHECK(w.log.len && strstr(w.log.data, "$stream-end [\"$stream-end\",\"s1\"]") != NULL);
    raw_emit(&w, "$stream-end", "[\"s1\"]");  /* once more: forgotten, ignored */
    group("a hand-fed stream: read requests, acks, end answered with end");

    /* base64 chunks decoded; bad base64 and non-string chunks are errors */
    memset(&srv_end, 0, sizeof srv_end);
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"s2\"}]");
    raw_emit(&w, "$stream-write", "[\"s2\",\"AIMG\",\"base64\"]");
    CHECK(srv_end.n == 3 && srv_end.bad_data == 0);
    w.log.len = 0;
    raw_emit(&w, "$stream-write", "[\"s2\",\"A\",\"base64\"]");
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_PROTOCOL);
    CHECK(w.log.len && strstr(w.log.data, "$stream-error [\"$stream-error\",\"s2\",") != NULL);
    memset(&srv_end, 0, sizeof srv_end);
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"s3\"}]");
    raw_emit(&w, "$stream-write", "[\"s3\",{\"a\":1},\"buffer\"]");
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_PROTOCOL);
    group("string chunks: base64 decoded, bad ones close the stream with $stream-error");

    /* the peer reports an error */
    memset(&srv_end, 0, sizeof srv_end);
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"s4\"}]");
    raw_emit(&w, "$stream-error", "[\"s4\",\"it broke\"]");
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_REFUSED && strcmp(srv_end.close_msg, "it broke") == 0);
    group("$stream-error: on_close(SIO_ERR_REFUSED, message)");

    /* a reused id is refused, the first stream keeps going */
    memset(&srv_end, 0, sizeof srv_end);
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"d\"}]");
    w.log.len = 0;
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"d\"}]");
    CHECK(srv_end.events == 2);
    CHECK(w.log.len && strstr(w.log.data, "Decoded stream already exists") != NULL);
    CHECK(w.shub->live != NULL && w.shub->live->next == NULL);
    sio_stream_destroy(w.shub->live);
    CHECK(w.shub->live == NULL);
    group("a reused stream id is refused");

    /* data nobody asked for: held up to the high-water mark, then refused */
    memset(&srv_end, 0, sizeof srv_end);
    srv_end.pause_every = 1;
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"f\"}]");
    raw_write(&w, "f", "abc", 3, "buffer", 1);    /* asked for: delivered, then the reader pauses */
    CHECK(srv_end.n == 3 && srv_end.st && srv_end.st->paused);
    raw_acked = 0;
    raw_write(&w, "f", "def", 3, "buffer", 1);    /* held while paused, no ack yet */
    CHECK(srv_end.n == 3 && raw_acked == 0 && srv_end.st && srv_end.st->held_bytes == 3);
    w.log.len = 0;
    raw_write(&w, "f", big, sizeof big, "buffer", 1);
    CHECK(srv_end.closed == 1 && srv_end.close_err == SIO_ERR_TOO_BIG);
    CHECK(w.log.len && strstr(w.log.data, "too much data") != NULL);
    group("unrequested data beyond SIO_STREAM_HIGH_WATER closes the stream");

    /* paused then resumed: the held chunk is delivered and only then acked */
    memset(&srv_end, 0, sizeof srv_end);
    srv_end.pause_every = 1;
    raw_emit(&w, "$stream", "[\"up\",{\"$stream\":\"p\"}]");
    raw_write(&w, "p", "abc", 3, "buffer", 0);
    raw_acked = 0;
    raw_write(&w, "p", "\x00\x83\x06", 3, "buffer", 1);
    raw_emit(&w, "$stream-end", "[\"p\"]");
    CHECK(raw_acked == 0 && srv_end.ended == 0);
    if (srv_end.st) {
        srv_end.pause_every = 0;
        srv_end.n = 0; /* the held bytes are the pattern again */
        srv_end.bad_data = 0;
        sio_stream_resume(srv_end.st);
    }
    w_run(&w, NULL, 50);
    if (raw_acked != 1 || srv_end.n != 3 || srv_end.bad_data != 0)
        fprintf(stderr, "  acked %d n %llu bad %d\n", raw_acked, srv_end.n, srv_end.bad_data);
    CHECK(raw_acked == 1 && srv_end.n == 3 && srv_end.bad_data == 0);
    CHECK(srv_end.ended == 1 && srv_end.closed == 1 && srv_end.close_err == SIO_OK);
    group("pause holds chunk, ack and end until resume");

    /* more than SIO_STREAM_MAX_PER_SOCKET streams */
    memset(&srv_end, 0, sizeof srv_end);
    for (i = 0; i < SIO_STREAM_MAX_PER_SOCKET + 3; i++) {
        snprintf(json, sizeof json, "[\"up\",{\"$stream\":\"m%d\"}]", i);
        CHECK(sio_client_emit_json(w.cs, "$stream", json) == SIO_OK);
    }
    w.log.len = 0;
    w_run(&w, NULL, 100);
    CHECK(sio__stream_count(w.shub, w.shub->live ? w.shub->live->sock : NULL) == SIO_STREAM_MAX_PER_SOCKET);
    CHECK(w.log.len && strstr(w.log.data, "too many streams") != NULL);
    group("streams per socket are capped");

    /* a disconnect frees whatever is left */
    sio_client_socket_close(w.cs);
    w_run(&w, NULL, 100);
    CHECK(w.shub->live == NULL);
    group("disconnect frees the streams left open");
    w_close(&w);
}

/* A writer whose chunks the reader refuses in the ack. */
static void test_refused_ack(void) {
    world w;
    end ce;
    char json[256];
    CHECK(w_open(&w, "websocket", 1) == SIO_OK);
    memset(&ce, 0, sizeof ce);
    ce.total = 1000;
    ce.st = sio_stream_open_client(w.chub, "up", NULL, NULL);
    CHECK(ce.st != NULL);
    if (ce.st) {
        e_attach_writer(&ce, ce.st);
        /* nobody on the server listens for "up": act as the reader by hand */
        snprintf(json, sizeof json, "[\"%s\",16384]", sio_stream_id(ce.st));
        sio_emit_json(w.srv->nsps->sockets, "$stream-read", json);
    }
    w_run(&w, &ce.closed, 2000);
    /* the server has no stream of that id, so it acked "invalid stream id" */
    CHECK(ce.closed == 1 && ce.close_err == SIO_ERR_REFUSED && strstr(ce.close_msg, "invalid stream id") != NULL);
    w_close(&w);
    group("a writer refused in the ack closes with SIO_ERR_REFUSED");
}

static void test_api_misuse(void) {
    world w;
    end ce;
    sio_stream *st;
    int err = 0;
    CHECK(sio_stream_attach(NULL, &err) == NULL && err == SIO_ERR_INVALID);
    CHECK(sio_stream_write(NULL, "x", 1) == SIO_ERR_INVALID);
    CHECK(sio_stream_end(NULL) == SIO_ERR_INVALID);
    CHECK(sio_stream_error(NULL, "x") == SIO_ERR_INVALID);
    sio_stream_destroy(NULL);
    sio_stream_pause(NULL);
    sio_stream_resume(NULL);
    sio_stream_hub_destroy(NULL);
    CHECK(w_open(&w, "websocket", 1) == SIO_OK);
    CHECK(sio_stream_open_client(w.chub, "up", "{\"not\":\"an array\"}", &err) == NULL && err == SIO_ERR_INVALID);
    CHECK(sio_stream_open_client(w.chub, "", NULL, &err) == NULL && err == SIO_ERR_INVALID);
    CHECK(sio_stream_open(w.chub, NULL, "up", NULL, &err) == NULL && err == SIO_ERR_INVALID);
    CHECK(sio_stream_open_client(w.shub, "up", NULL, &err) == NULL && err == SIO_ERR_INVALID);
    st = sio_stream_open_client(w.chub, "up", "[1,\"two\",{\"three\":[3]}]", &err);
    CHECK(st != NULL && err == SIO_OK);
    if (st) {
        CHECK(sio_stream_writable(st) == SIO_STREAM_HIGH_WATER);
        CHECK(sio_stream_write(st, NULL, 0) == SIO_OK);
        CHECK(sio_stream_save_fd(st, -1, 0) == SIO_ERR_INVALID);
        sio_stream_destroy(st);
    }
    /* a stream with nothing to send and nothing to read is done at its end:
       on_close runs inside sio_stream_end */
    memset(&ce, 0, sizeof ce);
    st = sio_stream_open_client(w.chub, "up", NULL, &err);
    if (st) {
        sio_stream_handlers h;
        memset(&h, 0, sizeof h);
        h.on_close = e_close;
        h.user = &ce;
        sio_stream_set_handlers(st, &h);
        CHECK(sio_stream_end(st) == SIO_OK);
        CHECK(ce.closed == 1 && ce.close_err == SIO_OK);
    }
    w_close(&w);
    group("API misuse gives errors, not crashes");
}

static void test_ids(void) {
    sio_stream_hub hub;
    sio__rng rng;
    char a[37], b[37];
    int i, ok = 1;
    memset(&hub, 0, sizeof hub);
    CHECK(sio__rng_init(&rng) == SIO_OK);
    hub.rng = &rng;
    sio__stream_uuid(&hub, b);
    for (i = 0; i < 1000; i++) {
        int j;
        sio__stream_uuid(&hub, a);
        if (strcmp(a, b) == 0 || strlen(a) != 36 || a[8] != '-' || a[13] != '-' || a[18] != '-' || a[23] != '-' ||
            a[14] != '4' || !strchr("89ab", a[19]))
            ok = 0;
        for (j = 0; j < 36; j++)
            if (j != 8 && j != 13 && j != 18 && j != 23 && !strchr("0123456789abcdef", a[j])) ok = 0;
        memcpy(b, a, sizeof a);
    }
    if (rng.fd >= 0) close(rng.fd);
    CHECK(ok);
    group("stream ids are version-4 UUIDs");
}

int main(void) {
    test_ids();
    test_transfers("websocket");
    test_transfers("polling");
    test_files();
    test_errors();
    test_late_handlers();
    test_raw();
    test_refused_ack();
    test_api_misuse();
    printf("# pass %d\n# fail %d\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
