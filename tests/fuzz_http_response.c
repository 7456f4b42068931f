/* libFuzzer harness for the HTTP response parser and the chunked decoder.
   clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz_http_response.c -o fuzz_http_response
   The input is parsed as a response head; whatever follows it (or the
   whole input, when it is not a head) is fed to the chunked decoder in
   one call and again split at a position taken from the input, and the
   two decodings must agree. Query lookup and URL decoding get the input
   too, as they see the same untrusted target bytes. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static void must(int c) {
    if (!c) abort();
}

/* Decodes in[0..n) fed as two pieces cut at `cut`; out receives the body. */
static int decode_split(const char *in, size_t n, size_t cut, char *out, size_t *out_len, size_t *used) {
    char *work = (char *)malloc(n ? n : 1);
    size_t have = 0, fed = 0, consumed, produced;
    sio_http_chunked st;
    int rc = 0, piece;
    must(work != NULL);
    memset(&st, 0, sizeof st);
    *out_len = 0;
    *used = 0;
    for (piece = 0; piece < 2; piece++) {
        size_t add = piece == 0 ? cut : n - cut;
        memcpy(work + have, in + fed, add);
        have += add;
        fed += add;
        rc = sio_http_chunked_decode(&st, work, have, &consumed, &produced);
        must(produced <= consumed && consumed <= have);
        memcpy(out + *out_len, work, produced);
        *out_len += produced;
        *used += consumed;
        memmove(work, work + consumed, have - consumed);
        have -= consumed;
        if (rc != 0) break;
        must(have == 0);
    }
    free(work);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *buf = (const char *)data;
    sio_http_msg m;
    int rc, i, ra, rb;
    size_t off = 0, n, cut, la, lb, ua, ub;
    char *a, *b;
    sio_str q, v;

    rc = sio_http_parse_response(buf, size, &m);
    must(rc == 0 || rc == SIO_ERR_PARSE || rc == SIO_ERR_TOO_BIG || rc == SIO_ERR_UNSUPPORTED || rc > 0);
    if (rc > 0) {
        must((size_t)rc <= size && (size_t)rc == m.header_bytes);
        must(m.status >= 100 && m.status <= 999);
        for (i = 0; i < m.header_count; i++)
            must(m.headers[i].name.ptr >= buf && m.headers[i].value.ptr + m.headers[i].value.len <= buf + size);
        must(sio_http_parse_response(buf, (size_t)rc - 1, &m) == 0);
        off = (size_t)rc;
    }

    n = size - off;
    cut = n ? (size_t)data[0] * 7 % (n + 1) : 0;
    a = (char *)malloc(n ? n : 1);
    b = (char *)malloc(n ? n : 1);
    must(a && b);
    ra = decode_split(buf + off, n, n, a, &la, &ua);
    rb = decode_split(buf + off, n, cut, b, &lb, &ub);
    must(ra == rb);
    if (ra >= 0) must(la == lb && memcmp(a, b, la) == 0 && ua == ub);

    /* the same bytes as a query string and as %-encoded text */
    q.ptr = buf;
    q.len = size;
    if (sio_http_query_get(q, "sid", &v)) must(v.ptr >= buf && v.ptr + v.len <= buf + size);
    {
        size_t d = sio_http_url_decode(buf, size, a, n ? n : 1, size & 1);
        size_t d2;
        char *c = (char *)malloc(size + 1);
        must(c != NULL);
        must(d <= size);
        memcpy(c, buf, size);
        d2 = sio_http_url_decode(c, size, c, size + 1, size & 1); /* in place */
        must(d2 == d && c[d2] == '\0');
        if (d < (n ? n : 1)) must(memcmp(a, c, d) == 0);
        free(c);
    }
    free(a);
    free(b);
    return 0;
}
