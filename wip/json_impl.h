/* =====================================================================
   >>json: UTF-8 check, JSON writer, validating parser, lazy reader
   =====================================================================
   RFC 8259 text, RFC 3629 UTF-8. The writer mirrors JSON.stringify so a
   Node peer sees exactly what its own code would send. The parser is an
   iterative state machine with a fixed stack of SIO_JSON_MAX_DEPTH
   bytes, so hostile nesting ("[[[[...") costs neither recursion nor
   memory. After validation the reader trusts the grammar and only counts
   brackets, but still bounds every access by the view's length. */

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), 0 if invalid or
   cut short. The second-byte ranges are what exclude overlongs (E0 80..9F,
   F0 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF
   (F4 90.., F5..FF). */
static size_t sio__utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t len, i;
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) len = 2;
    else if (c < 0xF0) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
    } else if (c < 0xF5) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

SIO_API int sio_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;
    while (i < n) {
        if (p[i] < 0x80) { i++; continue; }
        k = sio__utf8_seq(p + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

static size_t sio__utf8_put(char *out, unsigned long cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int sio__json_hex4(const char *s, unsigned long *out) {
    unsigned long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned long)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* ---------------------------------------------------------------------
   Writer
   ------------------------------------------------------------------- */

SIO_API void sio_json_writer_init(sio_json_writer *w, sio_buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = 1;
}

static void sio__json_fail(sio_json_writer *w, int err) {
    if (!w->err) w->err = err;
}

/* Everything that starts a value goes through here: it checks that a
   value is allowed at this point and writes the separating comma. */
static int sio__json_pre_value(sio_json_writer *w) {
    int d = w->depth;
    if (w->err) return 0;
    if (!w->out) { sio__json_fail(w, SIO_ERR_INVALID); return 0; }
    if (d == 0) {
        if (!w->first[0]) { sio__json_fail(w, SIO_ERR_STATE); return 0; }
    } else if (w->is_obj[d]) {
        if (!w->after_key) { sio__json_fail(w, SIO_ERR_STATE); return 0; }
    } else if (!w->first[d]) {
        sio_buf_appendc(w->out, ',');
    }
    w->first[d] = 0;
    w->after_key = 0;
    return 1;
}

/* Escapes as JSON.stringify does: only '"', '\\' and C0 controls;
   U+2028/U+2029 and all other non-ASCII pass through as raw UTF-8. */
static void sio__json_put_string(sio_json_writer *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    sio_buf *b = w->out;
    size_t i, run = 0;
    sio_buf_appendc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t elen = 2;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sio_buf_append(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            elen = 6;
        }
        sio_buf_append(b, esc, elen);
    }
    sio_buf_append(b, s + run, n - run);
    sio_buf_appendc(b, '"');
}

static int sio__json_check_str(sio_json_writer *w, const char *s, size_t n) {
    if (w->err) return 0;
    if (!s && n) { sio__json_fail(w, SIO_ERR_INVALID); return 0; }
    if (!sio_utf8_valid(s, n)) { sio__json_fail(w, SIO_ERR_UTF8); return 0; }
    return 1;
}

static void sio__json_begin(sio_json_writer *w, char c, int obj) {
    if (!sio__json_pre_value(w)) return;
    if (w->depth >= SIO_JSON_MAX_DEPTH) { sio__json_fail(w, SIO_ERR_TOO_BIG); return; }
    w->depth++;
    w->first[w->depth] = 1;
    w->is_obj[w->depth] = (unsigned char)obj;
    sio_buf_appendc(w->out, c);
}

static void sio__json_end(sio_json_writer *w, char c, int obj) {
    if (w->err) return;
    if (w->depth == 0 || w->is_obj[w->depth] != obj || w->after_key) {
        sio__json_fail(w, SIO_ERR_STATE);
        return;
    }
    w->depth--;
    sio_buf_appendc(w->out, c);
}

SIO_API void sio_json_obj_begin(sio_json_writer *w) { sio__json_begin(w, '{', 1); }
SIO_API void sio_json_obj_end(sio_json_writer *w) { sio__json_end(w, '}', 1); }
SIO_API void sio_json_arr_begin(sio_json_writer *w) { sio__json_begin(w, '[', 0); }
SIO_API void sio_json_arr_end(sio_json_writer *w) { sio__json_end(w, ']', 0); }

SIO_API void sio_json_key_n(sio_json_writer *w, const char *key, size_t n) {
    int d = w->depth;
    if (!sio__json_check_str(w, key, n)) return;
    if (d == 0 || !w->is_obj[d] || w->after_key) { sio__json_fail(w, SIO_ERR_STATE); return; }
    if (!w->first[d]) sio_buf_appendc(w->out, ',');
    w->first[d] = 0;
    sio__json_put_string(w, key, n);
    sio_buf_appendc(w->out, ':');
    w->after_key = 1;
}

SIO_API void sio_json_key(sio_json_writer *w, const char *key) {
    if (!key) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    sio_json_key_n(w, key, strlen(key));
}

SIO_API void sio_json_str_n(sio_json_writer *w, const char *s, size_t n) {
    if (!sio__json_check_str(w, s, n)) return;
    if (!sio__json_pre_value(w)) return;
    sio__json_put_string(w, s, n);
}

SIO_API void sio_json_str(sio_json_writer *w, const char *s) {
    if (!s) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    sio_json_str_n(w, s, strlen(s));
}

SIO_API void sio_json_int(sio_json_writer *w, long long v) {
    if (!sio__json_pre_value(w)) return;
    if (v < 0) {
        sio_buf_appendc(w->out, '-');
        /* -(v + 1) + 1 stays in range even for LLONG_MIN */
        sio_buf_appendu(w->out, (unsigned long long)(-(v + 1)) + 1u);
    } else {
        sio_buf_appendu(w->out, (unsigned long long)v);
    }
}

/* Formats a finite, positive, nonzero double the way JavaScript's
   Number.prototype.toString does (ECMA-262 "Number::toString"): with k
   shortest digits and the point after n of them, plain notation for
   -6 < n <= 21 (1e20 -> "100000000000000000000", 1e-6 -> "0.000001"),
   exponential otherwise (1e21 -> "1e+21", 1e-7 -> "1e-7"). The shortest
   digits come from printf: the first precision of 15, 16, 17 that reads
   back equal. Any 15-digit decimal survives a trip through a normal
   double (DBL_DIG), so this also finds forms shorter than 15 once trailing
   zeros are stripped. Subnormals have fewer bits and break that rule
   (5e-324 prints as 4.94065645841247e-324 at 15 digits), so for them every
   precision from 1 up is tried. The digits are picked out of printf's text by hand, so
   a locale with a ',' decimal point cannot leak into the output. */
static size_t sio__json_fmt_double(double v, char *out) {
    char tmp[40], dig[20];
    int p, k = 0, e = 0, eneg = 0, n, i;
    size_t o = 0;
    const char *q;
    for (p = v < 2.2250738585072014e-308 ? 1 : 15; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    for (q = tmp; *q && *q != 'e' && *q != 'E'; q++)
        if (*q >= '0' && *q <= '9' && k < (int)sizeof dig) dig[k++] = *q;
    if (*q) q++;
    if (*q == '-') { eneg = 1; q++; } else if (*q == '+') q++;
    for (; *q >= '0' && *q <= '9'; q++) e = e * 10 + (*q - '0');
    if (eneg) e = -e;
    while (k > 1 && dig[k - 1] == '0') k--;
    n = e + 1;
    if (k <= n && n <= 21) {
        for (i = 0; i < k; i++) out[o++] = dig[i];
        for (; i < n; i++) out[o++] = '0';
    } else if (0 < n && n <= 21) {
        for (i = 0; i < n; i++) out[o++] = dig[i];
        out[o++] = '.';
        for (; i < k; i++) out[o++] = dig[i];
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (i = 0; i < -n; i++) out[o++] = '0';
        for (i = 0; i < k; i++) out[o++] = dig[i];
    } else {
        int x = n - 1, div = 100;
        out[o++] = dig[0];
        if (k > 1) {
            out[o++] = '.';
            for (i = 1; i < k; i++) out[o++] = dig[i];
        }
        out[o++] = 'e';
        out[o++] = x < 0 ? '-' : '+';
        if (x < 0) x = -x;
        while (div > 1 && x < div) div /= 10;
        for (; div; div /= 10) out[o++] = (char)('0' + x / div % 10);
    }
    return o;
}

SIO_API void sio_json_num(sio_json_writer *w, double v) {
    char txt[48];
    size_t n;
    if (!sio__json_pre_value(w)) return;
    /* NaN fails every comparison; the bounds catch the infinities. */
    if (!(v >= -1.7976931348623157e308 && v <= 1.7976931348623157e308)) {
        sio_buf_append(w->out, "null", 4);
        return;
    }
    if (v == 0) { sio_buf_appendc(w->out, '0'); return; } /* also -0 */
    if (v < 0) { sio_buf_appendc(w->out, '-'); v = -v; }
    n = sio__json_fmt_double(v, txt);
    sio_buf_append(w->out, txt, n);
}

SIO_API void sio_json_bool(sio_json_writer *w, int v) {
    if (!sio__json_pre_value(w)) return;
    if (v) sio_buf_append(w->out, "true", 4);
    else sio_buf_append(w->out, "false", 5);
}

SIO_API void sio_json_null(sio_json_writer *w) {
    if (!sio__json_pre_value(w)) return;
    sio_buf_append(w->out, "null", 4);
}

SIO_API void sio_json_raw(sio_json_writer *w, const char *json, size_t n) {
    if (w->err) return;
    if (!json || !n) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    if (!sio__json_pre_value(w)) return;
    sio_buf_append(w->out, json, n);
}

SIO_API int sio_json_writer_finish(sio_json_writer *w) {
    if (w->err) return w->err;
    if (!w->out) return SIO_ERR_INVALID;
    if (w->out->err) return w->out->err;
    if (w->depth != 0 || w->after_key || w->first[0]) return SIO_ERR_STATE;
    return SIO_OK;
}

/* ---------------------------------------------------------------------
   Parser: validates one value
   ------------------------------------------------------------------- */

static size_t sio__json_ws(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* s[*pos] is '"'. On success *pos is just past the closing quote. */
static int sio__json_scan_string(const char *s, size_t n, size_t *pos) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = *pos + 1, k;
    unsigned long cp, lo;
    for (;;) {
        if (i >= n) goto bad;
        if (u[i] == '"') { *pos = i + 1; return SIO_OK; }
        if (u[i] < 0x20) goto bad;
        if (u[i] >= 0x80) {
            k = sio__utf8_seq(u + i, n - i);
            if (!k) goto bad;
            i += k;
            continue;
        }
        if (u[i] != '\\') { i++; continue; }
        if (i + 1 >= n) goto bad;
        switch (s[i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            i += 2;
            continue;
        case 'u':
            break;
        default:
            goto bad;
        }
        if (n - i < 6 || !sio__json_hex4(s + i + 2, &cp)) goto bad;
        i += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) goto bad;     /* low half first */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* "\ud83d\ude00" is one code point (U+1F600); a high half not
               followed by a low half has no UTF-8 form, so it is refused
               (JavaScript would keep it as a lone UTF-16 unit). */
            if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u' ||
                !sio__json_hex4(s + i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
            i += 6;
        }
    }
bad:
    *pos = i < n ? i : n;
    return SIO_ERR_PARSE;
}

static int sio__json_scan_number(const char *s, size_t n, size_t *pos) {
    size_t i = *pos, d;
    if (s[i] == '-') i++;
    if (i >= n) goto bad;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') { while (i < n && s[i] >= '0' && s[i] <= '9') i++; }
    else goto bad;
    if (i < n && s[i] == '.') {
        d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) goto bad;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) goto bad;
    }
    *pos = i;
    return SIO_OK;
bad:
    *pos = i;
    return SIO_ERR_PARSE;
}

static int sio__json_scan_word(const char *s, size_t n, size_t *pos, const char *word, size_t wl) {
    size_t i = *pos;
    if (n - i < wl || memcmp(s + i, word, wl) != 0) return SIO_ERR_PARSE;
    *pos = i + wl;
    return SIO_OK;
}

/* Scans the object key and ':' that follow '{' or ','; i is at the key. */
static int sio__json_scan_key(const char *s, size_t n, size_t *pos) {
    size_t i = *pos;
    int rc;
    if (i >= n || s[i] != '"') return SIO_ERR_PARSE;
    if ((rc = sio__json_scan_string(s, n, &i)) != SIO_OK) { *pos = i; return rc; }
    i = sio__json_ws(s, i, n);
    if (i >= n || s[i] != ':') { *pos = i; return SIO_ERR_PARSE; }
    *pos = sio__json_ws(s, i + 1, n);
    return SIO_OK;
}

/* One value starting at *pos (no leading whitespace skipped). The stack
   holds one byte per open container: 1 = object, 0 = array. Control
   alternates between "a value starts here" and "a value just ended",
   the latter deciding between ',' and the closing bracket. */
static int sio__json_scan(const char *s, size_t n, size_t *pos) {
    unsigned char stack[SIO_JSON_MAX_DEPTH];
    int depth = 0, rc;
    size_t i = *pos;
    for (;;) {
        /* a value starts at i */
        if (i >= n) { rc = SIO_ERR_PARSE; goto out; }
        switch (s[i]) {
        case '{':
        case '[':
            if (depth >= SIO_JSON_MAX_DEPTH) { rc = SIO_ERR_TOO_BIG; goto out; }
            stack[depth++] = (unsigned char)(s[i] == '{');
            i = sio__json_ws(s, i + 1, n);
            if (i < n && s[i] == (stack[depth - 1] ? '}' : ']')) {
                i++;
                depth--;
                rc = SIO_OK;
                break;
            }
            if (stack[depth - 1] && (rc = sio__json_scan_key(s, n, &i)) != SIO_OK) goto out;
            continue;
        case '"': rc = sio__json_scan_string(s, n, &i); break;
        case 't': rc = sio__json_scan_word(s, n, &i, "true", 4); break;
        case 'f': rc = sio__json_scan_word(s, n, &i, "false", 5); break;
        case 'n': rc = sio__json_scan_word(s, n, &i, "null", 4); break;
        default:  rc = sio__json_scan_number(s, n, &i); break;
        }
        if (rc != SIO_OK) goto out;
        /* a value ended at i: close containers until one wants more */
        for (;;) {
            if (depth == 0) { rc = SIO_OK; goto out; }
            i = sio__json_ws(s, i, n);
            if (i >= n) { rc = SIO_ERR_PARSE; goto out; }
            if (s[i] == ',') {
                i = sio__json_ws(s, i + 1, n);
                if (stack[depth - 1] && (rc = sio__json_scan_key(s, n, &i)) != SIO_OK) goto out;
                break;
            }
            if (s[i] != (stack[depth - 1] ? '}' : ']')) { rc = SIO_ERR_PARSE; goto out; }
            i++;
            depth--;
        }
    }
out:
    *pos = i;
    return rc;
}

static sio_json_type sio__json_type_of(char c) {
    switch (c) {
    case '{': return SIO_JSON_OBJECT;
    case '[': return SIO_JSON_ARRAY;
    case '"': return SIO_JSON_STRING;
    case 't': return SIO_JSON_TRUE;
    case 'f': return SIO_JSON_FALSE;
    case 'n': return SIO_JSON_NULL;
    default: return (c == '-' || (c >= '0' && c <= '9')) ? SIO_JSON_NUMBER : SIO_JSON_INVALID;
    }
}

SIO_API int sio_json_validate_prefix(const char *text, size_t n, size_t *used) {
    size_t i;
    int rc;
    if (!text) n = 0;
    i = sio__json_ws(text, 0, n);
    rc = sio__json_scan(text, n, &i);
    if (used) *used = i;
    return rc;
}

SIO_API int sio_json_parse(const char *text, size_t n, sio_json *root) {
    size_t start, i;
    int rc;
    if (root) { root->ptr = NULL; root->len = 0; root->type = SIO_JSON_INVALID; }
    if (!text) n = 0;
    start = i = sio__json_ws(text, 0, n);
    if ((rc = sio__json_scan(text, n, &i)) != SIO_OK) return rc;
    if (sio__json_ws(text, i, n) != n) return SIO_ERR_PARSE;
    if (root) {
        root->ptr = text + start;
        root->len = i - start;
        root->type = sio__json_type_of(text[start]);
    }
    return SIO_OK;
}

/* ---------------------------------------------------------------------
   Reader: walks validated text. Skipping a value needs no stack: once
   the grammar is known to be right, a container ends where the bracket
   count (outside strings) returns to zero. Garbage merely ends early.
   ------------------------------------------------------------------- */

/* End of the value starting at s[i], never beyond n. */
static size_t sio__json_skip(const char *s, size_t i, size_t n) {
    size_t depth = 0;
    char c = s[i];
    if (c != '"' && c != '[' && c != '{') {
        /* number or literal: a run of the characters they are made of */
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                         s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'E'))
            i++;
        return i;
    }
    while (i < n) {
        c = s[i++];
        if (c == '"') {
            while (i < n && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
            if (i >= n) return n;
            i++;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth <= 1) return i;
            depth--;
        }
        if (depth == 0) return i;
    }
    return n;
}

static void sio__json_view(const char *s, size_t i, size_t n, sio_json *out) {
    out->ptr = s + i;
    out->type = sio__json_type_of(s[i]);
    out->len = out->type == SIO_JSON_INVALID ? 0 : sio__json_skip(s, i, n) - i;
}

static int sio__json_is_container(sio_json v) {
    return v.ptr && v.len >= 2 && (v.type == SIO_JSON_ARRAY || v.type == SIO_JSON_OBJECT);
}

SIO_API void sio_json_iter_init(sio_json_iter *it, sio_json container) {
    it->parent = container;
    it->pos = 1;
}

SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *val) {
    const char *s = it->parent.ptr;
    size_t end, i = it->pos;
    sio_json k, v;
    if (!sio__json_is_container(it->parent)) return 0;
    end = it->parent.len - 1;                       /* the closing bracket */
    k.ptr = NULL; k.len = 0; k.type = SIO_JSON_INVALID;
    if (i == 0 || i >= end) goto done;
    i = sio__json_ws(s, i, end);
    if (i < end && s[i] == ',') i = sio__json_ws(s, i + 1, end);
    if (i >= end) goto done;
    if (it->parent.type == SIO_JSON_OBJECT) {
        if (s[i] != '"') goto done;
        sio__json_view(s, i, end, &k);
        i = sio__json_ws(s, i + k.len, end);
        if (i >= end || s[i] != ':') goto done;
        i = sio__json_ws(s, i + 1, end);
        if (i >= end) goto done;
    }
    sio__json_view(s, i, end, &v);
    if (v.type == SIO_JSON_INVALID || v.len == 0) goto done;
    it->pos = i + v.len;
    if (key) *key = k;
    if (val) *val = v;
    return 1;
done:
    it->pos = end;
    return 0;
}

SIO_API size_t sio_json_count(sio_json v) {
    sio_json_iter it;
    size_t n = 0;
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, NULL, NULL)) n++;
    return n;
}

SIO_API int sio_json_at(sio_json arr, size_t i, sio_json *out) {
    sio_json_iter it;
    sio_json v;
    if (arr.type != SIO_JSON_ARRAY) return SIO_ERR_NOT_FOUND;
    sio_json_iter_init(&it, arr);
    while (sio_json_iter_next(&it, NULL, &v)) {
        if (i-- == 0) {
            if (out) *out = v;
            return SIO_OK;
        }
    }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_json_get(sio_json obj, const char *key, sio_json *out) {
    sio_json_iter it;
    sio_json k, v;
    if (obj.type != SIO_JSON_OBJECT || !key) return SIO_ERR_NOT_FOUND;
    sio_json_iter_init(&it, obj);
    while (sio_json_iter_next(&it, &k, &v)) {
        if (sio_json_str_eq(k, key)) {
            if (out) *out = v;
            return SIO_OK;
        }
    }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_json_is_true(sio_json v) { return v.type == SIO_JSON_TRUE; }

SIO_API sio_str sio_json_raw_str(sio_json v) {
    sio_str r;
    r.ptr = NULL;
    r.len = 0;
    if (v.type == SIO_JSON_STRING && v.ptr && v.len >= 2) {
        r.ptr = v.ptr + 1;
        r.len = v.len - 2;
    }
    return r;
}

/* Decodes the next unit of string content at s[*i] (end = closing quote
   position) into out (1..4 bytes): a raw UTF-8 sequence is kept whole so
   truncation can never split it; an escape is unescaped. Returns its
   byte length. Garbage decodes to U+FFFD or single bytes, never more
   than 4 bytes, and always advances *i. */
static size_t sio__json_unit(const char *s, size_t *i, size_t end, char *out) {
    size_t p = *i, k;
    unsigned long cp, lo;
    unsigned char c = (unsigned char)s[p];
    if (c != '\\') {
        k = 1;
        if (c >= 0x80) {
            k = sio__utf8_seq((const unsigned char *)s + p, end - p);
            if (!k) k = 1;
        }
        memcpy(out, s + p, k);
        *i = p + k;
        return k;
    }
    if (p + 1 >= end) { *i = end; return sio__utf8_put(out, 0xFFFD); }
    c = (unsigned char)s[p + 1];
    *i = p + 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = (char)c; return 1;    /* '"', '\\', '/' */
    }
    if (end - p < 6 || !sio__json_hex4(s + p + 2, &cp)) return sio__utf8_put(out, 0xFFFD);
    *i = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - *i >= 6 && s[*i] == '\\' && s[*i + 1] == 'u' &&
            sio__json_hex4(s + *i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            *i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else {
            cp = 0xFFFD;
        }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
    }
    return sio__utf8_put(out, cp);
}

SIO_API size_t sio_json_strcpy(sio_json v, char *dst, size_t cap) {
    sio_str raw = sio_json_raw_str(v);
    size_t i = 0, total = 0, o = 0, k;
    int full = 0;
    char unit[4];
    if (!raw.ptr) {
        if (dst && cap) dst[0] = '\0';
        return 0;
    }
    while (i < raw.len) {
        k = sio__json_unit(raw.ptr, &i, raw.len, unit);
        total += k;
        if (!full && dst && cap && o + k < cap) {
            memcpy(dst + o, unit, k);
            o += k;
        } else {
            full = 1;
        }
    }
    if (dst && cap) dst[o] = '\0';
    return total;
}

SIO_API int sio_json_str_eq(sio_json v, const char *s) {
    sio_str raw = sio_json_raw_str(v);
    size_t i = 0, o = 0, k;
    char unit[4];
    if (!raw.ptr || !s) return 0;
    while (i < raw.len) {
        k = sio__json_unit(raw.ptr, &i, raw.len, unit);
        if (memchr(unit, 0, k) || strncmp(s + o, unit, k) != 0) return 0;
        o += k;
    }
    return s[o] == '\0';
}

/* Locale-independent and correctly rounded: the number is rewritten as
   integer digits and a power of ten ("-12.5e3" -> "-125e2"), which has no
   decimal point for the locale to disagree about, and strtod does the
   rounding. Digits past SIO__JSON_NUM_DIGITS are folded into one sticky
   nonzero digit: 800 significant digits are more than the 767 that can
   ever matter when rounding to a double. */
#define SIO__JSON_NUM_DIGITS 800
SIO_API double sio_json_number(sio_json v) {
    char buf[SIO__JSON_NUM_DIGITS + 32];
    const char *s = v.ptr;
    size_t n = v.len, i = 0, o = 0;
    long adj = 0, ex = 0;
    int sticky = 0, eneg = 0, frac = 0;
    if (v.type != SIO_JSON_NUMBER || !s) return 0;
    if (i < n && s[i] == '-') buf[o++] = s[i++];
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !frac) { frac = 1; continue; }
        if (c < '0' || c > '9') break;
        if (o == 0 || (o == 1 && buf[0] == '-')) {
            if (c == '0') { if (frac) adj--; continue; }   /* leading zero */
        }
        if (o < SIO__JSON_NUM_DIGITS) {
            buf[o++] = c;
            if (frac) adj--;
        } else {
            if (c != '0') sticky = 1;
            if (!frac) adj++;
        }
    }
    if (o == 0 || (o == 1 && buf[0] == '-')) return (o == 1) ? -0.0 : 0.0;
    if (sticky) { buf[o++] = '1'; adj--; }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (ex < 1000000) ex = ex * 10 + (s[i] - '0');
        if (eneg) ex = -ex;
    }
    ex += adj;
    snprintf(buf + o, sizeof buf - o, "e%ld", ex);
    return strtod(buf, NULL);
}

SIO_API long long sio_json_integer(sio_json v) {
    const long long max = (long long)(((unsigned long long)-1) >> 1);
    const char *s = v.ptr;
    size_t i = 0, n = v.len;
    unsigned long long acc = 0, lim;
    int neg = 0;
    double d;
    if (v.type != SIO_JSON_NUMBER || !s || !n) return 0;
    if (s[0] == '-') { neg = 1; i = 1; }
    lim = neg ? (unsigned long long)max + 1u : (unsigned long long)max;
    /* Plain integer text is converted exactly: 9007199254740993 would
       lose its last digit as a double. */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned dg = (unsigned)(s[i] - '0');
        if (acc > (lim - dg) / 10) { acc = lim; while (i < n && s[i] >= '0' && s[i] <= '9') i++; break; }
        acc = acc * 10 + dg;
    }
    if (i == n) {
        if (!neg) return (long long)acc;
        return acc == lim ? -max - 1 : -(long long)acc;
    }
    d = sio_json_number(v);
    if (d >= 9223372036854775807.0) return max;
    if (d <= -9223372036854775808.0) return -max - 1;
    return (long long)d;
}
