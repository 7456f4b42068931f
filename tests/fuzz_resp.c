/* libFuzzer harness for the RESP2 codec (>>resp): the input is read as a
   stream of replies, one sio_resp_parse after another. Each verdict must
   be one of bytes taken, 0 (wait), SIO_ERR_PROTOCOL or SIO_ERR_TOO_BIG;
   a whole reply's items must lie inside the bytes it took, in order, and
   make exactly one value (arrays' counts walked with a stack); every
   prefix must only be waiting (or, for an error, give the same error);
   a smaller max gives the same or SIO_ERR_TOO_BIG; and the items written
   back canonically, by hand and with sio_resp_command for an array of
   bulks, must parse to the same items and be a fixed point.
   clang -g -O1 -fsanitize=fuzzer,address,undefined fuzz_resp.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "assertion failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)
#define MAXI 64
#define PREFIX_BUDGET 600   /* prefix parses per input, so long inputs stay fast */

static int prefix_budget;

/* parse into an out[] of exactly max items (ASan sees a write past max) */
static long parse(const char *p, size_t n, int max, sio_resp **items, int *nout) {
    long r;
    *items = (sio_resp *)malloc((size_t)max * sizeof **items);
    FUZZ_ASSERT(*items != NULL);
    *nout = -1;
    r = sio_resp_parse(p, n, *items, max, nout);
    FUZZ_ASSERT(r > 0 || r == 0 || r == SIO_ERR_PROTOCOL || r == SIO_ERR_TOO_BIG);
    FUZZ_ASSERT(r <= 0 || (size_t)r <= n);
    FUZZ_ASSERT(r > 0 ? *nout >= 1 && *nout <= max : *nout == 0);
    return r;
}

/* parse p[0..n) from an exact-size copy, so a read past n is caught */
static long parse_copy(const char *p, size_t n, int max, sio_resp **items, int *nout, char **copy) {
    *copy = (char *)malloc(n ? n : 1);
    FUZZ_ASSERT(*copy != NULL);
    if (n) memcpy(*copy, p, n);
    return parse(*copy, n, max, items, nout);
}

/* the items of a whole reply at p[0..used) */
static void check_items(const char *p, size_t used, const sio_resp *it, int nout, int max) {
    long long left[SIO_RESP_MAX_DEPTH + 1];
    const char *low = p, *end = p + used;
    int i, depth = 0, done = 0;
    FUZZ_ASSERT(used >= 3 && p[used - 2] == '\r' && p[used - 1] == '\n');
    FUZZ_ASSERT(nout >= 1 && nout <= max);
    for (i = 0; i < nout; i++) {
        const sio_resp *v = &it[i];
        FUZZ_ASSERT(!done);                  /* nothing after the value closes */
        switch (v->type) {
        case '+':
        case '-':
            FUZZ_ASSERT(v->ptr && v->ptr > low && v->ptr[-1] == v->type && v->n == 0);
            FUZZ_ASSERT(v->len <= (size_t)(end - v->ptr) && (size_t)(end - v->ptr) - v->len >= 2);
            FUZZ_ASSERT(v->ptr[v->len] == '\r' && v->ptr[v->len + 1] == '\n');
            FUZZ_ASSERT(!memchr(v->ptr, '\r', v->len) && !memchr(v->ptr, '\n', v->len));
            low = v->ptr + v->len + 2;
            break;
        case ':':
            FUZZ_ASSERT(v->ptr == NULL && v->len == 0);
            break;
        case '$':
            if (v->n == -1) {
                FUZZ_ASSERT(v->ptr == NULL && v->len == 0);
                break;
            }
            FUZZ_ASSERT(v->n >= 0 && (unsigned long long)v->n == v->len && v->len <= SIO_RESP_MAX_BULK);
            FUZZ_ASSERT(v->ptr && v->ptr >= low + 4);            /* at least "$0\r\n" before it */
            FUZZ_ASSERT(v->ptr[-1] == '\n' && v->ptr[-2] == '\r');
            FUZZ_ASSERT(v->len <= (size_t)(end - v->ptr) && (size_t)(end - v->ptr) - v->len >= 2);
            FUZZ_ASSERT(v->ptr[v->len] == '\r' && v->ptr[v->len + 1] == '\n');
            low = v->ptr + v->len + 2;
            break;
        case '*':
            FUZZ_ASSERT(v->ptr == NULL && v->len == 0 && v->n >= -1 && v->n <= max);
            break;
        default:
            FUZZ_ASSERT(!"type byte outside + - : $ *");
        }
        /* pre-order: this value takes a place in the innermost open array */
        if (depth) left[depth]--;
        if (v->type == '*' && v->n > 0) {
            FUZZ_ASSERT(depth < SIO_RESP_MAX_DEPTH);
            left[++depth] = v->n;
        }
        while (depth && left[depth] == 0) depth--;
        if (!depth) done = 1;
    }
    FUZZ_ASSERT(done);
}

/* the items written back in RESP2's plain form */
static void encode(sio_buf *b, const sio_resp *it, int nout) {
    char num[32];
    int i;
    for (i = 0; i < nout; i++) {
        const sio_resp *v = &it[i];
        switch (v->type) {
        case '+':
        case '-':
            sio_buf_appendc(b, v->type);
            sio_buf_append(b, v->ptr, v->len);
            sio_buf_append(b, "\r\n", 2);
            break;
        case '$':
            snprintf(num, sizeof num, "$%lld\r\n", v->n);
            sio_buf_appends(b, num);
            if (v->n >= 0) {
                sio_buf_append(b, v->ptr, v->len);
                sio_buf_append(b, "\r\n", 2);
            }
            break;
        default:
            snprintf(num, sizeof num, "%c%lld\r\n", v->type, v->n);
            sio_buf_appends(b, num);
        }
    }
}

static int same_items(const sio_resp *a, const sio_resp *b, int n) {
    int i;
    for (i = 0; i < n; i++) {
        if (a[i].type != b[i].type || a[i].n != b[i].n || a[i].len != b[i].len) return 0;
        if ((a[i].ptr == NULL) != (b[i].ptr == NULL)) return 0;
        if (a[i].len && memcmp(a[i].ptr, b[i].ptr, a[i].len) != 0) return 0;
    }
    return 1;
}

/* every prefix of p[0..n) (a sample when long) waits, or for an error
   gives that error */
static void check_prefixes(const char *p, size_t n, long full) {
    size_t k, step = n <= 200 ? 1 : n / 64;
    for (k = 0; k < n && prefix_budget > 0; k++) {
        sio_resp *items;
        char *copy;
        int nout;
        long r;
        if (n > 200 && k >= 64 && k + 64 < n && k % step) continue;
        prefix_budget--;
        r = parse_copy(p, k, MAXI, &items, &nout, &copy);
        if (!(r == 0 || (full <= 0 && r == full)))
            fprintf(stderr, "prefix %lu of %lu bytes: %ld, the whole: %ld\n", (unsigned long)k, (unsigned long)n, r, full);
        FUZZ_ASSERT(r == 0 || (full <= 0 && r == full));
        free(items);
        free(copy);
    }
}

/* one reply at p[0..n): every check; returns what the parse gave */
static long one_reply(const char *p, size_t n) {
    sio_resp *items, *again, *small_items;
    int nout, nout2, nsmall, small = 1 + (int)(n % 7);
    long r, r2, rs;
    r = parse(p, n, MAXI, &items, &nout);
    /* the same bytes, the same answer */
    r2 = parse(p, n, MAXI, &again, &nout2);
    FUZZ_ASSERT(r2 == r && nout2 == nout && same_items(items, again, nout));
    free(again);
    /* a smaller max: the same answer, or too big */
    rs = parse(p, n, small, &small_items, &nsmall);
    FUZZ_ASSERT(rs == r || rs == SIO_ERR_TOO_BIG);
    if (r > 0) {
        FUZZ_ASSERT((rs == SIO_ERR_TOO_BIG) == (nout > small));
        if (rs > 0) FUZZ_ASSERT(nsmall == nout && same_items(items, small_items, nout));
    }
    free(small_items);
    check_prefixes(p, r > 0 ? (size_t)r : n, r);
    if (r > 0) {
        size_t used = (size_t)r;
        sio_buf e1, e2, cmd;
        check_items(p, used, items, nout, MAXI);
        /* exactly as many items as it took is enough, one fewer is not */
        r2 = parse(p, n, nout, &again, &nout2);
        FUZZ_ASSERT(r2 == r && nout2 == nout);
        free(again);
        if (nout > 1) {
            r2 = parse(p, n, nout - 1, &again, &nout2);
            FUZZ_ASSERT(r2 == SIO_ERR_TOO_BIG);
            free(again);
        }
        /* written back plainly: the same items, and a fixed point */
        memset(&e1, 0, sizeof e1); memset(&e2, 0, sizeof e2); memset(&cmd, 0, sizeof cmd);
        encode(&e1, items, nout);
        FUZZ_ASSERT(e1.err == 0 && e1.len <= used);
        r2 = parse(e1.data, e1.len, MAXI, &again, &nout2);
        FUZZ_ASSERT(r2 == (long)e1.len && nout2 == nout && same_items(items, again, nout));
        check_items(e1.data, e1.len, again, nout2, MAXI);
        encode(&e2, again, nout2);
        FUZZ_ASSERT(e2.len == e1.len && memcmp(e1.data, e2.data, e1.len) == 0);
        free(again);
        /* an array of bulks is a command: sio_resp_command writes the same bytes */
        if (items[0].type == '*' && items[0].n >= 1 && nout == items[0].n + 1) {
            const char *argv[MAXI];
            size_t lens[MAXI];
            int i, argc = (int)items[0].n, bulks = 1;
            for (i = 0; i < argc; i++) {
                const sio_resp *v = &items[i + 1];
                if (v->type != '$' || v->n < 0) { bulks = 0; break; }
                argv[i] = v->ptr;
                lens[i] = v->len;
            }
            if (bulks) {
                FUZZ_ASSERT(sio_resp_command(&cmd, argc, argv, lens) == SIO_OK);
                FUZZ_ASSERT(cmd.len == e1.len && memcmp(cmd.data, e1.data, e1.len) == 0);
                r2 = parse(cmd.data, cmd.len, MAXI, &again, &nout2);
                FUZZ_ASSERT(r2 == (long)cmd.len && nout2 == nout && same_items(items, again, nout));
                free(again);
            }
        }
        sio_buf_free(&e1); sio_buf_free(&e2); sio_buf_free(&cmd);
    }
    free(items);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t off = 0;
    prefix_budget = PREFIX_BUDGET;
    /* replies back to back, as a connection reads them */
    while (off < size) {
        long r = one_reply((const char *)data + off, size - off);
        if (r <= 0) break;
        off += (size_t)r;
    }
    return 0;
}
