/* libFuzzer harness: Engine.IO v3 polling payloads, the length-prefixed
   text form ("5:hello2:b4...") and the binary form (kind byte, length
   digits, 0xFF). The first input byte picks the form. Every payload that
   parses must come back the same after sio_eio3_payload_append. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy, *pkt;
    size_t pos = 0, n, np = 0, i;
    size_t lens[MAXP];
    const char *ptrs[MAXP];
    int bins[MAXP], bin, rc, form;
    sio_buf re;
    if (size < 1) return 0;
    form = data[0] & 1;
    copy = (char *)malloc(size);
    if (!copy) return 0;
    memcpy(copy, data + 1, size - 1);
    while ((rc = sio_eio3_payload_next(copy, size - 1, form, &pos, &pkt, &n, &bin)) > 0) {
        if (pkt < copy || pkt + n > copy + size - 1 || pos > size - 1) abort();
        if (np == MAXP) break;
        ptrs[np] = pkt;
        lens[np] = n;
        bins[np++] = bin;
    }
    /* what was read, written again in the same form, reads the same:
       decoding is in place, so each packet's bytes are still where they
       were returned */
    memset(&re, 0, sizeof re);
    for (i = 0; i < np; i++)
        if (sio_eio3_payload_append(&re, ptrs[i], lens[i], bins[i], form) != SIO_OK) abort();
    pos = 0;
    for (i = 0; i < np; i++) {
        if (sio_eio3_payload_next(re.data, re.len, form, &pos, &pkt, &n, &bin) != 1) abort();
        if (n != lens[i] || bin != bins[i] || (n && memcmp(pkt, ptrs[i], n) != 0)) abort();
    }
    if (np && np < MAXP && sio_eio3_payload_next(re.data, re.len, form, &pos, &pkt, &n, &bin) != 0) abort();
    sio_buf_free(&re);
    free(copy);
    return 0;
}
