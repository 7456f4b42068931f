/* binary.c - binary data both ways: the client uploads bytes, the server
   answers with their SHA-1 and sends back the bytes reversed.

   Browser side:
     const s = io();
     s.emit("upload", "photo.jpg", await file.arrayBuffer(), (info, reversed) => ...);
   Any ArrayBuffer, typed array, Blob (browser) or Buffer (Node) arrives
   here as a binary attachment; placeholders may sit anywhere in the args.
   Build: cc -std=c99 -O2 -I.. binary.c -o binary   Run: ./binary [--port 3000] [--host 0.0.0.0] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_upload(const sio_event *ev, void *user) {
    char name[256], hex[41];
    unsigned char digest[20], *rev;
    sio_json v;
    sio_str bytes;
    sio_msg m;
    size_t i;
    (void)user;
    sio_args_strcpy(&ev->args, 0, name, sizeof name);
    if (sio_args_get(&ev->args, 1, &v) != SIO_OK || !sio_args_bin(&ev->args, v, &bytes)) {
        sio_emit_json(ev->socket, "error", "[\"second argument must be binary\"]");
        return;
    }
    sio_sha1(bytes.ptr, bytes.len, digest);
    for (i = 0; i < 20; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    rev = (unsigned char *)malloc(bytes.len ? bytes.len : 1);
    if (!rev) return;
    for (i = 0; i < bytes.len; i++) rev[i] = (unsigned char)bytes.ptr[bytes.len - 1 - i];
    /* {"name":..., "size":..., "sha1":...}, <reversed bytes> */
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, name);
    sio_json_key(&m.w, "size");
    sio_json_int(&m.w, (long long)bytes.len);
    sio_json_key(&m.w, "sha1");
    sio_json_str(&m.w, hex);
    sio_json_obj_end(&m.w);
    sio_msg_bin(&m, rev, bytes.len);
    if (ev->ack_id >= 0) sio_ack(ev->socket, ev->ack_id, &m);
    else sio_emit(ev->socket, "uploaded", &m);
    sio_msg_free(&m);
    free(rev);
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    int err, i;
    memset(&d, 0, sizeof d);
    d.port = 3000;
    for (i = 1; i + 1 < argc; i += 2) {           /* --port N, --host H */
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
    }
    d.max_payload = 20000000;   /* uploads up to ~20 MB */
    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "binary: %s\n", sio_strerror(err));
        return 1;
    }
    sio_on(sio_of(srv, "/"), "upload", on_upload, NULL);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    return sio_server_run(srv);
}
