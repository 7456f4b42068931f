#ifdef SIO_TLS_BEARSSL
/* =====================================================================
   >>tls: TLS 1.2 through BearSSL, as an engine on memory buffers
   No sockets here: like an OpenSSL memory BIO, the engine takes the
   ciphertext the loop received (sio__tls_want_in/got_in), gives back the
   ciphertext to send (sio__tls_have_out/sent_out), and in between turns
   plaintext into records and back (sio__tls_write/read). BearSSL never
   allocates, so every context and the record buffer come from here.

   A sio__tls_ctx holds what is shared by all connections of one server
   or client (decoded certificate chain, private key, trust anchors); it
   must outlive every sio__tls made from it because BearSSL keeps
   pointers into it. A sio__tls is one connection: the BearSSL server or
   client context, its X.509 validator and the record buffer.

   Only TLS 1.2 is offered (BearSSL stops there; TLS 1.0/1.1 are
   deprecated by RFC 8996) and renegotiation is refused, so once the
   handshake is over nothing but application data and alerts flow.
   ===================================================================== */
#include <dirent.h>
#include <sys/stat.h>

#ifndef SIO_TLS_DEFAULT_CA
#define SIO_TLS_DEFAULT_CA "/etc/ssl/certs/ca-certificates.crt"
#endif

/* Full duplex costs one more 16 KiB record buffer per connection, but
   half duplex cannot take in a record while one of its own is unsent,
   nor write while a received record is unread: when both ends of a
   WebSocket push at once and both sockets fill, neither drains, and the
   connection stalls for good. Hence full duplex by default. */
#define SIO__TLS_IOBUF_SIZE ((size_t)(SIO_TLS_BIDI ? BR_SSL_BUFSIZE_BIDI : BR_SSL_BUFSIZE_MONO))

typedef struct sio__tls_ctx sio__tls_ctx;
typedef struct sio__tls sio__tls;

struct sio__tls_ctx {
    sio_allocator alloc;          /* a copy: the caller's may be a temporary */
    int server;
    int insecure;                 /* client: accept any chain */
    br_x509_certificate chain[SIO_TLS_MAX_CHAIN];
    size_t chain_len;
    int key_type;                 /* 0 (none), BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
    unsigned issuer_key_type;     /* key type of the CA that signed our leaf */
    br_rsa_private_key rsa;
    br_ec_private_key ec;
    unsigned char *key_mem;       /* the bytes rsa / ec point into */
    size_t key_mem_len;
    br_x509_trust_anchor *tas;    /* each dn.data is one block holding dn + key */
    size_t ntas, tas_cap;
};

/* The "accept anything" validator of insecure_skip_verify. It still has
   to decode the leaf: the key exchange needs the server's public key
   (ECDHE signatures are checked with it, RSA key exchange encrypts to
   it), so skipping verification means skipping trust, not decoding. */
typedef struct sio__tls_noverify {
    const br_x509_class *vtable;
    br_x509_decoder_context dc;
    unsigned ncerts;
} sio__tls_noverify;

struct sio__tls {
    sio__tls_ctx *ctx;
    br_ssl_engine_context *eng;   /* inside u */
    union { br_ssl_server_context s; br_ssl_client_context c; } u;
    union { br_x509_minimal_context min; sio__tls_noverify nv; } x;
    unsigned char *iobuf;
    int opened;                   /* the handshake completed once */
    char msg[96];                 /* alert phrases are composed here */
};

/* ---- error words ---------------------------------------------------- */

static const char *sio__tls_alert_text(int alert) {
    switch (alert) {
    case 0: return "close notify";
    case 10: return "unexpected message";
    case 20: return "bad record MAC";
    case 21: return "decryption failed";
    case 22: return "record overflow";
    case 30: return "decompression failure";
    case 40: return "handshake failure (no common cipher suite or parameters)";
    case 41: return "no certificate";
    case 42: return "bad certificate";
    case 43: return "unsupported certificate";
    case 44: return "certificate revoked";
    case 45: return "certificate expired";
    case 46: return "certificate unknown";
    case 47: return "illegal parameter";
    case 48: return "unknown CA";
    case 49: return "access denied";
    case 50: return "decode error";
    case 51: return "decrypt error";
    case 70: return "protocol version not supported";
    case 71: return "insufficient security";
    case 80: return "internal error";
    case 86: return "inappropriate fallback";
    case 90: return "user canceled";
    case 100: return "no renegotiation";
    case 109: return "missing extension";
    case 110: return "unsupported extension";
    case 112: return "unrecognized server name";
    case 116: return "certificate required";
    case 120: return "no application protocol";
    default: return "unknown alert";
    }
}

static const char *sio__tls_err_text(int err) {
    switch (err) {
    case BR_ERR_OK: return "no error";
    case BR_ERR_BAD_PARAM: return "bad parameter";
    case BR_ERR_BAD_STATE: return "bad engine state";
    case BR_ERR_UNSUPPORTED_VERSION: return "unsupported protocol version (not TLS 1.2, or not TLS)";
    case BR_ERR_BAD_VERSION: return "record version mismatch";
    case BR_ERR_BAD_LENGTH: return "bad record length";
    case BR_ERR_TOO_LARGE: return "record too large";
    case BR_ERR_BAD_MAC: return "bad record MAC (corrupted or forged data)";
    case BR_ERR_NO_RANDOM: return "no random source";
    case BR_ERR_UNKNOWN_TYPE: return "unknown record type (not TLS?)";
    case BR_ERR_UNEXPECTED: return "unexpected message";
    case BR_ERR_BAD_CCS: return "bad ChangeCipherSpec";
    case BR_ERR_BAD_ALERT: return "bad alert";
    case BR_ERR_BAD_HANDSHAKE: return "malformed handshake message";
    case BR_ERR_OVERSIZED_ID: return "oversized session id";
    case BR_ERR_BAD_CIPHER_SUITE: return "no common cipher suite";
    case BR_ERR_BAD_COMPRESSION: return "unsupported compression";
    case BR_ERR_BAD_FRAGLEN: return "bad max fragment length";
    case BR_ERR_BAD_SECRENEG: return "secure renegotiation failure";
    case BR_ERR_EXTRA_EXTENSION: return "unexpected extension";
    case BR_ERR_BAD_SNI: return "bad server name (SNI)";
    case BR_ERR_BAD_HELLO_DONE: return "bad ServerHelloDone";
    case BR_ERR_LIMIT_EXCEEDED: return "handshake limit exceeded";
    case BR_ERR_BAD_FINISHED: return "bad Finished (handshake tampered with)";
    case BR_ERR_RESUME_MISMATCH: return "session resumption mismatch";
    case BR_ERR_INVALID_ALGORITHM: return "unsupported algorithm";
    case BR_ERR_BAD_SIGNATURE: return "bad handshake signature";
    case BR_ERR_WRONG_KEY_USAGE: return "key usage forbids this use";
    case BR_ERR_NO_CLIENT_AUTH: return "client certificate required";
    case BR_ERR_IO: return "I/O error";
    case BR_ERR_X509_INVALID_VALUE: return "certificate: invalid value";
    case BR_ERR_X509_TRUNCATED: return "certificate: truncated";
    case BR_ERR_X509_EMPTY_CHAIN: return "no certificate sent";
    case BR_ERR_X509_INNER_TRUNC: return "certificate: inner element truncated";
    case BR_ERR_X509_BAD_TAG_CLASS: return "certificate: bad ASN.1 tag class";
    case BR_ERR_X509_BAD_TAG_VALUE: return "certificate: bad ASN.1 tag";
    case BR_ERR_X509_INDEFINITE_LENGTH: return "certificate: indefinite length";
    case BR_ERR_X509_EXTRA_ELEMENT: return "certificate: extra element";
    case BR_ERR_X509_UNEXPECTED: return "certificate: unexpected element";
    case BR_ERR_X509_NOT_CONSTRUCTED: return "certificate: expected constructed element";
    case BR_ERR_X509_NOT_PRIMITIVE: return "certificate: expected primitive element";
    case BR_ERR_X509_PARTIAL_BYTE: return "certificate: partial byte in BIT STRING";
    case BR_ERR_X509_BAD_BOOLEAN: return "certificate: bad BOOLEAN";
    case BR_ERR_X509_OVERFLOW: return "certificate: value overflow";
    case BR_ERR_X509_BAD_DN: return "certificate: bad distinguished name";
    case BR_ERR_X509_BAD_TIME: return "certificate: bad validity date";
    case BR_ERR_X509_UNSUPPORTED: return "certificate: unsupported feature";
    case BR_ERR_X509_LIMIT_EXCEEDED: return "certificate: too large or chain too long";
    case BR_ERR_X509_WRONG_KEY_TYPE: return "certificate: wrong key type";
    case BR_ERR_X509_BAD_SIGNATURE: return "certificate: bad signature";
    case BR_ERR_X509_TIME_UNKNOWN: return "certificate: current time unknown";
    case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid";
    case BR_ERR_X509_DN_MISMATCH: return "certificate: issuer name mismatch in chain";
    case BR_ERR_X509_BAD_SERVER_NAME: return "certificate does not match the server name";
    case BR_ERR_X509_CRITICAL_EXTENSION: return "certificate: unsupported critical extension";
    case BR_ERR_X509_NOT_CA: return "certificate: issuer is not a CA";
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE: return "certificate: key usage forbids this use";
    case BR_ERR_X509_WEAK_PUBLIC_KEY: return "certificate: public key too weak";
    case BR_ERR_X509_NOT_TRUSTED: return "certificate not trusted (unknown CA or self-signed)";
    default: return "unknown TLS error";
    }
}

/* ---- loading PEM ---------------------------------------------------- */

typedef int (*sio__tls_pem_fn)(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len);

static void sio__tls_buf_sink(void *buf, const void *data, size_t len) {
    sio_buf_append((sio_buf *)buf, data, len);
}

static void sio__tls_wipe(void *p, size_t n) {
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
}

typedef struct sio__tls_pem {
    br_pem_decoder_context pc;
    sio_buf der;
    char name[64];
    int inobj;
} sio__tls_pem;

static int sio__tls_pem_push(sio__tls_ctx *c, sio__tls_pem *st, const char *text, size_t len, sio__tls_pem_fn fn) {
    const unsigned char *p = (const unsigned char *)text;
    int rc = SIO_OK;
    while (len > 0 && rc == SIO_OK) {
        size_t n = br_pem_decoder_push(&st->pc, p, len);
        int ev = br_pem_decoder_event(&st->pc);
        p += n;
        len -= n;
        if (ev == BR_PEM_BEGIN_OBJ) {
            const char *nm = br_pem_decoder_name(&st->pc);
            size_t k = strlen(nm);
            if (k >= sizeof st->name) k = sizeof st->name - 1;
            memcpy(st->name, nm, k);
            st->name[k] = '\0';
            sio_buf_reset(&st->der);
            br_pem_decoder_setdest(&st->pc, sio__tls_buf_sink, &st->der);
            st->inobj = 1;
        } else if (ev == BR_PEM_END_OBJ) {
            st->inobj = 0;
            if (st->der.err) rc = st->der.err;
            else rc = fn(c, st->name, (const unsigned char *)st->der.data, st->der.len);
        } else if (ev == BR_PEM_ERROR) {
            rc = SIO_ERR_PARSE;
        } else if (n == 0) {
            break; /* cannot happen by BearSSL's contract; never spin */
        }
    }
    return rc;
}

/* Calls fn for every object in a PEM text. BearSSL's decoder takes only
   "\n" line ends ("-----END CERTIFICATE-----\r\n" is an error to it), so
   carriage returns are left out, and it wants the END line terminated,
   so a final "\n" is pushed in case the text lacks one. An object still
   open at the end means a truncated file. */
static int sio__tls_pem_each(sio__tls_ctx *c, const char *pem, size_t len, sio__tls_pem_fn fn) {
    sio__tls_pem st;
    const char *end = pem + len;
    int rc = SIO_OK;
    memset(&st, 0, sizeof st);
    st.der.alloc = &c->alloc;
    st.der.max = SIO_TLS_MAX_PEM_BYTES;
    br_pem_decoder_init(&st.pc);
    while (pem < end && rc == SIO_OK) {
        const char *cr = (const char *)memchr(pem, '\r', (size_t)(end - pem));
        size_t seg = cr ? (size_t)(cr - pem) : (size_t)(end - pem);
        rc = sio__tls_pem_push(c, &st, pem, seg, fn);
        pem += seg + (cr ? 1 : 0);
    }
    if (rc == SIO_OK) rc = sio__tls_pem_push(c, &st, "\n", 1, fn);
    if (rc == SIO_OK && st.inobj) rc = SIO_ERR_PARSE;
    if (st.der.data) sio__tls_wipe(st.der.data, st.der.cap); /* may have held a private key */
    sio_buf_free(&st.der);
    return rc;
}

static int sio__tls_read_file(const sio_allocator *a, const char *path, sio_buf *out) {
    FILE *f = fopen(path, "rb");
    int rc = SIO_OK;
    memset(out, 0, sizeof *out);
    out->alloc = a;
    out->max = SIO_TLS_MAX_PEM_BYTES;
    if (!f) return SIO_ERR_NOT_FOUND;
    for (;;) {
        size_t room = out->max - out->len, n;
        if (room == 0) {
            if (fgetc(f) != EOF) rc = SIO_ERR_TOO_BIG;
            break;
        }
        if ((rc = sio_buf_reserve(out, room < 4096 ? room : 4096)) != SIO_OK) break;
        n = fread(out->data + out->len, 1, out->cap - out->len, f);
        out->len += n;
        if (n == 0) {
            if (ferror(f)) rc = SIO_ERR_IO;
            break;
        }
    }
    fclose(f);
    if (rc != SIO_OK) sio_buf_free(out);
    return rc;
}

static int sio__tls_is_cert(const char *name) {
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

static int sio__tls_on_chain(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    unsigned char *copy;
    if (!sio__tls_is_cert(name)) return SIO_OK; /* a key in the same file, say */
    if (c->chain_len == SIO_TLS_MAX_CHAIN) return SIO_ERR_TOO_BIG;
    if (len == 0) return SIO_ERR_PARSE;
    copy = (unsigned char *)sio__malloc(&c->alloc, len);
    if (!copy) return SIO_ERR_NOMEM;
    memcpy(copy, der, len);
    c->chain[c->chain_len].data = copy;
    c->chain[c->chain_len].data_len = len;
    c->chain_len++;
    return SIO_OK;
}

/* The skey decoder's result points into the decoder; copy it into one
   block of our own so the decoder (on the stack) can go. */
static int sio__tls_on_key(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    br_skey_decoder_context kd;
    int rc = SIO_OK;
    if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) return SIO_ERR_UNSUPPORTED;
    if (strcmp(name, "RSA PRIVATE KEY") != 0 && strcmp(name, "EC PRIVATE KEY") != 0 &&
        strcmp(name, "PRIVATE KEY") != 0)
        return SIO_OK; /* "EC PARAMETERS" (openssl ecparam -genkey) and certificates */
    if (c->key_type) return SIO_ERR_INVALID; /* two keys: which one? */
    br_skey_decoder_init(&kd);
    br_skey_decoder_push(&kd, der, len);
    if (br_skey_decoder_last_error(&kd) != 0) {
        rc = SIO_ERR_PARSE;
    } else if (br_skey_decoder_key_type(&kd) == BR_KEYTYPE_RSA) {
        const br_rsa_private_key *k = br_skey_decoder_get_rsa(&kd);
        size_t total = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
        unsigned char *m = (unsigned char *)sio__malloc(&c->alloc, total);
        if (!m) {
            rc = SIO_ERR_NOMEM;
        } else {
            c->rsa.n_bitlen = k->n_bitlen;
            c->rsa.p = m;  memcpy(m, k->p, k->plen);   c->rsa.plen = k->plen;   m += k->plen;
            c->rsa.q = m;  memcpy(m, k->q, k->qlen);   c->rsa.qlen = k->qlen;   m += k->qlen;
            c->rsa.dp = m; memcpy(m, k->dp, k->dplen); c->rsa.dplen = k->dplen; m += k->dplen;
            c->rsa.dq = m; memcpy(m, k->dq, k->dqlen); c->rsa.dqlen = k->dqlen; m += k->dqlen;
            c->rsa.iq = m; memcpy(m, k->iq, k->iqlen); c->rsa.iqlen = k->iqlen;
            c->key_mem = c->rsa.p;
            c->key_mem_len = total;
            c->key_type = BR_KEYTYPE_RSA;
        }
    } else if (br_skey_decoder_key_type(&kd) == BR_KEYTYPE_EC) {
        const br_ec_private_key *k = br_skey_decoder_get_ec(&kd);
        unsigned char *m = (unsigned char *)sio__malloc(&c->alloc, k->xlen ? k->xlen : 1);
        if (!m) {
            rc = SIO_ERR_NOMEM;
        } else {
            memcpy(m, k->x, k->xlen);
            c->ec.curve = k->curve;
            c->ec.x = m;
            c->ec.xlen = k->xlen;
            c->key_mem = m;
            c->key_mem_len = k->xlen;
            c->key_type = BR_KEYTYPE_EC;
        }
    } else {
        rc = SIO_ERR_UNSUPPORTED;
    }
    sio__tls_wipe(&kd, sizeof kd);
    return rc;
}

/* A trust anchor is a CA's name and public key. Certificates BearSSL
   cannot decode (Ed25519 keys, say, in the system bundle) are skipped
   rather than failing the whole bundle; a CA with the basic-constraints
   CA flag off is still usable, as a directly trusted end-entity key. */
static int sio__tls_on_anchor(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    br_x509_decoder_context dc;
    br_x509_pkey *pk;
    br_x509_trust_anchor *ta;
    sio_buf dn;
    size_t klen;
    unsigned char *m;
    if (!sio__tls_is_cert(name)) return SIO_OK;
    memset(&dn, 0, sizeof dn);
    dn.alloc = &c->alloc;
    dn.max = 65536;
    br_x509_decoder_init(&dc, sio__tls_buf_sink, &dn);
    br_x509_decoder_push(&dc, der, len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk || dn.err) {
        int rc = dn.err == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_OK;
        sio_buf_free(&dn);
        return rc;
    }
    if (c->ntas == c->tas_cap) {
        size_t cap = c->tas_cap ? c->tas_cap * 2 : 16;
        br_x509_trust_anchor *p;
        if (c->ntas >= SIO_TLS_MAX_ANCHORS) { sio_buf_free(&dn); return SIO_ERR_TOO_BIG; }
        if (cap > SIO_TLS_MAX_ANCHORS) cap = SIO_TLS_MAX_ANCHORS;
        p = (br_x509_trust_anchor *)sio__realloc(&c->alloc, c->tas, cap * sizeof *p);
        if (!p) { sio_buf_free(&dn); return SIO_ERR_NOMEM; }
        c->tas = p;
        c->tas_cap = cap;
    }
    klen = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen + pk->key.rsa.elen : pk->key.ec.qlen;
    m = (unsigned char *)sio__malloc(&c->alloc, dn.len + klen + 1);
    if (!m) { sio_buf_free(&dn); return SIO_ERR_NOMEM; }
    ta = &c->tas[c->ntas++];
    memset(ta, 0, sizeof *ta);
    if (dn.len) memcpy(m, dn.data, dn.len);
    ta->dn.data = m;
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    m += dn.len;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        memcpy(m, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.n = m;
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        m += pk->key.rsa.nlen;
        memcpy(m, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.e = m;
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        memcpy(m, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = m;
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    sio_buf_free(&dn);
    return SIO_OK;
}

static void sio__tls_seterr(char *err, size_t errlen, const char *what, const char *src, const char *why) {
    if (err && errlen) snprintf(err, errlen, "%s%s%s: %s", what, src ? " " : "", src ? src : "", why);
}

/* Loads one PEM source: a file when path is given, else the string. */
static int sio__tls_load(sio__tls_ctx *c, const char *path, const char *pem, sio__tls_pem_fn fn) {
    sio_buf b;
    int rc;
    if (!path) return sio__tls_pem_each(c, pem, strlen(pem), fn);
    if ((rc = sio__tls_read_file(&c->alloc, path, &b)) != SIO_OK) return rc;
    rc = sio__tls_pem_each(c, b.data ? b.data : "", b.len, fn);
    if (b.data) sio__tls_wipe(b.data, b.cap);
    sio_buf_free(&b);
    return rc;
}

/* A CA directory like /etc/ssl/certs: every *.pem and *.crt in it. A file
   that cannot be read or parsed is skipped, as the hash links and stray
   files such directories hold would otherwise fail the whole load. */
static int sio__tls_load_ca_dir(sio__tls_ctx *c, const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    sio_buf path;
    int rc = SIO_OK;
    if (!d) return SIO_ERR_NOT_FOUND;
    memset(&path, 0, sizeof path);
    path.alloc = &c->alloc;
    while (rc == SIO_OK && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        int r;
        if (n < 5 || (strcmp(e->d_name + n - 4, ".pem") != 0 && strcmp(e->d_name + n - 4, ".crt") != 0))
            continue;
        sio_buf_reset(&path);
        sio_buf_appends(&path, dir);
        sio_buf_appendc(&path, '/');
        sio_buf_append(&path, e->d_name, n + 1);
        if (path.err) { rc = path.err; break; }
        r = sio__tls_load(c, path.data, NULL, sio__tls_on_anchor);
        if (r == SIO_ERR_NOMEM || r == SIO_ERR_TOO_BIG) rc = r;
    }
    closedir(d);
    sio_buf_free(&path);
    return rc;
}

static int sio__tls_load_ca(sio__tls_ctx *c, const sio_tls_config *cfg, char *err, size_t errlen) {
    const char *path = cfg->ca_file;
    struct stat st;
    int rc;
    if (!path && !cfg->ca_pem) path = SIO_TLS_DEFAULT_CA;
    if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) rc = sio__tls_load_ca_dir(c, path);
    else rc = sio__tls_load(c, path, cfg->ca_pem, sio__tls_on_anchor);
    if (rc == SIO_OK && c->ntas == 0) {
        sio__tls_seterr(err, errlen, "CA", path ? path : "(ca_pem)", "no usable CA certificate");
        return SIO_ERR_PARSE;
    }
    if (rc != SIO_OK) sio__tls_seterr(err, errlen, "CA", path ? path : "(ca_pem)", sio_strerror(rc));
    return rc;
}

static SIO__UNUSED void sio__tls_ctx_free(sio__tls_ctx *c) {
    size_t i;
    if (!c) return;
    for (i = 0; i < c->chain_len; i++) sio__free(&c->alloc, c->chain[i].data);
    for (i = 0; i < c->ntas; i++) sio__free(&c->alloc, c->tas[i].dn.data);
    sio__free(&c->alloc, c->tas);
    if (c->key_mem) {
        sio__tls_wipe(c->key_mem, c->key_mem_len);
        sio__free(&c->alloc, c->key_mem);
    }
    {
        sio_allocator a = c->alloc;
        sio__tls_wipe(c, sizeof *c);
        sio__free(&a, c);
    }
}

/* Our certificate and key: loaded, and checked to be of one type, so a
   mismatch is reported at start-up rather than as a failed handshake.
   The issuer's key type matters to BearSSL's static-ECDH suites. */
static int sio__tls_load_identity(sio__tls_ctx *c, const sio_tls_config *cfg, char *err, size_t errlen) {
    const char *src;
    br_x509_decoder_context dc;
    br_x509_pkey *pk;
    int rc;
    src = cfg->cert_file ? cfg->cert_file : "(cert_pem)";
    rc = sio__tls_load(c, cfg->cert_file, cfg->cert_pem, sio__tls_on_chain);
    if (rc == SIO_OK && c->chain_len == 0) rc = SIO_ERR_PARSE;
    if (rc != SIO_OK) {
        sio__tls_seterr(err, errlen, "certificate", src,
                        rc == SIO_ERR_PARSE ? "no PEM certificate found" : sio_strerror(rc));
        return rc;
    }
    src = cfg->key_file ? cfg->key_file : "(key_pem)";
    rc = sio__tls_load(c, cfg->key_file, cfg->key_pem, sio__tls_on_key);
    if (rc == SIO_OK && !c->key_type) rc = SIO_ERR_PARSE;
    if (rc != SIO_OK) {
        sio__tls_seterr(err, errlen, "private key", src,
                        rc == SIO_ERR_PARSE ? "no RSA or EC private key found" :
                        rc == SIO_ERR_UNSUPPORTED ? "encrypted or unsupported key type" :
                        rc == SIO_ERR_INVALID ? "more than one private key" : sio_strerror(rc));
        return rc;
    }
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk) {
        sio__tls_seterr(err, errlen, "certificate", cfg->cert_file ? cfg->cert_file : "(cert_pem)",
                        sio__tls_err_text(br_x509_decoder_last_error(&dc)));
        return SIO_ERR_PARSE;
    }
    if (pk->key_type != c->key_type) {
        sio__tls_seterr(err, errlen, "private key", src, "not of the certificate's key type (RSA vs EC)");
        return SIO_ERR_INVALID;
    }
    c->issuer_key_type = (unsigned)br_x509_decoder_get_signer_key_type(&dc);
    if (!c->issuer_key_type) c->issuer_key_type = (unsigned)c->key_type;
    return SIO_OK;
}

static SIO__UNUSED int sio__tls_ctx_new(const sio_allocator *a, const sio_tls_config *cfg, int server,
                            sio__tls_ctx **out, char *err, size_t errlen) {
    sio__tls_ctx *c;
    int rc = SIO_OK, has_cert, has_key;
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    if (!cfg) return SIO_ERR_INVALID;
    has_cert = cfg->cert_file || cfg->cert_pem;
    has_key = cfg->key_file || cfg->key_pem;
    if (server && !has_cert) {
        sio__tls_seterr(err, errlen, "TLS server", NULL, "needs cert_file or cert_pem");
        return SIO_ERR_INVALID;
    }
    if (has_cert != has_key) {
        sio__tls_seterr(err, errlen, "TLS", NULL, "certificate and private key go together");
        return SIO_ERR_INVALID;
    }
    c = (sio__tls_ctx *)sio__malloc(a, sizeof *c);
    if (!c) return SIO_ERR_NOMEM;
    memset(c, 0, sizeof *c);
    if (a) c->alloc = *a;
    c->server = server;
    c->insecure = !server && cfg->insecure_skip_verify;
    if (has_cert) rc = sio__tls_load_identity(c, cfg, err, errlen);
    /* A client verifies unless told not to; a server asks clients for
       certificates only when given CAs for them. */
    if (rc == SIO_OK && (server ? (cfg->ca_file || cfg->ca_pem) : !c->insecure))
        rc = sio__tls_load_ca(c, cfg, err, errlen);
    if (rc != SIO_OK) {
        sio__tls_ctx_free(c);
        return rc;
    }
    *out = c;
    return SIO_OK;
}

/* ---- the insecure validator ----------------------------------------- */

static void sio__tls_nv_start_chain(const br_x509_class **ctx, const char *server_name) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    (void)server_name;
    nv->ncerts = 0;
    br_x509_decoder_init(&nv->dc, NULL, NULL);
}
static void sio__tls_nv_start_cert(const br_x509_class **ctx, uint32_t length) {
    (void)ctx;
    (void)length;
}
static void sio__tls_nv_append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    if (nv->ncerts == 0) br_x509_decoder_push(&nv->dc, buf, len);
}
static void sio__tls_nv_end_cert(const br_x509_class **ctx) {
    ((sio__tls_noverify *)(void *)ctx)->ncerts++;
}
static unsigned sio__tls_nv_end_chain(const br_x509_class **ctx) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    if (nv->ncerts == 0) return BR_ERR_X509_EMPTY_CHAIN;
    return (unsigned)br_x509_decoder_last_error(&nv->dc);
}
static const br_x509_pkey *sio__tls_nv_get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
    sio__tls_noverify *nv = (sio__tls_noverify *)ctx;
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&nv->dc);
}
static const br_x509_class sio__tls_noverify_vtable = {
    sizeof(sio__tls_noverify),
    sio__tls_nv_start_chain, sio__tls_nv_start_cert, sio__tls_nv_append,
    sio__tls_nv_end_cert, sio__tls_nv_end_chain, sio__tls_nv_get_pkey
};

/* ---- one connection ------------------------------------------------- */

static SIO__UNUSED void sio__tls_free(sio__tls *t) {
    sio_allocator a;
    if (!t) return;
    a = t->ctx->alloc;
    sio__free(&a, t->iobuf);
    sio__tls_wipe(t, sizeof *t); /* the engine holds session keys */
    sio__free(&a, t);
}

/* server_name: on a client, sent as SNI and checked against the
   certificate; required unless the context is insecure. Must be a DNS
   name: BearSSL matches it against the certificate's DNS names only, so
   an IP address works only if the certificate lists it as a DNS name.
   NULL on a server. Returns NULL on allocation failure or bad use. */
static SIO__UNUSED sio__tls *sio__tls_new(sio__tls_ctx *ctx, const char *server_name) {
    sio__tls *t;
    const sio_allocator *a = &ctx->alloc;
    int ok;
    if (!ctx->server && !ctx->insecure && (!server_name || !*server_name)) return NULL;
    t = (sio__tls *)sio__malloc(a, sizeof *t);
    if (!t) return NULL;
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->iobuf = (unsigned char *)sio__malloc(a, SIO__TLS_IOBUF_SIZE);
    if (!t->iobuf) { sio__free(a, t); return NULL; }
    if (ctx->server) {
        br_ssl_server_context *s = &t->u.s;
        if (ctx->key_type == BR_KEYTYPE_RSA)
            br_ssl_server_init_full_rsa(s, ctx->chain, ctx->chain_len, &ctx->rsa);
        else
            br_ssl_server_init_full_ec(s, ctx->chain, ctx->chain_len, ctx->issuer_key_type, &ctx->ec);
        t->eng = &s->eng;
        if (ctx->ntas) {
            /* Client certificates: the CertificateRequest names our CAs and
               the handshake fails without a chain that validates. */
            br_x509_minimal_init_full(&t->x.min, ctx->tas, ctx->ntas);
            br_ssl_engine_set_x509(t->eng, &t->x.min.vtable);
            br_ssl_server_set_trust_anchor_names_alt(s, ctx->tas, ctx->ntas);
            br_ssl_engine_set_default_rsavrfy(t->eng);
            br_ssl_engine_set_default_ecdsa(t->eng);
        }
        br_ssl_engine_add_flags(t->eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
    } else {
        br_ssl_client_context *cl = &t->u.c;
        br_ssl_client_init_full(cl, &t->x.min, ctx->tas, ctx->ntas);
        t->eng = &cl->eng;
        if (ctx->insecure) {
            /* x.nv overlays x.min, so the engine's validator pointer (the
               union's address) now reaches the no-op vtable. */
            t->x.nv.vtable = &sio__tls_noverify_vtable;
            br_ssl_engine_set_x509(t->eng, &t->x.nv.vtable);
        }
        if (ctx->key_type == BR_KEYTYPE_RSA)
            br_ssl_client_set_single_rsa(cl, ctx->chain, ctx->chain_len, &ctx->rsa,
                                         br_rsa_pkcs1_sign_get_default());
        else if (ctx->key_type == BR_KEYTYPE_EC)
            br_ssl_client_set_single_ec(cl, ctx->chain, ctx->chain_len, &ctx->ec, BR_KEYTYPE_SIGN,
                                        ctx->issuer_key_type, br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
    }
    br_ssl_engine_set_versions(t->eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_add_flags(t->eng, BR_OPT_NO_RENEGOTIATION);
    br_ssl_engine_set_buffer(t->eng, t->iobuf, SIO__TLS_IOBUF_SIZE, SIO_TLS_BIDI);
    ok = ctx->server ? br_ssl_server_reset(&t->u.s) : br_ssl_client_reset(&t->u.c, server_name, 0);
    if (!ok) {
        sio__tls_free(t);
        return NULL;
    }
    return t;
}

/* Ciphertext in: room for exactly the rest of the record being received
   (so at most one record is ever buffered). 0 means "not now": decrypted
   data waits for sio__tls_read, or (half duplex) our own record waits to
   be sent, or the engine is closed. */
static SIO__UNUSED size_t sio__tls_want_in(sio__tls *t, unsigned char **buf) {
    size_t len = 0;
    unsigned char *p = br_ssl_engine_recvrec_buf(t->eng, &len);
    *buf = p;
    return p ? len : 0;
}

static SIO__UNUSED void sio__tls_got_in(sio__tls *t, size_t n) {
    if (n) br_ssl_engine_recvrec_ack(t->eng, n);
}

static SIO__UNUSED size_t sio__tls_have_out(sio__tls *t, const unsigned char **buf) {
    size_t len = 0;
    unsigned char *p = br_ssl_engine_sendrec_buf(t->eng, &len);
    *buf = p;
    return p ? len : 0;
}

static SIO__UNUSED void sio__tls_sent_out(sio__tls *t, size_t n) {
    if (n) br_ssl_engine_sendrec_ack(t->eng, n);
}

static SIO__UNUSED size_t sio__tls_read(sio__tls *t, unsigned char *dst, size_t cap) {
    size_t total = 0;
    while (total < cap) {
        size_t len = 0;
        unsigned char *p = br_ssl_engine_recvapp_buf(t->eng, &len);
        if (!p) break;
        if (len > cap - total) len = cap - total;
        memcpy(dst + total, p, len);
        br_ssl_engine_recvapp_ack(t->eng, len);
        total += len;
    }
    return total;
}

/* Plaintext is gathered into a record until the record is full (then it
   is sealed and queued by itself) or sio__tls_flush is called. Returns 0
   before the handshake is done and whenever the sealed record has not
   yet been taken by sio__tls_have_out/sent_out. */
static SIO__UNUSED size_t sio__tls_write(sio__tls *t, const unsigned char *src, size_t n) {
    size_t total = 0;
    while (total < n) {
        size_t len = 0;
        unsigned char *p = br_ssl_engine_sendapp_buf(t->eng, &len);
        if (!p) break;
        if (len > n - total) len = n - total;
        memcpy(p, src + total, len);
        br_ssl_engine_sendapp_ack(t->eng, len);
        total += len;
    }
    return total;
}

static SIO__UNUSED void sio__tls_flush(sio__tls *t) { br_ssl_engine_flush(t->eng, 0); }

static SIO__UNUSED int sio__tls_state(sio__tls *t) {
    unsigned st = br_ssl_engine_current_state(t->eng);
    if (st & BR_SSL_CLOSED) return -1;
    if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) t->opened = 1;
    return t->opened;
}

static SIO__UNUSED const char *sio__tls_error(sio__tls *t) {
    int e = br_ssl_engine_last_error(t->eng);
    if (e == BR_ERR_OK)
        return (br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED) ? "closed (close_notify)" : "no error";
    if (e >= BR_ERR_SEND_FATAL_ALERT) {
        snprintf(t->msg, sizeof t->msg, "sent fatal alert: %s", sio__tls_alert_text(e - BR_ERR_SEND_FATAL_ALERT));
        return t->msg;
    }
    if (e >= BR_ERR_RECV_FATAL_ALERT) {
        snprintf(t->msg, sizeof t->msg, "peer refused: %s", sio__tls_alert_text(e - BR_ERR_RECV_FATAL_ALERT));
        return t->msg;
    }
    return sio__tls_err_text(e);
}

/* The name a client asked for (SNI) on a server, "" if none; the name
   passed to sio__tls_new on a client. */
static SIO__UNUSED const char *sio__tls_server_name(sio__tls *t) {
    return br_ssl_engine_get_server_name(t->eng);
}

/* Queues a close_notify: keep sending sio__tls_have_out, then close the
   socket (waiting for the peer's close_notify is optional: the state
   turns -1 when it arrives). */
static SIO__UNUSED void sio__tls_close(sio__tls *t) { br_ssl_engine_close(t->eng); }

#endif /* SIO_TLS_BEARSSL */
