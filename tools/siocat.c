/* siocat: netcat for Socket.IO.

   siocat [options] URL      connect; each stdin line ["event", arg, ...]
                             is emitted, each event received is printed as
                             one compact JSON array line
   siocat -l PORT [options]  serve /socket.io/ on PORT (0 = any; the port is
                             told on stderr as "listening on port N"), print
                             what any client sends, emit stdin lines to all

   Binary arguments are {"_binary":"<base64>"} both ways. Events that ask
   for an ack get one with no arguments.

   Options: --ack (client: emit each line with an ack request, print the
   reply as {"ack":[...]}), --namespace /x, --auth JSON, --transport
   polling|websocket|auto, --header 'K: V' (repeatable), --host H (server),
   --count N (exit after N events or acks received), -q SECONDS (exit that
   long after stdin ended and every ack came), --dns-server IP:PORT (ask
   only that nameserver), --resolve-timeout MS (longest lookup of the host,
   default 5000), -v (log the exchange to stderr).

   Exit status: 0 on a clean end, 1 when the connection fails or is
   refused (the reason goes to stderr), 2 on bad usage.

   Build: cc -std=c99 -O2 -I. tools/siocat.c -o build/siocat */
#define SOCKETIO_IMPLEMENTATION
#include "socketio.h"
#include <signal.h>

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
    (void)sig;
    got_signal = 1;
}

typedef struct siocat {
    /* options */
    const char *url, *nsp, *auth, *transport, *host, *dns_server;
    int resolve_timeout_ms;
    sio_buf headers;
    int ack_mode, verbose, listen_port, server_mode;
    long count;
    double quit_after;
    /* state */
    sio_client *client;
    sio_client_socket *sock;
    sio_server *server;
    sio_namespace *snsp;
    long received;
    long pending_acks;
    int ever_connected;
    int exit_code;
    int done;
    int stdin_open;
    sio_buf line;
    long lineno;
    char last_error[600];
    const char *ca, *tls_cert, *tls_key;  /* TLS builds (build/tls/siocat) */
    int insecure;
} siocat;

/* ---- output ---- */

/* Compact JSON of v, with attachment placeholders spelled {"_binary":...}. */
static void put_json(sio_buf *o, const sio_args *a, sio_json v) {
    sio_str bin;
    sio_json_iter it;
    sio_json key, val;
    int first = 1;
    switch (v.type) {
    case SIO_JSON_ARRAY:
        sio_buf_appendc(o, '[');
        sio_json_iter_init(&it, v);
        while (sio_json_iter_next(&it, NULL, &val)) {
            if (!first) sio_buf_appendc(o, ',');
            first = 0;
            put_json(o, a, val);
        }
        sio_buf_appendc(o, ']');
        break;
    case SIO_JSON_OBJECT:
        if (a && sio_args_bin(a, v, &bin)) {
            sio_buf_appends(o, "{\"_binary\":\"");
            sio_base64_buf(o, bin.ptr, bin.len);
            sio_buf_appends(o, "\"}");
            break;
        }
        sio_buf_appendc(o, '{');
        sio_json_iter_init(&it, v);
        while (sio_json_iter_next(&it, &key, &val)) {
            if (!first) sio_buf_appendc(o, ',');
            first = 0;
            sio_buf_append(o, key.ptr, key.len);
            sio_buf_appendc(o, ':');
            put_json(o, a, val);
        }
        sio_buf_appendc(o, '}');
        break;
    default:
        sio_buf_append(o, v.ptr, v.len);
        break;
    }
}

static void emit_line(siocat *sc, sio_buf *o) {
    sio_buf_appendc(o, '\n');
    if (o->err) {
        fprintf(stderr, "siocat: output line too large\n");
    } else if (fwrite(o->data, 1, o->len, stdout) != o->len || fflush(stdout) != 0) {
        /* nobody reads us any more: end quietly, like cat in a closed pipe */
        sc->done = 1;
    }
    sio_buf_free(o);
}

/* ["event", arg, ...] */
static void print_event(siocat *sc, const sio_args *a) {
    sio_buf o;
    sio_json name;
    size_t i;
    memset(&o, 0, sizeof o);
    sio_buf_appendc(&o, '[');
    if (sio_json_at(a->array, 0, &name) == SIO_OK) put_json(&o, a, name);
    for (i = 0; i < a->count; i++) {
        sio_json v;
        if (sio_args_get(a, i, &v) != SIO_OK) break;
        sio_buf_appendc(&o, ',');
        put_json(&o, a, v);
    }
    sio_buf_appendc(&o, ']');
    emit_line(sc, &o);
}

static void count_one(siocat *sc) {
    sc->received++;
    if (sc->count > 0 && sc->received >= sc->count) sc->done = 1;
}

/* ---- input ---- */

typedef struct blobs {
    unsigned char *p[SIO_MAX_ATTACHMENTS];
    int n;
} blobs;

/* Copies v into the message, turning {"_binary":"<base64>"} into attachments. */
static int conv(sio_msg *m, sio_json v, blobs *bl) {
    sio_json_iter it;
    sio_json key, val;
    if (v.type != SIO_JSON_ARRAY && v.type != SIO_JSON_OBJECT) {
        sio_json_raw(&m->w, v.ptr, v.len);
        return SIO_OK;
    }
    if (v.type == SIO_JSON_OBJECT && sio_json_count(v) == 1 && sio_json_get(v, "_binary", &val) == SIO_OK &&
        val.type == SIO_JSON_STRING) {
        sio_str b64 = sio_json_raw_str(val);
        size_t n = 0;
        unsigned char *p;
        if (bl->n >= SIO_MAX_ATTACHMENTS) return SIO_ERR_TOO_BIG;
        p = (unsigned char *)malloc(b64.len / 4 * 3 + 3);
        if (!p) return SIO_ERR_NOMEM;
        if (sio_base64_decode(b64.ptr, b64.len, p, b64.len / 4 * 3 + 3, &n) != SIO_OK) {
            free(p);
            return SIO_ERR_PARSE;
        }
        bl->p[bl->n++] = p;
        sio_msg_bin(m, p, n);
        return SIO_OK;
    }
    sio_json_iter_init(&it, v);
    if (v.type == SIO_JSON_ARRAY) {
        sio_json_arr_begin(&m->w);
        while (sio_json_iter_next(&it, NULL, &val)) {
            int rc = conv(m, val, bl);
            if (rc != SIO_OK) return rc;
        }
        sio_json_arr_end(&m->w);
        return SIO_OK;
    }
    sio_json_obj_begin(&m->w);
    while (sio_json_iter_next(&it, &key, &val)) {
        char *k = (char *)malloc(key.len + 1);
        size_t kn;
        int rc;
        if (!k) return SIO_ERR_NOMEM;
        kn = sio_json_strcpy(key, k, key.len + 1);
        sio_json_key_n(&m->w, k, kn);
        free(k);
        rc = conv(m, val, bl);
        if (rc != SIO_OK) return rc;
    }
    sio_json_obj_end(&m->w);
    return SIO_OK;
}

static void on_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    siocat *sc = (siocat *)user;
    (void)s;
    sc->pending_acks--;
    if (err == SIO_OK && args) {
        sio_buf o;
        memset(&o, 0, sizeof o);
        sio_buf_appends(&o, "{\"ack\":");
        put_json(&o, args, args->array);
        sio_buf_appendc(&o, '}');
        emit_line(sc, &o);
        count_one(sc);
    } else if (sc->verbose) {
        fprintf(stderr, "siocat: no ack: %s\n", sio_strerror(err));
    }
}

static void handle_line(siocat *sc, char *text, size_t n) {
    sio_json root, name, v;
    sio_json_iter it;
    sio_msg m;
    blobs bl;
    char *event;
    int rc = SIO_OK, i, first = 1;
    sc->lineno++;
    while (n && (text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '\t')) n--;
    if (!n) return;
    if (sio_json_parse(text, n, &root) != SIO_OK || root.type != SIO_JSON_ARRAY ||
        sio_json_at(root, 0, &name) != SIO_OK || name.type != SIO_JSON_STRING) {
        fprintf(stderr, "siocat: line %ld: not a JSON array led by an event name, skipped\n", sc->lineno);
        return;
    }
    event = (char *)malloc(name.len + 1);
    if (!event) return;
    sio_json_strcpy(name, event, name.len + 1);
    memset(&bl, 0, sizeof bl);
    sio_msg_init(&m);
    sio_json_iter_init(&it, root);
    while (rc == SIO_OK && sio_json_iter_next(&it, NULL, &v)) {
        if (first) {
            first = 0;
            continue;
        }
        rc = conv(&m, v, &bl);
    }
    if (rc == SIO_OK) {
        if (sc->server_mode) {
            rc = sio_broadcast(sc->snsp, NULL, event, &m);
        } else if (sc->ack_mode) {
            rc = sio_client_emit_ack(sc->sock, event, &m, 0, on_ack, sc);
            if (rc == SIO_OK) sc->pending_acks++;
        } else {
            rc = sio_client_emit(sc->sock, event, &m);
        }
    }
    if (rc < 0) fprintf(stderr, "siocat: line %ld: %s\n", sc->lineno, sio_strerror(rc));
    sio_msg_free(&m);
    for (i = 0; i < bl.n; i++) free(bl.p[i]);
    free(event);
}

/* Reads what stdin has (poll() said it is readable) and handles the
   complete lines. */
static void read_stdin(siocat *sc) {
    char chunk[65536];
    ssize_t r;
    size_t start = 0, i;
    if (!sc->stdin_open) return;
    r = read(0, chunk, sizeof chunk);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (r <= 0) {
        sc->stdin_open = 0;
        if (sc->line.len) handle_line(sc, sc->line.data, sc->line.len);   /* last line without newline */
        sio_buf_free(&sc->line);
        return;
    }
    if (sio_buf_append(&sc->line, chunk, (size_t)r) != SIO_OK) {
        fprintf(stderr, "siocat: input line too long, dropped\n");
        sio_buf_reset(&sc->line);
        return;
    }
    for (i = 0; i < sc->line.len; i++) {
        if (sc->line.data[i] != '\n') continue;
        handle_line(sc, sc->line.data + start, i - start);
        start = i + 1;
    }
    sio_buf_consume(&sc->line, start);
}

/* ---- client side ---- */

static void on_event(const sio_client_event *ev, void *user) {
    siocat *sc = (siocat *)user;
    print_event(sc, &ev->args);
    if (ev->ack_id >= 0) sio_client_ack(ev->socket, ev->ack_id, NULL);
    count_one(sc);
}

static void on_connect(sio_client_socket *s, void *user) {
    siocat *sc = (siocat *)user;
    sc->ever_connected = 1;
    if (sc->verbose) fprintf(stderr, "siocat: connected to %s as %s over %s\n", sc->nsp ? sc->nsp : "/",
                             sio_client_socket_id(s), sio_client_transport(sio_client_socket_client(s)));
}

static void on_disconnect(sio_client_socket *s, const char *reason, void *user) {
    siocat *sc = (siocat *)user;
    (void)s;
    if (sc->verbose) fprintf(stderr, "siocat: disconnected: %s\n", reason);
    if (strcmp(reason, "io server disconnect") == 0) sc->done = 1;
}

static void on_connect_error(sio_client_socket *s, const char *message, const char *data, void *user) {
    siocat *sc = (siocat *)user;
    (void)s;
    snprintf(sc->last_error, sizeof sc->last_error, "%s%s%s", message, data ? " " : "", data ? data : "");
    /* before the first connection any failure is final; later ones are
       part of reconnecting (a refusal then closes the client, which the
       main loop notices) */
    if (!sc->ever_connected) {
        fprintf(stderr, "siocat: connection failed: %s\n", sc->last_error);
        sc->exit_code = 1;
        sc->done = 1;
    } else if (sc->verbose) {
        fprintf(stderr, "siocat: connect error: %s\n", sc->last_error);
    }
}

static void log_line(sio_log_level level, const char *msg, void *user) {
    static const char *const names[] = {"error", "warn", "info", "debug"};
    (void)user;
    fprintf(stderr, "siocat: [%s] %s\n", names[level], msg);
}

/* ---- server side ---- */

static void on_server_event(const sio_event *ev, void *user) {
    siocat *sc = (siocat *)user;
    print_event(sc, &ev->args);
    if (ev->ack_id >= 0) sio_ack(ev->socket, ev->ack_id, NULL);
    count_one(sc);
}

static void on_server_connection(sio_socket *s, void *user) {
    siocat *sc = (siocat *)user;
    if (sc->verbose) fprintf(stderr, "siocat: client %s connected\n", sio_socket_id(s));
}

/* ---- main ---- */

static int usage(void) {
    fprintf(stderr,
            "usage: siocat [options] URL\n"
            "       siocat -l PORT [options]\n"
            "options: --ack  --namespace /x  --auth JSON  --transport polling|websocket|auto\n"
            "         --header 'K: V'  --host H  --count N  -q SECONDS  -v\n"
            "         --dns-server IP:PORT  --resolve-timeout MS\n"
            "TLS (build/tls/siocat): --ca PEM  --insecure  -l with --tls-cert PEM --tls-key PEM\n");
    return 2;
}

int main(int argc, char **argv) {
    static siocat sc;
    struct sigaction sa;
    uint64_t quit_at = 0;
    struct pollfd *fds;
    int i, err = 0, nfds = 64;
    memset(&sc, 0, sizeof sc);
    sc.quit_after = -1;
    sc.stdin_open = 1;
    sc.line.max = 64u << 20;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--ack") == 0) sc.ack_mode = 1;
        else if (strcmp(a, "-v") == 0) sc.verbose = 1;
        else if (strcmp(a, "-l") == 0 && next) sc.server_mode = 1, sc.listen_port = atoi(next), i++;
        else if (strcmp(a, "--namespace") == 0 && next) sc.nsp = next, i++;
        else if (strcmp(a, "--auth") == 0 && next) sc.auth = next, i++;
        else if (strcmp(a, "--transport") == 0 && next) sc.transport = next, i++;
        else if (strcmp(a, "--dns-server") == 0 && next) sc.dns_server = next, i++;
        else if (strcmp(a, "--resolve-timeout") == 0 && next) sc.resolve_timeout_ms = atoi(next), i++;
        else if (strcmp(a, "--host") == 0 && next) sc.host = next, i++;
        else if (strcmp(a, "--count") == 0 && next) sc.count = atol(next), i++;
        else if (strcmp(a, "-q") == 0 && next) sc.quit_after = atof(next), i++;
        else if (strcmp(a, "--ca") == 0 && next) sc.ca = next, i++;
        else if (strcmp(a, "--tls-cert") == 0 && next) sc.tls_cert = next, i++;
        else if (strcmp(a, "--tls-key") == 0 && next) sc.tls_key = next, i++;
        else if (strcmp(a, "--insecure") == 0) sc.insecure = 1;
        else if (strcmp(a, "--header") == 0 && next) {
            if (strchr(next, '\r') || strchr(next, '\n') || !strchr(next, ':')) return usage();
            sio_buf_appends(&sc.headers, next);
            sio_buf_appends(&sc.headers, "\r\n");
            i++;
        } else if (a[0] != '-' && !sc.url) sc.url = a;
        else return usage();
    }
    if (sc.server_mode == !!sc.url) return usage();
    if (sc.nsp && sc.nsp[0] != '/') return usage();
#ifndef SIO_TLS_BEARSSL
    if (sc.ca || sc.tls_cert || sc.tls_key || sc.insecure) {
        fprintf(stderr, "siocat: --ca, --insecure, --tls-cert and --tls-key need a TLS build (build/tls/siocat)\n");
        return 2;
    }
#endif
    if (!!sc.tls_cert != !!sc.tls_key) return usage();
    if (sc.insecure) fprintf(stderr, "siocat: WARNING: --insecure: the server's certificate is NOT checked; "
                                     "anyone on the path can read and change this connection\n");
    sio_buf_appendc(&sc.headers, 0);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    if (sc.server_mode) {
        sio_server_desc d;
        memset(&d, 0, sizeof d);
        d.host = sc.host;
        d.port = sc.listen_port;
        d.tls.cert_file = sc.tls_cert;
        d.tls.key_file = sc.tls_key;
        if (sc.verbose) {
            d.logger.fn = log_line;
            d.logger.level = SIO_LOG_DEBUG;
        }
        sc.server = sio_server_create(&d, &err);
        if (!sc.server) {
            fprintf(stderr, "siocat: cannot listen on port %d: %s\n", sc.listen_port, sio_strerror(err));
            return 1;
        }
        sc.snsp = sio_of(sc.server, sc.nsp ? sc.nsp : "/");
        if (!sc.snsp) return 1;
        sio_on_connection(sc.snsp, on_server_connection, &sc);
        sio_on(sc.snsp, "*", on_server_event, &sc);
        fprintf(stderr, "listening on port %d\n", sio_server_port(sc.server));
    } else {
        sio_client_desc d;
        memset(&d, 0, sizeof d);
        d.url = sc.url;
        d.transports = sc.transport;
        d.dns_server = sc.dns_server;
        d.resolve_timeout_ms = sc.resolve_timeout_ms;
        d.headers = sc.headers.len > 1 ? sc.headers.data : NULL;
        d.tls.ca_file = sc.ca;
        d.tls.insecure_skip_verify = sc.insecure;
        d.tls.cert_file = sc.tls_cert;   /* a client certificate, if the server asks */
        d.tls.key_file = sc.tls_key;
        if (sc.verbose) {
            d.logger.fn = log_line;
            d.logger.level = SIO_LOG_DEBUG;
        }
        sc.client = sio_client_create(&d, &err);
        if (!sc.client) {
            fprintf(stderr, "siocat: %s: %s%s\n", sc.url, sio_strerror(err),
                    err == SIO_ERR_UNSUPPORTED ? " (https:// and wss:// need TLS, not in this build)" : "");
            return 1;
        }
        sc.sock = sio_client_socket_open(sc.client, sc.nsp, sc.auth);
        if (!sc.sock) {
            fprintf(stderr, "siocat: bad namespace or --auth (must be a JSON object)\n");
            sio_client_destroy(sc.client);
            return 2;
        }
        sio_client_on(sc.sock, "*", on_event, &sc);
        sio_client_on_connect(sc.sock, on_connect, &sc);
        sio_client_on_disconnect(sc.sock, on_disconnect, &sc);
        sio_client_on_connect_error(sc.sock, on_connect_error, &sc);
    }

    /* One poll() for standard input and the library's descriptors (the step
       API), so a line goes out the moment it is typed. Slot 0 is stdin. */
    if (!(fds = (struct pollfd *)calloc((size_t)nfds, sizeof *fds))) {
        fprintf(stderr, "siocat: out of memory\n");
        return 1;
    }
    while (!sc.done && !got_signal) {
        int timeout = -1, n;
        if (quit_at) {
            uint64_t now = sio__now_ms();
            timeout = now >= quit_at ? 0 : (int)(quit_at - now);
        }
        for (;;) {
            n = sc.server ? sio_server_fds(sc.server, fds + 1, nfds - 1, &timeout)
                          : sio_client_fds(sc.client, fds + 1, nfds - 1, &timeout);
            if (n <= nfds - 1) break;
            /* more connections than slots: grow, and ask again */
            free(fds);
            nfds = 2 * (n + 1);
            if (!(fds = (struct pollfd *)calloc((size_t)nfds, sizeof *fds))) {
                n = SIO_ERR_NOMEM;
                break;
            }
        }
        if (n < 0) {
            fprintf(stderr, "siocat: %s\n", sio_strerror(n));
            sc.exit_code = 1;
            break;
        }
        fds[0].fd = sc.stdin_open ? 0 : -1;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        if (poll(fds, (nfds_t)n + 1, timeout) < 0) {
            if (errno != EINTR) break;
            for (i = 0; i <= n; i++) fds[i].revents = 0;
        }
        if (sc.server) sio_server_process(sc.server, fds + 1, n);
        else sio_client_process(sc.client, fds + 1, n);
        if (sc.done) break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_stdin(&sc);
        if (sc.client && sio_client_closed(sc.client)) {
            /* given up without a clean "io server disconnect" */
            fprintf(stderr, "siocat: connection closed%s%s\n", sc.last_error[0] ? ": " : "", sc.last_error);
            sc.exit_code = 1;
            break;
        }
        if (sc.quit_after >= 0 && !sc.stdin_open && sc.pending_acks == 0) {
            uint64_t now = sio__now_ms();
            if (!quit_at) quit_at = now + (uint64_t)(sc.quit_after * 1000);
            if (now >= quit_at) break;
        }
    }

    if (sc.client) {
        /* leave politely: DISCONNECT and the Engine.IO close go out first */
        sio_client_disconnect(sc.client);
        for (i = 0; i < 100 && !sio_client_closed(sc.client); i++) sio_client_poll(sc.client, 10);
        for (i = 0; i < 3; i++) sio_client_poll(sc.client, 5);
        sio_client_destroy(sc.client);
    }
    if (sc.server) sio_server_destroy(sc.server);
    free(fds);
    sio_buf_free(&sc.headers);
    sio_buf_free(&sc.line);
    return sc.exit_code;
}
