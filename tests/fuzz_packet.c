/* libFuzzer harness: Socket.IO packet parser, argument walking, and the
   Engine.IO polling payload splitter. The first input byte picks which. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy;
    if (size < 1) return 0;
    copy = (char *)malloc(size);
    if (!copy) return 0;
    memcpy(copy, data + 1, size - 1);
    if (data[0] & 1) {
        sio_packet p;
        if (sio_packet_parse(copy, size - 1, &p) == SIO_OK && p.json.type == SIO_JSON_ARRAY) {
            sio_args a, ix;
            sio_json v;
            size_t i;
            char tmp[64];
            sio_str bins[2];
            bins[0].ptr = bins[1].ptr = copy;
            bins[0].len = bins[1].len = 0;
            memset(&a, 0, sizeof a);
            a.array = p.json;
            a.count = sio_json_count(p.json);
            a.bins = bins;
            a.nbins = 2;
            sio__args_index(&ix, p.json, 0, bins, 2, NULL, 1, NULL);
            if (ix.count != a.count) abort();
            for (i = 0; i < a.count; i++) {
                sio_str b;
                sio_json w;
                if (sio_args_get(&a, i, &v) != SIO_OK) abort();
                /* the index the library builds on arrival sees the same */
                if (sio_args_get(&ix, i, &w) != SIO_OK || w.ptr != v.ptr || w.len != v.len) abort();
                sio_args_bin(&a, v, &b);
                sio_args_strcpy(&a, i, tmp, sizeof tmp);
            }
            sio__args_release(&ix, NULL);
        }
    } else {
        size_t pos = 0, n;
        char *pkt;
        int bin, rc, guard = 0;
        while ((rc = sio_eio_payload_next(copy, size - 1, &pos, &pkt, &n, &bin)) > 0) {
            if (pkt < copy || pkt + n > copy + size - 1) abort();
            if (++guard > (int)size + 1) abort();
        }
    }
    free(copy);
    return 0;
}
