/* =====================================================================
   >>ws: WebSocket framing (RFC 6455 sections 4.2, 5, 7.4)
   Frame layout (section 5.2): byte 0 = FIN | RSV1-3 | opcode, byte 1 =
   MASK | 7-bit length; length 126 means a 16-bit length follows, 127 a
   64-bit one; then the 4-byte masking key if MASK; then the payload.
   Example: 81 05 48 65 6c 6c 6f is an unmasked text frame "Hello".
   Clients mask every frame, servers never do; a wrong mask bit is a
   protocol error (section 5.1), as is any RSV bit since no extension is
   ever negotiated. The reader only consumes whole frames: a frame is
   either wholly in the caller's buffer or not looked at beyond its
   header, which is what lets it unmask in place and hand out views.
   ===================================================================== */

/* Every value sio_ws_read returns must fit in an int: a single frame is
   bounded by the message cap, which is clamped to this, and the loop over
   fragments stops once it has consumed this much. */
#define SIO__WS_STEP_MAX ((size_t)0x3FFFFFFF)

static const char sio__ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* Close codes a peer may put on the wire (section 7.4): 1004-1006 and 1015
   are reserved or only for local reporting, 1016-2999 are unassigned,
   3000-4999 belong to libraries and applications. */
static int sio__ws_close_code_ok(int code) {
    if (code >= 1000 && code <= 1003) return 1;
    if (code >= 1007 && code <= 1014) return 1;
    return code >= 3000 && code <= 4999;
}

static int sio__ws_fail(sio_ws_reader *r, int close_code) {
    r->error_code = close_code;
    switch (close_code) {
    case 1007: return SIO_ERR_UTF8;
    case 1009: return SIO_ERR_TOO_BIG;
    case 1011: return SIO_ERR_NOMEM;
    default: return SIO_ERR_PROTOCOL;
    }
}

SIO_API int sio_ws_accept_key(const char *client_key, size_t n, char out[29]) {
    unsigned char raw[16], digest[20];
    size_t got = 0;
    sio__sha1 c;
    out[0] = '\0';
    /* A key is the base64 of a 16-byte nonce: "dGhlIHNhbXBsZSBub25jZQ==".
       The server never needs the nonce itself, but anything else means the
       request was not made by a conforming client. */
    if (!client_key || n != 24 || sio_base64_decode(client_key, n, raw, sizeof raw, &got) != SIO_OK ||
        got != 16)
        return SIO_ERR_INVALID;
    sio__sha1_init(&c);
    sio__sha1_update(&c, client_key, n);
    sio__sha1_update(&c, sio__ws_guid, sizeof sio__ws_guid - 1);
    sio__sha1_final(&c, digest);
    sio_base64_encode(digest, sizeof digest, out, 29);
    return SIO_OK;
}

SIO_API void sio_ws_make_key(const unsigned char nonce16[16], char out[25]) {
    sio_base64_encode(nonce16, 16, out, 25);
}

SIO_API size_t sio_ws_write_header(unsigned char out[14], int fin, int opcode, uint64_t payload_len,
                                   const unsigned char *mask4) {
    size_t h = 2;
    int i;
    out[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (payload_len <= 125) {
        out[1] = (unsigned char)payload_len;
    } else if (payload_len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (unsigned char)(payload_len >> 8);
        out[3] = (unsigned char)payload_len;
        h = 4;
    } else {
        out[1] = 127;
        for (i = 0; i < 8; i++) out[2 + i] = (unsigned char)(payload_len >> (56 - 8 * i));
        h = 10;
    }
    if (mask4) {
        out[1] |= 0x80;
        memcpy(out + h, mask4, 4);
        h += 4;
    }
    return h;
}

SIO_API void sio_ws_mask(unsigned char *data, size_t n, const unsigned char mask4[4], size_t offset) {
    size_t i;
    for (i = 0; i < n; i++) data[i] ^= mask4[(offset + i) & 3];
}

SIO_API int sio_ws_append_frame(sio_buf *b, int opcode, const void *payload, size_t n,
                                const unsigned char *mask4) {
    unsigned char hdr[14];
    size_t h, start;
    int rc;
    if (b->err) return b->err;
    switch (opcode) {
    case SIO_WS_OP_TEXT: case SIO_WS_OP_BINARY: case SIO_WS_OP_CONT: break;
    case SIO_WS_OP_CLOSE: case SIO_WS_OP_PING: case SIO_WS_OP_PONG:
        if (n > 125) return SIO_ERR_INVALID;
        break;
    default: return SIO_ERR_INVALID;
    }
    if (n && !payload) return SIO_ERR_INVALID;
    if (n > (size_t)-1 - 14) return b->err = SIO_ERR_TOO_BIG;
    h = sio_ws_write_header(hdr, 1, opcode, (uint64_t)n, mask4);
    if ((rc = sio_buf_reserve(b, h + n)) != SIO_OK) return rc;
    sio_buf_append(b, hdr, h);
    start = b->len;
    sio_buf_append(b, payload, n);
    if (mask4) sio_ws_mask((unsigned char *)b->data + start, n, mask4, 0);
    return SIO_OK;
}

SIO_API int sio_ws_append_close(sio_buf *b, int code, const char *reason, const unsigned char *mask4) {
    unsigned char body[125];
    size_t rlen = reason ? strlen(reason) : 0;
    unsigned st = 0;
    if (code == 0) {
        if (rlen) return SIO_ERR_INVALID;
        return sio_ws_append_frame(b, SIO_WS_OP_CLOSE, NULL, 0, mask4);
    }
    if (!sio__ws_close_code_ok(code) || rlen > 123) return SIO_ERR_INVALID;
    if (sio_utf8_check(&st, reason, rlen) != 0 || st != 0) return SIO_ERR_INVALID;
    body[0] = (unsigned char)(code >> 8);
    body[1] = (unsigned char)code;
    if (rlen) memcpy(body + 2, reason, rlen);
    return sio_ws_append_frame(b, SIO_WS_OP_CLOSE, body, rlen + 2, mask4);
}

/* Fills msg for a control frame whose payload is already unmasked. */
static int sio__ws_control(sio_ws_reader *r, int op, unsigned char *p, size_t n, sio_ws_msg *msg) {
    unsigned st = 0;
    msg->data = p;
    msg->len = n;
    if (op == SIO_WS_OP_PING) { msg->kind = SIO_WS_PING; return SIO_OK; }
    if (op == SIO_WS_OP_PONG) { msg->kind = SIO_WS_PONG; return SIO_OK; }
    /* Close body: empty, or a 2-byte big-endian code then a UTF-8 reason
       ("03 e8 62 79 65" = 1000 "bye"). One byte cannot be either. */
    if (n == 0) {
        msg->close_code = 1005;    /* "no status received" (section 7.4.1) */
    } else {
        if (n == 1) return sio__ws_fail(r, 1002);
        msg->close_code = (p[0] << 8) | p[1];
        if (!sio__ws_close_code_ok(msg->close_code)) return sio__ws_fail(r, 1002);
        if (sio_utf8_check(&st, (const char *)p + 2, n - 2) != 0 || st != 0) return sio__ws_fail(r, 1007);
        msg->close_reason.ptr = (const char *)p + 2;
        msg->close_reason.len = n - 2;
    }
    msg->kind = SIO_WS_CLOSE;
    return SIO_OK;
}

SIO_API int sio_ws_read(sio_ws_reader *r, unsigned char *buf, size_t len, sio_ws_msg *msg) {
    size_t pos = 0, avail, lenbytes, hlen, n, i;
    uint64_t max = r->max_message ? (uint64_t)r->max_message : (uint64_t)SIO_WS_MAX_MESSAGE;
    uint64_t plen, already;
    unsigned char *p, *payload;
    int fin, op, masked, rc;
    unsigned st;

    msg->kind = SIO_WS_NONE;
    msg->data = NULL;
    msg->len = 0;
    msg->close_code = 0;
    msg->close_reason.ptr = NULL;
    msg->close_reason.len = 0;
    if (r->error_code) return sio__ws_fail(r, r->error_code);
    /* The previous call may have handed out a reassembled message: it dies
       now. Freeing rather than keeping the buffer means an idle connection
       does not hold on to its largest message. */
    if (!r->frag_opcode && r->frag.data) sio_buf_free(&r->frag);
    if (max > SIO__WS_STEP_MAX) max = SIO__WS_STEP_MAX;
    if (!buf) len = 0;

    while (pos < len && pos < SIO__WS_STEP_MAX) {
        p = buf + pos;
        avail = len - pos;
        if (avail < 2) break;
        fin = (p[0] & 0x80) != 0;
        op = p[0] & 0x0F;
        masked = (p[1] & 0x80) != 0;
        /* Everything in the first two bytes is checked before waiting for
           the rest, so a bad frame is refused as early as possible. */
        if (p[0] & 0x70) return sio__ws_fail(r, 1002);
        if ((op > SIO_WS_OP_BINARY && op < SIO_WS_OP_CLOSE) || op > SIO_WS_OP_PONG) return sio__ws_fail(r, 1002);
        if (masked != (r->expect_masked != 0)) return sio__ws_fail(r, 1002);
        if (op >= SIO_WS_OP_CLOSE) {
            /* Control frames may sit between fragments but are never
               fragmented themselves and carry at most 125 bytes. */
            if (!fin || (p[1] & 0x7F) > 125) return sio__ws_fail(r, 1002);
        } else if (op == SIO_WS_OP_CONT) {
            if (!r->frag_opcode) return sio__ws_fail(r, 1002);
        } else if (r->frag_opcode) {
            return sio__ws_fail(r, 1002);  /* a new message inside an open one */
        }
        lenbytes = (p[1] & 0x7F) == 126 ? 2 : (p[1] & 0x7F) == 127 ? 8 : 0;
        if (avail < 2 + lenbytes) break;
        plen = p[1] & 0x7F;
        if (lenbytes) {
            plen = 0;
            for (i = 0; i < lenbytes; i++) plen = (plen << 8) | p[2 + i];
            if (lenbytes == 8 && (plen >> 63)) return sio__ws_fail(r, 1002);
            /* Non-minimal length encodings (126 + "00 05") are accepted:
               RFC 6455 says MUST for the sender but names no reaction, and
               refusing them would gain nothing. */
        }
        if (op < SIO_WS_OP_CLOSE) {
            already = op == SIO_WS_OP_CONT ? (uint64_t)r->frag.len : 0;
            if (plen > max - already) return sio__ws_fail(r, 1009);
        }
        hlen = 2 + lenbytes + (masked ? 4 : 0);
        if (avail < hlen || plen > (uint64_t)(avail - hlen)) break;
        n = (size_t)plen;
        payload = p + hlen;
        if (masked) sio_ws_mask(payload, n, p + hlen - 4, 0);
        pos += hlen + n;

        if (op >= SIO_WS_OP_CLOSE) {
            if ((rc = sio__ws_control(r, op, payload, n, msg)) != SIO_OK) return rc;
            return (int)pos;
        }
        if (op != SIO_WS_OP_CONT && fin) {
            /* The common case: a whole message in one frame, handed out
               where it lies. */
            if (op == SIO_WS_OP_TEXT) {
                st = 0;
                if (sio_utf8_check(&st, (const char *)payload, n) != 0 || st != 0) return sio__ws_fail(r, 1007);
            }
            msg->kind = op == SIO_WS_OP_TEXT ? SIO_WS_TEXT : SIO_WS_BINARY;
            msg->data = payload;
            msg->len = n;
            return (int)pos;
        }
        if (op != SIO_WS_OP_CONT) {
            r->frag_opcode = op;
            r->utf8_state = 0;
            r->frag.len = 0;
            r->frag.err = 0;
            r->frag.alloc = r->alloc;
        }
        /* Text is checked fragment by fragment so garbage is refused at
           once, not after buffering up to max_message of it. */
        if (r->frag_opcode == SIO_WS_OP_TEXT &&
            sio_utf8_check(&r->utf8_state, (const char *)payload, n) != 0)
            return sio__ws_fail(r, 1007);
        if (sio_buf_append(&r->frag, payload, n) != SIO_OK)
            return sio__ws_fail(r, r->frag.err == SIO_ERR_NOMEM ? 1011 : 1009);
        if (fin) {
            if (r->frag_opcode == SIO_WS_OP_TEXT && r->utf8_state != 0) return sio__ws_fail(r, 1007);
            msg->kind = r->frag_opcode == SIO_WS_OP_TEXT ? SIO_WS_TEXT : SIO_WS_BINARY;
            msg->data = r->frag.data ? (unsigned char *)r->frag.data : payload;
            msg->len = r->frag.len;
            r->frag_opcode = 0;
            return (int)pos;
        }
    }
    return (int)pos;
}

SIO_API void sio_ws_reader_free(sio_ws_reader *r) {
    sio_buf_free(&r->frag);
    r->frag_opcode = 0;
    r->utf8_state = 0;
    r->error_code = 0;
}
