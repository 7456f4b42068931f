/* =====================================================================
   >>stream: byte streams, wire-compatible with socket.io-stream 0.9.x
   =====================================================================
   What the npm package puts on the wire, learnt by logging its packets
   between socket.io 4.8 peers (the words below are ours):

   * Opening. ss(socket).emit("upload", stream, {name: "a"}) is an
     ordinary event named "$stream" whose first argument is the user's
     event name; every stream argument is replaced by an object holding a
     random UUID (plus "options" when the stream was created with some):
         42["$stream","upload",{"$stream":"c977d60a-...-4ef708fa8e17"},{"name":"a"}]
     Both ends then know the stream by that id, in one map per socket
     holding the streams of both directions.
   * Pulling. The side that reads asks for one chunk at a time; the size
     is Node's highWaterMark and nobody looks at it:
         42["$stream-read","c977...",16384]
   * Writing. One chunk per request, as a binary attachment with the
     encoding name, and with an ack:
         451-["$stream-write","c977...",{"_placeholder":true,"num":0},"buffer"] + <bytes>
     The reader acks with no arguments (43[] ) when it hands the chunk on,
     so a slow consumer delays the ack; an unknown id is acked with
     ["invalid stream id: <id>"]. A Node writer sends a chunk only when it
     holds an unanswered read AND its previous chunk was acked: that pair
     is the whole back-pressure scheme. Chunks are strings when the sender
     forces base64 (encoding "base64").
   * Ending. The writer sends 42["$stream-end","c977..."] after its last
     ack. Node streams are not half-open by default, so the reader answers
     with a $stream-end of its own once it has consumed everything; either
     end may ignore a $stream-end for an id it already forgot.
   * Errors. 42["$stream-error","c977...","message"]: the receiver's stream
     emits 'error' and is dropped. A lost connection drops every stream of
     the socket ("Connection aborted") without any packet.

   Our side follows the same rules: a reader keeps one read request
   outstanding and acks each chunk once it has been handed to on_data; a
   writer sends one chunk per request, with at most SIO_STREAM_MAX_UNACKED
   chunks unacked, from a queue of at most SIO_STREAM_HIGH_WATER bytes.
   Handlers of the library and the user's calls may close a stream while
   some function up the call stack still holds it, so closed streams sit on
   a dead list until the outermost entry into the hub returns. */

typedef struct sio__stream_ackrec {
    sio_stream_hub *hub;
    sio_stream *st;                    /* NULL once the stream is gone */
    struct sio__stream_ackrec *prev, *next;
} sio__stream_ackrec;

typedef struct sio__stream_held {      /* a chunk not yet handed to the user */
    struct sio__stream_held *next;
    long long ack_id;
    size_t len;
} sio__stream_held;                     /* the bytes follow the header */

typedef struct sio__stream_ops {
    int (*emit)(void *sock, const char *event, const sio_msg *m);
    int (*emit_ack)(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec);
    int (*ack)(void *sock, long long id, const sio_msg *m);
} sio__stream_ops;

typedef struct sio__stream_handler {
    char *event;
    sio_stream_event_fn fn;
    void *user;
    struct sio__stream_handler *next;
} sio__stream_handler;

struct sio_stream {
    sio_stream_hub *hub;
    void *sock;
    char id[SIO_STREAM_MAX_ID + 1];
    sio_stream_handlers h;
    sio_stream *prev, *next;           /* the hub's live or dead list */
    int dead;
    /* reading */
    int reading, read_req, paused, peer_ended, end_delivered;
    sio__stream_held *held, **held_tail;
    size_t held_bytes;
    int dst_fd, dst_close;
    /* writing */
    int want, unacked, ending, end_sent, need_drain, pumping;
    sio_buf wq;
    int src_fd, src_close;
    unsigned long long in, out;
};

struct sio_stream_hub {
    const sio__stream_ops *ops;
    const sio_allocator *alloc;
    sio_namespace *nsp;                /* server hubs */
    sio_disconnect_fn prev_disc;
    void *prev_disc_user;
#ifndef SIO_NO_CLIENT
    sio_client_socket *cs;             /* client hubs */
    sio_client_disconnect_fn prev_cdisc;
    void *prev_cdisc_user;
#endif
    sio__stream_handler *handlers;
    sio_stream *live, *dead;
    sio__stream_ackrec *acks;
    int depth;
    uint64_t rng;
    sio_buf tmp;                       /* string chunks, decoded */
};

static const char *const sio__stream_events[] = {"$stream", "$stream-read", "$stream-write", "$stream-end",
                                                 "$stream-error"};

/* ---- hub bookkeeping ---- */

static void sio__stream_free(sio_stream *st) {
    const sio_allocator *a = st->hub->alloc;
    while (st->held) {
        sio__stream_held *c = st->held;
        st->held = c->next;
        sio__free(a, c);
    }
    sio_buf_free(&st->wq);
    sio__free(a, st);
}

static void sio__stream_enter(sio_stream_hub *hub) { hub->depth++; }

static void sio__stream_leave(sio_stream_hub *hub) {
    if (--hub->depth > 0) return;
    while (hub->dead) {
        sio_stream *st = hub->dead;
        hub->dead = st->next;
        sio__stream_free(st);
    }
}

static void sio__stream_unlink(sio_stream *st) {
    if (st->prev) st->prev->next = st->next;
    else st->hub->live = st->next;
    if (st->next) st->next->prev = st->prev;
    st->prev = st->next = NULL;
}

static void sio__stream_close_fds(sio_stream *st) {
    if (st->src_fd >= 0 && st->src_close) close(st->src_fd);
    if (st->dst_fd >= 0 && st->dst_close) close(st->dst_fd);
    st->src_fd = st->dst_fd = -1;
}

/* ---- packets ---- */

/* [id] or [id, text] or [id, number]: read, end and error requests. */
static int sio__stream_send(sio_stream *st, const char *event, const char *text, long long num) {
    sio_msg m;
    int rc;
    sio_msg_init(&m);
    sio_json_str(&m.w, st->id);
    if (text) sio_json_str(&m.w, text);
    if (num >= 0) sio_json_int(&m.w, num);
    rc = m.w.err ? m.w.err : m.buf.err;
    if (rc == SIO_OK) rc = st->hub->ops->emit(st->sock, event, &m);
    sio_msg_free(&m);
    return rc;
}

/* Closes st: optionally tells the peer ($stream-error) and the user
   (on_close). The memory goes when the hub is left. */
static void sio__stream_close(sio_stream *st, int err, const char *message, int tell_peer, int tell_user) {
    sio_stream_hub *hub = st->hub;
    sio__stream_ackrec *r;
    if (st->dead) return;
    if (tell_peer) sio__stream_send(st, "$stream-error", message ? message : sio_strerror(err), -1);
    st->dead = 1;
    sio__stream_unlink(st);
    st->next = hub->dead;
    hub->dead = st;
    for (r = hub->acks; r; r = r->next)
        if (r->st == st) r->st = NULL;
    sio__stream_close_fds(st);
    if (tell_user && st->h.on_close) st->h.on_close(st, err, message, st->h.user);
}

static void sio__stream_fail_errno(sio_stream *st, int e) {
    sio__stream_close(st, SIO_ERR_IO, strerror(e), 1, 1);
}

static int sio__stream_count(sio_stream_hub *hub, void *sock) {
    sio_stream *st;
    int n = 0;
    for (st = hub->live; st; st = st->next)
        if (st->sock == sock) n++;
    return n;
}

static sio_stream *sio__stream_find(sio_stream_hub *hub, void *sock, const char *id) {
    sio_stream *st;
    for (st = hub->live; st; st = st->next)
        if (st->sock == sock && strcmp(st->id, id) == 0) return st;
    return NULL;
}

static sio_stream *sio__stream_new(sio_stream_hub *hub, void *sock, const char *id) {
    sio_stream *st = (sio_stream *)sio__malloc(hub->alloc, sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->hub = hub;
    st->sock = sock;
    snprintf(st->id, sizeof st->id, "%s", id);
    st->held_tail = &st->held;
    st->dst_fd = st->src_fd = -1;
    st->wq.alloc = hub->alloc;
    st->next = hub->live;
    if (hub->live) hub->live->prev = st;
    hub->live = st;
    return st;
}

/* xorshift64*: ids only have to be unique per socket and unguessable
   enough not to collide with the peer's own UUIDs. */
static uint64_t sio__stream_rand(sio_stream_hub *hub) {
    uint64_t x = hub->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    hub->rng = x;
    return x * 2685821657736338717ull;
}

static void sio__stream_seed(sio_stream_hub *hub) {
    unsigned char b[8];
    uint64_t s = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20) ^ (uint64_t)(uintptr_t)hub;
    int fd = open("/dev/urandom", O_RDONLY);
    size_t i;
    if (fd >= 0) {
        if (read(fd, b, sizeof b) == (ssize_t)sizeof b)
            for (i = 0; i < sizeof b; i++) s ^= (uint64_t)b[i] << (8 * i);
        close(fd);
    }
    hub->rng = s ? s : 0x9e3779b97f4a7c15ull;
}

/* A version-4 UUID as socket.io-stream makes them: 8-4-4-4-12 hex. */
static void sio__stream_uuid(sio_stream_hub *hub, char out[37]) {
    static const char hex[] = "0123456789abcdef";
    uint64_t a = sio__stream_rand(hub), b = sio__stream_rand(hub);
    int i, k = 0;
    for (i = 0; i < 36; i++) {
        unsigned v;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            out[i] = '-';
            continue;
        }
        if (k < 16) v = (unsigned)(a >> (4 * k)) & 15u;
        else v = (unsigned)(b >> (4 * (k - 16))) & 15u;
        k++;
        if (i == 14) v = 4;
        if (i == 19) v = 8 | (v & 3);
        out[i] = hex[v];
    }
    out[36] = 0;
}

/* ---- writing side ---- */

static int sio__stream_send_chunk(sio_stream *st, size_t n) {
    sio_stream_hub *hub = st->hub;
    sio__stream_ackrec *rec = (sio__stream_ackrec *)sio__malloc(hub->alloc, sizeof *rec);
    sio_msg m;
    int rc;
    if (!rec) return SIO_ERR_NOMEM;
    rec->hub = hub;
    rec->st = st;
    rec->prev = NULL;
    rec->next = hub->acks;
    if (hub->acks) hub->acks->prev = rec;
    hub->acks = rec;
    sio_msg_init(&m);
    sio_json_str(&m.w, st->id);
    sio_msg_bin(&m, st->wq.data, n);
    sio_json_str(&m.w, "buffer");
    rc = m.err ? m.err : (m.w.err ? m.w.err : m.buf.err);
    /* counted first: a connection that dies inside the emit answers the
       ack (SIO_ERR_CLOSED) before the emit returns */
    st->unacked++;
    if (rc == SIO_OK) rc = hub->ops->emit_ack(st->sock, "$stream-write", &m, rec);
    sio_msg_free(&m);
    if (rc != SIO_OK) {
        st->unacked--;
        if (rec->prev) rec->prev->next = rec->next;
        else hub->acks = rec->next;
        if (rec->next) rec->next->prev = rec->prev;
        sio__free(hub->alloc, rec);
    }
    return rc;
}

/* Tops the queue up from the source descriptor: one chunk ahead at most. */
static void sio__stream_fill(sio_stream *st) {
    while (!st->dead && st->src_fd >= 0 && st->wq.len < SIO_STREAM_CHUNK) {
        ssize_t r;
        if (sio_buf_reserve(&st->wq, SIO_STREAM_CHUNK) != SIO_OK) {
            sio__stream_close(st, SIO_ERR_NOMEM, NULL, 1, 1);
            return;
        }
        r = read(st->src_fd, st->wq.data + st->wq.len, SIO_STREAM_CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r < 0) {
            sio__stream_fail_errno(st, errno);
            return;
        }
        if (r == 0) {
            if (st->src_close) close(st->src_fd);
            st->src_fd = -1;
            st->ending = 1;
            return;
        }
        st->wq.len += (size_t)r;
        st->out += (unsigned long long)r;
    }
}

static void sio__stream_check_done(sio_stream *st) {
    if (!st->dead && st->end_sent && st->unacked == 0 && !st->held && (st->peer_ended || !st->reading))
        sio__stream_close(st, SIO_OK, NULL, 0, 1);
}

/* Sends what the peer asked for, ends when everything is out and acked,
   and, when `drain` is set, tells the user there is room. Only packets
   from the peer pass drain = 1: an on_drain fired from inside the user's
   own sio_stream_write would hand them a second write before the first
   returned. Re-entered from on_drain (via sio_stream_write): the inner
   call only queues, the outer loop sends. */
static void sio__stream_pump(sio_stream *st, int drain) {
    int again = 1;
    if (st->pumping) return;
    st->pumping = 1;
    while (again && !st->dead) {
        again = 0;
        sio__stream_fill(st);
        while (!st->dead && st->want && st->unacked < SIO_STREAM_MAX_UNACKED && st->wq.len > 0) {
            size_t n = st->wq.len < SIO_STREAM_CHUNK ? st->wq.len : SIO_STREAM_CHUNK;
            int rc = sio__stream_send_chunk(st, n);
            if (rc != SIO_OK) {
                sio__stream_close(st, rc, NULL, 0, 1);
                break;
            }
            sio_buf_consume(&st->wq, n);
            st->want = 0;
            sio__stream_fill(st);
        }
        if (st->dead) break;
        if (drain && st->need_drain && !st->ending && SIO_STREAM_HIGH_WATER - st->wq.len >= SIO_STREAM_CHUNK) {
            st->need_drain = 0;
            if (st->h.on_drain) {
                st->h.on_drain(st, st->h.user);
                again = 1;
            }
        }
    }
    st->pumping = 0;
    if (st->dead) return;
    if (st->ending && !st->end_sent && st->wq.len == 0 && st->unacked == 0 && st->src_fd < 0) {
        int rc = sio__stream_send(st, "$stream-end", NULL, -1);
        if (rc != SIO_OK) {
            sio__stream_close(st, rc, NULL, 0, 1);
            return;
        }
        st->end_sent = 1;
    }
    sio__stream_check_done(st);
}

static void sio__stream_acked(sio__stream_ackrec *rec, int err, const sio_args *args) {
    sio_stream_hub *hub = rec->hub;
    sio_stream *st = rec->st;
    sio_json v;
    if (rec->prev) rec->prev->next = rec->next;
    else hub->acks = rec->next;
    if (rec->next) rec->next->prev = rec->prev;
    sio__free(hub->alloc, rec);
    if (!st || st->dead) return;
    sio__stream_enter(hub);
    st->unacked--;
    if (err != SIO_OK) {
        sio__stream_close(st, err, "Connection aborted", 0, 1);
    } else if (args && sio_args_get(args, 0, &v) == SIO_OK && v.type != SIO_JSON_NULL &&
               v.type != SIO_JSON_FALSE) {
        /* the reader refused the chunk, e.g. ["invalid stream id: ..."] */
        char msg[256];
        if (v.type == SIO_JSON_STRING) sio_json_strcpy(v, msg, sizeof msg);
        else snprintf(msg, sizeof msg, "%.*s", (int)(v.len < 200 ? v.len : 200), v.ptr);
        sio__stream_close(st, SIO_ERR_REFUSED, msg, 1, 1);
    } else {
        sio__stream_pump(st, 1);
    }
    sio__stream_leave(hub);
}

/* ---- reading side ---- */

static void sio__stream_request(sio_stream *st) {
    if (st->dead || !st->reading || st->read_req || st->paused || st->peer_ended || st->held) return;
    st->read_req = 1;
    if (sio__stream_send(st, "$stream-read", NULL, SIO_STREAM_CHUNK) != SIO_OK)
        sio__stream_close(st, SIO_ERR_CLOSED, "Connection aborted", 0, 1);
}

static void sio__stream_ack_chunk(sio_stream *st, long long ack_id) {
    sio_msg m;
    if (ack_id < 0 || st->dead) return;
    sio_msg_init(&m);
    st->hub->ops->ack(st->sock, ack_id, &m);
    sio_msg_free(&m);
}

static void sio__stream_deliver(sio_stream *st, const char *p, size_t len) {
    size_t off = 0;
    st->in += len;
    while (st->dst_fd >= 0 && off < len) {
        ssize_t w = write(st->dst_fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf;
            pf.fd = st->dst_fd;
            pf.events = POLLOUT;
            pf.revents = 0;
            poll(&pf, 1, -1);
            continue;
        }
        if (w < 0) {
            sio__stream_fail_errno(st, errno);
            return;
        }
        off += (size_t)w;
    }
    if (st->h.on_data) st->h.on_data(st, p, len, st->h.user);
}

/* The peer ended and nothing is held: end of data for the user, then our
   own end, because a socket.io-stream peer is not half-open either. */
static void sio__stream_finish_read(sio_stream *st) {
    if (st->dead || !st->reading || st->end_delivered) return;
    st->end_delivered = 1;
    if (st->dst_fd >= 0 && st->dst_close) {
        if (close(st->dst_fd) != 0) {
            st->dst_fd = -1;
            sio__stream_fail_errno(st, errno);
            return;
        }
        st->dst_fd = -1;
    }
    if (st->h.on_end) st->h.on_end(st, st->h.user);
    if (st->dead) return;
    st->ending = 1;
    sio__stream_pump(st, 0);
}

/* Hands held chunks over while the user takes them. */
static void sio__stream_flush_held(sio_stream *st) {
    while (!st->dead && st->held && st->reading && !st->paused) {
        sio__stream_held *c = st->held;
        st->held = c->next;
        if (!st->held) st->held_tail = &st->held;
        st->held_bytes -= c->len;
        sio__stream_deliver(st, (const char *)(c + 1), c->len);
        sio__stream_ack_chunk(st, c->ack_id);
        sio__free(st->hub->alloc, c);
    }
    if (st->dead || st->held || !st->reading || st->paused) return;
    if (st->peer_ended) sio__stream_finish_read(st);
    else sio__stream_request(st);
}

static void sio__stream_on_write(sio_stream *st, const char *p, size_t len, long long ack_id) {
    st->read_req = 0;
    if (st->held || !st->reading || st->paused) {
        sio__stream_held *c;
        /* a Node writer sends only what was asked for; more than a high
           water mark of unasked-for data is a peer ignoring the rules */
        if (len > SIO_STREAM_HIGH_WATER || st->held_bytes + len > SIO_STREAM_HIGH_WATER) {
            sio__stream_close(st, SIO_ERR_TOO_BIG, "too much data not asked for", 1, 1);
            return;
        }
        c = (sio__stream_held *)sio__malloc(st->hub->alloc, sizeof *c + (len ? len : 1));
        if (!c) {
            sio__stream_close(st, SIO_ERR_NOMEM, NULL, 1, 1);
            return;
        }
        c->next = NULL;
        c->ack_id = ack_id;
        c->len = len;
        if (len) memcpy(c + 1, p, len);
        *st->held_tail = c;
        st->held_tail = &c->next;
        st->held_bytes += len;
        return;
    }
    sio__stream_deliver(st, p, len);
    sio__stream_ack_chunk(st, ack_id);
    sio__stream_request(st);
}

/* ---- incoming events ---- */

static int sio__stream_id_of(sio_json v, char *id) {
    if (v.type != SIO_JSON_STRING) return 0;
    if (sio_json_strcpy(v, id, SIO_STREAM_MAX_ID + 1) > SIO_STREAM_MAX_ID) return 0;
    return id[0] != 0 && strlen(id) == sio_json_strcpy(v, NULL, 0);
}

static void sio__stream_ack_text(sio_stream_hub *hub, void *sock, long long ack_id, const char *text, const char *id) {
    sio_msg m;
    sio_buf b;
    if (ack_id < 0) return;
    memset(&b, 0, sizeof b);
    b.alloc = hub->alloc;
    sio_buf_appends(&b, text);
    sio_buf_appends(&b, id);
    sio_buf_appendc(&b, 0);
    sio_msg_init(&m);
    if (!b.err) sio_json_str(&m.w, b.data);
    hub->ops->ack(sock, ack_id, &m);
    sio_msg_free(&m);
    sio_buf_free(&b);
}

static void sio__stream_on_open(sio_stream_hub *hub, void *sock, sio_socket *ssock,
                                struct sio_client_socket *csock, const sio_args *a, long long ack_id) {
    sio_stream *streams[SIO_STREAM_MAX_PER_EVENT];
    sio_stream_event ev;
    sio__stream_handler *h;
    sio_json name, v, idv;
    char type[SIO_MAX_EVENT_LEN + 1], id[SIO_STREAM_MAX_ID + 1];
    size_t i, n = 0;
    int any = 0;
    if (sio_args_get(a, 0, &name) != SIO_OK || name.type != SIO_JSON_STRING) return;
    if (sio_json_strcpy(name, type, sizeof type) >= sizeof type) return;
    for (h = hub->handlers; h; h = h->next)
        if (strcmp(h->event, type) == 0 || strcmp(h->event, "*") == 0) any = 1;
    if (!any) return; /* as in Node: no listener, no streams decoded */
    for (i = 1; i < a->count && n < SIO_STREAM_MAX_PER_EVENT; i++) {
        sio_stream *st;
        if (sio_args_get(a, i, &v) != SIO_OK || v.type != SIO_JSON_OBJECT) continue;
        if (sio_json_get(v, "$stream", &idv) != SIO_OK || !sio__stream_id_of(idv, id)) continue;
        if (sio__stream_find(hub, sock, id)) {
            /* the peer reused a live id: refuse the newcomer, keep the old one */
            sio_stream tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.hub = hub;
            tmp.sock = sock;
            snprintf(tmp.id, sizeof tmp.id, "%s", id);
            sio__stream_send(&tmp, "$stream-error", "Decoded stream already exists", -1);
            continue;
        }
        if (sio__stream_count(hub, sock) >= SIO_STREAM_MAX_PER_SOCKET) {
            sio_stream tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.hub = hub;
            tmp.sock = sock;
            snprintf(tmp.id, sizeof tmp.id, "%s", id);
            sio__stream_send(&tmp, "$stream-error", "too many streams", -1);
            continue;
        }
        st = sio__stream_new(hub, sock, id);
        if (!st) break;
        streams[n++] = st;
    }
    memset(&ev, 0, sizeof ev);
    ev.hub = hub;
    ev.socket = ssock;
    ev.client = csock;
    ev.name.ptr = type;
    ev.name.len = strlen(type);
    ev.stream = n ? streams[0] : NULL;
    ev.streams = streams;
    ev.nstreams = n;
    ev.args = *a;
    ev.args.first = a->first + 1;
    ev.args.count = a->count - 1;
    ev.ack_id = ack_id;
    for (h = hub->handlers; h; h = h->next)
        if (strcmp(h->event, type) == 0 || strcmp(h->event, "*") == 0) h->fn(&ev, h->user);
}

/* Chunk bytes from the $stream-write arguments: a binary attachment, a
   base64 string (forceBase64 senders), any other string as its UTF-8, or
   null for an empty chunk. */
static int sio__stream_chunk(sio_stream_hub *hub, const sio_args *a, const char **p, size_t *len) {
    sio_json v, enc;
    sio_str bin;
    if (sio_args_get(a, 1, &v) != SIO_OK || v.type == SIO_JSON_NULL) {
        *p = "";
        *len = 0;
        return SIO_OK;
    }
    if (sio_args_bin(a, v, &bin)) {
        *p = bin.ptr;
        *len = bin.len;
        return SIO_OK;
    }
    if (v.type != SIO_JSON_STRING) return SIO_ERR_PROTOCOL;
    sio_buf_reset(&hub->tmp);
    if (sio_buf_reserve(&hub->tmp, v.len + 1) != SIO_OK) return SIO_ERR_NOMEM;
    if (sio_args_get(a, 2, &enc) == SIO_OK && sio_json_str_eq(enc, "base64")) {
        sio_str raw = sio_json_raw_str(v);
        size_t n = 0;
        if (sio_base64_decode(raw.ptr, raw.len, (unsigned char *)hub->tmp.data, hub->tmp.cap, &n) != SIO_OK)
            return SIO_ERR_PROTOCOL;
        *len = n;
    } else {
        *len = sio_json_strcpy(v, hub->tmp.data, hub->tmp.cap);
    }
    *p = hub->tmp.data;
    return SIO_OK;
}

static void sio__stream_incoming(sio_stream_hub *hub, void *sock, sio_socket *ssock,
                                 struct sio_client_socket *csock, sio_str name, const sio_args *args,
                                 long long ack_id) {
    sio_stream *st;
    sio_json v;
    char id[SIO_STREAM_MAX_ID + 1];
    sio__stream_enter(hub);
    if (name.len == 7) { /* "$stream" */
        sio__stream_on_open(hub, sock, ssock, csock, args, ack_id);
        sio__stream_leave(hub);
        return;
    }
    if (sio_args_get(args, 0, &v) != SIO_OK || !sio__stream_id_of(v, id)) {
        sio__stream_leave(hub);
        return;
    }
    st = sio__stream_find(hub, sock, id);
    if (name.len == 13 && memcmp(name.ptr, "$stream-write", 13) == 0) {
        const char *p = NULL;
        size_t len = 0;
        int rc;
        if (!st) {
            sio__stream_ack_text(hub, sock, ack_id, "invalid stream id: ", id);
        } else if ((rc = sio__stream_chunk(hub, args, &p, &len)) != SIO_OK) {
            sio__stream_close(st, rc, "bad chunk", 1, 1);
        } else {
            sio__stream_on_write(st, p, len, ack_id);
        }
    } else if (!st) {
        /* read, end or error for a stream already forgotten: Node ignores them too */
    } else if (name.len == 12 && memcmp(name.ptr, "$stream-read", 12) == 0) {
        st->want = 1;
        sio__stream_pump(st, 1);
    } else if (name.len == 11 && memcmp(name.ptr, "$stream-end", 11) == 0) {
        st->peer_ended = 1;
        st->read_req = 0;
        if (st->reading && !st->paused && !st->held) sio__stream_finish_read(st);
        else sio__stream_check_done(st);
    } else if (name.len == 13 && memcmp(name.ptr, "$stream-error", 13) == 0) {
        char msg[256];
        msg[0] = 0;
        if (sio_args_get(args, 1, &v) == SIO_OK) {
            if (v.type == SIO_JSON_STRING) sio_json_strcpy(v, msg, sizeof msg);
            else snprintf(msg, sizeof msg, "%.*s", (int)(v.len < 200 ? v.len : 200), v.ptr);
        }
        sio__stream_close(st, SIO_ERR_REFUSED, msg, 0, 1);
    }
    sio__stream_leave(hub);
}

static void sio__stream_drop_socket(sio_stream_hub *hub, void *sock) {
    sio_stream *st, *next;
    sio__stream_enter(hub);
    for (st = hub->live; st; st = next) {
        next = st->next;
        if (st->sock == sock) {
            sio__stream_close(st, SIO_ERR_CLOSED, "Connection aborted", 0, 1);
            next = hub->live; /* on_close may have closed others: start over */
        }
    }
    sio__stream_leave(hub);
}

/* ---- server glue ---- */

static int sio__stream_srv_emit(void *sock, const char *event, const sio_msg *m) {
    return sio_emit((sio_socket *)sock, event, m);
}
static void sio__stream_srv_acked(sio_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    sio__stream_acked((sio__stream_ackrec *)user, err, args);
}
static int sio__stream_srv_emit_ack(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec) {
    return sio_emit_ack((sio_socket *)sock, event, m, 0, sio__stream_srv_acked, rec);
}
static int sio__stream_srv_ack(void *sock, long long id, const sio_msg *m) {
    return sio_ack((sio_socket *)sock, id, m);
}
static const sio__stream_ops sio__stream_srv_ops = {sio__stream_srv_emit, sio__stream_srv_emit_ack,
                                                    sio__stream_srv_ack};

static void sio__stream_srv_event(const sio_event *ev, void *user) {
    sio__stream_incoming((sio_stream_hub *)user, ev->socket, ev->socket, NULL, ev->name, &ev->args, ev->ack_id);
}

static void sio__stream_srv_disc(sio_socket *s, const char *reason, void *user) {
    sio_stream_hub *hub = (sio_stream_hub *)user;
    sio__stream_drop_socket(hub, s);
    if (hub->prev_disc) hub->prev_disc(s, reason, hub->prev_disc_user);
}

static sio_stream_hub *sio__stream_hub_new(const sio_allocator *a, const sio__stream_ops *ops) {
    sio_stream_hub *hub = (sio_stream_hub *)sio__malloc(a, sizeof *hub);
    if (!hub) return NULL;
    memset(hub, 0, sizeof *hub);
    hub->ops = ops;
    hub->alloc = a;
    hub->tmp.alloc = a;
    sio__stream_seed(hub);
    return hub;
}

SIO_API sio_stream_hub *sio_stream_attach(sio_namespace *nsp, int *err) {
    sio_stream_hub *hub;
    size_t i;
    int rc = SIO_OK;
    if (err) *err = SIO_ERR_INVALID;
    if (!nsp) return NULL;
    hub = sio__stream_hub_new(nsp->srv->loop.alloc, &sio__stream_srv_ops);
    if (!hub) {
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    hub->nsp = nsp;
    for (i = 0; i < sizeof sio__stream_events / sizeof sio__stream_events[0] && rc == SIO_OK; i++)
        rc = sio_on(nsp, sio__stream_events[i], sio__stream_srv_event, hub);
    if (rc != SIO_OK) {
        /* handlers already added cannot be removed: keep the hub alive but
           unusable rather than leave them pointing at freed memory */
        if (err) *err = rc;
        return NULL;
    }
    /* the server keeps one disconnect handler per namespace: ours runs
       first, then the one that was there */
    hub->prev_disc = nsp->on_disconnect;
    hub->prev_disc_user = nsp->disconnect_user;
    sio_on_disconnect(nsp, sio__stream_srv_disc, hub);
    if (err) *err = SIO_OK;
    return hub;
}

/* ---- client glue ---- */
#ifndef SIO_NO_CLIENT
static int sio__stream_cl_emit(void *sock, const char *event, const sio_msg *m) {
    sio_client_socket *s = (sio_client_socket *)sock;
    /* a stream must not outlive its connection: no holding while offline */
    if (!sio_client_connected(s)) return SIO_ERR_CLOSED;
    return sio_client_emit(s, event, m);
}
static void sio__stream_cl_acked(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    sio__stream_acked((sio__stream_ackrec *)user, err, args);
}
static int sio__stream_cl_emit_ack(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec) {
    sio_client_socket *s = (sio_client_socket *)sock;
    if (!sio_client_connected(s)) return SIO_ERR_CLOSED;
    return sio_client_emit_ack(s, event, m, 0, sio__stream_cl_acked, rec);
}
static int sio__stream_cl_ack(void *sock, long long id, const sio_msg *m) {
    return sio_client_ack((sio_client_socket *)sock, id, m);
}
static const sio__stream_ops sio__stream_cl_ops = {sio__stream_cl_emit, sio__stream_cl_emit_ack, sio__stream_cl_ack};

static void sio__stream_cl_event(const sio_client_event *ev, void *user) {
    sio__stream_incoming((sio_stream_hub *)user, ev->socket, NULL, ev->socket, ev->name, &ev->args, ev->ack_id);
}

static void sio__stream_cl_disc(sio_client_socket *s, const char *reason, void *user) {
    sio_stream_hub *hub = (sio_stream_hub *)user;
    sio__stream_drop_socket(hub, s);
    if (hub->prev_cdisc) hub->prev_cdisc(s, reason, hub->prev_cdisc_user);
}

SIO_API sio_stream_hub *sio_stream_attach_client(sio_client_socket *s, int *err) {
    sio_stream_hub *hub;
    size_t i;
    int rc = SIO_OK;
    if (err) *err = SIO_ERR_INVALID;
    if (!s) return NULL;
    hub = sio__stream_hub_new(s->cl->loop.alloc, &sio__stream_cl_ops);
    if (!hub) {
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    hub->cs = s;
    for (i = 0; i < sizeof sio__stream_events / sizeof sio__stream_events[0] && rc == SIO_OK; i++)
        rc = sio_client_on(s, sio__stream_events[i], sio__stream_cl_event, hub);
    if (rc != SIO_OK) {
        if (err) *err = rc;
        return NULL;
    }
    hub->prev_cdisc = s->on_disconnect;
    hub->prev_cdisc_user = s->disconnect_user;
    sio_client_on_disconnect(s, sio__stream_cl_disc, hub);
    if (err) *err = SIO_OK;
    return hub;
}
#endif

/* ---- public API ---- */

SIO_API void sio_stream_hub_destroy(sio_stream_hub *hub) {
    const sio_allocator *a;
    if (!hub) return;
    a = hub->alloc;
    while (hub->live) {
        sio_stream *st = hub->live;
        hub->live = st->next;
        sio__stream_close_fds(st);
        sio__stream_free(st);
    }
    while (hub->dead) {
        sio_stream *st = hub->dead;
        hub->dead = st->next;
        sio__stream_free(st);
    }
    while (hub->acks) {
        sio__stream_ackrec *r = hub->acks;
        hub->acks = r->next;
        sio__free(a, r);
    }
    while (hub->handlers) {
        sio__stream_handler *h = hub->handlers;
        hub->handlers = h->next;
        sio__free(a, h->event);
        sio__free(a, h);
    }
    sio_buf_free(&hub->tmp);
    sio__free(a, hub);
}

SIO_API int sio_stream_on(sio_stream_hub *hub, const char *event, sio_stream_event_fn fn, void *user) {
    sio__stream_handler *h, **pp;
    size_t n;
    if (!hub || !event || !fn) return SIO_ERR_INVALID;
    n = strlen(event);
    if (n > SIO_MAX_EVENT_LEN) return SIO_ERR_TOO_BIG;
    h = (sio__stream_handler *)sio__malloc(hub->alloc, sizeof *h);
    if (!h) return SIO_ERR_NOMEM;
    h->event = (char *)sio__malloc(hub->alloc, n + 1);
    if (!h->event) {
        sio__free(hub->alloc, h);
        return SIO_ERR_NOMEM;
    }
    memcpy(h->event, event, n + 1);
    h->fn = fn;
    h->user = user;
    h->next = NULL;
    for (pp = &hub->handlers; *pp; pp = &(*pp)->next) {}
    *pp = h;
    return SIO_OK;
}

static sio_stream *sio__stream_open(sio_stream_hub *hub, void *sock, const char *event, const char *json_args,
                                    int *err) {
    sio_json root, v;
    sio_json_iter it;
    sio_stream *st;
    sio_msg m;
    char id[37];
    int rc, tries = 0;
    if (err) *err = SIO_ERR_INVALID;
    if (!hub || !sock || !event || !*event || strlen(event) > SIO_MAX_EVENT_LEN) return NULL;
    if (json_args && (sio_json_parse(json_args, strlen(json_args), &root) != SIO_OK || root.type != SIO_JSON_ARRAY))
        return NULL;
    if (sio__stream_count(hub, sock) >= SIO_STREAM_MAX_PER_SOCKET) {
        if (err) *err = SIO_ERR_TOO_BIG;
        return NULL;
    }
    do sio__stream_uuid(hub, id);
    while (sio__stream_find(hub, sock, id) && ++tries < 8);
    sio_msg_init(&m);
    sio_json_str(&m.w, event);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "$stream");
    sio_json_str(&m.w, id);
    sio_json_obj_end(&m.w);
    if (json_args) {
        sio_json_iter_init(&it, root);
        while (sio_json_iter_next(&it, NULL, &v)) sio_json_raw(&m.w, v.ptr, v.len);
    }
    rc = m.w.err ? m.w.err : m.buf.err;
    st = NULL;
    if (rc == SIO_OK) {
        st = sio__stream_new(hub, sock, id);
        if (!st) rc = SIO_ERR_NOMEM;
    }
    if (rc == SIO_OK) {
        rc = hub->ops->emit(sock, "$stream", &m);
        if (rc != SIO_OK) {
            sio__stream_unlink(st);
            sio__stream_free(st);
            st = NULL;
        }
    }
    sio_msg_free(&m);
    if (err) *err = rc;
    return st;
}

SIO_API sio_stream *sio_stream_open(sio_stream_hub *hub, sio_socket *s, const char *event, const char *json_args,
                                    int *err) {
    if (hub && hub->ops != &sio__stream_srv_ops) {
        if (err) *err = SIO_ERR_INVALID;
        return NULL;
    }
    return sio__stream_open(hub, s, event, json_args, err);
}

#ifndef SIO_NO_CLIENT
SIO_API sio_stream *sio_stream_open_client(sio_stream_hub *hub, const char *event, const char *json_args,
                                           int *err) {
    if (!hub || hub->ops != &sio__stream_cl_ops) {
        if (err) *err = SIO_ERR_INVALID;
        return NULL;
    }
    if (!sio_client_connected(hub->cs)) {
        if (err) *err = SIO_ERR_CLOSED;
        return NULL;
    }
    return sio__stream_open(hub, hub->cs, event, json_args, err);
}

SIO_API sio_client_socket *sio_stream_client_socket(const sio_stream *st) {
    return st && st->hub->ops == &sio__stream_cl_ops ? (sio_client_socket *)st->sock : NULL;
}
#endif

SIO_API const char *sio_stream_id(const sio_stream *st) { return st ? st->id : ""; }
SIO_API sio_socket *sio_stream_socket(const sio_stream *st) {
    return st && st->hub->ops == &sio__stream_srv_ops ? (sio_socket *)st->sock : NULL;
}
SIO_API unsigned long long sio_stream_bytes_in(const sio_stream *st) { return st ? st->in : 0; }
SIO_API unsigned long long sio_stream_bytes_out(const sio_stream *st) { return st ? st->out : 0; }

/* Reading starts (or goes on) if there is somewhere for the data to go. */
static void sio__stream_update_reading(sio_stream *st) {
    int was = st->reading;
    st->reading = st->h.on_data != NULL || st->dst_fd >= 0;
    if (st->reading && !was) sio__stream_flush_held(st);
}

SIO_API void sio_stream_set_handlers(sio_stream *st, const sio_stream_handlers *h) {
    sio_stream_hub *hub;
    if (!st || st->dead) return;
    hub = st->hub;
    sio__stream_enter(hub);
    if (h) st->h = *h;
    else memset(&st->h, 0, sizeof st->h);
    sio__stream_update_reading(st);
    sio__stream_leave(hub);
}

SIO_API size_t sio_stream_writable(const sio_stream *st) {
    if (!st || st->dead || st->ending || st->src_fd >= 0) return 0;
    return st->wq.len >= SIO_STREAM_HIGH_WATER ? 0 : SIO_STREAM_HIGH_WATER - st->wq.len;
}

SIO_API int sio_stream_write(sio_stream *st, const void *data, size_t len) {
    sio_stream_hub *hub;
    size_t room, n;
    if (!st || (!data && len)) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    room = sio_stream_writable(st);
    n = len < room ? len : room;
    if (n && sio_buf_append(&st->wq, data, n) != SIO_OK) return SIO_ERR_NOMEM;
    st->out += n;
    if (n < len || st->wq.len >= SIO_STREAM_CHUNK) st->need_drain = 1;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return (int)n;
}

SIO_API int sio_stream_end(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st) return SIO_ERR_INVALID;
    if (st->dead) return SIO_ERR_STATE;
    if (st->ending) return SIO_OK;
    st->ending = 1;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API void sio_stream_pause(sio_stream *st) {
    if (st && !st->dead) st->paused = 1;
}

SIO_API void sio_stream_resume(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st || st->dead || !st->paused) return;
    st->paused = 0;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_flush_held(st);
    sio__stream_leave(hub);
}

SIO_API int sio_stream_error(sio_stream *st, const char *message) {
    sio_stream_hub *hub;
    if (!st) return SIO_ERR_INVALID;
    if (st->dead) return SIO_ERR_STATE;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_close(st, SIO_ERR_REFUSED, message ? message : "error", 1, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API void sio_stream_destroy(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st || st->dead) return;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_close(st, SIO_OK, NULL, 0, 0);
    sio__stream_leave(hub);
}

SIO_API int sio_stream_send_fd(sio_stream *st, int fd, int close_fd) {
    sio_stream_hub *hub;
    if (!st || fd < 0) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    st->src_fd = fd;
    st->src_close = close_fd;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API int sio_stream_send_file(sio_stream *st, const char *path) {
    int fd;
    if (!st || !path) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    fd = open(path, O_RDONLY);
    if (fd < 0) return errno == ENOENT ? SIO_ERR_NOT_FOUND : SIO_ERR_IO;
    return sio_stream_send_fd(st, fd, 1);
}

SIO_API int sio_stream_save_fd(sio_stream *st, int fd, int close_fd) {
    sio_stream_hub *hub;
    if (!st || fd < 0) return SIO_ERR_INVALID;
    if (st->dead || st->dst_fd >= 0 || st->end_delivered) return SIO_ERR_STATE;
    st->dst_fd = fd;
    st->dst_close = close_fd;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_update_reading(st);
    sio__stream_request(st);
    sio__stream_leave(hub);
    return SIO_OK;
}
