/* The Admin UI's bcrypt check (>>admin: sio__bf_pi, sio__bcrypt_check,
   sio__bcrypt_valid). Vectors made with Node's bcryptjs 2.4.3, the one
   @socket.io/admin-ui uses; each expectation is bcryptjs.compareSync's
   answer. Run plain, under ASan/UBSan, -m32 and big-endian (s390x). */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"
#include <stdio.h>
#include <string.h>

static int t_run = 0, t_fail = 0;

static void t_expect(int got, int want, const char *what, const char *detail) {
    t_run++;
    if (got != want) {
        t_fail++;
        printf("FAIL %s: got %d want %d (%s)\n", what, got, want, detail);
    }
}

struct t_vec { const char *pw; size_t n; const char *hash; int expect; };

static const struct t_vec t_vecs[] = {
    {"", 0, "$2a$04$d6Yx6P/Yf6LZruixXiHmSeULyt8o0EAZmQdiXk261XGmE.HaP9ZZW", 1}, /* len 0, cost 4, $2a$ */
    {"a", 1, "$2a$04$d6Yx6P/Yf6LZruixXiHmSeULyt8o0EAZmQdiXk261XGmE.HaP9ZZW", 0}, /* one byte changed */
    {"", 0, "$2b$05$LAHn2u3orKbpTV8qqS04nuhKKuShJvyfzjRepehVC1faVySxTKRve", 1}, /* len 0, cost 5, $2b$ */
    {"a", 1, "$2b$05$LAHn2u3orKbpTV8qqS04nuhKKuShJvyfzjRepehVC1faVySxTKRve", 0}, /* one byte changed */
    {"a", 1, "$2b$04$2eTXwlKm.dymBvWfQuWjxehY8LFiXbAnfoTKvli3wdj4ebBlKRqXa", 1}, /* len 1, cost 4, $2b$ */
    {"`", 1, "$2b$04$2eTXwlKm.dymBvWfQuWjxehY8LFiXbAnfoTKvli3wdj4ebBlKRqXa", 0}, /* one byte changed */
    {"s3cret", 6, "$2a$06$3GHKTYyTkQcxDb011QWLc.yjFA0bYl4SeARIY12uT/lhZMFeLRaqi", 1}, /* len 6, cost 6, $2a$ */
    {"r3cret", 6, "$2a$06$3GHKTYyTkQcxDb011QWLc.yjFA0bYl4SeARIY12uT/lhZMFeLRaqi", 0}, /* one byte changed */
    {"p\303\24455 w0rd", 10, "$2b$04$8YkJjhoqDV.vGCSRjaOt8..oHMkBSSmjxGdhd1YHS2G.fbv863IG.", 1}, /* len 10, cost 4, $2b$ */
    {"q\303\24455 w0rd", 10, "$2b$04$8YkJjhoqDV.vGCSRjaOt8..oHMkBSSmjxGdhd1YHS2G.fbv863IG.", 0}, /* one byte changed */
    {"p\303\24455 w0rd", 10, "$2y$05$v/wUhsipXmr23QSu2NWuWeTuI.zoCCubn0LY99B1fE4K7dSDjsCUy", 1}, /* len 10, cost 5, $2y$ */
    {"q\303\24455 w0rd", 10, "$2y$05$v/wUhsipXmr23QSu2NWuWeTuI.zoCCubn0LY99B1fE4K7dSDjsCUy", 0}, /* one byte changed */
    {"\346\227\245\346\234\254\350\252\236\343\203\221\343\202\271\343\203\257\343\203\274\343\203\211", 24, "$2a$04$VdWHJHaVfTgnCcykEsBPZ./JlQ1WVkonVP8sSMd4/BFIWfjqRTrLy", 1}, /* len 24, cost 4, $2a$ */
    {"\346\227\244\346\234\254\350\252\236\343\203\221\343\202\271\343\203\257\343\203\274\343\203\211", 24, "$2a$04$VdWHJHaVfTgnCcykEsBPZ./JlQ1WVkonVP8sSMd4/BFIWfjqRTrLy", 0}, /* one byte changed */
    {"correct horse battery staple", 28, "$2y$04$BBN8qTcnaDgwamzFJN9IJOD6QexMYDHR7do8izL6Xb2m5Vk0P/56.", 1}, /* len 28, cost 4, $2y$ */
    {"borrect horse battery staple", 28, "$2y$04$BBN8qTcnaDgwamzFJN9IJOD6QexMYDHR7do8izL6Xb2m5Vk0P/56.", 0}, /* one byte changed */
    {"a\000b", 3, "$2b$04$ZLg/LASzA.AfBaSgj1qateBeppAUuarA3QGfQhmVvooOGfj/DqpMu", 1}, /* len 3, cost 4, $2b$ */
    {"`\000b", 3, "$2b$04$ZLg/LASzA.AfBaSgj1qateBeppAUuarA3QGfQhmVvooOGfj/DqpMu", 0}, /* one byte changed */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ", 71, "$2a$04$NkQyY2COglFIpxnMchkO0.j7kVowfJvkFsNlpwOZJdSP/2/hcPa3u", 1}, /* len 71, cost 4, $2a$ */
    {"yxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ", 71, "$2a$04$NkQyY2COglFIpxnMchkO0.j7kVowfJvkFsNlpwOZJdSP/2/hcPa3u", 0}, /* one byte changed */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQ", 72, "$2b$04$r4ky1KG2bbMWtDJILjIvke3EADJ9F.lpM5squ6F4X.kuMhskE9u.y", 1}, /* len 72, cost 4, $2b$ */
    {"yxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQ", 72, "$2b$04$r4ky1KG2bbMWtDJILjIvke3EADJ9F.lpM5squ6F4X.kuMhskE9u.y", 0}, /* one byte changed */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQR", 73, "$2a$05$RjhoDe76Ri4cIKAkt38YSuSoLGwe4I/2IuB1.3yTEJdBuxeCdpW9.", 1}, /* len 73, cost 5, $2a$ */
    {"yxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQR", 73, "$2a$05$RjhoDe76Ri4cIKAkt38YSuSoLGwe4I/2IuB1.3yTEJdBuxeCdpW9.", 0}, /* one byte changed */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ\303\244", 73, "$2b$04$zUo0Gu52fPe3ZqM643rnxOu30mtZLN5H.dA/HYRmd9brLiqrKftEe", 1}, /* len 73, cost 4, $2b$ */
    {"yxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ\303\244", 73, "$2b$04$zUo0Gu52fPe3ZqM643rnxOu30mtZLN5H.dA/HYRmd9brLiqrKftEe", 0}, /* one byte changed */
    {"012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 300, "$2a$04$pzOYgUXo6wxL3QXy.RSfYORU2OgqQgKWlcD/3SjROsmQuzZGFDTqC", 1}, /* len 300, cost 4, $2a$ */
    {"112345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 300, "$2a$04$pzOYgUXo6wxL3QXy.RSfYORU2OgqQgKWlcD/3SjROsmQuzZGFDTqC", 0}, /* one byte changed */
    {"Pass\011word!\"\\\?", 13, "$2b$06$gNTgWB0HNL7iwDhzhMfKsezGykL9khFwWlptTfbcnErILAsHAe8bS", 1}, /* len 13, cost 6, $2b$ */
    {"Qass\011word!\"\\\?", 13, "$2b$06$gNTgWB0HNL7iwDhzhMfKsezGykL9khFwWlptTfbcnErILAsHAe8bS", 0}, /* one byte changed */
    {"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", 255, "$2y$04$qy2LDQ5cZs451BVVHP.B2eodskKsZS0vHnizhj80smEpSvVsfR3Vq", 1}, /* len 255, cost 4, $2y$ */
    {"\177~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", 255, "$2y$04$qy2LDQ5cZs451BVVHP.B2eodskKsZS0vHnizhj80smEpSvVsfR3Vq", 0}, /* one byte changed */
    {"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu", 256, "$2a$04$kRG8BSy0bR6DiQw2eKzt.e/FJstdK9nQGvTKXm1evYO4bqgxDMasy", 1}, /* len 256, cost 4, $2a$ */
    {"tuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu", 256, "$2a$04$kRG8BSy0bR6DiQw2eKzt.e/FJstdK9nQGvTKXm1evYO4bqgxDMasy", 0}, /* one byte changed */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQR", 73, "$2a$04$iN8t1ouZqKtpc8y5dUs4o.VAwvHGvllEZ5a81xI9f9k8PhwN7BTAu", 1}, /* 73 bytes vs hash of its 72-byte prefix */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQ", 72, "$2a$04$xmOO5ka82C.wzGZ6AeTnzeM2z/FuhLVNxt5YfkbLLfMA7MvDFXWTG", 1}, /* 72-byte prefix vs hash of 73 bytes */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZQ", 72, "$2a$04$0hcTIyYxNOcwWOq1azEF..9SbarXI3Ttyth0NI5j6JMq72SITVXOe", 0}, /* 72 bytes vs hash of its 71-byte prefix (NUL counts) */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ", 71, "$2a$04$iN8t1ouZqKtpc8y5dUs4o.VAwvHGvllEZ5a81xI9f9k8PhwN7BTAu", 0}, /* 71 bytes vs hash of 72 */
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ\303\251", 73, "$2a$04$MBYp5noan7Yy5xHjuJ/uLugdbM.nU25VBJJcyr9j6bfT71pCXTj5m", 1}, /* same first 72 bytes (c3), UTF-8 char cut at 72 */
    {"012345678901234567890123456789012345678901234567890123456789012345678901", 72, "$2a$04$Bj8Fy4LVXXfiAdVqfvFIHOXIYFOs.Q2igy.muE7TZBb9gREo65/Le", 1}, /* 300 bytes hash vs 72-byte prefix */
    {"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu", 72, "$2a$04$uG0c3LPWKkNlucflWhO.mOuUGm.cAl8SYH9WKhyLM4kliCeLd3MzK", 1}, /* 256 bytes hash vs 72-byte prefix (no $2a$ wrap) */
};

static const char *const t_bad[] = {
    "$2x$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* prefix */
    "$2$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy",  /* prefix */
    "$3a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* prefix */
    "2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy",  /* prefix */
    "$2A$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* prefix */
    "$2a$03$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* cost */
    "$2a$32$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* cost */
    "$2a$4$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy",  /* cost */
    "$2a$ 4$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* cost */
    "$2a$99$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* cost */
    "$2a$04n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy",  /* no '$' */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060s",  /* short */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060syx", /* long */
    "$2a$04$",
    "$2a",
    "",
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0+xIlAUvBQPN74ZSz/060sy", /* '+' */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060s=", /* '=' */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYN-ehsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* '-' */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060s\303", /* byte >127 */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlmhsB1MXwB0fxIlAUvBQPN74ZSz/060sy", /* salt's unused bits */
    "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060st", /* hash's unused bits */
};


int main(void) {
    static const char given[] =
        "$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy";
    static const char cost10[] =
        "$2a$10$kX3MZ.TQBPv0bdCMtx776uftDagZnzWqwQtq0g5TMkx/SHvcCMqtS";
    sio__bf_state init;
    uint32_t fnv = 0x811c9dc5u;
    size_t i;
    int j, pos = 0, neg = 0, bad = 0;

    sio__bf_pi(&init);

    /* pi's hex fraction: known words, and FNV-1a of all 1042 words as
       big-endian bytes, computed independently with python mpmath */
    t_expect(init.p[0] == 0x243F6A88u, 1, "pi", "P[0]");
    t_expect(init.p[1] == 0x85A308D3u, 1, "pi", "P[1]");
    t_expect(init.p[2] == 0x13198A2Eu, 1, "pi", "P[2]");
    t_expect(init.p[3] == 0x03707344u, 1, "pi", "P[3]");
    t_expect(init.p[17] == 0x8979FB1Bu, 1, "pi", "P[17]");
    t_expect(init.s[0][0] == 0xD1310BA6u, 1, "pi", "S0[0]");
    t_expect(init.s[3][254] == 0x578FDFE3u, 1, "pi", "S3[254]");
    t_expect(init.s[3][255] == 0x3AC372E6u, 1, "pi", "S3[255]");
    for (j = 0; j < 18 + 1024; j++) {
        uint32_t w = j < 18 ? init.p[j] : init.s[(j - 18) >> 8][(j - 18) & 255];
        int k;
        for (k = 24; k >= 0; k -= 8) fnv = (fnv ^ ((w >> k) & 255u)) * 0x01000193u;
    }
    t_expect(fnv == 0x66ca65f4u, 1, "pi", "FNV-1a of all words");

    /* the vector from the brief */
    t_expect(sio__bcrypt_valid(given), 0, "valid", given);
    t_expect(sio__bcrypt_check(&init, "s3cret", 6, given), 1, "given", "s3cret"); pos++;
    t_expect(sio__bcrypt_check(&init, "s3cre", 5, given), 0, "given", "s3cre"); neg++;
    t_expect(sio__bcrypt_check(&init, "s3cret ", 7, given), 0, "given", "s3cret "); neg++;
    t_expect(sio__bcrypt_check(&init, "", 0, given), 0, "given", "empty"); neg++;
    t_expect(sio__bcrypt_check(&init, NULL, 0, given), 0, "given", "NULL, 0"); neg++;
    t_expect(sio__bcrypt_check(&init, given, strlen(given), given), 0, "given", "hash text"); neg++;
    t_expect(sio__bcrypt_check(&init, "s3cret\0", 7, given), 0, "given", "s3cret + NUL byte"); neg++;

    for (i = 0; i < sizeof t_vecs / sizeof t_vecs[0]; i++) {
        const struct t_vec *v = &t_vecs[i];
        char what[32];
        sprintf(what, "vector %u", (unsigned)i);
        t_expect(sio__bcrypt_valid(v->hash), 0, what, v->hash);
        t_expect(sio__bcrypt_check(&init, v->pw, v->n, v->hash), v->expect, what, v->hash);
        if (v->expect) pos++; else neg++;
    }

    for (i = 0; i < sizeof t_bad / sizeof t_bad[0]; i++) {
        t_expect(sio__bcrypt_valid(t_bad[i]), -1, "malformed valid", t_bad[i]);
        t_expect(sio__bcrypt_check(&init, "s3cret", 6, t_bad[i]), -1, "malformed check", t_bad[i]);
        bad++;
    }
    t_expect(sio__bcrypt_valid(NULL), -1, "malformed valid", "NULL");
    t_expect(sio__bcrypt_check(&init, "s3cret", 6, NULL), -1, "malformed check", "NULL");
    bad++;
    /* well formed at the edges of cost (31 is not run: 2^31 rounds) */
    t_expect(sio__bcrypt_valid("$2y$31$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy"), 0, "valid", "cost 31");
    t_expect(sio__bcrypt_valid("$2b$04$......................0123456789abcdefghijklmnopqrstu"), 0, "valid", "dots");

    /* the top of the cost range an admin would pick */
    t_expect(sio__bcrypt_check(&init, "timing", 6, cost10), 1, "cost 10", cost10); pos++;

    printf("%d checks (vectors: %d match, %d mismatch, %d malformed)\n", t_run, pos, neg, bad);
    printf("%s 1 - bcrypt: pi's digits, bcryptjs's vectors, malformed hashes\n", t_fail ? "not ok" : "ok");
    printf("# pass %d\n# fail %d\n", t_fail ? 0 : 1, t_fail ? 1 : 0);
    return t_fail ? 1 : 0;
}
