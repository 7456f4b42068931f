/* =====================================================================
   >>sha1: SHA-1 (RFC 3174 / FIPS 180-4)
   Only the WebSocket handshake needs it (Sec-WebSocket-Accept), so a
   plain, portable implementation: big-endian words, one 64-byte block at
   a time. The context is internal; sio_sha1() is the one-shot entry.
   ===================================================================== */

typedef struct sio__sha1 {
    uint32_t h[5];
    unsigned char block[64];
    size_t used;          /* bytes waiting in block */
    uint64_t total;       /* message length in bytes */
} sio__sha1;

#define SIO__ROL32(x, n) ((uint32_t)(((x) << (n)) | ((x) >> (32 - (n)))))

static void sio__sha1_init(sio__sha1 *c) {
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->used = 0;
    c->total = 0;
}

static void sio__sha1_block(sio__sha1 *c, const unsigned char *p) {
    uint32_t w[80], a, b, d, e, f, k, t, cc;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++) {
        t = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = SIO__ROL32(t, 1);
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
    for (i = 0; i < 80; i++) {
        if (i < 20) { f = (b & cc) | (~b & d); k = 0x5A827999u; }
        else if (i < 40) { f = b ^ cc ^ d; k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8F1BBCDCu; }
        else { f = b ^ cc ^ d; k = 0xCA62C1D6u; }
        t = SIO__ROL32(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = SIO__ROL32(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void sio__sha1_update(sio__sha1 *c, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    size_t take;
    c->total += len;
    while (len > 0) {
        if (c->used == 0 && len >= 64) {
            sio__sha1_block(c, p);
            p += 64;
            len -= 64;
            continue;
        }
        take = 64 - c->used;
        if (take > len) take = len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used == 64) {
            sio__sha1_block(c, c->block);
            c->used = 0;
        }
    }
}

static void sio__sha1_final(sio__sha1 *c, unsigned char out[20]) {
    uint64_t bits = c->total * 8u;
    int i;
    /* Padding: one 0x80 byte, zeros up to 56 mod 64, then the bit length
       as a 64-bit big-endian number. */
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        sio__sha1_block(c, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (i = 0; i < 8; i++) c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sio__sha1_block(c, c->block);
    for (i = 0; i < 20; i++) out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

SIO_API void sio_sha1(const void *data, size_t len, unsigned char out[20]) {
    sio__sha1 c;
    sio__sha1_init(&c);
    sio__sha1_update(&c, data, len);
    sio__sha1_final(&c, out);
}

/* =====================================================================
   >>base64: RFC 4648 section 4 (standard alphabet, '=' padding)
   Engine.IO sends binary over long-polling as "b" + base64 ("bAQIDBA==" is
   the four bytes 01 02 03 04); the WebSocket handshake encodes its key and
   accept value with it.
   ===================================================================== */

static const char sio__b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* -1 for anything outside the standard alphabet, '=' included. */
static int sio__b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

SIO_API size_t sio_base64_encoded_len(size_t n) {
    size_t groups = n / 3 + (n % 3 != 0);
    if (groups > ((size_t)-1) / 4) return (size_t)-1;
    return groups * 4;
}

SIO_API size_t sio_base64_encode(const void *src, size_t n, char *dst, size_t cap) {
    const unsigned char *s = (const unsigned char *)src;
    size_t need = sio_base64_encoded_len(n), i, o = 0;
    uint32_t v;
    if (!dst || cap < need || need == (size_t)-1) return need;
    for (i = 0; i + 3 <= n; i += 3) {
        v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 6) & 63];
        dst[o++] = sio__b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        v = (uint32_t)s[i] << 16;
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = '=';
        dst[o++] = '=';
    } else if (n - i == 2) {
        v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 6) & 63];
        dst[o++] = '=';
    }
    if (cap > o) dst[o] = '\0';
    return o;
}

SIO_API int sio_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, size_t *out_len) {
    const unsigned char *s = (const unsigned char *)src;
    size_t data = n, rem, outlen, i, o = 0;
    uint32_t v = 0;
    int last;
    if (out_len) *out_len = 0;
    /* Padding is recognised only where it completes the final quantum:
       "QQ==" and "QUI=" are fine, "QQ=" or "Q===" are not. */
    if (n >= 4 && n % 4 == 0) {
        if (s[n - 1] == '=') data--;
        if (s[n - 2] == '=' && data < n) data--;
    }
    rem = data % 4;
    if (rem == 1) return SIO_ERR_PARSE;      /* 6 bits cannot make a byte */
    outlen = data / 4 * 3 + (rem ? rem - 1 : 0);
    for (i = 0; i < data; i++)
        if (sio__b64_value(s[i]) < 0) return SIO_ERR_PARSE;
    if (rem) {
        /* The bits below the last whole byte must be zero: "QQ" (0x41) is
           canonical, "QR" would decode to the same byte and is refused. */
        last = sio__b64_value(s[data - 1]);
        if ((rem == 2 && (last & 0x0F)) || (rem == 3 && (last & 0x03))) return SIO_ERR_PARSE;
    }
    if (outlen > cap || (outlen && !dst)) {
        if (out_len) *out_len = outlen;
        return SIO_ERR_TOO_BIG;
    }
    for (i = 0; i + 4 <= data; i += 4) {
        v = ((uint32_t)sio__b64_value(s[i]) << 18) | ((uint32_t)sio__b64_value(s[i + 1]) << 12) |
            ((uint32_t)sio__b64_value(s[i + 2]) << 6) | (uint32_t)sio__b64_value(s[i + 3]);
        dst[o++] = (unsigned char)(v >> 16);
        dst[o++] = (unsigned char)(v >> 8);
        dst[o++] = (unsigned char)v;
    }
    if (rem >= 2) {
        v = ((uint32_t)sio__b64_value(s[i]) << 18) | ((uint32_t)sio__b64_value(s[i + 1]) << 12);
        if (rem == 3) v |= (uint32_t)sio__b64_value(s[i + 2]) << 6;
        dst[o++] = (unsigned char)(v >> 16);
        if (rem == 3) dst[o++] = (unsigned char)(v >> 8);
    }
    if (out_len) *out_len = o;
    return SIO_OK;
}

SIO_API int sio_base64_buf(sio_buf *b, const void *src, size_t n) {
    size_t need = sio_base64_encoded_len(n);
    int rc;
    if (b->err) return b->err;
    if (need == (size_t)-1) return b->err = SIO_ERR_TOO_BIG;
    if ((rc = sio_buf_reserve(b, need)) != SIO_OK) return rc;
    if (need) sio_base64_encode(src, n, b->data + b->len, need);
    b->len += need;
    return SIO_OK;
}

/* =====================================================================
   >>utf8: incremental UTF-8 validation (RFC 3629)
   WebSocket text must be UTF-8 as a whole message (RFC 6455 section 8.1),
   but a fragment boundary may fall inside a character: "é" is C3 A9 and
   may arrive as [.. C3] [A9 ..]. So the check is a state machine whose
   state survives between pieces.
   State: 0 = between characters; otherwise low 2 bits = continuation
   bytes still expected, bits 2..4 = which range the NEXT byte must be in
   (narrower than 80..BF right after E0, ED, F0, F4, to refuse overlong
   forms, UTF-16 surrogates and code points above U+10FFFF).
   ===================================================================== */

#define SIO__UTF8_BAD 0xFFu

static const unsigned char sio__utf8_lo[5] = { 0x80, 0xA0, 0x80, 0x90, 0x80 };
static const unsigned char sio__utf8_hi[5] = { 0xBF, 0xBF, 0x9F, 0xBF, 0x8F };

SIO_API int sio_utf8_check(unsigned *state, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned st = *state, kind;
    size_t i = 0;
    if (st == SIO__UTF8_BAD) return -1;
    while (i < n) {
        unsigned c = p[i++];
        if (st == 0) {
            if (c < 0x80) continue;
            if (c >= 0xC2 && c <= 0xDF) st = 1;
            else if (c == 0xE0) st = 2 | (1u << 2);        /* E0 A0..BF: no overlong */
            else if (c == 0xED) st = 2 | (2u << 2);        /* ED 80..9F: no surrogate */
            else if (c >= 0xE1 && c <= 0xEF) st = 2;
            else if (c == 0xF0) st = 3 | (3u << 2);        /* F0 90..BF: no overlong */
            else if (c >= 0xF1 && c <= 0xF3) st = 3;
            else if (c == 0xF4) st = 3 | (4u << 2);        /* F4 80..8F: <= U+10FFFF */
            else { *state = SIO__UTF8_BAD; return -1; }
        } else {
            kind = st >> 2;
            if (c < sio__utf8_lo[kind] || c > sio__utf8_hi[kind]) { *state = SIO__UTF8_BAD; return -1; }
            st = (st & 3u) - 1u;
        }
    }
    *state = st;
    return 0;
}
