/* Unit tests for the MessagePack codec (>>msgpack): writer bytes,
   validating reader, accessors, and the JSON bridge against the captures
   in shared/MSGPACK.md and shared/REDIS-ADAPTER.md. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int fails, checks;
#define CHECK(c) do { checks++; if (!(c)) { fails++; printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

/* ---- helpers ---- */

static size_t unhex(const char *h, unsigned char *out) {
    size_t n = 0;
    int hi = -1;
    for (; *h; h++) {
        int v;
        if (*h >= '0' && *h <= '9') v = *h - '0';
        else if (*h >= 'a' && *h <= 'f') v = *h - 'a' + 10;
        else if (*h >= 'A' && *h <= 'F') v = *h - 'A' + 10;
        else continue;                      /* spaces allowed */
        if (hi < 0) hi = v;
        else { out[n++] = (unsigned char)(hi << 4 | v); hi = -1; }
    }
    return n;
}

static const char *tohex(const void *p, size_t n) {
    static char out[8192];
    size_t i, o = 0;
    for (i = 0; i < n && o + 3 < sizeof out; i++) o += (size_t)snprintf(out + o, 3, "%02x", ((const unsigned char *)p)[i]);
    out[o] = 0;
    return out;
}

/* buffer content equals the hex string */
static int buf_is(const sio_buf *b, const char *hex) {
    unsigned char want[4096];
    size_t n = unhex(hex, want);
    if (b->err || b->len != n || memcmp(b->data, want, n) != 0) {
        printf("  got  %s (err %d)\n", tohex(b->data, b->len), b->err);
        printf("  want %s\n", tohex(want, n));
        return 0;
    }
    return 1;
}

/* parse hex into a heap copy of exactly that size, so ASan sees any over-read */
static unsigned char *heap_copy(const void *p, size_t n) {
    unsigned char *c = (unsigned char *)malloc(n ? n : 1);
    if (n) memcpy(c, p, n);
    return c;
}

static int parse_hex(const char *hex, unsigned char *store, sio_mp *v) {
    size_t n = unhex(hex, store);
    return sio_mp_parse((const char *)store, n, v);
}

/* msgpack hex -> JSON text; returns the result code, *json NUL-terminated */
static int to_json(const char *hex, char *json, size_t cap, sio_str *bins, size_t maxb, size_t *nb) {
    static unsigned char store[4096];
    sio_buf b;
    sio_mp v;
    int rc;
    memset(&b, 0, sizeof b);
    json[0] = 0;
    if ((rc = parse_hex(hex, store, &v)) != SIO_OK) return rc;
    rc = sio_mp_to_json(v, &b, bins, maxb, nb);
    if (rc == SIO_OK) {
        snprintf(json, cap, "%.*s", (int)b.len, b.data);
        CHECK(sio_json_parse(b.data, b.len, NULL) == SIO_OK);
    } else {
        CHECK(b.len == 0);
    }
    sio_buf_free(&b);
    return rc;
}

/* JSON text + attachments -> msgpack in b */
static int from_json(const char *json, const sio_str *bins, size_t nb, sio_buf *b) {
    sio_json j;
    int rc = sio_json_parse(json, strlen(json), &j);
    if (rc != SIO_OK) return rc;
    return sio_mp_from_json(j, bins, nb, b);
}

/* ---- writer ---- */

static void test_writer_ints(void) {
    static const struct { int64_t v; const char *hex; } s[] = {
        { 0, "00" }, { 1, "01" }, { 127, "7f" }, { 128, "cc80" }, { 255, "ccff" }, { 256, "cd0100" },
        { 1000, "cd03e8" }, { 65535, "cdffff" }, { 65536, "ce00010000" }, { 4294967295LL, "ceffffffff" },
        { 4294967296LL, "cf0000000100000000" }, { 5000000000LL, "cf000000012a05f200" },
        { 9007199254740993LL, "cf0020000000000001" }, { INT64_MAX, "cf7fffffffffffffff" },
        { -1, "ff" }, { -32, "e0" }, { -33, "d0df" }, { -128, "d080" }, { -129, "d1ff7f" },
        { -32768, "d18000" }, { -32769, "d2ffff7fff" }, { -2147483647LL - 1, "d280000000" },
        { -2147483647LL - 2, "d3ffffffff7fffffff" }, { INT64_MIN, "d38000000000000000" },
    };
    size_t i;
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        sio_buf b;
        memset(&b, 0, sizeof b);
        CHECK(sio_mp_int(&b, s[i].v) == SIO_OK);
        CHECK(buf_is(&b, s[i].hex));
        sio_buf_free(&b);
    }
    {
        sio_buf b;
        memset(&b, 0, sizeof b);
        sio_mp_uint(&b, UINT64_MAX);
        sio_mp_uint(&b, (uint64_t)1 << 63);
        sio_mp_uint(&b, 200);
        CHECK(buf_is(&b, "cfffffffffffffffff cf8000000000000000 ccc8"));
        sio_buf_free(&b);
    }
}

static void test_writer_other(void) {
    sio_buf b;
    char big[70000];
    double zero = 0.0;
    memset(big, 'x', sizeof big);
    memset(&b, 0, sizeof b);
    sio_mp_nil(&b); sio_mp_bool(&b, 0); sio_mp_bool(&b, 7);
    CHECK(buf_is(&b, "c0c2c3"));
    sio_buf_reset(&b);
    sio_mp_double(&b, 1.5); sio_mp_double(&b, -0.0); sio_mp_double(&b, 1.0 / zero); sio_mp_double(&b, 2.0);
    CHECK(buf_is(&b, "cb3ff8000000000000 cb8000000000000000 cb7ff0000000000000 cb4000000000000000"));
    /* strings: fixstr up to 31 bytes, then str8 (notepack uses it), str16, str32 */
    sio_buf_reset(&b); sio_mp_str(&b, "", 0); sio_mp_str(&b, "hi", 2);
    CHECK(buf_is(&b, "a0 a26869"));
    sio_buf_reset(&b); sio_mp_str(&b, big, 31);
    CHECK(b.len == 32 && (unsigned char)b.data[0] == 0xbf);
    sio_buf_reset(&b); sio_mp_str(&b, big, 32);
    CHECK(b.len == 34 && (unsigned char)b.data[0] == 0xd9 && (unsigned char)b.data[1] == 32);
    sio_buf_reset(&b); sio_mp_str(&b, big, 255);
    CHECK(b.len == 257 && (unsigned char)b.data[0] == 0xd9 && (unsigned char)b.data[1] == 255);
    sio_buf_reset(&b); sio_mp_str(&b, big, 256);
    CHECK(b.len == 259 && memcmp(b.data, "\xda\x01\x00", 3) == 0);
    sio_buf_reset(&b); sio_mp_str(&b, big, 65536);
    CHECK(b.len == 65541 && memcmp(b.data, "\xdb\x00\x01\x00\x00", 5) == 0);
    /* bin: always bin8/16/32, even for 0 bytes */
    sio_buf_reset(&b); sio_mp_bin(&b, "", 0); sio_mp_bin(&b, "\x01\x02", 2);
    CHECK(buf_is(&b, "c400 c4020102"));
    sio_buf_reset(&b); sio_mp_bin(&b, big, 256);
    CHECK(b.len == 259 && memcmp(b.data, "\xc5\x01\x00", 3) == 0);
    sio_buf_reset(&b); sio_mp_bin(&b, big, 65536);
    CHECK(b.len == 65541 && memcmp(b.data, "\xc6\x00\x01\x00\x00", 5) == 0);
    /* containers */
    sio_buf_reset(&b);
    sio_mp_array(&b, 0); sio_mp_array(&b, 15); sio_mp_array(&b, 16); sio_mp_array(&b, 65536);
    sio_mp_map(&b, 0); sio_mp_map(&b, 15); sio_mp_map(&b, 16); sio_mp_map(&b, 65535); sio_mp_map(&b, 65536);
    CHECK(buf_is(&b, "90 9f dc0010 dd00010000 80 8f de0010 deffff df00010000"));
    /* extensions: fixext for 1/2/4/8/16 bytes, else ext8/16/32 */
    sio_buf_reset(&b);
    sio_mp_ext(&b, 0, "\0", 1); sio_mp_ext(&b, -1, "ab", 2); sio_mp_ext(&b, 5, "abc", 3);
    sio_mp_ext(&b, 1, big, 16); sio_mp_ext(&b, 127, "", 0);
    CHECK(buf_is(&b, "d40000 d5ff6162 c7030561 6263 d801 78787878787878787878787878787878 c7007f"));
    sio_buf_reset(&b); sio_mp_ext(&b, 2, big, 256);
    CHECK(b.len == 260 && memcmp(b.data, "\xc8\x01\x00\x02", 4) == 0);
    sio_buf_reset(&b); sio_mp_ext(&b, 2, big, 65536);
    CHECK(b.len == 65542 && memcmp(b.data, "\xc9\x00\x01\x00\x00\x02", 6) == 0);
    sio_buf_reset(&b); sio_mp_ext(&b, 0, big, 8);
    CHECK(b.len == 10 && memcmp(b.data, "\xd7\x00", 2) == 0);
    /* errors stick: a capped buffer refuses, keeps its content, ignores the rest */
    sio_buf_free(&b);
    b.max = 4;
    sio_mp_str(&b, "ab", 2);
    CHECK(sio_mp_str(&b, "cd", 2) == SIO_ERR_TOO_BIG);
    CHECK(sio_mp_nil(&b) == SIO_ERR_TOO_BIG && b.len == 3);
    sio_buf_free(&b);
#if SIZE_MAX > 0xFFFFFFFFu
    /* a length the format cannot say: refused before the data is touched */
    memset(&b, 0, sizeof b);
    CHECK(sio_mp_str(&b, big, (size_t)1 << 32) == SIO_ERR_TOO_BIG && b.len == 0);
    sio_buf_reset(&b);
    CHECK(sio_mp_bin(&b, big, (size_t)1 << 32) == SIO_ERR_TOO_BIG && b.len == 0);
    sio_buf_reset(&b);
    CHECK(sio_mp_ext(&b, 1, big, (size_t)1 << 32) == SIO_ERR_TOO_BIG && b.len == 0);
    sio_buf_reset(&b);
    CHECK(sio_mp_array(&b, (size_t)1 << 32) == SIO_ERR_TOO_BIG && b.len == 0);
    sio_buf_reset(&b);
    CHECK(sio_mp_map(&b, ((size_t)1 << 32) - 1) == SIO_OK && buf_is(&b, "dfffffffff"));
    sio_buf_free(&b);
#endif
}

/* ---- reader ---- */

static void test_accessors(void) {
    unsigned char st[64];
    sio_mp v;
    int64_t i;
    uint64_t u;
    double d;
    int t;
    sio_str s;
    CHECK(parse_hex("cfffffffffffffffff", st, &v) == SIO_OK && v.type == SIO_MP_INT && v.len == 9);
    CHECK(sio_mp_as_uint64(v, &u) == SIO_OK && u == UINT64_MAX);
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_TOO_BIG && i == INT64_MAX);
    CHECK(sio_mp_as_double(v, &d) == SIO_OK && d == 18446744073709551616.0);
    CHECK(parse_hex("d38000000000000000", st, &v) == SIO_OK);
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == INT64_MIN);
    CHECK(sio_mp_as_uint64(v, &u) == SIO_ERR_TOO_BIG && u == 0);
    CHECK(parse_hex("cf7fffffffffffffff", st, &v) == SIO_OK);
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == INT64_MAX);
    CHECK(parse_hex("cf8000000000000000", st, &v) == SIO_OK);
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_TOO_BIG && sio_mp_as_uint64(v, &u) == SIO_OK && u == (uint64_t)1 << 63);
    CHECK(parse_hex("d3ffffffff7fffffff", st, &v) == SIO_OK);     /* non-shortest forms are fine */
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == -2147483649LL);
    CHECK(parse_hex("d000", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == 0);
    CHECK(parse_hex("d07f", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == 127);
    CHECK(parse_hex("d180 00", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == -32768);
    CHECK(parse_hex("e0", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == -32);
    CHECK(sio_mp_as_uint64(v, &u) == SIO_ERR_TOO_BIG);
    CHECK(parse_hex("ce00000002", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == 2);
    CHECK(parse_hex("cf0020000000000001", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK &&
          i == 9007199254740993LL);
    /* floats count as integers when integral, as in JavaScript */
    CHECK(parse_hex("cb4000000000000000", st, &v) == SIO_OK && v.type == SIO_MP_FLOAT);
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == 2);
    CHECK(parse_hex("ca40000000", st, &v) == SIO_OK && sio_mp_as_int64(v, &i) == SIO_OK && i == 2);
    CHECK(parse_hex("ca3fc00000", st, &v) == SIO_OK && sio_mp_as_double(v, &d) == SIO_OK && d == 1.5);
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_INVALID);
    CHECK(parse_hex("cbbff0000000000000", st, &v) == SIO_OK);     /* -1.0 */
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == -1 && sio_mp_as_uint64(v, &u) == SIO_ERR_TOO_BIG);
    CHECK(parse_hex("cb8000000000000000", st, &v) == SIO_OK);     /* -0.0 */
    CHECK(sio_mp_as_uint64(v, &u) == SIO_OK && u == 0);
    CHECK(parse_hex("cb43e0000000000000", st, &v) == SIO_OK);     /* 2^63 */
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_TOO_BIG && i == INT64_MAX);
    CHECK(sio_mp_as_uint64(v, &u) == SIO_OK && u == (uint64_t)1 << 63);
    CHECK(parse_hex("cbc3e0000000000000", st, &v) == SIO_OK);     /* -2^63 */
    CHECK(sio_mp_as_int64(v, &i) == SIO_OK && i == INT64_MIN);
    CHECK(parse_hex("cb7e37e43c8800759c", st, &v) == SIO_OK);     /* 1e300 */
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_TOO_BIG && i == INT64_MAX);
    CHECK(sio_mp_as_uint64(v, &u) == SIO_ERR_TOO_BIG && u == UINT64_MAX);
    CHECK(parse_hex("cbfe37e43c8800759c", st, &v) == SIO_OK);     /* -1e300 */
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_TOO_BIG && i == INT64_MIN);
    CHECK(parse_hex("cb7ff8000000000000", st, &v) == SIO_OK);     /* NaN */
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_INVALID && sio_mp_as_double(v, &d) == SIO_OK && d != d);
    /* the rest */
    CHECK(parse_hex("c3", st, &v) == SIO_OK && sio_mp_as_bool(v, &t) == SIO_OK && t == 1);
    CHECK(sio_mp_as_int64(v, &i) == SIO_ERR_INVALID && sio_mp_as_double(v, &d) == SIO_ERR_INVALID);
    CHECK(parse_hex("c0", st, &v) == SIO_OK && sio_mp_is_nil(v) && sio_mp_as_bool(v, &t) == SIO_ERR_INVALID);
    CHECK(parse_hex("a3616263", st, &v) == SIO_OK && sio_mp_as_str(v, &s) == SIO_OK && s.len == 3 &&
          memcmp(s.ptr, "abc", 3) == 0 && sio_mp_as_bin(v, &s) == SIO_ERR_INVALID);
    CHECK(parse_hex("d90161", st, &v) == SIO_OK && sio_mp_as_str(v, &s) == SIO_OK && s.len == 1);
    CHECK(parse_hex("c5000201ff", st, &v) == SIO_OK && sio_mp_as_bin(v, &s) == SIO_OK && s.len == 2 &&
          memcmp(s.ptr, "\x01\xff", 2) == 0);
    CHECK(parse_hex("d40000", st, &v) == SIO_OK && sio_mp_is_undefined(v) && !sio_mp_is_nil(v));
    CHECK(sio_mp_as_ext(v, &t, &s) == SIO_OK && t == 0 && s.len == 1);
    CHECK(parse_hex("c703ff010203", st, &v) == SIO_OK && sio_mp_as_ext(v, &t, &s) == SIO_OK && t == -1 &&
          s.len == 3 && s.ptr[2] == 3 && !sio_mp_is_undefined(v));
    CHECK(parse_hex("d7000000000000000000", st, &v) == SIO_OK && v.type == SIO_MP_EXT);  /* Date(0) */
}

static void test_navigation(void) {
    /* REDIS-ADAPTER.md 2.1: the broadcast of io.to('room1').except(sid).emit('r1x','y') */
    static unsigned char st[512];
    const char *hex = "93a659637a34544a83a47479706502a46461746192a3723178a179a36e7370a12f83a5726f6f6d7391a5726f6f6d31"
                      "a665786365707491b455683677347963426665344d6b54434641414142a5666c61677380";
    sio_mp root, pkt, opts, x, k, val;
    sio_mp_iter it;
    sio_str s;
    int64_t i;
    size_t n = 0;
    CHECK(parse_hex(hex, st, &root) == SIO_OK && root.type == SIO_MP_ARRAY && sio_mp_count(root) == 3);
    CHECK(sio_mp_at(root, 0, &x) == SIO_OK && sio_mp_as_str(x, &s) == SIO_OK && s.len == 6 && !memcmp(s.ptr, "Ycz4TJ", 6));
    CHECK(sio_mp_at(root, 1, &pkt) == SIO_OK && pkt.type == SIO_MP_MAP && sio_mp_count(pkt) == 3);
    CHECK(sio_mp_at(root, 2, &opts) == SIO_OK && sio_mp_at(root, 3, &x) == SIO_ERR_NOT_FOUND);
    CHECK(sio_mp_get(pkt, "type", &x) == SIO_OK && sio_mp_as_int64(x, &i) == SIO_OK && i == 2);
    CHECK(sio_mp_get(pkt, "nsp", &x) == SIO_OK && sio_mp_as_str(x, &s) == SIO_OK && s.len == 1 && s.ptr[0] == '/');
    CHECK(sio_mp_get(pkt, "id", &x) == SIO_ERR_NOT_FOUND && sio_mp_get(pkt, "typ", &x) == SIO_ERR_NOT_FOUND);
    CHECK(sio_mp_get(root, "type", &x) == SIO_ERR_NOT_FOUND);    /* not a map */
    CHECK(sio_mp_get(opts, "flags", &x) == SIO_OK && x.type == SIO_MP_MAP && sio_mp_count(x) == 0 && x.len == 1);
    CHECK(sio_mp_get(opts, "except", &x) == SIO_OK && sio_mp_at(x, 0, &x) == SIO_OK &&
          sio_mp_as_str(x, &s) == SIO_OK && s.len == 20);
    sio_mp_iter_init(&it, opts);
    while (sio_mp_iter_next(&it, &k, &val)) {
        CHECK(k.type == SIO_MP_STR);
        n++;
    }
    CHECK(n == 3);
    sio_mp_iter_init(&it, root);
    n = 0;
    while (sio_mp_iter_next(&it, &k, &val)) { CHECK(k.type == SIO_MP_INVALID); n++; }
    CHECK(n == 3);
    sio_mp_iter_init(&it, x);      /* a string: nothing to iterate */
    CHECK(!sio_mp_iter_next(&it, NULL, NULL) && sio_mp_count(x) == 0);
}

static void test_parse_errors(void) {
    static unsigned char st[70000 * 2];
    sio_mp v;
    size_t i, n;
    static const char *bad[] = {
        "", "c1", "c0c0",                     /* nothing; never-used byte; trailing bytes */
        "a1", "d9", "d905616263", "da00", "db000000", "c4", "c40301", "c7", "c701", "c70201ff",
        "cc", "cd00", "ce000000", "cf00000000000000", "d0", "d300", "ca0000", "cb00",
        "d4", "d401", "d8000102", "91", "92c0", "81c0", "82c0c0c0", "dc0001", "de00",
        /* adversarial lengths: a claim of 4 GiB in a few bytes is refused at once */
        "dbffffffff616263", "c6ffffffff00", "c9ffffffff0000", "ddffffffffc0c0c0c0c0",
        "dfffffffffc0c0c0c0c0", "de8000c0c0c0", "dc0003c0c0", "df00000001c0",
        "83a474797065 02 a464617461 d40000 a36e7370 a12f c0",   /* MSGPACK.md: trailing c0 rejected */
    };
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = unhex(bad[i], st);
        {
            unsigned char *c = heap_copy(st, n);
            int rc = sio_mp_parse((const char *)c, n, &v);
            if (rc != SIO_ERR_PARSE) printf("  bad[%u] gave %d\n", (unsigned)i, rc);
            CHECK(rc == SIO_ERR_PARSE && v.type == SIO_MP_INVALID);
            free(c);
        }
    }
    CHECK(sio_mp_parse(NULL, 0, &v) == SIO_ERR_INVALID);
    /* depth: SIO_MP_MAX_DEPTH containers nest, one more does not (empty or not) */
    for (i = 0; i < SIO_MP_MAX_DEPTH; i++) st[i] = 0x91;
    st[i] = 0xc0;
    CHECK(sio_mp_parse((const char *)st, SIO_MP_MAX_DEPTH + 1, &v) == SIO_OK);
    st[SIO_MP_MAX_DEPTH - 1] = 0x90;
    CHECK(sio_mp_parse((const char *)st, SIO_MP_MAX_DEPTH, &v) == SIO_OK);
    for (i = 0; i <= SIO_MP_MAX_DEPTH; i++) st[i] = 0x91;
    st[i] = 0xc0;
    CHECK(sio_mp_parse((const char *)st, SIO_MP_MAX_DEPTH + 2, &v) == SIO_ERR_TOO_BIG);
    st[SIO_MP_MAX_DEPTH] = 0x80;
    CHECK(sio_mp_parse((const char *)st, SIO_MP_MAX_DEPTH + 1, &v) == SIO_ERR_TOO_BIG);
    /* many items: an array16 of 65535 nils */
    st[0] = 0xdc; st[1] = 0xff; st[2] = 0xff;
    memset(st + 3, 0xc0, 65535);
    CHECK(sio_mp_parse((const char *)st, 65538, &v) == SIO_OK && sio_mp_count(v) == 65535);
    CHECK(sio_mp_parse((const char *)st, 65537, &v) == SIO_ERR_PARSE);
}

/* ---- the JSON bridge, against the captures ---- */

typedef struct { const char *hex, *json; int same_bytes; } capture;

static const capture captures[] = {
    /* REDIS-ADAPTER.md 2.1 */
    { "93a659637a34544a83a47479706502a46461746192a3723178a179a36e7370a12f83a5726f6f6d7391a5726f6f6d31"
      "a665786365707491b455683677347963426665344d6b54434641414142a5666c61677380",
      "[\"Ycz4TJ\",{\"type\":2,\"data\":[\"r1x\",\"y\"],\"nsp\":\"/\"},{\"rooms\":[\"room1\"],\"except\":"
      "[\"Uh6w4ycBfe4MkTCFAAAB\"],\"flags\":{}}]", 1 },
    { "93a659637a34544a83a47479706502a46461746194a3616c6c01a374776f81a574687265659103a36e7370a12f83a5726f"
      "6f6d7390a665786365707490a5666c61677380",
      "[\"Ycz4TJ\",{\"type\":2,\"data\":[\"all\",1,\"two\",{\"three\":[3]}],\"nsp\":\"/\"},{\"rooms\":[],"
      "\"except\":[],\"flags\":{}}]", 1 },
    /* 2.2: binary in place as bin8 */
    { "93a659637a34544a 83 a474797065 02 a464617461 93 a362696e c404010203ff 81 a66e6573746564 c4026869 "
      "a36e7370a12f 83a5726f6f6d7390a665786365707490a5666c61677380",
      "[\"Ycz4TJ\",{\"type\":2,\"data\":[\"bin\",{\"_placeholder\":true,\"num\":0},{\"nested\":"
      "{\"_placeholder\":true,\"num\":1}}],\"nsp\":\"/\"},{\"rooms\":[],\"except\":[],\"flags\":{}}]", 1 },
    /* 3: broadcast with acks (timeout 1000 = cd 03 e8) and its BROADCAST_ACK */
    { "85a3756964a659637a34544aa9726571756573744964a6534465544273a47479706507a67061636b657483a47479706502"
      "a46461746192a361736ba171a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774"
      "696d656f7574cd03e8",
      "{\"uid\":\"Ycz4TJ\",\"requestId\":\"SDeTBs\",\"type\":7,\"packet\":{\"type\":2,\"data\":[\"ask\",\"q\"],"
      "\"nsp\":\"/\"},\"opts\":{\"rooms\":[],\"except\":[],\"flags\":{\"timeout\":1000}}}", 1 },
    { "83a47479706509a9726571756573744964a6534465544273a67061636b6574a5616e732d42",
      "{\"type\":9,\"requestId\":\"SDeTBs\",\"packet\":\"ans-B\"}", 1 },
    /* 4: the emitter (opts key order rooms, flags, except) */
    { "93a7656d697474657283a47479706502a46461746192a3666532c4020707a36e7370a12f83a5726f6f6d7391a5726f6f6d31"
      "a5666c61677380a665786365707491a37a7a7a",
      "[\"emitter\",{\"type\":2,\"data\":[\"fe2\",{\"_placeholder\":true,\"num\":0}],\"nsp\":\"/\"},"
      "{\"rooms\":[\"room1\"],\"flags\":{},\"except\":[\"zzz\"]}]", 1 },
    /* MSGPACK.md 1: client CONNECT without auth: data is undefined, kept as its bytes */
    { "83 a4 74 79 70 65 00 a4 64 61 74 61 d4 00 00 a3 6e 73 70 a1 2f", "{\"type\":0,\"data\":{\"_placeholder\":true,\"num\":0,\"_msgpack\":true},\"nsp\":\"/\"}", 1 },
    /* MSGPACK.md 2: client CONNECT with auth, n as uint64 */
    { "83a474797065 00 a464617461 82 a5746f6b656e a3616263 a16e cf000000012a05f200 a36e7370 a72f637573746f6d",
      "{\"type\":0,\"data\":{\"token\":\"abc\",\"n\":5000000000},\"nsp\":\"/custom\"}", 1 },
    /* server CONNECT_ERROR: {message, data: undefined} */
    { "83a474797065 04 a464617461 82 a76d657373616765 a7676f2061776179 a464617461 d40000 a36e7370 a12f",
      "{\"type\":4,\"data\":{\"message\":\"go away\",\"data\":{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}},\"nsp\":\"/\"}", 1 },
    /* DISCONNECT; client ACK with no arguments (data 90) */
    { "82a474797065 01 a36e7370 a12f", "{\"type\":1,\"nsp\":\"/\"}", 1 },
    { "84a474797065 03 a26964 05 a464617461 90 a36e7370 a12f", "{\"type\":3,\"id\":5,\"data\":[],\"nsp\":\"/\"}", 1 },
    /* MSGPACK.md 3 and 5: what the decoder accepts, and the odd arguments */
    { "83a474797065 cb4000000000000000 a464617461 91 a178 a36e7370 a12f",
      "{\"type\":2,\"data\":[\"x\"],\"nsp\":\"/\"}", 0 },
    { "83a474797065 ce00000002 a464617461 91 a178 a36e7370 a12f", "{\"type\":2,\"data\":[\"x\"],\"nsp\":\"/\"}", 0 },
    { "c70200 01ff", "{\"_placeholder\":true,\"num\":0,\"_ext\":0}", 1 },
    { "98 c70300010203 c7020004 05 c7070009090102030909 d700 0000000000000000 80 80 d40000 82a175d40000a16e01",
      "[{\"_placeholder\":true,\"num\":0,\"_ext\":0},{\"_placeholder\":true,\"num\":1,\"_ext\":0},{\"_placeholder\":true,\"num\":2,\"_ext\":0},"
      "{\"_placeholder\":true,\"num\":3,\"_msgpack\":true},{},{},{\"_placeholder\":true,\"num\":4,\"_msgpack\":true},{\"u\":{\"_placeholder\":true,\"num\":5,\"_msgpack\":true},\"n\":1}]", 1 },
    /* float32 is accepted; a non-shortest str8 too */
    { "92 ca3fc00000 d90178", "[1.5,\"x\"]", 0 },
};

static void test_captures(void) {
    size_t c;
    for (c = 0; c < sizeof captures / sizeof captures[0]; c++) {
        char json[2048];
        sio_str bins[8];
        size_t nb = 9;
        unsigned char want[2048];
        size_t wn = unhex(captures[c].hex, want);
        int rc = to_json(captures[c].hex, json, sizeof json, bins, 8, &nb);
        CHECK(rc == SIO_OK);
        if (strcmp(json, captures[c].json) != 0) printf("  capture %u:\n  got  %s\n  want %s\n", (unsigned)c, json, captures[c].json);
        CHECK(strcmp(json, captures[c].json) == 0);
        if (captures[c].same_bytes) {
            /* back to the same bytes Node wrote; the bins still point into the
               first decode's buffer (the static store inside to_json) */
            sio_buf b;
            memset(&b, 0, sizeof b);
            CHECK(from_json(json, bins, nb, &b) == SIO_OK);
            CHECK(b.len == wn && memcmp(b.data, want, wn) == 0);
            if (b.len != wn || memcmp(b.data, want, wn) != 0) printf("  capture %u: %s\n", (unsigned)c, tohex(b.data, b.len));
            sio_buf_free(&b);
        }
    }
    /* the bins of the 2.2 capture */
    {
        char json[2048];
        sio_str bins[2];
        size_t nb = 0;
        CHECK(to_json(captures[2].hex, json, sizeof json, bins, 2, &nb) == SIO_OK && nb == 2);
        CHECK(bins[0].len == 4 && memcmp(bins[0].ptr, "\x01\x02\x03\xff", 4) == 0);
        CHECK(bins[1].len == 2 && memcmp(bins[1].ptr, "hi", 2) == 0);
        CHECK(to_json(captures[2].hex, json, sizeof json, bins, 1, &nb) == SIO_ERR_TOO_BIG);
        CHECK(to_json(captures[2].hex, json, sizeof json, NULL, 0, NULL) == SIO_ERR_TOO_BIG);
    }
    /* MSGPACK.md 1: polling bodies are b + base64 of the same bytes */
    {
        static const char *posts[] = { "g6R0eXBlAKRkYXRh1AAAo25zcKEv", "g6R0eXBlAqRkYXRhkqJiMqN0d2+jbnNwoS8=",
                                       "g6R0eXBlAqRkYXRhkqJiMwOjbnNwoS8=" };
        static const char *want[] = { "{\"type\":0,\"data\":{\"_placeholder\":true,\"num\":0,\"_msgpack\":true},\"nsp\":\"/\"}", "{\"type\":2,\"data\":[\"b2\",\"two\"],\"nsp\":\"/\"}",
                                      "{\"type\":2,\"data\":[\"b3\",3],\"nsp\":\"/\"}" };
        size_t k;
        for (k = 0; k < 3; k++) {
            unsigned char raw[64];
            size_t n = 0;
            sio_str kb[2];
            sio_mp v;
            sio_buf b;
            memset(&b, 0, sizeof b);
            CHECK(sio_base64_decode(posts[k], strlen(posts[k]), raw, sizeof raw, &n) == SIO_OK);
            CHECK(sio_mp_parse((const char *)raw, n, &v) == SIO_OK);
            CHECK(sio_mp_to_json(v, &b, kb, 2, NULL) == SIO_OK);
            CHECK(b.len == strlen(want[k]) && memcmp(b.data, want[k], b.len) == 0);
            if (k == 0) CHECK(n == 21 && memcmp(raw, "\x83\xa4type\x00\xa4" "data\xd4\x00\x00\xa3nsp\xa1/", 21) == 0);
            if (k) {   /* EVENTs: back to the same bytes */
                sio_json j;
                sio_buf m;
                memset(&m, 0, sizeof m);
                CHECK(sio_json_parse(b.data, b.len, &j) == SIO_OK && sio_mp_from_json(j, NULL, 0, &m) == SIO_OK);
                CHECK(m.len == n && memcmp(m.data, raw, n) == 0);
                sio_buf_free(&m);
            }
            sio_buf_free(&b);
        }
    }
}

static void test_to_json_values(void) {
    static const struct { const char *hex, *json; } s[] = {
        /* integers: every digit */
        { "d38000000000000000", "-9223372036854775808" }, { "cfffffffffffffffff", "18446744073709551615" },
        { "cf0020000000000001", "9007199254740993" }, { "d3ffffffff7fffffff", "-2147483649" },
        { "d280000000", "-2147483648" }, { "e0", "-32" }, { "ff", "-1" }, { "00", "0" }, { "7f", "127" },
        { "d0ff", "-1" }, { "cd03e8", "1000" },
        /* floats: JavaScript's shortest form; NaN and the infinities are kept as bytes */
        { "cb3ff8000000000000", "1.5" }, { "cb3fb999999999999a", "0.1" }, { "cb444b1ae4d6e2ef50", "1e+21" },
        { "cb4415af1d78b58c40", "100000000000000000000" }, { "cb3e7ad7f29abcaf48", "1e-7" },
        { "cb0000000000000001", "5e-324" }, { "cb8000000000000000", "0" }, { "cbc00c000000000000", "-3.5" },
        { "cb7ff8000000000000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" }, { "cb7ff0000000000000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" }, { "cbfff0000000000000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" },
        { "ca3dcccccd", "0.10000000149011612" }, { "ca7f800000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" },
        /* the rest; undefined and extensions are kept as bytes, to go back out as they came */
        { "c0", "null" }, { "c2", "false" }, { "c3", "true" }, { "d40000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" }, { "d50501ff", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" },
        { "c7010501", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" }, { "d4ff00", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" }, { "d500 0000", "{\"_placeholder\":true,\"num\":0,\"_msgpack\":true}" },
        { "a422 0a 5c 01", "\"\\\"\\n\\\\\\u0001\"" }, { "a0", "\"\"" }, { "a4f09f9880", "\"\xf0\x9f\x98\x80\"" },
        { "90", "[]" }, { "80", "{}" }, { "92 d40000 d40000", "[{\"_placeholder\":true,\"num\":0,\"_msgpack\":true},{\"_placeholder\":true,\"num\":1,\"_msgpack\":true}]" },
        { "82 a161d40000 a162d40000", "{\"a\":{\"_placeholder\":true,\"num\":0,\"_msgpack\":true},\"b\":{\"_placeholder\":true,\"num\":1,\"_msgpack\":true}}" },
        /* keys that are not strings: their text, as property names */
        { "85 01a161 c001 c302 cb3ff800000000000003 ff04", "{\"1\":\"a\",\"null\":1,\"true\":2,\"1.5\":3,\"-1\":4}" },
        { "82 cb7ff800000000000001 c2 02", "{\"NaN\":1,\"false\":2}" },
        { "81 cfffffffffffffffff 00", "{\"18446744073709551615\":0}" },
        { "81 cb8000000000000000 00", "{\"0\":0}" },
        { "81 a27e22 c0", "{\"~\\\"\":null}" },
    };
    size_t i;
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        char json[256];
        sio_str vb[4];
        int rc = to_json(s[i].hex, json, sizeof json, vb, 4, NULL);
        CHECK(rc == SIO_OK);
        if (strcmp(json, s[i].json) != 0) printf("  %s:\n  got  %s\n  want %s\n", s[i].hex, json, s[i].json);
        CHECK(strcmp(json, s[i].json) == 0);
    }
}

/* the deepest nesting both the msgpack and the JSON side allow */
#define DEPTH (SIO_MP_MAX_DEPTH < SIO_JSON_MAX_DEPTH ? SIO_MP_MAX_DEPTH : SIO_JSON_MAX_DEPTH)

static void test_to_json_errors(void) {
    static const struct { const char *hex; int rc; } s[] = {
        /* text handed out is valid UTF-8: overlong, surrogate, cut, stray continuation, > U+10FFFF */
        { "a2c080", SIO_ERR_UTF8 }, { "a3eda080", SIO_ERR_UTF8 }, { "a2e282", SIO_ERR_UTF8 },
        { "a180", SIO_ERR_UTF8 }, { "a4f4908080", SIO_ERR_UTF8 }, { "a1ff", SIO_ERR_UTF8 },
        { "92 a161 a1fe", SIO_ERR_UTF8 }, { "81 a1ff 00", SIO_ERR_UTF8 }, { "81 a1c0 d40000", SIO_ERR_UTF8 },
        /* keys JavaScript could only name by calling toString on an object */
        { "81 90 00", SIO_ERR_UNSUPPORTED }, { "81 80 00", SIO_ERR_UNSUPPORTED },
        { "81 c40101 00", SIO_ERR_UNSUPPORTED }, { "81 d40000 00", SIO_ERR_UNSUPPORTED },
    };
    size_t i;
    char json[64];
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        int rc = to_json(s[i].hex, json, sizeof json, NULL, 0, NULL);
        if (rc != s[i].rc) printf("  %s: got %d want %d\n", s[i].hex, rc, s[i].rc);
        CHECK(rc == s[i].rc);
    }
    /* a failure leaves what the buffer held before */
    {
        unsigned char st[8];
        sio_mp v;
        sio_buf b;
        memset(&b, 0, sizeof b);
        sio_buf_append(&b, "keep", 4);
        CHECK(parse_hex("92 01 a1ff", st, &v) == SIO_OK);
        CHECK(sio_mp_to_json(v, &b, NULL, 0, NULL) == SIO_ERR_UTF8 && b.len == 4 && memcmp(b.data, "keep", 4) == 0);
        v.type = SIO_MP_INVALID;
        CHECK(sio_mp_to_json(v, &b, NULL, 0, NULL) == SIO_ERR_PARSE && b.len == 4);
        sio_buf_free(&b);
    }
    /* depth: SIO_MP_MAX_DEPTH arrays convert; a bin at the bottom would need one more level */
    {
        unsigned char st[DEPTH + 4];
        sio_mp v;
        sio_buf b;
        sio_str bins[1];
        int i2;
        memset(&b, 0, sizeof b);
        for (i2 = 0; i2 < DEPTH; i2++) st[i2] = 0x91;
        st[i2] = 0xc0;
        CHECK(sio_mp_parse((const char *)st, DEPTH + 1, &v) == SIO_OK);
        CHECK(sio_mp_to_json(v, &b, NULL, 0, NULL) == SIO_OK && sio_json_parse(b.data, b.len, NULL) == SIO_OK);
#if SIO_MP_MAX_DEPTH >= SIO_JSON_MAX_DEPTH
        sio_buf_reset(&b);
        st[i2] = 0xc4; st[i2 + 1] = 0;
        CHECK(sio_mp_parse((const char *)st, DEPTH + 2, &v) == SIO_OK);
        CHECK(sio_mp_to_json(v, &b, bins, 1, NULL) == SIO_ERR_TOO_BIG && b.len == 0);
#endif
        (void)bins;
        sio_buf_free(&b);
    }
}

static void test_from_json(void) {
    static const struct { const char *json, *hex; } s[] = {
        { "0", "00" }, { "-0", "00" }, { "127", "7f" }, { "128", "cc80" }, { "-33", "d0df" }, { "1000", "cd03e8" },
        { "18446744073709551615", "cfffffffffffffffff" }, { "9007199254740993", "cf0020000000000001" },
        { "-9223372036854775808", "d38000000000000000" }, { "-2147483649", "d3ffffffff7fffffff" },
        /* not integers, or too big for 64 bits: float64 */
        { "18446744073709551616", "cb43f0000000000000" }, { "-9223372036854775809", "cbc3e0000000000000" },
        { "1.5", "cb3ff8000000000000" }, { "1.0", "cb3ff0000000000000" }, { "1e3", "cb408f400000000000" },
        { "-0.0", "cb8000000000000000" }, { "1E400", "cb7ff0000000000000" },
        { "null", "c0" }, { "true", "c3" }, { "false", "c2" }, { "\"\"", "a0" },
        { "\"a\\u00e9\\ud83d\\ude00\\n\"", "a861c3a9f09f98800a" }, { "\"\\u0000\"", "a100" },
        { "[]", "90" }, { "{}", "80" }, { " [ 1 , { \"k\\\"\" : [ ] } ] ", "92 01 81 a26b22 90" },
        { "[0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5]", "dc0010 00010203040506070809 000102030405" },
        /* placeholders without a matching attachment stay maps */
        { "{\"_placeholder\":true,\"num\":5}", "82 ac5f706c616365686f6c646572 c3 a36e756d 05" },
        { "{\"_placeholder\":false,\"num\":0}", "82 ac5f706c616365686f6c646572 c2 a36e756d 00" },
        { "[{\"num\":0,\"_placeholder\":true},{\"_placeholder\":true,\"num\":1}]", "92 c40161 c40262 63" },
    };
    sio_str bins[2];
    size_t i;
    bins[0].ptr = "a"; bins[0].len = 1;
    bins[1].ptr = "bc"; bins[1].len = 2;
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        sio_buf b;
        memset(&b, 0, sizeof b);
        CHECK(from_json(s[i].json, bins, 2, &b) == SIO_OK);
        if (!buf_is(&b, s[i].hex)) printf("  json %s\n", s[i].json);
        CHECK(buf_is(&b, s[i].hex));
        sio_buf_free(&b);
    }
    {   /* limits */
        char deep[2 * DEPTH + 8];
        sio_buf b;
        sio_json j;
        memset(&b, 0, sizeof b);
        memset(deep, '[', DEPTH);
        memset(deep + DEPTH, ']', DEPTH);
        CHECK(sio_json_parse(deep, 2 * DEPTH, &j) == SIO_OK);
        CHECK(sio_mp_from_json(j, NULL, 0, &b) == SIO_OK && b.len == DEPTH);
        j.type = SIO_JSON_INVALID;
        CHECK(sio_mp_from_json(j, NULL, 0, &b) == SIO_ERR_INVALID);
        sio_buf_free(&b);
        b.max = 3;
        CHECK(from_json("[1,2,3]", NULL, 0, &b) == SIO_ERR_TOO_BIG);
        sio_buf_free(&b);
    }
}

/* Every proper prefix of every valid sample is refused, in a buffer of
   exactly that size (ASan reports any read past it). */
static void test_truncations(void) {
    size_t c, k;
    for (c = 0; c < sizeof captures / sizeof captures[0]; c++) {
        unsigned char raw[2048];
        size_t n = unhex(captures[c].hex, raw);
        for (k = 0; k < n; k++) {
            unsigned char *p = heap_copy(raw, k);
            sio_mp v;
            CHECK(sio_mp_parse((const char *)p, k, &v) == SIO_ERR_PARSE);
            free(p);
        }
        {   /* and the whole, in an exact buffer, through every accessor */
            unsigned char *p = heap_copy(raw, n);
            sio_mp v, k2, val;
            sio_mp_iter it;
            sio_buf b;
            sio_str bins[4];
            int rc;
            memset(&b, 0, sizeof b);
            CHECK(sio_mp_parse((const char *)p, n, &v) == SIO_OK);
            sio_mp_iter_init(&it, v);
            while (sio_mp_iter_next(&it, &k2, &val)) {
                int64_t i;
                double d;
                sio_str s;
                sio_mp_as_int64(val, &i); sio_mp_as_double(val, &d); sio_mp_as_str(val, &s);
                CHECK(val.ptr >= (const char *)p && val.ptr + val.len <= (const char *)p + n);
            }
            rc = sio_mp_to_json(v, &b, bins, 4, NULL);   /* more than 4 kept values: too many */
            CHECK(rc == SIO_OK || rc == SIO_ERR_TOO_BIG);
            sio_buf_free(&b);
            free(p);
        }
    }
}

/* One TAP line per group of checks, as the other unit tests print. */
static int passes, failed_groups;
static void run(const char *name, void (*fn)(void)) {
    int before = fails;
    fn();
    if (fails == before) printf("ok %d - msgpack: %s\n", ++passes + failed_groups, name);
    else printf("not ok %d - msgpack: %s\n", passes + ++failed_groups, name);
}

int main(void) {
    run("writer ints", test_writer_ints);
    run("writer other", test_writer_other);
    run("accessors", test_accessors);
    run("navigation", test_navigation);
    run("parse errors", test_parse_errors);
    run("captures", test_captures);
    run("to json values", test_to_json_values);
    run("to json errors", test_to_json_errors);
    run("from json", test_from_json);
    run("truncations", test_truncations);
    printf("# %d checks\n# pass %d\n# fail %d\n", checks, passes, failed_groups);
    return fails != 0;
}
