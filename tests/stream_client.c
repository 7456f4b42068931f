/* stream_client: our client's streams against a Node server that uses the
   npm socket.io-stream package, for tests/interop/stream.test.mjs.

   stream_client URL download NAME OUTFILE [--transport T]
       ss-emits "download" with {"name": NAME} and a stream it reads into
       OUTFILE; prints "downloaded BYTES" once the stream ended.
   stream_client URL upload INFILE NAME [--transport T]
       ss-emits "upload" with {"name": NAME} and a stream fed from INFILE;
       prints "sent BYTES" when the stream is done, then "uploaded SIZE"
       when the server's "uploaded" event {name, size} arrives.
   A "stream-error" event or a stream error prints "stream-error TEXT" and
   exits 2; any other failure prints "error TEXT" and exits 1. Last line
   always "maxrss_kb N" (peak resident memory, for the memory bound). */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

/* Peak resident memory of this program in kB. VmHWM, not getrusage():
   ru_maxrss carries the parent's peak over fork+exec. */
static long peak_rss_kb(void) {
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static sio_stream_hub *hub;
static const char *mode, *name, *file;
static int started, finished, status;

static void finish(int code, const char *fmt, const char *text) {
    if (finished) return;
    finished = 1;
    status = code;
    if (fmt) printf(fmt, text);
    fflush(stdout);
}

static void download_close(sio_stream *st, int err, const char *message, void *user) {
    (void)user;
    if (err == SIO_OK) {
        printf("downloaded %llu\n", sio_stream_bytes_in(st));
        finish(0, NULL, NULL);
    } else {
        finish(2, "stream-error %s\n", message ? message : sio_strerror(err));
    }
}

static void upload_close(sio_stream *st, int err, const char *message, void *user) {
    (void)user;
    if (err == SIO_OK) {
        printf("sent %llu\n", sio_stream_bytes_out(st));
        fflush(stdout);
    } else {
        finish(2, "stream-error %s\n", message ? message : sio_strerror(err));
    }
}

static void on_uploaded(const sio_client_event *ev, void *user) {
    sio_json o, size;
    (void)user;
    if (sio_args_get(&ev->args, 0, &o) != SIO_OK || sio_json_get(o, "size", &size) != SIO_OK) {
        finish(1, "error %s\n", "bad uploaded event");
        return;
    }
    printf("uploaded %lld\n", sio_json_integer(size));
    finish(0, NULL, NULL);
}

static void on_stream_error(const sio_client_event *ev, void *user) {
    sio_json o, msg;
    char text[256] = "?";
    (void)user;
    if (sio_args_get(&ev->args, 0, &o) == SIO_OK && sio_json_get(o, "message", &msg) == SIO_OK)
        sio_json_strcpy(msg, text, sizeof text);
    finish(2, "stream-error %s\n", text);
}

static void on_connect(sio_client_socket *s, void *user) {
    sio_stream_handlers h;
    sio_stream *st;
    sio_buf args;
    sio_json_writer w;
    int err = SIO_OK, fd;
    (void)s;
    (void)user;
    if (started) return;
    started = 1;
    memset(&args, 0, sizeof args);
    sio_json_writer_init(&w, &args);
    sio_json_arr_begin(&w);
    sio_json_obj_begin(&w);
    sio_json_key(&w, "name");
    sio_json_str(&w, name);
    sio_json_obj_end(&w);
    sio_json_arr_end(&w);
    sio_buf_appendc(&args, 0);
    memset(&h, 0, sizeof h);
    if (strcmp(mode, "download") == 0) {
        fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            finish(1, "error %s\n", strerror(errno));
        } else if ((st = sio_stream_open_client(hub, "download", args.data, &err)) == NULL) {
            close(fd);
            finish(1, "error %s\n", sio_strerror(err));
        } else {
            h.on_close = download_close;
            sio_stream_set_handlers(st, &h);
            sio_stream_save_fd(st, fd, 1);
        }
    } else {
        st = sio_stream_open_client(hub, "upload", args.data, &err);
        if (!st) {
            finish(1, "error %s\n", sio_strerror(err));
        } else {
            h.on_close = upload_close;
            sio_stream_set_handlers(st, &h);
            err = sio_stream_send_file(st, file);
            if (err != SIO_OK) finish(1, "error %s\n", sio_strerror(err));
        }
    }
    sio_buf_free(&args);
}

static void on_disconnect(sio_client_socket *s, const char *reason, void *user) {
    (void)s;
    (void)user;
    finish(1, "error disconnected: %s\n", reason);
}

static void on_connect_error(sio_client_socket *s, const char *message, const char *data, void *user) {
    (void)s;
    (void)data;
    (void)user;
    finish(1, "error connect: %s\n", message);
}

int main(int argc, char **argv) {
    sio_client_desc d;
    sio_client *cl;
    sio_client_socket *s;
    int err, i;
    time_t deadline = time(NULL) + 120;
    if (argc < 5 || (strcmp(argv[2], "download") != 0 && strcmp(argv[2], "upload") != 0)) {
        fprintf(stderr, "usage: stream_client URL download NAME OUTFILE | upload INFILE NAME [--transport T]\n");
        return 1;
    }
    memset(&d, 0, sizeof d);
    d.url = argv[1];
    mode = argv[2];
    name = strcmp(mode, "download") == 0 ? argv[3] : argv[4];
    file = strcmp(mode, "download") == 0 ? argv[4] : argv[3];
    for (i = 5; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--transport") == 0) d.transports = argv[i + 1];
    d.no_reconnection = 1;
    cl = sio_client_create(&d, &err);
    if (!cl) {
        printf("error %s\n", sio_strerror(err));
        return 1;
    }
    s = sio_client_socket_open(cl, "/", NULL);
    sio_client_on_connect(s, on_connect, NULL);
    sio_client_on_disconnect(s, on_disconnect, NULL);   /* before the hub chains in front */
    sio_client_on_connect_error(s, on_connect_error, NULL);
    sio_client_on(s, "uploaded", on_uploaded, NULL);
    sio_client_on(s, "stream-error", on_stream_error, NULL);
    hub = sio_stream_attach_client(s, &err);
    if (!hub) {
        printf("error %s\n", sio_strerror(err));
        return 1;
    }
    while (!finished && time(NULL) < deadline) sio_client_poll(cl, 100);
    if (!finished) finish(1, "error %s\n", "timeout");
    sio_client_destroy(cl);
    sio_stream_hub_destroy(hub);
    printf("maxrss_kb %ld\n", peak_rss_kb());
    return status;
}
