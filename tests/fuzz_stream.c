/* libFuzzer harness for the stream layer: a hub behind a fake socket takes
   any sequence of $stream-* events, acks, user calls and disconnects.
   Input: lines; the first byte of a line picks the step, the rest is its
   argument (a JSON array for events and acks):
     S R W E X  $stream, $stream-read, $stream-write (the line itself is
                also its one binary attachment), $stream-end, $stream-error
     a c        answer the oldest pending write ack: with args / closed
     w e p r d x h   on the first live stream: write, end, pause, resume,
                destroy, error, set reading handlers
     D          the socket disconnects
   A byte >= 0x80 at the start of a line means "on the second socket". A
   chunk holding '~' pauses its reader, one holding '!' errors it.
   Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -I.. fuzz_stream.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define FZ_MAX_ACKS 16

typedef struct fz {
    sio__stream_ackrec *acks[FZ_MAX_ACKS];
    int nacks;
    int sock[2];
} fz;

static fz *g_fz; /* harness only: the ops have no user pointer of their own */

static int fz_emit(void *sock, const char *event, const sio_msg *m) {
    (void)sock;
    (void)event;
    return m->err ? m->err : m->buf.err;
}
static int fz_emit_ack(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec) {
    (void)sock;
    (void)event;
    if (m->err || m->buf.err) return SIO_ERR_NOMEM;
    if (g_fz->nacks == FZ_MAX_ACKS) return SIO_ERR_TOO_BIG;
    g_fz->acks[g_fz->nacks++] = rec;
    return SIO_OK;
}
static int fz_ack(void *sock, long long id, const sio_msg *m) {
    (void)sock;
    (void)id;
    (void)m;
    return SIO_OK;
}
static const sio__stream_ops fz_ops = {fz_emit, fz_emit_ack, fz_ack};

static void fz_data(sio_stream *st, const void *data, size_t len, void *user) {
    const char *p = (const char *)data;
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) {
        if (p[i] == '~') sio_stream_pause(st);
        if (p[i] == '!') {
            sio_stream_error(st, "q");
            return;
        }
    }
}
static void fz_drain(sio_stream *st, void *user) {
    (void)user;
    sio_stream_write(st, "drained", 7);
}
static void fz_close(sio_stream *st, int err, const char *message, void *user) {
    (void)st;
    (void)err;
    (void)message;
    (void)user;
}
static void fz_handlers(sio_stream *st) {
    sio_stream_handlers h;
    memset(&h, 0, sizeof h);
    h.on_data = fz_data;
    h.on_drain = fz_drain;
    h.on_close = fz_close;
    sio_stream_set_handlers(st, &h);
}
static void fz_event(const sio_stream_event *ev, void *user) {
    (void)user;
    if (ev->stream && ev->name.len && ev->name.ptr[0] == 'r') fz_handlers(ev->stream);
    if (ev->nstreams > 1 && ev->name.len && ev->name.ptr[0] == 'd') sio_stream_destroy(ev->streams[1]);
}

static void fz_ack_pop(sio_stream_hub *hub, int err, const sio_args *args) {
    sio__stream_ackrec *rec;
    (void)hub;
    if (!g_fz->nacks) return;
    rec = g_fz->acks[0];
    memmove(g_fz->acks, g_fz->acks + 1, (size_t)(g_fz->nacks - 1) * sizeof g_fz->acks[0]);
    g_fz->nacks--;
    sio__stream_acked(rec, err, args);
}

static sio_stream *fz_first(sio_stream_hub *hub, void *sock) {
    sio_stream *st;
    for (st = hub->live; st; st = st->next)
        if (st->sock == sock) return st;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {"$stream", "$stream-read", "$stream-write", "$stream-end", "$stream-error"};
    static const sio_allocator no_alloc = {NULL, NULL, NULL, NULL};
    static sio__rng rng;   /* one for the whole run: ids need not repeat between inputs */
    static int rng_ready;
    fz f;
    sio_stream_hub *hub;
    size_t pos = 0;
    memset(&f, 0, sizeof f);
    g_fz = &f;
    if (!rng_ready && sio__rng_init(&rng) == SIO_OK) rng_ready = 1;
    if (!rng_ready) return 0;
    hub = sio__stream_hub_new(&no_alloc, &rng, &fz_ops);
    if (!hub) return 0;
    sio_stream_on(hub, "*", fz_event, NULL);
    while (pos < size) {
        const char *line = (const char *)data + pos;
        const char *nl = (const char *)memchr(line, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - line) : size - pos;
        pos += len + 1;
        if (!len) continue;
        {
            void *sock = (unsigned char)line[0] >= 0x80 ? (void *)&f.sock[1] : (void *)&f.sock[0];
            char op = (char)(line[0] & 0x7f);
            const char *arg = line + 1;
            size_t alen = len - 1;
            sio_json root;
            sio_args args;
            sio_str bin;
            sio_stream *st = fz_first(hub, sock);
            int ev = op == 'S' ? 0 : op == 'R' ? 1 : op == 'W' ? 2 : op == 'E' ? 3 : op == 'X' ? 4 : -1;
            memset(&args, 0, sizeof args);
            if ((ev >= 0 || op == 'a') && sio_json_parse(arg, alen, &root) == SIO_OK && root.type == SIO_JSON_ARRAY) {
                sio_str name;
                args.array = root;
                args.count = sio_json_count(root);
                bin.ptr = line;
                bin.len = len;
                args.bins = &bin;
                args.nbins = 1;
                if (op == 'a') {
                    fz_ack_pop(hub, SIO_OK, &args);
                } else {
                    name.ptr = names[ev];
                    name.len = strlen(names[ev]);
                    sio__stream_incoming(hub, sock, NULL, NULL, name, &args, (long long)(len & 3) - 1);
                }
                continue;
            }
            switch (op) {
            case 'c': fz_ack_pop(hub, SIO_ERR_CLOSED, NULL); break;
            case 'w': if (st) sio_stream_write(st, arg, alen); break;
            case 'e': if (st) sio_stream_end(st); break;
            case 'p': if (st) sio_stream_pause(st); break;
            case 'r': if (st) sio_stream_resume(st); break;
            case 'd': if (st) sio_stream_destroy(st); break;
            case 'x': if (st) sio_stream_error(st, "fuzz"); break;
            case 'h': if (st) fz_handlers(st); break;
            case 'D': sio__stream_drop_socket(hub, sock); break;
            default: break;
            }
        }
    }
    while (f.nacks) fz_ack_pop(hub, SIO_ERR_CLOSED, NULL);
    sio__stream_drop_socket(hub, &f.sock[0]);
    sio__stream_drop_socket(hub, &f.sock[1]);
    sio_stream_hub_destroy(hub);
    return 0;
}
