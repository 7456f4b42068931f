/* libFuzzer harness for the HTTP request parser.
   clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz_http_request.c -o fuzz_http_request
   Besides memory safety it checks the parser's contracts: views stay in
   the input, a complete head is complete exactly at header_bytes (every
   shorter prefix is "need more"), head_ready never hides a result, and a
   chunked body after the head decodes the same whole or byte by byte. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static void must(int c) {
    if (!c) abort();
}

static int inside(const uint8_t *data, size_t size, sio_str s) {
    return s.len == 0 || ((const char *)s.ptr >= (const char *)data &&
                          (const char *)s.ptr + s.len <= (const char *)data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *buf = (const char *)data;
    sio_http_msg m, m2;
    int st = 0, st2, rc, rc2, i;
    rc = sio_http_parse_request(buf, size, &m, &st);
    if (rc < 0) {
        must(st == 400 || st == 414 || st == 431 || st == 501 || st == 505);
        return 0;
    }
    must(st == 0);
    if (rc == 0) {
        must(size < SIO_HTTP_MAX_HEADER_BYTES);
        return 0;
    }
    must((size_t)rc <= size && (size_t)rc == m.header_bytes);
    must((size_t)rc <= SIO_HTTP_MAX_HEADER_BYTES);
    must(m.header_count >= 0 && m.header_count <= SIO_HTTP_MAX_HEADERS);
    must(m.minor_version == 0 || m.minor_version == 1);
    must(inside(data, size, m.method) && inside(data, size, m.target));
    must(inside(data, size, m.path) && inside(data, size, m.query));
    must(m.path.len <= m.target.len && m.query.len <= m.target.len);
    must(m.target.len > 0 && (m.target.ptr[0] == '/' || m.target.ptr[0] == '*'));
    must(!(m.chunked && m.content_length >= 0));
    for (i = 0; i < m.header_count; i++) {
        must(inside(data, size, m.headers[i].name) && inside(data, size, m.headers[i].value));
        must(m.headers[i].name.len > 0);
    }
    /* the same head alone gives the same answer; one byte less is "need more" */
    rc2 = sio_http_parse_request(buf, (size_t)rc, &m2, &st2);
    must(rc2 == rc && m2.header_count == m.header_count);
    rc2 = sio_http_parse_request(buf, (size_t)rc - 1, &m2, &st2);
    must(rc2 == 0);
    must(sio_http_head_ready(buf, (size_t)rc, (size_t)rc - 1) == 1);
    must(sio_http_head_ready(buf, (size_t)rc, 0) == 1);

    if (m.chunked && (size_t)rc < size) {
        /* the rest as a chunked body, whole and byte by byte */
        size_t n = size - (size_t)rc, consumed, out, total = 0, k, used = 0;
        char *a = (char *)malloc(n), *b = (char *)malloc(n);
        char one;
        sio_http_chunked ca, cb;
        int ra, rb = 0;
        must(a && b);
        memcpy(a, buf + rc, n);
        memset(&ca, 0, sizeof ca);
        memset(&cb, 0, sizeof cb);
        ra = sio_http_chunked_decode(&ca, a, n, &consumed, &out);
        must(out <= consumed && consumed <= n);
        if (ra == 0) must(consumed == n);
        for (k = 0; k < n; k++) {
            size_t c1, o1;
            one = buf[(size_t)rc + k];
            rb = sio_http_chunked_decode(&cb, &one, 1, &c1, &o1);
            must(c1 <= 1 && o1 <= c1);
            if (o1) b[total++] = one;
            used += c1;
            if (rb != 0) break;
        }
        must(ra == rb);
        if (ra >= 0) {
            must(total == out && memcmp(a, b, out) == 0);
            must(used == consumed);
        }
        free(a);
        free(b);
    }
    return 0;
}
