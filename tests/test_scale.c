/* The per-message and per-socket structures cost the same per operation
   with 1 000 items as with 100 000: arguments of one event, pending acks
   answered in any order, members of a set (a room's sockets, a socket's
   rooms), and names in the keyed hash map, including names made to
   collide under a plain hash (against as many ordinary names). Each case is timed (CPU time, best of 3)
   at both sizes, and the cost per operation at 100 000 must stay within
   SCALE_RATIO times that at 1 000: a linear structure stays near 1, a
   quadratic one near 100. Ratios only, never an absolute time. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define SCALE_RATIO 8.0

static int passes, fails, checks_failed;
#define CHECK(c) do { if (!(c)) { checks_failed++; fprintf(stderr, "  check failed line %d: %s\n", __LINE__, #c); } } while (0)
static void group(const char *name) {
    if (checks_failed) { fails++; printf("not ok %d - %s\n", passes + fails, name); }
    else { passes++; printf("ok %d - %s\n", passes + fails, name); }
    checks_failed = 0;
}

static double cpu_seconds(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* Best of three runs of fn(n), per operation. */
static double per_op(void (*fn)(size_t n), size_t n) {
    double best = 1e30;
    int r;
    for (r = 0; r < 3; r++) {
        double t0 = cpu_seconds(), t;
        fn(n);
        t = cpu_seconds() - t0;
        if (t < best) best = t;
    }
    return best / (double)n;
}

static void check_flat(const char *what, void (*fn)(size_t n)) {
    double small, big;
    fn(1000);   /* warm the allocator and caches */
    small = per_op(fn, 1000);
    big = per_op(fn, 100000);
    /* below one clock tick (1 us with glibc, 1 ms on Windows) for the
       1000 operations, the small run says nothing */
    if (small < 1.0 / CLOCKS_PER_SEC / 1000) small = 1.0 / CLOCKS_PER_SEC / 1000;
    fprintf(stderr, "  %s: %.1f ns per op at 1000, %.1f ns at 100000 (ratio %.2f)\n", what, small * 1e9, big * 1e9,
            big / small);
    CHECK(big / small < SCALE_RATIO);
}

static volatile size_t sink;

/* An event of n arguments, indexed on arrival, then every one read. */
static void args_case(size_t n) {
    sio_buf b;
    sio_json arr, v;
    sio_args a;
    size_t i;
    memset(&b, 0, sizeof b);
    sio_buf_appends(&b, "[\"e\"");
    for (i = 0; i < n; i++) sio_buf_appends(&b, ",0");
    sio_buf_appendc(&b, ']');
    if (sio_json_parse(b.data, b.len, &arr) != SIO_OK) abort();
    sio__args_index(&a, arr, 1, NULL, 0, NULL, 1, NULL);
    for (i = 0; i < a.count; i++)
        if (sio_args_get(&a, i, &v) == SIO_OK) sink += v.len;
    if (a.count != n) abort();
    sio__args_release(&a, NULL);
    sio_buf_free(&b);
}

typedef struct item {
    sio__pending p;
} item;

static void acks_done(sio__pending *p, int err, const sio_args *args) {
    (void)err;
    (void)args;
    sink += (size_t)p->id;
}

/* n acks waiting, then answered from the last to the first. */
static void acks_case(size_t n) {
    sio__loop L;
    sio__acks t;
    item *it = (item *)calloc(n, sizeof *it);
    size_t i;
    char text[32];
    sio_packet pk;
    if (!it || sio__loop_init(&L, NULL, NULL, 0) != SIO_OK) abort();
    sio__acks_init(&t, &L);
    for (i = 0; i < n; i++) {
        it[i].p.id = (long long)i;
        it[i].p.done = acks_done;
        if (sio__ack_wait(&t, &it[i].p, 60000) != SIO_OK) abort();
    }
    for (i = n; i-- > 0;) {
        int len = snprintf(text, sizeof text, "3%lu[]", (unsigned long)i);
        if (sio_packet_parse(text, (size_t)len, &pk) != SIO_OK) abort();
        sio__acks_answer(&t, &pk, NULL, 0);
    }
    if (t.t.n != 0) abort();
    sio__acks_free(&t);
    sio__loop_free(&L);
    free(it);
}

/* n members joined, each looked up, then all removed: a room's sockets,
   a socket's rooms. */
static void set_case(size_t n) {
    sio__tab t;
    char *m = (char *)malloc(n);
    size_t i;
    if (!m) abort();
    memset(&t, 0, sizeof t);
    t.key = sio__tab_self;
    for (i = 0; i < n; i++)
        if (sio__tab_put(&t, NULL, m + i) != SIO_OK) abort();
    for (i = 0; i < n; i++)
        if (sio__tab_find(&t, sio__tab_self(m + i)) == (size_t)-1) abort();
    for (i = 0; i < n; i++) sio__tab_remove_at(&t, sio__tab_find(&t, sio__tab_self(m + n - 1 - i)));
    if (t.n != 0) abort();
    sio__tab_free(&t, NULL);
    free(m);
}

/* FNV-1a, the unkeyed hash the room table used before: names that agree
   in its low bits all went to the same few slots. */
static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

#define NNAMES 100000
static char (*names)[16];

/* NNAMES names; with collide, all agreeing in the low 11 bits of FNV-1a,
   as a peer can make them offline to fill a few runs of an unkeyed
   table (2048 tries per name). */
static void make_names(int collide) {
    char c[16] = "r0000000";
    size_t n = 0, len = 8;
    while (n < NNAMES) {
        int k = (int)len - 1;
        while (k > 0 && c[k] == 'z') c[k--] = '0';   /* the next name: a counter in 0-9a-z */
        c[k] = c[k] == '9' ? 'a' : (char)(c[k] + 1);
        if (!collide || (fnv1a(c, len) & 0x7ff) == 0x25a) memcpy(names[n++], c, len + 1);
    }
}

static double map_cost(int collide) {
    sio__map m;
    sio__rng r;
    size_t i;
    double t0, best = 1e30;
    int round;
    make_names(collide);
    if (sio__rng_init(&r) != SIO_OK) abort();
    for (round = 0; round < 3; round++) {
        memset(&m, 0, sizeof m);
        sio__map_seed(&m, &r);
        t0 = cpu_seconds();
        for (i = 0; i < NNAMES; i++)
            if (sio__map_put(&m, NULL, names[i], names[i]) != SIO_OK) abort();
        for (i = 0; i < NNAMES; i++) sink += sio__map_find(&m, names[i], strlen(names[i])) != NULL;
        t0 = cpu_seconds() - t0;
        if (t0 < best) best = t0;
        free(m.e);
    }
    if (r.fd >= 0) close(r.fd);
    return best;
}

int main(void) {
    check_flat("arguments of one event, each read", args_case);
    group("event arguments: indexed once, every one read in constant time");
    check_flat("pending acks answered last first", acks_case);
    group("pending acks: by id, whatever the order of the answers");
    check_flat("set members joined, found, left", set_case);
    group("sets (a room's sockets, a socket's rooms): constant time per join and leave");
    if (!(names = (char (*)[16])calloc(NNAMES, sizeof *names))) abort();
    {
        double plain = map_cost(0), crafted = map_cost(1);
        if (plain < 1e-6) plain = 1e-6;
        fprintf(stderr, "  100000 names: %.1f ms, 100000 made to collide under FNV-1a: %.1f ms (ratio %.2f)\n",
                plain * 1e3, crafted * 1e3, crafted / plain);
        CHECK(crafted / plain < SCALE_RATIO);
    }
    group("the room and id map is keyed: names made to collide under a plain hash do not");
    free(names);
    printf("# pass %d\n# fail %d\n", passes, fails);
    return fails ? 1 : 0;
}
