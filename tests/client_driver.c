/* client_driver: the Socket.IO client library driven line by line, for
   tests/interop/client.test.mjs.

   client_driver URL [--transport T] [--delay MS] [--delay-max MS]
                     [--attempts N] [--no-reconnect] [--timeout MS]
                     [--dns-server IP:PORT] [--resolve-timeout MS] [--eio 3]

   Commands on stdin, one per line (JSON arrays may carry binary as
   {"_binary":"<base64>"}):
     open NSP [AUTH_JSON]        emit NSP JSON_ARRAY        volatile NSP JSON_ARRAY
     emitack NSP MS JSON_ARRAY   close NSP                  disconnect
     transport                   quit
     ping  (answered "pong" by the loop, to show it is not blocked)
     stats (the longest sio_client_poll(c, 10) so far: "stats maxpoll MS")
   Reports on stdout, one per line:
     connect NSP ID | connect_error NSP MESSAGE\tDATA | disconnect NSP REASON
     event NSP JSON_ARRAY  (an ack request is answered ["ack-of", "<event>"])
     ack NSP JSON_ARRAY | ack NSP error TEXT | emit-error NSP TEXT
     transport NAME | reconnect_attempt N | reconnect N | reconnect_failed | closed */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static sio_client *client;
static int quit;
static double maxpoll_ms;

#ifdef _WIN32
#include <io.h>
#include <fcntl.h>
static double now_ms(void) {
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e3 / (double)f.QuadPart;
}

/* Windows cannot poll a pipe: peek at it. 1: read() will not block (or
   will see the end, when the peek fails). */
static int stdin_ready(void) {
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    DWORD avail = 0;
    if (GetFileType(h) != FILE_TYPE_PIPE) return WaitForSingleObject(h, 0) == WAIT_OBJECT_0;
    return !PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL) || avail > 0;
}
#else
static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
#endif

static void out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void put_json(sio_buf *o, const sio_args *a, sio_json v) {
    sio_str bin;
    sio_json_iter it;
    sio_json key, val;
    int first = 1;
    if (v.type == SIO_JSON_OBJECT && a && sio_args_bin(a, v, &bin)) {
        sio_buf_appends(o, "{\"_binary\":\"");
        sio_base64_buf(o, bin.ptr, bin.len);
        sio_buf_appends(o, "\"}");
        return;
    }
    if (v.type != SIO_JSON_ARRAY && v.type != SIO_JSON_OBJECT) {
        sio_buf_append(o, v.ptr, v.len);
        return;
    }
    sio_buf_appendc(o, v.type == SIO_JSON_ARRAY ? '[' : '{');
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, v.type == SIO_JSON_OBJECT ? &key : NULL, &val)) {
        if (!first) sio_buf_appendc(o, ',');
        first = 0;
        if (v.type == SIO_JSON_OBJECT) {
            sio_buf_append(o, key.ptr, key.len);
            sio_buf_appendc(o, ':');
        }
        put_json(o, a, val);
    }
    sio_buf_appendc(o, v.type == SIO_JSON_ARRAY ? ']' : '}');
}

/* Builds a sio_msg from a JSON array (from index `from`), decoding binaries
   into `keep` (freed by the caller). */
static int to_msg(sio_msg *m, sio_json v, unsigned char **keep, int *nkeep) {
    sio_json_iter it;
    sio_json key, val;
    if (v.type == SIO_JSON_OBJECT && sio_json_count(v) == 1 && sio_json_get(v, "_binary", &val) == SIO_OK) {
        sio_str b = sio_json_raw_str(val);
        size_t n = 0;
        unsigned char *p = (unsigned char *)malloc(b.len + 3);
        if (!p || *nkeep >= SIO_MAX_ATTACHMENTS || sio_base64_decode(b.ptr, b.len, p, b.len + 3, &n) != SIO_OK) {
            free(p);
            return SIO_ERR_PARSE;
        }
        keep[(*nkeep)++] = p;
        sio_msg_bin(m, p, n);
        return SIO_OK;
    }
    if (v.type != SIO_JSON_ARRAY && v.type != SIO_JSON_OBJECT) {
        sio_json_raw(&m->w, v.ptr, v.len);
        return SIO_OK;
    }
    if (v.type == SIO_JSON_ARRAY) sio_json_arr_begin(&m->w);
    else sio_json_obj_begin(&m->w);
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, v.type == SIO_JSON_OBJECT ? &key : NULL, &val)) {
        if (v.type == SIO_JSON_OBJECT) {
            char k[256];
            size_t kn = sio_json_strcpy(key, k, sizeof k);
            sio_json_key_n(&m->w, k, kn < sizeof k ? kn : sizeof k - 1);
        }
        if (to_msg(m, val, keep, nkeep) != SIO_OK) return SIO_ERR_PARSE;
    }
    if (v.type == SIO_JSON_ARRAY) sio_json_arr_end(&m->w);
    else sio_json_obj_end(&m->w);
    return SIO_OK;
}

static void on_event(const sio_client_event *ev, void *user) {
    sio_buf o;
    sio_client_socket *s = ev->socket;
    memset(&o, 0, sizeof o);
    put_json(&o, &ev->args, ev->args.array);
    sio_buf_appendc(&o, 0);
    out("event %s %s\n", (const char *)user, o.err ? "?" : o.data);
    sio_buf_free(&o);
    if (ev->ack_id >= 0) {
        sio_msg m;
        char name[300];
        sio_msg_init(&m);
        sio_json_str(&m.w, "ack-of");
        snprintf(name, sizeof name, "%.*s", (int)ev->name.len, ev->name.ptr);
        sio_json_str(&m.w, name);
        sio_client_ack(s, ev->ack_id, &m);
        sio_msg_free(&m);
    }
}

static void on_connect(sio_client_socket *s, void *user) {
    out("connect %s %s%s\n", (const char *)user, sio_client_socket_id(s), sio_client_socket_recovered(s) ? " recovered" : "");
}

static void on_disconnect(sio_client_socket *s, const char *reason, void *user) {
    (void)s;
    out("disconnect %s %s\n", (const char *)user, reason);
}

static void on_error(sio_client_socket *s, const char *message, const char *data, void *user) {
    (void)s;
    out("connect_error %s %s\t%s\n", (const char *)user, message, data ? data : "");
}

static void on_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    if (err != SIO_OK) {
        out("ack %s error %s\n", (const char *)user, err == SIO_ERR_TIMEOUT ? "timeout" : sio_strerror(err));
    } else {
        sio_buf o;
        memset(&o, 0, sizeof o);
        put_json(&o, args, args->array);
        sio_buf_appendc(&o, 0);
        out("ack %s %s\n", (const char *)user, o.data);
        sio_buf_free(&o);
    }
}

static void log_line(sio_log_level level, const char *msg, void *user) {
    (void)level, (void)user;
    fprintf(stderr, "[client] %s\n", msg);
}

static void on_attempt(sio_client *c, int n, void *u) { (void)c, (void)u; out("reconnect_attempt %d\n", n); }
static void on_reconnect(sio_client *c, int n, void *u) { (void)c, (void)u; out("reconnect %d\n", n); }
static void on_failed(sio_client *c, void *u) { (void)c, (void)u; out("reconnect_failed\n"); }

/* The namespace strings live as long as the program: handlers keep them. */
static char nsps[16][SIO_MAX_NSP_LEN + 1];
static sio_client_socket *socks[16];
static int nsocks;

static int find(const char *nsp) {
    int i;
    for (i = 0; i < nsocks; i++)
        if (strcmp(nsps[i], nsp) == 0) return i;
    return -1;
}

static void do_emit(int k, const char *rest, int mode, int timeout_ms) {
    sio_json root, v;
    sio_json_iter it;
    sio_msg m;
    unsigned char *keep[SIO_MAX_ATTACHMENTS];
    int nkeep = 0, i, rc = SIO_OK, first = 1;
    char event[256];
    if (sio_json_parse(rest, strlen(rest), &root) != SIO_OK || root.type != SIO_JSON_ARRAY ||
        sio_json_at(root, 0, &v) != SIO_OK) {
        out("emit-error %s bad json\n", nsps[k]);
        return;
    }
    sio_json_strcpy(v, event, sizeof event);
    sio_msg_init(&m);
    sio_json_iter_init(&it, root);
    while (rc == SIO_OK && sio_json_iter_next(&it, NULL, &v)) {
        if (first) {
            first = 0;
            continue;
        }
        rc = to_msg(&m, v, keep, &nkeep);
    }
    if (rc == SIO_OK) {
        if (mode == 1) rc = sio_client_emit_ack(socks[k], event, &m, timeout_ms, on_ack, nsps[k]);
        else if (mode == 2) rc = sio_client_emit_volatile(socks[k], event, &m);
        else rc = sio_client_emit(socks[k], event, &m);
    }
    if (rc < 0) out("emit-error %s %s\n", nsps[k], sio_strerror(rc));
    sio_msg_free(&m);
    for (i = 0; i < nkeep; i++) free(keep[i]);
}

static void command(char *line) {
    char cmd[32], nsp[SIO_MAX_NSP_LEN + 1];
    int off = 0, k;
    if (sscanf(line, "%31s%n", cmd, &off) != 1) return;
    line += off;
    while (*line == ' ') line++;
    if (strcmp(cmd, "quit") == 0) {
        quit = 1;
        return;
    }
    if (strcmp(cmd, "disconnect") == 0) {
        sio_client_disconnect(client);
        return;
    }
    if (strcmp(cmd, "ping") == 0) {
        out("pong\n");
        return;
    }
    if (strcmp(cmd, "stats") == 0) {
        out("stats maxpoll %.0f\n", maxpoll_ms);
        return;
    }
    if (strcmp(cmd, "transport") == 0) {
        out("transport %s\n", sio_client_transport(client));
        return;
    }
    if (sscanf(line, "%128s%n", nsp, &off) != 1) return;
    line += off;
    while (*line == ' ') line++;
    k = find(nsp);
    if (strcmp(cmd, "open") == 0) {
        sio_client_socket *s;
        if (k < 0 && nsocks == 16) return;
        s = sio_client_socket_open(client, nsp, *line ? line : NULL);
        if (!s) {
            out("emit-error %s cannot open\n", nsp);
            return;
        }
        if (k < 0) {
            k = nsocks++;
            strcpy(nsps[k], nsp);
            socks[k] = s;
            sio_client_on(s, "*", on_event, nsps[k]);
            sio_client_on_connect(s, on_connect, nsps[k]);
            sio_client_on_disconnect(s, on_disconnect, nsps[k]);
            sio_client_on_connect_error(s, on_error, nsps[k]);
        }
        return;
    }
    if (k < 0) {
        out("emit-error %s not open\n", nsp);
        return;
    }
    if (strcmp(cmd, "close") == 0) sio_client_socket_close(socks[k]);
    else if (strcmp(cmd, "emit") == 0) do_emit(k, line, 0, 0);
    else if (strcmp(cmd, "volatile") == 0) do_emit(k, line, 2, 0);
    else if (strcmp(cmd, "emitack") == 0) {
        int ms = atoi(line);
        while (*line && *line != ' ') line++;
        while (*line == ' ') line++;
        do_emit(k, line, 1, ms);
    }
}

int main(int argc, char **argv) {
    sio_client_desc d;
    sio_buf in;
    int i, err = 0, was_closed = 0, stdin_open = 1;
    memset(&d, 0, sizeof d);
    memset(&in, 0, sizeof in);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--transport") == 0 && next) d.transports = next, i++;
        else if (strcmp(a, "--delay") == 0 && next) d.reconnection_delay_ms = atoi(next), i++;
        else if (strcmp(a, "--delay-max") == 0 && next) d.reconnection_delay_max_ms = atoi(next), i++;
        else if (strcmp(a, "--attempts") == 0 && next) d.reconnection_attempts = atoi(next), i++;
        else if (strcmp(a, "--timeout") == 0 && next) d.timeout_ms = atoi(next), i++;
        else if (strcmp(a, "--dns-server") == 0 && next) d.dns_server = next, i++;
        else if (strcmp(a, "--resolve-timeout") == 0 && next) d.resolve_timeout_ms = atoi(next), i++;
        else if (strcmp(a, "--eio") == 0 && next) d.eio_version = atoi(next), i++;
        else if (strcmp(a, "--parser") == 0 && next && (strcmp(next, "msgpack") == 0 || strcmp(next, "default") == 0))
            d.parser = next[0] == 'm' ? SIO_PARSER_MSGPACK : SIO_PARSER_DEFAULT, i++;
        else if (strcmp(a, "--no-reconnect") == 0) d.no_reconnection = 1;
        else if (strcmp(a, "-v") == 0) d.logger.fn = log_line, d.logger.level = SIO_LOG_DEBUG;
        else if (!d.url) d.url = a;
        else return 2;
    }
    if (getenv("SIO_DRIVER_VERBOSE")) d.logger.fn = log_line, d.logger.level = SIO_LOG_DEBUG;
    d.on_reconnect_attempt = on_attempt;
    d.on_reconnect = on_reconnect;
    d.on_reconnect_failed = on_failed;
#ifdef _WIN32
    _setmode(0, _O_BINARY);   /* "\n" stays "\n" on the pipes */
    _setmode(1, _O_BINARY);
#endif
    client = sio_client_create(&d, &err);
    if (!client) {
        out("create-error %s\n", sio_strerror(err));
        return 1;
    }
    while (!quit) {
        struct pollfd p;
        double t0 = now_ms(), dt;
        sio_client_poll(client, 10);
        dt = now_ms() - t0;
        if (dt > maxpoll_ms) maxpoll_ms = dt;
        if (sio_client_closed(client) != was_closed) {
            was_closed = !was_closed;
            if (was_closed) out("closed\n");
        }
#ifdef _WIN32
        (void)p;
        if (stdin_open && stdin_ready()) {
#else
        p.fd = 0;
        p.events = POLLIN;
        p.revents = 0;
        if (stdin_open && poll(&p, 1, 0) > 0) {
#endif
            char chunk[65536];
            ssize_t r = read(0, chunk, sizeof chunk);
            size_t start = 0, j;
            if (r <= 0) {
                stdin_open = 0;   /* keep running until killed */
                continue;
            }
            sio_buf_append(&in, chunk, (size_t)r);
            for (j = 0; j < in.len && !quit; j++) {
                if (in.data[j] != '\n') continue;
                in.data[j] = 0;
                command(in.data + start);
                start = j + 1;
            }
            sio_buf_consume(&in, start);
        }
    }
    sio_client_destroy(client);
    sio_buf_free(&in);
    return 0;
}
