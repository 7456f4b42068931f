/* libFuzzer harness for the WebSocket reader and the util decoders.
       clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz_ws.c -o fuzz_ws
       ./fuzz_ws -max_total_time=60 tests/fuzz/corpus/ws
   Input: byte 0 selects the role, the message cap and a chunk size; the
   rest is the byte stream. Besides memory errors it checks an oracle: the
   messages (and the final error) must not depend on how the stream is cut
   into reads, and what comes out must satisfy the reader's promises. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define FZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "fuzz_ws: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static size_t fz_max(unsigned char flags) {
    static const size_t caps[4] = {0, 1, 130, 70000};
    return caps[(flags >> 1) & 3];
}

static void fz_check_msg(const sio_ws_reader *r, const sio_ws_msg *m) {
    size_t max = r->max_message ? r->max_message : SIO_WS_MAX_MESSAGE;
    unsigned st = 0;
    switch (m->kind) {
    case SIO_WS_TEXT:
        FZ_ASSERT(sio_utf8_check(&st, (const char *)m->data, m->len) == 0 && st == 0);
        FZ_ASSERT(m->len <= max);
        break;
    case SIO_WS_BINARY: FZ_ASSERT(m->len <= max); break;
    case SIO_WS_PING: case SIO_WS_PONG: FZ_ASSERT(m->len <= 125); break;
    case SIO_WS_CLOSE:
        FZ_ASSERT(m->len <= 125 && m->len != 1);
        FZ_ASSERT(m->close_code == 1005 || (m->close_code >= 1000 && m->close_code < 5000));
        FZ_ASSERT(sio_utf8_check(&st, m->close_reason.ptr, m->close_reason.len) == 0 && st == 0);
        break;
    default: FZ_ASSERT(0);
    }
}

/* Feeds data in pieces of `step` bytes (0 = all at once) and records every
   message into log; returns the final error code (0 if none). */
static int fz_feed(unsigned char flags, const unsigned char *data, size_t n, size_t step, sio_buf *log) {
    sio_ws_reader r;
    sio_ws_msg m;
    unsigned char *in = (unsigned char *)malloc(n ? n : 1);
    size_t inlen = 0, at = 0, next;
    int rc = 0;
    FZ_ASSERT(in != NULL);
    memset(&r, 0, sizeof r);
    r.expect_masked = flags & 1;
    r.max_message = fz_max(flags);
    while (at < n && rc >= 0) {
        next = step && at + step < n ? at + step : n;
        memcpy(in + inlen, data + at, next - at);
        inlen += next - at;
        at = next;
        for (;;) {
            rc = sio_ws_read(&r, in, inlen, &m);
            if (rc < 0) {
                FZ_ASSERT(r.error_code == 1002 || r.error_code == 1007 || r.error_code == 1009);
                sio_buf_appendc(log, '!');
                sio_buf_appendu(log, (unsigned long long)r.error_code);
                break;
            }
            FZ_ASSERT((size_t)rc <= inlen);
            if (m.kind != SIO_WS_NONE) {
                fz_check_msg(&r, &m);
                sio_buf_appendc(log, (char)('0' + m.kind));
                sio_buf_appendu(log, (unsigned long long)m.close_code);
                sio_buf_appendc(log, ':');
                sio_buf_append(log, m.data, m.len);
            }
            memmove(in, in + rc, inlen - (size_t)rc);
            inlen -= (size_t)rc;
            if (rc == 0 && m.kind == SIO_WS_NONE) break;
        }
    }
    sio_ws_reader_free(&r);
    free(in);
    return rc < 0 ? rc : 0;
}

static void fz_util(const unsigned char *data, size_t n) {
    unsigned char *dec = (unsigned char *)malloc(n + 1);
    char *enc;
    size_t got = 0, elen, k;
    unsigned st1 = 0, st2 = 0;
    int r1, r2;
    unsigned char digest[20];
    FZ_ASSERT(dec != NULL);
    /* base64: whatever decodes must re-encode to the same text (the
       decoder is strict, so each byte string has one spelling) */
    if (sio_base64_decode((const char *)data, n, dec, n + 1, &got) == SIO_OK) {
        FZ_ASSERT(got <= n);
        elen = sio_base64_encoded_len(got);
        enc = (char *)malloc(elen + 1);
        FZ_ASSERT(enc != NULL);
        FZ_ASSERT(sio_base64_encode(dec, got, enc, elen + 1) == elen);
        FZ_ASSERT(elen >= n && memcmp(enc, data, n) == 0);
        for (k = n; k < elen; k++) FZ_ASSERT(enc[k] == '=');
        free(enc);
    }
    free(dec);
    /* UTF-8: a split anywhere gives the same verdict as the whole */
    k = n ? data[0] % (n + 1) : 0;
    r1 = sio_utf8_check(&st1, (const char *)data, n);
    r2 = sio_utf8_check(&st2, (const char *)data, k);
    if (r2 == 0) r2 = sio_utf8_check(&st2, (const char *)data + k, n - k);
    FZ_ASSERT(r1 == r2 && (r1 != 0 || st1 == st2));
    sio_sha1(data, n, digest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t steps[8] = {1, 2, 3, 5, 7, 13, 64, 1000};
    sio_buf a, b;
    unsigned char flags;
    int ea, eb;
    if (size < 1) return 0;
    flags = data[0];
    fz_util(data + 1, size - 1);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ea = fz_feed(flags, data + 1, size - 1, 0, &a);
    eb = fz_feed(flags, data + 1, size - 1, steps[(flags >> 3) & 7], &b);
    FZ_ASSERT(ea == eb);
    FZ_ASSERT(a.err == 0 && b.err == 0);
    FZ_ASSERT(a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0));
    sio_buf_free(&a);
    sio_buf_free(&b);
    return 0;
}
