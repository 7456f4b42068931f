/* Tests of the JSON layer: UTF-8 check, writer, parser, reader.
   Build: cc -std=c99 -Wall -Wextra -Wpedantic -Werror tests/test_json.c */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_pass, n_fail, group_fail;

#define CHECK(c) do { if (!(c)) { group_fail++; \
    fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void group(const char *name, void (*fn)(void)) {
    group_fail = 0;
    fn();
    if (group_fail) printf("not ok %d - json: %s\n", n_pass + n_fail + 1, name), n_fail++;
    else printf("ok %d - json: %s\n", n_pass + n_fail + 1, name), n_pass++;
}

/* Exact-length heap copy, so ASan flags any read past n. */
static char *dup_n(const char *s, size_t n) {
    char *p = (char *)malloc(n ? n : 1);
    if (n) memcpy(p, s, n);
    return p;
}

static int parse_n(const char *s, size_t n, sio_json *v) {
    char *p = dup_n(s, n);
    int rc = sio_json_parse(p, n, v);
    free(p);
    if (v) v->ptr = NULL;   /* the copy is gone */
    return rc;
}

/* ------------------------------------------------------------------ */

static void t_utf8(void) {
    static const char *good[] = {
        "", "abc", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
        "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x80\xa8"
    };
    static const char *bad[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xe0\x80\x80",
        "\xe0\x9f\xbf", "\xe1\x80", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe",
        "\xf0\x9f\x98", "a\xe2\x82", "\xe2\x28\xa1", "\xf8\x88\x80\x80\x80"
    };
    size_t i;
    for (i = 0; i < sizeof good / sizeof *good; i++) {
        char *p = dup_n(good[i], strlen(good[i]));
        CHECK(sio_utf8_valid(p, strlen(good[i])) == 1);
        free(p);
    }
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *p = dup_n(bad[i], strlen(bad[i]));
        CHECK(sio_utf8_valid(p, strlen(bad[i])) == 0);
        free(p);
    }
    CHECK(sio_utf8_valid("a\0b", 3) == 1);
    CHECK(sio_utf8_valid(NULL, 0) == 1);
}

/* ------------------------------------------------------------------ */

static int wr_eq(sio_buf *b, const char *want) {
    int ok = b->len == strlen(want) && memcmp(b->data, want, b->len) == 0;
    if (!ok) fprintf(stderr, "  got  %.*s\n  want %s\n", (int)b->len, b->data ? b->data : "", want);
    return ok;
}

static void t_writer_basic(void) {
    sio_buf b;
    sio_json_writer w;
    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    sio_json_arr_begin(&w);
    sio_json_str(&w, "chat");
    sio_json_obj_begin(&w);
    sio_json_key(&w, "from");
    sio_json_str(&w, "ann");
    sio_json_key(&w, "n");
    sio_json_int(&w, -42);
    sio_json_key(&w, "ok");
    sio_json_bool(&w, 1);
    sio_json_key(&w, "no");
    sio_json_bool(&w, 0);
    sio_json_key(&w, "nil");
    sio_json_null(&w);
    sio_json_key(&w, "empty");
    sio_json_obj_begin(&w);
    sio_json_obj_end(&w);
    sio_json_key_n(&w, "list!", 4);
    sio_json_arr_begin(&w);
    sio_json_arr_begin(&w);
    sio_json_arr_end(&w);
    sio_json_num(&w, 1.5);
    sio_json_raw(&w, "{\"x\":[1]}", 9);
    sio_json_arr_end(&w);
    sio_json_obj_end(&w);
    sio_json_str_n(&w, "abc", 2);
    sio_json_arr_end(&w);
    CHECK(sio_json_writer_finish(&w) == SIO_OK);
    CHECK(wr_eq(&b, "[\"chat\",{\"from\":\"ann\",\"n\":-42,\"ok\":true,\"no\":false,\"nil\":null,"
                    "\"empty\":{},\"list\":[[],1.5,{\"x\":[1]}]},\"ab\"]"));
    sio_buf_free(&b);

    /* a bare scalar is a complete document */
    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    sio_json_str(&w, "");
    CHECK(sio_json_writer_finish(&w) == SIO_OK);
    CHECK(wr_eq(&b, "\"\""));
    sio_buf_free(&b);
}

static void t_writer_int(void) {
    static const struct { long long v; const char *s; } t[] = {
        {0, "0"}, {1, "1"}, {-1, "-1"}, {1234567890123LL, "1234567890123"},
        {9223372036854775807LL, "9223372036854775807"},
        {-9223372036854775807LL - 1, "-9223372036854775808"},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof *t; i++) {
        sio_buf b;
        sio_json_writer w;
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        sio_json_int(&w, t[i].v);
        CHECK(sio_json_writer_finish(&w) == SIO_OK);
        CHECK(wr_eq(&b, t[i].s));
        sio_buf_free(&b);
    }
}

static void t_writer_escape(void) {
    sio_buf b;
    sio_json_writer w;
    char all[32];
    int i;
    for (i = 0; i < 32; i++) all[i] = (char)i;
    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    sio_json_arr_begin(&w);
    sio_json_str_n(&w, all, 32);
    sio_json_str(&w, "q\"b\\s/ \x7f \xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x98\x80");
    sio_json_arr_end(&w);
    CHECK(sio_json_writer_finish(&w) == SIO_OK);
    /* exactly what JSON.stringify gives: short escapes where they exist,
       lowercase \u00XX otherwise, '/' DEL U+2028 and the rest raw */
    CHECK(wr_eq(&b, "[\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
                    "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
                    "\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\","
                    "\"q\\\"b\\\\s/ \x7f \xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x98\x80\"]"));
    sio_buf_free(&b);

    /* keys are escaped the same way */
    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    sio_json_obj_begin(&w);
    sio_json_key(&w, "a\"\n");
    sio_json_int(&w, 1);
    sio_json_obj_end(&w);
    CHECK(sio_json_writer_finish(&w) == SIO_OK);
    CHECK(wr_eq(&b, "{\"a\\\"\\n\":1}"));
    sio_buf_free(&b);
}

static void t_writer_utf8(void) {
    static const char *bad[] = { "\xff", "\xed\xa0\x80" /* U+D800 */, "a\xc3", "\xc0\xaf" };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        sio_buf b;
        sio_json_writer w;
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        sio_json_arr_begin(&w);
        sio_json_str(&w, bad[i]);
        sio_json_arr_end(&w);
        CHECK(w.err == SIO_ERR_UTF8);
        CHECK(sio_json_writer_finish(&w) == SIO_ERR_UTF8);
        sio_buf_free(&b);

        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        sio_json_obj_begin(&w);
        sio_json_key(&w, bad[i]);
        CHECK(sio_json_writer_finish(&w) == SIO_ERR_UTF8);
        sio_buf_free(&b);
    }
}

typedef void (*misuse_fn)(sio_json_writer *w);
static void mu_val_no_key(sio_json_writer *w) { sio_json_obj_begin(w); sio_json_int(w, 1); sio_json_obj_end(w); }
static void mu_key_in_arr(sio_json_writer *w) { sio_json_arr_begin(w); sio_json_key(w, "a"); sio_json_int(w, 1); sio_json_arr_end(w); }
static void mu_key_top(sio_json_writer *w) { sio_json_key(w, "a"); sio_json_int(w, 1); }
static void mu_two_keys(sio_json_writer *w) { sio_json_obj_begin(w); sio_json_key(w, "a"); sio_json_key(w, "b"); sio_json_int(w, 1); sio_json_obj_end(w); }
static void mu_key_end(sio_json_writer *w) { sio_json_obj_begin(w); sio_json_key(w, "a"); sio_json_obj_end(w); }
static void mu_mismatch(sio_json_writer *w) { sio_json_obj_begin(w); sio_json_arr_end(w); }
static void mu_mismatch2(sio_json_writer *w) { sio_json_arr_begin(w); sio_json_obj_end(w); }
static void mu_end_top(sio_json_writer *w) { sio_json_arr_end(w); }
static void mu_two_top(sio_json_writer *w) { sio_json_int(w, 1); sio_json_int(w, 2); }
static void mu_open(sio_json_writer *w) { sio_json_arr_begin(w); sio_json_int(w, 1); }
static void mu_nothing(sio_json_writer *w) { (void)w; }
static void mu_after_err(sio_json_writer *w) { sio_json_arr_end(w); sio_json_arr_begin(w); sio_json_arr_end(w); }

static void t_writer_misuse(void) {
    static const misuse_fn fns[] = { mu_val_no_key, mu_key_in_arr, mu_key_top, mu_two_keys, mu_key_end,
                                     mu_mismatch, mu_mismatch2, mu_end_top, mu_two_top, mu_open,
                                     mu_nothing, mu_after_err };
    size_t i;
    for (i = 0; i < sizeof fns / sizeof *fns; i++) {
        sio_buf b;
        sio_json_writer w;
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        fns[i](&w);
        CHECK(sio_json_writer_finish(&w) == SIO_ERR_STATE);
        sio_buf_free(&b);
    }
    {   /* NULL strings are refused, not crashed on */
        sio_buf b;
        sio_json_writer w;
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        sio_json_str(&w, NULL);
        CHECK(sio_json_writer_finish(&w) == SIO_ERR_INVALID);
        sio_buf_free(&b);
    }
}

static void t_writer_depth(void) {
    sio_buf b;
    sio_json_writer w;
    int i;
    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    for (i = 0; i < SIO_JSON_MAX_DEPTH; i++) sio_json_arr_begin(&w);
    for (i = 0; i < SIO_JSON_MAX_DEPTH; i++) sio_json_arr_end(&w);
    CHECK(sio_json_writer_finish(&w) == SIO_OK);
    CHECK(sio_json_parse(b.data, b.len, NULL) == SIO_OK);
    sio_buf_free(&b);

    memset(&b, 0, sizeof b);
    sio_json_writer_init(&w, &b);
    for (i = 0; i < SIO_JSON_MAX_DEPTH + 1; i++) sio_json_obj_begin(&w), sio_json_key(&w, "k");
    CHECK(w.err == SIO_ERR_TOO_BIG);
    CHECK(sio_json_writer_finish(&w) == SIO_ERR_TOO_BIG);
    sio_buf_free(&b);
}

static void t_writer_bufmax(void) {
    sio_buf b;
    sio_json_writer w;
    int i;
    memset(&b, 0, sizeof b);
    b.max = 16;
    sio_json_writer_init(&w, &b);
    sio_json_arr_begin(&w);
    for (i = 0; i < 10; i++) sio_json_str(&w, "abcd");
    sio_json_arr_end(&w);
    CHECK(sio_json_writer_finish(&w) == SIO_ERR_TOO_BIG);
    CHECK(b.len <= 16);
    sio_buf_free(&b);
}

static const char *num_text(double v, sio_buf *b) {
    sio_json_writer w;
    b->len = 0;
    b->err = 0;
    sio_json_writer_init(&w, b);
    sio_json_num(&w, v);
    sio_buf_appendc(b, '\0');
    return sio_json_writer_finish(&w) == SIO_OK ? b->data : "(error)";
}

static void t_writer_num(void) {
    /* expected strings are what node prints for String(x) / JSON.stringify(x) */
    static const struct { double v; const char *s; } t[] = {
        {0.0, "0"}, {-0.0, "0"}, {1, "1"}, {-1, "-1"}, {0.5, "0.5"}, {-0.5, "-0.5"},
        {0.1, "0.1"}, {0.30000000000000004, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"},
        {2.0 / 3, "0.6666666666666666"}, {100, "100"}, {123.456, "123.456"}, {4.35, "4.35"},
        {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1.5e21, "1.5e+21"},
        {123456789012345680000.0, "123456789012345680000"},
        {9007199254740992.0, "9007199254740992"}, {9007199254740993.0, "9007199254740992"},
        {1e-6, "0.000001"}, {1.2e-5, "0.000012"}, {1e-7, "1e-7"}, {1.5e-7, "1.5e-7"},
        {-1e-7, "-1e-7"}, {123e-20, "1.23e-18"}, {1e100, "1e+100"},
        {5e-324, "5e-324"}, {-5e-324, "-5e-324"}, {1e-323, "1e-323"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {2.225073858507201e-308, "2.225073858507201e-308"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-7, "5e-7"}, {0.000001234, "0.000001234"}, {1234.5678, "1234.5678"},
        {4294967296.0, "4294967296"}, {0.1e-5, "0.000001"}, {1e7, "10000000"},
    };
    sio_buf b;
    size_t i;
    volatile double zero = 0.0;
    memset(&b, 0, sizeof b);
    for (i = 0; i < sizeof t / sizeof *t; i++) {
        const char *got = num_text(t[i].v, &b);
        if (strcmp(got, t[i].s) != 0) {
            fprintf(stderr, "  num %.17g: got %s want %s\n", t[i].v, got, t[i].s);
            CHECK(0);
        }
    }
    CHECK(strcmp(num_text(zero / zero, &b), "null") == 0);
    CHECK(strcmp(num_text(1.0 / zero, &b), "null") == 0);
    CHECK(strcmp(num_text(-1.0 / zero, &b), "null") == 0);
    sio_buf_free(&b);
}

/* Deterministic xorshift so every run tests the same values. */
static unsigned long long rng_state = 88172645463325252ULL;
static unsigned long long rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void t_num_roundtrip(void) {
    sio_buf b;
    int i, bad = 0;
    memset(&b, 0, sizeof b);
    for (i = 0; i < 200000; i++) {
        unsigned long long bits = rng();
        double v, back;
        const char *txt;
        sio_json j;
        size_t len;
        if (i % 4 == 1) bits &= 0x800FFFFFFFFFFFFFULL;              /* subnormals */
        if (i % 4 == 2) bits = (bits & 0x800FFFFFFFFFFFFFULL) | (0x3FFULL << 52); /* [1,2) */
        memcpy(&v, &bits, sizeof v);
        if (i % 4 == 3) v = (double)(long long)(bits % 2000001) / 1000.0;  /* short decimals */
        txt = num_text(v, &b);
        len = strlen(txt);
        if (!(v == v) || v - v != 0) { if (strcmp(txt, "null") != 0) bad++; continue; }
        if (sio_json_parse(txt, len, &j) != SIO_OK || j.type != SIO_JSON_NUMBER) { bad++; continue; }
        back = sio_json_number(j);
        if (back != v) {
            if (bad < 5) fprintf(stderr, "  roundtrip %.17g -> %s -> %.17g\n", v, txt, back);
            bad++;
        }
        if (i % 4 == 3) {   /* k/1000 never needs more digits than its decimal form */
            char want[64];
            snprintf(want, sizeof want, "%.3f", v);
            while (strchr(want, '.') && (want[strlen(want) - 1] == '0' || want[strlen(want) - 1] == '.')) {
                int dot = want[strlen(want) - 1] == '.';
                want[strlen(want) - 1] = '\0';
                if (dot) break;
            }
            if (strcmp(want, "-0") == 0) strcpy(want, "0");
            if (strcmp(want, txt) != 0) {
                if (bad < 5) fprintf(stderr, "  short %s want %s\n", txt, want);
                bad++;
            }
        }
    }
    CHECK(bad == 0);
    sio_buf_free(&b);
}

/* ------------------------------------------------------------------ */

static void t_parse_valid(void) {
    static const struct { const char *s; sio_json_type t; size_t off, len; } t[] = {
        {"0", SIO_JSON_NUMBER, 0, 1}, {"-0", SIO_JSON_NUMBER, 0, 2}, {"-0.0e-0", SIO_JSON_NUMBER, 0, 7},
        {"123", SIO_JSON_NUMBER, 0, 3}, {"1.5E+10", SIO_JSON_NUMBER, 0, 7}, {"1e5", SIO_JSON_NUMBER, 0, 3},
        {" \t\r\n1 \t\r\n", SIO_JSON_NUMBER, 4, 1}, {"true", SIO_JSON_TRUE, 0, 4},
        {"false", SIO_JSON_FALSE, 0, 5}, {"null", SIO_JSON_NULL, 0, 4}, {"\"\"", SIO_JSON_STRING, 0, 2},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\uFFFF\\ud83d\\ude00\"", SIO_JSON_STRING, 0, 42},
        {"\"\xc3\xa9\xe2\x80\xa8\xf4\x8f\xbf\xbf\x7f\"", SIO_JSON_STRING, 0, 12},
        {"[]", SIO_JSON_ARRAY, 0, 2}, {"[ ]", SIO_JSON_ARRAY, 0, 3}, {"{}", SIO_JSON_OBJECT, 0, 2},
        {" { \"a\" : [ 1 , { } , [ ] , \"x\" ] , \"a\" : null } ", SIO_JSON_OBJECT, 1, 46},
        {"[1,-2.5,3e-7,true,false,null,\"s\",[[]],{\"k\":{}}]", SIO_JSON_ARRAY, 0, 47},
        {"123456789012345678901234567890e999999999999", SIO_JSON_NUMBER, 0, 43},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof *t; i++) {
        size_t n = strlen(t[i].s);
        char *p = dup_n(t[i].s, n);
        sio_json v;
        int rc = sio_json_parse(p, n, &v);
        if (rc != SIO_OK) fprintf(stderr, "  should parse: %s\n", t[i].s);
        CHECK(rc == SIO_OK);
        CHECK(v.type == t[i].t);
        CHECK(v.ptr == p + t[i].off);
        CHECK(v.len == t[i].len);
        free(p);
    }
}

static void t_parse_invalid(void) {
    static const char *bad[] = {
        "", " ", "\n", "01", "-01", "00", "-", "--1", "+1", "1.", ".5", "-.5", "1.e5", "1e", "1e+", "1E-",
        "0x10", "1_000", "NaN", "Infinity", "-Infinity", "1 2", "tru", "nul", "fals", "True", "NULL",
        "truee", "nulll", "'a'", "\"abc", "\"", "\"\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\U0041\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"", "\"\\ud800x\"",
        "\"\\ud800\\\"", "\"\\udbff\"", "\"a\tb\"", "\"a\nb\"", "\"\x1f\"",
        "\"\xff\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
        "[", "]", "{", "}", "[1", "[1,", "[1,]", "[,1]", "[1,,2]", "[1 2]", "[1]]", "[1]x", "[1}",
        "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}", "{1:2}", "{a:1}", "{'a':1}",
        "{\"a\":1 \"b\":2}", "{\"a\":1}}", "{\"a\",1}", "{\"a\":1]", "[\"a\":1]",
        "\xef\xbb\xbf[]", "/*c*/1", "[1]//", "\v1", "\f1",
    };
    size_t i;
    /* "" literal entries with embedded NUL need explicit lengths */
    CHECK(parse_n("\x00", 1, NULL) == SIO_ERR_PARSE);
    CHECK(parse_n("1\x00", 2, NULL) == SIO_ERR_PARSE);
    CHECK(parse_n("\"a\x00\"", 4, NULL) == SIO_ERR_PARSE);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        sio_json v;
        int rc = parse_n(bad[i], strlen(bad[i]), &v);
        if (rc != SIO_ERR_PARSE) fprintf(stderr, "  should fail: %s (rc %d)\n", bad[i], rc);
        CHECK(rc == SIO_ERR_PARSE);
        CHECK(v.type == SIO_JSON_INVALID);
    }
    CHECK(sio_json_parse(NULL, 5, NULL) == SIO_ERR_PARSE);
}

static void t_parse_depth(void) {
    char *s = (char *)malloc(20000);
    int i;
    size_t n;
    /* exactly the limit is fine */
    for (i = 0; i < SIO_JSON_MAX_DEPTH; i++) s[i] = '[', s[SIO_JSON_MAX_DEPTH * 2 - 1 - i] = ']';
    CHECK(parse_n(s, SIO_JSON_MAX_DEPTH * 2, NULL) == SIO_OK);
    /* one more is not */
    for (i = 0; i <= SIO_JSON_MAX_DEPTH; i++) s[i] = '[', s[SIO_JSON_MAX_DEPTH * 2 + 1 - i] = ']';
    CHECK(parse_n(s, SIO_JSON_MAX_DEPTH * 2 + 2, NULL) == SIO_ERR_TOO_BIG);
    /* mixed objects and arrays count alike */
    n = 0;
    for (i = 0; i <= SIO_JSON_MAX_DEPTH; i++) {
        if (i % 2) { memcpy(s + n, "{\"k\":", 5); n += 5; } else s[n++] = '[';
    }
    s[n++] = '1';
    for (i = SIO_JSON_MAX_DEPTH; i >= 0; i--) s[n++] = (i % 2) ? '}' : ']';
    CHECK(parse_n(s, n, NULL) == SIO_ERR_TOO_BIG);
    /* hostile nesting ends at the limit, without recursion */
    memset(s, '[', 10000);
    CHECK(parse_n(s, 10000, NULL) == SIO_ERR_TOO_BIG);
    memset(s, '{', 10000);
    CHECK(parse_n(s, 10000, NULL) == SIO_ERR_PARSE);   /* '{' needs a key, not '{' */
    for (i = 0; i < 5000; i++) memcpy(s + 4 * i, "{\"\":", 4);
    CHECK(parse_n(s, 20000, NULL) == SIO_ERR_TOO_BIG);
    free(s);
}

/* Every proper prefix of a document that ends with a bracket is invalid;
   checking them all finds any place where the parser reads past n. */
static void t_parse_truncated(void) {
    static const char *docs[] = {
        "[\"ev\",{\"a\":[1,-2.5e+3,true,false,null],\"b\\u00e9\\ud83d\\ude00\":\"x\\n\\\"y\","
        "\"\xc3\xa9\xf0\x9f\x98\x80\":{}},[],0,-0.5,1E9,\"\"]",
        "{\"k\":\"\\u0041\\\\\",\"n\":[[[[1]]]],\"t\":true}",
    };
    size_t d, k;
    for (d = 0; d < sizeof docs / sizeof *docs; d++) {
        size_t n = strlen(docs[d]);
        CHECK(parse_n(docs[d], n, NULL) == SIO_OK);
        for (k = 0; k < n; k++) {
            char *p = dup_n(docs[d], k);
            size_t used = 12345;
            CHECK(sio_json_parse(p, k, NULL) == SIO_ERR_PARSE);
            CHECK(sio_json_validate_prefix(p, k, &used) == SIO_ERR_PARSE);
            CHECK(used <= k);
            free(p);
        }
    }
}

static void t_validate_prefix(void) {
    size_t used;
    CHECK(sio_json_validate_prefix("[\"a\"]xyz", 8, &used) == SIO_OK && used == 5);
    CHECK(sio_json_validate_prefix("  {\"a\":1}  rest", 15, &used) == SIO_OK && used == 9);
    CHECK(sio_json_validate_prefix("123abc", 6, &used) == SIO_OK && used == 3);
    CHECK(sio_json_validate_prefix("\"s\"\"t\"", 6, &used) == SIO_OK && used == 3);
    CHECK(sio_json_validate_prefix("truex", 5, &used) == SIO_OK && used == 4);
    CHECK(sio_json_validate_prefix("[1,x]", 5, &used) == SIO_ERR_PARSE && used == 3);
    CHECK(sio_json_validate_prefix("", 0, &used) == SIO_ERR_PARSE && used == 0);
    CHECK(sio_json_validate_prefix("[]", 2, NULL) == SIO_OK);
    CHECK(sio_json_validate_prefix("abc", 3, &used) == SIO_ERR_PARSE);
}

/* ------------------------------------------------------------------ */

static void t_reader_walk(void) {
    static const char txt[] =
        " {\"name\":\"ann\",\"list\":[1, [2,3] ,{\"x\":\"y\"},\"s\"],\"e\\u0073c\":true,"
        "\"name\":\"dup\",\"\":0,\"obj\":{},\"arr\":[ ]} ";
    sio_json root, v, k, e;
    sio_json_iter it;
    char buf[32];
    size_t n = 0;
    CHECK(sio_json_parse(txt, sizeof txt - 1, &root) == SIO_OK);
    CHECK(root.type == SIO_JSON_OBJECT);
    CHECK(sio_json_count(root) == 7);
    CHECK(sio_json_get(root, "name", &v) == SIO_OK && sio_json_str_eq(v, "ann"));  /* first match */
    CHECK(sio_json_get(root, "esc", &v) == SIO_OK && sio_json_is_true(v));          /* unescaped key */
    CHECK(sio_json_get(root, "e\\u0073c", &v) == SIO_ERR_NOT_FOUND);
    CHECK(sio_json_get(root, "", &v) == SIO_OK && v.type == SIO_JSON_NUMBER && sio_json_integer(v) == 0);
    CHECK(sio_json_get(root, "nope", &v) == SIO_ERR_NOT_FOUND);
    CHECK(sio_json_get(root, "nam", &v) == SIO_ERR_NOT_FOUND);
    CHECK(sio_json_get(root, "obj", &v) == SIO_OK && v.type == SIO_JSON_OBJECT && sio_json_count(v) == 0);
    CHECK(sio_json_get(root, "arr", &v) == SIO_OK && v.len == 3 && sio_json_count(v) == 0);
    CHECK(sio_json_at(v, 0, &e) == SIO_ERR_NOT_FOUND);
    CHECK(sio_json_at(root, 0, &e) == SIO_ERR_NOT_FOUND);    /* not an array */
    CHECK(sio_json_get(root, "list", &v) == SIO_OK && v.type == SIO_JSON_ARRAY);
    CHECK(sio_json_count(v) == 4);
    CHECK(sio_json_get(v, "x", &e) == SIO_ERR_NOT_FOUND);    /* not an object */
    CHECK(sio_json_at(v, 0, &e) == SIO_OK && e.len == 1 && sio_json_integer(e) == 1);
    CHECK(sio_json_at(v, 1, &e) == SIO_OK && e.type == SIO_JSON_ARRAY && e.len == 5 && sio_json_count(e) == 2);
    CHECK(sio_json_at(v, 2, &e) == SIO_OK && e.type == SIO_JSON_OBJECT && sio_json_get(e, "x", &k) == SIO_OK &&
          sio_json_str_eq(k, "y"));
    CHECK(sio_json_at(v, 3, &e) == SIO_OK && e.len == 3 && sio_json_str_eq(e, "s"));
    CHECK(sio_json_at(v, 4, &e) == SIO_ERR_NOT_FOUND);
    CHECK(sio_json_count(e) == 0);                            /* a string has no items */

    sio_json_iter_init(&it, root);
    while (sio_json_iter_next(&it, &k, &v)) {
        CHECK(k.type == SIO_JSON_STRING);
        if (n == 2) {
            CHECK(sio_json_strcpy(k, buf, sizeof buf) == 3 && strcmp(buf, "esc") == 0);
            CHECK(sio_json_raw_str(k).len == 8);
        }
        n++;
    }
    CHECK(n == 7);
    CHECK(sio_json_iter_next(&it, &k, &v) == 0);   /* stays finished */

    CHECK(sio_json_get(root, "list", &v) == SIO_OK);
    sio_json_iter_init(&it, v);
    n = 0;
    while (sio_json_iter_next(&it, &k, NULL)) { CHECK(k.type == SIO_JSON_INVALID); n++; }
    CHECK(n == 4);

    /* scalars: iteration yields nothing */
    CHECK(sio_json_parse("5", 1, &root) == SIO_OK);
    sio_json_iter_init(&it, root);
    CHECK(sio_json_iter_next(&it, &k, &v) == 0);
}

static void t_reader_strings(void) {
    sio_json v;
    char buf[64];
    sio_str r;
    static const char s1[] = "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"";
    static const char want1[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    CHECK(sio_json_parse(s1, sizeof s1 - 1, &v) == SIO_OK);
    CHECK(sio_json_strcpy(v, buf, sizeof buf) == sizeof want1 - 1);
    CHECK(strcmp(buf, want1) == 0);
    CHECK(sio_json_str_eq(v, want1));
    CHECK(!sio_json_str_eq(v, "a\"b"));
    CHECK(sio_json_strcpy(v, NULL, 0) == sizeof want1 - 1);

    /* truncation keeps whole UTF-8 sequences: "é€" is 2 + 3 bytes */
    CHECK(sio_json_parse("\"\\u00e9\xe2\x82\xac\"", 11, &v) == SIO_OK);
    memset(buf, 'X', sizeof buf);
    CHECK(sio_json_strcpy(v, buf, 3) == 5 && strcmp(buf, "\xc3\xa9") == 0);
    CHECK(sio_json_strcpy(v, buf, 5) == 5 && strcmp(buf, "\xc3\xa9") == 0);
    CHECK(sio_json_strcpy(v, buf, 6) == 5 && strcmp(buf, "\xc3\xa9\xe2\x82\xac") == 0);
    CHECK(sio_json_strcpy(v, buf, 2) == 5 && buf[0] == '\0');
    memset(buf, 'X', sizeof buf);
    CHECK(sio_json_strcpy(v, buf, 1) == 5 && buf[0] == '\0' && buf[1] == 'X');
    CHECK(sio_json_str_eq(v, "\xc3\xa9\xe2\x82\xac"));
    CHECK(!sio_json_str_eq(v, "\xc3\xa9"));
    CHECK(!sio_json_str_eq(v, "\xc3\xa9\xe2\x82\xac!"));

    /* \u0000 is a real NUL: counted, copied, and never equal to a C string */
    CHECK(sio_json_parse("\"a\\u0000b\"", 10, &v) == SIO_OK);
    CHECK(sio_json_strcpy(v, buf, sizeof buf) == 3 && memcmp(buf, "a\0b", 4) == 0);
    CHECK(!sio_json_str_eq(v, "a"));
    CHECK(!sio_json_str_eq(v, "ab"));

    CHECK(sio_json_parse("\"plain\"", 7, &v) == SIO_OK);
    r = sio_json_raw_str(v);
    CHECK(r.len == 5 && memcmp(r.ptr, "plain", 5) == 0);
    CHECK(sio_json_str_eq(v, "plain") && !sio_json_str_eq(v, "plai") && !sio_json_str_eq(v, ""));
    CHECK(sio_json_parse("\"\"", 2, &v) == SIO_OK && sio_json_str_eq(v, ""));
    CHECK(sio_json_strcpy(v, buf, sizeof buf) == 0 && buf[0] == '\0');

    /* not a string */
    CHECK(sio_json_parse("[\"a\"]", 5, &v) == SIO_OK);
    strcpy(buf, "junk");
    CHECK(sio_json_strcpy(v, buf, sizeof buf) == 0 && buf[0] == '\0');
    CHECK(!sio_json_str_eq(v, "a"));
    CHECK(sio_json_raw_str(v).ptr == NULL && sio_json_raw_str(v).len == 0);
}

static void t_reader_numbers(void) {
    static const struct { const char *s; double d; long long i; } t[] = {
        {"0", 0, 0}, {"1", 1, 1}, {"-1", -1, -1}, {"1.5", 1.5, 1}, {"-1.9", -1.9, -1}, {"2.5e1", 25, 25},
        {"1e3", 1000, 1000}, {"1E-3", 0.001, 0}, {"-12.5e3", -12500, -12500}, {"0.1", 0.1, 0},
        {"0.30000000000000004", 0.30000000000000004, 0}, {"1e-7", 1e-7, 0},
        {"0.1000000000000000055511151231257827", 0.1, 0}, {"5e-324", 5e-324, 0},
        {"1.7976931348623157e308", 1.7976931348623157e308, 9223372036854775807LL},
        {"1e-400", 0, 0}, {"0.000001234", 0.000001234, 0}, {"123456.789e-3", 123.456789, 123},
        {"9007199254740993", 9007199254740992.0, 9007199254740993LL},
        {"9223372036854775807", 9223372036854775807.0, 9223372036854775807LL},
        {"9223372036854775808", 9223372036854775808.0, 9223372036854775807LL},
        {"-9223372036854775808", -9223372036854775808.0, -9223372036854775807LL - 1},
        {"-9223372036854775809", -9223372036854775808.0, -9223372036854775807LL - 1},
        {"99999999999999999999999", 1e23, 9223372036854775807LL},
        {"1e30", 1e30, 9223372036854775807LL}, {"-1e30", -1e30, -9223372036854775807LL - 1},
        {"1e-99999999999999999999", 0, 0}, {"0e99999999999", 0, 0},
        {"2.2250738585072011e-308", 2.2250738585072011e-308, 0},
        {"0.0000000000000000000000000000000000000001", 1e-40, 0},
        {"100000000000000000000000000000000000000000e-40", 10, 10},
    };
    size_t i;
    sio_json v;
    for (i = 0; i < sizeof t / sizeof *t; i++) {
        size_t n = strlen(t[i].s);
        char *p = dup_n(t[i].s, n);
        CHECK(sio_json_parse(p, n, &v) == SIO_OK);
        if (sio_json_number(v) != t[i].d || sio_json_integer(v) != t[i].i) {
            fprintf(stderr, "  %s -> %.17g %lld\n", t[i].s, sio_json_number(v), sio_json_integer(v));
            CHECK(0);
        }
        free(p);
    }
    /* -0 keeps its sign (JSON.parse("-0") is -0) */
    CHECK(sio_json_parse("-0", 2, &v) == SIO_OK && 1.0 / sio_json_number(v) < 0);
    CHECK(sio_json_parse("-0.000", 6, &v) == SIO_OK && 1.0 / sio_json_number(v) < 0);
    CHECK(sio_json_parse("1e400", 5, &v) == SIO_OK && sio_json_number(v) > 1.7976931348623157e308);
    CHECK(sio_json_integer(v) == 9223372036854775807LL);
    /* not a number */
    CHECK(sio_json_parse("\"1\"", 3, &v) == SIO_OK && sio_json_number(v) == 0 && sio_json_integer(v) == 0);
    {   /* more digits than the internal buffer: still correctly rounded */
        char big[2100];
        size_t n;
        memset(big, '0', sizeof big);
        big[0] = '1';
        n = 1000;                                   /* 1 followed by 999 zeros ... */
        memcpy(big + n, "e-999", 5);
        n += 5;
        CHECK(sio_json_parse(big, n, &v) == SIO_OK && sio_json_number(v) == 1.0);
        /* half the smallest subnormal plus a 1 two thousand digits out:
           the sticky digit must push the rounding up to 5e-324 */
        {   /* 2^-1075 exactly, 752 significant digits */
            static const char half[] =
            "2."
            "47032822920623272088284396434110686182529901307162382212792841250337753635104375"
            "93264991818081799618989828234772285886546332835517796989819938739800539093906315"
            "03565951557022639229085839244910518443593180284993653615250031937045767824921936"
            "56236698636584807570015857692699037063119282795585513329278343384093519780155312"
            "46597263579574622766465272827220056374006485499977096599470454020828166226237857"
            "39345073633900796776193057750674017632467360096895134053553745851666113422376667"
            "86041621596804619144672918403005300575308490487653917113865916462395249126236538"
            "81879636239373280423891018672348497668235089863388587925628302755995657524455507"
            "25518931369083625477918694866799496832404970582102851318545139621383772282614543"
            "7693412532098591327667236328125";
            size_t hl = sizeof half - 1;
            memcpy(big, half, hl);
            memset(big + hl, '0', 1200);
            big[hl + 1199] = '1';
            memcpy(big + hl + 1200, "e-324", 5);
            n = hl + 1205;
        }
        CHECK(sio_json_parse(big, n, &v) == SIO_OK);
        {
            /* through memory: on x87 the literal alone may stay extended */
            volatile double tiny = 5e-324;
            CHECK(sio_json_number(v) == tiny);
        }
        big[n - 6] = '0';
        CHECK(sio_json_parse(big, n, &v) == SIO_OK);
        CHECK(sio_json_number(v) == 0.0);           /* exact halfway: ties to even */
    }
}

/* Reader functions on views that did not come from the parser must stay
   inside [ptr, ptr+len) and terminate. */
static void t_reader_garbage(void) {
    static const char *txt[] = {
        "[1,2", "{\"a\"", "{\"a\":", "[\"abc", "[,,,]", "{:}", "[}", "\"\\", "\"\\u12", "\"\\ud800\"",
        "\"\\ud800\\u\"", "\"\\udc00\"", "\"\xff\xc3\"", "{\"a\" 1}", "[[[[", "]]]", "[\"\\\"]",
        "{\"\\", "-", "--", "", "[", "{", "t", "[tru", "[\"x\":1]", "{\"a\":1,\"b\"}",
    };
    sio_json_type types[] = { SIO_JSON_INVALID, SIO_JSON_NULL, SIO_JSON_FALSE, SIO_JSON_TRUE, SIO_JSON_NUMBER,
                              SIO_JSON_STRING, SIO_JSON_ARRAY, SIO_JSON_OBJECT };
    size_t i, t, k;
    for (i = 0; i < sizeof txt / sizeof *txt; i++) {
        size_t n = strlen(txt[i]);
        char *p = dup_n(txt[i], n);
        for (t = 0; t < sizeof types / sizeof *types; t++) {
            sio_json v, a, b;
            sio_json_iter it;
            char buf[8];
            v.ptr = p;
            v.len = n;
            v.type = types[t];
            (void)sio_json_count(v);
            (void)sio_json_at(v, 1, &a);
            (void)sio_json_get(v, "a", &a);
            (void)sio_json_number(v);
            (void)sio_json_integer(v);
            (void)sio_json_strcpy(v, buf, sizeof buf);
            (void)sio_json_strcpy(v, NULL, 0);
            (void)sio_json_str_eq(v, "abc");
            (void)sio_json_raw_str(v);
            sio_json_iter_init(&it, v);
            for (k = 0; k < 100 && sio_json_iter_next(&it, &a, &b); k++) {
                CHECK(a.len <= n && b.len <= n);
                CHECK(b.ptr >= p && b.ptr + b.len <= p + n);
            }
            CHECK(k < 100);
        }
        free(p);
    }
    {
        sio_json v;
        sio_json_iter it;
        v.ptr = NULL; v.len = 10; v.type = SIO_JSON_ARRAY;
        CHECK(sio_json_count(v) == 0);
        v.type = SIO_JSON_STRING;
        CHECK(sio_json_strcpy(v, NULL, 0) == 0 && sio_json_number(v) == 0);
        v.type = SIO_JSON_NUMBER;
        CHECK(sio_json_number(v) == 0 && sio_json_integer(v) == 0);
        v.ptr = "["; v.len = 0; v.type = SIO_JSON_ARRAY;
        sio_json_iter_init(&it, v);
        CHECK(sio_json_iter_next(&it, NULL, NULL) == 0);
    }
}

/* ------------------------------------------------------------------ */

/* Random document generator -> writer -> parser -> walk -> writer again:
   the second text must equal the first byte for byte. */
static void gen_value(sio_json_writer *w, int depth) {
    unsigned r = (unsigned)(rng() % (depth < 6 ? 9 : 6));
    unsigned i, n;
    char s[24];
    switch (r) {
    case 0: sio_json_null(w); break;
    case 1: sio_json_bool(w, (int)(rng() & 1)); break;
    case 2: sio_json_int(w, (long long)rng()); break;
    case 3: { unsigned long long b = rng(); double d; memcpy(&d, &b, sizeof d); sio_json_num(w, d); } break;
    case 4: case 5:
        n = (unsigned)(rng() % sizeof s);
        for (i = 0; i < n; i++) {
            static const char pool[] = "ab\"\\/\n\t\x01\x1f z";
            s[i] = pool[rng() % (sizeof pool - 1)];
        }
        if (n >= 2 && (rng() & 1)) { s[0] = '\xc3'; s[1] = '\xa9'; }
        sio_json_str_n(w, s, n);
        break;
    case 6: case 7:
        sio_json_arr_begin(w);
        n = (unsigned)(rng() % 5);
        for (i = 0; i < n; i++) gen_value(w, depth + 1);
        sio_json_arr_end(w);
        break;
    default:
        sio_json_obj_begin(w);
        n = (unsigned)(rng() % 5);
        for (i = 0; i < n; i++) {
            snprintf(s, sizeof s, "k%u\"\xe2\x82\xac", (unsigned)(rng() % 4));
            sio_json_key(w, s);
            gen_value(w, depth + 1);
        }
        sio_json_obj_end(w);
        break;
    }
}

static void copy_value(sio_json_writer *w, sio_json v) {
    sio_json_iter it;
    sio_json k, e;
    char buf[256];
    size_t n;
    switch (v.type) {
    case SIO_JSON_NULL: sio_json_null(w); break;
    case SIO_JSON_TRUE: sio_json_bool(w, 1); break;
    case SIO_JSON_FALSE: sio_json_bool(w, 0); break;
    case SIO_JSON_NUMBER:
        /* integers that fit exactly, everything else as a double */
        snprintf(buf, sizeof buf, "%lld", sio_json_integer(v));
        if (strlen(buf) == v.len && memcmp(buf, v.ptr, v.len) == 0) sio_json_int(w, sio_json_integer(v));
        else sio_json_num(w, sio_json_number(v));
        break;
    case SIO_JSON_STRING:
        n = sio_json_strcpy(v, buf, sizeof buf);
        CHECK(n < sizeof buf);
        sio_json_str_n(w, buf, n);
        break;
    case SIO_JSON_ARRAY:
    case SIO_JSON_OBJECT:
        if (v.type == SIO_JSON_ARRAY) sio_json_arr_begin(w); else sio_json_obj_begin(w);
        sio_json_iter_init(&it, v);
        while (sio_json_iter_next(&it, &k, &e)) {
            if (v.type == SIO_JSON_OBJECT) {
                n = sio_json_strcpy(k, buf, sizeof buf);
                sio_json_key_n(w, buf, n);
            }
            copy_value(w, e);
        }
        if (v.type == SIO_JSON_ARRAY) sio_json_arr_end(w); else sio_json_obj_end(w);
        break;
    default: CHECK(0);
    }
}

static void t_roundtrip(void) {
    int round, bad = 0;
    for (round = 0; round < 3000; round++) {
        sio_buf a, b;
        sio_json_writer w;
        sio_json root;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &a);
        gen_value(&w, 0);
        CHECK(sio_json_writer_finish(&w) == SIO_OK);
        if (sio_json_parse(a.data, a.len, &root) != SIO_OK) {
            if (bad++ < 3) fprintf(stderr, "  unparsable: %.*s\n", (int)a.len, a.data);
        } else {
            sio_json_writer_init(&w, &b);
            copy_value(&w, root);
            CHECK(sio_json_writer_finish(&w) == SIO_OK);
            if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
                if (bad++ < 3) fprintf(stderr, "  differs:\n  %.*s\n  %.*s\n", (int)a.len, a.data, (int)b.len, b.data);
            }
        }
        sio_buf_free(&a);
        sio_buf_free(&b);
    }
    CHECK(bad == 0);
}

/* The word-at-a-time and indexed paths against plain byte loops. */
static int ref_utf8_ok(const char *s, size_t n) {
    unsigned st = 0;
    size_t i;
    for (i = 0; i < n; i++)     /* one byte a call: never a whole word */
        if (sio_utf8_check(&st, s + i, 1) != 0) return 0;
    return st == 0;
}

static void t_fast_paths(void) {
    char buf[80], out[80];
    size_t len, pos, k;
    sio_json v;
    /* a bad byte at every place of an ASCII run, whole and in two calls */
    for (len = 1; len <= 40; len++) {
        for (pos = 0; pos < len; pos++) {
            static const char bads[] = { '\x80', '\xff', '\xc0' };
            for (k = 0; k < sizeof bads; k++) {
                unsigned st = 0;
                int whole;
                memset(buf, 'a', len);
                buf[pos] = bads[k];
                whole = sio_utf8_check(&st, buf, len) == 0 && st == 0;
                CHECK(!whole && whole == ref_utf8_ok(buf, len));
                st = 0;
                CHECK(sio_utf8_check(&st, buf, pos) == 0 && st == 0);
                CHECK(sio_utf8_check(&st, buf + pos, len - pos) != 0);
            }
            /* a good 3-byte sequence cut by the call boundary */
            if (pos + 3 <= len) {
                unsigned st = 0;
                memset(buf, 'b', len);
                memcpy(buf + pos, "\xe2\x82\xac", 3);
                CHECK(sio_utf8_check(&st, buf, pos + 1) == 0 && st != 0);
                CHECK(sio_utf8_check(&st, buf + pos + 1, len - pos - 1) == 0 && st == 0);
            }
        }
    }
    /* strings: each special byte at each place of a long run */
    for (len = 0; len <= 30; len++) {
        for (pos = 0; pos < len; pos++) {
            static const char *specials[] = { "\\\"", "\\\\", "\x01", "\x1f", "\xc3\xa9", "\\u00e9" };
            for (k = 0; k < sizeof specials / sizeof specials[0]; k++) {
                size_t sl = strlen(specials[k]), n = 0;
                int ctl = specials[k][0] < 0x20 && specials[k][0] > 0;
                buf[n++] = '[';
                buf[n++] = '"';
                memset(buf + n, 'x', pos);
                n += pos;
                memcpy(buf + n, specials[k], sl);
                n += sl;
                memset(buf + n, 'y', len - pos);
                n += len - pos;
                memcpy(buf + n, "\",1]", 4);
                n += 4;
                if (ctl) {
                    CHECK(parse_n(buf, n, NULL) == SIO_ERR_PARSE);
                    continue;
                }
                CHECK(sio_json_parse(buf, n, &v) == SIO_OK && sio_json_count(v) == 2);
                {
                    sio_json s0, s1;
                    CHECK(sio_json_at(v, 0, &s0) == SIO_OK && s0.type == SIO_JSON_STRING &&
                          s0.len == n - 4 && s0.ptr == buf + 1);
                    CHECK(sio_json_at(v, 1, &s1) == SIO_OK && s1.type == SIO_JSON_NUMBER && s1.len == 1);
                }
            }
        }
    }
    /* escaped quotes and backslash runs end strings where they should */
    {
        static const char doc[] = "[\"a\\\"b\",\"c\\\\\",\"\\\\\\\"\",\"\\\\\\\\\",\"\"]";
        static const char *want[] = { "a\"b", "c\\", "\\\"", "\\\\", "" };
        CHECK(sio_json_parse(doc, sizeof doc - 1, &v) == SIO_OK && sio_json_count(v) == 5);
        for (k = 0; k < 5; k++) {
            sio_json e;
            CHECK(sio_json_at(v, k, &e) == SIO_OK && sio_json_strcpy(e, out, sizeof out) == strlen(want[k]) &&
                  strcmp(out, want[k]) == 0 && sio_json_str_eq(e, want[k]));
        }
    }
    /* strcpy: the no-escape copy at, below and above the room it has */
    CHECK(sio_json_parse("\"abcd\"", 6, &v) == SIO_OK);
    CHECK(sio_json_strcpy(v, out, 5) == 4 && strcmp(out, "abcd") == 0);
    CHECK(sio_json_strcpy(v, out, 4) == 4 && strcmp(out, "abc") == 0);
    CHECK(sio_json_strcpy(v, out, 1) == 4 && out[0] == '\0');
    CHECK(sio_json_strcpy(v, NULL, 0) == 4);
    CHECK(sio_json_parse("\"h\xc3\xa9\"", 5, &v) == SIO_OK);
    CHECK(sio_json_strcpy(v, out, 3) == 3 && strcmp(out, "h") == 0);   /* never half a character */
    /* str_eq: first byte, length and prefix differences */
    CHECK(sio_json_str_eq(v, "h\xc3\xa9") && !sio_json_str_eq(v, "h") && !sio_json_str_eq(v, "h\xc3\xa9x") &&
          !sio_json_str_eq(v, "") && !sio_json_str_eq(v, "x"));
    CHECK(sio_json_parse("\"\"", 2, &v) == SIO_OK && sio_json_str_eq(v, "") && !sio_json_str_eq(v, "a"));
    CHECK(sio_json_parse("\"\\u0063onnect\"", 14, &v) == SIO_OK && sio_json_str_eq(v, "connect"));
}

/* The arguments index: every argument and count as a plain walk sees them,
   below, at and beyond SIO_ARGS_INDEXED, and after a shift. */
static void t_args_index(void) {
    size_t n, first, i;
    for (n = 0; n <= 2 * SIO_ARGS_INDEXED + 3; n++) {
        sio_buf b;
        sio_json_writer w;
        sio_json arr;
        memset(&b, 0, sizeof b);
        sio_json_writer_init(&w, &b);
        sio_json_arr_begin(&w);
        for (i = 0; i < n; i++) {
            switch (i % 4) {
            case 0: sio_json_str(&w, "q\"uo\\te"); break;
            case 1: sio_json_int(&w, (long long)i); break;
            case 2: sio_json_obj_begin(&w); sio_json_key(&w, "k"); sio_json_str(&w, "]}"); sio_json_obj_end(&w); break;
            default: sio_json_null(&w); break;
            }
        }
        sio_json_arr_end(&w);
        CHECK(sio_json_writer_finish(&w) == SIO_OK && sio_json_parse(b.data, b.len, &arr) == SIO_OK);
        for (first = 0; first <= 3; first++) {   /* 2, 3: the same, every argument indexed */
            sio_args a, plain;
            sio_json head, x, y;
            head.type = SIO_JSON_INVALID;
            sio__args_index(&a, arr, first & 1, NULL, 0, &head, first >= 2, NULL);
            CHECK((a.all != NULL) == (first >= 2 && n > (first & 1) + SIO_ARGS_INDEXED));
            memset(&plain, 0, sizeof plain);
            plain.array = arr;
            plain.first = first & 1;
            plain.count = n > plain.first ? n - plain.first : 0;
            CHECK(a.count == plain.count && a.first == plain.first);
            CHECK(a.nindexed == (plain.count < SIO_ARGS_INDEXED ? plain.count : SIO_ARGS_INDEXED));
            CHECK(n == 0 ? head.type == SIO_JSON_INVALID : head.type == SIO_JSON_STRING);
            for (i = 0; i <= a.count; i++) {
                int r1 = sio_args_get(&a, i, &x), r2 = sio_args_get(&plain, i, &y);
                CHECK(r1 == r2 && (r1 != SIO_OK || (x.ptr == y.ptr && x.len == y.len && x.type == y.type)));
            }
            if (a.count) {
                sio__args_shift(&a);
                sio__args_shift(&plain);
                CHECK(a.count == plain.count);
                for (i = 0; i <= a.count; i++) {
                    int r1 = sio_args_get(&a, i, &x), r2 = sio_args_get(&plain, i, &y);
                    CHECK(r1 == r2 && (r1 != SIO_OK || (x.ptr == y.ptr && x.len == y.len)));
                }
                if (a.all) a.all--;   /* what the library frees is what it allocated */
            }
            sio__args_release(&a, NULL);
        }
        sio_buf_free(&b);
    }
}

int main(void) {
    group("utf8 validation (overlongs, surrogates, range, truncation)", t_utf8);
    group("writer: nesting, commas, all value kinds", t_writer_basic);
    group("writer: integers incl. extremes", t_writer_int);
    group("writer: string escaping like JSON.stringify", t_writer_escape);
    group("writer: invalid UTF-8 refused", t_writer_utf8);
    group("writer: misuse gives SIO_ERR_STATE", t_writer_misuse);
    group("writer: depth limit", t_writer_depth);
    group("writer: buffer max sticks", t_writer_bufmax);
    group("writer: numbers formatted like JavaScript", t_writer_num);
    group("writer -> reader: 200000 doubles round-trip, shortest form", t_num_roundtrip);
    group("parse: valid documents, views and types", t_parse_valid);
    group("parse: malformed documents rejected", t_parse_invalid);
    group("parse: depth limit, 10000 brackets", t_parse_depth);
    group("parse: every truncation rejected, no over-read", t_parse_truncated);
    group("validate_prefix: used bytes", t_validate_prefix);
    group("reader: count, at, get, iter, duplicate keys", t_reader_walk);
    group("reader: unescape, truncation, str_eq, raw_str", t_reader_strings);
    group("reader: numbers and integers, clamping, long digits", t_reader_numbers);
    group("reader: garbage views stay in bounds", t_reader_garbage);
    group("random documents: write, parse, rewrite identical", t_roundtrip);
    group("fast paths: ASCII words in UTF-8 and strings, no-escape copies", t_fast_paths);
    group("arguments index: same views as a walk, beyond the index, shifted", t_args_index);
    printf("# pass %d\n# fail %d\n", n_pass, n_fail);
    return n_fail > 0 ? 1 : 0;
}
