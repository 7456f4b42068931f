/* Tests of the util layer (SHA-1, base64, UTF-8) and of WebSocket framing.
   Self-contained: build with one cc line, e.g.
       cc -std=c99 -Wall -Wextra -Wpedantic -Werror tests/test_ws.c -o test_ws
   Prints one TAP-like line per check group and "# pass N" / "# fail M". */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int g_pass, g_fail, g_num, g_bad;

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            g_bad = 1;                                                            \
        }                                                                         \
    } while (0)

static void group(const char *name) {
    g_num++;
    if (g_bad) { printf("not ok %d - %s\n", g_num, name); g_fail++; }
    else { printf("ok %d - %s\n", g_num, name); g_pass++; }
    g_bad = 0;
}

static void to_hex(const unsigned char *p, size_t n, char *out) {
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) { out[2 * i] = hx[p[i] >> 4]; out[2 * i + 1] = hx[p[i] & 15]; }
    out[2 * n] = '\0';
}

static int sha1_is(const void *data, size_t n, const char *hex) {
    unsigned char d[20];
    char h[41];
    sio_sha1(data, n, d);
    to_hex(d, 20, h);
    return strcmp(h, hex) == 0;
}

/* A tiny deterministic generator so runs are reproducible. */
static uint32_t g_rng = 12345u;
static uint32_t rnd(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

/* Counting allocator: proves every allocation goes through it and is freed. */
typedef struct counting { long live, total; } counting;
static void *c_alloc(size_t n, void *u) { ((counting *)u)->live++; ((counting *)u)->total++; return malloc(n); }
static void *c_realloc(void *p, size_t n, void *u) { if (!p) { ((counting *)u)->live++; ((counting *)u)->total++; } return realloc(p, n); }
static void c_free(void *p, void *u) { ((counting *)u)->live--; free(p); }

/* ------------------------------------------------------------------ */

static void test_sha1(void) {
    static const struct { size_t n; const char *hex; } as[] = {
        {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"}, {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
        {57, "f08f24908d682555111be7ff6f004e78283d989a"}, {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
        {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"}, {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
        {119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"}, {120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
        {128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"}};
    char *m = (char *)malloc(1000000);
    unsigned char all[768], d1[20], d2[20];
    size_t i, k;
    sio__sha1 c;
    CHECK(sha1_is("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d"));
    CHECK(sha1_is("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709"));
    CHECK(sha1_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                  "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
    CHECK(m != NULL);
    if (m) {
        memset(m, 'a', 1000000);
        CHECK(sha1_is(m, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
        /* padding boundaries around 55/56/64 bytes */
        for (i = 0; i < sizeof as / sizeof as[0]; i++) CHECK(sha1_is(m, as[i].n, as[i].hex));
        free(m);
    }
    group("sha1: FIPS 180 vectors, padding boundaries, one million 'a'");

    for (i = 0; i < sizeof all; i++) all[i] = (unsigned char)i;
    CHECK(sha1_is(all, sizeof all, "ac2a264c8ec1f4232a40854e8239bc3a697ab1d2"));
    sio_sha1(all, sizeof all, d1);
    for (k = 1; k <= 130; k++) {
        sio__sha1_init(&c);
        for (i = 0; i < sizeof all; i += k) sio__sha1_update(&c, all + i, sizeof all - i < k ? sizeof all - i : k);
        sio__sha1_final(&c, d2);
        CHECK(memcmp(d1, d2, 20) == 0);
    }
    group("sha1: streaming in pieces of 1..130 bytes equals one-shot");
}

static void test_base64(void) {
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *unpadded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    static const char *bad[] = {"Zg=",  "Z===", "Zh==", "Zm9=", "Zm9v!",   "Zm 9v",    "Zm9vY", "=Zm9",
                                "Zm=v", "Zg==Zg==", "-_-_", "Zm9\n", "====", "Zg=a", "Z", "Zm9vYg=\0"};
    char out[64];
    unsigned char dec[64], src[100], back[100];
    size_t i, n, got, len;
    int rc;
    sio_buf b;

    for (i = 0; i < 7; i++) {
        memset(out, 'x', sizeof out);
        n = sio_base64_encode(plain[i], strlen(plain[i]), out, sizeof out);
        CHECK(n == strlen(enc[i]));
        CHECK(strcmp(out, enc[i]) == 0);
        CHECK(sio_base64_encoded_len(strlen(plain[i])) == strlen(enc[i]));
    }
    /* too small: nothing written, full length returned; exact fit: no NUL */
    memset(out, 'x', sizeof out);
    CHECK(sio_base64_encode("foobar", 6, out, 7) == 8 && out[0] == 'x');
    CHECK(sio_base64_encode("foobar", 6, NULL, 0) == 8);
    CHECK(sio_base64_encode("foobar", 6, out, 8) == 8 && memcmp(out, "Zm9vYmFy", 8) == 0 && out[8] == 'x');
    CHECK(sio_base64_encoded_len((size_t)-1) == (size_t)-1);
    group("base64: RFC 4648 section 10 encoding vectors, capacity rules");

    for (i = 0; i < 7; i++) {
        got = 99;
        CHECK(sio_base64_decode(enc[i], strlen(enc[i]), dec, sizeof dec, &got) == SIO_OK);
        CHECK(got == strlen(plain[i]) && memcmp(dec, plain[i], got) == 0);
        got = 99;
        CHECK(sio_base64_decode(unpadded[i], strlen(unpadded[i]), dec, sizeof dec, &got) == SIO_OK);
        CHECK(got == strlen(plain[i]) && memcmp(dec, plain[i], got) == 0);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        len = strlen(bad[i]);
        if (i == sizeof bad / sizeof bad[0] - 1) len = 8; /* embedded NUL */
        rc = sio_base64_decode(bad[i], len, dec, sizeof dec, &got);
        if (rc != SIO_ERR_PARSE) fprintf(stderr, "accepted bad base64 #%u\n", (unsigned)i);
        CHECK(rc == SIO_ERR_PARSE);
    }
    /* every single non-alphabet byte is refused in any position */
    for (i = 0; i < 256; i++) {
        char q[4] = {'Q', 'U', 'J', 'D'};
        int ok = (i >= 'A' && i <= 'Z') || (i >= 'a' && i <= 'z') || (i >= '0' && i <= '9') || i == '+' || i == '/';
        q[1] = (char)i;
        rc = sio_base64_decode(q, 4, dec, sizeof dec, &got);
        CHECK(ok ? rc == SIO_OK : rc == SIO_ERR_PARSE);
    }
    got = 0;
    CHECK(sio_base64_decode("Zm9vYmFy", 8, dec, 5, &got) == SIO_ERR_TOO_BIG && got == 6);
    CHECK(sio_base64_decode("Zm9vYmFy", 8, dec, 6, &got) == SIO_OK && got == 6);
    CHECK(sio_base64_decode("Zm9vYmFy", 8, NULL, 0, NULL) == SIO_ERR_TOO_BIG);
    CHECK(sio_base64_decode("", 0, NULL, 0, &got) == SIO_OK && got == 0);
    CHECK(sio_base64_decode("Zm8", 3, dec, sizeof dec, NULL) == SIO_OK);
    group("base64: decoding padded/unpadded, strict refusals, capacity");

    for (n = 0; n < 100; n++) {
        char e[160];
        for (i = 0; i < n; i++) src[i] = (unsigned char)rnd();
        len = sio_base64_encode(src, n, e, sizeof e);
        CHECK(len == sio_base64_encoded_len(n) && strlen(e) == len);
        CHECK(sio_base64_decode(e, len, back, sizeof back, &got) == SIO_OK && got == n && memcmp(src, back, n) == 0);
        /* drop the padding: must still decode */
        while (len && e[len - 1] == '=') len--;
        CHECK(sio_base64_decode(e, len, back, sizeof back, &got) == SIO_OK && got == n && memcmp(src, back, n) == 0);
    }
    memset(&b, 0, sizeof b);
    CHECK(sio_base64_buf(&b, "x", 0) == SIO_OK && b.len == 0);
    CHECK(sio_buf_append(&b, "b", 1) == SIO_OK);
    CHECK(sio_base64_buf(&b, "\x01\x02\x03\x04", 4) == SIO_OK);
    CHECK(b.len == 9 && memcmp(b.data, "bAQIDBA==", 9) == 0);
    sio_buf_free(&b);
    memset(&b, 0, sizeof b);
    b.max = 5;
    CHECK(sio_base64_buf(&b, "foobar", 6) == SIO_ERR_TOO_BIG && b.len == 0 && b.err == SIO_ERR_TOO_BIG);
    sio_buf_free(&b);
    group("base64: random round trips, sio_base64_buf");
}

static int utf8_ok(const char *s, size_t n) {
    unsigned st = 0;
    return sio_utf8_check(&st, s, n) == 0 && st == 0;
}

static void test_utf8(void) {
    static const char *good[] = {"", "hello", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf",
                                 "\xee\x80\x80", "\xf4\x8f\xbf\xbf", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80",
                                 "\x7f", "a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!"};
    static const char *bad[] = {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
                                "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
                                "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xc3\x28",
                                "\xe2\x82\x28", "\xf0\x9f\x98\x28", "a\xc3", "\xe2\x82", "\xf0\x9f\x98"};
    const char *mix = "a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!";
    size_t i, k, n = strlen(mix);
    unsigned st;
    int r1, r2;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) CHECK(utf8_ok(good[i], strlen(good[i])));
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(!utf8_ok(bad[i], strlen(bad[i])));
    CHECK(utf8_ok("a\0b", 3));
    /* split at every position, and byte by byte */
    for (k = 0; k <= n; k++) {
        st = 0;
        r1 = sio_utf8_check(&st, mix, k);
        r2 = sio_utf8_check(&st, mix + k, n - k);
        CHECK(r1 == 0 && r2 == 0 && st == 0);
    }
    st = 0;
    for (k = 0; k < n; k++) CHECK(sio_utf8_check(&st, mix + k, 1) == 0);
    CHECK(st == 0);
    /* truncated: ok so far but state non-zero */
    st = 0;
    CHECK(sio_utf8_check(&st, "\xf0\x9f", 2) == 0 && st != 0);
    /* sticky failure */
    st = 0;
    CHECK(sio_utf8_check(&st, "\xff", 1) == -1);
    CHECK(sio_utf8_check(&st, "abc", 3) == -1 && st != 0);
    /* exhaustive over two-byte sequences against a direct rule */
    for (i = 0; i < 65536; i++) {
        char s[2];
        unsigned a = (unsigned)(i >> 8), b2 = (unsigned)(i & 255);
        int expect = (a < 0x80 && b2 < 0x80) || (a >= 0xC2 && a <= 0xDF && b2 >= 0x80 && b2 <= 0xBF);
        s[0] = (char)a;
        s[1] = (char)b2;
        CHECK(utf8_ok(s, 2) == expect);
    }
    group("utf8: valid/invalid sequences, overlongs, surrogates, splits, sticky error");
}

static void test_keys(void) {
    char out[29], key[25];
    const unsigned char nonce[16] = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p', 'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out) == SIO_OK);
    /* The value printed in RFC 6455 section 1.3 (cross-checked with an
       independent SHA-1/base64: Python hashlib). */
    CHECK(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    sio_ws_make_key(nonce, key);
    CHECK(strcmp(key, "dGhlIHNhbXBsZSBub25jZQ==") == 0);
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", 23, out) == SIO_ERR_INVALID && out[0] == '\0');
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ===", 25, out) == SIO_ERR_INVALID);
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZQAA", 24, out) == SIO_ERR_INVALID); /* 18 bytes */
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZ!==", 24, out) == SIO_ERR_INVALID);
    CHECK(sio_ws_accept_key("dGhlIHNhbXBsZSBub25jZR==", 24, out) == SIO_ERR_INVALID); /* non-zero pad bits */
    CHECK(sio_ws_accept_key(NULL, 24, out) == SIO_ERR_INVALID);
    group("ws: accept key (RFC 6455 section 1.3), client key, bad keys");
}

/* ------------------------------------------------------------------ */
/* Frame writer */

static const unsigned char k_mask[4] = {0x37, 0xfa, 0x21, 0x3d};

static int buf_is(const sio_buf *b, const unsigned char *exp, size_t n) {
    return b->len == n && memcmp(b->data, exp, n) == 0;
}

static void test_writer(void) {
    static const unsigned char hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const unsigned char hello_m[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const unsigned char hel[] = {0x01, 0x03, 0x48, 0x65, 0x6c};
    static const unsigned char lo[] = {0x80, 0x02, 0x6c, 0x6f};
    static const unsigned char ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const unsigned char pong_m[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    unsigned char h[14], data[8];
    unsigned char *big = (unsigned char *)calloc(1, 65536);
    char reason[130];
    sio_buf b;
    size_t n;
    memset(&b, 0, sizeof b);

    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_TEXT, "Hello", 5, NULL) == SIO_OK && buf_is(&b, hello, sizeof hello));
    sio_buf_reset(&b);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_TEXT, "Hello", 5, k_mask) == SIO_OK && buf_is(&b, hello_m, sizeof hello_m));
    sio_buf_reset(&b);
    n = sio_ws_write_header(h, 0, SIO_WS_OP_TEXT, 3, NULL);
    CHECK(n == 2 && memcmp(h, hel, 2) == 0);
    n = sio_ws_write_header(h, 1, SIO_WS_OP_CONT, 2, NULL);
    CHECK(n == 2 && memcmp(h, lo, 2) == 0);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_PING, "Hello", 5, NULL) == SIO_OK && buf_is(&b, ping, sizeof ping));
    sio_buf_reset(&b);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_PONG, "Hello", 5, k_mask) == SIO_OK && buf_is(&b, pong_m, sizeof pong_m));
    sio_buf_reset(&b);
    /* 256 bytes and 64 KiB, section 5.7 */
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_BINARY, big, 256, NULL) == SIO_OK);
    CHECK(b.len == 260 && memcmp(b.data, "\x82\x7e\x01\x00", 4) == 0);
    sio_buf_reset(&b);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_BINARY, big, 65536, NULL) == SIO_OK);
    CHECK(b.len == 65546 && memcmp(b.data, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10) == 0);
    sio_buf_reset(&b);
    group("ws: writer reproduces the RFC 6455 section 5.7 examples");

    CHECK(sio_ws_write_header(h, 1, 2, 0, NULL) == 2 && h[1] == 0);
    CHECK(sio_ws_write_header(h, 1, 2, 125, NULL) == 2 && h[1] == 125);
    CHECK(sio_ws_write_header(h, 1, 2, 126, NULL) == 4 && h[1] == 126 && h[2] == 0 && h[3] == 126);
    CHECK(sio_ws_write_header(h, 1, 2, 65535, NULL) == 4 && h[2] == 0xff && h[3] == 0xff);
    CHECK(sio_ws_write_header(h, 1, 2, 65536, k_mask) == 14 && h[1] == 0xff && h[7] == 1 && h[8] == 0 &&
          memcmp(h + 10, k_mask, 4) == 0);
    CHECK(sio_ws_write_header(h, 1, 2, (uint64_t)1 << 40, NULL) == 10 && h[4] == 1 && h[5] == 0);
    CHECK(sio_ws_write_header(h, 1, 2, 0, k_mask) == 6 && h[1] == 0x80);
    /* masking in pieces with offsets equals masking at once */
    memcpy(data, "abcdefgh", 8);
    sio_ws_mask(data, 3, k_mask, 0);
    sio_ws_mask(data + 3, 5, k_mask, 3);
    sio_ws_mask(data, 8, k_mask, 0);
    CHECK(memcmp(data, "abcdefgh", 8) == 0);
    {   /* word-at-a-time masking equals the byte rule, any length and offset */
        unsigned char a[40], ref[40];
        size_t len, off, i;
        for (len = 0; len <= sizeof a; len++)
            for (off = 0; off < 8; off++) {
                for (i = 0; i < len; i++) a[i] = ref[i] = (unsigned char)(i * 37 + off);
                sio_ws_mask(a, len, k_mask, off);
                for (i = 0; i < len; i++) ref[i] ^= k_mask[(off + i) & 3];
                CHECK(len == 0 || memcmp(a, ref, len) == 0);
            }
    }
    CHECK(sio_ws_append_frame(&b, 3, "x", 1, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_PING, big, 126, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_PING, big, 125, NULL) == SIO_OK && b.len == 127);
    sio_buf_reset(&b);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_TEXT, NULL, 0, NULL) == SIO_OK && b.len == 2);
    sio_buf_reset(&b);

    CHECK(sio_ws_append_close(&b, 1000, "bye", NULL) == SIO_OK && buf_is(&b, (const unsigned char *)"\x88\x05\x03\xe8" "bye", 7));
    sio_buf_reset(&b);
    CHECK(sio_ws_append_close(&b, 0, NULL, NULL) == SIO_OK && buf_is(&b, (const unsigned char *)"\x88\x00", 2));
    sio_buf_reset(&b);
    CHECK(sio_ws_append_close(&b, 1009, NULL, k_mask) == SIO_OK && b.len == 8);
    CHECK((unsigned char)b.data[6] == (0x03 ^ 0x37) && (unsigned char)b.data[7] == (0xf1 ^ 0xfa));
    sio_buf_reset(&b);
    CHECK(sio_ws_append_close(&b, 0, "x", NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_close(&b, 1005, NULL, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_close(&b, 1006, NULL, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_close(&b, 999, NULL, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_close(&b, 5000, NULL, NULL) == SIO_ERR_INVALID);
    CHECK(sio_ws_append_close(&b, 1000, "\xff", NULL) == SIO_ERR_INVALID);
    memset(reason, 'r', sizeof reason);
    reason[124] = '\0';
    CHECK(sio_ws_append_close(&b, 1000, reason, NULL) == SIO_ERR_INVALID);
    reason[123] = '\0';
    CHECK(b.len == 0);
    CHECK(sio_ws_append_close(&b, 4999, reason, NULL) == SIO_OK && b.len == 127);
    sio_buf_free(&b);
    /* a bounded buffer reports TOO_BIG and stays sticky */
    memset(&b, 0, sizeof b);
    b.max = 4;
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_TEXT, "Hello", 5, NULL) == SIO_ERR_TOO_BIG && b.len == 0);
    CHECK(sio_ws_append_frame(&b, SIO_WS_OP_TEXT, "", 0, NULL) == SIO_ERR_TOO_BIG);
    sio_buf_free(&b);
    free(big);
    group("ws: header lengths, masking offsets, close frames, argument checks");
}

/* ------------------------------------------------------------------ */
/* Reader helpers: feed a byte stream in chunks, log what comes out. */

typedef struct feed_cfg {
    int expect_masked;
    size_t max_message;
} feed_cfg;

/* Log format per message: kind letter, length, ':' , payload, ';' (close:
   'C' code ':' reason ';'); an error ends the log with "!<close code>". */
static void log_msg(sio_buf *log, const sio_ws_msg *m) {
    static const char kinds[] = "-TBIOC";
    sio_buf_appendc(log, kinds[m->kind]);
    if (m->kind == SIO_WS_CLOSE) {
        sio_buf_appendu(log, (unsigned long long)m->close_code);
        sio_buf_appendc(log, ':');
        sio_buf_append(log, m->close_reason.ptr, m->close_reason.len);
    } else {
        sio_buf_appendu(log, (unsigned long long)m->len);
        sio_buf_appendc(log, ':');
        sio_buf_append(log, m->data, m->len);
    }
    sio_buf_appendc(log, ';');
}

/* cuts: sorted split positions (may be NULL); step: if > 0 feed in pieces of
   that many bytes instead. Returns the final error (0 if none). */
static int feed(const feed_cfg *cfg, const unsigned char *bytes, size_t n, const size_t *cuts, size_t ncuts,
                size_t step, sio_buf *log, const sio_allocator *alloc) {
    sio_ws_reader r;
    sio_ws_msg m;
    unsigned char *in = (unsigned char *)malloc(n ? n : 1);
    size_t inlen = 0, at = 0, next, ci = 0;
    int rc = 0;
    memset(&r, 0, sizeof r);
    r.expect_masked = cfg->expect_masked;
    r.max_message = cfg->max_message;
    r.alloc = alloc;
    while (at < n && rc >= 0) {
        if (step) next = at + step > n ? n : at + step;
        else if (ci < ncuts) next = cuts[ci++];
        else next = n;
        if (next < at) next = at;
        memcpy(in + inlen, bytes + at, next - at);
        inlen += next - at;
        at = next;
        for (;;) {
            rc = sio_ws_read(&r, in, inlen, &m);
            if (rc < 0) {
                sio_buf_appendc(log, '!');
                sio_buf_appendu(log, (unsigned long long)r.error_code);
                /* the error is sticky */
                CHECK(sio_ws_read(&r, in, inlen, &m) == rc && m.kind == SIO_WS_NONE);
                break;
            }
            CHECK((size_t)rc <= inlen);
            if (m.kind != SIO_WS_NONE) log_msg(log, &m);
            memmove(in, in + rc, inlen - (size_t)rc);
            inlen -= (size_t)rc;
            if (rc == 0 && m.kind == SIO_WS_NONE) break;
        }
    }
    sio_ws_reader_free(&r);
    free(in);
    return rc < 0 ? rc : 0;
}

static int log_is(const sio_buf *log, const char *exp, size_t n) {
    if (log->len == n && memcmp(log->data, exp, n) == 0) return 1;
    fprintf(stderr, "log mismatch: got [%.*s] want [%.*s]\n", (int)log->len, log->data ? log->data : "",
            (int)n, exp);
    return 0;
}

/* Feeds the stream whole, byte by byte, and split at every position (two
   and three pieces), checking every way gives the expected log. */
static void expect_stream(const feed_cfg *cfg, const unsigned char *bytes, size_t n, const char *exp, size_t en) {
    sio_buf log;
    size_t cut[2], i, j;
    memset(&log, 0, sizeof log);
    feed(cfg, bytes, n, NULL, 0, 0, &log, NULL);
    CHECK(log_is(&log, exp, en));
    sio_buf_reset(&log);
    feed(cfg, bytes, n, NULL, 0, 1, &log, NULL);
    CHECK(log_is(&log, exp, en));
    for (i = 0; i <= n; i++) {
        sio_buf_reset(&log);
        cut[0] = i;
        feed(cfg, bytes, n, cut, 1, 0, &log, NULL);
        CHECK(log_is(&log, exp, en));
    }
    if (n <= 64) {
        for (i = 0; i <= n; i++)
            for (j = i; j <= n; j++) {
                sio_buf_reset(&log);
                cut[0] = i;
                cut[1] = j;
                feed(cfg, bytes, n, cut, 2, 0, &log, NULL);
                CHECK(log_is(&log, exp, en));
            }
    }
    sio_buf_free(&log);
}

#define EXPECT(cfg, bytes, explit) expect_stream(cfg, bytes, sizeof(bytes), explit, sizeof(explit) - 1)

static const feed_cfg k_server = {1, 0};
static const feed_cfg k_client = {0, 0};

static void test_reader_rfc(void) {
    static const unsigned char hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const unsigned char hello_m[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const unsigned char frag[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
    static const unsigned char frag_ping[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x05, 0x48, 0x65,
                                              0x6c, 0x6c, 0x6f, 0x80, 0x02, 0x6c, 0x6f};
    static const unsigned char ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const unsigned char pong_m[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    unsigned char buf[32];
    sio_ws_reader r;
    sio_ws_msg m;
    int rc;

    EXPECT(&k_client, hello, "T5:Hello;");
    EXPECT(&k_server, hello_m, "T5:Hello;");
    EXPECT(&k_client, frag, "T5:Hello;");
    EXPECT(&k_client, frag_ping, "I5:Hello;T5:Hello;");
    EXPECT(&k_client, ping, "I5:Hello;");
    EXPECT(&k_server, pong_m, "O5:Hello;");
    group("ws reader: RFC 6455 section 5.7 examples, whole/byte by byte/split anywhere");

    /* zero copy: the message is unmasked where it lies */
    memset(&r, 0, sizeof r);
    r.expect_masked = 1;
    memcpy(buf, hello_m, sizeof hello_m);
    rc = sio_ws_read(&r, buf, sizeof hello_m, &m);
    CHECK(rc == (int)sizeof hello_m && m.kind == SIO_WS_TEXT && m.data == buf + 6 && m.len == 5);
    CHECK(memcmp(buf + 6, "Hello", 5) == 0);
    rc = sio_ws_read(&r, buf + rc, 0, &m);
    CHECK(rc == 0 && m.kind == SIO_WS_NONE);
    /* an incomplete frame leaves the buffer untouched */
    memcpy(buf, hello_m, sizeof hello_m);
    rc = sio_ws_read(&r, buf, sizeof hello_m - 1, &m);
    CHECK(rc == 0 && m.kind == SIO_WS_NONE && memcmp(buf, hello_m, sizeof hello_m) == 0);
    /* fragments are absorbed and consumed even before the message is whole */
    memset(&r, 0, sizeof r);
    memcpy(buf, frag, sizeof frag);
    rc = sio_ws_read(&r, buf, 7, &m);
    CHECK(rc == 5 && m.kind == SIO_WS_NONE);
    rc = sio_ws_read(&r, buf + 5, 4, &m);
    CHECK(rc == 4 && m.kind == SIO_WS_TEXT && m.len == 5 && memcmp(m.data, "Hello", 5) == 0);
    sio_ws_reader_free(&r);
    /* NULL buffer */
    rc = sio_ws_read(&r, NULL, 10, &m);
    CHECK(rc == 0 && m.kind == SIO_WS_NONE);
    group("ws reader: zero-copy, partial frames untouched, consumed counts");
}

static void test_reader_many(void) {
    /* several messages in one stream, every kind, both roles */
    sio_buf s, exp;
    size_t i;
    unsigned char mask[4];
    int role;
    static const unsigned char empty_frags[] = {0x02, 0x00, 0x00, 0x00, 0x80, 0x00};
    static const unsigned char split_utf8[] = {0x01, 0x02, 'a', 0xc3, 0x00, 0x01, 0xa9, 0x80, 0x01, 'z'};
    static const unsigned char close_empty[] = {0x88, 0x00};
    static const unsigned char close_bye[] = {0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'};
    static const unsigned char close_4999[] = {0x88, 0x02, 0x13, 0x87};
    static const unsigned char empty_text[] = {0x81, 0x00, 0x82, 0x00};
    static const unsigned char long16[] = {0x82, 0x7e, 0x00, 0x03, 'a', 'b', 'c'};       /* non-minimal, accepted */
    static const unsigned char long64[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x02, 'h', 'i'};

    for (role = 0; role < 2; role++) {
        memset(&s, 0, sizeof s);
        memset(&exp, 0, sizeof exp);
        for (i = 0; i < 40; i++) {
            size_t n = i * 37 % 300, j;
            int op = i % 5 == 0 ? SIO_WS_OP_PING : i % 2 ? SIO_WS_OP_TEXT : SIO_WS_OP_BINARY;
            unsigned char payload[300];
            if (op == SIO_WS_OP_PING && n > 125) n = 125;
            for (j = 0; j < n; j++) payload[j] = op == SIO_WS_OP_BINARY ? (unsigned char)rnd() : (unsigned char)('a' + j % 26);
            mask[0] = (unsigned char)rnd(); mask[1] = (unsigned char)rnd();
            mask[2] = (unsigned char)rnd(); mask[3] = (unsigned char)rnd();
            CHECK(sio_ws_append_frame(&s, op, payload, n, role ? mask : NULL) == SIO_OK);
            sio_buf_appendc(&exp, op == SIO_WS_OP_PING ? 'I' : op == SIO_WS_OP_TEXT ? 'T' : 'B');
            sio_buf_appendu(&exp, n);
            sio_buf_appendc(&exp, ':');
            sio_buf_append(&exp, payload, n);
            sio_buf_appendc(&exp, ';');
        }
        CHECK(sio_ws_append_close(&s, 1001, "going", role ? mask : NULL) == SIO_OK);
        sio_buf_appends(&exp, "C1001:going;");
        {
            feed_cfg cfg;
            sio_buf log;
            size_t steps[] = {0, 1, 2, 3, 7, 13, 100, 1000};
            cfg.expect_masked = role;
            cfg.max_message = 0;
            memset(&log, 0, sizeof log);
            for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
                sio_buf_reset(&log);
                CHECK(feed(&cfg, (unsigned char *)s.data, s.len, NULL, 0, steps[i], &log, NULL) == 0);
                CHECK(log_is(&log, exp.data, exp.len));
            }
            sio_buf_free(&log);
        }
        sio_buf_free(&s);
        sio_buf_free(&exp);
    }
    group("ws reader: 40 mixed frames round trip through the writer, both roles, many chunkings");

    EXPECT(&k_client, empty_frags, "B0:;");
    EXPECT(&k_client, split_utf8, "T4:a\xc3\xa9z;");
    EXPECT(&k_client, close_empty, "C1005:;");
    EXPECT(&k_client, close_bye, "C1000:bye;");
    EXPECT(&k_client, close_4999, "C4999:;");
    EXPECT(&k_client, empty_text, "T0:;B0:;");
    EXPECT(&k_client, long16, "B3:abc;");
    EXPECT(&k_client, long64, "B2:hi;");
    group("ws reader: empty fragments, UTF-8 split across fragments, close bodies, long lengths");
}

static void test_reader_errors(void) {
    static const unsigned char rsv1[] = {0xc1, 0x00};
    static const unsigned char rsv3[] = {0x91, 0x00};
    static const unsigned char op3[] = {0x83, 0x00};
    static const unsigned char op7[] = {0x87, 0x00};
    static const unsigned char opb[] = {0x8b, 0x00};
    static const unsigned char opf[] = {0x8f, 0x00};
    static const unsigned char ping126[] = {0x89, 0x7e, 0x00, 0x7e};
    static const unsigned char ping_nofin[] = {0x09, 0x00};
    static const unsigned char close_nofin[] = {0x08, 0x00};
    static const unsigned char cont_alone[] = {0x80, 0x01, 'x'};
    static const unsigned char cont_alone2[] = {0x00, 0x01, 'x'};
    static const unsigned char text_in_frag[] = {0x01, 0x01, 'a', 0x81, 0x01, 'b'};
    static const unsigned char bin_in_frag[] = {0x01, 0x01, 'a', 0x02, 0x01, 'b'};
    static const unsigned char masked_to_client[] = {0x81, 0x81, 1, 2, 3, 4, 'x'};
    static const unsigned char unmasked_to_server[] = {0x81, 0x01, 'x'};
    static const unsigned char top_bit[] = {0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char huge[] = {0x82, 0x7f, 0x40, 0, 0, 0, 0, 0, 0, 0};  /* 2^62 */
    static const unsigned char bad_text[] = {0x81, 0x02, 0xc3, 0x28};
    static const unsigned char cut_text[] = {0x81, 0x02, 'a', 0xc3};
    static const unsigned char bad_frag_text[] = {0x01, 0x02, 'a', 0xff};                 /* refused before FIN */
    static const unsigned char cut_frag_text[] = {0x01, 0x02, 'a', 0xc3, 0x80, 0x00};     /* ends mid-character */
    static const unsigned char surrogate_frags[] = {0x01, 0x01, 0xed, 0x80, 0x02, 0xa0, 0x80};
    static const unsigned char close1[] = {0x88, 0x01, 0x03};
    static const unsigned char close_badutf8[] = {0x88, 0x04, 0x03, 0xe8, 0xc3, 0x28};
    static const unsigned char ok_then_bad[] = {0x81, 0x01, 'a', 0xf1, 0x00};
    static const int bad_codes[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
    static const int good_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999};
    unsigned char frame[4];
    char exp[32];
    size_t i;

    EXPECT(&k_client, rsv1, "!1002");
    EXPECT(&k_client, rsv3, "!1002");
    EXPECT(&k_client, op3, "!1002");
    EXPECT(&k_client, op7, "!1002");
    EXPECT(&k_client, opb, "!1002");
    EXPECT(&k_client, opf, "!1002");
    EXPECT(&k_client, ping126, "!1002");
    EXPECT(&k_client, ping_nofin, "!1002");
    EXPECT(&k_client, close_nofin, "!1002");
    EXPECT(&k_client, cont_alone, "!1002");
    EXPECT(&k_client, cont_alone2, "!1002");
    EXPECT(&k_client, text_in_frag, "!1002");
    EXPECT(&k_client, bin_in_frag, "!1002");
    EXPECT(&k_client, masked_to_client, "!1002");
    EXPECT(&k_server, unmasked_to_server, "!1002");
    EXPECT(&k_client, top_bit, "!1002");
    EXPECT(&k_client, huge, "!1009");
    EXPECT(&k_client, ok_then_bad, "T1:a;!1002");
    group("ws reader: protocol errors -> 1002, 2^62-byte header -> 1009");

    EXPECT(&k_client, bad_text, "!1007");
    EXPECT(&k_client, cut_text, "!1007");
    EXPECT(&k_client, bad_frag_text, "!1007");
    EXPECT(&k_client, cut_frag_text, "!1007");
    EXPECT(&k_client, surrogate_frags, "!1007");
    EXPECT(&k_client, close1, "!1002");
    EXPECT(&k_client, close_badutf8, "!1007");
    for (i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
        frame[0] = 0x88; frame[1] = 2;
        frame[2] = (unsigned char)(bad_codes[i] >> 8); frame[3] = (unsigned char)bad_codes[i];
        expect_stream(&k_client, frame, 4, "!1002", 5);
    }
    for (i = 0; i < sizeof good_codes / sizeof good_codes[0]; i++) {
        frame[0] = 0x88; frame[1] = 2;
        frame[2] = (unsigned char)(good_codes[i] >> 8); frame[3] = (unsigned char)good_codes[i];
        sprintf(exp, "C%d:;", good_codes[i]);
        expect_stream(&k_client, frame, 4, exp, strlen(exp));
    }
    group("ws reader: UTF-8 errors -> 1007 (whole, per fragment, at FIN), close codes");
}

static void test_reader_limits(void) {
    feed_cfg cfg;
    sio_buf s, log;
    unsigned char payload[200], big_hdr[14];
    sio_ws_reader r;
    sio_ws_msg m;
    counting cnt;
    sio_allocator a;
    size_t h;
    int rc;
    memset(payload, 'p', sizeof payload);
    memset(&s, 0, sizeof s);
    memset(&log, 0, sizeof log);
    cfg.expect_masked = 0;
    cfg.max_message = 100;

    /* exactly at the limit passes, one over fails */
    CHECK(sio_ws_append_frame(&s, SIO_WS_OP_BINARY, payload, 100, NULL) == SIO_OK);
    CHECK(feed(&cfg, (unsigned char *)s.data, s.len, NULL, 0, 0, &log, NULL) == 0 && log.len == 106);
    sio_buf_reset(&s);
    sio_buf_reset(&log);
    CHECK(sio_ws_append_frame(&s, SIO_WS_OP_BINARY, payload, 101, NULL) == SIO_OK);
    /* refused from the 4-byte header alone */
    CHECK(feed(&cfg, (unsigned char *)s.data, 4, NULL, 0, 1, &log, NULL) == SIO_ERR_TOO_BIG);
    CHECK(log_is(&log, "!1009", 5));
    sio_buf_reset(&s);
    sio_buf_reset(&log);
    /* fragments: the sum counts; a control frame in between does not */
    h = sio_ws_write_header(big_hdr, 0, SIO_WS_OP_TEXT, 60, NULL);
    sio_buf_append(&s, big_hdr, h);
    sio_buf_append(&s, payload, 60);
    sio_ws_append_frame(&s, SIO_WS_OP_PING, payload, 100, NULL);
    h = sio_ws_write_header(big_hdr, 1, SIO_WS_OP_CONT, 40, NULL);
    sio_buf_append(&s, big_hdr, h);
    sio_buf_append(&s, payload, 40);
    CHECK(feed(&cfg, (unsigned char *)s.data, s.len, NULL, 0, 0, &log, NULL) == 0);
    CHECK(log.len == 212 && log.data[0] == 'I' && log.data[106] == 'T');
    sio_buf_reset(&s);
    sio_buf_reset(&log);
    h = sio_ws_write_header(big_hdr, 0, SIO_WS_OP_TEXT, 60, NULL);
    sio_buf_append(&s, big_hdr, h);
    sio_buf_append(&s, payload, 60);
    h = sio_ws_write_header(big_hdr, 1, SIO_WS_OP_CONT, 41, NULL);
    sio_buf_append(&s, big_hdr, h);  /* header only: enough to refuse */
    CHECK(feed(&cfg, (unsigned char *)s.data, s.len, NULL, 0, 0, &log, NULL) == SIO_ERR_TOO_BIG);
    CHECK(log_is(&log, "!1009", 5));
    sio_buf_free(&s);
    sio_buf_free(&log);
    group("ws reader: max_message from the header, fragments summed, controls excluded");

    /* the reassembly buffer uses the given allocator and is released */
    memset(&cnt, 0, sizeof cnt);
    memset(&a, 0, sizeof a);
    a.alloc_fn = c_alloc;
    a.realloc_fn = c_realloc;
    a.free_fn = c_free;
    a.user = &cnt;
    {
        static const unsigned char frag[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
        static const unsigned char open_frag[] = {0x02, 0x03, 1, 2, 3};
        unsigned char tmp[16];
        memset(&r, 0, sizeof r);
        r.alloc = &a;
        memcpy(tmp, frag, sizeof frag);
        rc = sio_ws_read(&r, tmp, sizeof frag, &m);
        CHECK(rc == (int)sizeof frag && m.kind == SIO_WS_TEXT && memcmp(m.data, "Hello", 5) == 0);
        CHECK(cnt.total >= 1 && cnt.live == 1);
        rc = sio_ws_read(&r, tmp, 0, &m);     /* the reassembled message is released */
        CHECK(rc == 0 && cnt.live == 0);
        memcpy(tmp, open_frag, sizeof open_frag);
        rc = sio_ws_read(&r, tmp, sizeof open_frag, &m);
        CHECK(rc == 5 && m.kind == SIO_WS_NONE && cnt.live == 1);
        sio_ws_reader_free(&r);               /* mid-message */
        CHECK(cnt.live == 0 && r.frag_opcode == 0);
        /* after free the reader works again, error state cleared */
        tmp[0] = 0xc1; tmp[1] = 0;
        CHECK(sio_ws_read(&r, tmp, 2, &m) == SIO_ERR_PROTOCOL && r.error_code == 1002);
        sio_ws_reader_free(&r);
        memcpy(tmp, frag, sizeof frag);
        CHECK(sio_ws_read(&r, tmp, 5, &m) == 5);
        CHECK(sio_ws_read(&r, tmp + 5, 4, &m) == 4 && m.kind == SIO_WS_TEXT && m.len == 5);
        sio_ws_reader_free(&r);
        CHECK(cnt.live == 0);
    }
    group("ws reader: custom allocator, reassembly freed, reader reusable after free");
}

int main(void) {
    test_sha1();
    test_base64();
    test_utf8();
    test_keys();
    test_writer();
    test_reader_rfc();
    test_reader_many();
    test_reader_errors();
    test_reader_limits();
    printf("# pass %d\n# fail %d\n", g_pass, g_fail);
    return g_fail > 0 ? 1 : 0;
}
