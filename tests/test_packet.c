/* Socket.IO packet codec and Engine.IO payload splitting, byte by byte. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int passes, fails, checks_failed;
#define CHECK(c) do { if (!(c)) { checks_failed++; fprintf(stderr, "  check failed line %d: %s\n", __LINE__, #c); } } while (0)
static void group(const char *name) {
    if (checks_failed) { fails++; printf("not ok %d - %s\n", passes + fails, name); }
    else { passes++; printf("ok %d - %s\n", passes + fails, name); }
    checks_failed = 0;
}

static int parse(const char *s, sio_packet *p) { return sio_packet_parse(s, strlen(s), p); }

static int streq(sio_str a, const char *b) { return a.len == strlen(b) && memcmp(a.ptr, b, a.len) == 0; }

int main(void) {
    sio_packet p;
    sio_buf b;
    static const char *const good[] = {
        "0", "0{}", "0{\"token\":\"123\"}", "0/admin,", "0/admin", "0/admin,{\"a\":1}", "1", "1/admin,",
        "2[\"foo\"]", "2/admin,[\"bar\"]", "212[\"foo\"]", "2[42]", "3/admin,13[\"bar\"]", "30[]",
        "4{\"message\":\"x\"}", "4\"text\"", "51-[\"baz\",{\"_placeholder\":true,\"num\":0}]",
        "610-/x,5[{\"_placeholder\":true,\"num\":9}]", "2[\"a\",{\"b\":[1,2,{\"c\":null}]},true,1.5e3]"};
    static const char *const bad[] = {
        "", "7", "a", "x[]", "0[]", "0\"s\"", "1{}", "1/admin,{}", "2", "2{}", "2[]", "2[null]", "2[\"connect\"]",
        "2[\"disconnect\"]", "2[\"newListener\",1]", "3", "3[]" /* no id */, "3{}", "4", "4[]", "5[\"a\"]", "5-[\"a\"]",
        "50-[\"a\"]", "533-[\"a\"]" /* over SIO_MAX_BINARIES */, "51[\"a\"]", "2[\"a\"", "2[\"a\"]x", "21234567890123456[\"a\"]", "2[\"a\",]",
        "2/a,[\"\\ud800\"]"};
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        int rc = parse(good[i], &p);
        if (rc != SIO_OK) fprintf(stderr, "  should parse: %s\n", good[i]);
        CHECK(rc == SIO_OK);
    }
    group("valid packets parse (Node's rules)");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i], &p);
        if (rc == SIO_OK) fprintf(stderr, "  should fail: %s\n", bad[i]);
        CHECK(rc != SIO_OK);
    }
    group("invalid packets are refused");

    CHECK(parse("2/admin,12[\"get\",1]", &p) == SIO_OK);
    CHECK(p.type == 2 && streq(p.nsp, "/admin") && p.ack_id == 12 && p.json.type == SIO_JSON_ARRAY);
    CHECK(parse("0/custom", &p) == SIO_OK && streq(p.nsp, "/custom") && p.data.len == 0);
    CHECK(parse("62-/x,7[{\"_placeholder\":true,\"num\":1}]", &p) == SIO_OK);
    CHECK(p.type == 6 && p.attachments == 2 && streq(p.nsp, "/x") && p.ack_id == 7);
    CHECK(parse("2[\"a\"]", &p) == SIO_OK && streq(p.nsp, "/") && p.ack_id == -1);
    group("fields: namespace, ack id, attachments");

    /* every truncation of valid packets either parses or fails cleanly */
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        size_t n, len = strlen(good[i]);
        for (n = 0; n <= len; n++) {
            char *c = (char *)malloc(n + 1);
            memcpy(c, good[i], n);
            (void)sio_packet_parse(c, n, &p);
            free(c);
        }
    }
    group("truncations never crash");

    memset(&b, 0, sizeof b);
    sio_packet_write(&b, 2, 0, "/", 1, -1, "[\"a\"]", 5);
    CHECK(b.len == 6 && memcmp(b.data, "2[\"a\"]", 6) == 0);
    sio_buf_reset(&b);
    sio_packet_write(&b, 5, 2, "/admin", 6, 12, "[1]", 3);
    CHECK(b.len == 15 && memcmp(b.data, "52-/admin,12[1]", 15) == 0);
    sio_buf_reset(&b);
    sio_packet_write(&b, 0, 0, "/custom", 7, -1, NULL, 0);
    CHECK(b.len == 9 && memcmp(b.data, "0/custom,", 9) == 0);
    sio_buf_free(&b);
    group("encoder writes the canonical form (comma after the namespace)");

    {
        char body[] = "4hello\x1e" "bAQIDBA==\x1e" "4\x1e" "2";
        size_t pos = 0, n;
        char *pkt;
        int bin, k = 0;
        while (sio_eio_payload_next(body, sizeof body - 1, &pos, &pkt, &n, &bin) > 0) {
            if (k == 0) CHECK(!bin && n == 6 && memcmp(pkt, "4hello", 6) == 0);
            if (k == 1) CHECK(bin && n == 4 && memcmp(pkt, "\x01\x02\x03\x04", 4) == 0);
            if (k == 2) CHECK(!bin && n == 1 && pkt[0] == '4');
            if (k == 3) CHECK(!bin && n == 1 && pkt[0] == '2');
            k++;
        }
        CHECK(k == 4);
    }
    {
        char body[] = "b!!!";
        size_t pos = 0, n;
        char *pkt;
        int bin;
        CHECK(sio_eio_payload_next(body, 4, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);
    }
    group("polling payload: text, b+base64 binary, bad base64");

    /* Engine.IO v3 payloads: lengths in UTF-16 units, binary as b4+base64
       in the text form, kind/digits/0xFF in the binary form */
    {
        char t[] = "2:4013:42[\"auth\",{}]6:b4AAEC0:4:4\xc3\xa9\xf0\x9f\x9a\x80";
        char bf[] = "\x00\x02\xff" "40" "\x01\x04\xff\x04\x00\x01\x02" "\x01\x01\xff\x04";
        char bad1[] = "3:40", bad2[] = "2:4\xff", bad3[] = "x:40", bad4[] = "4:b5AA";
        char bad5[] = "\x02\x01\xff" "4", bad6[] = "\x01\x01\xff" "4";
        size_t pos = 0, n;
        char *pkt;
        int bin;
        sio_buf o;
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 1 && n == 2 && !bin &&
              memcmp(pkt, "40", 2) == 0);
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 1 && n == 13 && !bin);
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 1 && n == 3 && bin &&
              memcmp(pkt, "\x00\x01\x02", 3) == 0);
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 1 && n == 0 && !bin);
        /* é is one unit, the rocket two: 4 units are 7 bytes */
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 1 && n == 7 && !bin);
        CHECK(sio_eio3_payload_next(t, sizeof t - 1, 0, &pos, &pkt, &n, &bin) == 0);
        pos = 0;
        CHECK(sio_eio3_payload_next(bf, sizeof bf - 1, 1, &pos, &pkt, &n, &bin) == 1 && n == 2 && !bin);
        CHECK(sio_eio3_payload_next(bf, sizeof bf - 1, 1, &pos, &pkt, &n, &bin) == 1 && n == 3 && bin &&
              memcmp(pkt, "\x00\x01\x02", 3) == 0);
        CHECK(sio_eio3_payload_next(bf, sizeof bf - 1, 1, &pos, &pkt, &n, &bin) == 1 && n == 0 && bin);
        CHECK(sio_eio3_payload_next(bf, sizeof bf - 1, 1, &pos, &pkt, &n, &bin) == 0);
        pos = 0;
        CHECK(sio_eio3_payload_next(bad1, 4, 0, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);   /* too short */
        pos = 0;
        CHECK(sio_eio3_payload_next(bad2, 4, 0, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);   /* not UTF-8 */
        pos = 0;
        CHECK(sio_eio3_payload_next(bad3, 4, 0, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);
        pos = 0;
        CHECK(sio_eio3_payload_next(bad4, 6, 0, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);   /* b5: not a message */
        pos = 0;
        CHECK(sio_eio3_payload_next(bad5, 4, 1, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);   /* kind 2 */
        pos = 0;
        CHECK(sio_eio3_payload_next(bad6, 4, 1, &pos, &pkt, &n, &bin) == SIO_ERR_PARSE);   /* binary, not type 4 */
        memset(&o, 0, sizeof o);
        CHECK(sio_eio3_payload_append(&o, "4\xc3\xa9\xf0\x9f\x9a\x80", 7, 0, 0) == SIO_OK);
        CHECK(sio_eio3_payload_append(&o, "\x00\x01\x02", 3, 1, 0) == SIO_OK);
        CHECK(o.len == 17 && memcmp(o.data, "4:4\xc3\xa9\xf0\x9f\x9a\x80" "6:b4AAEC", 17) == 0);
        sio_buf_reset(&o);
        CHECK(sio_eio3_payload_append(&o, "40", 2, 0, 1) == SIO_OK);
        CHECK(sio_eio3_payload_append(&o, "\x00\x01\x02", 3, 1, 1) == SIO_OK);
        CHECK(o.len == sizeof bf - 1 - 4 && memcmp(o.data, bf, o.len) == 0);
        sio_buf_free(&o);
    }
    group("Engine.IO v3 payloads: UTF-16 lengths, b4 base64, the binary form, bad ones refused");

    {
        sio_msg m;
        sio_buf out;
        unsigned char bytes[3] = {1, 2, 3};
        memset(&out, 0, sizeof out);
        sio_msg_init(&m);
        sio_json_str(&m.w, "x");
        sio_msg_bin(&m, bytes, 3);
        sio__msg_append(&out, &m);
        CHECK(out.len == strlen("[\"x\",{\"_placeholder\":true,\"num\":0}]"));
        CHECK(memcmp(out.data, "[\"x\",{\"_placeholder\":true,\"num\":0}]", out.len) == 0);
        CHECK(m.nbins == 1);
        CHECK(sio_msg_json(&m, "[1, 2 ]") == SIO_OK);
        sio_json_int(&m.w, 3);
        sio_buf_reset(&out);
        sio__msg_append(&out, &m);
        CHECK(out.len == 8 && memcmp(out.data, "[1, 2,3]", 8) == 0);
        CHECK(sio_msg_json(&m, "[]") == SIO_OK);
        sio_json_int(&m.w, 3);
        sio_buf_reset(&out);
        sio__msg_append(&out, &m);
        CHECK(out.len == 3 && memcmp(out.data, "[3]", 3) == 0);
        CHECK(sio_msg_json(&m, "{}") == SIO_ERR_INVALID);
        sio_msg_free(&m);
        sio_buf_free(&out);
    }
    group("outgoing arguments: placeholders, raw arrays extended");

    {   /* the inline bytes, then the heap: same text at every size, one free */
        size_t len, k;
        int wrong = 0;
        for (len = 0; len < 3 * SIO_MSG_INLINE; len += 7) {
            sio_msg m;
            sio_buf out, want;
            char s[3 * SIO_MSG_INLINE];
            memset(&out, 0, sizeof out);
            memset(&want, 0, sizeof want);
            for (k = 0; k < len; k++) s[k] = (char)('a' + k % 26);
            sio_msg_init(&m);
            if (!m.buf.borrowed || m.buf.data != m.small) wrong++;
            sio_json_str_n(&m.w, s, len);
            sio_json_int(&m.w, (long long)len);
            if ((m.buf.len <= SIO_MSG_INLINE) != (m.buf.data == m.small)) wrong++;
            sio_buf_append(&want, "[\"", 2);
            sio_buf_append(&want, s, len);
            sio_buf_append(&want, "\",", 2);
            sio_buf_appendu(&want, (unsigned long long)len);
            sio_buf_appendc(&want, ']');
            if (sio__msg_append(&out, &m) != SIO_OK || out.len != want.len || memcmp(out.data, want.data, out.len))
                wrong++;
            sio_msg_free(&m);
            if (m.buf.data || m.buf.borrowed) wrong++;
            sio_buf_free(&out);
            sio_buf_free(&want);
        }
        CHECK(wrong == 0);
        /* a raw array too long for the inline bytes */
        {
            sio_msg m;
            sio_buf out;
            char big[2 * SIO_MSG_INLINE + 3];
            memset(&out, 0, sizeof out);
            memset(big, ' ', sizeof big);
            big[0] = '[';
            big[sizeof big - 2] = ']';
            big[sizeof big - 1] = '\0';
            sio_msg_init(&m);
            CHECK(sio_msg_json(&m, big) == SIO_OK && m.buf.data != m.small);   /* spaces and all, then trimmed */
            sio_json_int(&m.w, 1);
            CHECK(sio__msg_append(&out, &m) == SIO_OK && out.len == 3 && memcmp(out.data, "[1]", 3) == 0);
            sio_msg_free(&m);
            sio_buf_free(&out);
        }
    }
    group("outgoing arguments: inline bytes first, then the heap");

    printf("# pass %d\n# fail %d\n", passes, fails);
    return fails ? 1 : 0;
}
