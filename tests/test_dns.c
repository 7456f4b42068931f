/* The client's name resolution as pure functions over bytes: the DNS
   query builder, the answer parser (compression, CNAME chains, truncated
   and malformed answers, spoofed ids and questions), the /etc/hosts and
   resolv.conf parsers, and "ip:port" for desc.dns_server. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int passes, fails, checks_failed;
#define CHECK(c) do { if (!(c)) { checks_failed++; fprintf(stderr, "  check failed line %d: %s\n", __LINE__, #c); } } while (0)
static void group(const char *name) {
    if (checks_failed) { fails++; printf("not ok %d - %s\n", passes + fails, name); }
    else { passes++; printf("ok %d - %s\n", passes + fails, name); }
    checks_failed = 0;
}

/* A response under construction: the query, QR set, then records. */
typedef struct msg { unsigned char b[1024]; size_t n; } msg;

static void put(msg *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }
static void put16(msg *m, unsigned v) { m->b[m->n++] = (unsigned char)(v >> 8); m->b[m->n++] = (unsigned char)v; }

static void response(msg *m, unsigned id, const char *name, int qtype, int rcode) {
    int n = sio__dns_query(m->b, sizeof m->b, id, name, qtype);
    m->n = n > 0 ? (size_t)n : 0;
    m->b[2] |= 0x80;          /* QR */
    m->b[3] = (unsigned char)(0x80 | rcode);   /* RA */
}

static void ancount(msg *m, unsigned n) { m->b[6] = (unsigned char)(n >> 8); m->b[7] = (unsigned char)n; }

/* A record whose owner is given as raw bytes (a name or a pointer). */
static void rr(msg *m, const void *owner, size_t olen, unsigned type, const void *rdata, size_t rdlen) {
    put(m, owner, olen);
    put16(m, type);
    put16(m, 1);
    put16(m, 0); put16(m, 300);   /* TTL */
    put16(m, (unsigned)rdlen);
    put(m, rdata, rdlen);
}

static const unsigned char ptr_q[2] = {0xC0, 12};   /* the question's name */

static int has(const sio__addrs *a, int i, const char *text, int port) {
    char buf[64];
    const struct sockaddr_storage *ss = &a->a[i];
    if (i >= a->n) return 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)ss;
        inet_ntop(AF_INET, &s->sin_addr, buf, sizeof buf);
        return strcmp(buf, text) == 0 && ntohs(s->sin_port) == port;
    } else {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof buf);
        return strcmp(buf, text) == 0 && ntohs(s->sin6_port) == port;
    }
}

static int answer(const msg *m, unsigned id, const char *name, int qtype, sio__addrs *out) {
    out->n = 0;
    return sio__dns_answer(m->b, m->n, id, name, qtype, 80, out);
}

int main(void) {
    unsigned char q[SIO__DNS_MAX_QUERY];
    msg m;
    sio__addrs a;
    int n;
    size_t i;

    /* ---- query builder ---- */
    n = sio__dns_query(q, sizeof q, 0xBEEF, "myhost.test", SIO__DNS_AAAA);
    {
        static const unsigned char want[] = {0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                             6, 'm', 'y', 'h', 'o', 's', 't', 4, 't', 'e', 's', 't', 0,
                                             0, 28, 0, 1};
        CHECK(n == (int)sizeof want && memcmp(q, want, sizeof want) == 0);
    }
    CHECK(sio__dns_query(q, sizeof q, 1, "myhost.test.", 1) == n);   /* trailing dot: same name */
    CHECK(sio__dns_query(q, sizeof q, 1, "a", 1) == 12 + 3 + 4);
    group("query: header, labels, type and class as RFC 1035 4.1");

    {
        char l63[64], l64[65], longname[300];
        memset(l63, 'a', 63); l63[63] = 0;
        memset(l64, 'a', 64); l64[64] = 0;
        CHECK(sio__dns_query(q, sizeof q, 1, l63, 1) > 0);
        CHECK(sio__dns_query(q, sizeof q, 1, l64, 1) == SIO_ERR_INVALID);
        for (i = 0; i < 4; i++) memcpy(longname + i * 64, l63, 63), longname[i * 64 + 63] = '.';
        longname[4 * 64 - 1] = 0;   /* 255 bytes: one too many */
        CHECK(sio__dns_query(q, sizeof q, 1, longname, 1) == SIO_ERR_INVALID);
        longname[4 * 64 - 3] = 0;   /* 253 bytes: the longest */
        CHECK(sio__dns_query(q, sizeof q, 1, longname, 1) > 0);
        CHECK(sio__dns_query(q, sizeof q, 1, "", 1) == SIO_ERR_INVALID);
        CHECK(sio__dns_query(q, sizeof q, 1, ".", 1) == SIO_ERR_INVALID);
        CHECK(sio__dns_query(q, sizeof q, 1, "a..b", 1) == SIO_ERR_INVALID);
        CHECK(sio__dns_query(q, sizeof q, 1, ".a", 1) == SIO_ERR_INVALID);
        CHECK(sio__dns_query(q, sizeof q, 1, "a..", 1) == SIO_ERR_INVALID);
        CHECK(sio__dns_query(q, 20, 1, "myhost.test", 1) == SIO_ERR_INVALID);   /* no room */
    }
    group("query: names DNS cannot carry are refused");

    /* ---- answers ---- */
    response(&m, 0x1234, "myhost.test", SIO__DNS_A, 0);
    ancount(&m, 2);
    rr(&m, ptr_q, 2, SIO__DNS_A, "\x7f\0\0\x01", 4);
    rr(&m, ptr_q, 2, SIO__DNS_A, "\x0a\0\0\x02", 4);
    CHECK(answer(&m, 0x1234, "myhost.test", SIO__DNS_A, &a) == 2);
    CHECK(has(&a, 0, "127.0.0.1", 80) && has(&a, 1, "10.0.0.2", 80));
    CHECK(answer(&m, 0x1234, "MyHost.TEST.", SIO__DNS_A, &a) == 2);   /* names compare without case */
    group("A answer with compressed owner names, in answer order");

    response(&m, 7, "myhost.test", SIO__DNS_AAAA, 0);
    ancount(&m, 1);
    rr(&m, ptr_q, 2, SIO__DNS_AAAA, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    CHECK(answer(&m, 7, "myhost.test", SIO__DNS_AAAA, &a) == 1 && has(&a, 0, "::1", 80));
    group("AAAA answer");

    /* www.test -> alias.test (pointer into the CNAME data) -> 127.0.0.2,
       with records out of order and one for another name */
    response(&m, 9, "www.test", SIO__DNS_A, 0);
    ancount(&m, 4);
    {
        size_t cname_rdata;
        unsigned char other[] = {5, 'o', 't', 'h', 'e', 'r', 0xC0, 16};   /* other.test */
        rr(&m, other, sizeof other, SIO__DNS_A, "\x01\x01\x01\x01", 4);
        /* the CNAME: www.test -> "alias" + pointer to "test" of the question */
        cname_rdata = m.n + 2 + 10;
        rr(&m, ptr_q, 2, SIO__DNS_CNAME, "\x05" "alias\xC0\x10", 8);
        {
            unsigned char p2[2];
            p2[0] = 0xC0; p2[1] = (unsigned char)cname_rdata;   /* owner: alias.test by pointer */
            rr(&m, p2, 2, SIO__DNS_A, "\x7f\0\0\x02", 4);
        }
        rr(&m, ptr_q, 2, SIO__DNS_A, "\x09\x09\x09\x09", 4);   /* www.test A beside a CNAME: not the chain's end */
    }
    CHECK(answer(&m, 9, "www.test", SIO__DNS_A, &a) == 1 && has(&a, 0, "127.0.0.2", 80));
    group("CNAME chain followed inside one answer (pointers in data and owners)");

    /* a CNAME loop ends after SIO_DNS_MAX_CNAME hops with no address */
    response(&m, 9, "a.test", SIO__DNS_A, 0);
    ancount(&m, 2);
    {
        size_t first = m.n + 2 + 10;
        unsigned char p2[2];
        rr(&m, ptr_q, 2, SIO__DNS_CNAME, "\x01" "b\xC0\x0e", 4);   /* a.test -> b.test */
        p2[0] = 0xC0; p2[1] = (unsigned char)first;
        rr(&m, p2, 2, SIO__DNS_CNAME, ptr_q, 2);                   /* b.test -> a.test */
    }
    CHECK(answer(&m, 9, "a.test", SIO__DNS_A, &a) == 0);
    group("CNAME loop: no address, no hang");

    response(&m, 5, "none.test", SIO__DNS_A, 0);
    CHECK(answer(&m, 5, "none.test", SIO__DNS_A, &a) == 0);
    response(&m, 5, "nosuch.test", SIO__DNS_A, 3);
    CHECK(answer(&m, 5, "nosuch.test", SIO__DNS_A, &a) == SIO__DNS_NXDOMAIN);
    response(&m, 5, "x.test", SIO__DNS_A, 2);
    CHECK(answer(&m, 5, "x.test", SIO__DNS_A, &a) == SIO__DNS_FAILED);
    response(&m, 5, "x.test", SIO__DNS_A, 5);
    CHECK(answer(&m, 5, "x.test", SIO__DNS_A, &a) == SIO__DNS_FAILED);
    group("no records, NXDOMAIN, SERVFAIL and REFUSED told apart");

    response(&m, 5, "myhost.test", SIO__DNS_A, 0);
    ancount(&m, 1);
    rr(&m, ptr_q, 2, SIO__DNS_A, "\x7f\0\0\x01", 4);
    CHECK(answer(&m, 6, "myhost.test", SIO__DNS_A, &a) == SIO__DNS_NOT_OURS && a.n == 0);   /* id */
    CHECK(answer(&m, 5, "other.test", SIO__DNS_A, &a) == SIO__DNS_NOT_OURS);               /* name */
    CHECK(answer(&m, 5, "myhost.test", SIO__DNS_AAAA, &a) == SIO__DNS_NOT_OURS);           /* type */
    m.b[2] &= 0x7F;
    CHECK(answer(&m, 5, "myhost.test", SIO__DNS_A, &a) == SIO__DNS_NOT_OURS);              /* a query */
    m.b[2] |= 0x80;
    m.b[2] |= 0x02;
    CHECK(answer(&m, 5, "myhost.test", SIO__DNS_A, &a) == SIO__DNS_TRUNCATED && a.n == 0);
    m.b[2] &= (unsigned char)~0x02;
    CHECK(answer(&m, 5, "myhost.test", SIO__DNS_A, &a) == 1);
    group("wrong id, question or type ignored; truncated ignored");

    {
        msg t = m;
        size_t cut;
        int bad = 0;
        for (cut = 0; cut < m.n; cut++) {
            int rc = sio__dns_answer(t.b, cut, 5, "myhost.test", SIO__DNS_A, 80, &a);
            a.n = 0;
            if (rc >= 0) bad++;
        }
        CHECK(bad == 0);
        t.b[m.n - 5] = 16;   /* rdlength 4 -> 16: past the end */
        CHECK(sio__dns_answer(t.b, m.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD);
    }
    {
        msg t;
        static const unsigned char loop_ptr[2] = {0xC0, 29};   /* points at itself */
        response(&t, 5, "myhost.test", SIO__DNS_A, 0);
        ancount(&t, 1);
        rr(&t, loop_ptr, 2, SIO__DNS_A, "\x7f\0\0\x01", 4);
        a.n = 0;
        CHECK(sio__dns_answer(t.b, t.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD && a.n == 0);
        response(&t, 5, "myhost.test", SIO__DNS_A, 0);
        ancount(&t, 1);
        rr(&t, "\xC3\xFF", 2, SIO__DNS_A, "\x7f\0\0\x01", 4);   /* pointer past the end */
        CHECK(sio__dns_answer(t.b, t.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD);
        response(&t, 5, "myhost.test", SIO__DNS_A, 0);
        ancount(&t, 1);
        rr(&t, "\x40x", 2, SIO__DNS_A, "\x7f\0\0\x01", 4);      /* extended label type */
        CHECK(sio__dns_answer(t.b, t.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD);
        response(&t, 5, "myhost.test", SIO__DNS_A, 0);
        ancount(&t, 3);   /* says 3, holds 1 */
        rr(&t, ptr_q, 2, SIO__DNS_A, "\x7f\0\0\x01", 4);
        CHECK(sio__dns_answer(t.b, t.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD && a.n == 0);
        response(&t, 5, "myhost.test", SIO__DNS_A, 0);
        ancount(&t, 1);
        rr(&t, ptr_q, 2, SIO__DNS_A, "\x7f\0\0", 3);            /* A of 3 bytes: skipped */
        CHECK(sio__dns_answer(t.b, t.n, 5, "myhost.test", SIO__DNS_A, 80, &a) == 0);
        CHECK(sio__dns_answer(t.b, 11, 5, "myhost.test", SIO__DNS_A, 80, &a) == SIO__DNS_BAD);
    }
    group("malformed answers: every truncation, bad lengths, pointer loops and strays");

    {
        sio__addrs many;
        msg t;
        response(&t, 5, "many.test", SIO__DNS_A, 0);
        ancount(&t, 20);
        for (i = 0; i < 20; i++) {
            unsigned char ip[4] = {10, 0, 0, 0};
            ip[3] = (unsigned char)i;
            rr(&t, ptr_q, 2, SIO__DNS_A, ip, 4);
        }
        many.n = 0;
        CHECK(sio__dns_answer(t.b, t.n, 5, "many.test", SIO__DNS_A, 80, &many) == SIO_CLIENT_MAX_ADDRS);
        CHECK(many.n == SIO_CLIENT_MAX_ADDRS && has(&many, 0, "10.0.0.0", 80));
    }
    group("at most SIO_CLIENT_MAX_ADDRS addresses kept");

    /* ---- /etc/hosts ---- */
    {
        static const char hosts[] =
            "# comment line\n"
            "127.0.0.1\tlocalhost\n"
            "127.0.1.1 box.example box   # this machine\n"
            "::1     localhost ip6-localhost ip6-loopback\r\n"
            "   \n"
            "10.1.2.3 two.test\n"
            "fd00::5 two.test\n"
            "bogus two.test\n"
            "#10.9.9.9 two.test\n"
            "10.0.0.9 last.test";   /* no final newline */
        a.n = 0;
        CHECK(sio__hosts_find(hosts, strlen(hosts), "localhost", 3000, &a) == 2);
        CHECK(has(&a, 0, "::1", 3000) && has(&a, 1, "127.0.0.1", 3000));
        a.n = 0;
        CHECK(sio__hosts_find(hosts, strlen(hosts), "BOX", 1, &a) == 1 && has(&a, 0, "127.0.1.1", 1));
        a.n = 0;
        CHECK(sio__hosts_find(hosts, strlen(hosts), "two.test", 1, &a) == 2);
        CHECK(has(&a, 0, "fd00::5", 1) && has(&a, 1, "10.1.2.3", 1));
        a.n = 0;
        CHECK(sio__hosts_find(hosts, strlen(hosts), "last.test", 1, &a) == 1);
        a.n = 0;
        CHECK(sio__hosts_find(hosts, strlen(hosts), "comment", 1, &a) == 0);
        CHECK(sio__hosts_find(hosts, strlen(hosts), "this", 1, &a) == 0);
        CHECK(sio__hosts_find(hosts, strlen(hosts), "ip6", 1, &a) == 0);
        CHECK(sio__hosts_find("", 0, "localhost", 1, &a) == 0);
    }
    group("/etc/hosts: both families (IPv6 first), comments, CRLF, no final newline");

    /* ---- resolv.conf ---- */
    {
        static const char conf[] =
            "# generated\n"
            "search example.com\n"
            "nameserver 10.0.0.53\n"
            "nameserver\t2001:db8::53   # v6\n"
            ";nameserver 9.9.9.9\n"
            "options timeout:1\n"
            "nameserver not-an-address\n"
            "nameserver 10.0.0.54\n"
            "nameserver 10.0.0.55\n";
        CHECK(sio__resolv_parse(conf, strlen(conf), &a) == 3);
        CHECK(has(&a, 0, "10.0.0.53", 53) && has(&a, 1, "2001:db8::53", 53) && has(&a, 2, "10.0.0.54", 53));
        CHECK(sio__resolv_parse("", 0, &a) == 0);
        CHECK(sio__resolv_parse("nameserver", 10, &a) == 0);
    }
    group("resolv.conf: nameserver lines, both families, at most SIO_DNS_MAX_SERVERS");

    /* ---- literals and ip:port ---- */
    a.n = 0;
    CHECK(sio__addr_literal("127.0.0.1", 80, &a) == 1 && has(&a, 0, "127.0.0.1", 80));
    CHECK(sio__addr_literal("::1", 81, &a) == 1 && has(&a, 1, "::1", 81));
    CHECK(sio__addr_literal("fe80::1%1", 81, &a) == 1 && a.n == 3);
    CHECK(sio__addr_literal("fe80::1%no-such-if0", 81, &a) == -1);
    CHECK(sio__addr_literal("myhost.test", 81, &a) == 0);
    CHECK(sio__addr_literal("1.2.3", 81, &a) == 0);
    CHECK(sio__hostport_parse("127.0.0.1:5353", &a) == SIO_OK && a.n == 1 && has(&a, 0, "127.0.0.1", 5353));
    CHECK(sio__hostport_parse("[::1]:53", &a) == SIO_OK && has(&a, 0, "::1", 53));
    CHECK(sio__hostport_parse("::1:53", &a) == SIO_ERR_INVALID);
    CHECK(sio__hostport_parse("127.0.0.1", &a) == SIO_ERR_INVALID);
    CHECK(sio__hostport_parse("127.0.0.1:0", &a) == SIO_ERR_INVALID);
    CHECK(sio__hostport_parse("127.0.0.1:65536", &a) == SIO_ERR_INVALID);
    CHECK(sio__hostport_parse("host:53", &a) == SIO_ERR_INVALID);
    CHECK(sio__hostport_parse("[::1]53", &a) == SIO_ERR_INVALID);
    group("address literals and dns_server \"ip:port\"");

    /* ---- create: names never fail, bad syntax does ---- */
    {
        sio_client_desc d;
        sio_client *c;
        int err = 0;
        memset(&d, 0, sizeof d);
        d.no_reconnection = 1;
        d.dns_server = "127.0.0.1:9";
        d.url = "http://nosuch.invalid:1";
        c = sio_client_create(&d, &err);
        CHECK(c != NULL && err == SIO_OK);
        sio_client_destroy(c);
        d.url = "http://a..b:1";
        CHECK(sio_client_create(&d, &err) == NULL && err == SIO_ERR_INVALID);
        d.url = "http://[zz::1]:1";
        CHECK(sio_client_create(&d, &err) == NULL && err == SIO_ERR_INVALID);
        d.url = "http://x.test:1";
        d.dns_server = "nonsense";
        CHECK(sio_client_create(&d, &err) == NULL && err == SIO_ERR_INVALID);
    }
    group("sio_client_create: an unresolvable name starts, a bad one fails");

    printf("# pass %d\n# fail %d\n", passes, fails);
    return fails ? 1 : 0;
}
