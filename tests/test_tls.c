/* Tests of the TLS layer (BearSSL glue as a memory-buffer engine).
   Build (the test skips cleanly without SIO_TLS_BEARSSL):
       cc -std=c99 -Wall -Wextra -Wpedantic -Werror -DSIO_TLS_BEARSSL tests/test_tls.c -lbearssl -o test_tls
   Needs the openssl command at run time: it makes a CA, server
   certificates (RSA and EC) for "localhost", an expired one, one for
   another name, a self-signed one and a client certificate in a temp
   directory. Client and server engines then talk to each other in
   memory, through two bounded queues that stand in for the sockets.
   Prints one TAP-like line per check group and "# pass N" / "# fail M". */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#ifndef SIO_TLS_BEARSSL
int main(void) {
    printf("ok 1 - skipped: no bearssl (build with -DSIO_TLS_BEARSSL -lbearssl)\n# pass 1\n# fail 0\n");
    return 0;
}
#else

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

/* Counting allocator: every context and buffer goes through it, and all
   of it is given back. */
typedef struct counting { long live, total; } counting;
static void *c_alloc(size_t n, void *u) { ((counting *)u)->live++; ((counting *)u)->total++; return malloc(n); }
static void *c_realloc(void *p, size_t n, void *u) { if (!p) { ((counting *)u)->live++; ((counting *)u)->total++; } return realloc(p, n); }
static void c_free(void *p, void *u) { ((counting *)u)->live--; free(p); }
static counting g_count;
static sio_allocator g_alloc;

static char g_dir[64];
static char g_path[64][128];
static int g_npath;

static const char *P(const char *name) {
    char *p = g_path[g_npath++ % 64];
    snprintf(p, 128, "%s/%s", g_dir, name);
    return p;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    char *s;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = (char *)malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Every certificate the tests need, made by openssl. The expired one
   goes through `openssl ca`, the only portable way to set past dates. */
static int make_certs(void) {
    static const char script[] =
        "set -e\n"
        "exec >log.txt 2>&1\n"
        "printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' >srv.ext\n"
        "printf 'subjectAltName=DNS:other.example\\nbasicConstraints=CA:FALSE\\n' >other.ext\n"
        "printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=clientAuth\\n' >cli.ext\n"
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=sio-test-CA"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign\n"
        "openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj /CN=localhost\n"
        "openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile srv.ext -out rsa.pem\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr -subj /CN=localhost\n"
        "openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile srv.ext -out ec.pem\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.csr -subj /CN=other.example\n"
        "openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile other.ext -out other.pem\n"
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key -out self.pem -days 30"
        " -subj /CN=localhost -addext subjectAltName=DNS:localhost\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout cli.key -out cli.csr -subj /CN=sio-client\n"
        "openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile cli.ext -out cli.pem\n"
        "openssl req -newkey rsa:2048 -nodes -keyout clirsa.key -out clirsa.csr -subj /CN=sio-client-rsa\n"
        "openssl x509 -req -in clirsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile cli.ext -out clirsa.pem\n"
        "printf '[ca]\\ndefault_ca=t\\n[t]\\ndatabase=index.txt\\nnew_certs_dir=.\\nserial=ca.srl\\n"
        "default_md=sha256\\npolicy=p\\nunique_subject=no\\n[p]\\ncommonName=supplied\\n' >ca.cnf\n"
        ": >index.txt\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout exp.key -out exp.csr -subj /CN=localhost\n"
        "openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key -in exp.csr -out exp.pem"
        " -startdate 20200101000000Z -enddate 20200201000000Z -extfile srv.ext\n"
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes128 -pass pass:x -out enc.key\n"
        "mkdir cadir && cp ca.pem cadir/test-ca.pem && echo junk >cadir/junk.pem && echo x >cadir/notes.txt\n"
        "head -c 700 rsa.pem >trunc.pem\n"
        "cat rsa.pem ca.pem >chain.pem\n"
        "sed 's/$/\\r/' ca.pem >cacrlf.pem\n";
    char cmd[256];
    FILE *f;
    snprintf(cmd, sizeof cmd, "%s/make.sh", g_dir);
    f = fopen(cmd, "w");
    if (!f) return -1;
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd %s && sh make.sh", g_dir);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "cat %s/log.txt >&2", g_dir);
        if (system(cmd) != 0) { /* nothing more to say */ }
        return -1;
    }
    return 0;
}

static sio__tls_ctx *ctx_or_die(const sio_tls_config *cfg, int server) {
    sio__tls_ctx *c = NULL;
    char err[256];
    int rc = sio__tls_ctx_new(&g_alloc, cfg, server, &c, err, sizeof err);
    if (rc != SIO_OK) fprintf(stderr, "ctx_new: %d %s\n", rc, err);
    return c;
}

static sio__tls_ctx *server_ctx(const char *cert, const char *key, const char *ca) {
    sio_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.cert_file = P(cert);
    cfg.key_file = P(key);
    if (ca) cfg.ca_file = P(ca);
    return ctx_or_die(&cfg, 1);
}

static sio__tls_ctx *client_ctx(const char *ca, int insecure, const char *cert, const char *key) {
    sio_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (ca) cfg.ca_file = P(ca);
    cfg.insecure_skip_verify = insecure;
    if (cert) { cfg.cert_file = P(cert); cfg.key_file = P(key); }
    return ctx_or_die(&cfg, 0);
}

/* ---- the in-memory network ----------------------------------------- */

/* One direction of a connection: ciphertext leaves the sender's engine
   into a queue of at most qmax bytes (the socket buffers) and enters the
   receiver's engine from there, at most chunk bytes per move. */
typedef struct wire { unsigned char *q; size_t len, qmax, chunk; } wire;

static size_t wire_move(sio__tls *from, wire *w, sio__tls *to) {
    const unsigned char *out;
    unsigned char *in;
    size_t n, moved = 0, room;
    n = sio__tls_have_out(from, &out);
    room = w->qmax - w->len;
    if (n > room) n = room;
    if (n > w->chunk) n = w->chunk;
    if (n) {
        memcpy(w->q + w->len, out, n);
        w->len += n;
        sio__tls_sent_out(from, n);
        moved += n;
    }
    n = sio__tls_want_in(to, &in);
    if (n > w->len) n = w->len;
    if (n > w->chunk) n = w->chunk;
    if (n) {
        memcpy(in, w->q, n);
        memmove(w->q, w->q + n, w->len - n);
        w->len -= n;
        sio__tls_got_in(to, n);
        moved += n;
    }
    return moved;
}

typedef struct net { wire cs, sc; } net;

static void net_init(net *n, size_t qmax, size_t chunk) {
    n->cs.q = (unsigned char *)malloc(qmax);
    n->sc.q = (unsigned char *)malloc(qmax);
    n->cs.len = n->sc.len = 0;
    n->cs.qmax = n->sc.qmax = qmax;
    n->cs.chunk = n->sc.chunk = chunk;
}
static void net_free(net *n) { free(n->cs.q); free(n->sc.q); }

static size_t net_step(net *n, sio__tls *c, sio__tls *s) {
    return wire_move(c, &n->cs, s) + wire_move(s, &n->sc, c);
}

/* Runs the handshake until both sides are open, one fails, or nothing
   moves any more. Returns 1 when both are open. */
static int handshake(sio__tls *c, sio__tls *s, size_t chunk) {
    net n;
    long spins = 0;
    int ok;
    net_init(&n, 65536, chunk);
    for (;;) {
        size_t moved = net_step(&n, c, s);
        if (sio__tls_state(c) == 1 && sio__tls_state(s) == 1) break;
        if (sio__tls_state(c) < 0 || sio__tls_state(s) < 0) {
            /* let the alert reach the other side */
            while (net_step(&n, c, s)) {}
            break;
        }
        if (!moved && ++spins > 4) break;
        if (moved) spins = 0;
    }
    ok = sio__tls_state(c) == 1 && sio__tls_state(s) == 1;
    net_free(&n);
    return ok;
}

static int pair(sio__tls_ctx *cc, sio__tls_ctx *sc, const char *name, sio__tls **c, sio__tls **s, size_t chunk) {
    *c = sio__tls_new(cc, name);
    *s = sio__tls_new(sc, NULL);
    if (!*c || !*s) return -1;
    return handshake(*c, *s, chunk);
}

static void pattern(unsigned char *p, size_t n, unsigned seed) {
    size_t i;
    for (i = 0; i < n; i++) p[i] = (unsigned char)((i * 31u + seed + (i >> 9)) & 0xff);
}

/* Both ends send `size` bytes at once (like a WebSocket where both push)
   through queues of qmax bytes; returns 1 when both received it all
   intact, 0 on a stall or error. */
static int exchange2(sio__tls *c, sio__tls *s, size_t size, size_t back, size_t qmax, size_t chunk,
                     size_t wchunk) {
    unsigned char *src_c = (unsigned char *)malloc(size), *src_s = (unsigned char *)malloc(back + 1);
    unsigned char *dst_c = (unsigned char *)malloc(back + 1), *dst_s = (unsigned char *)malloc(size + 1);
    size_t wc = 0, ws = 0, rc = 0, rs = 0;
    int spins = 0, ok;
    net n;
    pattern(src_c, size, 1);
    pattern(src_s, back, 7);
    net_init(&n, qmax, chunk);
    while (rc < back || rs < size) {
        size_t moved = 0, k;
        if (wc < size) {
            k = sio__tls_write(c, src_c + wc, size - wc < wchunk ? size - wc : wchunk);
            wc += k; moved += k;
            sio__tls_flush(c);
        }
        if (ws < back) {
            k = sio__tls_write(s, src_s + ws, back - ws < wchunk ? back - ws : wchunk);
            ws += k; moved += k;
            sio__tls_flush(s);
        }
        moved += net_step(&n, c, s);
        k = sio__tls_read(s, dst_s + rs, size + 1 - rs); rs += k; moved += k;
        k = sio__tls_read(c, dst_c + rc, back + 1 - rc); rc += k; moved += k;
        if (sio__tls_state(c) != 1 || sio__tls_state(s) != 1) break;
        if (!moved && ++spins > 4) break;
        if (moved) spins = 0;
    }
    ok = rc == back && rs == size && memcmp(dst_c, src_s, back) == 0 && memcmp(dst_s, src_c, size) == 0;
    free(src_c); free(src_s); free(dst_c); free(dst_s);
    net_free(&n);
    return ok;
}

static int exchange(sio__tls *c, sio__tls *s, size_t size, size_t qmax, size_t chunk, size_t wchunk) {
#if SIO_TLS_BIDI
    return exchange2(c, s, size, size, qmax, chunk, wchunk);
#else
    /* half duplex: one direction at a time (see the stall test) */
    return exchange2(c, s, size, 0, qmax, chunk, wchunk) && exchange2(s, c, size, 0, qmax, chunk, wchunk);
#endif
}

/* ---- tests ---------------------------------------------------------- */

static void test_load(void) {
    sio_tls_config cfg;
    sio__tls_ctx *c = NULL;
    char err[256];
    char *pem_cert, *pem_key, *pem_ca, *pem_trunc;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.cert_file = P("rsa.pem"); cfg.key_file = P("rsa.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_OK && c);
    CHECK(c && c->key_type == BR_KEYTYPE_RSA && c->chain_len == 1 && c->ntas == 0);
    sio__tls_ctx_free(c); c = NULL;

    cfg.cert_file = P("chain.pem");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_OK && c && c->chain_len == 2);
    sio__tls_ctx_free(c); c = NULL;

    cfg.cert_file = P("ec.pem"); cfg.key_file = P("ec.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_OK && c);
    CHECK(c && c->key_type == BR_KEYTYPE_EC && c->issuer_key_type == BR_KEYTYPE_RSA);
    sio__tls_ctx_free(c); c = NULL;

    /* the same from memory */
    pem_cert = slurp(P("ec.pem")); pem_key = slurp(P("ec.key")); pem_ca = slurp(P("ca.pem"));
    pem_trunc = slurp(P("trunc.pem"));
    memset(&cfg, 0, sizeof cfg);
    cfg.cert_pem = pem_cert; cfg.key_pem = pem_key;
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_OK && c);
    sio__tls_ctx_free(c); c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = pem_ca;
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_OK && c && c->ntas == 1);
    CHECK(c && c->tas[0].flags == BR_X509_TA_CA);
    sio__tls_ctx_free(c); c = NULL;

    cfg.ca_pem = NULL;
    cfg.ca_file = P("cacrlf.pem"); /* Windows line ends */
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_OK && c && c->ntas == 1);
    sio__tls_ctx_free(c); c = NULL;

    /* a CA directory: junk files are skipped */
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = P("cadir");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_OK && c && c->ntas == 1);
    sio__tls_ctx_free(c); c = NULL;

    /* the system bundle, when the machine has one */
    memset(&cfg, 0, sizeof cfg);
    {
        FILE *f = fopen(SIO_TLS_DEFAULT_CA, "r");
        if (f) {
            fclose(f);
            rc = sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err);
            CHECK(rc == SIO_OK && c && c->ntas > 50);
            if (c) printf("# system bundle: %u trust anchors\n", (unsigned)c->ntas);
            sio__tls_ctx_free(c); c = NULL;
        }
    }
    group("tls: load chains, RSA/EC/PKCS#8 keys, CA files, directories and memory PEM");

    /* failures, each with a reason */
    memset(&cfg, 0, sizeof cfg);
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_INVALID && !c);
    CHECK(strstr(err, "cert_file") != NULL);
    cfg.cert_file = P("rsa.pem");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_INVALID && !c);
    cfg.key_file = P("nonexistent.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_NOT_FOUND && !c);
    CHECK(strstr(err, "nonexistent.key") != NULL);
    cfg.key_file = P("ec.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_INVALID && !c);
    CHECK(strstr(err, "RSA vs EC") != NULL);
    cfg.key_file = P("enc.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_UNSUPPORTED && !c);
    CHECK(strstr(err, "encrypted") != NULL);
    cfg.cert_file = P("trunc.pem"); cfg.key_file = P("rsa.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    cfg.cert_file = P("rsa.key");  /* no certificate in it */
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    CHECK(strstr(err, "no PEM certificate") != NULL);
    cfg.cert_file = P("rsa.pem"); cfg.key_file = P("rsa.pem"); /* no key in it */
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 1, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = P("rsa.key");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    CHECK(strstr(err, "no usable CA") != NULL);
    cfg.ca_file = NULL; cfg.ca_pem = pem_trunc;
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    cfg.ca_pem = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    cfg.ca_pem = "";
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_ERR_PARSE && !c);
    /* every prefix of a PEM chain: an error or fewer certificates, never a crash */
    {
        size_t len = strlen(pem_ca), i;
        char *cut = (char *)malloc(len + 1);
        for (i = 0; i < len; i += 7) {
            memcpy(cut, pem_ca, i);
            cut[i] = '\0';
            cfg.ca_pem = cut;
            rc = sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err);
            CHECK(rc == SIO_ERR_PARSE || (rc == SIO_OK && c && c->ntas == 1));
            sio__tls_ctx_free(c); c = NULL;
        }
        free(cut);
    }
    /* insecure client loads no CA at all, even a missing one */
    memset(&cfg, 0, sizeof cfg);
    cfg.insecure_skip_verify = 1;
    cfg.ca_file = P("nonexistent.pem");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_OK && c && c->ntas == 0);
    {
        sio__tls *t = c ? sio__tls_new(c, NULL) : NULL; /* insecure: no name needed */
        CHECK(t != NULL);
        sio__tls_free(t);
    }
    sio__tls_ctx_free(c); c = NULL;
    /* a verifying client needs a name to verify */
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = P("ca.pem");
    CHECK(sio__tls_ctx_new(&g_alloc, &cfg, 0, &c, err, sizeof err) == SIO_OK && c);
    CHECK(c && sio__tls_new(c, NULL) == NULL && sio__tls_new(c, "") == NULL);
    sio__tls_ctx_free(c); c = NULL;
    free(pem_cert); free(pem_key); free(pem_ca); free(pem_trunc);
    group("tls: missing, truncated, mismatched, encrypted and empty inputs fail with a reason");
}

static void test_handshakes(void) {
    sio__tls_ctx *cc = client_ctx("ca.pem", 0, NULL, NULL);
    sio__tls_ctx *rsa = server_ctx("rsa.pem", "rsa.key", NULL);
    sio__tls_ctx *ec = server_ctx("ec.pem", "ec.key", NULL);
    sio__tls *c = NULL, *s = NULL;
    unsigned char *in;
    const unsigned char *out;

    CHECK(cc && rsa && ec);
    if (!cc || !rsa || !ec) return;

    /* before anything: the client has a ClientHello to send, the server waits */
    c = sio__tls_new(cc, "localhost");
    s = sio__tls_new(rsa, NULL);
    CHECK(sio__tls_state(c) == 0 && sio__tls_state(s) == 0);
    CHECK(sio__tls_have_out(c, &out) > 0 && out[0] == 22); /* handshake record */
    CHECK(sio__tls_have_out(s, &out) == 0);
    CHECK(sio__tls_want_in(s, &in) > 0);
    CHECK(sio__tls_write(c, (const unsigned char *)"x", 1) == 0); /* not yet */
    CHECK(handshake(c, s, 65536) == 1);
    CHECK(strcmp(sio__tls_server_name(s), "localhost") == 0);
    CHECK(br_ssl_engine_get_version(c->eng) == BR_TLS12);
    CHECK(exchange(c, s, 1000, 65536, 65536, 1000));
    sio__tls_free(c); sio__tls_free(s);
    group("tls: RSA server, verified client, SNI recorded, TLS 1.2");

    CHECK(pair(cc, ec, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 5000, 65536, 65536, 5000));
    sio__tls_free(c); sio__tls_free(s);
    group("tls: EC server (signed by an RSA CA), verified client");

    CHECK(pair(cc, ec, "localhost", &c, &s, 1) == 1);
    CHECK(exchange(c, s, 3000, 64, 1, 100));
    sio__tls_free(c); sio__tls_free(s);
    CHECK(pair(cc, rsa, "localhost", &c, &s, 3) == 1);
    sio__tls_free(c); sio__tls_free(s);
    group("tls: handshake and data fed one byte (and three bytes) at a time");

    CHECK(pair(cc, rsa, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 1u << 20, 4096, 1500, 70000));
    sio__tls_free(c); sio__tls_free(s);
    CHECK(pair(cc, ec, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 1u << 20, 65536, 65536, 1u << 20));
    sio__tls_free(c); sio__tls_free(s);
#if SIO_TLS_BIDI
    group("tls: 1 MiB both ways at once through 4 KiB and 64 KiB queues");
#else
    group("tls: 1 MiB each way in turn through 4 KiB and 64 KiB queues");
    /* Why full duplex is the default: when both ends push at once and the
       queues fill, a half-duplex engine can neither take in the peer's
       record (its own is unsent) nor send (the peer cannot take it). */
    CHECK(pair(cc, rsa, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange2(c, s, 1u << 20, 1u << 20, 65536, 65536, 1u << 20) == 0);
    sio__tls_free(c); sio__tls_free(s);
    group("tls: half duplex stalls when both ends push at once (hence SIO_TLS_BIDI 1)");
#endif

    sio__tls_ctx_free(cc); sio__tls_ctx_free(rsa); sio__tls_ctx_free(ec);
}

/* A bad certificate makes the client fail with the reason in words. */
static void bad_case(sio__tls_ctx *cc, const char *cert, const char *key, const char *name,
                     const char *want_client, int want_err) {
    sio__tls_ctx *sc = server_ctx(cert, key, NULL);
    sio__tls *c = NULL, *s = NULL;
    CHECK(sc != NULL);
    if (!sc) return;
    CHECK(pair(cc, sc, name, &c, &s, 65536) == 0);
    CHECK(sio__tls_state(c) == -1);
    CHECK(br_ssl_engine_last_error(c->eng) == want_err);
    CHECK(strstr(sio__tls_error(c), want_client) != NULL);
    /* BearSSL fails without an alert: the server just sees the socket
       close, so it is still waiting, never open. */
    CHECK(sio__tls_state(s) == 0);
    printf("# %s: client \"%s\", server \"%s\"\n", cert, sio__tls_error(c), sio__tls_error(s));
    CHECK(sio__tls_write(c, (const unsigned char *)"x", 1) == 0);
    sio__tls_free(c); sio__tls_free(s);
    sio__tls_ctx_free(sc);
}

static void test_bad_certs(void) {
    sio__tls_ctx *cc = client_ctx("ca.pem", 0, NULL, NULL);
    sio__tls_ctx *insecure = client_ctx(NULL, 1, NULL, NULL);
    sio__tls_ctx *sc;
    sio__tls *c = NULL, *s = NULL;
    CHECK(cc && insecure);
    if (!cc || !insecure) return;

    bad_case(cc, "exp.pem", "exp.key", "localhost", "expired", BR_ERR_X509_EXPIRED);
    group("tls: expired certificate refused: \"expired\"");
    bad_case(cc, "other.pem", "other.key", "localhost", "server name", BR_ERR_X509_BAD_SERVER_NAME);
    bad_case(cc, "rsa.pem", "rsa.key", "example.com", "server name", BR_ERR_X509_BAD_SERVER_NAME);
    group("tls: certificate for another name refused: \"does not match the server name\"");
    bad_case(cc, "self.pem", "self.key", "localhost", "not trusted", BR_ERR_X509_NOT_TRUSTED);
    group("tls: self-signed / unknown CA refused: \"not trusted\"");

    sc = server_ctx("self.pem", "self.key", NULL);
    CHECK(pair(insecure, sc, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 20000, 65536, 65536, 20000));
    sio__tls_free(c); sio__tls_free(s);
    CHECK(pair(insecure, sc, NULL, &c, &s, 65536) == 1); /* no SNI at all */
    CHECK(strcmp(sio__tls_server_name(s), "") == 0);
    sio__tls_free(c); sio__tls_free(s);
    sio__tls_ctx_free(sc);
    sc = server_ctx("exp.pem", "exp.key", NULL);
    CHECK(pair(insecure, sc, "whatever", &c, &s, 65536) == 1);
    sio__tls_free(c); sio__tls_free(s);
    sio__tls_ctx_free(sc);
    sc = server_ctx("rsa.pem", "rsa.key", NULL);
    CHECK(pair(insecure, sc, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 20000, 65536, 65536, 20000));
    sio__tls_free(c); sio__tls_free(s);
    sio__tls_ctx_free(sc);
    group("tls: insecure mode accepts self-signed, expired and any name (RSA and EC)");

    sio__tls_ctx_free(cc); sio__tls_ctx_free(insecure);
}

static void test_client_cert(void) {
    sio__tls_ctx *sc = server_ctx("ec.pem", "ec.key", "ca.pem");
    sio__tls_ctx *with = client_ctx("ca.pem", 0, "cli.pem", "cli.key");
    sio__tls_ctx *with_rsa = client_ctx("ca.pem", 0, "clirsa.pem", "clirsa.key");
    sio__tls_ctx *with_self = client_ctx("ca.pem", 0, "self.pem", "self.key");
    sio__tls_ctx *without = client_ctx("ca.pem", 0, NULL, NULL);
    sio__tls *c = NULL, *s = NULL;
    CHECK(sc && with && with_rsa && with_self && without);
    if (!sc || !with || !with_rsa || !with_self || !without) return;
    CHECK(sc->ntas == 1);

    CHECK(pair(with, sc, "localhost", &c, &s, 65536) == 1);
    CHECK(exchange(c, s, 10000, 65536, 65536, 10000));
    sio__tls_free(c); sio__tls_free(s);
    CHECK(pair(with_rsa, sc, "localhost", &c, &s, 65536) == 1);
    sio__tls_free(c); sio__tls_free(s);
    group("tls: client certificate (EC and RSA) presented and verified by the server");

    CHECK(pair(without, sc, "localhost", &c, &s, 65536) == 0);
    CHECK(sio__tls_state(s) == -1);
    printf("# no client cert: server \"%s\", client \"%s\"\n", sio__tls_error(s), sio__tls_error(c));
    sio__tls_free(c); sio__tls_free(s);
    CHECK(pair(with_self, sc, "localhost", &c, &s, 65536) == 0);
    CHECK(sio__tls_state(s) == -1 && strstr(sio__tls_error(s), "not trusted") != NULL);
    printf("# untrusted client cert: server \"%s\", client \"%s\"\n", sio__tls_error(s), sio__tls_error(c));
    sio__tls_free(c); sio__tls_free(s);
    group("tls: server with a CA refuses clients without a (trusted) certificate");

    sio__tls_ctx_free(sc); sio__tls_ctx_free(with); sio__tls_ctx_free(with_rsa);
    sio__tls_ctx_free(with_self); sio__tls_ctx_free(without);
}

/* Pushes bytes into an engine as far as it takes them. */
static size_t feed(sio__tls *t, const unsigned char *p, size_t n) {
    size_t done = 0, k;
    unsigned char *in;
    while (done < n && (k = sio__tls_want_in(t, &in)) > 0) {
        if (k > n - done) k = n - done;
        memcpy(in, p + done, k);
        sio__tls_got_in(t, k);
        done += k;
    }
    return done;
}

static void test_hostile(void) {
    sio__tls_ctx *cc = client_ctx("ca.pem", 0, NULL, NULL);
    sio__tls_ctx *sc = server_ctx("rsa.pem", "rsa.key", NULL);
    sio__tls *c = NULL, *s = NULL;
    unsigned char *in;
    const unsigned char *out;
    size_t n, k;
    static const char http[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    CHECK(cc && sc);
    if (!cc || !sc) return;

    /* plain HTTP to a TLS port */
    s = sio__tls_new(sc, NULL);
    n = sio__tls_want_in(s, &in);
    CHECK(n >= 5);
    memcpy(in, http, 5);
    sio__tls_got_in(s, 5);
    CHECK(sio__tls_state(s) == -1);
    printf("# plain HTTP: \"%s\"\n", sio__tls_error(s));
    CHECK(sio__tls_want_in(s, &in) == 0);
    sio__tls_free(s);

    /* a ClientHello cut short: still handshaking, wanting more */
    c = sio__tls_new(cc, "localhost");
    s = sio__tls_new(sc, NULL);
    n = sio__tls_have_out(c, &out);
    CHECK(n > 20);
    CHECK(feed(s, out, n / 2) == n / 2);
    CHECK(sio__tls_state(s) == 0 && sio__tls_want_in(s, &in) > 0);
    sio__tls_free(c); sio__tls_free(s);

    /* random garbage of every length */
    {
        unsigned char junk[600];
        size_t len, i;
        unsigned x = 99;
        for (len = 1; len < sizeof junk; len += 37) {
            for (i = 0; i < len; i++) { x = x * 1103515245u + 12345u; junk[i] = (unsigned char)(x >> 16); }
            junk[0] = 22; junk[1] = 3; junk[2] = 3; /* looks like a handshake record */
            s = sio__tls_new(sc, NULL);
            feed(s, junk, len);
            CHECK(sio__tls_state(s) <= 0);
            CHECK(sio__tls_have_out(s, &out) == 0); /* never a ServerHello for garbage */
            sio__tls_free(s);
        }
    }
    group("tls: plain HTTP, truncated and random ClientHellos are refused or wait");

    /* a flipped bit in an application record */
    CHECK(pair(cc, sc, "localhost", &c, &s, 65536) == 1);
    CHECK(sio__tls_write(c, (const unsigned char *)"hello", 5) == 5);
    sio__tls_flush(c);
    n = sio__tls_have_out(c, &out);
    CHECK(n > 5 && n < 200);
    {
        unsigned char rec[200];
        memcpy(rec, out, n);
        rec[n - 1] ^= 1;
        sio__tls_sent_out(c, n);
        CHECK(feed(s, rec, n) == n);
    }
    {
        unsigned char buf[16];
        CHECK(sio__tls_read(s, buf, sizeof buf) == 0);
    }
    CHECK(sio__tls_state(s) == -1 && strstr(sio__tls_error(s), "MAC") != NULL);
    printf("# tampered record: \"%s\"\n", sio__tls_error(s));
    sio__tls_free(c); sio__tls_free(s);
    group("tls: a tampered record fails the connection (bad record MAC)");

    /* orderly close: client sends close_notify, server answers */
    CHECK(pair(cc, sc, "localhost", &c, &s, 65536) == 1);
    CHECK(sio__tls_write(c, (const unsigned char *)"bye", 3) == 3);
    sio__tls_flush(c);
    sio__tls_close(c);
    {
        net nt;
        unsigned char buf[16];
        size_t got = 0;
        net_init(&nt, 65536, 65536);
        for (k = 0; k < 20; k++) {
            net_step(&nt, c, s);
            got += sio__tls_read(s, buf + got, sizeof buf - got);
        }
        CHECK(got == 3 && memcmp(buf, "bye", 3) == 0);
        CHECK(sio__tls_state(s) == -1 && sio__tls_state(c) == -1);
        CHECK(strcmp(sio__tls_error(s), "closed (close_notify)") == 0);
        CHECK(strcmp(sio__tls_error(c), "closed (close_notify)") == 0);
        CHECK(sio__tls_write(s, (const unsigned char *)"x", 1) == 0);
        net_free(&nt);
    }
    sio__tls_free(c); sio__tls_free(s);
    group("tls: close_notify is answered and both ends end closed without error");

    sio__tls_ctx_free(cc); sio__tls_ctx_free(sc);
}

static void test_memory(void) {
    printf("# per connection: %u bytes of engine (%s), %u of context (server %u, client %u, X.509 %u)\n",
           (unsigned)SIO__TLS_IOBUF_SIZE, SIO_TLS_BIDI ? "full duplex" : "half duplex",
           (unsigned)sizeof(sio__tls), (unsigned)sizeof(br_ssl_server_context),
           (unsigned)sizeof(br_ssl_client_context), (unsigned)sizeof(br_x509_minimal_context));
    CHECK(g_count.live == 0);
    CHECK(g_count.total > 0);
    group("tls: every allocation went through the allocator and was freed");
}

int main(void) {
    char cmd[128];
    strcpy(g_dir, "/tmp/sio_tls_XXXXXX");
    if (system("openssl version >/dev/null 2>&1") != 0) {
        printf("ok 1 - skipped: no openssl command to make certificates\n# pass 1\n# fail 0\n");
        return 0;
    }
    if (!mkdtemp(g_dir) || make_certs() != 0) {
        printf("not ok 1 - tls: making test certificates with openssl\n# pass 0\n# fail 1\n");
        return 1;
    }
    g_alloc.alloc_fn = c_alloc;
    g_alloc.realloc_fn = c_realloc;
    g_alloc.free_fn = c_free;
    g_alloc.user = &g_count;

    test_load();
    test_handshakes();
    test_bad_certs();
    test_client_cert();
    test_hostile();
    test_memory();

    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    printf("# pass %d\n# fail %d\n", g_pass, g_fail);
    return g_fail > 0;
}
#endif /* SIO_TLS_BEARSSL */
