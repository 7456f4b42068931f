/* Unit tests for the RESP2 codec (>>resp): each reply type, the pub/sub
   shapes the cluster reads, truncation at every byte, replies back to
   back, binary bulks, protocol errors, the limits, integer edges, and
   the command writer byte for byte and parsed back.
   Build: cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. tests/test_resp.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int fails, checks;
#define CHECK(c) do { checks++; if (!(c)) { fails++; printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

/* a string literal and its length, NUL bytes included */
#define L(s) s, sizeof(s) - 1

#define MAXI 64

/* ---- helpers ---- */

/* Every parse reads an exact-size heap copy, so ASan sees any over-read.
   The copy lives until the next parse (items point into it). */
static char *cur;
static sio_resp items[MAXI];
static int nitems;

static long parse_max(const char *s, size_t n, int max) {
    free(cur);
    cur = (char *)malloc(n ? n : 1);
    if (n) memcpy(cur, s, n);
    nitems = -1;
    return sio_resp_parse(cur, n, items, max, &nitems);
}

static long parse(const char *s, size_t n) { return parse_max(s, n, MAXI); }

/* item i is of type t with bytes s[0..len) (s NULL: no bytes, ptr NULL) and number v */
static int item_is(int i, char t, const char *s, size_t len, long long v) {
    const sio_resp *it = &items[i];
    int ok = i < nitems && it->type == t && it->n == v && it->len == len;
    if (ok && s) ok = it->ptr && it->ptr >= cur && memcmp(it->ptr, s, len) == 0;
    if (ok && !s) ok = it->ptr == NULL;
    if (!ok) printf("  item %d: type '%c' n %lld len %lu\n", i, it->type, it->n, (unsigned long)it->len);
    return ok;
}

/* the reply at s[0..n) parses whole, and every strict prefix is only
   incomplete (0, *nout 0), never an error */
static int whole_and_prefixes(const char *s, size_t n) {
    size_t k;
    long r;
    int ok = 1;
    for (k = 0; k < n; k++) {
        r = parse(s, k);
        if (r != 0 || nitems != 0) {
            printf("  prefix %lu of %lu: %ld (nout %d)\n", (unsigned long)k, (unsigned long)n, r, nitems);
            ok = 0;
            break;
        }
    }
    r = parse(s, n);
    if (r != (long)n) { printf("  whole %lu bytes: %ld\n", (unsigned long)n, r); ok = 0; }
    return ok;
}

/* whatever s[0..n) gives, each prefix gives 0 or that same result class:
   a reader fed a byte at a time must come to the same verdict */
static int prefixes_agree(const char *s, size_t n) {
    long full = parse(s, n), r;
    size_t k;
    for (k = 0; k < n; k++) {
        r = parse(s, k);
        if (r == 0) continue;
        if (full > 0 || r != full) {
            printf("  prefix %lu of %lu gives %ld, the whole %ld\n", (unsigned long)k, (unsigned long)n, r, full);
            return 0;
        }
    }
    return 1;
}

static int buf_is(const sio_buf *b, const char *s, size_t n) {
    if (b->err || b->len != n || memcmp(b->data, s, n) != 0) {
        printf("  got  %lu bytes \"%.*s\" (err %d)\n", (unsigned long)b->len, (int)b->len, b->data ? b->data : "", b->err);
        printf("  want %lu bytes \"%.*s\"\n", (unsigned long)n, (int)n, s);
        return 0;
    }
    return 1;
}

/* ---- tests ---- */

static void test_types(void) {
    CHECK(parse(L("+OK\r\n")) == 5 && nitems == 1 && item_is(0, '+', "OK", 2, 0));
    CHECK(parse(L("+\r\n")) == 3 && nitems == 1 && item_is(0, '+', "", 0, 0));
    CHECK(parse(L("+a b\tc\x01\xff\r\n")) == 10 && item_is(0, '+', "a b\tc\x01\xff", 7, 0));
    CHECK(parse(L("-ERR unknown command 'foo'\r\n")) == 28 && nitems == 1 &&
          item_is(0, '-', "ERR unknown command 'foo'", 25, 0));
    CHECK(parse(L("-\r\n")) == 3 && item_is(0, '-', "", 0, 0));
    CHECK(parse(L(":0\r\n")) == 4 && nitems == 1 && item_is(0, ':', NULL, 0, 0));
    CHECK(parse(L(":42\r\n")) == 5 && item_is(0, ':', NULL, 0, 42));
    CHECK(parse(L(":-7\r\n")) == 5 && item_is(0, ':', NULL, 0, -7));
    CHECK(parse(L(":1000000\r\n")) == 10 && item_is(0, ':', NULL, 0, 1000000));
    CHECK(parse(L("$3\r\nabc\r\n")) == 9 && nitems == 1 && item_is(0, '$', "abc", 3, 3));
    CHECK(items[0].ptr == cur + 4);
    /* empty bulk: a real (zero-length) string, not null */
    CHECK(parse(L("$0\r\n\r\n")) == 6 && nitems == 1 && item_is(0, '$', "", 0, 0));
    CHECK(items[0].ptr == cur + 4);
    /* null bulk and null array: n -1, no bytes */
    CHECK(parse(L("$-1\r\n")) == 5 && nitems == 1 && item_is(0, '$', NULL, 0, -1));
    CHECK(parse(L("*-1\r\n")) == 5 && nitems == 1 && item_is(0, '*', NULL, 0, -1));
    /* empty array: one item, complete at once */
    CHECK(parse(L("*0\r\n")) == 4 && nitems == 1 && item_is(0, '*', NULL, 0, 0));
    CHECK(parse(L("*3\r\n:1\r\n+two\r\n$5\r\nthree\r\n")) == 25 && nitems == 4 &&
          item_is(0, '*', NULL, 0, 3) && item_is(1, ':', NULL, 0, 1) &&
          item_is(2, '+', "two", 3, 0) && item_is(3, '$', "three", 5, 5));
    CHECK(parse(L("*4\r\n$-1\r\n*-1\r\n*0\r\n-E\r\n")) == 22 && nitems == 5 &&
          item_is(0, '*', NULL, 0, 4) && item_is(1, '$', NULL, 0, -1) && item_is(2, '*', NULL, 0, -1) &&
          item_is(3, '*', NULL, 0, 0) && item_is(4, '-', "E", 1, 0));
    /* a status may hold what a bulk would frame ("$", ":" inside) */
    CHECK(parse(L("+$3:*1\r\n")) == 8 && item_is(0, '+', "$3:*1", 5, 0));
    /* arguments */
    CHECK(parse_max(L("+OK\r\n"), 0) == SIO_ERR_INVALID);
    CHECK(parse_max(L("+OK\r\n"), -1) == SIO_ERR_INVALID);
    {
        int nout = 5;
        CHECK(sio_resp_parse(NULL, 0, items, MAXI, &nout) == SIO_ERR_INVALID && nout == 0);
        CHECK(sio_resp_parse("+OK\r\n", 5, NULL, MAXI, &nout) == SIO_ERR_INVALID);
    }
}

static void test_nested(void) {
    /* [[1, 2], ["x"]] in pre-order: the array, then its items */
    CHECK(parse(L("*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n$1\r\nx\r\n")) == 27 && nitems == 6 &&
          item_is(0, '*', NULL, 0, 2) && item_is(1, '*', NULL, 0, 2) && item_is(2, ':', NULL, 0, 1) &&
          item_is(3, ':', NULL, 0, 2) && item_is(4, '*', NULL, 0, 1) && item_is(5, '$', "x", 1, 1));
    /* an empty or null array inside closes at once */
    CHECK(parse(L("*3\r\n*0\r\n*-1\r\n:5\r\n")) == 17 && nitems == 4 &&
          item_is(1, '*', NULL, 0, 0) && item_is(2, '*', NULL, 0, -1) && item_is(3, ':', NULL, 0, 5));
    /* closing several arrays with one value: [[[1]], 2] */
    CHECK(parse(L("*2\r\n*1\r\n*1\r\n:1\r\n:2\r\n")) == 20 && nitems == 5 &&
          item_is(3, ':', NULL, 0, 1) && item_is(4, ':', NULL, 0, 2));
    /* SCAN-like reply: cursor, then a list */
    CHECK(parse(L("*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")) == 29 && nitems == 5 &&
          item_is(1, '$', "0", 1, 1) && item_is(2, '*', NULL, 0, 2) && item_is(4, '$', "b", 1, 1));
    {   /* nested exactly SIO_RESP_MAX_DEPTH deep is fine */
        char b[256];
        size_t n = 0;
        int i;
        for (i = 0; i < SIO_RESP_MAX_DEPTH; i++) { memcpy(b + n, "*1\r\n", 4); n += 4; }
        memcpy(b + n, ":7\r\n", 4); n += 4;
        CHECK(parse(b, n) == (long)n && nitems == SIO_RESP_MAX_DEPTH + 1 && item_is(SIO_RESP_MAX_DEPTH, ':', NULL, 0, 7));
        CHECK(whole_and_prefixes(b, n));
    }
}

static void test_pubsub(void) {
    CHECK(parse(L("*3\r\n$7\r\nmessage\r\n$12\r\nsocket.io#/#\r\n$5\r\nhello\r\n")) == 47 && nitems == 4 &&
          item_is(0, '*', NULL, 0, 3) && item_is(1, '$', "message", 7, 7) &&
          item_is(2, '$', "socket.io#/#", 12, 12) && item_is(3, '$', "hello", 5, 5));
    CHECK(parse(L("*4\r\n$8\r\npmessage\r\n$12\r\nsocket.io#/*\r\n$14\r\nsocket.io#/#r#\r\n$3\r\n\x93\x00\x01\r\n")) == 67 &&
          nitems == 5 && item_is(0, '*', NULL, 0, 4) && item_is(1, '$', "pmessage", 8, 8) &&
          item_is(2, '$', "socket.io#/*", 12, 12) && item_is(3, '$', "socket.io#/#r#", 14, 14) &&
          item_is(4, '$', "\x93\x00\x01", 3, 3));
    CHECK(parse(L("*3\r\n$9\r\nsubscribe\r\n$12\r\nsocket.io#/#\r\n:1\r\n")) == 42 && nitems == 4 &&
          item_is(1, '$', "subscribe", 9, 9) && item_is(2, '$', "socket.io#/#", 12, 12) && item_is(3, ':', NULL, 0, 1));
    CHECK(parse(L("*3\r\n$10\r\npsubscribe\r\n$3\r\nch*\r\n:2\r\n")) == 34 && nitems == 4 &&
          item_is(1, '$', "psubscribe", 10, 10) && item_is(3, ':', NULL, 0, 2));
    /* unsubscribe from everything: the channel is null, the count 0 */
    CHECK(parse(L("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n")) == 31 && nitems == 4 &&
          item_is(2, '$', NULL, 0, -1) && item_is(3, ':', NULL, 0, 0));
    /* PUBSUB NUMSUB abc */
    CHECK(parse(L("*2\r\n$3\r\nabc\r\n:2\r\n")) == 17 && nitems == 3 &&
          item_is(0, '*', NULL, 0, 2) && item_is(1, '$', "abc", 3, 3) && item_is(2, ':', NULL, 0, 2));
    /* PUBLISH's reply, receivers */
    CHECK(parse(L(":3\r\n")) == 4 && item_is(0, ':', NULL, 0, 3));
}

static const char *const valid[] = {
    "+OK\r\n", "+\r\n", "-ERR x\r\n", ":0\r\n", ":-12\r\n", ":9223372036854775807\r\n",
    ":-9223372036854775808\r\n", "$3\r\nabc\r\n", "$0\r\n\r\n", "$-1\r\n", "*-1\r\n", "*0\r\n",
    "$2\r\n\r\n\r\n", "$4\r\n\r\n\r\n\r\n",
    "*3\r\n:1\r\n+two\r\n$5\r\nthree\r\n",
    "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n$1\r\nx\r\n",
    "*3\r\n*0\r\n*-1\r\n$-1\r\n",
    "*2\r\n*1\r\n*1\r\n:1\r\n:2\r\n",
    "*3\r\n$7\r\nmessage\r\n$12\r\nsocket.io#/#\r\n$5\r\nhello\r\n",
    "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$2\r\nch\r\n$4\r\n\r\n\r\n\r\n",
    "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
    "*2\r\n$3\r\nabc\r\n:2\r\n",
};

static void test_prefixes(void) {
    size_t i;
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++)
        CHECK(whole_and_prefixes(valid[i], strlen(valid[i])));
    /* with NUL bytes in the bulk (strlen would stop there) */
    CHECK(whole_and_prefixes(L("*2\r\n$4\r\n\x00\r\n\x00\r\n$1\r\n\x00\r\n")));
    {   /* every prefix of a long bulk, too */
        char b[1100];
        size_t n;
        memcpy(b, "$1024\r\n", 7);
        for (n = 0; n < 1024; n++) b[7 + n] = (char)(n * 7 % 256);
        memcpy(b + 7 + 1024, "\r\n", 2);
        n = 7 + 1024 + 2;
        CHECK(whole_and_prefixes(b, n) && item_is(0, '$', b + 7, 1024, 1024));
    }
}

static void test_back_to_back(void) {
    long r;
    /* the first call takes exactly the first reply, the rest waits */
    CHECK(parse(L("+OK\r\n:1\r\n")) == 5 && nitems == 1 && item_is(0, '+', "OK", 2, 0));
    CHECK(parse(L("$3\r\nabc\r\n*1\r\n:2\r\n")) == 9 && nitems == 1 && item_is(0, '$', "abc", 3, 3));
    CHECK(parse(L("*1\r\n:2\r\n$3\r\nabc\r\n")) == 8 && nitems == 2);
    CHECK(parse(L("*0\r\n*0\r\n")) == 4 && nitems == 1);
    CHECK(parse(L("$-1\r\n$-1\r\n")) == 5 && nitems == 1);
    /* a whole reply followed by part of the next, or by garbage: the first
       is still returned (the rest is the next call's business) */
    CHECK(parse(L(":1\r\n*3\r\n$7\r\nmess")) == 4 && nitems == 1 && item_is(0, ':', NULL, 0, 1));
    CHECK(parse(L(":1\r\n?garbage\n")) == 4 && nitems == 1);
    {   /* a stream of replies read off one after another */
        static const char s[] = "+OK\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
                                "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n:5\r\n$-1\r\n";
        size_t n = sizeof s - 1, used = 0;
        int count = 0;
        static const int want_items[] = {1, 4, 4, 1, 1};
        while (used < n && count < 10) {
            r = parse(s + used, n - used);
            CHECK(r > 0);
            if (r <= 0) break;
            CHECK(nitems == want_items[count]);
            used += (size_t)r;
            count++;
        }
        CHECK(count == 5 && used == n);
        CHECK(parse(s + used, 0) == 0 && nitems == 0);
    }
}

static void test_binary(void) {
    /* CR, LF, CRLF, NUL and high bytes inside a bulk are data */
    CHECK(parse(L("$6\r\na\r\nb\x00\xff\r\n")) == 12 && item_is(0, '$', "a\r\nb\x00\xff", 6, 6));
    CHECK(parse(L("$2\r\n\r\n\r\n")) == 8 && item_is(0, '$', "\r\n", 2, 2));
    CHECK(parse(L("$1\r\n\r\r\n")) == 7 && item_is(0, '$', "\r", 1, 1));
    CHECK(parse(L("$1\r\n\n\r\n")) == 7 && item_is(0, '$', "\n", 1, 1));
    CHECK(parse(L("*2\r\n$3\r\n$1\r\r\n$4\r\n*1\r\n\r\n")) == 23 && nitems == 3 &&
          item_is(1, '$', "$1\r", 3, 3) && item_is(2, '$', "*1\r\n", 4, 4));
    {   /* all 256 byte values */
        char b[300];
        size_t i;
        memcpy(b, "$256\r\n", 6);
        for (i = 0; i < 256; i++) b[6 + i] = (char)i;
        memcpy(b + 262, "\r\n", 2);
        CHECK(parse(b, 264) == 264 && nitems == 1 && item_is(0, '$', b + 6, 256, 256));
    }
}

static void test_protocol_errors(void) {
    static const char *const bad[] = {
        /* type bytes RESP2 does not have (some are RESP3's) */
        "?\r\n", "x\r\n", " +OK\r\n", "_\r\n", "#t\r\n", ",1.5\r\n", "%1\r\n", "~1\r\n", ">3\r\n",
        "(1\r\n", "=3\r\ntxt\r\n", "!3\r\nerr\r\n", "\r\n", "\r\n+OK\r\n",
        /* lengths below -1 */
        "$-2\r\n", "*-2\r\n", "$-10\r\n",
        /* integers: strict "-"?digits */
        ":12a\r\n", ":+1\r\n", ": 1\r\n", ":1 \r\n", ":-\r\n", ":\r\n", ":--1\r\n", ":1-\r\n", ":0x10\r\n",
        ":1.0\r\n", ":1e3\r\n",
        "$\r\n", "*\r\n", "$+3\r\nabc\r\n", "$3a\r\nabc\r\n", "$ 3\r\nabc\r\n", "*1a\r\n:1\r\n", "*+1\r\n:1\r\n",
        /* integer overflow */
        ":9223372036854775808\r\n", ":-9223372036854775809\r\n", ":99999999999999999999\r\n",
        ":18446744073709551616\r\n", ":-18446744073709551616\r\n",
        "*9223372036854775808\r\n", "$9223372036854775808\r\n",
        /* CR not followed by LF */
        "+OK\rX\r\n", "+OK\r\r\n", ":1\r:2\r\n", "$3\rabc\r\n",
        /* bare LF */
        "+OK\n", ":1\n", "+O\nK\r\n", "*1\n:1\r\n", "\n",
        /* wrong trailer after the bulk's bytes */
        "$3\r\nabcXY", "$3\r\nabc\rX", "$3\r\nabc\n\r", "$3\r\nabcd\r\n", "$0\r\nX\r\n", "$0\r\n\n\r",
        /* an error deep inside an array */
        "*2\r\n:1\r\n?\r\n", "*2\r\n:1\r\n:x\r\n", "*2\r\n*1\r\n$1\r\nab\r\n", "*1\r\n*1\r\n+a\nb\r\n",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long r = parse(bad[i], strlen(bad[i]));
        if (r != SIO_ERR_PROTOCOL) printf("  \"%s\": %ld\n", bad[i], r);
        CHECK(r == SIO_ERR_PROTOCOL);
        CHECK(prefixes_agree(bad[i], strlen(bad[i])));
    }
    /* "$3\r\nabc\r\n" then a bare LF: the first reply is whole (the LF is the next one's) */
    CHECK(parse(L("$3\r\nabc\r\n\n")) == 9);
    CHECK(parse(L("\n")) == SIO_ERR_PROTOCOL);
    /* a NUL type byte; a NUL in a bulk header */
    CHECK(parse(L("\x00\r\n")) == SIO_ERR_PROTOCOL);
    CHECK(parse(L("$\x00\r\n")) == SIO_ERR_PROTOCOL);
    /* a number's line has a cap: no CR within it is refused before the CR comes */
    {
        char b[200];
        memset(b, '1', sizeof b);
        b[0] = ':';
        CHECK(parse(b, sizeof b) == SIO_ERR_PROTOCOL);
        b[0] = '$';
        CHECK(parse(b, sizeof b) == SIO_ERR_PROTOCOL);
        b[0] = '*';
        CHECK(parse(b, sizeof b) == SIO_ERR_PROTOCOL);
    }
    /* nothing is written to *nout on an error */
    CHECK(parse(L("*2\r\n:1\r\n?\r\n")) == SIO_ERR_PROTOCOL && nitems == 0);
}

static void test_too_big(void) {
    char b[512];
    size_t n = 0;
    int i;
    /* more values than max: the array counts as one */
    CHECK(parse_max(L(":1\r\n"), 1) == 4);
    CHECK(parse_max(L("*1\r\n:1\r\n"), 1) == SIO_ERR_TOO_BIG && nitems == 0);
    CHECK(parse_max(L("*1\r\n:1\r\n"), 2) == 8 && nitems == 2);
    CHECK(parse_max(L("*3\r\n:1\r\n:2\r\n:3\r\n"), 3) == SIO_ERR_TOO_BIG);
    CHECK(parse_max(L("*3\r\n:1\r\n:2\r\n:3\r\n"), 4) == 16 && nitems == 4);
    CHECK(parse_max(L("*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n"), 4) == SIO_ERR_TOO_BIG);
    CHECK(parse_max(L("*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n"), 5) == 20 && nitems == 5);
    /* a count over max is refused before its items come */
    CHECK(parse_max(L("*5\r\n"), 4) == SIO_ERR_TOO_BIG);
    CHECK(parse_max(L("*1000000\r\n"), MAXI) == SIO_ERR_TOO_BIG);
    CHECK(parse_max(L("*9223372036854775807\r\n"), MAXI) == SIO_ERR_TOO_BIG);
    CHECK(parse_max(L("*5\r\n"), 6) == 0);
    /* out[] is never written past max */
    {
        sio_resp few[3];
        int nout = -1;
        memset(few, 0, sizeof few);
        CHECK(sio_resp_parse("*3\r\n:1\r\n:2\r\n:3\r\n", 16, few, 3, &nout) == SIO_ERR_TOO_BIG && nout == 0);
    }

    /* nesting deeper than SIO_RESP_MAX_DEPTH, said as soon as it opens */
    for (i = 0; i <= SIO_RESP_MAX_DEPTH; i++) { memcpy(b + n, "*1\r\n", 4); n += 4; }
    CHECK(parse(b, n) == SIO_ERR_TOO_BIG);
    memcpy(b + n, ":1\r\n", 4);
    CHECK(parse(b, n + 4) == SIO_ERR_TOO_BIG);
    CHECK(prefixes_agree(b, n + 4));
    /* ... and at any depth of a reply: [[..8 deep..], [..9 deep..]] */
    n = 0;
    memcpy(b + n, "*2\r\n", 4); n += 4;
    for (i = 1; i < SIO_RESP_MAX_DEPTH; i++) { memcpy(b + n, "*1\r\n", 4); n += 4; }
    memcpy(b + n, ":1\r\n", 4); n += 4;
    CHECK(parse(b, n) == 0);
    for (i = 1; i <= SIO_RESP_MAX_DEPTH; i++) { memcpy(b + n, "*1\r\n", 4); n += 4; }
    memcpy(b + n, ":2\r\n", 4); n += 4;
    CHECK(parse(b, n) == SIO_ERR_TOO_BIG);

    /* a bulk over SIO_RESP_MAX_BULK: refused from its header, its bytes never awaited */
    n = (size_t)snprintf(b, sizeof b, "$%lu\r\n", (unsigned long)SIO_RESP_MAX_BULK + 1);
    CHECK(parse(b, n) == SIO_ERR_TOO_BIG);
    n = (size_t)snprintf(b, sizeof b, "*2\r\n:1\r\n$%lu\r\n", (unsigned long)SIO_RESP_MAX_BULK + 1);
    CHECK(parse(b, n) == SIO_ERR_TOO_BIG);
    CHECK(parse(L("$9223372036854775807\r\n")) == SIO_ERR_TOO_BIG);
    CHECK(parse(L("$99999999999\r\n")) == SIO_ERR_TOO_BIG);
    /* exactly SIO_RESP_MAX_BULK is allowed: it waits for its bytes */
    n = (size_t)snprintf(b, sizeof b, "$%lu\r\n", (unsigned long)SIO_RESP_MAX_BULK);
    CHECK(parse(b, n) == 0);
    {   /* and parses once they are there */
        size_t head = n, total = head + SIO_RESP_MAX_BULK + 2;
        char *big = (char *)malloc(total);
        CHECK(big != NULL);
        if (big) {
            int nout = -1;
            memcpy(big, b, head);
            memset(big + head, 'z', SIO_RESP_MAX_BULK);
            memcpy(big + head + SIO_RESP_MAX_BULK, "\r\n", 2);
            CHECK(sio_resp_parse(big, total, items, MAXI, &nout) == (long)total && nout == 1 &&
                  items[0].len == SIO_RESP_MAX_BULK && items[0].ptr == big + head);
            CHECK(sio_resp_parse(big, total - 1, items, MAXI, &nout) == 0);
            free(big);
        }
    }
}

static void test_integers(void) {
    char b[64];
    CHECK(parse(L(":9223372036854775807\r\n")) == 22 && item_is(0, ':', NULL, 0, LLONG_MAX));
    CHECK(parse(L(":-9223372036854775808\r\n")) == 23 && item_is(0, ':', NULL, 0, LLONG_MIN));
    CHECK(parse(L(":-9223372036854775807\r\n")) == 23 && item_is(0, ':', NULL, 0, -LLONG_MAX));
    CHECK(parse(L(":9223372036854775806\r\n")) == 22 && item_is(0, ':', NULL, 0, LLONG_MAX - 1));
    CHECK(parse(L(":9223372036854775808\r\n")) == SIO_ERR_PROTOCOL);     /* LLONG_MAX + 1 */
    CHECK(parse(L(":9223372036854775809\r\n")) == SIO_ERR_PROTOCOL);
    CHECK(parse(L(":9223372036854775810\r\n")) == SIO_ERR_PROTOCOL);
    CHECK(parse(L(":-9223372036854775809\r\n")) == SIO_ERR_PROTOCOL);    /* LLONG_MIN - 1 */
    CHECK(parse(L(":92233720368547758070\r\n")) == SIO_ERR_PROTOCOL);
    CHECK(parse(L(":-1\r\n")) == 5 && item_is(0, ':', NULL, 0, -1));
    /* the grammar is "-"? digits: "-0" and leading zeros are in it */
    CHECK(parse(L(":-0\r\n")) == 5 && item_is(0, ':', NULL, 0, 0));
    CHECK(parse(L(":007\r\n")) == 6 && item_is(0, ':', NULL, 0, 7));
    CHECK(parse(L("$03\r\nabc\r\n")) == 10 && item_is(0, '$', "abc", 3, 3));
    /* every value written with %lld reads back */
    {
        static const long long v[] = {0, 1, -1, 9, 10, -10, 99, 100, 65535, -65536, 2147483647LL,
                                      -2147483647LL - 1, 2147483648LL, 4294967296LL, 1000000000000LL,
                                      LLONG_MAX / 10, LLONG_MIN / 10, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
        size_t i, n;
        for (i = 0; i < sizeof v / sizeof v[0]; i++) {
            n = (size_t)snprintf(b, sizeof b, ":%lld\r\n", v[i]);
            CHECK(parse(b, n) == (long)n && item_is(0, ':', NULL, 0, v[i]));
        }
    }
}

/* consistency: a reader that waits for more bytes must end with the
   verdict it would give the whole reply */
static void test_limits_agree(void) {
    char b[300];
    size_t n;
    /* a bare LF is an error as soon as it is there, also when the line's
       CR has come and its LF not yet */
    CHECK(parse(L("+O\nK\r")) == SIO_ERR_PROTOCOL);
    CHECK(parse(L("$3\nbc\r")) == SIO_ERR_PROTOCOL);
    CHECK(prefixes_agree(L("$3\nbc\r")));
    CHECK(prefixes_agree(L("*1\r\n:1\n2\r")));
    /* a number's line longer than the cap for lines without their CR: */
    b[0] = ':';
    memset(b + 1, '0', 100);
    memcpy(b + 101, "1\r\n", 3);
    n = 104;
    CHECK(prefixes_agree(b, n));
    b[0] = '$';
    memcpy(b + 101, "1\r\nx\r\n", 6);
    n = 107;
    CHECK(prefixes_agree(b, n));
    b[0] = '*';
    memcpy(b + 101, "1\r\n:1\r\n", 7);
    n = 108;
    CHECK(prefixes_agree(b, n));
    /* a status line over SIO_RESP_MAX_BULK: refused while its CR is to come,
       so refused when it is there too */
    {
        size_t total = SIO_RESP_MAX_BULK + 4;
        char *big = (char *)malloc(total);
        CHECK(big != NULL);
        if (big) {
            int nout = -1;
            long part, whole;
            big[0] = '+';
            memset(big + 1, 's', total - 3);
            memcpy(big + total - 2, "\r\n", 2);
            part = sio_resp_parse(big, total - 2, items, MAXI, &nout);
            whole = sio_resp_parse(big, total, items, MAXI, &nout);
            if (part != 0 && part != whole) printf("  status of %lu bytes: %ld without its CRLF, %ld with\n",
                                                   (unsigned long)(total - 3), part, whole);
            CHECK(part == 0 || part == whole);
            free(big);
        }
    }
}

static void test_command(void) {
    sio_buf b;
    memset(&b, 0, sizeof b);
    {   /* PUBLISH with a binary payload: lengths given */
        const char *const argv[] = {"PUBLISH", "socket.io#/#", "\x93\xa4x\x00\r\n"};
        const size_t lens[] = {7, 12, 6};
        CHECK(sio_resp_command(&b, 3, argv, lens) == SIO_OK);
        CHECK(buf_is(&b, L("*3\r\n$7\r\nPUBLISH\r\n$12\r\nsocket.io#/#\r\n$6\r\n\x93\xa4x\x00\r\n\r\n")));
    }
    sio_buf_reset(&b);
    {   /* NUL-ended arguments */
        const char *const argv[] = {"SUBSCRIBE", "socket.io#/#", "socket.io-request#/#"};
        CHECK(sio_resp_command(&b, 3, argv, NULL) == SIO_OK);
        CHECK(buf_is(&b, L("*3\r\n$9\r\nSUBSCRIBE\r\n$12\r\nsocket.io#/#\r\n$20\r\nsocket.io-request#/#\r\n")));
    }
    sio_buf_reset(&b);
    {   /* an empty argument, and one command after another in one buffer */
        const char *const get[] = {"GET", ""};
        const char *const ping[] = {"PING"};
        CHECK(sio_resp_command(&b, 2, get, NULL) == SIO_OK);
        CHECK(sio_resp_command(&b, 1, ping, NULL) == SIO_OK);
        CHECK(buf_is(&b, L("*2\r\n$3\r\nGET\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n")));
    }
    sio_buf_reset(&b);
    {   /* lengths shorter than the strings: only that many bytes */
        const char *const argv[] = {"PUBSUB", "NUMSUBxyz", "abc"};
        const size_t lens[] = {6, 6, 3};
        CHECK(sio_resp_command(&b, 3, argv, lens) == SIO_OK);
        CHECK(buf_is(&b, L("*3\r\n$6\r\nPUBSUB\r\n$6\r\nNUMSUB\r\n$3\r\nabc\r\n")));
    }
    sio_buf_reset(&b);
    {   /* counts of two digits and more */
        const char *argv[12];
        int i;
        for (i = 0; i < 12; i++) argv[i] = "a";
        CHECK(sio_resp_command(&b, 12, argv, NULL) == SIO_OK);
        CHECK(b.len == 5 + 12 * 7 && memcmp(b.data, "*12\r\n$1\r\na\r\n", 12) == 0);
    }
    sio_buf_reset(&b);
    {   /* bad arguments append nothing */
        const char *const argv[] = {"PING"};
        CHECK(sio_resp_command(&b, 0, argv, NULL) == SIO_ERR_INVALID);
        CHECK(sio_resp_command(&b, -1, argv, NULL) == SIO_ERR_INVALID);
        CHECK(sio_resp_command(&b, 1, NULL, NULL) == SIO_ERR_INVALID);
        CHECK(sio_resp_command(NULL, 1, argv, NULL) == SIO_ERR_INVALID);
        CHECK(b.len == 0 && b.err == 0);
    }
    sio_buf_free(&b);
    {   /* a capped buffer gives its error */
        const char *const argv[] = {"PUBLISH", "channel", "a payload longer than the cap"};
        memset(&b, 0, sizeof b);
        b.max = 16;
        CHECK(sio_resp_command(&b, 3, argv, NULL) == SIO_ERR_TOO_BIG);
        CHECK(b.err == SIO_ERR_TOO_BIG);
        sio_buf_free(&b);
    }
}

static unsigned rng_state = 12345;
static unsigned rng(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 16) & 0x7fff;
}

static void test_roundtrip(void) {
    int round;
    for (round = 0; round < 300; round++) {
        static char store[MAXI][300];
        const char *argv[MAXI];
        size_t lens[MAXI];
        int argc = 1 + (int)(rng() % (MAXI - 1)), i, ok = 1;
        sio_buf b;
        long r;
        memset(&b, 0, sizeof b);
        for (i = 0; i < argc; i++) {
            size_t j, len = rng() % 5 == 0 ? 0 : rng() % 300;
            for (j = 0; j < len; j++) store[i][j] = rng() % 4 == 0 ? "\r\n$*"[rng() % 4] : (char)rng();
            argv[i] = store[i];
            lens[i] = len;
        }
        CHECK(sio_resp_command(&b, argc, argv, lens) == SIO_OK);
        r = parse(b.data, b.len);
        CHECK(r == (long)b.len && nitems == argc + 1);
        if (r != (long)b.len || nitems != argc + 1) { sio_buf_free(&b); continue; }
        CHECK(item_is(0, '*', NULL, 0, argc));
        for (i = 0; i < argc; i++)
            ok &= item_is(i + 1, '$', argv[i], lens[i], (long long)lens[i]);
        CHECK(ok);
        if (round < 20) CHECK(whole_and_prefixes(b.data, b.len));
        sio_buf_free(&b);
    }
    {   /* a large payload, and a command parsed back as the reply it is */
        size_t len = 200000, i;
        char *p = (char *)malloc(len);
        const char *argv[3];
        size_t lens[3];
        sio_buf b;
        memset(&b, 0, sizeof b);
        for (i = 0; i < len; i++) p[i] = (char)(i * 31 + 7);
        argv[0] = "PUBLISH"; lens[0] = 7;
        argv[1] = "socket.io#/#"; lens[1] = 12;
        argv[2] = p; lens[2] = len;
        CHECK(sio_resp_command(&b, 3, argv, lens) == SIO_OK);
        CHECK(parse(b.data, b.len) == (long)b.len && nitems == 4 && item_is(1, '$', "PUBLISH", 7, 7) &&
              item_is(2, '$', "socket.io#/#", 12, 12) && item_is(3, '$', p, len, (long long)len));
        CHECK(parse(b.data, b.len - 1) == 0);
        free(p);
        sio_buf_free(&b);
    }
}

/* One TAP line per group of checks, as the other unit tests print. */
static int passes, failed_groups;
static void run(const char *name, void (*fn)(void)) {
    int before = fails;
    fn();
    if (fails == before) printf("ok %d - resp: %s\n", ++passes + failed_groups, name);
    else printf("not ok %d - resp: %s\n", passes + ++failed_groups, name);
}

int main(void) {
    run("types", test_types);
    run("nested arrays", test_nested);
    run("pub/sub replies", test_pubsub);
    run("every prefix incomplete", test_prefixes);
    run("replies back to back", test_back_to_back);
    run("binary bulks", test_binary);
    run("protocol errors", test_protocol_errors);
    run("limits", test_too_big);
    run("integers", test_integers);
    run("verdicts agree with and without the rest", test_limits_agree);
    run("command writer", test_command);
    run("command round trip", test_roundtrip);
    free(cur);
    printf("# %d checks\n# pass %d\n# fail %d\n", checks, passes, failed_groups);
    return fails != 0;
}
