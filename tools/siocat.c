/* siocat: netcat for Socket.IO (what wscat is for WebSocket).

   siocat [options] URL      connect; each stdin line ["event", arg, ...]
                             is emitted, each event received is printed as
                             one compact JSON array line; exits once stdin
                             has ended and every ack came
   siocat -l PORT [options]  serve /socket.io/ on PORT (0 = any; the port is
                             told on stderr as "listening on port N"), print
                             what any client sends, emit stdin lines to all

   Binary arguments are {"_binary":"<base64>"} both ways. Events that ask
   for an ack get one with no arguments. When standard input and output
   are a terminal, siocat is interactive: a "> " prompt, each event shown
   as "< [...]", Ctrl-D ends it.

   `siocat --help` shows every option with examples; tools/siocat.1 (`man
   siocat` once installed) is the manual, exit status included.

   Build: cc -std=c99 -O2 -I. tools/siocat.c -o build/siocat */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, termios, isatty */
#define SOCKETIO_IMPLEMENTATION
#include "socketio.h"
#include "examples/poll_stdin.h"   /* one wait for stdin and the sockets, Windows too */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#ifdef _WIN32
#include <io.h>      /* read, isatty, _setmode */
#include <fcntl.h>
#else
#include <termios.h>
#include <unistd.h>
#endif

#define ACK_TIMEOUT_MS 10000   /* default --ack-timeout */
#define QUIT_UNSET (-1e300)    /* -q not given: the mode picks */
#define EXIT_NO_ACK 3
#ifndef SIO_CLIENT_TIMEOUT_MS
#define SIO_CLIENT_TIMEOUT_MS 20000   /* the library's default handshake deadline (timeout_ms) */
#endif

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
    (void)sig;
    got_signal = 1;
}

typedef struct siocat {
    /* options */
    const char *url, *nsp, *auth, *transport, *host, *dns_server;
    const char *ca, *tls_cert, *tls_key;   /* TLS builds (build/tls/siocat) */
    int insecure, resolve_timeout_ms, ack_timeout_ms;
    sio_buf headers;
    int ack_mode, verbose, quiet, listen_port, server_mode;
    int eio;                    /* --eio: 3 for socket.io 2.x servers (or clients of -l), 4 the default */
    int parser;                 /* --parser msgpack: SIO_PARSER_MSGPACK */
    long count;
    double quit_after;          /* -q SECONDS; < 0: never because of stdin */
    /* state */
    sio_client *client;
    sio_client_socket *sock;
    sio_server *server;
    sio_namespace *snsp;
    long received, pending_acks, lineno;
    int ever_connected, attempt, exit_code, acks_missed, done, leaving, stdin_open;
    int show_connects;          /* the first connect, clients of -l: stderr is a terminal, or -v */
    sio_buf line;
    char last_error[600];
    /* what the library logged about the connection attempt under way,
       to tell a bare "xhr poll error" in words */
    char why[300];
    char answer[120];           /* the first packet of the attempt, as logged */
    /* interactive mode */
    int tty;                    /* stdin and stdout are a terminal */
    int prompt;                 /* "> " and the line being typed are on screen */
    int esc;                    /* inside an escape sequence (arrow keys ...) */
    sio_buf edit;               /* the line being typed */
} siocat;

static uint64_t now_ms(void) { return sio_time_ms(); }

/* ---- the terminal ---- */

#ifdef _WIN32
/* Windows: no termios, so the console keeps its own line editing (no
   prompt redrawn under events). */
static void term_restore(void) {}
static int term_raw(void) { return -1; }
#else

static struct termios saved_tio;
static int tio_changed;

static void term_restore(void) {
    if (tio_changed) tcsetattr(0, TCSANOW, &saved_tio);
    tio_changed = 0;
}

/* No line discipline of the kernel's: siocat reads key by key so that it
   can take the prompt and the half-typed line off the screen when an event
   arrives, and put them back under it. Signals (Ctrl-C) stay on. */
static int term_raw(void) {
    struct termios t;
    if (tcgetattr(0, &saved_tio) != 0) return -1;
    t = saved_tio;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &t) != 0) return -1;
    tio_changed = 1;
    atexit(term_restore);
    return 0;
}
#endif

static void prompt_draw(siocat *sc) {
    fputs("> ", stdout);
    fwrite(sc->edit.data ? sc->edit.data : "", 1, sc->edit.len, stdout);
    fflush(stdout);
    sc->prompt = 1;
}

static void prompt_erase(siocat *sc) {
    if (!sc->prompt) return;
    fputs("\r\033[K", stdout);
    fflush(stdout);
    sc->prompt = 0;
}

/* Every line siocat shows goes through here, so that in interactive mode
   it lands above the prompt, never in the middle of what is being typed.
   0 when it could not be written (nobody reads stdout any more). */
static int show(siocat *sc, FILE *f, const char *text, size_t n) {
    int ok;
    prompt_erase(sc);
    ok = fwrite(text, 1, n, f) == n && fflush(f) == 0;
    if (sc->tty && sc->stdin_open && !sc->leaving) prompt_draw(sc);
    return ok;
}

static void vnote(siocat *sc, const char *fmt, va_list ap) {
    char msg[1024];
    int n;
    memcpy(msg, "siocat: ", 8);
    n = vsnprintf(msg + 8, sizeof msg - 9, fmt, ap);
    if (n < 0) return;
    n = n + 8 > (int)sizeof msg - 2 ? (int)sizeof msg - 2 : n + 8;
    msg[n++] = '\n';
    show(sc, stderr, msg, (size_t)n);
}

/* A problem: always said. */
static void warn(siocat *sc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vnote(sc, fmt, ap);
    va_end(ap);
}

/* A change of state (disconnected, reconnecting ...): unless --quiet. */
static void status(siocat *sc, const char *fmt, ...) {
    va_list ap;
    if (sc->quiet) return;
    va_start(ap, fmt);
    vnote(sc, fmt, ap);
    va_end(ap);
}

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

/* A line begun with begin_line(): "< " leads it in interactive mode, so
   what arrived is told apart from what was typed. */
static void begin_line(siocat *sc, sio_buf *o) {
    memset(o, 0, sizeof *o);
    if (sc->tty) sio_buf_appends(o, "< ");
}

static void emit_line(siocat *sc, sio_buf *o) {
    sio_buf_appendc(o, '\n');
    if (o->err) {
        warn(sc, "output line too large");
    } else if (!show(sc, stdout, o->data, o->len)) {
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
    begin_line(sc, &o);
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

/* Names Socket.IO keeps for itself: Node's parser refuses a packet that
   carries one, and the library refuses to emit them, but says only
   "invalid argument". */
static const char *const reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", NULL,
};

static int is_reserved(const char *event) {
    int i;
    for (i = 0; reserved_events[i]; i++)
        if (strcmp(event, reserved_events[i]) == 0) return 1;
    return 0;
}

/* One --ack line waiting for its reply. */
typedef struct ack_wait {
    siocat *sc;
    long lineno;
    char event[48];
} ack_wait;

static void on_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    ack_wait *w = (ack_wait *)user;
    siocat *sc = w->sc;
    (void)s;
    sc->pending_acks--;
    if (err == SIO_OK && args) {
        sio_buf o;
        begin_line(sc, &o);
        sio_buf_appends(&o, "{\"ack\":");
        put_json(&o, args, args->array);
        sio_buf_appendc(&o, '}');
        emit_line(sc, &o);
        count_one(sc);
    } else if (!sc->leaving) {
        /* asked for and not had: the exit status says so (EXIT_NO_ACK) */
        sc->acks_missed = 1;
        if (err == SIO_ERR_TIMEOUT) warn(sc, "line %ld (\"%s\"): no ack within %d ms (ack timed out; see --ack-timeout)",
                                         w->lineno, w->event, sc->ack_timeout_ms);
        else warn(sc, "line %ld (\"%s\"): no ack: the connection closed first", w->lineno, w->event);
    }
    free(w);
}

/* The reason an emit was refused, in words. */
static const char *emit_error(int rc) {
    switch (rc) {
    case SIO_ERR_TOO_BIG: return "too much held while offline (or too many attachments), line dropped";
    case SIO_ERR_STATE: return "the namespace was refused or left, line dropped";
    case SIO_ERR_PARSE: return "bad base64 in a {\"_binary\":...} argument, line skipped";
    default: return sio_strerror(rc);
    }
}

static int send_line(siocat *sc, const char *event, sio_msg *m) {
    ack_wait *w;
    int rc;
    if (sc->server_mode) return sio_broadcast(sc->snsp, NULL, event, m);
    if (!sc->ack_mode) return sio_client_emit(sc->sock, event, m);
    if (!(w = (ack_wait *)calloc(1, sizeof *w))) return SIO_ERR_NOMEM;
    w->sc = sc;
    w->lineno = sc->lineno;
    snprintf(w->event, sizeof w->event, "%s", event);
    rc = sio_client_emit_ack(sc->sock, event, m, sc->ack_timeout_ms, on_ack, w);
    if (rc == SIO_OK) sc->pending_acks++;
    else free(w);
    return rc;
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
        warn(sc, "line %ld: not a JSON array led by an event name, skipped%s", sc->lineno,
             sc->tty ? " (type e.g. [\"chat\",\"hi\"])" : "");
        return;
    }
    if (name.len > SIO_MAX_EVENT_LEN) {
        warn(sc, "line %ld: event name longer than %d bytes, skipped", sc->lineno, SIO_MAX_EVENT_LEN);
        return;
    }
    event = (char *)malloc(name.len + 1);
    if (!event) return;
    sio_json_strcpy(name, event, name.len + 1);
    if (is_reserved(event)) {
        warn(sc, "line %ld: reserved event name: %s (Socket.IO keeps it for itself), skipped", sc->lineno, event);
        free(event);
        return;
    }
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
    if (rc == SIO_OK) rc = send_line(sc, event, &m);
    if (rc < 0) warn(sc, "line %ld: %s", sc->lineno, emit_error(rc));
    sio_msg_free(&m);
    for (i = 0; i < bl.n; i++) free(bl.p[i]);
    free(event);
}

static void stdin_ended(siocat *sc) {
    sc->stdin_open = 0;
    prompt_erase(sc);
    if (sc->line.len) handle_line(sc, sc->line.data, sc->line.len);   /* last line without newline */
    sio_buf_free(&sc->line);
}

/* Drops the last character typed (all the bytes of a UTF-8 one). */
static void edit_backspace(siocat *sc) {
    sio_buf *e = &sc->edit;
    while (e->len && ((unsigned char)e->data[e->len - 1] & 0xC0) == 0x80) e->len--;
    if (e->len) e->len--;
}

/* One key typed in interactive mode: a small line editor (the kernel's
   is off, see term_raw). */
static void edit_key(siocat *sc, unsigned char ch) {
    sio_buf *e = &sc->edit;
    if (sc->esc) {   /* ESC [ ... final byte: arrows and such are ignored */
        if (sc->esc == 1 && (ch == '[' || ch == 'O')) sc->esc = 2;
        else if (sc->esc == 1 || (ch >= 0x40 && ch <= 0x7E)) sc->esc = 0;
        return;
    }
    if (ch == '\n' || ch == '\r') {
        /* the line leaves the editor first: what handle_line says is shown
           above an empty prompt */
        sio_buf typed = *e;
        memset(e, 0, sizeof *e);
        e->max = typed.max;
        prompt_erase(sc);
        printf("> %.*s\n", (int)typed.len, typed.data ? typed.data : "");
        if (typed.err) warn(sc, "input line too long, dropped");
        else handle_line(sc, typed.data, typed.len);
        sio_buf_free(&typed);
    } else if (ch == 4) {   /* Ctrl-D: the end, on an empty line as in a shell */
        if (!e->len) stdin_ended(sc);
        return;
    } else if (ch == 0x7F || ch == 8) {
        edit_backspace(sc);
    } else if (ch == 0x15) {   /* Ctrl-U */
        sio_buf_reset(e);
    } else if (ch == 0x1B) {
        sc->esc = 1;
        return;
    } else if (ch == '\t' || ch >= 0x20) {
        sio_buf_appendc(e, (char)(ch == '\t' ? ' ' : ch));
    } else {
        return;
    }
    prompt_erase(sc);
    if (sc->stdin_open) prompt_draw(sc);
}

/* Complete lines of piped input. */
static void take_lines(siocat *sc, const char *chunk, size_t n) {
    size_t start = 0, i;
    if (sio_buf_append(&sc->line, chunk, n) != SIO_OK) {
        warn(sc, "input line too long, dropped");
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

/* Reads what stdin has (poll() said it is readable). */
static void read_stdin(siocat *sc) {
    char chunk[65536];
    ssize_t r, i;
    if (!sc->stdin_open) return;
    r = read(0, chunk, sizeof chunk);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (r <= 0) {
        stdin_ended(sc);
        return;
    }
    if (!sc->tty) {
        take_lines(sc, chunk, (size_t)r);
        return;
    }
    for (i = 0; i < r && sc->stdin_open; i++) edit_key(sc, (unsigned char)chunk[i]);
}

/* ---- why a connection failed, in words ---- */

/* The library's short error texts (sio_strerror) as they read for a
   connection attempt. */
static const char *conn_words(const char *err) {
    if (strncmp(err, "refused", 7) == 0) return "connection refused";
    if (strncmp(err, "protocol violation", 18) == 0) return "not an HTTP server (its answer is not HTTP)";
    if (strncmp(err, "socket error", 12) == 0) return "the connection was closed before any answer (socket error)";
    if (strncmp(err, "timed out", 9) == 0) return "no answer (timed out)";
    return NULL;
}

/* "HTTP 404" and what it means for a Socket.IO client; body: the start
   of the answer's body, or NULL. websocket: the answer to an upgrade. */
static void http_words(siocat *sc, int status, const char *body, int websocket) {
    const char *msg = body ? strstr(body, "\"message\":\"") : NULL;
    if (status == 404) {
        snprintf(sc->why, sizeof sc->why, "HTTP 404: not a Socket.IO endpoint at /socket.io/");
    } else if (msg) {   /* engine.io's {"code":N,"message":"..."} */
        int n = 0;
        msg += 11;
        while (msg[n] && msg[n] != '"' && n < 120) n++;
        snprintf(sc->why, sizeof sc->why, "HTTP %d: %.*s", status, n, msg);
    } else if (websocket && status < 300) {
        snprintf(sc->why, sizeof sc->why, "HTTP %d instead of a WebSocket upgrade: not a Socket.IO server", status);
    } else if (status >= 300 && status < 400) {
        snprintf(sc->why, sizeof sc->why, "HTTP %d: a redirect (siocat does not follow redirects)", status);
    } else {
        int n = 0;
        while (body && body[n] && body[n] != '\n' && body[n] != '\r' && n < 80) n++;
        snprintf(sc->why, sizeof sc->why, "HTTP %d%s%.*s", status, n ? ": " : "", n, body ? body : "");
    }
}

/* Keeps, from the library's log lines, what explains the attempt under
   way best. The texts matched are the library's (socketio.h, client);
   a line that changes wording only costs the explanation, not a crash. */
static void track(siocat *sc, const char *msg) {
    const char *p;
    if (strncmp(msg, "connecting to ", 14) == 0) {
        sc->why[0] = sc->answer[0] = 0;
    } else if ((p = strstr(msg, " failed: ")) != NULL && strncmp(msg, "polling ", 8) == 0) {
        const char *w = conn_words(p + 9);
        snprintf(sc->why, sizeof sc->why, "%s", w ? w : p + 9);
    } else if (strncmp(msg, "polling GET answered HTTP ", 26) == 0) {
        p = strchr(msg + 26, ':');
        http_words(sc, atoi(msg + 26), p ? p + 2 : NULL, 0);
    } else if (strncmp(msg, "websocket: upgrade refused (HTTP ", 33) == 0) {
        http_words(sc, atoi(msg + 33), NULL, 1);
    } else if (strncmp(msg, "websocket: malformed handshake answer", 37) == 0) {
        snprintf(sc->why, sizeof sc->why, "not an HTTP server (its answer to the WebSocket handshake is not HTTP)");
    } else if (strncmp(msg, "websocket closed (", 18) == 0 && !sc->why[0]) {
        const char *w = conn_words(msg + 18);
        if (w) snprintf(sc->why, sizeof sc->why, "%s", w);
    } else if (strncmp(msg, "polling handshake answer is not an Engine.IO open packet: ", 58) == 0) {
        snprintf(sc->answer, sizeof sc->answer, "%s", msg + 58);
    }
}

/* An answer that is not "0{...}" (Engine.IO's open packet). "97:0{..."
   is the length-prefixed payload of Engine.IO v3 (socket.io 2). */
static void answer_words(siocat *sc, char *out, size_t n) {
    const char *a = sc->answer;
    size_t i = 0;
    while (a[i] >= '0' && a[i] <= '9') i++;
    if (i && a[i] == ':' && a[i + 1] == '0')
        snprintf(out, n, "an Engine.IO v3 server (socket.io 2.x): try --eio 3");
    else
        snprintf(out, n, "not a Socket.IO server: its answer is not an Engine.IO handshake: %.60s%s", a,
                 strlen(a) > 60 ? "..." : "");
}

/* The connect_error message, with the library's bare transport errors
   replaced by the reason it logged. */
static void error_words(siocat *sc, const char *message, const char *data, char *out, size_t n) {
    int bare = strcmp(message, "xhr poll error") == 0 || strcmp(message, "websocket error") == 0 ||
               strcmp(message, "transport error") == 0;
    if (bare && sc->why[0]) snprintf(out, n, "%s", sc->why);
    else if (bare && sc->answer[0]) answer_words(sc, out, n);
    else if (strcmp(message, "timeout") == 0)
        snprintf(out, n, "no Engine.IO handshake within %d ms (timeout)", SIO_CLIENT_TIMEOUT_MS);
    else snprintf(out, n, "%s%s%s", message, data ? " " : "", data ? data : "");
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
    const char *t = sio_client_transport(sio_client_socket_client(s));
    const char *in = sc->nsp ? " in " : "";
    if (sc->ever_connected)
        status(sc, "reconnected to %s%s%s (%s), id %s", sc->url, in, sc->nsp ? sc->nsp : "", t, sio_client_socket_id(s));
    else if (sc->show_connects)
        status(sc, "connected to %s%s%s (%s), id %s", sc->url, in, sc->nsp ? sc->nsp : "", t, sio_client_socket_id(s));
    sc->ever_connected = 1;
    sc->attempt = 0;
}

static void on_disconnect(sio_client_socket *s, const char *reason, void *user) {
    siocat *sc = (siocat *)user;
    (void)s;
    if (strcmp(reason, "io client disconnect") == 0) return;   /* ours: leaving */
    status(sc, "disconnected: %s", reason);
    if (strcmp(reason, "io server disconnect") == 0) sc->done = 1;
}

static void on_connect_error(sio_client_socket *s, const char *message, const char *data, void *user) {
    siocat *sc = (siocat *)user;
    (void)s;
    error_words(sc, message, data, sc->last_error, sizeof sc->last_error);
    /* before the first connection any failure is final; later ones are
       part of reconnecting (a refusal then closes the client, which the
       main loop notices) */
    if (!sc->ever_connected) {
        warn(sc, "connection failed: %s", sc->last_error);
        sc->exit_code = 1;
        sc->done = 1;
    } else {
        status(sc, "attempt %d failed: %s", sc->attempt, sc->last_error);
    }
}

static void on_reconnect_attempt(sio_client *c, int attempt, void *user) {
    siocat *sc = (siocat *)user;
    (void)c;
    sc->attempt = attempt;
    if (!sc->ever_connected && !sc->done) {
        /* the link was up but the namespace never joined: the server
           dropped it after our CONNECT, which is what a server with the
           other packet encoding does */
        warn(sc, "connection failed: the server closed the connection before answering CONNECT%s%s "
                 "(does it use the other parser? --parser %s)", sc->why[0] ? ": " : "", sc->why,
             sc->parser == SIO_PARSER_MSGPACK ? "default" : "msgpack");
        sc->exit_code = 1;
        sc->done = 1;
        return;
    }
    status(sc, "reconnecting (attempt %d)", attempt);
}

/* The library's log: all of it with -v; always read for the reasons of
   failures (track). */
static void log_line(sio_log_level level, const char *msg, void *user) {
    siocat *sc = (siocat *)user;
    if (sc->verbose) warn(sc, "[%s] %s", sio_log_level_name(level), msg);
    else if (sc->show_connects && sc->ever_connected && strcmp(msg, "upgraded to websocket") == 0)
        status(sc, "%s", msg);
    if (!sc->server_mode) track(sc, msg);
    else if (level == SIO_LOG_ERROR) snprintf(sc->last_error, sizeof sc->last_error, "%s", msg);
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
    if (sc->show_connects) status(sc, "client %s connected", sio_socket_id(s));
}

static void on_server_disconnect(sio_socket *s, const char *reason, void *user) {
    siocat *sc = (siocat *)user;
    if (sc->show_connects) status(sc, "client %s disconnected: %s", sio_socket_id(s), reason);
}

/* ---- the command line ---- */

/* In parts: C99 promises string literals of 4095 bytes only. */
static const char *const help_parts[] = {
    "siocat - netcat for Socket.IO: stdin lines become events, events that arrive are printed\n"
    "\n"
    "usage: siocat [options] URL        connect to a Socket.IO server (http://, ws://; https://, wss://\n"
    "                                   with a TLS build)\n"
    "       siocat -l PORT [options]    be a Socket.IO server on PORT (0: any free one, told on\n"
    "                                   stderr as \"listening on port N\")\n"
    "\n"
    "Lines are JSON, one per line, both ways (JSON lines):\n"
    "  stdin   [\"chat\",\"hi\",{\"n\":1}]      emit event \"chat\" with the arguments \"hi\" and {\"n\":1}\n"
    "  stdout  [\"news\",{\"id\":7}]          event \"news\" arrived, with one argument\n"
    "  stdout  {\"ack\":[\"ok\"]}             the reply to a line sent with --ack\n"
    "Binary arguments are {\"_binary\":\"<base64>\"} both ways: [\"up\",{\"_binary\":\"3q2+7w==\"}] sends\n"
    "the 4 bytes de ad be ef as an attachment. Events that ask for an ack get an empty one.\n"
    "Empty lines are skipped; a line that is not such an array is skipped with a message.\n"
    "\n"
    "A client exits by itself once stdin has ended, every line went out and every ack came.\n"
    "Interactive when stdin and stdout are a terminal: a \"> \" prompt, what arrives shown as\n"
    "\"< [...]\", Ctrl-D on an empty line ends it.\n"
    "\n"
        ,
    "Options:\n"
    "  --ack                ask an ack for each line, print the reply as {\"ack\":[...]}\n"
    "  --ack-timeout MS     longest wait for an ack (default 10000; 0: as long as connected);\n"
    "                       a missing ack is told on stderr and the exit status is 3\n"
    "  --count N            exit after N events (or acks) received; stdin's end does not end it\n"
    "  -q SECONDS           once stdin has ended (and every ack came), listen SECONDS more, then\n"
    "                       exit; negative: never (a client's default is 0; -l and --count wait\n"
    "                       for ever unless -q is given)\n"
    "  --quiet              no status lines (disconnected, reconnecting ...); errors still show\n"
    "  -v                   log the whole exchange (every packet) on stderr\n"
    "  --namespace /NSP     join (or with -l serve) NSP instead of /\n"
    "  --auth JSON          the auth object sent with CONNECT, e.g. '{\"token\":\"x\"}'\n"
    "  --transport T        polling, websocket, or auto (polling, then the upgrade; default)\n"
    "  --header 'K: V'      an extra HTTP request header (repeatable)\n"
    "  --dns-server IP:PORT ask only that nameserver\n"
    "  --resolve-timeout MS longest lookup of the host name (default 5000)\n"
    "  --host H             with -l: the address to listen on (default: every address)\n"
    "  --eio 3              speak Engine.IO v3, to a socket.io 2.x server; with -l, also serve\n"
    "                       socket.io-client 2.x (allowEIO3). Default 4\n"
    "  --parser msgpack     packets as socket.io-msgpack-parser writes them (both ends must agree)\n"
    "  --ca PEM             TLS build: trust the certificates in PEM (default: the system's)\n"
    "  --insecure           TLS build: do not check the server's certificate (warned)\n"
    "  --tls-cert PEM --tls-key PEM   TLS build: with -l, serve https/wss; else a client certificate\n"
    "  -h, --help           this help\n"
    "\n"
    "Status on stderr, one line each: \"disconnected: transport close\", \"reconnecting (attempt 2)\",\n"
    "\"reconnected to URL (websocket), id X\"; also \"connected to URL (polling), id X\" when stderr\n"
    "is a terminal or with -v, so that a script's stderr stays empty while all goes well.\n"
    "\n"
        ,
    "Examples:\n"
    "  echo '[\"chat\",\"hi\"]' | siocat http://localhost:3000        send one event, exit\n"
    "  siocat http://localhost:3000                               interactive, in a terminal\n"
    "  echo '[\"echo\",1]' | siocat --ack http://localhost:3000     print the ack: {\"ack\":[1]}\n"
    "  siocat --ack --ack-timeout 2000 URL < lines.jsonl          exit 3 if an ack is 2 s late\n"
    "  siocat --count 1 http://localhost:3000/admin > first.json  wait for one event (/admin)\n"
    "  siocat -q 5 --quiet URL < lines.jsonl > got.jsonl          send, then listen 5 s more\n"
    "  siocat --auth '{\"token\":\"s3cret\"}' --transport websocket URL\n"
    "                                                             auth, WebSocket only\n"
    "  echo '[\"img\",{\"_binary\":\"iVBORw0KGgo=\"}]' | siocat URL     a binary argument\n"
    "  siocat -l 3000                                             a server: prints what clients\n"
    "                                                             send, stdin lines go to all\n"
    "  siocat -l 0 --count 1                                      the first event, on any port\n"
    "\n"
    "Exit status: 0 a clean end (stdin done, --count reached, or the server disconnected us);\n"
    "1 the connection failed or was refused (the reason on stderr); 2 bad usage, bad URL;\n"
    "3 an ack did not come (--ack-timeout, or the connection closed first).\n"
    "Manual: man siocat.\n",
    NULL,
};

static void help(void) {
    int i;
    for (i = 0; help_parts[i]; i++) fputs(help_parts[i], stdout);
}

static int usage_error(const char *fmt, const char *arg) {
    fputs("siocat: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: siocat [options] URL\n       siocat -l PORT [options]\nTry 'siocat --help'.\n", stderr);
    return 2;
}

/* A whole number in [lo, hi], else -1 (every range used here is >= 0). */
static long number(const char *s, long lo, long hi) {
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return -1;
    return v;
}

/* What is wrong with a URL, or NULL: the rules of sio_client_create,
   which itself says only "invalid argument". */
static const char *url_problem(const char *url) {
    const char *p = url, *h;
    size_t hl, i;
    if (strncmp(p, "http://", 7) == 0) p += 7;
    else if (strncmp(p, "ws://", 5) == 0) p += 5;
    else if (strncmp(p, "https://", 8) == 0) p += 8;
    else if (strncmp(p, "wss://", 6) == 0) p += 6;
    else return "must start with http://, https://, ws:// or wss:// (e.g. http://localhost:3000)";
    if (*p == '[') {
        const char *e = strchr(p, ']');
        if (!e) return "no ] after the IPv6 address";
        h = p + 1;
        hl = (size_t)(e - h);
        p = e + 1;
    } else {
        h = p;
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        hl = (size_t)(p - h);
    }
    if (!hl) return "no host name";
    if (hl >= SIO_CLIENT_MAX_HOST) return "host name too long";
    for (i = 0; i < hl; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '.' || ch == '_' || ch == '%' || (h[-1] == '[' && ch == ':')))
            return "bad character in the host name";
    }
    if (*p == ':') {
        long port = 0;
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9' && digits <= 5; p++, digits++) port = port * 10 + (*p - '0');
        if (!digits || digits > 5 || port < 1 || port > 65535 || (*p && *p != '/' && *p != '?' && *p != '#'))
            return "port must be 1-65535";
    }
    return NULL;
}

static int known_transport(const char *t) {
    return strcmp(t, "polling") == 0 || strcmp(t, "websocket") == 0 || strcmp(t, "auto") == 0;
}

static const char *const valued[] = {
    "-l", "-q", "--count", "--ack-timeout", "--resolve-timeout", "--namespace", "--transport", "--header",
    "--auth", "--dns-server", "--host", "--eio", "--parser", "--ca", "--tls-cert", "--tls-key", NULL,
};

/* Whether option a takes a value. */
static int takes_value(const char *a) {
    int i;
    for (i = 0; valued[i]; i++)
        if (strcmp(a, valued[i]) == 0) return 1;
    return 0;
}

/* An option with a value: 0, or the exit status of a usage error. */
static int set_option(siocat *sc, const char *a, const char *v) {
    long n;
    char *end;
    if (strcmp(a, "-l") == 0) {
        if ((n = number(v, 0, 65535)) < 0) return usage_error("-l: port must be 0-65535, not %s", v);
        sc->server_mode = 1;
        sc->listen_port = (int)n;
    } else if (strcmp(a, "--count") == 0) {
        if ((sc->count = number(v, 0, 0x7fffffffL)) < 0) return usage_error("--count: not a number: %s", v);
    } else if (strcmp(a, "--ack-timeout") == 0 || strcmp(a, "--resolve-timeout") == 0) {
        if ((n = number(v, 0, 0x7fffffffL)) < 0) return usage_error("not a number of milliseconds: %s", v);
        if (a[2] == 'a') sc->ack_timeout_ms = (int)n;
        else sc->resolve_timeout_ms = (int)n;
    } else if (strcmp(a, "-q") == 0) {
        sc->quit_after = strtod(v, &end);
        if (!*v || *end) return usage_error("-q: not a number of seconds: %s", v);
    } else if (strcmp(a, "--namespace") == 0) {
        if (v[0] != '/') return usage_error("--namespace must start with /: %s", v);
        sc->nsp = v;
    } else if (strcmp(a, "--transport") == 0) {
        if (!known_transport(v)) return usage_error("--transport must be polling, websocket or auto, not %s", v);
        sc->transport = v;
    } else if (strcmp(a, "--header") == 0) {
        if (strchr(v, '\r') || strchr(v, '\n') || !strchr(v, ':'))
            return usage_error("--header must be 'Name: value' on one line: %s", v);
        sio_buf_appends(&sc->headers, v);
        sio_buf_appends(&sc->headers, "\r\n");
    } else if (strcmp(a, "--auth") == 0) sc->auth = v;
    else if (strcmp(a, "--dns-server") == 0) sc->dns_server = v;
    else if (strcmp(a, "--host") == 0) sc->host = v;
    else if (strcmp(a, "--eio") == 0) {
        if (strcmp(v, "3") != 0 && strcmp(v, "4") != 0) return usage_error("--eio must be 3 or 4, not %s", v);
        sc->eio = v[0] - '0';
    } else if (strcmp(a, "--parser") == 0) {
        if (strcmp(v, "msgpack") != 0 && strcmp(v, "default") != 0)
            return usage_error("--parser must be default or msgpack, not %s", v);
        sc->parser = v[0] == 'm' ? SIO_PARSER_MSGPACK : SIO_PARSER_DEFAULT;
    } else if (strcmp(a, "--ca") == 0) sc->ca = v;
    else if (strcmp(a, "--tls-cert") == 0) sc->tls_cert = v;
    else sc->tls_key = v;   /* --tls-key, the last of valued[] */
    return 0;
}

/* 0 when the options are good, else the exit status (-1: --help shown). */
static int parse_args(siocat *sc, int argc, char **argv) {
    int i, rc;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help();
            return -1;
        }
        if (strcmp(a, "--ack") == 0) sc->ack_mode = 1;
        else if (strcmp(a, "-v") == 0) sc->verbose = 1;
        else if (strcmp(a, "--quiet") == 0) sc->quiet = 1;
        else if (strcmp(a, "--insecure") == 0) sc->insecure = 1;
        else if (a[0] != '-' || !a[1]) {
            if (sc->url) return usage_error("one URL only (also got %s)", a);
            sc->url = a;
        } else if (!takes_value(a)) {
            return usage_error("unknown option %s", a);
        } else if (i + 1 >= argc) {
            return usage_error("%s needs a value", a);
        } else if ((rc = set_option(sc, a, argv[++i])) != 0) {
            return rc;
        }
    }
    return 0;
}

/* The checks that need every option. */
static int check_args(siocat *sc) {
    const char *why;
    if (sc->server_mode && sc->url) return usage_error("a URL or -l PORT, not both (%s)", sc->url);
    if (!sc->server_mode && !sc->url) return usage_error("%s", "no URL (or -l PORT to serve)");
    if (sc->url && (why = url_problem(sc->url)) != NULL) {
        fprintf(stderr, "siocat: bad URL %s: %s\n", sc->url, why);
        return 2;
    }
#ifndef SIO_TLS_BEARSSL
    if (sc->ca || sc->tls_cert || sc->tls_key || sc->insecure) {
        fprintf(stderr, "siocat: --ca, --insecure, --tls-cert and --tls-key need a TLS build (build/tls/siocat)\n");
        return 2;
    }
#endif
    if (!!sc->tls_cert != !!sc->tls_key) return usage_error("%s", "--tls-cert and --tls-key go together");
    return 0;
}

/* ---- starting ---- */

/* "cannot listen on port 3000: address already in use", from the end of
   the library's "cannot listen on :::3000: Address already in use". */
static void listen_words(siocat *sc, int err) {
    const char *why = strrchr(sc->last_error, ':');
    char reason[200];
    size_t i;
    if (err != SIO_ERR_IO || !why || !why[1]) {
        fprintf(stderr, "siocat: cannot listen on port %d: %s\n", sc->listen_port, sio_strerror(err));
        return;
    }
    snprintf(reason, sizeof reason, "%s", why + 2);
    for (i = 0; reason[i]; i++) reason[i] = (char)tolower((unsigned char)reason[i]);
    fprintf(stderr, "siocat: cannot listen on port %d: %s\n", sc->listen_port, reason);
}

static int start_server(siocat *sc) {
    sio_server_desc d;
    int err = 0;
    memset(&d, 0, sizeof d);
    d.host = sc->host;
    d.port = sc->listen_port;
    d.tls.cert_file = sc->tls_cert;
    d.tls.key_file = sc->tls_key;
    d.allow_eio3 = sc->eio == 3;   /* v4 clients are served too */
    d.parser = sc->parser;
    /* errors always: a port that cannot be had is "socket error" to the
       caller, the system's reason is in the line logged */
    d.logger.fn = log_line;
    d.logger.level = sc->verbose ? SIO_LOG_TRACE : SIO_LOG_ERROR;   /* -v: every packet, raw and decoded */
    d.logger.user = sc;
    sc->server = sio_server_create(&d, &err);
    if (!sc->server) {
        listen_words(sc, err);
        return 1;
    }
    sc->snsp = sio_of(sc->server, sc->nsp ? sc->nsp : "/");
    if (!sc->snsp) return 1;
    sio_on_connection(sc->snsp, on_server_connection, sc);
    sio_on_disconnect(sc->snsp, on_server_disconnect, sc);
    sio_on(sc->snsp, "*", on_server_event, sc);
    fprintf(stderr, "listening on port %d\n", sio_server_port(sc->server));
    return 0;
}

static int start_client(siocat *sc) {
    sio_client_desc d;
    int err = 0;
    memset(&d, 0, sizeof d);
    d.url = sc->url;
    d.transports = sc->transport;
    d.eio_version = sc->eio;
    d.parser = sc->parser;
    d.dns_server = sc->dns_server;
    d.resolve_timeout_ms = sc->resolve_timeout_ms;
    d.headers = sc->headers.len > 1 ? sc->headers.data : NULL;
    d.tls.ca_file = sc->ca;
    d.tls.insecure_skip_verify = sc->insecure;
    d.tls.cert_file = sc->tls_cert;   /* a client certificate, if the server asks */
    d.tls.key_file = sc->tls_key;
    d.on_reconnect_attempt = on_reconnect_attempt;
    d.user = sc;
    /* always, at debug level: the reasons of failures are only there
       (track); printed only with -v */
    d.logger.fn = log_line;
    d.logger.level = sc->verbose ? SIO_LOG_TRACE : SIO_LOG_DEBUG;   /* -v: every packet, raw and decoded */
    d.logger.user = sc;
    sc->client = sio_client_create(&d, &err);
    if (!sc->client) {
        fprintf(stderr, "siocat: %s: %s%s\n", sc->url, sio_strerror(err),
                err == SIO_ERR_UNSUPPORTED ? " (https:// and wss:// need TLS, not in this build)" : "");
        return 1;
    }
    sc->sock = sio_client_socket_open(sc->client, sc->nsp, sc->auth);
    if (!sc->sock) {
        fprintf(stderr, "siocat: bad namespace or --auth (must be a JSON object)\n");
        return 2;
    }
    sio_client_on(sc->sock, "*", on_event, sc);
    sio_client_on_connect(sc->sock, on_connect, sc);
    sio_client_on_disconnect(sc->sock, on_disconnect, sc);
    sio_client_on_connect_error(sc->sock, on_connect_error, sc);
    return 0;
}

/* ---- the loop ---- */

/* What stdin asked for is done: every line handed to the connection (a
   client holds lines while it is not connected) and every ack come or
   given up. */
static int input_done(const siocat *sc) {
    if (sc->stdin_open || sc->pending_acks > 0) return 0;
    return sc->server_mode || sio_client_connected(sc->sock);
}

/* The library's descriptors in fds[1..], grown as needed; slot 0 is
   stdin. The count, or a negative SIO_ERR_*. */
static int gather_fds(siocat *sc, struct pollfd **fds, int *nfds, int *timeout) {
    for (;;) {
        int n = sc->server ? sio_server_fds(sc->server, *fds + 1, *nfds - 1, timeout)
                           : sio_client_fds(sc->client, *fds + 1, *nfds - 1, timeout);
        if (n <= *nfds - 1) return n;
        /* more connections than slots: grow, and ask again */
        free(*fds);
        *nfds = 2 * (n + 1);
        if (!(*fds = (struct pollfd *)calloc((size_t)*nfds, sizeof **fds))) return SIO_ERR_NOMEM;
    }
}

/* One wait for standard input and the library's descriptors (the step
   API, through examples/poll_stdin.h), so a line goes out the moment it
   is typed. */
static void run(siocat *sc) {
    uint64_t quit_at = 0;
    int nfds = 64, i;
    struct pollfd *fds = (struct pollfd *)calloc((size_t)nfds, sizeof *fds);
    while (fds && !sc->done && !got_signal) {
        int timeout = -1, n;
        if (quit_at) {
            uint64_t now = now_ms();
            timeout = now >= quit_at ? 0 : (int)(quit_at - now);
        }
        if ((n = gather_fds(sc, &fds, &nfds, &timeout)) < 0) {
            warn(sc, "%s", sio_strerror(n));
            sc->exit_code = 1;
            break;
        }
        if (poll_stdin(fds, n, timeout, sc->stdin_open) < 0) {
            if (errno != EINTR) break;
            for (i = 0; i <= n; i++) fds[i].revents = 0;
        }
        if (sc->server) sio_server_process(sc->server, fds + 1, n);
        else sio_client_process(sc->client, fds + 1, n);
        if (sc->done) break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_stdin(sc);
        if (sc->client && sio_client_closed(sc->client)) {
            /* given up without a clean "io server disconnect" */
            warn(sc, "connection closed%s%s", sc->last_error[0] ? ": " : "", sc->last_error);
            sc->exit_code = 1;
            break;
        }
        if (sc->quit_after >= 0 && input_done(sc)) {
            uint64_t now = now_ms();
            if (!quit_at) quit_at = now + (uint64_t)(sc->quit_after * 1000);
            if (now >= quit_at) break;
        }
    }
    if (!fds) warn(sc, "out of memory");
    free(fds);
}

static void leave(siocat *sc) {
    int i;
    sc->leaving = 1;
    prompt_erase(sc);
    if (sc->client) {
        /* leave politely: DISCONNECT and the Engine.IO close go out first */
        sio_client_disconnect(sc->client);
        for (i = 0; i < 100 && !sio_client_closed(sc->client); i++) sio_client_poll(sc->client, 10);
        for (i = 0; i < 3; i++) sio_client_poll(sc->client, 5);
        sio_client_destroy(sc->client);
    }
    if (sc->server) sio_server_destroy(sc->server);
    term_restore();
}

int main(int argc, char **argv) {
    static siocat sc;
#ifndef _WIN32
    struct sigaction sa;
#endif
    int rc;
    memset(&sc, 0, sizeof sc);
    sc.quit_after = QUIT_UNSET;
    sc.ack_timeout_ms = ACK_TIMEOUT_MS;
    sc.stdin_open = 1;
    sc.line.max = 64u << 20;
    sc.edit.max = 1u << 20;
    rc = parse_args(&sc, argc, argv);
    if (rc == 0) rc = check_args(&sc);
    if (rc != 0) {
        sio_buf_free(&sc.headers);
        return rc < 0 ? 0 : rc;
    }
    /* stdin's end ends a plain client; a server, or a client waiting for
       --count events, runs on */
    if (sc.quit_after == QUIT_UNSET) sc.quit_after = sc.server_mode || sc.count > 0 ? -1 : 0;
    sc.show_connects = !sc.quiet && (sc.verbose || isatty(2));
    if (sc.insecure) fprintf(stderr, "siocat: WARNING: --insecure: the server's certificate is NOT checked; "
                                     "anyone on the path can read and change this connection\n");
    sio_buf_appendc(&sc.headers, 0);

#ifdef _WIN32
    /* no sigaction() or SIGPIPE; and "\n" stays "\n" on the pipes */
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    _setmode(2, _O_BINARY);
#else
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
#endif

    rc = sc.server_mode ? start_server(&sc) : start_client(&sc);
    if (rc == 0) {
        sc.tty = isatty(0) && isatty(1) && term_raw() == 0;
        if (sc.tty) prompt_draw(&sc);
        run(&sc);
        rc = sc.exit_code;
        if (rc == 0 && sc.acks_missed) rc = EXIT_NO_ACK;
    }
    leave(&sc);
    sio_buf_free(&sc.headers);
    sio_buf_free(&sc.line);
    sio_buf_free(&sc.edit);
    return rc;
}
