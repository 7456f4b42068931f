/* libFuzzer harness for the JSON parser and reader.
   Build: clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz_json.c -o fuzz_json
   Run:   ./fuzz_json -max_total_time=60 tests/fuzz/corpus/json

   Checks, beyond "no crash": a parsed text validates as a prefix too; every
   string unescapes to valid UTF-8 that str_eq accepts; rewriting the parsed
   value with the writer gives text that parses, and rewriting that again
   gives the same bytes; reader calls on arbitrary (unvalidated) views stay
   in bounds. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "assertion failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void rewrite(sio_json_writer *w, sio_json v, int depth) {
    sio_json_iter it;
    sio_json k, e;
    char num[32];
    char *buf;
    size_t n;
    FZ_ASSERT(depth <= SIO_JSON_MAX_DEPTH);
    switch (v.type) {
    case SIO_JSON_NULL: sio_json_null(w); break;
    case SIO_JSON_TRUE: sio_json_bool(w, 1); break;
    case SIO_JSON_FALSE: sio_json_bool(w, 0); break;
    case SIO_JSON_NUMBER:
        snprintf(num, sizeof num, "%lld", sio_json_integer(v));
        if (strlen(num) == v.len && memcmp(num, v.ptr, v.len) == 0) sio_json_int(w, sio_json_integer(v));
        else sio_json_num(w, sio_json_number(v));
        break;
    case SIO_JSON_STRING:
        n = sio_json_strcpy(v, NULL, 0);
        buf = (char *)malloc(n + 1);
        FZ_ASSERT(sio_json_strcpy(v, buf, n + 1) == n);
        FZ_ASSERT(sio_utf8_valid(buf, n));
        if (!memchr(buf, 0, n)) FZ_ASSERT(sio_json_str_eq(v, buf));
        if (n > 0) {   /* truncated copies are prefixes and still valid UTF-8 */
            size_t cap = n / 2 + 1;
            char *half = (char *)malloc(cap);
            FZ_ASSERT(sio_json_strcpy(v, half, cap) == n);
            FZ_ASSERT(strlen(half) < cap && memcmp(half, buf, strlen(half)) == 0);
            if (!memchr(buf, 0, n)) FZ_ASSERT(sio_utf8_valid(half, strlen(half)));
            free(half);
        }
        sio_json_str_n(w, buf, n);
        free(buf);
        break;
    case SIO_JSON_ARRAY:
    case SIO_JSON_OBJECT:
        if (v.type == SIO_JSON_ARRAY) sio_json_arr_begin(w); else sio_json_obj_begin(w);
        sio_json_iter_init(&it, v);
        n = 0;
        while (sio_json_iter_next(&it, &k, &e)) {
            if (v.type == SIO_JSON_OBJECT) {
                size_t kn = sio_json_strcpy(k, NULL, 0);
                char *kb = (char *)malloc(kn + 1);
                sio_json_strcpy(k, kb, kn + 1);
                sio_json_key_n(w, kb, kn);
                if (!memchr(kb, 0, kn)) {
                    sio_json g;
                    FZ_ASSERT(sio_json_get(v, kb, &g) == SIO_OK);
                }
                free(kb);
            } else if (n < 4) {
                sio_json a;
                FZ_ASSERT(sio_json_at(v, n, &a) == SIO_OK && a.ptr == e.ptr && a.len == e.len);
            }
            FZ_ASSERT(e.ptr > v.ptr && e.ptr + e.len < v.ptr + v.len);
            rewrite(w, e, depth + 1);
            n++;
        }
        if (n < 50) FZ_ASSERT(sio_json_count(v) == n);
        if (v.type == SIO_JSON_ARRAY) sio_json_arr_end(w); else sio_json_obj_end(w);
        break;
    default:
        FZ_ASSERT(0);
    }
}

static void poke(const char *p, size_t n, sio_json_type t) {
    sio_json v, a, b;
    sio_json_iter it;
    char buf[8];
    int k;
    v.ptr = p;
    v.len = n;
    v.type = t;
    (void)sio_json_number(v);
    (void)sio_json_integer(v);
    (void)sio_json_strcpy(v, buf, sizeof buf);
    (void)sio_json_str_eq(v, "ab");
    (void)sio_json_at(v, 2, &a);
    (void)sio_json_get(v, "a", &a);
    sio_json_iter_init(&it, v);
    for (k = 0; k < 64 && sio_json_iter_next(&it, &a, &b); k++)
        FZ_ASSERT(b.ptr >= p && b.ptr + b.len <= p + n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    const char *text = (const char *)data;
    sio_json root;
    size_t used = 0;
    int rc = sio_json_parse(text, size, &root);
    int prc = sio_json_validate_prefix(text, size, &used);
    FZ_ASSERT(used <= size);
    (void)sio_utf8_valid(text, size);
    if (rc == SIO_OK) {
        sio_buf a, b;
        sio_json_writer w;
        sio_json again;
        FZ_ASSERT(prc == SIO_OK && text + used == root.ptr + root.len);
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &a);
        rewrite(&w, root, 0);
        FZ_ASSERT(sio_json_writer_finish(&w) == SIO_OK);
        FZ_ASSERT(sio_json_parse(a.data, a.len, &again) == SIO_OK);
        sio_json_writer_init(&w, &b);
        rewrite(&w, again, 0);
        FZ_ASSERT(sio_json_writer_finish(&w) == SIO_OK);
        FZ_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        sio_buf_free(&a);
        sio_buf_free(&b);
    } else {
        FZ_ASSERT(rc == SIO_ERR_PARSE || rc == SIO_ERR_TOO_BIG);
        FZ_ASSERT(root.type == SIO_JSON_INVALID);
        if (size > 0) {
            int t;
            for (t = SIO_JSON_NULL; t <= SIO_JSON_OBJECT; t++) poke(text, size, (sio_json_type)t);
        }
    }
    return 0;
}
