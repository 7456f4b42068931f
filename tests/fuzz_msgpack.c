/* libFuzzer harness for the MessagePack codec: parse; if valid, walk it,
   then msgpack -> JSON (must be valid JSON) -> msgpack (must parse) ->
   JSON again, which must reach a fixed point. Then the msgpack parser's
   packet layer on the same bytes: text form and back must agree.
   clang -g -O1 -fsanitize=fuzzer,address,undefined fuzz_msgpack.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "assertion failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)
#define MAXB 16

/* one level of iteration with every accessor; views must stay inside v */
static void walk(sio_mp v) {
    sio_mp_iter it;
    sio_mp k, val;
    size_t n = 0;
    sio_mp_iter_init(&it, v);
    while (sio_mp_iter_next(&it, &k, &val)) {
        int64_t i; uint64_t u; double d; int t; sio_str s;
        FUZZ_ASSERT(val.ptr >= v.ptr && val.ptr + val.len <= v.ptr + v.len && val.len > 0);
        sio_mp_as_int64(val, &i); sio_mp_as_uint64(val, &u); sio_mp_as_double(val, &d);
        sio_mp_as_bool(val, &t); sio_mp_as_ext(val, &t, &s);
        if (sio_mp_as_str(val, &s) == SIO_OK || sio_mp_as_bin(val, &s) == SIO_OK)
            FUZZ_ASSERT(s.ptr >= val.ptr && s.ptr + s.len <= val.ptr + val.len);
        n++;
    }
    FUZZ_ASSERT(n == sio_mp_count(v));
    sio_mp_get(v, "type", &val);
    sio_mp_at(v, n ? n - 1 : 0, &val);
}

static int mp_to_json(const char *p, size_t n, sio_buf *json, sio_str *bins, size_t *nb) {
    sio_mp v;
    FUZZ_ASSERT(sio_mp_parse(p, n, &v) == SIO_OK);
    return sio_mp_to_json(v, json, bins, MAXB, nb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sio_mp v;
    sio_buf j1, m2, j2, m3, j3;
    sio_str b1[MAXB], b2[MAXB], b3[MAXB];
    size_t n1 = 0, n2 = 0, n3 = 0;
    sio_json root;
    int rc;
    if (sio_mp_parse((const char *)data, size, &v) != SIO_OK) return 0;
    FUZZ_ASSERT(v.ptr == (const char *)data && v.len == size);
    walk(v);
    memset(&j1, 0, sizeof j1); memset(&m2, 0, sizeof m2); memset(&j2, 0, sizeof j2);
    memset(&m3, 0, sizeof m3); memset(&j3, 0, sizeof j3);
    rc = sio_mp_to_json(v, &j1, b1, MAXB, &n1);
    if (rc == SIO_OK) {
        FUZZ_ASSERT(sio_json_parse(j1.data, j1.len, &root) == SIO_OK);
        FUZZ_ASSERT(sio_mp_from_json(root, b1, n1, &m2) == SIO_OK);
        FUZZ_ASSERT(mp_to_json(m2.data, m2.len, &j2, b2, &n2) == SIO_OK);
        /* JSON text survives the trip, unless a map that only looked like a
           placeholder got turned into binary (then numbering may shift) */
        if (!memmem(j1.data, j1.len, "_placeholder", 12))
            FUZZ_ASSERT(j2.len == j1.len && memcmp(j1.data, j2.data, j1.len) == 0);
        /* after one trip everything is canonical: a fixed point */
        FUZZ_ASSERT(sio_json_parse(j2.data, j2.len, &root) == SIO_OK);
        FUZZ_ASSERT(sio_mp_from_json(root, b2, n2, &m3) == SIO_OK);
        FUZZ_ASSERT(m3.len == m2.len && memcmp(m2.data, m3.data, m2.len) == 0);
        FUZZ_ASSERT(mp_to_json(m3.data, m3.len, &j3, b3, &n3) == SIO_OK);
        FUZZ_ASSERT(j3.len == j2.len && memcmp(j2.data, j3.data, j2.len) == 0 && n3 == n2);
    } else {
        FUZZ_ASSERT(j1.len == 0);
        FUZZ_ASSERT(rc == SIO_ERR_UTF8 || rc == SIO_ERR_TOO_BIG || rc == SIO_ERR_UNSUPPORTED);
    }
    sio_buf_free(&j1); sio_buf_free(&m2); sio_buf_free(&j2); sio_buf_free(&m3); sio_buf_free(&j3);
    {   /* the msgpack parser's packets: a map read as text and binaries
           writes back to a map that reads the same */
        sio_buf t1, t2, w;
        sio_str p1[SIO_MAX_BINARIES], p2[SIO_MAX_BINARIES];
        int k1 = 0, k2 = 0, i;
        const char *why = NULL;
        memset(&t1, 0, sizeof t1); memset(&t2, 0, sizeof t2); memset(&w, 0, sizeof w);
        sio_packet pk;
        /* (the text form's own rules, e.g. an ACK needs an id, refuse some:
           the connection reads those as a parse error) */
        if (sio__mp_packet_in((const char *)data, size, &t1, p1, SIO_MAX_BINARIES, &k1, &why) == SIO_OK &&
            sio_packet_parse(t1.data, t1.len, &pk) == SIO_OK) {
            FUZZ_ASSERT(sio__mp_packet_out(t1.data, t1.len, p1, k1, &w) == SIO_OK);
            FUZZ_ASSERT(sio__mp_packet_in(w.data, w.len, &t2, p2, SIO_MAX_BINARIES, &k2, &why) == SIO_OK);
            FUZZ_ASSERT(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0 && k1 == k2);
            for (i = 0; i < k1; i++)
                FUZZ_ASSERT(p1[i].len == p2[i].len && (!p1[i].len || memcmp(p1[i].ptr, p2[i].ptr, p1[i].len) == 0));
        }
        sio_buf_free(&t1); sio_buf_free(&t2); sio_buf_free(&w);
    }
    return 0;
}
