/* stream.c - files both ways as streams, for peers using the npm
   socket.io-stream package.

   Browser or Node side:
     const ss = require('socket.io-stream');
     const down = ss.createStream();
     ss(socket).emit('download', down, {name: 'big.bin'});
     down.pipe(fs.createWriteStream('copy.bin'));            // the file, then end
     const up = ss.createStream();
     ss(socket).emit('upload', up, {name: 'new.bin'});
     fs.createReadStream('new.bin').pipe(up);               // then 'uploaded' {name, size}
   Bad names (empty, with '/' or '\', starting with '.') and files that
   cannot be opened get 'stream-error' {name, message}; nothing outside
   the directory is ever read or written (symbolic links are not followed,
   but see OPEN_FLAGS for Windows).
   Memory stays at a few chunks per transfer, whatever the file size.

   Build: cc -std=c99 -O2 -I.. stream.c -o stream
   Run:   ./stream [--port 3000] [--host 0.0.0.0] [--dir .] */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How files are opened. POSIX: no symbolic link is followed, and a FIFO
   put in the directory must not stall the server (without a reader it
   fails at once). Windows has no O_NOFOLLOW: a link is followed there,
   but making one takes a privilege (an administrator, or developer mode),
   so the links in the directory are those its owner made. It has no FIFOs
   either, and opens files as text unless told (a "\r\n" would become
   "\n"). */
#ifdef _WIN32
#define OPEN_FLAGS O_BINARY
#else
#define OPEN_FLAGS (O_NOFOLLOW | O_NONBLOCK)
#endif

static const char *dir = ".";

typedef struct upload {
    sio_socket *socket;
    char name[256];
    char path[4096 + 256];
    int done;
} upload;

/* Sends {"name": <as received, or null>, "message": why}. */
static void refuse(sio_socket *s, const sio_args *args, const char *why) {
    sio_json opts, name;
    sio_msg m;
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    if (sio_args_get(args, 1, &opts) == SIO_OK && sio_json_get(opts, "name", &name) == SIO_OK)
        sio_json_raw(&m.w, name.ptr, name.len);
    else
        sio_json_null(&m.w);
    sio_json_key(&m.w, "message");
    sio_json_str(&m.w, why);
    sio_json_obj_end(&m.w);
    sio_emit(s, "stream-error", &m);
    sio_msg_free(&m);
}

/* Takes the name from the {"name": N} argument and builds dir/N; returns
   NULL when the name may lead outside dir. */
static const char *checked_path(const sio_args *args, char *name, size_t cap, char *path, size_t pcap) {
    sio_json opts, v;
    size_t n;
    if (sio_args_get(args, 1, &opts) != SIO_OK || sio_json_get(opts, "name", &v) != SIO_OK ||
        v.type != SIO_JSON_STRING)
        return "name must be a string";
    n = sio_json_strcpy(v, name, cap);
    if (n >= cap) return "name too long";
    if (n != strlen(name)) return "name holds a NUL byte";
    if (n == 0) return "empty name";
    if (name[0] == '.') return "name starts with a dot";
    if (strchr(name, '/') || strchr(name, '\\')) return "name holds a path separator";
    if ((size_t)snprintf(path, pcap, "%s/%s", dir, name) >= pcap) return "path too long";
    return NULL;
}

static void on_download(const sio_stream_event *ev, void *user) {
    char name[256], path[sizeof name + 4096];
    const char *why = checked_path(&ev->args, name, sizeof name, path, sizeof path);
    struct stat sb;
    int fd = -1;
    (void)user;
    if (!why && !ev->stream) why = "no stream";
    if (!why) {
        fd = open(path, O_RDONLY | OPEN_FLAGS);
        if (fd < 0) why = strerror(errno);
        else if (fstat(fd, &sb) != 0) why = strerror(errno);
        else if (!S_ISREG(sb.st_mode)) why = "not a regular file";
    }
    if (why) {
        if (fd >= 0) close(fd);
        refuse(ev->socket, &ev->args, why);
        if (ev->stream) sio_stream_destroy(ev->stream);
        return;
    }
    sio_stream_send_fd(ev->stream, fd, 1);  /* the stream closes fd */
}

static void upload_end(sio_stream *st, void *user) {
    upload *u = (upload *)user;
    sio_msg m;
    u->done = 1;
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, u->name);
    sio_json_key(&m.w, "size");
    sio_json_int(&m.w, (long long)sio_stream_bytes_in(st));
    sio_json_obj_end(&m.w);
    sio_emit(u->socket, "uploaded", &m);
    sio_msg_free(&m);
}

static void upload_close(sio_stream *st, int err, const char *message, void *user) {
    upload *u = (upload *)user;
    (void)st;
    if (!u->done) {
        /* a half-written file is worse than none */
        unlink(u->path);
        if (err != SIO_ERR_CLOSED) {
            sio_msg m;
            sio_msg_init(&m);
            sio_json_obj_begin(&m.w);
            sio_json_key(&m.w, "name");
            sio_json_str(&m.w, u->name);
            sio_json_key(&m.w, "message");
            sio_json_str(&m.w, message ? message : sio_strerror(err));
            sio_json_obj_end(&m.w);
            sio_emit(u->socket, "stream-error", &m);
            sio_msg_free(&m);
        }
    }
    free(u);
}

static void on_upload(const sio_stream_event *ev, void *user) {
    sio_stream_handlers h;
    upload *u = (upload *)calloc(1, sizeof *u);
    const char *why;
    int fd = -1;
    (void)user;
    if (!u) why = "out of memory";
    else why = checked_path(&ev->args, u->name, sizeof u->name, u->path, sizeof u->path);
    if (!why && !ev->stream) why = "no stream";
    if (!why) {
        struct stat sb;
        /* anything but a regular file is refused before a byte is written */
        fd = open(u->path, O_WRONLY | O_CREAT | OPEN_FLAGS, 0644);
        if (fd < 0) why = strerror(errno);
        else if (fstat(fd, &sb) != 0) why = strerror(errno);
        else if (!S_ISREG(sb.st_mode)) why = "not a regular file";
        else if (ftruncate(fd, 0) != 0) why = strerror(errno);
    }
    if (why) {
        if (fd >= 0) close(fd);
        refuse(ev->socket, &ev->args, why);
        if (ev->stream) sio_stream_destroy(ev->stream);
        free(u);
        return;
    }
    u->socket = ev->socket;
    memset(&h, 0, sizeof h);
    h.on_end = upload_end;
    h.on_close = upload_close;
    h.user = u;
    sio_stream_set_handlers(ev->stream, &h);
    sio_stream_save_fd(ev->stream, fd, 1);  /* starts reading; the stream closes fd */
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    sio_stream_hub *hub;
    int err, i, rc;
    memset(&d, 0, sizeof d);
    d.port = 3000;
    for (i = 1; i + 1 < argc; i += 2) {           /* --port N, --host H, --dir D */
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
        else if (strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
    }
    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "stream: %s\n", sio_strerror(err));
        return 1;
    }
    hub = sio_stream_attach(sio_of(srv, "/"), &err);
    if (!hub) {
        fprintf(stderr, "stream: %s\n", sio_strerror(err));
        return 1;
    }
    sio_stream_on(hub, "download", on_download, NULL);
    sio_stream_on(hub, "upload", on_upload, NULL);
    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    rc = sio_server_run(srv);
    sio_server_destroy(srv);     /* closes every stream (on_close runs) ... */
    sio_stream_hub_destroy(hub); /* ... so the hub goes last */
    return rc < 0 ? 1 : 0;
}
