/* Tests of the HTTP/1.1 layer: request/response heads, chunked bodies,
   query strings, URL decoding and the response writer. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int g_pass, g_fail, g_num, g_group_bad;

/* One CHECK failure marks the current group as failed and says where. */
#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            g_group_bad = 1;                                                       \
            printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);       \
        }                                                                          \
    } while (0)

static void group_begin(void) { g_group_bad = 0; }

static void group_end(const char *name) {
    ++g_num;
    if (g_group_bad) { g_fail++; printf("not ok %d - http: %s\n", g_num, name); }
    else { g_pass++; printf("ok %d - http: %s\n", g_num, name); }
}

static int str_is(sio_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.ptr && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* Every view the parser hands out must point inside the buffer. */
static int views_inside(const char *buf, size_t len, const sio_http_msg *m) {
    int i;
    const char *end = buf + len;
#undef IN   /* Windows' <windef.h> has one (an empty annotation) */
#define IN(s) ((s).len == 0 || ((s).ptr >= buf && (s).ptr + (s).len <= end))
    if (!IN(m->method) || !IN(m->target) || !IN(m->path) || !IN(m->query) || !IN(m->reason)) return 0;
    for (i = 0; i < m->header_count; i++)
        if (!IN(m->headers[i].name) || !IN(m->headers[i].value)) return 0;
#undef IN
    return 1;
}

/* Parses a complete request, and every proper prefix of it, which must all
   return 0 ("need more"); also checks head_ready agrees. */
static int parse_req_all_prefixes(const char *req, size_t len, sio_http_msg *m) {
    size_t k, head;
    int st, rc, prev_ready = 0;
    rc = sio_http_parse_request(req, len, m, &st);
    head = rc > 0 ? (size_t)rc : len;
    for (k = 0; k < head; k++) {
        rc = sio_http_parse_request(req, k, m, &st);
        if (rc != 0) {
            printf("#   prefix %u of %u gave %d\n", (unsigned)k, (unsigned)len, rc);
            return -100;
        }
    }
    rc = sio_http_parse_request(req, len, m, &st);
    if (rc > 0 && (size_t)rc <= len) {
        /* byte-by-byte with head_ready: the head must be found exactly
           when its last byte arrives */
        size_t prev = 0;
        for (k = 1; k <= (size_t)rc; k++) {
            if (sio_http_head_ready(req, k, prev)) {
                int r2 = sio_http_parse_request(req, k, m, &st);
                if (r2 != 0) { prev_ready = (int)k; break; }
                prev = k;
            }
        }
        if (prev_ready != rc) return -101;
        rc = sio_http_parse_request(req, len, m, &st);
    }
    return rc;
}

static void test_good_requests(void) {
    sio_http_msg m;
    int rc, st;
    const char *r1 = "GET /socket.io/?EIO=4&transport=polling&t=N8hyd6w HTTP/1.1\r\n"
                     "Host: localhost:3000\r\n"
                     "Accept: */*\r\n"
                     "\r\n";
    const char *r2 = "POST /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1\r\n"
                     "Host: x\r\n"
                     "Content-Type: text/plain;charset=UTF-8\r\n"
                     "Content-Length: 9\r\n"
                     "\r\n"
                     "42[\"a\",1]";
    const char *r3 = "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n";
    const char *r4 = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                     "hOsT: x\r\n"
                     "UPGRADE: WebSocket\r\n"
                     "connection: keep-alive, Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "\r\n";
    const char *r5 = "GET / HTTP/1.0\r\n\r\n";
    const char *r6 = "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    const char *r7 = "GET /a HTTP/1.1\r\nConnection: close\r\nX-Empty:\r\nX-Pad: \t v a l \t \r\n\r\n";
    const char *r8 = "\r\n\r\nGET /x? HTTP/1.1\r\nTransfer-Encoding: gzip-not, chunked\r\n\r\n";
    const char *r9 = "PATCH /p?q HTTP/1.1\r\nTransfer-Encoding: Chunked\r\nConnection: upgrade\r\n\r\n";
    const char *r10 = "GET /\xc3\xa9t\xc3\xa9 HTTP/1.1\r\nX-Utf8: caf\xc3\xa9\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n";
    const char *r11 = "GET / HTTP/1.2\r\nUpgrade: h2c, websocket\r\nConnection: Upgrade\r\nConnection: close\r\n\r\n";

    group_begin();
    rc = parse_req_all_prefixes(r1, strlen(r1), &m);
    CHECK(rc == (int)strlen(r1));
    CHECK(m.header_bytes == strlen(r1));
    CHECK(str_is(m.method, "GET"));
    CHECK(str_is(m.target, "/socket.io/?EIO=4&transport=polling&t=N8hyd6w"));
    CHECK(str_is(m.path, "/socket.io/"));
    CHECK(str_is(m.query, "EIO=4&transport=polling&t=N8hyd6w"));
    CHECK(m.minor_version == 1 && m.keep_alive == 1 && m.upgrade_websocket == 0);
    CHECK(m.content_length == -1 && m.chunked == 0);
    CHECK(m.header_count == 2);
    CHECK(str_is(sio_http_header_get(&m, "host"), "localhost:3000"));
    CHECK(str_is(sio_http_header_get(&m, "ACCEPT"), "*/*"));
    CHECK(sio_http_header_get(&m, "cookie").ptr == NULL);
    CHECK(sio_http_header_get(&m, "hos").ptr == NULL);
    CHECK(sio_http_header_get(&m, "hostx").ptr == NULL);
    CHECK(sio_http_header_get(&m, NULL).ptr == NULL);
    CHECK(sio_http_header_get(NULL, "host").ptr == NULL);
    CHECK(views_inside(r1, strlen(r1), &m));
    group_end("GET with query");

    group_begin();
    rc = parse_req_all_prefixes(r2, strlen(r2), &m);
    CHECK(rc > 0 && rc == (int)strlen(r2) - 9);
    CHECK(str_is(m.method, "POST"));
    CHECK(m.content_length == 9);
    CHECK(memcmp(r2 + rc, "42[\"a\",1]", 9) == 0);
    CHECK(str_is(sio_http_header_get(&m, "content-type"), "text/plain;charset=UTF-8"));
    group_end("POST with Content-Length");

    group_begin();
    rc = parse_req_all_prefixes(r3, strlen(r3), &m);
    CHECK(rc == (int)strlen(r3));
    CHECK(str_is(m.method, "OPTIONS") && str_is(m.target, "*") && str_is(m.path, "*"));
    CHECK(m.query.len == 0);
    group_end("OPTIONS *");

    group_begin();
    rc = parse_req_all_prefixes(r4, strlen(r4), &m);
    CHECK(rc == (int)strlen(r4));
    CHECK(m.upgrade_websocket == 1 && m.keep_alive == 1);
    CHECK(str_is(sio_http_header_get(&m, "sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK(str_is(sio_http_header_get(&m, "Host"), "x"));
    CHECK(str_is(m.headers[1].name, "UPGRADE"));
    group_end("upgrade request, mixed case, Connection list");

    group_begin();
    rc = parse_req_all_prefixes(r5, strlen(r5), &m);
    CHECK(rc == (int)strlen(r5) && m.minor_version == 0 && m.keep_alive == 0 && m.header_count == 0);
    rc = parse_req_all_prefixes(r6, strlen(r6), &m);
    CHECK(rc == (int)strlen(r6) && m.minor_version == 0 && m.keep_alive == 1);
    rc = parse_req_all_prefixes(r7, strlen(r7), &m);
    CHECK(rc == (int)strlen(r7) && m.keep_alive == 0);
    CHECK(str_is(sio_http_header_get(&m, "x-empty"), ""));
    CHECK(sio_http_header_get(&m, "x-empty").ptr != NULL);
    CHECK(str_is(sio_http_header_get(&m, "x-pad"), "v a l"));
    group_end("keep-alive rules, empty and padded values");

    group_begin();
    rc = sio_http_parse_request(r8, strlen(r8), &m, &st);
    CHECK(rc == SIO_ERR_UNSUPPORTED && st == 501);
    rc = parse_req_all_prefixes(r8 + 4, strlen(r8) - 4, &m);
    CHECK(rc == SIO_ERR_UNSUPPORTED);
    rc = parse_req_all_prefixes(r9, strlen(r9), &m);
    CHECK(rc == (int)strlen(r9) && m.chunked == 1 && m.content_length == -1);
    CHECK(str_is(m.path, "/p") && str_is(m.query, "q"));
    CHECK(m.upgrade_websocket == 0);
    group_end("chunked request, leading empty lines");

    group_begin();
    rc = parse_req_all_prefixes(r10, strlen(r10), &m);
    CHECK(rc == (int)strlen(r10) && m.content_length == 0);
    CHECK(str_is(sio_http_header_get(&m, "x-utf8"), "caf\xc3\xa9"));
    rc = parse_req_all_prefixes(r11, strlen(r11), &m);
    CHECK(rc == (int)strlen(r11) && m.minor_version == 1);
    CHECK(m.upgrade_websocket == 1 && m.keep_alive == 0);
    {
        const char *r12 = "GET /x? HTTP/1.1\r\n\r\n";
        rc = parse_req_all_prefixes(r12, strlen(r12), &m);
        CHECK(rc > 0 && str_is(m.path, "/x") && m.query.len == 0 && m.query.ptr != NULL);
    }
    group_end("obs-text, duplicate equal CL, HTTP/1.2, empty query");
}

static void test_pipelined(void) {
    const char *p = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                    "GET /b HTTP/1.1\r\n\r\n"
                    "GET /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
                    "GET /d HTTP/1.1\r\n\r\n";
    char copy[512];
    size_t len = strlen(p), off = 0, consumed, out;
    sio_http_msg m;
    sio_http_chunked ck;
    int rc, st;
    memcpy(copy, p, len + 1);
    group_begin();
    rc = sio_http_parse_request(copy, len, &m, &st);
    CHECK(rc > 0 && str_is(m.path, "/a") && m.content_length == 3);
    off += (size_t)rc + 3;
    rc = sio_http_parse_request(copy + off, len - off, &m, &st);
    CHECK(rc > 0 && str_is(m.path, "/b") && m.content_length == -1);
    off += (size_t)rc;
    rc = sio_http_parse_request(copy + off, len - off, &m, &st);
    CHECK(rc > 0 && str_is(m.path, "/c") && m.chunked);
    off += (size_t)rc;
    memset(&ck, 0, sizeof ck);
    rc = sio_http_chunked_decode(&ck, copy + off, len - off, &consumed, &out);
    CHECK(rc == 1 && out == 3 && memcmp(copy + off, "xyz", 3) == 0);
    off += consumed;
    rc = sio_http_parse_request(copy + off, len - off, &m, &st);
    CHECK(rc > 0 && str_is(m.path, "/d") && off + (size_t)rc == len);
    group_end("pipelined requests");
}

struct bad_case { const char *req; int status; };

static void test_bad_requests(void) {
    static const struct bad_case cases[] = {
        { "GET  / HTTP/1.1\r\n\r\n", 400 },
        { "GET /  HTTP/1.1\r\n\r\n", 400 },
        { " GET / HTTP/1.1\r\n\r\n", 400 },
        { "GET / HTTP/1.1 \r\n\r\n", 400 },
        { "GET\t/ HTTP/1.1\r\n\r\n", 400 },
        { "G(T / HTTP/1.1\r\n\r\n", 400 },
        { "GET x HTTP/1.1\r\n\r\n", 400 },
        { "GET http://a/ HTTP/1.1\r\n\r\n", 400 },
        { "GET * HTTP/1.1\r\n\r\n", 400 },
        { "OPTIONS *x HTTP/1.1\r\n\r\n", 400 },
        { "GET /a\x01 HTTP/1.1\r\n\r\n", 400 },
        { "GET /a\x7f HTTP/1.1\r\n\r\n", 400 },
        { "GET / http/1.1\r\n\r\n", 400 },
        { "GET / HTTP/1.x\r\n\r\n", 400 },
        { "GET / HTTP/11.1\r\n\r\n", 400 },
        { "GET / HTTP/1.1x\r\n\r\n", 400 },
        { "GET / HTTP/1\r\n\r\n", 400 },
        { "GET / HTTP/2.0\r\n\r\n", 505 },
        { "GET / HTTP/0.9\r\n\r\n", 505 },
        { "GET / HTTP/1.1\n\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\n\n", 400 },
        { "GET / HTTP/1.1\rX\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", 400 },
        { "\n\nGET / HTTP/1.1\r\n\r\n", 400 },
        { "\r\rGET / HTTP/1.1\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\n\tHost: x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\n: x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: , \r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 501 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", 501 },
        { "POST / HTTP/2.0\r\nTransfer-Encoding: chunked\r\n\r\n", 505 },
    };
    size_t i, k;
    group_begin();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sio_http_msg m;
        int st = -1, rc;
        size_t len = strlen(cases[i].req);
        if (len == 20 && memcmp(cases[i].req, "GET / HTTP/1.1\r\nX: a", 20) == 0)
            len = 26; /* the case with an embedded NUL */
        rc = sio_http_parse_request(cases[i].req, len, &m, &st);
        if (rc >= 0 || st != cases[i].status) {
            printf("#   bad case %u: rc %d status %d, want %d\n", (unsigned)i, rc, st, cases[i].status);
            g_group_bad = 1;
        }
        /* an error in a prefix can only repeat later: never "need more"
           after an error, and a prefix never claims completion */
        {
            int seen_err = 0;
            for (k = 0; k <= len; k++) {
                int r2 = sio_http_parse_request(cases[i].req, k, &m, &st);
                if (r2 > 0) { g_group_bad = 1; printf("#   bad case %u prefix %u completed\n", (unsigned)i, (unsigned)k); }
                if (r2 < 0) seen_err = 1;
                else if (seen_err) { g_group_bad = 1; printf("#   bad case %u prefix %u: error then 0\n", (unsigned)i, (unsigned)k); }
            }
        }
    }
    group_end("malformed requests and their status codes");

    group_begin();
    {
        sio_http_msg m;
        int st;
        CHECK(sio_http_parse_request(NULL, 0, &m, &st) == 0);
        CHECK(sio_http_parse_request("", 0, &m, NULL) == 0);
        CHECK(sio_http_parse_request(NULL, 5, &m, &st) == SIO_ERR_PARSE && st == 400);
        CHECK(sio_http_parse_request("x", 1, NULL, NULL) == SIO_ERR_PARSE);
        /* errors are found before the head is complete */
        CHECK(sio_http_parse_request("GE T", 4, &m, &st) == SIO_ERR_PARSE && st == 400);
        CHECK(sio_http_parse_request("GET / HTTP/1.1\r\nX: \x01", 20, &m, &st) == SIO_ERR_PARSE);
    }
    group_end("edge arguments, early errors");
}

static void test_limits(void) {
    static char big[SIO_HTTP_MAX_HEADER_BYTES + 4096];
    sio_http_msg m;
    size_t n, i;
    int st, rc;

    group_begin();
#if SIO_HTTP_MAX_REQUEST_LINE + 2 <= SIO_HTTP_MAX_HEADER_BYTES
    /* request line of exactly the limit (CRLF included) passes */
    n = 0;
    memcpy(big, "GET /", 5); n = 5;
    while (n < SIO_HTTP_MAX_REQUEST_LINE - 11) big[n++] = 'a';
    memcpy(big + n, " HTTP/1.1\r\n\r\n", 13);
    n += 13;
    rc = sio_http_parse_request(big, n, &m, &st);
    CHECK(rc == (int)n && m.target.len == SIO_HTTP_MAX_REQUEST_LINE - 11 - 4);
    CHECK(n - 2 == SIO_HTTP_MAX_REQUEST_LINE);
    /* one byte more: 414, both complete and still incomplete */
    memcpy(big, "GET /", 5); n = 5;
    while (n < SIO_HTTP_MAX_REQUEST_LINE - 10) big[n++] = 'a';
    memcpy(big + n, " HTTP/1.1\r\n\r\n", 13);
    n += 13;
    rc = sio_http_parse_request(big, n, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 414);
    rc = sio_http_parse_request(big, SIO_HTTP_MAX_REQUEST_LINE, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 414);
    rc = sio_http_parse_request(big, SIO_HTTP_MAX_REQUEST_LINE - 1, &m, &st);
    CHECK(rc == 0);
    CHECK(sio_http_head_ready(big, SIO_HTTP_MAX_REQUEST_LINE, SIO_HTTP_MAX_REQUEST_LINE - 1) == 1);
#endif
    group_end("request line limit -> 414");

    group_begin();
    /* headers filling the byte limit exactly pass, one more byte is 431 */
    memcpy(big, "GET / HTTP/1.1\r\n", 16);
    n = 16;
    while (n + 800 < SIO_HTTP_MAX_HEADER_BYTES) {
        memcpy(big + n, "X-Fill: ", 8);
        n += 8;
        for (i = 0; i < 700; i++) big[n++] = 'f';
        big[n++] = '\r'; big[n++] = '\n';
    }
    memcpy(big + n, "X-Last: ", 8);
    n += 8;
    while (n < SIO_HTTP_MAX_HEADER_BYTES - 4) big[n++] = 'l';
    memcpy(big + n, "\r\n\r\n", 4);
    n += 4;
    rc = sio_http_parse_request(big, n, &m, &st);
    CHECK(rc == SIO_HTTP_MAX_HEADER_BYTES);
    memmove(big + n - 3, big + n - 4, 4);
    big[n - 4] = 'l';
    rc = sio_http_parse_request(big, n + 1, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 431);
    rc = sio_http_parse_request(big, SIO_HTTP_MAX_HEADER_BYTES, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 431);
    rc = sio_http_parse_request(big, SIO_HTTP_MAX_HEADER_BYTES - 1, &m, &st);
    CHECK(rc == 0);
    /* junk without a line end at all */
    memset(big, 'a', sizeof big);
    rc = sio_http_parse_request(big, sizeof big, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 414);
    rc = sio_http_parse_response(big, sizeof big, &m);
    CHECK(rc == SIO_ERR_PARSE);
    memcpy(big, "HTTP/1.1 200 ", 13);
    rc = sio_http_parse_response(big, sizeof big, &m);
    CHECK(rc == SIO_ERR_TOO_BIG);
    group_end("header bytes limit -> 431");

    group_begin();
    memcpy(big, "GET / HTTP/1.1\r\n", 16);
    n = 16;
    for (i = 0; i < SIO_HTTP_MAX_HEADERS; i++) { memcpy(big + n, "A: b\r\n", 6); n += 6; }
    memcpy(big + n, "\r\n", 2);
    rc = sio_http_parse_request(big, n + 2, &m, &st);
    CHECK(rc == (int)n + 2 && m.header_count == SIO_HTTP_MAX_HEADERS);
    memcpy(big + n, "A: b\r\n\r\n", 8);
    rc = sio_http_parse_request(big, n + 8, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 431);
    rc = sio_http_parse_request(big, n + 1, &m, &st);
    CHECK(rc == SIO_ERR_TOO_BIG && st == 431);
    group_end("header count limit -> 431");
}

static void test_head_ready(void) {
    const char *r = "GET / HTTP/1.1\r\nA: b\r\n\r\n";
    const char *s = "HTTP/1.1 200 OK\nA: b\n\n";
    size_t n = strlen(r);
    group_begin();
    CHECK(sio_http_head_ready(r, n, 0) == 1);
    CHECK(sio_http_head_ready(r, n - 1, 0) == 0);
    CHECK(sio_http_head_ready(r, n, n - 1) == 1);
    CHECK(sio_http_head_ready(r, n, n - 3) == 1);
    CHECK(sio_http_head_ready(r, n - 1, n - 2) == 0);
    CHECK(sio_http_head_ready(s, strlen(s), strlen(s) - 1) == 1);
    CHECK(sio_http_head_ready(s, strlen(s) - 1, 0) == 0);
    CHECK(sio_http_head_ready(r, 0, 0) == 0);
    CHECK(sio_http_head_ready(r, n, n + 5) == 1);
    group_end("head_ready");
}

static void test_responses(void) {
    sio_http_msg m;
    int rc;
    size_t k;
    const char *a = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 5\r\n\r\n0{}\x1e" "6";
    const char *b = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    const char *c = "HTTP/1.0 404 Not Found\nConnection: keep-alive\n\n";
    const char *d = "HTTP/1.1 204\r\n\r\n";
    const char *e = "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n";
    const char *f = "HTTP/1.1 599 Whatever \t odd\xff\r\n\r\n";

    group_begin();
    rc = sio_http_parse_response(a, strlen(a), &m);
    CHECK(rc == (int)strlen(a) - 5 && m.status == 200 && str_is(m.reason, "OK"));
    CHECK(m.content_length == 5 && m.keep_alive && m.minor_version == 1);
    for (k = 0; k < (size_t)rc; k++) CHECK(sio_http_parse_response(a, k, &m) == 0);
    rc = sio_http_parse_response(b, strlen(b), &m);
    CHECK(rc == (int)strlen(b) && m.status == 101 && m.upgrade_websocket);
    CHECK(str_is(m.reason, "Switching Protocols"));
    CHECK(str_is(sio_http_header_get(&m, "sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    for (k = 0; k < (size_t)rc; k++) CHECK(sio_http_parse_response(b, k, &m) == 0);
    rc = sio_http_parse_response(c, strlen(c), &m);
    CHECK(rc == (int)strlen(c) && m.status == 404 && m.minor_version == 0 && m.keep_alive == 1);
    CHECK(str_is(sio_http_header_get(&m, "connection"), "keep-alive"));
    for (k = 0; k < (size_t)rc; k++) CHECK(sio_http_parse_response(c, k, &m) == 0);
    rc = sio_http_parse_response(d, strlen(d), &m);
    CHECK(rc == (int)strlen(d) && m.status == 204 && m.reason.len == 0);
    rc = sio_http_parse_response(e, strlen(e), &m);
    CHECK(rc == (int)strlen(e) && m.chunked && m.content_length == -1 && m.reason.len == 0);
    rc = sio_http_parse_response(f, strlen(f), &m);
    CHECK(rc == (int)strlen(f) && m.status == 599 && str_is(m.reason, "Whatever \t odd\xff"));
    CHECK(views_inside(f, strlen(f), &m));
    group_end("responses: status lines, 101, bare LF");

    group_begin();
    {
        static const char *bad[] = {
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1  200 OK\r\n\r\n",
            "HTTP/1.1 099 OK\r\n\r\n",
            "HTTP/1.1 abc OK\r\n\r\n",
            "HTTP/1.1 200 O\x01K\r\n\r\n",
            "http/1.1 200 OK\r\n\r\n",
            "HTTP/1.1200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nA b\r\n\r\n",
            "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
            "HTTP/1.1 200 OK\rX\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        };
        static const char *unsup[] = {
            "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            rc = sio_http_parse_response(bad[i], strlen(bad[i]), &m);
            if (rc != SIO_ERR_PARSE) { g_group_bad = 1; printf("#   bad response %u: %d\n", (unsigned)i, rc); }
        }
        for (i = 0; i < sizeof unsup / sizeof unsup[0]; i++) {
            rc = sio_http_parse_response(unsup[i], strlen(unsup[i]), &m);
            if (rc != SIO_ERR_UNSUPPORTED) { g_group_bad = 1; printf("#   unsupported response %u: %d\n", (unsigned)i, rc); }
        }
        CHECK(sio_http_parse_response(NULL, 3, &m) == SIO_ERR_INVALID);
        CHECK(sio_http_parse_response("HTTP", 4, NULL) == SIO_ERR_INVALID);
    }
    group_end("malformed responses");
}

/* Decodes `in` fed in pieces: the input is cut at `cut1` and `cut2`
   (each piece appended to what the decoder left unconsumed), collecting
   the output. Returns the final decoder result. */
static int chunked_feed(const char *in, size_t len, size_t step, size_t cut, char *out, size_t *out_total, size_t *used) {
    char work[1024];
    size_t have = 0, fed = 0, consumed, produced;
    sio_http_chunked st;
    int rc = 0;
    memset(&st, 0, sizeof st);
    *out_total = 0;
    *used = 0;
    while (fed < len || have) {
        size_t n = step ? step : len;
        if (cut && fed < cut) n = cut - fed;
        if (n > len - fed) n = len - fed;
        memcpy(work + have, in + fed, n);
        have += n;
        fed += n;
        rc = sio_http_chunked_decode(&st, work, have, &consumed, &produced);
        if (produced > consumed) return -999;
        memcpy(out + *out_total, work, produced);
        *out_total += produced;
        *used += consumed;
        memmove(work, work + consumed, have - consumed);
        have -= consumed;
        if (rc != 0) return rc;
        if (have) return -998; /* "need more" must eat everything */
        if (fed == len) break;
    }
    return rc;
}

static void test_chunked(void) {
    const char *body = "4\r\nWiki\r\n5;name=val;x=\"q s\"\r\npedia\r\nE \t\r\n in\r\n\r\nchunks.\r\n"
                       "0\r\nTrailer-A: 1\r\nB:\t2\r\n\r\nNEXT";
    const char *want = "Wikipedia in\r\n\r\nchunks.";
    size_t len = strlen(body), wl = strlen(want), cut, step, got, used;
    char out[1024];
    int rc;

    group_begin();
    rc = chunked_feed(body, len, 0, 0, out, &got, &used);
    CHECK(rc == 1 && got == wl && memcmp(out, want, wl) == 0 && used == len - 4);
    for (cut = 1; cut < len; cut++) {
        rc = chunked_feed(body, len, 0, cut, out, &got, &used);
        if (!(rc == 1 && got == wl && memcmp(out, want, wl) == 0 && used == len - 4)) {
            printf("#   split at %u: rc %d\n", (unsigned)cut, rc);
            g_group_bad = 1;
        }
    }
    for (step = 1; step < 8; step++) {
        rc = chunked_feed(body, len, step, 0, out, &got, &used);
        CHECK(rc == 1 && got == wl && memcmp(out, want, wl) == 0 && used == len - 4);
    }
    group_end("chunked body split at every position");

    group_begin();
    {
        char buf[64];
        size_t consumed, produced;
        sio_http_chunked st;
        memset(&st, 0, sizeof st);
        memcpy(buf, "0\r\n\r\n", 5);
        CHECK(sio_http_chunked_decode(&st, buf, 5, &consumed, &produced) == 1 && consumed == 5 && produced == 0);
        /* done is sticky and eats nothing more */
        CHECK(sio_http_chunked_decode(&st, buf, 5, &consumed, &produced) == 1 && consumed == 0);
        memset(&st, 0, sizeof st);
        CHECK(sio_http_chunked_decode(&st, buf, 0, &consumed, &produced) == 0 && consumed == 0);
        memset(&st, 0, sizeof st);
        memcpy(buf, "00000A\r\n0123456789\r\n0\r\n\r\n", 25);
        CHECK(sio_http_chunked_decode(&st, buf, 25, &consumed, &produced) == 1 && produced == 10);
        CHECK(memcmp(buf, "0123456789", 10) == 0);
    }
    group_end("chunked edge cases");

    group_begin();
    {
        static const char *bad[] = {
            "\r\n", "x\r\n", "-1\r\n", " 1\r\na\r\n", "1 1\r\n", "1\n", "1\r\r", "1\r\nab\r\n",
            "1\r\na\n", "1\r\naXX", "1;\x01\r\n", "0\r\nbad\x01\r\n\r\n", "0\r\n folded\r\n\r\n",
            "0\r\n\n", "0\r\nA: b\n", "0\r\n\rX", ";x\r\n", "1x\r\n",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            rc = chunked_feed(bad[i], strlen(bad[i]), 0, 0, out, &got, &used);
            if (rc != SIO_ERR_PARSE) { g_group_bad = 1; printf("#   chunked bad %u: %d\n", (unsigned)i, rc); }
            rc = chunked_feed(bad[i], strlen(bad[i]), 1, 0, out, &got, &used);
            if (rc != SIO_ERR_PARSE) { g_group_bad = 1; printf("#   chunked bad %u bytewise: %d\n", (unsigned)i, rc); }
        }
        /* sticky error */
        {
            char buf[8];
            size_t consumed, produced;
            sio_http_chunked st;
            memset(&st, 0, sizeof st);
            memcpy(buf, "z0\r\n\r\n", 6);
            CHECK(sio_http_chunked_decode(&st, buf, 6, &consumed, &produced) == SIO_ERR_PARSE);
            CHECK(sio_http_chunked_decode(&st, buf + 1, 5, &consumed, &produced) == SIO_ERR_PARSE);
        }
    }
    group_end("chunked malformed");

    group_begin();
    {
        static char big[10000];
        size_t consumed, produced, n;
        sio_http_chunked st;
        /* 17 hex digits overflow 64 bits */
        memset(&st, 0, sizeof st);
        memcpy(big, "10000000000000000\r\n", 19);
        CHECK(sio_http_chunked_decode(&st, big, 19, &consumed, &produced) == SIO_ERR_TOO_BIG);
        memset(&st, 0, sizeof st);
        memcpy(big, "FFFFFFFFFFFFFFFF\r\n", 18);
        CHECK(sio_http_chunked_decode(&st, big, 18, &consumed, &produced) == 0 && consumed == 18);
        CHECK(st.remaining == (unsigned long long)-1);
        /* an endless extension */
        memset(&st, 0, sizeof st);
        big[0] = '1'; big[1] = ';';
        memset(big + 2, 'e', sizeof big - 2);
        CHECK(sio_http_chunked_decode(&st, big, sizeof big, &consumed, &produced) == SIO_ERR_TOO_BIG);
        CHECK(consumed <= 4097);
        /* long leading zeros are fine up to the line limit */
        memset(&st, 0, sizeof st);
        memset(big, '0', 4000);
        memcpy(big + 4000, "1\r\nZ\r\n0\r\n\r\n", 11);
        CHECK(sio_http_chunked_decode(&st, big, 4011, &consumed, &produced) == 1 && produced == 1 && big[0] == 'Z');
        /* endless trailers */
        memset(&st, 0, sizeof st);
        memcpy(big, "0\r\n", 3);
        for (n = 3; n + 6 < sizeof big; n += 6) memcpy(big + n, "T: x\r\n", 6);
        CHECK(sio_http_chunked_decode(&st, big, n, &consumed, &produced) == SIO_ERR_TOO_BIG);
    }
    group_end("chunked limits");
}

static void test_query(void) {
    const char *q = "EIO=4&transport=polling&t=N8hyd6w&sid=a%2Bb&flag&&empty=&x=1=2&EIO=3";
    sio_str qs, v;
    qs.ptr = q;
    qs.len = strlen(q);
    group_begin();
    CHECK(sio_http_query_get(qs, "EIO", &v) == 1 && str_is(v, "4"));
    CHECK(sio_http_query_get(qs, "transport", &v) == 1 && str_is(v, "polling"));
    CHECK(sio_http_query_get(qs, "sid", &v) == 1 && str_is(v, "a%2Bb"));
    CHECK(sio_http_query_get(qs, "flag", &v) == 1 && v.len == 0 && v.ptr != NULL);
    CHECK(sio_http_query_get(qs, "empty", &v) == 1 && v.len == 0);
    CHECK(sio_http_query_get(qs, "x", &v) == 1 && str_is(v, "1=2"));
    CHECK(sio_http_query_get(qs, "t", NULL) == 1);
    CHECK(sio_http_query_get(qs, "eio", &v) == 0);
    CHECK(sio_http_query_get(qs, "trans", &v) == 0);
    CHECK(sio_http_query_get(qs, "", &v) == 0);
    CHECK(sio_http_query_get(qs, NULL, &v) == 0);
    qs.len = 0;
    CHECK(sio_http_query_get(qs, "EIO", &v) == 0);
    qs.ptr = NULL;
    CHECK(sio_http_query_get(qs, "EIO", &v) == 0);
    qs.ptr = "a=1&";
    qs.len = 4;
    CHECK(sio_http_query_get(qs, "a", &v) == 1 && str_is(v, "1"));
    qs.ptr = "&=v&b";
    qs.len = 5;
    CHECK(sio_http_query_get(qs, "", &v) == 0);
    CHECK(sio_http_query_get(qs, "b", &v) == 1 && v.len == 0);
    group_end("query lookup");
}

static void test_url_decode(void) {
    char out[64];
    size_t n;
    group_begin();
    n = sio_http_url_decode("a%20b+c%2Bd", 11, out, sizeof out, 1);
    CHECK(n == 7 && strcmp(out, "a b c+d") == 0);
    n = sio_http_url_decode("a%20b+c", 7, out, sizeof out, 0);
    CHECK(n == 5 && strcmp(out, "a b+c") == 0);
    n = sio_http_url_decode("%zz%4%%41%e9%C3%A9", 18, out, sizeof out, 0);
    CHECK(n == 10 && memcmp(out, "%zz%4%A\xe9\xc3\xa9", 11) == 0);
    n = sio_http_url_decode("ab%4", 4, out, sizeof out, 0);
    CHECK(n == 4 && strcmp(out, "ab%4") == 0);
    n = sio_http_url_decode("ab%", 3, out, sizeof out, 0);
    CHECK(n == 3 && strcmp(out, "ab%") == 0);
    n = sio_http_url_decode("x%00y", 5, out, sizeof out, 0);
    CHECK(n == 3 && out[0] == 'x' && out[1] == '\0' && out[2] == 'y' && out[3] == '\0');
    /* truncation: like snprintf */
    memset(out, 'Z', sizeof out);
    n = sio_http_url_decode("hello%21", 8, out, 4, 0);
    CHECK(n == 6 && strcmp(out, "hel") == 0 && out[4] == 'Z');
    n = sio_http_url_decode("hello", 5, out, 1, 0);
    CHECK(n == 5 && out[0] == '\0');
    n = sio_http_url_decode("hello", 5, NULL, 0, 0);
    CHECK(n == 5);
    n = sio_http_url_decode("", 0, out, sizeof out, 0);
    CHECK(n == 0 && out[0] == '\0');
    /* only n bytes are read, even with more after them */
    n = sio_http_url_decode("%4142", 2, out, sizeof out, 0);
    CHECK(n == 2 && strcmp(out, "%4") == 0);
    /* in place */
    strcpy(out, "a%2Fb%2fc+");
    n = sio_http_url_decode(out, strlen(out), out, sizeof out, 1);
    CHECK(n == 6 && strcmp(out, "a/b/c ") == 0);
    group_end("url decode");
}

static void test_writer(void) {
    sio_buf b;
    memset(&b, 0, sizeof b);
    group_begin();
    CHECK(strcmp(sio_http_reason(200), "OK") == 0);
    CHECK(strcmp(sio_http_reason(400), "Bad Request") == 0);
    CHECK(strcmp(sio_http_reason(413), "Payload Too Large") == 0);
    CHECK(strcmp(sio_http_reason(101), "Switching Protocols") == 0);
    CHECK(strcmp(sio_http_reason(431), "Request Header Fields Too Large") == 0);
    CHECK(strcmp(sio_http_reason(418), "Client Error") == 0);
    CHECK(strcmp(sio_http_reason(0), "Unknown") == 0);
    CHECK(strcmp(sio_http_reason(-5), "Unknown") == 0);

    CHECK(sio_http_write_head(&b, 200, "text/plain; charset=UTF-8", 2, "Cache-Control: no-store\r\n") == SIO_OK);
    CHECK(b.len == strlen("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 2\r\n"
                          "Cache-Control: no-store\r\n\r\n"));
    CHECK(memcmp(b.data, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 2\r\n"
                         "Cache-Control: no-store\r\n\r\n", b.len) == 0);
    {
        sio_http_msg m;
        int rc = sio_http_parse_response(b.data, b.len, &m);
        CHECK(rc == (int)b.len && m.status == 200 && m.content_length == 2);
        CHECK(str_is(sio_http_header_get(&m, "cache-control"), "no-store"));
    }
    sio_buf_reset(&b);
    CHECK(sio_http_write_head(&b, 101, NULL, -1, "Upgrade: websocket\r\nConnection: Upgrade\r\n") == SIO_OK);
    CHECK(b.len == strlen("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
    sio_buf_reset(&b);
    CHECK(sio_http_write_head(&b, 204, NULL, -1, NULL) == SIO_OK);
    CHECK(b.len == 27 && memcmp(b.data, "HTTP/1.1 204 No Content\r\n\r\n", 27) == 0);
    sio_buf_reset(&b);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "") == SIO_OK);
    CHECK(b.len == 38 && memcmp(b.data, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38) == 0);
    sio_buf_reset(&b);
    CHECK(sio_http_write_head(&b, 99, NULL, 0, NULL) == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 1000, NULL, 0, NULL) == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, "text/html\r\nX: y", 0, NULL) == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "X: y") == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "X: y\n") == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "X: y\r\n\r\n") == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "\r\n") == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(&b, 200, NULL, 0, "X: y\rZ\r\n") == SIO_ERR_INVALID);
    CHECK(sio_http_write_head(NULL, 200, NULL, 0, NULL) == SIO_ERR_INVALID);
    CHECK(b.len == 0);
    sio_buf_free(&b);
    /* a capped buffer reports the overflow and keeps no half head */
    memset(&b, 0, sizeof b);
    b.max = 20;
    CHECK(sio_http_write_head(&b, 200, "text/plain", 10, NULL) == SIO_ERR_TOO_BIG);
    CHECK(b.len == 0);
    sio_buf_free(&b);
    group_end("reason phrases and head writer");
}

int main(void) {
    test_good_requests();
    test_pipelined();
    test_bad_requests();
    test_limits();
    test_head_ready();
    test_responses();
    test_chunked();
    test_query();
    test_url_decode();
    test_writer();
    printf("# pass %d\n# fail %d\n", g_pass, g_fail);
    return g_fail > 0 ? 1 : 0;
}
