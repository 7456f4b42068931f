/* socketio.h - Socket.IO server and client in one C header.

   Realtime, event-based, bi-directional messaging with browsers and any
   Socket.IO v4 peer (Engine.IO protocol v4, Socket.IO protocol v5), on
   nothing but libc and POSIX sockets. MIT licensed; see the end of file.

   1. QUICK START
   ==============
   In exactly one C file, before any other #include:

       #define SOCKETIO_IMPLEMENTATION
       #include "socketio.h"

   Everywhere else just #include "socketio.h". A server:

       static void on_chat(const sio_event *ev, void *user) {
           sio_msg m; sio_msg_init(&m); sio_msg_args(&m, &ev->args);
           sio_broadcast(sio_socket_nsp(ev->socket), NULL, "chat", &m);
           sio_msg_free(&m);
       }
       sio_server_desc d = {0}; d.port = 3000;
       sio_server *srv = sio_server_create(&d, NULL);
       sio_on(sio_of(srv, "/"), "chat", on_chat, NULL);
       sio_server_run(srv);

   A client:

       sio_client_desc d = {0}; d.url = "http://localhost:3000";
       sio_client *c = sio_client_create(&d, NULL);
       sio_client_socket *s = sio_client_socket_open(c, "/", NULL);
       sio_client_on(s, "chat", on_chat_from_server, NULL);
       sio_client_emit_json(s, "chat", "[\"hello\"]");
       sio_client_run(c);

   2. CONCEPTS
   ===========
   - A server listens on one port. Requests under desc.path ("/socket.io/")
     are Engine.IO; <path>socket.io.js is the browser client; every other
     request goes to desc.on_http (so one program serves its own pages).
   - A namespace (sio_of) has handlers: connection, disconnect, middleware
     (sio_use, may refuse with a message and data), and events (sio_on, "*"
     for any). A sio_socket is one client in one namespace.
   - Arguments come in as sio_args (a JSON array view plus binary
     attachments) and go out as sio_msg (a JSON builder plus binary views).
   - Acks: an event with ev->ack_id >= 0 wants sio_ack(); sio_emit_ack()
     asks the peer for one, with a timeout.
   - Rooms: sio_join/sio_leave; sio_broadcast encodes once and writes to
     every receiver of a room set, minus exceptions.

   3. CONFIGURATION MACROS (define before the implementation include)
   ==================================================================
   SIO_API               decoration of public functions (default: extern)
   SIO_STATIC            make every public function static
   SIO_MALLOC(n)         \
   SIO_REALLOC(p,n)       > allocator; define all three or none
   SIO_FREE(p)           /
   SIO_ASSERT(c)         assertion (default: assert from <assert.h>)
   SIO_NO_CLIENT         leave the client out (server-only build)
   SIO_NO_CLIENT_JS      do not embed the browser client
   SIO_TLS_BEARSSL       TLS through BearSSL (link with -lbearssl)
   Limits (each #ifndef-guarded, see the "Limits" block and each section):
   SIO_HTTP_MAX_HEADERS 64, SIO_HTTP_MAX_HEADER_BYTES 16384,
   SIO_HTTP_MAX_REQUEST_LINE 8192, SIO_HTTP_MAX_CHUNK_LINE 4096,
   SIO_HTTP_TIMEOUT_MS 30000, SIO_JSON_MAX_DEPTH 64, SIO_WS_MAX_MESSAGE 1e6,
   SIO_MAX_ATTACHMENTS 10, SIO_MAX_NSP_LEN 128, SIO_MAX_EVENT_LEN 256,
   SIO_MAX_OUTPUT 16 MiB, SIO_MAX_CONNECTIONS 100000, SIO_READ_CHUNK 65536,
   SIO_ACCEPT_BURST 256, SIO_CLIENT_MAX_BUFFERED 1 MiB.
   What varies per server or client (ports, ping interval and timeout,
   max_payload, timeouts, CORS, allocator, logger) is in the desc structs,
   where 0 always means the documented default.

   4. THREADS, MEMORY, ERRORS
   ==========================
   No threads are created and there is no global mutable state: a server
   or client belongs to the thread that polls it. Drive it with
   sio_server_run(), a turn at a time with sio_server_poll(), or from your
   own poll() loop with sio_server_fds()/sio_server_process().
   Every allocation goes through the allocator; every buffer is bounded.
   Functions return int: >= 0 success, negative SIO_ERR_* on failure, and
   sio_strerror() says it in words. Nothing is dropped silently: give the
   desc a logger to hear why. Views (sio_str, sio_json, sio_args) handed to
   callbacks are valid until the callback returns.

   5. SECTIONS (grep for ">>name")
   ===============================
   >>util     buffers, errors, logging, SHA-1, base64, UTF-8
   >>json     JSON writer and validating reader
   >>http     HTTP/1.1 request/response parser and writer
   >>ws       WebSocket framing (RFC 6455), both roles
   >>packet   Engine.IO payloads and Socket.IO packets as text
   >>loop     sockets, timers and the poll() loop
   >>eio      Engine.IO v4 server sessions: polling, WebSocket, upgrade
   >>sio      Socket.IO v5 server: namespaces, events, acks, rooms
   >>client   Engine.IO and Socket.IO client, reconnection
*/
/* The implementation needs POSIX declarations (getaddrinfo, poll,
   clock_gettime); they must be requested before the first system header,
   so include socketio.h first in the implementation file. */
#if defined(SOCKETIO_IMPLEMENTATION) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef SOCKETIO_H
#define SOCKETIO_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#if defined(__GNUC__) || defined(__clang__)
#define SIO__UNUSED __attribute__((unused))
#else
#define SIO__UNUSED
#endif

#ifdef SIO_STATIC
#define SIO_API static SIO__UNUSED
#endif
#ifndef SIO_API
#ifdef __cplusplus
#define SIO_API extern "C"
#else
#define SIO_API extern
#endif
#endif

/* ---------------------------------------------------------------------
   Limits. Each may be overridden before the include.
   ------------------------------------------------------------------- */
#ifndef SIO_HTTP_MAX_HEADERS
#define SIO_HTTP_MAX_HEADERS 64           /* headers per HTTP message */
#endif
#ifndef SIO_HTTP_MAX_HEADER_BYTES
#define SIO_HTTP_MAX_HEADER_BYTES 16384   /* request/status line + headers */
#endif
#ifndef SIO_HTTP_MAX_REQUEST_LINE
#define SIO_HTTP_MAX_REQUEST_LINE 8192    /* request line alone */
#endif
#ifndef SIO_JSON_MAX_DEPTH
#define SIO_JSON_MAX_DEPTH 64             /* nesting of arrays/objects */
#endif
#ifndef SIO_WS_MAX_MESSAGE
#define SIO_WS_MAX_MESSAGE 1000000        /* default WebSocket message cap */
#endif

/* ---------------------------------------------------------------------
   Errors: one X-macro list gives the enum and sio_strerror().
   ------------------------------------------------------------------- */
#define SIO_ERRORS(X)                                                   \
    X(SIO_OK,            0,   "success")                                \
    X(SIO_ERR_NOMEM,    -1,   "out of memory")                          \
    X(SIO_ERR_INVALID,  -2,   "invalid argument")                       \
    X(SIO_ERR_PARSE,    -3,   "malformed input")                        \
    X(SIO_ERR_TOO_BIG,  -4,   "limit exceeded")                         \
    X(SIO_ERR_UTF8,     -5,   "invalid UTF-8")                          \
    X(SIO_ERR_PROTOCOL, -6,   "protocol violation")                     \
    X(SIO_ERR_IO,       -7,   "socket error")                           \
    X(SIO_ERR_CLOSED,   -8,   "connection closed")                      \
    X(SIO_ERR_TIMEOUT,  -9,   "timed out")                              \
    X(SIO_ERR_NOT_FOUND,-10,  "not found")                              \
    X(SIO_ERR_REFUSED,  -11,  "refused")                                \
    X(SIO_ERR_RESOLVE,  -12,  "host name not resolved")                 \
    X(SIO_ERR_STATE,    -13,  "not allowed in this state")              \
    X(SIO_ERR_UNSUPPORTED,-14,"not supported by this build")                \
    X(SIO_ERR_TLS,      -15,  "TLS failure")

typedef enum sio_result {
#define SIO__ENUM(name, value, text) name = value,
    SIO_ERRORS(SIO__ENUM)
#undef SIO__ENUM
    SIO__ERR_LAST = -16
} sio_result;

SIO_API const char *sio_strerror(int err);

/* ---------------------------------------------------------------------
   Basic types shared by every layer.
   ------------------------------------------------------------------- */

/* A view into memory owned by someone else: never NUL-terminated by
   contract. Views handed to callbacks are valid until the callback
   returns. */
typedef struct sio_str {
    const char *ptr;
    size_t len;
} sio_str;

/* Optional run-time allocator; NULL fields fall back to SIO_MALLOC etc. */
typedef struct sio_allocator {
    void *(*alloc_fn)(size_t size, void *user);
    void *(*realloc_fn)(void *ptr, size_t size, void *user);
    void (*free_fn)(void *ptr, void *user);
    void *user;
} sio_allocator;

/* A growable byte buffer. Zero-initialise it; set `alloc` (may stay NULL)
   and `max` (0 = unbounded) before first use. Appends never fail loudly:
   on failure the buffer keeps its content and `err` becomes sticky
   (SIO_ERR_NOMEM or SIO_ERR_TOO_BIG), so a long series of appends can be
   checked once at the end. */
typedef struct sio_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    const sio_allocator *alloc;
    int err;
} sio_buf;

SIO_API int  sio_buf_reserve(sio_buf *b, size_t extra);
SIO_API int  sio_buf_append(sio_buf *b, const void *data, size_t len);
SIO_API int  sio_buf_appendc(sio_buf *b, char c);
SIO_API int  sio_buf_appends(sio_buf *b, const char *s);   /* NUL-terminated */
SIO_API int  sio_buf_appendu(sio_buf *b, unsigned long long v); /* decimal */
SIO_API void sio_buf_consume(sio_buf *b, size_t n);        /* drop front n */
SIO_API void sio_buf_reset(sio_buf *b);                    /* len = 0, err = 0 */
SIO_API void sio_buf_free(sio_buf *b);

/* Logging: silent unless a callback is given. */
typedef enum sio_log_level {
    SIO_LOG_ERROR = 0,
    SIO_LOG_WARN = 1,
    SIO_LOG_INFO = 2,
    SIO_LOG_DEBUG = 3
} sio_log_level;

typedef struct sio_logger {
    void (*fn)(sio_log_level level, const char *msg, void *user);
    sio_log_level level;          /* messages above this level are dropped */
    void *user;
} sio_logger;

/* >>wip-api: layer declarations being written in separate files */
#include "wip/util_api.h"
#include "wip/json_api.h"
#include "wip/http_api.h"
#include "wip/ws_api.h"
#include "wip/tls_api.h"

/* =====================================================================
   Engine.IO and Socket.IO packets as pure functions (no sockets)
   ===================================================================== */

/* Engine.IO v4 packet types: the first character of every packet. */
enum {
    SIO_EIO_OPEN = 0, SIO_EIO_CLOSE = 1, SIO_EIO_PING = 2, SIO_EIO_PONG = 3,
    SIO_EIO_MESSAGE = 4, SIO_EIO_UPGRADE = 5, SIO_EIO_NOOP = 6
};

/* Socket.IO v5 packet types, carried inside Engine.IO messages. */
enum {
    SIO_PKT_CONNECT = 0, SIO_PKT_DISCONNECT = 1, SIO_PKT_EVENT = 2, SIO_PKT_ACK = 3,
    SIO_PKT_CONNECT_ERROR = 4, SIO_PKT_BINARY_EVENT = 5, SIO_PKT_BINARY_ACK = 6
};

#ifndef SIO_MAX_ATTACHMENTS
#define SIO_MAX_ATTACHMENTS 10   /* binary attachments per packet (Node's parser caps at 10) */
#endif
#ifndef SIO_MAX_PACKETS_PER_PAYLOAD
#define SIO_MAX_PACKETS_PER_PAYLOAD 10000  /* Engine.IO packets in one polling POST */
#endif
#ifndef SIO_MAX_NSP_LEN
#define SIO_MAX_NSP_LEN 128      /* bytes of a namespace name */
#endif
#ifndef SIO_MAX_EVENT_LEN
#define SIO_MAX_EVENT_LEN 256    /* bytes of an event name */
#endif

/* A decoded Socket.IO packet: views into the text it was parsed from. */
typedef struct sio_packet {
    int type;               /* SIO_PKT_* */
    int attachments;        /* binary attachments announced (types 5 and 6) */
    sio_str nsp;            /* namespace; "/" when absent */
    long long ack_id;       /* -1 when absent */
    sio_str data;           /* the JSON payload text; empty when absent */
    sio_json json;          /* data parsed; type SIO_JSON_INVALID when absent */
} sio_packet;

/* Parses and validates one Socket.IO packet (the Engine.IO message body,
   without the leading '4'): SIO_OK or SIO_ERR_PARSE. Applies Node's
   validity rules: CONNECT carries an object or nothing, EVENT a non-empty
   array led by a non-reserved string, and so on. */
SIO_API int sio_packet_parse(const char *s, size_t n, sio_packet *p);

/* Iterates over an Engine.IO v4 polling payload (packets joined by \x1e,
   binary ones as "b<base64>"). Start with *pos = 0; each call yields one
   packet: *binary = 1 with the decoded bytes (decoded in place, so body is
   modified), else the text packet with its type digit. Returns 1 while
   packets remain, 0 at the end, SIO_ERR_PARSE on bad base64. */
SIO_API int sio_eio_payload_next(char *body, size_t len, size_t *pos, char **pkt, size_t *pkt_len, int *binary);

/* Appends the text form of a packet: type, attachment count, namespace,
   ack id, JSON (may be NULL). ack_id < 0 means none. */
SIO_API int sio_packet_write(sio_buf *b, int type, int attachments, const char *nsp,
                             size_t nsp_len, long long ack_id, const char *json, size_t json_len);

/* Arguments of an incoming event or ack: a JSON array plus the binary
   attachments its placeholders point at. Views valid during the callback. */
typedef struct sio_args {
    sio_json array;         /* the whole array as received */
    size_t first;           /* index of the first argument (1 for events: 0 is the name) */
    size_t count;           /* number of arguments */
    const sio_str *bins;    /* attachments, in placeholder order */
    size_t nbins;
} sio_args;

SIO_API int sio_args_get(const sio_args *a, size_t i, sio_json *out);     /* argument i */
SIO_API int sio_args_bin(const sio_args *a, sio_json v, sio_str *bytes);  /* 1 if v is a binary placeholder */
SIO_API size_t sio_args_strcpy(const sio_args *a, size_t i, char *dst, size_t cap);

/* Outgoing arguments: a JSON array under construction plus binary blobs.
   Binary blobs are referenced, not copied: keep them alive until the emit
   call returns. Usage:
       sio_msg m; sio_msg_init(&m);
       sio_json_str(&m.w, "hello"); sio_msg_bin(&m, bytes, n);
       sio_emit(socket, "greet", &m); sio_msg_free(&m);                     */
typedef struct sio_msg {
    sio_buf buf;
    sio_json_writer w;
    sio_str bins[SIO_MAX_ATTACHMENTS];
    int nbins;
    int err;
} sio_msg;

SIO_API void sio_msg_init(sio_msg *m);
SIO_API void sio_msg_bin(sio_msg *m, const void *data, size_t len);
SIO_API int  sio_msg_json(sio_msg *m, const char *json_array);  /* replace contents by a raw JSON array */
SIO_API int  sio_msg_args(sio_msg *m, const sio_args *a);       /* copy incoming args (binary kept as views) */
SIO_API void sio_msg_free(sio_msg *m);

/* =====================================================================
   Server API
   ===================================================================== */

typedef struct sio_server sio_server;
typedef struct sio_namespace sio_namespace;
typedef struct sio_socket sio_socket;

/* An incoming event, handed to handlers. */
typedef struct sio_event {
    sio_socket *socket;
    sio_str name;
    sio_args args;
    long long ack_id;       /* >= 0 when the sender wants an ack: answer with sio_ack() */
} sio_event;

typedef void (*sio_event_fn)(const sio_event *ev, void *user);
typedef void (*sio_socket_fn)(sio_socket *s, void *user);
typedef void (*sio_disconnect_fn)(sio_socket *s, const char *reason, void *user);
/* Called with the ack's arguments, or with args == NULL and err ==
   SIO_ERR_TIMEOUT / SIO_ERR_CLOSED when no ack will come. */
typedef void (*sio_ack_fn)(sio_socket *s, int err, const sio_args *args, void *user);

/* Connect middleware: inspect the auth payload; return 0 to accept, or
   fill *message (and optionally *data_json, raw JSON) and return non-zero
   to refuse with CONNECT_ERROR {"message":..., "data":...}. */
typedef int (*sio_middleware_fn)(sio_socket *s, sio_json auth, const char **message,
                                 const char **data_json, void *user);

/* A plain HTTP request for paths outside the Engine.IO endpoints. */
typedef struct sio_http_request {
    const sio_http_msg *msg;
    sio_str body;
    void *conn;             /* private */
} sio_http_request;
typedef void (*sio_http_fn)(sio_http_request *req, void *user);
SIO_API int sio_http_respond(sio_http_request *req, int status, const char *content_type,
                             const void *body, size_t len, const char *extra_headers);

/* The bare Engine.IO layer (as the npm `engine.io` package offers it). */
typedef struct sio_engine_conn sio_engine_conn;
typedef struct sio_engine_handlers {
    void (*on_open)(sio_engine_conn *c, void *user);
    void (*on_message)(sio_engine_conn *c, const void *data, size_t len, int binary, void *user);
    void (*on_close)(sio_engine_conn *c, const char *reason, void *user);
    void *user;
} sio_engine_handlers;
SIO_API int sio_engine_send(sio_engine_conn *c, const void *data, size_t len, int binary);
SIO_API void sio_engine_close(sio_engine_conn *c);

typedef struct sio_server_desc {
    const char *host;            /* listen address; NULL = every address ("::" dual stack, else "0.0.0.0") */
    int port;                    /* 0 = pick a free port (see sio_server_port) */
    const char *path;            /* Socket.IO endpoint; NULL = "/socket.io/" */
    int ping_interval_ms;        /* 0 = 25000 */
    int ping_timeout_ms;         /* 0 = 20000 */
    long max_payload;            /* 0 = 1000000 bytes (Node's maxHttpBufferSize) */
    int connect_timeout_ms;      /* 0 = 45000: no namespace joined by then -> close */
    int upgrade_timeout_ms;      /* 0 = 10000 */
    size_t max_output;           /* per-connection unsent bytes before it is dropped; 0 = 16 MiB */
    int http_timeout_ms;         /* time to send a complete request head+body; 0 = 30000 */
    int max_packets_per_payload; /* packets in one polling POST; 0 = SIO_MAX_PACKETS_PER_PAYLOAD */
    int max_connections;         /* 0 = 100000 */
    const char *cors_origin;     /* NULL = no CORS; "*" or a comma-separated allow-list */
    int cors_credentials;        /* add Access-Control-Allow-Credentials */
    sio_tls_config tls;          /* tls.cert_file/cert_pem set: serve https/wss (SIO_TLS_BEARSSL) */
    sio_http_fn on_http;         /* other paths; NULL = 404 */
    void *http_user;
    int no_serve_client;         /* 1: do not serve <path>socket.io.js */
    const char *client_js_file;  /* serve this file (e.g. the official socket.io-client
                                    dist/socket.io.min.js) instead of the built-in client */
    const char *engine_path;     /* optional bare Engine.IO endpoint, e.g. "/engine.io/" */
    sio_engine_handlers engine;
    sio_allocator allocator;
    sio_logger logger;
} sio_server_desc;

SIO_API sio_server *sio_server_create(const sio_server_desc *desc, int *err);
SIO_API int  sio_server_port(const sio_server *srv);
SIO_API int  sio_server_poll(sio_server *srv, int timeout_ms);  /* one loop turn */
SIO_API int  sio_server_run(sio_server *srv);                   /* until sio_server_stop */
SIO_API void sio_server_stop(sio_server *srv);
SIO_API void sio_server_destroy(sio_server *srv);

/* Stepping from your own poll() loop:
       n = sio_server_fds(srv, fds, max, &timeout);   fill fds[0..n), lower timeout
       poll(all your fds, ..., timeout);
       sio_server_process(srv, fds, n);               same fds, revents set
   sio_server_fds returns the number of descriptors it needs; if that is
   more than max, nothing was written: grow the array and call again.
   *timeout_ms is only ever lowered (to the next timer), -1 = no limit. */
SIO_API int sio_server_fds(sio_server *srv, struct pollfd *fds, int max, int *timeout_ms);
SIO_API int sio_server_process(sio_server *srv, const struct pollfd *fds, int n);

/* Namespaces: "/" always exists; others are created on first use. */
SIO_API sio_namespace *sio_of(sio_server *srv, const char *name);
SIO_API void sio_on_connection(sio_namespace *nsp, sio_socket_fn fn, void *user);
SIO_API void sio_on_disconnect(sio_namespace *nsp, sio_disconnect_fn fn, void *user);
SIO_API void sio_use(sio_namespace *nsp, sio_middleware_fn fn, void *user);
SIO_API int  sio_on(sio_namespace *nsp, const char *event, sio_event_fn fn, void *user); /* "*" = any */

/* Sockets */
SIO_API const char *sio_socket_id(const sio_socket *s);
SIO_API const char *sio_namespace_name(const sio_namespace *nsp);
SIO_API sio_namespace *sio_socket_nsp(const sio_socket *s);
SIO_API sio_json sio_socket_auth(const sio_socket *s);      /* CONNECT payload ({} when none) */
SIO_API void *sio_socket_data(const sio_socket *s);
SIO_API void  sio_socket_set_data(sio_socket *s, void *data);
SIO_API int  sio_emit(sio_socket *s, const char *event, const sio_msg *args);
SIO_API int  sio_emit_json(sio_socket *s, const char *event, const char *json_args); /* "[1,\"a\"]" or NULL */
SIO_API int  sio_emit_ack(sio_socket *s, const char *event, const sio_msg *args,
                          int timeout_ms, sio_ack_fn fn, void *user);
SIO_API int  sio_ack(sio_socket *s, long long ack_id, const sio_msg *args);
SIO_API int  sio_join(sio_socket *s, const char *room);
SIO_API int  sio_leave(sio_socket *s, const char *room);
SIO_API int  sio_in_room(const sio_socket *s, const char *room);
SIO_API void sio_disconnect(sio_socket *s);                  /* "server namespace disconnect" */

/* Broadcasts: encoded once, written to every receiver. */
typedef struct sio_bcast {
    const char *const *rooms;   /* NULL: every socket of the namespace */
    size_t nrooms;
    const char *const *except;  /* rooms (a socket id is a room) to leave out */
    size_t nexcept;
} sio_bcast;
SIO_API int sio_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args);
SIO_API int sio_broadcast_all(sio_server *srv, const char *event, const sio_msg *args); /* every namespace */
SIO_API size_t sio_nsp_count(const sio_namespace *nsp);   /* sockets connected */
SIO_API size_t sio_room_size(sio_namespace *nsp, const char *room); /* sockets in a room */

#ifndef SIO_NO_CLIENT
#include "wip/client_api.h"
#endif
#include "wip/stream_api.h"

#endif /* SOCKETIO_H */

/* =====================================================================
   IMPLEMENTATION
   ===================================================================== */
#ifdef SOCKETIO_IMPLEMENTATION
#ifndef SOCKETIO_IMPLEMENTATION_DONE
#define SOCKETIO_IMPLEMENTATION_DONE

#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdarg.h>
#include <errno.h>
#include <time.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>
#include <fcntl.h>
#if defined(SIO_EPOLL) && defined(__linux__)
#include <sys/epoll.h>
#define SIO__EPOLL 1
#endif

#if defined(SIO_MALLOC) && defined(SIO_REALLOC) && defined(SIO_FREE)
/* all three given */
#elif !defined(SIO_MALLOC) && !defined(SIO_REALLOC) && !defined(SIO_FREE)
#define SIO_MALLOC(n) malloc(n)
#define SIO_REALLOC(p, n) realloc(p, n)
#define SIO_FREE(p) free(p)
#else
#error "define all of SIO_MALLOC, SIO_REALLOC and SIO_FREE, or none"
#endif

#ifndef SIO_ASSERT
#include <assert.h>
#define SIO_ASSERT(c) assert(c)
#endif

/* =====================================================================
   >>util: memory, buffers, errors, logging
   ===================================================================== */

SIO_API const char *sio_strerror(int err) {
    switch (err) {
#define SIO__CASE(name, value, text) case value: return text;
        SIO_ERRORS(SIO__CASE)
#undef SIO__CASE
    default: return "unknown error";
    }
}

static SIO__UNUSED void *sio__malloc(const sio_allocator *a, size_t n) {
    if (a && a->alloc_fn) return a->alloc_fn(n, a->user);
    return SIO_MALLOC(n);
}
static SIO__UNUSED void *sio__realloc(const sio_allocator *a, void *p, size_t n) {
    if (a && a->realloc_fn) return a->realloc_fn(p, n, a->user);
    return SIO_REALLOC(p, n);
}
static SIO__UNUSED void sio__free(const sio_allocator *a, void *p) {
    if (!p) return;
    if (a && a->free_fn) { a->free_fn(p, a->user); return; }
    SIO_FREE(p);
}

static SIO__UNUSED char *sio__strndup(const sio_allocator *a, const char *s, size_t n) {
    char *p = (char *)sio__malloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

SIO_API int sio_buf_reserve(sio_buf *b, size_t extra) {
    size_t need, cap;
    char *p;
    if (b->err) return b->err;
    if (extra > (size_t)-1 - b->len) return b->err = SIO_ERR_TOO_BIG;
    need = b->len + extra;
    if (b->max && need > b->max) return b->err = SIO_ERR_TOO_BIG;
    if (need <= b->cap) return SIO_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    if (b->max && cap > b->max) cap = b->max;
    p = (char *)sio__realloc(b->alloc, b->data, cap);
    if (!p) return b->err = SIO_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return SIO_OK;
}

SIO_API int sio_buf_append(sio_buf *b, const void *data, size_t len) {
    int rc;
    if (len == 0) return b->err;
    if ((rc = sio_buf_reserve(b, len)) != SIO_OK) return rc;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return SIO_OK;
}

SIO_API int sio_buf_appendc(sio_buf *b, char c) { return sio_buf_append(b, &c, 1); }

SIO_API int sio_buf_appends(sio_buf *b, const char *s) { return sio_buf_append(b, s, strlen(s)); }

SIO_API int sio_buf_appendu(sio_buf *b, unsigned long long v) {
    char tmp[24];
    size_t i = sizeof tmp;
    do { tmp[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    return sio_buf_append(b, tmp + i, sizeof tmp - i);
}

SIO_API void sio_buf_consume(sio_buf *b, size_t n) {
    if (n >= b->len) { b->len = 0; return; }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

SIO_API void sio_buf_reset(sio_buf *b) { b->len = 0; b->err = 0; }

SIO_API void sio_buf_free(sio_buf *b) {
    sio__free(b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

static SIO__UNUSED void sio__log(const sio_logger *lg, sio_log_level level, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    if (!lg || !lg->fn || level > lg->level) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lg->fn(level, msg, lg->user);
}

/* >>wip-impl: layer implementations being written in separate files */
#include "wip/util_impl.h"
#include "wip/json_impl.h"
#include "wip/http_impl.h"
#include "wip/ws_impl.h"
#ifdef SIO_TLS_BEARSSL
#include <bearssl.h>
#endif
#include "wip/tls_impl.h"

/* =====================================================================
   >>packet: Socket.IO v5 packet text form
   =====================================================================
   A Socket.IO packet rides inside one Engine.IO message. Its text is
   <type>[<attachments>-][<nsp>,][<ack id>][<json>], for example
       2["chat","hi"]          event "chat" on "/"
       2/admin,12["get"]       event on "/admin" asking for ack 12
       51-["up",{"_placeholder":true,"num":0}]  event with one attachment
   The decoder applies the same validity rules as Node's socket.io-parser,
   because a peer that passes them there must pass them here, and one that
   fails there must fail here. */

static int sio__is_reserved_event(sio_json name) {
    static const char *const reserved[] = {
        "connect", "connect_error", "disconnect", "disconnecting",
        "newListener", "removeListener"
    };
    size_t i;
    for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (sio_json_str_eq(name, reserved[i])) return 1;
    return 0;
}

SIO_API int sio_packet_parse(const char *s, size_t n, sio_packet *p) {
    size_t i = 1, digits;
    memset(p, 0, sizeof *p);
    p->nsp.ptr = "/";
    p->nsp.len = 1;
    p->ack_id = -1;
    if (n == 0 || s[0] < '0' || s[0] > '6') return SIO_ERR_PARSE;
    p->type = s[0] - '0';
    if (p->type == SIO_PKT_BINARY_EVENT || p->type == SIO_PKT_BINARY_ACK) {
        int count = 0;
        for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (digits >= 4) return SIO_ERR_PARSE;
            count = count * 10 + (s[i] - '0');
        }
        if (digits == 0 || i >= n || s[i] != '-') return SIO_ERR_PARSE;
        if (count < 1 || count > SIO_MAX_ATTACHMENTS) return SIO_ERR_PARSE;
        p->attachments = count;
        i++;
    }
    /* Namespace: from '/' to the first ',' or the end ("40/custom" is a
       valid CONNECT even without the comma). */
    if (i < n && s[i] == '/') {
        size_t start = i;
        while (i < n && s[i] != ',') i++;
        p->nsp.ptr = s + start;
        p->nsp.len = i - start;
        if (p->nsp.len > SIO_MAX_NSP_LEN) return SIO_ERR_PARSE;
        if (i < n) i++;
    }
    if (i < n && s[i] >= '0' && s[i] <= '9') {
        long long id = 0;
        for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (digits >= 15) return SIO_ERR_PARSE; /* stays below 2^53 like JS numbers */
            id = id * 10 + (s[i] - '0');
        }
        p->ack_id = id;
    }
    p->data.ptr = s + i;
    p->data.len = n - i;
    if (p->data.len) {
        int rc = sio_json_parse(p->data.ptr, p->data.len, &p->json);
        if (rc != SIO_OK) return SIO_ERR_PARSE;
    }
    switch (p->type) {
    case SIO_PKT_CONNECT:
        return (!p->data.len || p->json.type == SIO_JSON_OBJECT) ? SIO_OK : SIO_ERR_PARSE;
    case SIO_PKT_DISCONNECT:
        return p->data.len ? SIO_ERR_PARSE : SIO_OK;
    case SIO_PKT_CONNECT_ERROR:
        return (p->json.type == SIO_JSON_OBJECT || p->json.type == SIO_JSON_STRING)
                   ? SIO_OK : SIO_ERR_PARSE;
    case SIO_PKT_EVENT:
    case SIO_PKT_BINARY_EVENT: {
        sio_json name;
        if (p->json.type != SIO_JSON_ARRAY || sio_json_at(p->json, 0, &name) != SIO_OK)
            return SIO_ERR_PARSE;
        if (name.type == SIO_JSON_NUMBER) return SIO_OK;
        if (name.type != SIO_JSON_STRING || sio__is_reserved_event(name)) return SIO_ERR_PARSE;
        return SIO_OK;
    }
    default: /* ACK, BINARY_ACK */
        return (p->json.type == SIO_JSON_ARRAY && p->ack_id >= 0) ? SIO_OK : SIO_ERR_PARSE;
    }
}

SIO_API int sio_packet_write(sio_buf *b, int type, int attachments, const char *nsp,
                             size_t nsp_len, long long ack_id, const char *json, size_t json_len) {
    sio_buf_appendc(b, (char)('0' + type));
    if (attachments > 0) {
        sio_buf_appendu(b, (unsigned long long)attachments);
        sio_buf_appendc(b, '-');
    }
    if (nsp && nsp_len && !(nsp_len == 1 && nsp[0] == '/')) {
        sio_buf_append(b, nsp, nsp_len);
        sio_buf_appendc(b, ',');
    }
    if (ack_id >= 0) sio_buf_appendu(b, (unsigned long long)ack_id);
    if (json && json_len) sio_buf_append(b, json, json_len);
    return b->err;
}

SIO_API int sio_eio_payload_next(char *body, size_t len, size_t *pos, char **pkt, size_t *pkt_len, int *binary) {
    size_t i = *pos, j = i;
    /* plain split semantics, as JavaScript's split("\x1e"): "" is one
       empty packet, "a\x1e" is "a" then "" */
    if (i > len) return 0;
    while (j < len && body[j] != '\x1e') j++;
    *pos = j + 1;
    *binary = 0;
    *pkt = body + i;
    *pkt_len = j - i;
    if (j > i && body[i] == 'b') {
        size_t n = 0;
        /* base64 is longer than its bytes, so decoding in place is safe */
        if (sio_base64_decode(body + i + 1, j - i - 1, (unsigned char *)body + i, j - i, &n) != SIO_OK)
            return SIO_ERR_PARSE;
        *pkt_len = n;
        *binary = 1;
    }
    return 1;
}

/* ---- incoming arguments ---- */

SIO_API int sio_args_get(const sio_args *a, size_t i, sio_json *out) {
    if (!a || i >= a->count) return SIO_ERR_NOT_FOUND;
    return sio_json_at(a->array, a->first + i, out);
}

/* A placeholder is exactly {"_placeholder":true,"num":K}. */
SIO_API int sio_args_bin(const sio_args *a, sio_json v, sio_str *bytes) {
    sio_json ph, num;
    long long k;
    if (!a || v.type != SIO_JSON_OBJECT) return 0;
    if (sio_json_get(v, "_placeholder", &ph) != SIO_OK || ph.type != SIO_JSON_TRUE) return 0;
    if (sio_json_get(v, "num", &num) != SIO_OK || num.type != SIO_JSON_NUMBER) return 0;
    k = sio_json_integer(num);
    if (k < 0 || (size_t)k >= a->nbins) return 0;
    if (bytes) *bytes = a->bins[k];
    return 1;
}

SIO_API size_t sio_args_strcpy(const sio_args *a, size_t i, char *dst, size_t cap) {
    sio_json v;
    if (sio_args_get(a, i, &v) != SIO_OK) {
        if (cap) dst[0] = 0;
        return 0;
    }
    return sio_json_strcpy(v, dst, cap);
}

/* ---- outgoing arguments ---- */

SIO_API void sio_msg_init(sio_msg *m) {
    memset(m, 0, sizeof *m);
    sio_json_writer_init(&m->w, &m->buf);
    sio_json_arr_begin(&m->w);
}

SIO_API void sio_msg_bin(sio_msg *m, const void *data, size_t len) {
    if (m->nbins >= SIO_MAX_ATTACHMENTS) {
        m->err = SIO_ERR_TOO_BIG;
        return;
    }
    m->bins[m->nbins].ptr = (const char *)data;
    m->bins[m->nbins].len = len;
    sio_json_obj_begin(&m->w);
    sio_json_key(&m->w, "_placeholder");
    sio_json_bool(&m->w, 1);
    sio_json_key(&m->w, "num");
    sio_json_int(&m->w, m->nbins);
    sio_json_obj_end(&m->w);
    m->nbins++;
}

SIO_API int sio_msg_json(sio_msg *m, const char *json_array) {
    sio_json root;
    size_t n = json_array ? strlen(json_array) : 0;
    sio_buf_reset(&m->buf);
    m->nbins = 0;
    if (!n) json_array = "[]", n = 2;
    if (sio_json_parse(json_array, n, &root) != SIO_OK || root.type != SIO_JSON_ARRAY)
        return m->err = SIO_ERR_INVALID;
    /* leave the writer inside the array so more values may follow */
    sio_buf_append(&m->buf, json_array, n - 1);
    while (m->buf.len > 1 && (m->buf.data[m->buf.len - 1] == ' ' || m->buf.data[m->buf.len - 1] == '\t' ||
                              m->buf.data[m->buf.len - 1] == '\n' || m->buf.data[m->buf.len - 1] == '\r'))
        m->buf.len--;
    sio_json_writer_init(&m->w, &m->buf);
    m->w.depth = 1;
    m->w.first[1] = (unsigned char)(sio_json_count(root) == 0);
    return m->buf.err;
}

SIO_API int sio_msg_args(sio_msg *m, const sio_args *a) {
    size_t i;
    sio_json v;
    for (i = 0; i < a->count; i++) {
        if (sio_args_get(a, i, &v) != SIO_OK) return m->err = SIO_ERR_INVALID;
        sio_json_raw(&m->w, v.ptr, v.len);
    }
    /* Placeholders are copied verbatim, so the attachments keep their numbers. */
    for (i = 0; i < a->nbins && i < SIO_MAX_ATTACHMENTS; i++) m->bins[i] = a->bins[i];
    if ((int)a->nbins > m->nbins) m->nbins = (int)a->nbins;
    return m->err;
}

SIO_API void sio_msg_free(sio_msg *m) { sio_buf_free(&m->buf); }

/* Appends the finished array text of m (or "[]") to b without touching m,
   so one sio_msg can be emitted many times. */
static int sio__msg_append(sio_buf *b, const sio_msg *m) {
    if (!m) return sio_buf_append(b, "[]", 2);
    if (m->err) return m->err;
    if (m->w.err) return m->w.err;
    if (m->buf.err) return m->buf.err;
    sio_buf_append(b, m->buf.data, m->buf.len);
    return sio_buf_appendc(b, ']');
}

/* =====================================================================
   >>loop: sockets, timers and the poll() loop
   =====================================================================
   Every connection is a non-blocking socket in one array that becomes the
   pollfd array. Reads land in a scratch buffer shared by the whole loop and
   are handed to the protocol straight from there; only the unconsumed tail
   of a partial message is copied into the connection's own buffer. Writes
   are queued per connection and flushed once per loop turn, so an idle
   connection holds no buffers at all and a busy one gets one write() for
   all the packets a turn produced. A peer that stops reading is dropped
   once its queue passes max_output: the process never grows without bound.
   poll() is the default: portable, and cheap up to a few thousand
   connections. Its cost grows with every descriptor on every turn, so on
   Linux SIO_EPOLL switches to epoll, whose interest set is kept across
   turns and changed only when a connection's wants change. */

#ifndef SIO_READ_CHUNK
#define SIO_READ_CHUNK 65536          /* bytes read per read() call */
#endif
#ifndef SIO_HTTP_TIMEOUT_MS
#define SIO_HTTP_TIMEOUT_MS 30000     /* time to send a complete request (slowloris) */
#endif
#ifndef SIO_MAX_OUTPUT
#define SIO_MAX_OUTPUT (16u << 20)    /* unsent bytes per connection before dropping it */
#endif
#ifndef SIO_MAX_CONNECTIONS
#define SIO_MAX_CONNECTIONS 100000
#endif
#ifndef SIO_ACCEPT_BURST
#define SIO_ACCEPT_BURST 256          /* accepts per loop turn, so clients are not starved */
#endif

static uint64_t sio__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- timers: a binary min-heap of pointers to embedded timer structs ---- */

typedef struct sio__timer {
    uint64_t at;
    size_t slot;                       /* heap index + 1; 0 = not armed */
    void (*fn)(struct sio__timer *t);
} sio__timer;

typedef struct sio__timers {
    sio__timer **heap;
    size_t n, cap;
} sio__timers;

static void sio__heap_swap(sio__timers *h, size_t a, size_t b) {
    sio__timer *t = h->heap[a];
    h->heap[a] = h->heap[b];
    h->heap[b] = t;
    h->heap[a]->slot = a + 1;
    h->heap[b]->slot = b + 1;
}

static void sio__heap_fix(sio__timers *h, size_t i) {
    while (i > 0 && h->heap[(i - 1) / 2]->at > h->heap[i]->at) {
        sio__heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->heap[l]->at < h->heap[m]->at) m = l;
        if (r < h->n && h->heap[r]->at < h->heap[m]->at) m = r;
        if (m == i) break;
        sio__heap_swap(h, i, m);
        i = m;
    }
}

static void sio__timer_cancel(sio__timers *h, sio__timer *t) {
    size_t i;
    if (!t->slot) return;
    i = t->slot - 1;
    t->slot = 0;
    h->n--;
    if (i != h->n) {
        h->heap[i] = h->heap[h->n];
        h->heap[i]->slot = i + 1;
        sio__heap_fix(h, i);
    }
}

static int sio__timer_set(sio__timers *h, const sio_allocator *a, sio__timer *t, uint64_t at) {
    if (t->slot) {
        t->at = at;
        sio__heap_fix(h, t->slot - 1);
        return SIO_OK;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        sio__timer **p = (sio__timer **)sio__realloc(a, h->heap, cap * sizeof *p);
        if (!p) return SIO_ERR_NOMEM;
        h->heap = p;
        h->cap = cap;
    }
    t->at = at;
    h->heap[h->n] = t;
    t->slot = ++h->n;
    sio__heap_fix(h, h->n - 1);
    return SIO_OK;
}

/* ---- connections ---- */

enum {
    SIO__C_LISTEN = 1,   /* listening socket */
    SIO__C_HTTP,         /* server side, speaking HTTP */
    SIO__C_WS,           /* server side, speaking WebSocket */
    SIO__C_CLIENT        /* client side, protocol decided by its owner */
};

enum {
    SIO__F_CLOSING = 1,      /* close once the output is flushed */
    SIO__F_DEAD = 2,         /* closed; reaped at the end of the turn */
    SIO__F_CONNECTING = 4,   /* client connect() in progress */
    SIO__F_HELD = 8          /* a long-polling GET is held open on it */
};

typedef struct sio__loop sio__loop;
typedef struct sio__conn sio__conn;

/* What a connection's owner does with bytes and events. */
typedef struct sio__conn_ops {
    /* consume bytes; return how many were used (the rest is kept) or < 0 to drop */
    long (*on_data)(sio__conn *c, char *data, size_t len);
    void (*on_close)(sio__conn *c, int err);   /* once, before the memory goes */
    void (*on_connect)(sio__conn *c);          /* client: connect() finished */
} sio__conn_ops;

struct sio__conn {
    int fd;
    int kind;
    unsigned flags;
    size_t idx;                  /* position in loop->conns */
    sio_buf in;                  /* unconsumed input tail only */
    sio_buf out;                 /* unsent output */
    sio__timer timer;            /* request deadline (server HTTP) */
    const sio__conn_ops *ops;
    sio__loop *loop;
    void *owner;                 /* server, client, ... */
    void *session;               /* the Engine.IO session this conn carries */
    sio_ws_reader *ws;           /* WebSocket reader, allocated on upgrade */
    unsigned char poll_role;     /* 0, or the polling request role (GET/POST) */
    unsigned char keep_alive;
    unsigned char dirty;         /* queued in loop->dirty */
    unsigned ep_mask;            /* epoll: events registered now */
    int close_err;
    char *origin;                /* request Origin, kept only when CORS is on */
    void *tls;                   /* sio__tls engine when the connection is TLS */
    unsigned char tls_closing;   /* close_notify queued */
};

struct sio__loop {
    sio__conn **conns;
    size_t nconns, cap;
    sio__conn **dirty;           /* conns with output queued this turn */
    size_t ndirty, dirty_cap;
    struct pollfd *pfds;
    size_t pfd_cap;
    sio__timers timers;
    uint64_t now;
    char *scratch;
    const sio_allocator *alloc;
    const sio_logger *log;
    size_t max_output;
    int http_timeout_ms;
    int stop;
    sio__conn **dead;            /* conns closed this turn, reaped at its end */
    size_t ndead, dead_cap;
    int dead_scan;               /* the dead list overflowed: scan all conns */
#ifdef SIO__EPOLL
    int epfd;
    struct epoll_event *evs;
#endif
};

/* Only for sockets this library just made or accepted: they carry no
   other status flags, so no F_GETFL is needed (one syscall less a
   connection, which shows in the connect benchmark). */
static int sio__set_nonblock(int fd) {
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) return SIO_ERR_IO;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return SIO_OK;
}

static sio__conn *sio__conn_add(sio__loop *L, int fd, int kind, const sio__conn_ops *ops, void *owner) {
    sio__conn *c;
    if (L->nconns == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        sio__conn **p = (sio__conn **)sio__realloc(L->alloc, L->conns, cap * sizeof *p);
        if (!p) return NULL;
        L->conns = p;
        L->cap = cap;
    }
    c = (sio__conn *)sio__malloc(L->alloc, sizeof *c);
    if (!c) return NULL;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->kind = kind;
    c->ops = ops;
    c->owner = owner;
    c->loop = L;
    c->in.alloc = c->out.alloc = L->alloc;
#ifdef SIO__EPOLL
    {
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            sio__free(L->alloc, c);
            return NULL;
        }
        c->ep_mask = EPOLLIN;
    }
#endif
    c->idx = L->nconns;
    L->conns[L->nconns++] = c;
    return c;
}

/* Marks the connection dead; the memory goes at the end of the turn so
   that callers up the stack may still look at it. */
static void sio__conn_close(sio__conn *c, int err) {
    sio__loop *L = c->loop;
    if (c->flags & SIO__F_DEAD) return;
    c->flags |= SIO__F_DEAD;
    c->close_err = err;
    if (L->ndead == L->dead_cap) {
        size_t cap = L->dead_cap ? L->dead_cap * 2 : 64;
        sio__conn **p = (sio__conn **)sio__realloc(L->alloc, L->dead, cap * sizeof *p);
        if (p) {
            L->dead = p;
            L->dead_cap = cap;
        }
    }
    if (L->ndead < L->dead_cap) L->dead[L->ndead++] = c;
    else L->dead_scan = 1;
    sio__timer_cancel(&c->loop->timers, &c->timer);
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->ops && c->ops->on_close) c->ops->on_close(c, err);
}

static void sio__conn_mark_dirty(sio__conn *c) {
    sio__loop *L = c->loop;
    if (c->dirty) return;
    if (L->ndirty == L->dirty_cap) {
        size_t cap = L->dirty_cap ? L->dirty_cap * 2 : 64;
        sio__conn **p = (sio__conn **)sio__realloc(L->alloc, L->dirty, cap * sizeof *p);
        if (!p) return;  /* flushed anyway when poll reports it writable */
        L->dirty = p;
        L->dirty_cap = cap;
    }
    L->dirty[L->ndirty++] = c;
    c->dirty = 1;
}

/* Queues bytes; the write happens at the end of the loop turn. */
static int sio__conn_send(sio__conn *c, const void *data, size_t len) {
    if (c->flags & (SIO__F_DEAD | SIO__F_CLOSING)) return SIO_ERR_CLOSED;
    if (c->out.len + len > c->loop->max_output) {
        sio__log(c->loop->log, SIO_LOG_WARN, "fd %d: output queue over %lu bytes, dropping the slow peer",
                 c->fd, (unsigned long)c->loop->max_output);
        sio__conn_close(c, SIO_ERR_TOO_BIG);
        return SIO_ERR_TOO_BIG;
    }
    if (sio_buf_append(&c->out, data, len) != SIO_OK) {
        sio__conn_close(c, SIO_ERR_NOMEM);
        return SIO_ERR_NOMEM;
    }
    sio__conn_mark_dirty(c);
    return SIO_OK;
}

/* Reserve room in the output queue and get a pointer to write into. */
static char *sio__conn_reserve(sio__conn *c, size_t len) {
    if (c->flags & (SIO__F_DEAD | SIO__F_CLOSING)) return NULL;
    if (c->out.len + len > c->loop->max_output) {
        sio__log(c->loop->log, SIO_LOG_WARN, "fd %d: output queue full, dropping the slow peer", c->fd);
        sio__conn_close(c, SIO_ERR_TOO_BIG);
        return NULL;
    }
    if (sio_buf_reserve(&c->out, len) != SIO_OK) {
        sio__conn_close(c, SIO_ERR_NOMEM);
        return NULL;
    }
    sio__conn_mark_dirty(c);
    return c->out.data + c->out.len;
}

#ifdef SIO_TLS_BEARSSL
static void sio__conn_flush_tls(sio__conn *c);
#endif

static void sio__conn_flush(sio__conn *c) {
    size_t off = 0;
    if (c->flags & SIO__F_DEAD) return;
    if (c->flags & SIO__F_CONNECTING) return;
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        sio__conn_flush_tls(c);
        return;
    }
#endif
    while (off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + off, c->out.len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        sio__conn_close(c, SIO_ERR_IO);
        return;
    }
    sio_buf_consume(&c->out, off);
    if (c->out.len == 0) {
        sio_buf_free(&c->out);   /* idle connections keep no memory */
        if (c->flags & SIO__F_CLOSING) sio__conn_close(c, SIO_OK);
    }
}

/* Graceful close: stop reading, send what is queued, then close. */
static void sio__conn_end(sio__conn *c) {
    if (c->flags & SIO__F_DEAD) return;
    c->flags |= SIO__F_CLOSING;
    sio__conn_mark_dirty(c);
}

/* Hands bytes to the protocol; keeps the unconsumed tail. */
static void sio__conn_feed(sio__conn *c, char *data, size_t len, int from_own_buf) {
    long used = c->ops->on_data(c, data, len);
    if (c->flags & SIO__F_DEAD) return;
    if (used < 0) {
        sio__conn_close(c, (int)used);
        return;
    }
    if (from_own_buf) {
        sio_buf_consume(&c->in, (size_t)used);
        if (c->in.len == 0) sio_buf_free(&c->in);
    } else if ((size_t)used < len) {
        if (sio_buf_append(&c->in, data + used, len - (size_t)used) != SIO_OK)
            sio__conn_close(c, SIO_ERR_NOMEM);
    }
}

/* Plaintext in: straight from the caller's buffer when nothing is
   pending, else appended behind the unconsumed tail. */
static SIO__UNUSED void sio__conn_input(sio__conn *c, char *data, size_t n) {
    if (c->in.len == 0) {
        sio__conn_feed(c, data, n, 0);
        return;
    }
    if (sio_buf_append(&c->in, data, n) != SIO_OK) {
        sio__conn_close(c, SIO_ERR_NOMEM);
        return;
    }
    sio__conn_feed(c, c->in.data, c->in.len, 1);
}

#ifdef SIO_TLS_BEARSSL
/* TLS: ciphertext from the socket into the engine, one record at a
   time; plaintext out of it into the protocol. Handshake records the
   engine wants to answer are sent by the flush at the end of the turn. */
static void sio__conn_read_tls(sio__conn *c) {
    sio__tls *t = (sio__tls *)c->tls;
    int rounds;
    for (rounds = 0; rounds < 64 && !(c->flags & (SIO__F_DEAD | SIO__F_CLOSING)); rounds++) {
        unsigned char *room;
        size_t n, want;
        ssize_t r;
        while ((n = sio__tls_read(t, (unsigned char *)c->loop->scratch, SIO_READ_CHUNK)) > 0) {
            sio__conn_input(c, c->loop->scratch, n);
            if (c->flags & (SIO__F_DEAD | SIO__F_CLOSING)) return;
        }
        want = sio__tls_want_in(t, &room);
        if (!want) break;
        r = recv(c->fd, room, want, 0);
        if (r > 0) {
            sio__tls_got_in(t, (size_t)r);
        } else if (r == 0) {
            sio__conn_close(c, SIO_ERR_CLOSED);
            return;
        } else if (errno == EINTR) {
            continue;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK) sio__conn_close(c, SIO_ERR_IO);
            break;
        }
        if (sio__tls_state(t) < 0) break;
    }
    if (sio__tls_state(t) < 0 && !(c->flags & SIO__F_DEAD)) {
        sio__log(c->loop->log, SIO_LOG_INFO, "fd %d: TLS: %s", c->fd, sio__tls_error(t));
        sio__conn_flush(c);   /* an alert may be waiting */
        sio__conn_close(c, SIO_ERR_TLS);
        return;
    }
    sio__conn_mark_dirty(c);
}

/* TLS: plaintext from out into the engine (once the handshake is done),
   ciphertext from the engine to the socket. */
static void sio__conn_flush_tls(sio__conn *c) {
    sio__tls *t = (sio__tls *)c->tls;
    size_t off = 0;
    int progress = 1;
    while (progress && !(c->flags & SIO__F_DEAD)) {
        const unsigned char *p;
        size_t n;
        progress = 0;
        if (sio__tls_state(t) == 1 && off < c->out.len) {
            size_t w = sio__tls_write(t, (const unsigned char *)c->out.data + off, c->out.len - off);
            off += w;
            if (off == c->out.len) sio__tls_flush(t);
            if (w) progress = 1;
        }
        if (off == c->out.len && (c->flags & SIO__F_CLOSING) && !c->tls_closing) {
            c->tls_closing = 1;
            sio__tls_close(t);
        }
        while ((n = sio__tls_have_out(t, &p)) > 0) {
            ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
            if (w > 0) {
                sio__tls_sent_out(t, (size_t)w);
                progress = 1;
                continue;
            }
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                progress = 0;
                break;
            }
            sio__conn_close(c, SIO_ERR_IO);
            return;
        }
    }
    sio_buf_consume(&c->out, off);
    if (c->out.len == 0) {
        sio_buf_free(&c->out);
        const unsigned char *rest;
        if ((c->flags & SIO__F_CLOSING) && !sio__tls_have_out(t, &rest)) sio__conn_close(c, SIO_OK);
    }
}
#endif

/* Does the connection need POLLOUT? Plain: queued bytes. TLS: records the
   engine holds, or plaintext it can take now (not during the handshake,
   or poll would spin). */
static int sio__conn_wants_write(sio__conn *c) {
    if (c->flags & SIO__F_CONNECTING) return 1;
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        sio__tls *t = (sio__tls *)c->tls;
        const unsigned char *p;
        return sio__tls_have_out(t, &p) > 0 || (sio__tls_state(t) == 1 && c->out.len > 0);
    }
#endif
    return c->out.len > 0;
}

static void sio__conn_read(sio__conn *c) {
    int rounds;
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        sio__conn_read_tls(c);
        return;
    }
#endif
    for (rounds = 0; rounds < 4 && !(c->flags & (SIO__F_DEAD | SIO__F_CLOSING)); rounds++) {
        ssize_t r;
        if (c->in.len == 0) {
            r = recv(c->fd, c->loop->scratch, SIO_READ_CHUNK, 0);
            if (r > 0) sio__conn_feed(c, c->loop->scratch, (size_t)r, 0);
        } else {
            if (sio_buf_reserve(&c->in, SIO_READ_CHUNK) != SIO_OK) {
                sio__conn_close(c, SIO_ERR_NOMEM);
                return;
            }
            r = recv(c->fd, c->in.data + c->in.len, SIO_READ_CHUNK, 0);
            if (r > 0) {
                c->in.len += (size_t)r;
                sio__conn_feed(c, c->in.data, c->in.len, 1);
            }
        }
        if (r == 0) {
            sio__conn_close(c, SIO_ERR_CLOSED);
            return;
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) sio__conn_close(c, SIO_ERR_IO);
            return;
        }
        if ((size_t)r < SIO_READ_CHUNK) return;
    }
}

static void sio__conn_free(sio__loop *L, sio__conn *c) {
    L->conns[c->idx] = L->conns[--L->nconns];
    L->conns[c->idx]->idx = c->idx;
    sio_buf_free(&c->in);
    sio_buf_free(&c->out);
    sio__free(L->alloc, c->origin);
#ifdef SIO_TLS_BEARSSL
    if (c->tls) sio__tls_free((sio__tls *)c->tls);
#endif
    if (c->ws) {
        sio_ws_reader_free(c->ws);
        sio__free(L->alloc, c->ws);
    }
    sio__free(L->alloc, c);
}

/* Frees the connections closed this turn: the dead list, or a scan of
   every connection if the list could not grow. */
static void sio__loop_reap(sio__loop *L) {
    size_t i;
    for (i = 0; i < L->ndead; i++) sio__conn_free(L, L->dead[i]);
    L->ndead = 0;
    if (L->dead_scan) {
        L->dead_scan = 0;
        for (i = 0; i < L->nconns;) {
            if (L->conns[i]->flags & SIO__F_DEAD) sio__conn_free(L, L->conns[i]);
            else i++;
        }
    }
}

#ifdef SIO__EPOLL
/* Brings the registered events in line with what the connection wants. */
static void sio__ep_sync(sio__conn *c) {
    unsigned want;
    struct epoll_event ev;
    if (c->flags & SIO__F_DEAD) return;
    want = (c->flags & SIO__F_CLOSING ? 0u : (unsigned)EPOLLIN) | (sio__conn_wants_write(c) ? (unsigned)EPOLLOUT : 0u);
    if (want == c->ep_mask) return;
    memset(&ev, 0, sizeof ev);
    ev.events = want;
    ev.data.ptr = c;
    if (epoll_ctl(c->loop->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->ep_mask = want;
}
#endif

static void sio__loop_flush(sio__loop *L) {
    size_t i;
    for (i = 0; i < L->ndirty; i++) {
        sio__conn *c = L->dirty[i];
        c->dirty = 0;
        sio__conn_flush(c);
#ifdef SIO__EPOLL
        sio__ep_sync(c);
#endif
    }
    L->ndirty = 0;
}

static void sio__loop_run_timers(sio__loop *L) {
    int guard = 100000;
    L->now = sio__now_ms();
    while (L->timers.n && L->timers.heap[0]->at <= L->now && guard-- > 0) {
        sio__timer *t = L->timers.heap[0];
        sio__timer_cancel(&L->timers, t);
        t->fn(t);
    }
}

typedef void (*sio__accept_fn)(sio__conn *listener);

/* What one ready connection does: accept, finish a connect, read, write. */
static void sio__conn_ready(sio__conn *c, int readable, int writable, sio__accept_fn on_accept) {
    if (c->flags & SIO__F_DEAD) return;
    if (c->kind == SIO__C_LISTEN) {
        if (on_accept) on_accept(c);
        return;
    }
    if (c->flags & SIO__F_CONNECTING) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
            sio__conn_close(c, SIO_ERR_REFUSED);
            return;
        }
        c->flags &= ~(unsigned)SIO__F_CONNECTING;
        sio__conn_mark_dirty(c);
        if (c->ops->on_connect) c->ops->on_connect(c);
        if (c->flags & SIO__F_DEAD) return;
    }
    if (readable) sio__conn_read(c);
    if (writable && !(c->flags & SIO__F_DEAD)) {
        sio__conn_flush(c);
#ifdef SIO__EPOLL
        sio__ep_sync(c);
#endif
    }
}

static int sio__loop_timeout(sio__loop *L, int timeout_ms) {
    if (L->timers.n) {
        uint64_t now = sio__now_ms(), at = L->timers.heap[0]->at;
        int left = at <= now ? 0 : (at - now > 0x7fffffff ? 0x7fffffff : (int)(at - now));
        if (timeout_ms < 0 || left < timeout_ms) timeout_ms = left;
    }
    return L->stop ? 0 : timeout_ms;
}

static void sio__loop_end_turn(sio__loop *L) {
    sio__loop_run_timers(L);
    sio__loop_flush(L);
    sio__loop_reap(L);
}

#ifndef SIO__EPOLL
/* poll(): a turn is prepare (timers, flush, reap, fill L->pfds), poll(),
   process. */
static int sio__loop_prepare(sio__loop *L, int *timeout_ms) {
    size_t i, n;
    sio__loop_end_turn(L);
    if (L->pfd_cap < L->nconns) {
        size_t cap = L->nconns + 64;
        struct pollfd *p = (struct pollfd *)sio__realloc(L->alloc, L->pfds, cap * sizeof *p);
        if (!p) return SIO_ERR_NOMEM;
        L->pfds = p;
        L->pfd_cap = cap;
    }
    n = L->nconns;
    for (i = 0; i < n; i++) {
        sio__conn *c = L->conns[i];
        L->pfds[i].fd = c->fd;
        L->pfds[i].events = 0;
        L->pfds[i].revents = 0;
        if (!(c->flags & SIO__F_CLOSING)) L->pfds[i].events |= POLLIN;
        if (sio__conn_wants_write(c)) L->pfds[i].events |= POLLOUT;
    }
    *timeout_ms = sio__loop_timeout(L, *timeout_ms);
    return (int)n;
}

/* Handles the revents of the first n entries of L->pfds. Connections
   added during the turn sit past n and wait for the next one. */
static void sio__loop_process(sio__loop *L, size_t n, sio__accept_fn on_accept) {
    size_t i;
    L->now = sio__now_ms();
    for (i = 0; i < n && i < L->nconns; i++) {
        struct pollfd *p = &L->pfds[i];
        if (!p->revents) continue;
        /* a hang-up is also worth a flush: it fails and closes the
           connection, where a closing one would otherwise spin */
        sio__conn_ready(L->conns[i], (p->revents & (POLLIN | POLLHUP | POLLERR)) != 0,
                        (p->revents & (POLLOUT | POLLHUP | POLLERR)) != 0, on_accept);
    }
    sio__loop_end_turn(L);
}

static int sio__loop_poll(sio__loop *L, int timeout_ms, sio__accept_fn on_accept) {
    int n = sio__loop_prepare(L, &timeout_ms), rc;
    if (n < 0) return n;
    rc = poll(L->pfds, (nfds_t)n, timeout_ms);
    if (rc < 0) return errno == EINTR ? SIO_OK : SIO_ERR_IO;
    if (rc > 0 || L->timers.n) sio__loop_process(L, (size_t)n, on_accept);
    return SIO_OK;
}

/* The step API over a loop: the caller's pollfd array mirrors L->pfds. */
static int sio__loop_fds(sio__loop *L, struct pollfd *fds, int max, int *timeout_ms) {
    int n = sio__loop_prepare(L, timeout_ms);
    if (n < 0 || n > max) return n;
    memcpy(fds, L->pfds, (size_t)n * sizeof *fds);
    return n;
}

static int sio__loop_process_fds(sio__loop *L, const struct pollfd *fds, int n, sio__accept_fn on_accept) {
    int i;
    if (n < 0 || (size_t)n > L->pfd_cap) return SIO_ERR_INVALID;
    for (i = 0; i < n; i++) L->pfds[i].revents = fds[i].revents;
    sio__loop_process(L, (size_t)n, on_accept);
    return SIO_OK;
}
#else
#ifndef SIO_EPOLL_EVENTS
#define SIO_EPOLL_EVENTS 1024         /* events taken per epoll_wait() */
#endif
/* epoll: only ready connections cost anything in a turn. */
static void sio__loop_process_ep(sio__loop *L, int n, sio__accept_fn on_accept) {
    int i;
    L->now = sio__now_ms();
    for (i = 0; i < n; i++) {
        unsigned ev = L->evs[i].events;
        sio__conn_ready((sio__conn *)L->evs[i].data.ptr, (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0,
                        (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0, on_accept);
    }
    sio__loop_end_turn(L);
}

static int sio__loop_poll(sio__loop *L, int timeout_ms, sio__accept_fn on_accept) {
    int n;
    sio__loop_end_turn(L);
    n = epoll_wait(L->epfd, L->evs, SIO_EPOLL_EVENTS, sio__loop_timeout(L, timeout_ms));
    if (n < 0) return errno == EINTR ? SIO_OK : SIO_ERR_IO;
    sio__loop_process_ep(L, n, on_accept);
    return SIO_OK;
}

/* The step API: the whole loop is one descriptor, the epoll set. */
static int sio__loop_fds(sio__loop *L, struct pollfd *fds, int max, int *timeout_ms) {
    sio__loop_end_turn(L);
    if (max < 1) return 1;
    fds[0].fd = L->epfd;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    *timeout_ms = sio__loop_timeout(L, *timeout_ms);
    return 1;
}

static int sio__loop_process_fds(sio__loop *L, const struct pollfd *fds, int n, sio__accept_fn on_accept) {
    int k = 0;
    if (n < 0 || n > 1) return SIO_ERR_INVALID;
    if (n == 1 && fds[0].revents) k = epoll_wait(L->epfd, L->evs, SIO_EPOLL_EVENTS, 0);
    sio__loop_process_ep(L, k < 0 ? 0 : k, on_accept);
    return SIO_OK;
}
#endif

static int sio__loop_init(sio__loop *L, const sio_allocator *a, const sio_logger *log, size_t max_output) {
    memset(L, 0, sizeof *L);
    L->alloc = a;
    L->log = log;
    L->max_output = max_output ? max_output : SIO_MAX_OUTPUT;
    L->scratch = (char *)sio__malloc(a, SIO_READ_CHUNK + 16);
    L->now = sio__now_ms();
#ifdef SIO__EPOLL
    L->epfd = epoll_create1(EPOLL_CLOEXEC);
    L->evs = (struct epoll_event *)sio__malloc(a, SIO_EPOLL_EVENTS * sizeof *L->evs);
    if (L->epfd < 0 || !L->evs) return SIO_ERR_IO;
#endif
    return L->scratch ? SIO_OK : SIO_ERR_NOMEM;
}

static void sio__loop_free(sio__loop *L) {
    size_t i;
    for (i = 0; i < L->nconns; i++) sio__conn_close(L->conns[i], SIO_ERR_CLOSED);
    sio__loop_reap(L);
    sio__free(L->alloc, L->conns);
    sio__free(L->alloc, L->dirty);
    sio__free(L->alloc, L->dead);
    sio__free(L->alloc, L->pfds);
#ifdef SIO__EPOLL
    if (L->epfd >= 0) close(L->epfd);
    sio__free(L->alloc, L->evs);
#endif
    sio__free(L->alloc, L->timers.heap);
    sio__free(L->alloc, L->scratch);
    memset(L, 0, sizeof *L);
}

/* Listening socket on host:port (numeric host or name), IPv4 or IPv6. */
static int sio__listen(const char *host, int port, int *out_fd, int *out_port) {
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[16];
    int fd = -1, one = 1, rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof portstr, "%d", port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) return SIO_ERR_RESOLVE;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6) {
            int off = 0;  /* "::" should take IPv4 too, as Node does */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return SIO_ERR_IO;
    if (sio__set_nonblock(fd) != SIO_OK) {
        close(fd);
        return SIO_ERR_IO;
    }
    if (out_port) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        *out_port = port;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
            if (ss.ss_family == AF_INET) *out_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
            else if (ss.ss_family == AF_INET6) *out_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        }
    }
    *out_fd = fd;
    return SIO_OK;
}

/* ---- randomness for ids: the kernel's, read in blocks ---- */

typedef struct sio__rng {
    int fd;
    unsigned char pool[256];
    size_t left;
    uint64_t fallback;
} sio__rng;

static void sio__rng_init(sio__rng *r) {
    memset(r, 0, sizeof *r);
    r->fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    r->fallback = sio__now_ms() ^ ((uint64_t)(uintptr_t)r << 16) ^ (uint64_t)getpid();
}

static void sio__rng_bytes(sio__rng *r, unsigned char *out, size_t n) {
    while (n) {
        size_t k;
        if (!r->left) {
            ssize_t got = r->fd >= 0 ? read(r->fd, r->pool, sizeof r->pool) : -1;
            if (got == (ssize_t)sizeof r->pool) {
                r->left = sizeof r->pool;
            } else {
                size_t i;  /* no /dev/urandom: xorshift, good enough to be unique */
                for (i = 0; i < sizeof r->pool; i++) {
                    r->fallback ^= r->fallback << 13;
                    r->fallback ^= r->fallback >> 7;
                    r->fallback ^= r->fallback << 17;
                    r->pool[i] = (unsigned char)(r->fallback >> 24);
                }
                r->left = sizeof r->pool;
            }
        }
        k = n < r->left ? n : r->left;
        memcpy(out, r->pool + sizeof r->pool - r->left, k);
        memset(r->pool + sizeof r->pool - r->left, 0, k);
        r->left -= k;
        out += k;
        n -= k;
    }
}

/* 20 characters of URL-safe base64 from 15 random bytes, as Node's ids. */
static void sio__rng_id(sio__rng *r, char out[21]) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char b[15];
    size_t i, j = 0;
    sio__rng_bytes(r, b, sizeof b);
    for (i = 0; i < 15; i += 3) {
        unsigned v = ((unsigned)b[i] << 16) | ((unsigned)b[i + 1] << 8) | b[i + 2];
        out[j++] = abc[(v >> 18) & 63];
        out[j++] = abc[(v >> 12) & 63];
        out[j++] = abc[(v >> 6) & 63];
        out[j++] = abc[v & 63];
    }
    out[20] = 0;
}

/* ---- a small string-keyed hash map (sids, rooms) ---- */

typedef struct sio__map_ent {
    const char *key;            /* owned by the value */
    void *val;
} sio__map_ent;

typedef struct sio__map {
    sio__map_ent *e;
    size_t cap, n, tomb;        /* cap is a power of two */
} sio__map;

static uint64_t sio__hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static const char sio__tombstone[1] = {0};

static void **sio__map_find(sio__map *m, const char *key, size_t n) {
    size_t i, mask;
    if (!m->cap) return NULL;
    mask = m->cap - 1;
    for (i = (size_t)sio__hash(key, n) & mask;; i = (i + 1) & mask) {
        sio__map_ent *e = &m->e[i];
        if (!e->key) return NULL;
        if (e->key != sio__tombstone && strlen(e->key) == n && memcmp(e->key, key, n) == 0) return &e->val;
    }
}

static int sio__map_put(sio__map *m, const sio_allocator *a, const char *key, void *val) {
    size_t i, mask, klen = strlen(key);
    if ((m->n + m->tomb + 1) * 4 >= m->cap * 3) {
        sio__map old = *m;
        size_t cap = m->cap ? (m->n * 4 >= m->cap ? m->cap * 2 : m->cap) : 16, j;
        m->e = (sio__map_ent *)sio__malloc(a, cap * sizeof *m->e);
        if (!m->e) {
            *m = old;
            return SIO_ERR_NOMEM;
        }
        memset(m->e, 0, cap * sizeof *m->e);
        m->cap = cap;
        m->n = m->tomb = 0;
        for (j = 0; j < old.cap; j++)
            if (old.e[j].key && old.e[j].key != sio__tombstone) sio__map_put(m, a, old.e[j].key, old.e[j].val);
        sio__free(a, old.e);
    }
    mask = m->cap - 1;
    for (i = (size_t)sio__hash(key, klen) & mask;; i = (i + 1) & mask) {
        sio__map_ent *e = &m->e[i];
        if (!e->key || e->key == sio__tombstone) {
            if (e->key == sio__tombstone) m->tomb--;
            e->key = key;
            e->val = val;
            m->n++;
            return SIO_OK;
        }
    }
}

static void sio__map_del(sio__map *m, const char *key) {
    void **v = sio__map_find(m, key, strlen(key));
    sio__map_ent *e;
    if (!v) return;
    e = (sio__map_ent *)(void *)((char *)v - offsetof(sio__map_ent, val));
    e->key = sio__tombstone;
    e->val = NULL;
    m->n--;
    m->tomb++;
}

/* =====================================================================
   >>eio: Engine.IO v4 server sessions
   =====================================================================
   A session (sid) outlives the HTTP requests that carry it. On polling,
   the client's GET is held until there is something to send; the queue of
   packets waiting for that GET is kept already encoded as a polling
   payload ("4hello\x1ebAQID"). On WebSocket every packet is one frame.
   The upgrade runs a probe WebSocket beside the polling transport:
       client  -> ws "2probe"     server -> ws "3probe"; held GET gets "6"
       client  -> ws "5"          the session now writes to the WebSocket
   Heartbeats are driven by the server: "2" every pingInterval, and a pong
   ("3") must come back within pingTimeout. */

enum { SIO__T_POLLING = 1, SIO__T_WEBSOCKET = 2 };
enum { SIO__EP_SOCKETIO = 0, SIO__EP_ENGINE = 1 };
enum { SIO__ROLE_GET = 1, SIO__ROLE_POST = 2 };

typedef struct sio__pending_ack sio__pending_ack;

/* A BINARY_EVENT/ACK header waiting for its attachments; allocated only
   while one is in flight, so idle connections do not carry it. */
typedef struct sio__binpend {
    sio_buf head;                /* the packet text */
    sio_buf data;                /* the attachments, concatenated */
    size_t off[SIO_MAX_ATTACHMENTS + 1];
    int need, have;
} sio__binpend;

struct sio_engine_conn {
    sio_server *srv;
    char sid[21];
    int endpoint;                /* SIO__EP_* */
    int transport;               /* SIO__T_* */
    int closed;
    int upgrading;               /* probe answered, waiting for "5" */
    sio__conn *ws;               /* WebSocket transport */
    sio__conn *probe;            /* WebSocket being upgraded to */
    sio__conn *get;              /* held polling GET */
    sio_buf pq;                  /* polling payload waiting for a GET */
    sio__timer ping_timer;
    sio__timer upgrade_timer;
    sio__timer connect_timer;    /* Socket.IO: a namespace must be joined */
    int awaiting_pong;
    /* Socket.IO state of this connection */
    sio_socket *sockets;         /* one per joined namespace */
    int joined_ever;
    struct sio__binpend *bin;    /* a binary packet waiting for its attachments */
    struct sio_engine_conn *next_dead;
    void *user;
};

typedef struct sio__room {
    char *name;
    sio_socket **members;
    size_t n, cap;
} sio__room;

struct sio_socket {
    char id[21];
    sio_namespace *nsp;
    sio_engine_conn *eio;
    sio_socket *next_in_conn;
    sio_socket *prev_in_nsp, *next_in_nsp;
    char *auth;                  /* CONNECT payload text; NULL when none ({}) */
    size_t auth_len;
    sio__room **rooms;           /* rooms joined, own id room included */
    size_t nrooms, rooms_cap;
    sio__pending_ack *acks;
    long long next_ack;
    uint64_t mark_sent, mark_skip;  /* broadcast de-duplication */
    int connected;
    void *data;
    sio_socket *next_dead;
};

struct sio__pending_ack {
    long long id;
    sio_socket *socket;
    sio_ack_fn fn;
    void *user;
    sio__timer timer;
    sio__pending_ack *next;
};

typedef struct sio__handler {
    char *event;                 /* "*" = any */
    sio_event_fn fn;
    void *user;
    struct sio__handler *next;
} sio__handler;

typedef struct sio__mw {
    sio_middleware_fn fn;
    void *user;
    struct sio__mw *next;
} sio__mw;

struct sio_namespace {
    char *name;
    sio_server *srv;
    sio_socket_fn on_connection;
    void *connection_user;
    sio_disconnect_fn on_disconnect;
    void *disconnect_user;
    sio__handler *handlers;
    sio__mw *mws;
    sio_socket *sockets;         /* connected sockets */
    size_t count;
    sio__map rooms;
    sio__map ids;                /* socket id -> socket: each socket's own room, implicit */
    sio_namespace *next;
};

struct sio_server {
    sio__loop loop;
    sio_server_desc desc;        /* with defaults filled in */
    sio_logger logger;
    sio_allocator allocator;
    int port;
    int listen_fd;
    sio__map sessions;           /* sid -> sio_engine_conn */
    size_t nsessions;
    sio_namespace *nsps;
    sio__rng rng;
    uint64_t bcast_gen;
    sio_engine_conn *dead_sessions;
    sio_socket *dead_sockets;
    void *tls_ctx;               /* sio__tls_ctx: certificates and key, shared */
    char *client_js;             /* loaded from desc.client_js_file */
    size_t client_js_len;
    char client_js_etag[40];
    sio_buf tmp;                 /* scratch for encoding */
    sio_buf tmp2;
    int nconns;
};

#define SIO__LOG(srv, lvl, ...) sio__log(&(srv)->logger, lvl, __VA_ARGS__)

static void sio__sio_on_open(sio_engine_conn *e);
static void sio__sio_on_message(sio_engine_conn *e, char *data, size_t len, int binary);
static void sio__sio_on_close(sio_engine_conn *e, const char *reason);
static long sio__http_on_data(sio__conn *c, char *data, size_t len);
static long sio__ws_on_data(sio__conn *c, char *data, size_t len);
static void sio__srv_conn_closed(sio__conn *c, int err);

static const sio__conn_ops sio__http_ops = {sio__http_on_data, sio__srv_conn_closed, NULL};
static const sio__conn_ops sio__ws_ops = {sio__ws_on_data, sio__srv_conn_closed, NULL};

/* ---- writing HTTP answers ---- */

/* Adds the CORS headers configured for the server to an answer. */
static void sio__cors_headers(sio_server *srv, sio_buf *h, const char *origin) {
    const char *allow = srv->desc.cors_origin;
    if (!allow) return;
    if (strcmp(allow, "*") == 0 && !srv->desc.cors_credentials) {
        sio_buf_appends(h, "Access-Control-Allow-Origin: *\r\n");
        return;
    }
    if (origin && *origin) {
        /* allow-list: exact, comma-separated */
        size_t ol = strlen(origin);
        const char *p = allow;
        int ok = strcmp(allow, "*") == 0;
        while (!ok && *p) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n && *p == ' ') p++, n--;
            while (n && p[n - 1] == ' ') n--;
            if (n == ol && memcmp(p, origin, n) == 0) ok = 1;
            p = e ? e + 1 : p + strlen(p);
        }
        if (ok) {
            sio_buf_appends(h, "Access-Control-Allow-Origin: ");
            sio_buf_appends(h, origin);
            sio_buf_appends(h, "\r\nVary: Origin\r\n");
            if (srv->desc.cors_credentials) sio_buf_appends(h, "Access-Control-Allow-Credentials: true\r\n");
        }
    }
}

/* A sio_buf over caller memory that never grows: for small headers built
   on the stack, so an answer written from deep inside a close path never
   touches the server's shared scratch buffers. */
static void sio__stackbuf(sio_buf *b, char *mem, size_t n) {
    memset(b, 0, sizeof *b);
    b->data = mem;
    b->cap = b->max = n;
}

/* Writes a complete HTTP answer on a server connection. */
static void sio__http_answer(sio__conn *c, int status, const char *ctype, const void *body, size_t len,
                             const char *extra) {
    sio_server *srv = (sio_server *)c->owner;
    char xmem[2048], hmem[3072];
    sio_buf x, h;
    sio__stackbuf(&x, xmem, sizeof xmem);
    sio__stackbuf(&h, hmem, sizeof hmem);
    if (extra) sio_buf_appends(&x, extra);
    if (c->poll_role || status == 204) sio__cors_headers(srv, &x, c->origin);
    if (!c->keep_alive) sio_buf_appends(&x, "Connection: close\r\n");
    sio_buf_appendc(&x, 0);
    sio_http_write_head(&h, status, ctype, (long long)len, x.err ? NULL : x.data);
    if (x.err || h.err) {
        SIO__LOG(srv, SIO_LOG_ERROR, "fd %d: answer headers too long", c->fd);
        sio__conn_close(c, SIO_ERR_TOO_BIG);
        return;
    }
    sio__conn_send(c, h.data, h.len);
    if (len) sio__conn_send(c, body, len);
    c->poll_role = 0;
    if (!c->keep_alive) sio__conn_end(c);
}

/* Server frames are never masked; close and pong are built on the stack. */
static void sio__ws_send_frame(sio__conn *c, int opcode, const void *data, size_t len) {
    unsigned char hdr[14];
    size_t hl = sio_ws_write_header(hdr, 1, opcode, (uint64_t)len, NULL);
    sio__conn_send(c, hdr, hl);
    if (len) sio__conn_send(c, data, len);
}

static void sio__ws_send_close(sio__conn *c, int code) {
    unsigned char b[2];
    b[0] = (unsigned char)(code >> 8);
    b[1] = (unsigned char)(code & 255);
    sio__ws_send_frame(c, SIO_WS_OP_CLOSE, b, code ? 2 : 0);
}

/* Node's Engine.IO error answer: status 400 (403 for code 4), JSON body.
   A refused WebSocket upgrade gets the bare message as text instead, and
   the connection is closed, as Node's abortUpgrade() does. */
static void sio__eio_error(sio__conn *c, int code, int upgrade) {
    static const char *const msgs[] = {"Transport unknown", "Session ID unknown", "Bad handshake method",
                                       "Bad request", "Forbidden", "Unsupported protocol version"};
    char body[96];
    int n;
    if (upgrade) {
        c->keep_alive = 0;
        sio__http_answer(c, code == 4 ? 403 : 400, "text/html", msgs[code], strlen(msgs[code]), NULL);
        return;
    }
    n = snprintf(body, sizeof body, "{\"code\":%d,\"message\":\"%s\"}", code, msgs[code]);
    c->poll_role = 1;  /* CORS headers apply to errors too */
    sio__http_answer(c, code == 4 ? 403 : 400, "application/json", body, (size_t)n, NULL);
}

/* ---- sessions ---- */

static sio_engine_conn *sio__eio_lookup(sio_server *srv, sio_str sid) {
    void **v = sio__map_find(&srv->sessions, sid.ptr, sid.len);
    return v ? (sio_engine_conn *)*v : NULL;
}

/* Writes one packet as a WebSocket frame: type digit + text, or raw bytes. */
static void sio__ws_send_packet(sio__conn *c, int type, const void *data, size_t len, int binary) {
    unsigned char hdr[14];
    size_t total = binary ? len : len + 1, hl = sio_ws_write_header(hdr, 1, binary ? SIO_WS_OP_BINARY : SIO_WS_OP_TEXT,
                                                                     (uint64_t)total, NULL);
    char *p = sio__conn_reserve(c, hl + total);
    if (!p) return;
    memcpy(p, hdr, hl);
    p += hl;
    if (!binary) *p++ = (char)('0' + type);
    if (len) memcpy(p, data, len);
    c->out.len += hl + total;
}

static void sio__eio_close(sio_engine_conn *e, const char *reason, int tell_client);

static void sio__binpend_free(sio_server *srv, sio_engine_conn *e) {
    if (!e->bin) return;
    sio_buf_free(&e->bin->head);
    sio_buf_free(&e->bin->data);
    sio__free(srv->loop.alloc, e->bin);
    e->bin = NULL;
}

/* Answers the held GET with everything queued. */
static void sio__eio_flush_poll(sio_engine_conn *e) {
    sio__conn *c = e->get;
    if (!c || !e->pq.len) return;
    e->get = NULL;
    c->session = NULL;
    c->flags &= ~(unsigned)SIO__F_HELD;
    c->poll_role = SIO__ROLE_GET;
    sio__http_answer(c, 200, "text/plain; charset=UTF-8", e->pq.data, e->pq.len, "Cache-Control: no-store\r\n");
    sio_buf_free(&e->pq);
    /* the connection may carry the next request now */
    sio__timer_set(&c->loop->timers, c->loop->alloc, &c->timer, c->loop->now + (uint64_t)c->loop->http_timeout_ms);
}

/* Queues one packet for the session's current transport. */
static void sio__eio_send(sio_engine_conn *e, int type, const void *data, size_t len, int binary) {
    if (e->closed) return;
    if (e->transport == SIO__T_WEBSOCKET && e->ws) {
        sio__ws_send_packet(e->ws, type, data, len, binary);
        return;
    }
    if (e->pq.len) sio_buf_appendc(&e->pq, '\x1e');
    if (binary) {
        sio_buf_appendc(&e->pq, 'b');
        sio_base64_buf(&e->pq, data, len);
    } else {
        sio_buf_appendc(&e->pq, (char)('0' + type));
        sio_buf_append(&e->pq, data, len);
    }
    if (e->pq.err || e->pq.len > e->srv->loop.max_output) {
        SIO__LOG(e->srv, SIO_LOG_WARN, "session %s: polling queue over its limit, closing", e->sid);
        sio_buf_free(&e->pq);
        sio__eio_close(e, "transport error", 0);
        return;
    }
    if (!e->upgrading) sio__eio_flush_poll(e);
}

static void sio__eio_ping_due(sio__timer *t);

static void sio__eio_schedule_ping(sio_engine_conn *e) {
    sio__loop *L = &e->srv->loop;
    e->awaiting_pong = 0;
    sio__timer_set(&L->timers, L->alloc, &e->ping_timer, L->now + (uint64_t)e->srv->desc.ping_interval_ms);
}

static void sio__eio_ping_due(sio__timer *t) {
    sio_engine_conn *e = (sio_engine_conn *)(void *)((char *)t - offsetof(sio_engine_conn, ping_timer));
    sio__loop *L = &e->srv->loop;
    if (e->awaiting_pong) {
        sio__eio_close(e, "ping timeout", 1);
        return;
    }
    e->awaiting_pong = 1;
    sio__eio_send(e, SIO_EIO_PING, NULL, 0, 0);
    sio__timer_set(&L->timers, L->alloc, &e->ping_timer, L->now + (uint64_t)e->srv->desc.ping_timeout_ms);
}

static void sio__eio_upgrade_due(sio__timer *t) {
    sio_engine_conn *e = (sio_engine_conn *)(void *)((char *)t - offsetof(sio_engine_conn, upgrade_timer));
    if (e->probe) {
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: upgrade timed out", e->sid);
        sio__conn_close(e->probe, SIO_ERR_TIMEOUT);
    }
}

static void sio__eio_connect_due(sio__timer *t) {
    sio_engine_conn *e = (sio_engine_conn *)(void *)((char *)t - offsetof(sio_engine_conn, connect_timer));
    if (!e->joined_ever) {
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: no namespace joined within connect timeout", e->sid);
        sio__eio_close(e, "forced close", 1);
    }
}

static sio_engine_conn *sio__eio_create(sio_server *srv, int endpoint, int transport) {
    sio_engine_conn *e = (sio_engine_conn *)sio__malloc(srv->loop.alloc, sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->srv = srv;
    e->endpoint = endpoint;
    e->transport = transport;
    e->pq.alloc = srv->loop.alloc;
    e->ping_timer.fn = sio__eio_ping_due;
    e->upgrade_timer.fn = sio__eio_upgrade_due;
    e->connect_timer.fn = sio__eio_connect_due;
    do sio__rng_id(&srv->rng, e->sid);
    while (sio__map_find(&srv->sessions, e->sid, 20));
    if (sio__map_put(&srv->sessions, srv->loop.alloc, e->sid, e) != SIO_OK) {
        sio__free(srv->loop.alloc, e);
        return NULL;
    }
    srv->nsessions++;
    return e;
}

/* The open packet: exactly the five keys Node sends. */
static void sio__eio_open(sio_engine_conn *e) {
    char json[200];
    int n = snprintf(json, sizeof json,
                     "{\"sid\":\"%s\",\"upgrades\":%s,\"pingInterval\":%d,\"pingTimeout\":%d,\"maxPayload\":%ld}",
                     e->sid, e->transport == SIO__T_POLLING ? "[\"websocket\"]" : "[]",
                     e->srv->desc.ping_interval_ms, e->srv->desc.ping_timeout_ms, e->srv->desc.max_payload);
    sio__eio_send(e, SIO_EIO_OPEN, json, (size_t)n, 0);
    sio__eio_schedule_ping(e);
    if (e->endpoint == SIO__EP_SOCKETIO) {
        sio__sio_on_open(e);
    } else if (e->srv->desc.engine.on_open) {
        e->srv->desc.engine.on_open(e, e->srv->desc.engine.user);
    }
}

/* Ends a session. tell_client: send "1" to a held GET (server-initiated
   close on polling); a WebSocket is simply closed, as Node does. */
static void sio__eio_close(sio_engine_conn *e, const char *reason, int tell_client) {
    sio_server *srv = e->srv;
    sio__loop *L = &srv->loop;
    if (e->closed) return;
    e->closed = 1;
    SIO__LOG(srv, SIO_LOG_DEBUG, "session %s closed: %s", e->sid, reason);
    sio__timer_cancel(&L->timers, &e->ping_timer);
    sio__timer_cancel(&L->timers, &e->upgrade_timer);
    sio__timer_cancel(&L->timers, &e->connect_timer);
    sio__map_del(&srv->sessions, e->sid);
    srv->nsessions--;
    if (e->endpoint == SIO__EP_SOCKETIO) sio__sio_on_close(e, reason);
    else if (srv->desc.engine.on_close) srv->desc.engine.on_close(e, reason, srv->desc.engine.user);
    if (e->get) {
        sio__conn *c = e->get;
        e->get = NULL;
        c->session = NULL;
        c->flags &= ~(unsigned)SIO__F_HELD;
        c->poll_role = SIO__ROLE_GET;
        sio__http_answer(c, 200, "text/plain; charset=UTF-8", tell_client ? "1" : "6", 1,
                         "Cache-Control: no-store\r\n");
    }
    if (e->ws) {
        sio__ws_send_close(e->ws, 0);
        e->ws->session = NULL;
        sio__conn_end(e->ws);
        e->ws = NULL;
    }
    if (e->probe) {
        e->probe->session = NULL;
        sio__conn_close(e->probe, SIO_ERR_CLOSED);
        e->probe = NULL;
    }
    sio_buf_free(&e->pq);
    sio__binpend_free(srv, e);
    e->next_dead = srv->dead_sessions;
    srv->dead_sessions = e;
}

/* One decoded Engine.IO packet from the client, whatever the transport. */
static void sio__eio_packet(sio_engine_conn *e, char *data, size_t len, int binary) {
    if (e->closed) return;
    if (binary) {
        if (e->endpoint == SIO__EP_SOCKETIO) sio__sio_on_message(e, data, len, 1);
        else if (e->srv->desc.engine.on_message)
            e->srv->desc.engine.on_message(e, data, len, 1, e->srv->desc.engine.user);
        return;
    }
    if (len == 0) {
        sio__eio_close(e, "parse error", 1);
        return;
    }
    switch (data[0]) {
    case '3': /* pong */
        if (e->awaiting_pong) sio__eio_schedule_ping(e);
        break;
    case '4':
        if (e->endpoint == SIO__EP_SOCKETIO) sio__sio_on_message(e, data + 1, len - 1, 0);
        else if (e->srv->desc.engine.on_message)
            e->srv->desc.engine.on_message(e, data + 1, len - 1, 0, e->srv->desc.engine.user);
        break;
    case '1':
        sio__eio_close(e, "transport close", 0);
        break;
    case '6':
        break;
    default:
        /* "2" from a v4 client is the wrong heartbeat direction; "0" and "5"
           are not the client's to send on an open transport. */
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: unexpected packet '%c', closing", e->sid, data[0]);
        sio__eio_close(e, "parse error", 1);
        break;
    }
}

/* A polling POST body: packets joined by \x1e, binary as "b<base64>". */
static void sio__eio_post(sio_engine_conn *e, char *body, size_t len) {
    size_t pos = 0, n;
    char *pkt;
    int bin, rc, count = 0;
    while (!e->closed && (rc = sio_eio_payload_next(body, len, &pos, &pkt, &n, &bin)) != 0) {
        if (rc < 0) {
            SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: bad base64 in a polling payload, closing", e->sid);
            sio__eio_close(e, "parse error", 1);
            return;
        }
        if (++count > e->srv->desc.max_packets_per_payload) {
            SIO__LOG(e->srv, SIO_LOG_WARN, "session %s: more than %d packets in one payload, closing", e->sid,
                     e->srv->desc.max_packets_per_payload);
            sio__eio_close(e, "parse error", 1);
            return;
        }
        sio__eio_packet(e, pkt, n, bin);
    }
}

/* After "5": the WebSocket becomes the transport and the polling queue
   is replayed on it, in order. */
static void sio__eio_finish_upgrade(sio_engine_conn *e) {
    sio__conn *ws = e->probe;
    size_t pos = 0, n;
    char *pkt;
    int bin;
    e->probe = NULL;
    e->upgrading = 0;
    e->transport = SIO__T_WEBSOCKET;
    e->ws = ws;
    sio__timer_cancel(&e->srv->loop.timers, &e->upgrade_timer);
    if (e->get) {
        sio__conn *c = e->get;
        e->get = NULL;
        c->flags &= ~(unsigned)SIO__F_HELD;
        c->session = NULL;
        c->poll_role = SIO__ROLE_GET;
        sio__http_answer(c, 200, "text/plain; charset=UTF-8", "6", 1, "Cache-Control: no-store\r\n");
    }
    while (e->pq.len && sio_eio_payload_next(e->pq.data, e->pq.len, &pos, &pkt, &n, &bin) > 0) {
        if (bin) sio__ws_send_packet(ws, SIO_EIO_MESSAGE, pkt, n, 1);
        else if (n) sio__ws_send_packet(ws, pkt[0] - '0', pkt + 1, n - 1, 0);
    }
    sio_buf_free(&e->pq);
}

/* A WebSocket message on a session's transport or probe. */
static void sio__eio_ws_message(sio__conn *c, char *data, size_t len, int binary) {
    sio_engine_conn *e = (sio_engine_conn *)c->session;
    if (!e || e->closed) return;
    if (c == e->probe) {
        if (!binary && len == 6 && memcmp(data, "2probe", 6) == 0) {
            sio__ws_send_packet(c, SIO_EIO_PONG, "probe", 5, 0);
            e->upgrading = 1;
            /* release the held GET so the client stops polling */
            if (e->get && !e->pq.len) {
                sio__conn *g = e->get;
                e->get = NULL;
                g->session = NULL;
                g->flags &= ~(unsigned)SIO__F_HELD;
                g->poll_role = SIO__ROLE_GET;
                sio__http_answer(g, 200, "text/plain; charset=UTF-8", "6", 1, "Cache-Control: no-store\r\n");
            }
        } else if (!binary && len == 1 && data[0] == '5' && e->upgrading) {
            sio__eio_finish_upgrade(e);
        } else {
            SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: bad packet during upgrade, dropping the probe", e->sid);
            e->probe = NULL;
            e->upgrading = 0;
            c->session = NULL;
            sio__conn_close(c, SIO_ERR_PROTOCOL);
            sio__eio_flush_poll(e);
        }
        return;
    }
    if (c != e->ws) return;
    sio__eio_packet(e, data, len, binary);
}

/* ---- the server side of HTTP connections ---- */

static void sio__srv_conn_closed(sio__conn *c, int err) {
    sio_server *srv = (sio_server *)c->owner;
    sio_engine_conn *e = (sio_engine_conn *)c->session;
    srv->nconns--;
    if (!e) return;
    c->session = NULL;
    if (e->get == c) {
        /* the client went away while its GET was held */
        e->get = NULL;
        sio__eio_close(e, "transport error", 0);
    } else if (e->ws == c) {
        e->ws = NULL;
        sio__eio_close(e, err == SIO_ERR_CLOSED || err == SIO_OK ? "transport close" : "transport error", 0);
    } else if (e->probe == c) {
        e->probe = NULL;
        e->upgrading = 0;
        sio__eio_flush_poll(e);
    }
}

static int sio__query_is(sio_str q, const char *key, const char *val) {
    sio_str v;
    size_t n = strlen(val);
    return sio_http_query_get(q, key, &v) && v.len == n && memcmp(v.ptr, val, n) == 0;
}

static int sio__path_match(sio_str path, const char *prefix) {
    size_t n = strlen(prefix);
    /* "/socket.io/" also matches "/socket.io" as Node does with its prefix check on the raw URL */
    if (path.len >= n && memcmp(path.ptr, prefix, n) == 0) return 1;
    return n > 1 && path.len == n - 1 && prefix[n - 1] == '/' && memcmp(path.ptr, prefix, n - 1) == 0;
}

/* 101 Switching Protocols, then the connection speaks WebSocket. */
static int sio__ws_accept(sio__conn *c, const sio_http_msg *m) {
    sio_server *srv = (sio_server *)c->owner;
    sio_str key = sio_http_header_get(m, "Sec-WebSocket-Key");
    sio_str ver = sio_http_header_get(m, "Sec-WebSocket-Version");
    char accept[29];
    if (!key.ptr || sio_ws_accept_key(key.ptr, key.len, accept) != SIO_OK || ver.len != 2 ||
        memcmp(ver.ptr, "13", 2) != 0) {
        c->keep_alive = 0;
        sio__http_answer(c, 400, "text/plain", "Bad WebSocket handshake", 23, NULL);
        return SIO_ERR_PROTOCOL;
    }
    c->ws = (sio_ws_reader *)sio__malloc(c->loop->alloc, sizeof *c->ws);
    if (!c->ws) return SIO_ERR_NOMEM;
    memset(c->ws, 0, sizeof *c->ws);
    c->ws->expect_masked = 1;
    c->ws->max_message = (size_t)srv->desc.max_payload;
    c->ws->alloc = c->loop->alloc;
    sio_buf_reset(&srv->tmp);
    sio_buf_appends(&srv->tmp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: ");
    sio_buf_appends(&srv->tmp, accept);
    sio_buf_appends(&srv->tmp, "\r\n\r\n");
    sio__conn_send(c, srv->tmp.data, srv->tmp.len);
    c->kind = SIO__C_WS;
    c->ops = &sio__ws_ops;
    sio__timer_cancel(&c->loop->timers, &c->timer);
    return SIO_OK;
}

/* Requests under an Engine.IO path: Node's verify() order of checks. */
static void sio__eio_request(sio__conn *c, const sio_http_msg *m, char *body, size_t blen, int endpoint) {
    sio_server *srv = (sio_server *)c->owner;
    sio_str transport, sid;
    int is_ws, is_get = m->method.len == 3 && memcmp(m->method.ptr, "GET", 3) == 0;
    int is_post = m->method.len == 4 && memcmp(m->method.ptr, "POST", 4) == 0;
    sio_engine_conn *e;

    if (m->method.len == 7 && memcmp(m->method.ptr, "OPTIONS", 7) == 0 && srv->desc.cors_origin) {
        sio_str reqh = sio_http_header_get(m, "Access-Control-Request-Headers");
        sio_buf *x = &srv->tmp;
        char extra[512];
        sio_buf_reset(x);
        sio_buf_appends(x, "Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE\r\n");
        if (reqh.len && reqh.len < 256) {
            sio_buf_appends(x, "Access-Control-Allow-Headers: ");
            sio_buf_append(x, reqh.ptr, reqh.len);
            sio_buf_appends(x, "\r\nVary: Access-Control-Request-Headers\r\n");
        }
        snprintf(extra, sizeof extra, "%.*s", (int)x->len, x->data);
        sio__http_answer(c, 204, NULL, NULL, 0, extra);
        return;
    }
    if (!sio_http_query_get(m->query, "transport", &transport) ||
        !((transport.len == 7 && memcmp(transport.ptr, "polling", 7) == 0) ||
          (transport.len == 9 && memcmp(transport.ptr, "websocket", 9) == 0))) {
        sio__eio_error(c, 0, m->upgrade_websocket);
        return;
    }
    is_ws = transport.len == 9;
    if (sio_http_query_get(m->query, "sid", &sid) && sid.len) {
        e = sio__eio_lookup(srv, sid);
        if (!e) {
            sio__eio_error(c, 1, m->upgrade_websocket);
            return;
        }
        if (is_ws) {
            if (!m->upgrade_websocket) {
                sio__eio_error(c, 3, m->upgrade_websocket);
                return;
            }
            if (sio__ws_accept(c, m) != SIO_OK) return;
            /* a second WebSocket for a session that has one is just closed */
            if (e->transport != SIO__T_POLLING || e->probe) {
                sio__ws_send_close(c, 0);
                sio__conn_end(c);
                return;
            }
            e->probe = c;
            c->session = e;
            sio__timer_set(&srv->loop.timers, srv->loop.alloc, &e->upgrade_timer,
                           srv->loop.now + (uint64_t)srv->desc.upgrade_timeout_ms);
            return;
        }
        if (e->transport != SIO__T_POLLING) {
            sio__eio_error(c, 3, m->upgrade_websocket);
            return;
        }
        if (is_get) {
            if (e->get) {
                /* overlapping GETs: the newcomer fails, the session ends and the
                   held GET learns it with "1" */
                c->poll_role = SIO__ROLE_GET;
                sio__http_answer(c, 400, NULL, NULL, 0, NULL);
                sio__eio_close(e, "transport error", 1);
                return;
            }
            e->get = c;
            c->session = e;
            c->flags |= SIO__F_HELD;
            sio__timer_cancel(&srv->loop.timers, &c->timer);
            if (e->upgrading && !e->pq.len) {
                e->get = NULL;
                c->flags &= ~(unsigned)SIO__F_HELD;
                c->session = NULL;
                c->poll_role = SIO__ROLE_GET;
                sio__http_answer(c, 200, "text/plain; charset=UTF-8", "6", 1, "Cache-Control: no-store\r\n");
                return;
            }
            sio__eio_flush_poll(e);
            return;
        }
        if (is_post) {
            sio_str ct = sio_http_header_get(m, "Content-Type");
            c->poll_role = SIO__ROLE_POST;
            if (ct.len >= 24 && memcmp(ct.ptr, "application/octet-stream", 24) == 0) {
                /* binary payloads do not exist in v4 */
                sio__http_answer(c, 400, "text/html", "bad content", 11, NULL);
                sio__eio_close(e, "transport error", 1);
                return;
            }
            sio__http_answer(c, 200, "text/html", "ok", 2, NULL);
            sio__eio_post(e, body, blen);
            return;
        }
        c->poll_role = SIO__ROLE_GET;
        sio__http_answer(c, 500, NULL, NULL, 0, NULL);
        return;
    }
    if (!is_get) {
        sio__eio_error(c, 2, m->upgrade_websocket);
        return;
    }
    if (is_ws && !m->upgrade_websocket) {
        sio__eio_error(c, 3, m->upgrade_websocket);
        return;
    }
    if (!sio__query_is(m->query, "EIO", "4")) {
        sio__eio_error(c, 5, m->upgrade_websocket);
        return;
    }
    if (is_ws) {
        if (sio__ws_accept(c, m) != SIO_OK) return;
        e = sio__eio_create(srv, endpoint, SIO__T_WEBSOCKET);
        if (!e) {
            sio__conn_close(c, SIO_ERR_NOMEM);
            return;
        }
        e->ws = c;
        c->session = e;
        sio__eio_open(e);
        return;
    }
    e = sio__eio_create(srv, endpoint, SIO__T_POLLING);
    if (!e) {
        c->poll_role = SIO__ROLE_GET;
        sio__http_answer(c, 503, NULL, NULL, 0, NULL);
        return;
    }
    /* the handshake GET is answered at once with the open packet (and
       whatever the connection handler emitted) */
    e->get = c;
    c->session = e;
    c->flags |= SIO__F_HELD;
    e->upgrading = 1;   /* hold the flush until the open packet and handler output are queued */
    sio__eio_open(e);
    e->upgrading = 0;
    if (!e->closed) sio__eio_flush_poll(e);
}

static void sio__http_default(sio__conn *c, const sio_http_msg *m, char *body, size_t blen);

#ifndef SIO_NO_CLIENT_JS
/* >>client-js begin */
/* Generated by tools/embed-client.mjs from tools/client/socket.io.js: do not
   edit here. Change the .js file, then run
   node tools/embed-client.mjs --update socketio.h
   The script is split into parts because C99 only guarantees 4095
   characters per string literal; serve them back to back.
   SIO__CLIENT_JS_LEN is the byte length of all parts together, the ETag
   is the quoted SHA-1 of the file (the value of an HTTP ETag header). */
#define SIO__CLIENT_JS_LEN 37805
#define SIO__CLIENT_JS_PARTS 10
static const char sio__client_js_etag[] = "\"9e33c6354f5c394cc8cc705cce86345255db23ea\"";
static const char *const sio__client_js[SIO__CLIENT_JS_PARTS] = {
    /* part 0 */
    ("/* socket.io.js - a compact Socket.IO client (Socket.IO protocol v5 over\n"
     " * Engine.IO v4) for browsers, shipped with socketio.h and served by its\n"
     " * server at /socket.io/socket.io.js. No dependencies. Plain script: defines\n"
     " * the global `io`; under Node (>= 18, with a WebSocket implementation put in\n"
     " * globalThis.WebSocket) it is `module.exports`.\n"
     " *\n"
     " * The API follows the official client so application code can switch:\n"
     " *\n"
     " *   const socket = io(\"/chat\", { auth: { token: \"t\" } });\n"
     " *   socket.on(\"connect\", () => socket.emit(\"hello\", \"world\", (reply) => {}));\n"
     " *   socket.timeout(5000).emit(\"slow\", (err, reply) => {});\n"
     " *\n"
     " * Layers, bottom up: Engine.IO transports (Polling, WS) -> Engine (handshake,\n"
     " * heartbeat, upgrade, write buffer) -> Manager (Socket.IO packet codec,\n"
     " * reconnection, one Engine shared by many namespaces) -> Socket (one\n"
     " * namespace: events, acks, buffering). Wire format notes: PROTOCOL.md.\n"
     " * Keep this file ASCII-only: it is embedded into socketio.h as a C string.\n"
     " */\n"
     "(function (root) {\n"
     "  'use strict';\n"
     "\n"
     "  /* ---------------------------------------------------------------- util */\n"
     "\n"
     "  class Emitter {\n"
     "    on(ev, fn) { ((this._ev || (this._ev = {}))[ev] || (this._ev[ev] = [])).push(fn); retur"
     "n this; }\n"
     "    once(ev, fn) {\n"
     "      const w = (...a) => { this.off(ev, w); fn.apply(this, a); };\n"
     "      w.fn = fn;\n"
     "      return this.on(ev, w);\n"
     "    }\n"
     "    off(ev, fn) {\n"
     "      if (!this._ev) return this;\n"
     "      if (ev === undefined) { this._ev = {}; return this; }\n"
     "      if (fn === undefined) { delete this._ev[ev]; return this; }\n"
     "      const l = this._ev[ev];\n"
     "      if (l) {\n"
     "        const i = l.findIndex((f) => f === fn || f.fn === fn);\n"
     "        if (i >= 0) l.splice(i, 1);\n"
     "      }\n"
     "      return this;\n"
     "    }\n"
     "    listeners(ev) { return (this._ev && this._ev[ev]) ? this._ev[ev].slice() : []; }\n"
     "    hasListeners(ev) { return this.listeners(ev).length > 0; }\n"
     "    // Socket overrides emit() to send to the server, so local delivery has\n"
     "    // its own name everywhere.\n"
     "    emitReserved(ev, ...args) {\n"
     "      for (const fn of this.listeners(ev)) fn.apply(this, args);\n"
     "      return this;\n"
     "    }\n"
     "  }\n"
     "  Emitter.prototype.addEventListener = Emitter.prototype.on;\n"
     "  Emitter.prototype.removeListener = Emitter.prototype.off;\n"
     "  Emitter.prototype.removeAllListeners = function (ev) { return this.off(ev); };\n"
     "\n"
     "  // Subscribe and return the matching unsubscribe, so owners can drop all\n"
     "  // their listeners on another object in one go.\n"
     "  function sub(obj, ev, fn) { obj.on(ev, fn); return () => obj.off(ev, fn); }\n"
     "\n"
     "  const hasBlob = typeof Blob !== 'undefined';\n"
     "  function isBinary(x) {\n"
     "    return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (hasBlob && x instanceof Bl"
     "ob);\n"
     "  }\n"
     "  function bytesOf(x) {\n"
     "    return x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOf"
     "fset, x.byteLength);\n"
     "  }\n"
     "  function b64encode(x) {\n"
     "    const u = bytesOf(x);\n"
     "    let s = '';\n"
     "    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subar"
     "ray(i, i + 0x8000));\n"
     "    return btoa(s);\n"
     "  }\n"
     "  function b64decode(s) {\n"
     "    const bin = atob(s);\n"
     "    const u = new Uint8Array(bin.length);\n"
     "    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);\n"
     "    return u.buffer;\n"
     "  }\n"
     "  function utf8Len(s) {\n"
     "    let n = 0;\n"
     "    for (let i = 0; i < s.length; i++) {\n"
     "      const c = s.charCodeAt(i);\n"
     "      if (c < 0x80) n += 1;\n"
     "      else if (c < 0x800) n += 2;\n"
     "      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { n += 4; i++; } // surrogate"
     " pair\n"
     "      else n += 3;\n"
     "    }\n"
     "    return n;\n"
     "  }\n"
     "  function qs(obj) {\n"
     "    return Object.keys(obj).filter((k) => obj[k] !== undefined)\n"
     "      .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(obj[k])).join('&');\n"
     "  }\n"
     "  let stamp = 0;\n"
     "  // Cache buster for polling requests; proxies must not answer a GET twice.\n"
     "  function cacheBuster() { return Date.now().toString(36) + (stamp++).toString(36); }\n"
     "\n"),
    /* part 1 */
    ("  /* ----------------------------------------------- Engine.IO packet codec */\n"
     "\n"
     "  const EIO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];\n"
     "\n"
     "  // One packet as text for a polling payload, or as text/binary frame data\n"
     "  // for a WebSocket. Binary messages have no type digit in v4: WS sends the\n"
     "  // raw bytes, polling sends \"b\" + base64 (e.g. bAQID for bytes 1,2,3).\n"
     "  function eioEncode(p, forWs) {\n"
     "    if (isBinary(p.data)) return forWs ? p.data : 'b' + b64encode(p.data);\n"
     "    return EIO_TYPES.indexOf(p.type) + (p.data === undefined ? '' : String(p.data));\n"
     "  }\n"
     "  function eioDecode(d) {\n"
     "    try { return eioDecode1(d); } catch (e) { return { type: 'error', data: 'parser error' "
     "}; }\n"
     "  }\n"
     "  function eioDecode1(d) {\n"
     "    if (typeof d !== 'string') return { type: 'message', data: d instanceof ArrayBuffer ? d"
     " : bytesOf(d).slice().buffer };\n"
     "    if (d[0] === 'b') return { type: 'message', data: b64decode(d.slice(1)) };\n"
     "    const type = EIO_TYPES[d.charCodeAt(0) - 48];\n"
     "    if (!type) return { type: 'error', data: 'parser error' };\n"
     "    return d.length > 1 ? { type, data: d.slice(1) } : { type };\n"
     "  }\n"
     "  // Bytes a packet takes in a polling body, to keep each POST <= maxPayload.\n"
     "  function eioSize(p) {\n"
     "    if (isBinary(p.data)) return 1 + Math.ceil(bytesOf(p.data).length / 3) * 4;\n"
     "    return 1 + (p.data === undefined ? 0 : utf8Len(String(p.data)));\n"
     "  }\n"
     "\n"
     "  /* ----------------------------------------------------------- transports */\n"
     "  // Both transports emit: open, packet(p), drain, error(msg, cause), close(reason).\n"
     "\n"
     "  class Transport extends Emitter {\n"
     "    constructor(engine, name, query) {\n"
     "      super();\n"
     "      this.engine = engine;\n"
     "      this.name = name;\n"
     "      this.query = query;\n"
     "      this.readyState = 'closed';\n"
     "      this.writable = false;\n"
     "    }\n"
     "    uri(scheme, extra) {\n"
     "      const e = this.engine;\n"
     "      return scheme + (e.secure ? 's' : '') + '://' + e.host + e.path + '?' + qs(Object.ass"
     "ign({}, this.query, extra));\n"
     "    }\n"
     "    _error(msg, cause) {\n"
     "      const err = new Error(msg);\n"
     "      err.type = 'TransportError';\n"
     "      err.description = cause;\n"
     "      this.emitReserved('error', err);\n"
     "    }\n"
     "    _closed(reason) {\n"
     "      if (this.readyState === 'closed') return;\n"
     "      this.readyState = 'closed';\n"
     "      this.writable = false;\n"
     "      this.emitReserved('close', reason);\n"
     "    }\n"
     "  }\n"
     "\n"
     "  // Long-polling: one GET outstanding to receive, POSTs strictly one after\n"
     "  // another to send. pause() lets both finish so an upgrade loses nothing.\n"
     "  class Polling extends Transport {\n"
     "    constructor(engine, query) { super(engine, 'polling', query); this.polling = false; }\n"
     "    open() { this.readyState = 'opening'; this._poll(); }\n"
     "    _req(method, body) {\n"
     "      const url = this.uri('http', { t: cacheBuster() });\n"
     "      const ctl = typeof AbortController !== 'undefined' ? new AbortController() : null;\n"
     "      if (ctl) (this._aborts || (this._aborts = new Set())).add(ctl);\n"
     "      const init = {\n"
     "        method, cache: 'no-store',\n"
     "        credentials: this.engine.opts.withCredentials ? 'include' : 'same-origin',\n"
     "        headers: Object.assign(body === undefined ? {} : { 'Content-Type': 'text/plain;char"
     "set=UTF-8' },\n"
     "          this.engine.opts.extraHeaders || {}),\n"
     "        body, signal: ctl ? ctl.signal : undefined,\n"
     "      };\n"
     "      return fetch(url, init).then((res) => {\n"
     "        if (res.status !== 200) throw new Error('HTTP ' + res.status);\n"
     "        return res.text();\n"
     "      }).finally(() => { if (ctl) this._aborts.delete(ctl); });\n"
     "    }\n"
     "    _poll() {\n"
     "      this.polling = true;\n"
     "      this._req('GET').then((text) => {\n"
     "        if (this.readyState === 'closed') return;\n"
     "        this.polling = false;\n"
     "        this._onPayload(text);\n"
     "      }, (e) => { if (this.readyState !== 'closed') this._error('xhr poll error', e); });\n"
     "    }\n"
     "    _onPayload(text) {\n"
     "      // v4 payload: packets joined by \\x1e, e.g. 4hello\\x1ebAQID\\x1e2\n"
     "      for (const part of text.split('\\x1e')) {\n"),
    /* part 2 */
    ("        const p = eioDecode(part);\n"
     "        if (this.readyState === 'opening' && p.type === 'open') {\n"
     "          this.readyState = 'open';\n"
     "          this.writable = true;\n"
     "          this.emitReserved('open');\n"
     "        }\n"
     "        if (p.type === 'close') { this._closed('transport close'); return; }\n"
     "        // A throwing application handler must not kill the poll loop.\n"
     "        try { this.emitReserved('packet', p); } catch (e) { setTimeout(() => { throw e; }, "
     "0); }\n"
     "        if (this.readyState === 'closed') return;\n"
     "      }\n"
     "      if (this.readyState === 'pausing' || this.readyState === 'paused') this.emitReserved("
     "'pollComplete');\n"
     "      else if (this.readyState === 'open') this._poll();\n"
     "    }\n"
     "    send(packets) {\n"
     "      this.writable = false;\n"
     "      this._req('POST', packets.map((p) => eioEncode(p, false)).join('\\x1e')).then(() => {"
     "\n"
     "        if (this.readyState === 'closed') return;\n"
     "        this.writable = true;\n"
     "        this.emitReserved('drain');\n"
     "      }, (e) => { if (this.readyState !== 'closed') this._error('xhr post error', e); });\n"
     "    }\n"
     "    pause(onPaused) {\n"
     "      this.readyState = 'pausing';\n"
     "      let waiting = 0;\n"
     "      const done = () => { if (--waiting === 0) { this.readyState = 'paused'; onPaused(); }"
     " };\n"
     "      if (this.polling) { waiting++; this.once('pollComplete', done); }\n"
     "      if (!this.writable) { waiting++; this.once('drain', done); }\n"
     "      if (waiting === 0) { waiting = 1; done(); }\n"
     "    }\n"
     "    resume() {\n"
     "      if (this.readyState !== 'pausing' && this.readyState !== 'paused') return;\n"
     "      this.off('pollComplete'); this.off('drain');\n"
     "      this.readyState = 'open';\n"
     "      if (!this.polling) this._poll();\n"
     "    }\n"
     "    close() {\n"
     "      // Say goodbye with POST \"1\" and only then drop the pending GET: the\n"
     "      // server answers that GET with a noop. Aborting it first would look\n"
     "      // like a broken transport to the server, which (Node) then keeps the\n"
     "      // session around for its closeTimeout.\n"
     "      const wasOpen = ['open', 'pausing', 'paused'].indexOf(this.readyState) >= 0;\n"
     "      this.readyState = 'closed';\n"
     "      this.writable = false;\n"
     "      const abort = () => { if (this._aborts) for (const c of this._aborts) c.abort(); };\n"
     "      if (!wasOpen) { abort(); return; }\n"
     "      this._req('POST', '1').catch(() => {}).finally(abort);\n"
     "    }\n"
     "  }\n"
     "\n"
     "  class WS extends Transport {\n"
     "    constructor(engine, query) { super(engine, 'websocket', query); }\n"
     "    open() {\n"
     "      const Impl = this.engine.opts.WebSocket || root.WebSocket;\n"
     "      this.readyState = 'opening';\n"
     "      try {\n"
     "        this.ws = new Impl(this.uri('ws'));\n"
     "      } catch (e) {\n"
     "        setTimeout(() => this._error('websocket error', e), 0);\n"
     "        return;\n"
     "      }\n"
     "      this.ws.binaryType = 'arraybuffer';\n"
     "      this.ws.onopen = () => {\n"
     "        this.readyState = 'open';\n"
     "        this.writable = true;\n"
     "        this.emitReserved('open');\n"
     "      };\n"
     "      // The server may pack several frames into one TCP segment; the\n"
     "      // WebSocket API hands them to us one message at a time anyway.\n"
     "      this.ws.onmessage = (e) => { if (this.readyState !== 'closed') this.emitReserved('pac"
     "ket', eioDecode(e.data)); };\n"
     "      this.ws.onerror = (e) => { if (this.readyState !== 'closed') this._error('websocket e"
     "rror', e); };\n"
     "      this.ws.onclose = () => this._closed('transport close');\n"
     "    }\n"
     "    send(packets) {\n"
     "      for (const p of packets) this.ws.send(eioEncode(p, true));\n"
     "      // WebSocket.send only queues, so we are writable again at once; the\n"
     "      // drain is still async so the engine's flush loop cannot recurse.\n"
     "      this.writable = false;\n"
     "      setTimeout(() => {\n"
     "        if (this.readyState === 'closed') return;\n"
     "        this.writable = true;\n"
     "        this.emitReserved('drain');\n"
     "      }, 0);\n"
     "    }\n"
     "    close() {\n"
     "      this.readyState = 'closed';\n"
     "      this.writable = false;\n"
     "      if (this.ws) {\n"
     "        // A no-op onerror, not null: Node's ws reports closing a still\n"),
    /* part 3 */
    ("        // connecting socket as an error event and throws if nobody listens.\n"
     "        const nop = () => {};\n"
     "        this.ws.onopen = this.ws.onmessage = this.ws.onerror = this.ws.onclose = nop;\n"
     "        try { this.ws.close(); } catch (e) { /* already closed */ }\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "\n"
     "  /* -------------------------------------------------------------- Engine */\n"
     "  // One Engine.IO session. Events: open, message(data), upgrading, upgrade,\n"
     "  // upgradeError, ping, drain, error(err), close(reason, description).\n"
     "\n"
     "  class Engine extends Emitter {\n"
     "    constructor(url, opts) {\n"
     "      super();\n"
     "      this.opts = opts;\n"
     "      this.secure = url.protocol === 'https:' || url.protocol === 'wss:';\n"
     "      this.host = url.host;\n"
     "      this.path = opts.path;\n"
     "      this.query = Object.assign({}, opts.query);\n"
     "      this.transports = opts.transports || ['polling', 'websocket'];\n"
     "      this.readyState = 'opening';\n"
     "      this.writeBuffer = [];\n"
     "      this.upgrading = false;\n"
     "      this.id = null;\n"
     "      this.maxPayload = 0;\n"
     "      this._setTransport(this._create(this.transports[0]));\n"
     "      this.transport.open();\n"
     "    }\n"
     "    _create(name) {\n"
     "      const q = Object.assign({}, this.query, { EIO: 4, transport: name });\n"
     "      if (this.id) q.sid = this.id;\n"
     "      if (name === 'websocket') return new WS(this, q);\n"
     "      if (name === 'polling') return new Polling(this, q);\n"
     "      throw new Error('unknown transport ' + name);\n"
     "    }\n"
     "    _setTransport(t) {\n"
     "      if (this.transport) this.transport.off();\n"
     "      this.transport = t;\n"
     "      t.on('packet', (p) => this._onPacket(p));\n"
     "      t.on('drain', () => this._onDrain());\n"
     "      t.on('error', (e) => this._onError(e));\n"
     "      t.on('close', (r) => this._onClose(r));\n"
     "    }\n"
     "    _onPacket(p) {\n"
     "      if (this.readyState === 'closed') return;\n"
     "      switch (p.type) {\n"
     "        case 'open': this._onHandshake(p.data); break;\n"
     "        case 'ping':\n"
     "          // v4: only the server pings; answer 2 with 3 and re-arm the\n"
     "          // dead-server timer.\n"
     "          this._resetPingTimer();\n"
     "          this._sendPacket('pong');\n"
     "          this.emitReserved('ping');\n"
     "          break;\n"
     "        case 'message': this.emitReserved('message', p.data); break;\n"
     "        case 'close': this._onClose('transport close'); break; // Node just drops the WS; o"
     "thers may say \"1\"\n"
     "        case 'error': this._onError(new Error('parse error')); break;\n"
     "        default: break; // noop, pong (probe replies arrive on the probe transport)\n"
     "      }\n"
     "    }\n"
     "    _onHandshake(json) {\n"
     "      let h;\n"
     "      try { h = JSON.parse(json); } catch (e) { h = null; }\n"
     "      if (!h || typeof h.sid !== 'string') { this._onError(new Error('bad handshake')); ret"
     "urn; }\n"
     "      this.id = h.sid;\n"
     "      this.transport.query.sid = h.sid;\n"
     "      this.pingInterval = h.pingInterval;\n"
     "      this.pingTimeout = h.pingTimeout;\n"
     "      this.maxPayload = h.maxPayload || 0;\n"
     "      this.readyState = 'open';\n"
     "      this.emitReserved('open');\n"
     "      this.flush();\n"
     "      this._resetPingTimer();\n"
     "      if (this.readyState === 'open' && this.opts.upgrade !== false && this.transport.name "
     "=== 'polling') {\n"
     "        for (const u of h.upgrades || []) if (u === 'websocket' && this.transports.indexOf("
     "u) >= 0) this._probe(u);\n"
     "      }\n"
     "    }\n"
     "    _resetPingTimer() {\n"
     "      clearTimeout(this._pingTimer);\n"
     "      this._pingTimer = setTimeout(() => this._onClose('ping timeout'), this.pingInterval +"
     " this.pingTimeout);\n"
     "    }\n"
     "    // Upgrade polling -> WebSocket: probe the new transport with 2probe,\n"
     "    // and only once 3probe came back, drain polling (the server answers the\n"
     "    // pending GET with a noop) and switch with 5. Writes made meanwhile wait\n"
     "    // in writeBuffer, so nothing is lost or reordered.\n"
     "    _probe(name) {\n"
     "      const t = this._create(name);\n"
     "      let failed = false;\n"
     "      const cleanup = () => { t.off(); this.off('close', onEngineClose); };\n"
     "      const fail = (err) => {\n"
     "        if (failed) return;\n"
     "        failed = true;\n"
     "        cleanup();\n"),
    /* part 4 */
    ("        t.close();\n"
     "        if (this.upgrading) { this.upgrading = false; this.transport.resume(); this.flush()"
     "; }\n"
     "        this.emitReserved('upgradeError', err instanceof Error ? err : new Error('probe err"
     "or'));\n"
     "      };\n"
     "      const onEngineClose = () => fail(new Error('engine closed'));\n"
     "      t.once('open', () => { if (!failed) t.send([{ type: 'ping', data: 'probe' }]); });\n"
     "      t.on('packet', (p) => {\n"
     "        if (failed) return;\n"
     "        if (p.type !== 'pong' || p.data !== 'probe') { fail(new Error('probe error')); retu"
     "rn; }\n"
     "        this.upgrading = true;\n"
     "        this.emitReserved('upgrading', t);\n"
     "        this.transport.pause(() => {\n"
     "          if (failed || this.readyState === 'closed') return;\n"
     "          cleanup();\n"
     "          this._setTransport(t);\n"
     "          t.send([{ type: 'upgrade' }]);\n"
     "          this.upgrading = false;\n"
     "          this.emitReserved('upgrade', t);\n"
     "          this.flush();\n"
     "        });\n"
     "      });\n"
     "      t.once('error', fail);\n"
     "      t.once('close', () => fail(new Error('probe transport closed')));\n"
     "      this.on('close', onEngineClose);\n"
     "      t.open();\n"
     "    }\n"
     "    _onDrain() {\n"
     "      if (this.writeBuffer.length === 0) this.emitReserved('drain');\n"
     "      else this.flush();\n"
     "    }\n"
     "    flush() {\n"
     "      if (this.readyState === 'closed' || this.upgrading || !this.transport.writable || !th"
     "is.writeBuffer.length) return;\n"
     "      let n = this.writeBuffer.length;\n"
     "      if (this.transport.name === 'polling' && this.maxPayload) {\n"
     "        // Several packets per POST, but the body stays below maxPayload\n"
     "        // (a single larger packet still goes out alone).\n"
     "        let size = 0;\n"
     "        for (n = 0; n < this.writeBuffer.length; n++) {\n"
     "          size += eioSize(this.writeBuffer[n]) + (n ? 1 : 0);\n"
     "          if (n && size > this.maxPayload) break;\n"
     "        }\n"
     "      }\n"
     "      this.transport.send(this.writeBuffer.splice(0, n));\n"
     "    }\n"
     "    _sendPacket(type, data) {\n"
     "      if (this.readyState === 'closing' || this.readyState === 'closed') return;\n"
     "      this.writeBuffer.push({ type, data });\n"
     "      this.flush();\n"
     "    }\n"
     "    write(data) { this._sendPacket('message', data); return this; }\n"
     "    send(data) { return this.write(data); }\n"
     "    close() {\n"
     "      if (this.readyState !== 'opening' && this.readyState !== 'open') return this;\n"
     "      this.readyState = 'closing';\n"
     "      // Let queued packets (e.g. a namespace DISCONNECT) out first.\n"
     "      const finish = () => this._onClose('forced close');\n"
     "      if (this.writeBuffer.length || (this.transport.name === 'polling' && !this.transport."
     "writable && this.id)) {\n"
     "        this.once('drain', finish);\n"
     "        setTimeout(finish, 1000);\n"
     "      } else finish();\n"
     "      return this;\n"
     "    }\n"
     "    _onError(err) {\n"
     "      this.emitReserved('error', err);\n"
     "      this._onClose('transport error', err);\n"
     "    }\n"
     "    _onClose(reason, desc) {\n"
     "      if (this.readyState === 'closed') return;\n"
     "      clearTimeout(this._pingTimer);\n"
     "      this.transport.off();\n"
     "      this.transport.close();\n"
     "      this.readyState = 'closed';\n"
     "      this.id = null;\n"
     "      this.writeBuffer = [];\n"
     "      this.emitReserved('close', reason, desc);\n"
     "    }\n"
     "  }\n"
     "\n"
     "  /* --------------------------------------------- Socket.IO packet codec */\n"
     "\n"
     "  const T = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: "
     "5, BINARY_ACK: 6 };\n"
     "  const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener"
     "', 'removeListener'];\n"
     "\n"
     "  function plainObject(x) { return x !== null && typeof x === 'object' && !Array.isArray(x)"
     " && typeof x.toJSON !== 'function'; }\n"
     "  function hasBinaryIn(x) {\n"
     "    if (isBinary(x)) return true;\n"
     "    if (Array.isArray(x)) return x.some(hasBinaryIn);\n"
     "    if (plainObject(x)) return Object.keys(x).some((k) => hasBinaryIn(x[k]));\n"
     "    return false;\n"
     "  }\n"
     "  // Replace every binary value by {\"_placeholder\":true,\"num\":N}, N counting\n"
     "  // attachments depth-first, so the JSON can travel as text and the bytes\n"
     "  // follow as separate binary messages.\n"),
    /* part 5 */
    ("  function deconstruct(x, out) {\n"
     "    if (isBinary(x)) { out.push(x); return { _placeholder: true, num: out.length - 1 }; }\n"
     "    if (Array.isArray(x)) return x.map((v) => deconstruct(v, out));\n"
     "    if (plainObject(x)) {\n"
     "      const o = {};\n"
     "      for (const k of Object.keys(x)) o[k] = deconstruct(x[k], out);\n"
     "      return o;\n"
     "    }\n"
     "    return x;\n"
     "  }\n"
     "  function reconstruct(x, bufs) {\n"
     "    if (Array.isArray(x)) return x.map((v) => reconstruct(v, bufs));\n"
     "    if (x !== null && typeof x === 'object') {\n"
     "      if (x._placeholder === true) {\n"
     "        if (!(Number.isInteger(x.num) && x.num >= 0 && x.num < bufs.length)) throw new Erro"
     "r('illegal attachment');\n"
     "        return bufs[x.num];\n"
     "      }\n"
     "      for (const k of Object.keys(x)) x[k] = reconstruct(x[k], bufs);\n"
     "    }\n"
     "    return x;\n"
     "  }\n"
     "  // Packet -> list of Engine.IO messages: the text header, then attachments.\n"
     "  // e.g. {type:EVENT, nsp:\"/a\", id:7, data:[\"up\", <2 bytes>]} ->\n"
     "  //   '51-/a,7[\"up\",{\"_placeholder\":true,\"num\":0}]', <2 bytes>\n"
     "  function sioEncode(p) {\n"
     "    const atts = [];\n"
     "    let type = p.type;\n"
     "    let data = p.data;\n"
     "    if ((type === T.EVENT || type === T.ACK) && hasBinaryIn(data)) {\n"
     "      data = deconstruct(data, atts);\n"
     "      type = type === T.EVENT ? T.BINARY_EVENT : T.BINARY_ACK;\n"
     "    }\n"
     "    let s = String(type);\n"
     "    if (atts.length) s += atts.length + '-';\n"
     "    if (p.nsp && p.nsp !== '/') s += p.nsp + ',';\n"
     "    if (p.id !== undefined) s += p.id;\n"
     "    if (data !== undefined) s += JSON.stringify(data);\n"
     "    return [s].concat(atts);\n"
     "  }\n"
     "  function sioDecode(s) {\n"
     "    const type = s.charCodeAt(0) - 48;\n"
     "    if (!(type >= 0 && type <= 6)) throw new Error('unknown packet type');\n"
     "    const p = { type, nsp: '/', attachments: 0 };\n"
     "    let i = 1;\n"
     "    if (type === T.BINARY_EVENT || type === T.BINARY_ACK) {\n"
     "      const dash = s.indexOf('-', i);\n"
     "      const n = s.slice(i, dash);\n"
     "      if (dash < 0 || !/^[0-9]+$/.test(n) || +n < 1) throw new Error('illegal attachments')"
     ";\n"
     "      p.attachments = +n;\n"
     "      i = dash + 1;\n"
     "    }\n"
     "    if (s[i] === '/') { // namespace runs to the first comma or the end: 40/admin is valid"
     "\n"
     "      const c = s.indexOf(',', i);\n"
     "      p.nsp = c < 0 ? s.slice(i) : s.slice(i, c);\n"
     "      i = c < 0 ? s.length : c + 1;\n"
     "    }\n"
     "    const m = /^[0-9]+/.exec(s.slice(i));\n"
     "    if (m) { p.id = +m[0]; i += m[0].length; }\n"
     "    if (i < s.length) p.data = JSON.parse(s.slice(i));\n"
     "    const d = p.data;\n"
     "    const ok = [\n"
     "      plainObject(d), // CONNECT reply {\"sid\":...}\n"
     "      d === undefined,\n"
     "      Array.isArray(d) && d.length > 0 && (typeof d[0] === 'string' || typeof d[0] === 'num"
     "ber'),\n"
     "      Array.isArray(d),\n"
     "      typeof d === 'string' || plainObject(d),\n"
     "    ][type <= 4 ? type : type - 3];\n"
     "    if (!ok) throw new Error('invalid payload');\n"
     "    return p;\n"
     "  }\n"
     "\n"
     "  /* ------------------------------------------------------------- Manager */\n"
     "  // Owns the Engine for one origin+path, encodes/decodes Socket.IO packets\n"
     "  // and reconnects with exponential backoff. Events: open, close(reason),\n"
     "  // packet, error, reconnect_attempt(n), reconnect(n), reconnect_error,\n"
     "  // reconnect_failed.\n"
     "\n"
     "  class Manager extends Emitter {\n"
     "    constructor(uri, opts) {\n"
     "      super();\n"
     "      if (uri && typeof uri === 'object') { opts = uri; uri = undefined; }\n"
     "      opts = Object.assign({}, opts);\n"
     "      this.url = new URL(uri || '/', typeof location !== 'undefined' ? location.href : unde"
     "fined);\n"
     "      opts.path = (opts.path || '/socket.io').replace(/\\/$/, '') + '/';\n"
     "      if (typeof opts.query === 'string') opts.query = Object.fromEntries(new URLSearchPara"
     "ms(opts.query));\n"
     "      opts.query = Object.assign(Object.fromEntries(this.url.searchParams), opts.query);\n"
     "      this.opts = opts;\n"
     "      this.nsps = {};\n"
     "      this.subs = [];\n"
     "      this._readyState = 'closed';\n"
     "      this._reconnection = opts.reconnection !== false;\n"
     "      this._attemptsMax = opts.reconnectionAttempts === undefined ? Infinity : opts.reconne"
     "ctionAttempts;\n"),
    /* part 6 */
    ("      this._delay = opts.reconnectionDelay === undefined ? 1000 : opts.reconnectionDelay;\n"
     "      this._delayMax = opts.reconnectionDelayMax === undefined ? 5000 : opts.reconnectionDe"
     "layMax;\n"
     "      this._jitter = opts.randomizationFactor === undefined ? 0.5 : opts.randomizationFacto"
     "r;\n"
     "      this._timeout = opts.timeout === undefined ? 20000 : opts.timeout;\n"
     "      this.attempts = 0;\n"
     "      this._reconnecting = false;\n"
     "      this.skipReconnect = false;\n"
     "      this._outq = [];\n"
     "      if (opts.autoConnect !== false) this.open();\n"
     "    }\n"
     "    reconnection(v) { if (v === undefined) return this._reconnection; this._reconnection = "
     "!!v; return this; }\n"
     "\n"
     "    open(fn) {\n"
     "      if (this._readyState === 'open' || this._readyState === 'opening') return this;\n"
     "      this.skipReconnect = false;\n"
     "      this._readyState = 'opening';\n"
     "      const engine = this.engine = new Engine(this.url, this.opts);\n"
     "      let timer = null;\n"
     "      const failed = (err) => {\n"
     "        clearTimeout(timer);\n"
     "        this._cleanup();\n"
     "        this._readyState = 'closed';\n"
     "        this.emitReserved('error', err);\n"
     "        if (fn) fn(err);\n"
     "        else if (!this._reconnecting && this._reconnection && this.attempts === 0) this._re"
     "connect();\n"
     "      };\n"
     "      this.subs.push(sub(engine, 'open', () => {\n"
     "        clearTimeout(timer);\n"
     "        this._onopen();\n"
     "        if (fn) fn();\n"
     "      }));\n"
     "      this.subs.push(sub(engine, 'error', failed));\n"
     "      this.subs.push(sub(engine, 'close', (reason) => failed(new Error(reason))));\n"
     "      if (this._timeout) {\n"
     "        timer = setTimeout(() => { failed(new Error('timeout')); engine.close(); }, this._t"
     "imeout);\n"
     "        this.subs.push(() => clearTimeout(timer));\n"
     "      }\n"
     "      return this;\n"
     "    }\n"
     "    connect(fn) { return this.open(fn); }\n"
     "\n"
     "    _onopen() {\n"
     "      this._cleanup();\n"
     "      this._readyState = 'open';\n"
     "      this._partial = null;\n"
     "      const e = this.engine;\n"
     "      this.subs.push(\n"
     "        sub(e, 'message', (d) => this._ondata(d)),\n"
     "        sub(e, 'ping', () => this.emitReserved('ping')),\n"
     "        sub(e, 'error', (err) => this.emitReserved('error', err)),\n"
     "        sub(e, 'close', (reason, desc) => this._onclose(reason, desc)));\n"
     "      this.emitReserved('open');\n"
     "    }\n"
     "    // A binary packet arrives as its text header followed by exactly\n"
     "    // `attachments` binary messages; anything else in between is an error.\n"
     "    _ondata(d) {\n"
     "      let p;\n"
     "      try {\n"
     "        if (typeof d === 'string') {\n"
     "          if (this._partial) throw new Error('text while expecting attachments');\n"
     "          p = sioDecode(d);\n"
     "          if (p.attachments) { this._partial = { p, bufs: [] }; return; }\n"
     "        } else {\n"
     "          if (!this._partial) throw new Error('unexpected binary');\n"
     "          const part = this._partial;\n"
     "          part.bufs.push(d);\n"
     "          if (part.bufs.length < part.p.attachments) return;\n"
     "          this._partial = null;\n"
     "          p = part.p;\n"
     "          p.data = reconstruct(p.data, part.bufs);\n"
     "        }\n"
     "      } catch (err) {\n"
     "        this._onclose('parse error', err);\n"
     "        return;\n"
     "      }\n"
     "      this.emitReserved('packet', p);\n"
     "    }\n"
     "    // Packets leave in emit order even when an earlier one holds a Blob that\n"
     "    // must first be read asynchronously.\n"
     "    _packet(p) {\n"
     "      // Remember the engine: a packet whose Blob is read after a reconnect\n"
     "      // must not leak into the new session ahead of its CONNECT.\n"
     "      this._outq.push({ engine: this.engine, msgs: sioEncode(p) });\n"
     "      if (!this._pumping) this._pump();\n"
     "    }\n"
     "    async _pump() {\n"
     "      this._pumping = true;\n"
     "      try {\n"
     "        while (this._outq.length) {\n"
     "          const { engine, msgs } = this._outq[0];\n"
     "          for (let i = 1; i < msgs.length; i++) {\n"
     "            if (hasBlob && msgs[i] instanceof Blob) msgs[i] = await msgs[i].arrayBuffer();"
     "\n"
     "          }\n"
     "          this._outq.shift();\n"
     "          if (engine) for (const m of msgs) engine.write(m);\n"
     "        }\n"
     "      } finally {\n"
     "        this._pumping = false;\n"
     "      }\n"
     "    }\n"),
    /* part 7 */
    ("    _cleanup() {\n"
     "      for (const u of this.subs) u();\n"
     "      this.subs = [];\n"
     "      this._partial = null;\n"
     "    }\n"
     "    socket(nsp, opts) {\n"
     "      let s = this.nsps[nsp];\n"
     "      if (!s) {\n"
     "        s = this.nsps[nsp] = new Socket(this, nsp, opts);\n"
     "        if (!opts || opts.autoConnect !== false) s.connect();\n"
     "      } else if (!s.active && (!opts || opts.autoConnect !== false)) s.connect();\n"
     "      return s;\n"
     "    }\n"
     "    // A socket left for good; close the Engine when none is left.\n"
     "    _destroy(socket) {\n"
     "      for (const k of Object.keys(this.nsps)) if (this.nsps[k].active) return;\n"
     "      this._close();\n"
     "    }\n"
     "    _close() {\n"
     "      this.skipReconnect = true;\n"
     "      this._reconnecting = false;\n"
     "      clearTimeout(this._reconnectTimer);\n"
     "      const e = this.engine;\n"
     "      this._onclose('forced close');\n"
     "      if (e) e.close();\n"
     "    }\n"
     "    disconnect() { this._close(); }\n"
     "    close() { this._close(); }\n"
     "    _onclose(reason, desc) {\n"
     "      this._cleanup();\n"
     "      if (this.engine && reason !== 'forced close') this.engine.close();\n"
     "      this._readyState = 'closed';\n"
     "      this.emitReserved('close', reason, desc);\n"
     "      if (this._reconnection && !this.skipReconnect) this._reconnect();\n"
     "    }\n"
     "    _backoff() {\n"
     "      const base = Math.min(this._delay * Math.pow(2, this.attempts - 1), this._delayMax);"
     "\n"
     "      const ms = base * (1 + this._jitter * (2 * Math.random() - 1));\n"
     "      return Math.max(0, Math.min(ms, this._delayMax));\n"
     "    }\n"
     "    _reconnect() {\n"
     "      if (this._reconnecting || this.skipReconnect) return;\n"
     "      if (this.attempts >= this._attemptsMax) {\n"
     "        this.attempts = 0;\n"
     "        this.emitReserved('reconnect_failed');\n"
     "        return;\n"
     "      }\n"
     "      this.attempts++;\n"
     "      this._reconnecting = true;\n"
     "      this._reconnectTimer = setTimeout(() => {\n"
     "        if (this.skipReconnect) return;\n"
     "        this.emitReserved('reconnect_attempt', this.attempts);\n"
     "        if (this.skipReconnect) return;\n"
     "        this.open((err) => {\n"
     "          this._reconnecting = false;\n"
     "          if (err) {\n"
     "            this.emitReserved('reconnect_error', err);\n"
     "            this._reconnect();\n"
     "          } else {\n"
     "            const n = this.attempts;\n"
     "            this.attempts = 0;\n"
     "            this.emitReserved('reconnect', n);\n"
     "          }\n"
     "        });\n"
     "      }, this._backoff());\n"
     "    }\n"
     "  }\n"
     "\n"
     "  /* -------------------------------------------------------------- Socket */\n"
     "  // One namespace. Events: connect, connect_error(err), disconnect(reason)\n"
     "  // plus whatever the server emits.\n"
     "\n"
     "  class Socket extends Emitter {\n"
     "    constructor(io, nsp, opts) {\n"
     "      super();\n"
     "      this.io = io;\n"
     "      this.nsp = nsp;\n"
     "      this.auth = opts && opts.auth;\n"
     "      this._opts = Object.assign({}, opts);\n"
     "      this.connected = false;\n"
     "      this.recovered = false;\n"
     "      this.id = undefined;\n"
     "      this.ids = 0;\n"
     "      this.acks = {};\n"
     "      this.receiveBuffer = [];\n"
     "      this.sendBuffer = [];\n"
     "      this._flags = {};\n"
     "      this._any = [];\n"
     "      this.subs = null;\n"
     "    }\n"
     "    get disconnected() { return !this.connected; }\n"
     "    get active() { return !!this.subs; }\n"
     "    get volatile() { this._flags.volatile = true; return this; }\n"
     "    timeout(ms) { this._flags.timeout = ms; return this; }\n"
     "    compress() { return this; }\n"
     "\n"
     "    connect() {\n"
     "      if (this.connected) return this;\n"
     "      if (!this.subs) {\n"
     "        const io = this.io;\n"
     "        this.subs = [\n"
     "          sub(io, 'open', () => this._onopen()),\n"
     "          sub(io, 'packet', (p) => { if (p.nsp === this.nsp) this._onpacket(p); }),\n"
     "          sub(io, 'error', (err) => { if (!this.connected) this.emitReserved('connect_error"
     "', err); }),\n"
     "          sub(io, 'close', (reason, desc) => this._onclose(reason, desc)),\n"
     "        ];\n"
     "      }\n"
     "      if (this.io._readyState === 'open') this._onopen();\n"
     "      else if (!this.io._reconnecting) this.io.open();\n"
     "      return this;\n"
     "    }\n"
     "    open() { return this.connect(); }\n"
     "\n"
     "    _onopen() {\n"
     "      const send = (data) => {\n"),
    /* part 8 */
    ("        // With connection state recovery the server gave us a private id\n"
     "        // and stamps events with offsets; hand both back to resume.\n"
     "        if (this._pid) data = Object.assign({ pid: this._pid, offset: this._lastOffset }, d"
     "ata);\n"
     "        this._packet({ type: T.CONNECT, data });\n"
     "      };\n"
     "      if (typeof this.auth === 'function') this.auth((d) => send(d || {}));\n"
     "      else send(this.auth ? Object.assign({}, this.auth) : undefined);\n"
     "    }\n"
     "\n"
     "    emit(ev, ...args) {\n"
     "      if (RESERVED.indexOf(ev) >= 0) throw new Error('\"' + ev + '\" is a reserved event na"
     "me');\n"
     "      const flags = this._flags;\n"
     "      this._flags = {};\n"
     "      const p = { type: T.EVENT, data: [ev].concat(args) };\n"
     "      if (typeof args[args.length - 1] === 'function') {\n"
     "        const id = this.ids++;\n"
     "        const fn = p.data.pop();\n"
     "        this._registerAck(id, fn, flags.timeout === undefined ? this._opts.ackTimeout : fla"
     "gs.timeout);\n"
     "        p.id = id;\n"
     "      }\n"
     "      if (this.connected && !(flags.volatile && !(this.io.engine && this.io.engine.transpor"
     "t.writable))) this._packet(p);\n"
     "      else if (!flags.volatile) this.sendBuffer.push(p);\n"
     "      return this;\n"
     "    }\n"
     "    send(...args) { return this.emit('message', ...args); }\n"
     "    emitWithAck(ev, ...args) {\n"
     "      const withErr = this._flags.timeout !== undefined || this._opts.ackTimeout !== undefi"
     "ned;\n"
     "      return new Promise((resolve, reject) => {\n"
     "        const fn = (a, b) => { if (!withErr) resolve(a); else if (a) reject(a); else resolv"
     "e(b); };\n"
     "        this.emit(ev, ...args, fn);\n"
     "      });\n"
     "    }\n"
     "    // With a timeout the callback gets (err, ...args); err is set when no\n"
     "    // ack came in time (or the socket disconnected first).\n"
     "    _registerAck(id, fn, ms) {\n"
     "      if (ms === undefined) { this.acks[id] = fn; return; }\n"
     "      const timer = setTimeout(() => {\n"
     "        delete this.acks[id];\n"
     "        this.sendBuffer = this.sendBuffer.filter((p) => p.id !== id);\n"
     "        fn.call(this, new Error('operation has timed out'));\n"
     "      }, ms);\n"
     "      const wrapped = (...args) => { clearTimeout(timer); fn.call(this, null, ...args); };"
     "\n"
     "      wrapped.fail = (err) => { clearTimeout(timer); fn.call(this, err); };\n"
     "      this.acks[id] = wrapped;\n"
     "    }\n"
     "    _packet(p) { p.nsp = this.nsp; this.io._packet(p); }\n"
     "\n"
     "    _onpacket(p) {\n"
     "      switch (p.type) {\n"
     "        case T.CONNECT:\n"
     "          if (p.data && typeof p.data.sid === 'string') this._onconnect(p.data.sid, p.data."
     "pid);\n"
     "          else this.emitReserved('connect_error', new Error('invalid CONNECT packet'));\n"
     "          break;\n"
     "        case T.EVENT:\n"
     "        case T.BINARY_EVENT: {\n"
     "          const args = p.data.slice();\n"
     "          if (p.id !== undefined) args.push(this._ack(p.id));\n"
     "          if (this.connected) this._dispatch(args);\n"
     "          else this.receiveBuffer.push(args);\n"
     "          break;\n"
     "        }\n"
     "        case T.ACK:\n"
     "        case T.BINARY_ACK: {\n"
     "          const fn = this.acks[p.id];\n"
     "          if (typeof fn === 'function') {\n"
     "            delete this.acks[p.id];\n"
     "            fn.apply(this, p.data);\n"
     "          }\n"
     "          break;\n"
     "        }\n"
     "        case T.DISCONNECT:\n"
     "          this._destroy();\n"
     "          this._onclose('io server disconnect');\n"
     "          break;\n"
     "        case T.CONNECT_ERROR: {\n"
     "          this._destroy();\n"
     "          const d = p.data;\n"
     "          const err = new Error(typeof d === 'string' ? d : d.message);\n"
     "          if (typeof d === 'object') err.data = d.data;\n"
     "          this.emitReserved('connect_error', err);\n"
     "          break;\n"
     "        }\n"
     "        default: break;\n"
     "      }\n"
     "    }\n"
     "    _dispatch(args) {\n"
     "      for (const fn of this._any.slice()) fn.apply(this, args);\n"
     "      if (this._pid && args.length && typeof args[args.length - 1] === 'string') this._last"
     "Offset = args[args.length - 1];\n"
     "      this.emitReserved(...args);\n"
     "    }\n"
     "    // Ack for an event the server sent with an id: 21[\"ask\"] -> 31[answer].\n"
     "    _ack(id) {\n"
     "      let sent = false;\n"
     "      return (...args) => {\n"
     "        if (sent) return;\n"),
    /* part 9 */
    ("        sent = true;\n"
     "        this._packet({ type: T.ACK, id, data: args });\n"
     "      };\n"
     "    }\n"
     "    _onconnect(id, pid) {\n"
     "      this.id = id;\n"
     "      this.recovered = !!(pid && this._pid === pid);\n"
     "      this._pid = pid;\n"
     "      this.connected = true;\n"
     "      for (const args of this.receiveBuffer) this._dispatch(args);\n"
     "      this.receiveBuffer = [];\n"
     "      this.emitReserved('connect');\n"
     "      for (const p of this.sendBuffer) this._packet(p);\n"
     "      this.sendBuffer = [];\n"
     "    }\n"
     "    _onclose(reason, desc) {\n"
     "      const was = this.connected;\n"
     "      this.connected = false;\n"
     "      this.id = undefined;\n"
     "      if (was || reason !== 'forced close') this.emitReserved('disconnect', reason, desc);"
     "\n"
     "      // Callbacks that can report an error learn that no ack will come.\n"
     "      for (const id of Object.keys(this.acks)) {\n"
     "        const fn = this.acks[id];\n"
     "        if (fn.fail) {\n"
     "          delete this.acks[id];\n"
     "          fn.fail(new Error('socket has been disconnected'));\n"
     "        }\n"
     "      }\n"
     "    }\n"
     "    _destroy() {\n"
     "      if (!this.subs) return;\n"
     "      for (const u of this.subs) u();\n"
     "      this.subs = null;\n"
     "      this.io._destroy(this);\n"
     "    }\n"
     "    disconnect() {\n"
     "      const was = this.connected;\n"
     "      if (was) this._packet({ type: T.DISCONNECT });\n"
     "      this._destroy();\n"
     "      if (was) this._onclose('io client disconnect');\n"
     "      return this;\n"
     "    }\n"
     "    close() { return this.disconnect(); }\n"
     "\n"
     "    onAny(fn) { this._any.push(fn); return this; }\n"
     "    prependAny(fn) { this._any.unshift(fn); return this; }\n"
     "    offAny(fn) {\n"
     "      if (!fn) this._any = [];\n"
     "      else this._any = this._any.filter((f) => f !== fn);\n"
     "      return this;\n"
     "    }\n"
     "    listenersAny() { return this._any.slice(); }\n"
     "  }\n"
     "\n"
     "  /* ------------------------------------------------------------------ io */\n"
     "\n"
     "  const cache = {};\n"
     "  function lookup(uri, opts) {\n"
     "    if (uri && typeof uri === 'object') { opts = uri; uri = undefined; }\n"
     "    opts = opts || {};\n"
     "    const url = new URL(uri || '/', typeof location !== 'undefined' ? location.href : undef"
     "ined);\n"
     "    const path = (opts.path || '/socket.io').replace(/\\/$/, '') + '/';\n"
     "    const key = url.protocol + '//' + url.host + path;\n"
     "    const nsp = url.pathname || '/';\n"
     "    // Like the official client: a second io() for an already used\n"
     "    // namespace gets its own connection instead of the cached socket.\n"
     "    const fresh = opts.forceNew || opts['force new connection'] || opts.multiplex === false"
     " ||\n"
     "      (cache[key] && nsp in cache[key].nsps);\n"
     "    let io;\n"
     "    if (fresh) io = new Manager(url.href, opts);\n"
     "    else io = cache[key] || (cache[key] = new Manager(url.href, opts));\n"
     "    return io.socket(nsp, opts);\n"
     "  }\n"
     "  Object.assign(lookup, { io: lookup, connect: lookup, Manager, Socket, protocol: 5 });\n"
     "\n"
     "  if (typeof module === 'object' && module && module.exports) module.exports = lookup;\n"
     "  else root.io = lookup;\n"
     "})(typeof globalThis !== 'undefined' ? globalThis : this);\n")
};
/* >>client-js end */
#endif


/* GET <path>socket.io.js: the browser client, as the Node server serves
   its own. Revalidated by ETag so browsers keep it cached. */
static int sio__serve_client(sio__conn *c, const sio_http_msg *m) {
    sio_server *srv = (sio_server *)c->owner;
    size_t pl = strlen(srv->desc.path), rl;
    const char *rest, *body, *etag;
    size_t blen;
    sio_str inm;
    char extra[160];
    if (srv->desc.no_serve_client || m->path.len <= pl || memcmp(m->path.ptr, srv->desc.path, pl) != 0) return 0;
    rest = m->path.ptr + pl;
    rl = m->path.len - pl;
    if (!((rl == 12 && memcmp(rest, "socket.io.js", 12) == 0) || (rl == 16 && memcmp(rest, "socket.io.min.js", 16) == 0)))
        return 0;
    if (srv->client_js) {
        body = srv->client_js;
        blen = srv->client_js_len;
        etag = srv->client_js_etag;
    } else {
#ifdef SIO_NO_CLIENT_JS
        return 0;
#else
        body = NULL;       /* the built-in client, written part by part below */
        blen = SIO__CLIENT_JS_LEN;
        etag = sio__client_js_etag;
#endif
    }
    snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: public, max-age=0\r\n%s", etag,
             !c->keep_alive && !body && srv->client_js == NULL ? "Connection: close\r\n" : "");
    inm = sio_http_header_get(m, "If-None-Match");
    if (inm.len == strlen(etag) && memcmp(inm.ptr, etag, inm.len) == 0) {
        sio__http_answer(c, 304, NULL, NULL, 0, extra);
        return 1;
    }
    if (m->method.len == 4 && memcmp(m->method.ptr, "HEAD", 4) == 0) {
        sio__http_answer(c, 200, "application/javascript; charset=utf-8", NULL, 0, extra);
        return 1;
    }
    if (body) {
        sio__http_answer(c, 200, "application/javascript; charset=utf-8", body, blen, extra);
        return 1;
    }
#ifndef SIO_NO_CLIENT_JS
    {
        /* the head announces the whole length, then the parts follow */
        char hmem[512];
        sio_buf h;
        int i;
        sio__stackbuf(&h, hmem, sizeof hmem);
        sio_http_write_head(&h, 200, "application/javascript; charset=utf-8", (long long)blen, extra);
        sio__conn_send(c, h.data, h.len);
        for (i = 0; i < SIO__CLIENT_JS_PARTS; i++) sio__conn_send(c, sio__client_js[i], strlen(sio__client_js[i]));
        if (!c->keep_alive) sio__conn_end(c);
    }
#endif
    return 1;
}

/* Loads desc.client_js_file once, at start-up. */
static int sio__load_client_js(sio_server *srv) {
    FILE *f = fopen(srv->desc.client_js_file, "rb");
    long n;
    unsigned char sha[20];
    if (!f) return SIO_ERR_NOT_FOUND;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return SIO_ERR_IO;
    }
    srv->client_js = (char *)sio__malloc(srv->loop.alloc, (size_t)n + 1);
    if (!srv->client_js) {
        fclose(f);
        return SIO_ERR_NOMEM;
    }
    srv->client_js_len = fread(srv->client_js, 1, (size_t)n, f);
    fclose(f);
    if (srv->client_js_len != (size_t)n) return SIO_ERR_IO;
    sio_sha1(srv->client_js, srv->client_js_len, sha);
    srv->client_js_etag[0] = '"';
    sio_base64_encode(sha, 12, srv->client_js_etag + 1, sizeof srv->client_js_etag - 2);
    strcat(srv->client_js_etag, "\"");
    return SIO_OK;
}

/* Parses requests off an HTTP connection; returns bytes consumed. */
static long sio__http_on_data(sio__conn *c, char *data, size_t len) {
    sio_server *srv = (sio_server *)c->owner;
    size_t used = 0;
    while (used < len && !(c->flags & (SIO__F_DEAD | SIO__F_CLOSING)) && c->kind == SIO__C_HTTP) {
        sio_http_msg m;
        int status = 400, hl;
        long long blen;
        sio_str origin;
        if (c->flags & SIO__F_HELD) break;  /* pipelining behind a held GET waits */
        hl = sio_http_parse_request(data + used, len - used, &m, &status);
        if (hl == 0) {
            if (!c->timer.slot)
                sio__timer_set(&c->loop->timers, c->loop->alloc, &c->timer, c->loop->now + (uint64_t)c->loop->http_timeout_ms);
            break;
        }
        if (hl < 0) {
            SIO__LOG(srv, SIO_LOG_INFO, "fd %d: bad request (%d), answering %d", c->fd, hl, status);
            c->keep_alive = 0;
            sio__http_answer(c, status, "text/plain", sio_http_reason(status), strlen(sio_http_reason(status)), NULL);
            return (long)len;
        }
        blen = m.content_length < 0 ? 0 : m.content_length;
        if (m.chunked) {
            c->keep_alive = 0;
            sio__http_answer(c, 411, "text/plain", "Length Required", 15, NULL);
            return (long)len;
        }
        c->keep_alive = (unsigned char)m.keep_alive;
        origin = sio_http_header_get(&m, "Origin");
        sio__free(c->loop->alloc, c->origin);
        c->origin = NULL;
        if (srv->desc.cors_origin && origin.len && origin.len < 512)
            c->origin = sio__strndup(c->loop->alloc, origin.ptr, origin.len);
        if (blen > srv->desc.max_payload) {
            int eio = sio__path_match(m.path, srv->desc.path) ||
                      (srv->desc.engine_path && sio__path_match(m.path, srv->desc.engine_path));
            SIO__LOG(srv, SIO_LOG_INFO, "fd %d: body of %lld bytes over max_payload, answering 413", c->fd, blen);
            c->keep_alive = 0;
            c->poll_role = (unsigned char)(eio ? SIO__ROLE_POST : 0);
            sio__http_answer(c, 413, NULL, NULL, 0, NULL);
            return (long)len;
        }
        if ((size_t)hl + (size_t)blen > len - used) {
            /* wait for the body, within the request deadline */
            if (!c->timer.slot)
                sio__timer_set(&c->loop->timers, c->loop->alloc, &c->timer, c->loop->now + (uint64_t)c->loop->http_timeout_ms);
            break;
        }
        sio__timer_cancel(&c->loop->timers, &c->timer);
        {
            char *body = data + used + hl;
            size_t consumed = (size_t)hl + (size_t)blen;
            if (sio__serve_client(c, &m))
                ;
            else if (sio__path_match(m.path, srv->desc.path))
                sio__eio_request(c, &m, body, (size_t)blen, SIO__EP_SOCKETIO);
            else if (srv->desc.engine_path && sio__path_match(m.path, srv->desc.engine_path))
                sio__eio_request(c, &m, body, (size_t)blen, SIO__EP_ENGINE);
            else
                sio__http_default(c, &m, body, (size_t)blen);
            used += consumed;
        }
        if (!(c->flags & (SIO__F_HELD | SIO__F_DEAD)) && c->kind == SIO__C_HTTP)
            sio__timer_set(&c->loop->timers, c->loop->alloc, &c->timer, c->loop->now + (uint64_t)c->loop->http_timeout_ms);
    }
    if (c->kind == SIO__C_WS && used < len && !(c->flags & SIO__F_DEAD)) {
        long more = sio__ws_on_data(c, data + used, len - used);
        if (more < 0) return more;
        used += (size_t)more;
    }
    return (long)used;
}

/* Frames off a WebSocket connection. */
static long sio__ws_on_data(sio__conn *c, char *data, size_t len) {
    size_t used = 0;
    while (!(c->flags & (SIO__F_DEAD | SIO__F_CLOSING))) {
        sio_ws_msg msg;
        int n = sio_ws_read(c->ws, (unsigned char *)data + used, len - used, &msg);
        if (n < 0) {
            sio_server *srv = (sio_server *)c->owner;
            SIO__LOG(srv, SIO_LOG_INFO, "fd %d: WebSocket error, closing with %d", c->fd, c->ws->error_code);
            sio__ws_send_close(c, c->ws->error_code);
            if (c->session) {
                sio_engine_conn *e = (sio_engine_conn *)c->session;
                if (e->ws == c) {
                    e->ws = NULL;
                    c->session = NULL;
                    sio__eio_close(e, c->ws->error_code == 1009 ? "transport error" : "parse error", 0);
                }
            }
            sio__conn_end(c);
            return (long)len;
        }
        used += (size_t)n;
        if (msg.kind == SIO_WS_NONE) {
            if (n == 0) break;
            continue;
        }
        switch (msg.kind) {
        case SIO_WS_TEXT:
        case SIO_WS_BINARY:
            sio__eio_ws_message(c, (char *)msg.data, msg.len, msg.kind == SIO_WS_BINARY);
            break;
        case SIO_WS_PING:
            sio__ws_send_frame(c, SIO_WS_OP_PONG, msg.data, msg.len);
            break;
        case SIO_WS_CLOSE:
            /* echo the status code, then close once it is written */
            sio__ws_send_close(c, msg.close_code == 1005 ? 0 : msg.close_code);
            sio__conn_end(c);
            return (long)len;
        default:
            break;
        }
    }
    return (long)used;
}

/* ---- plain HTTP for the application ---- */

SIO_API int sio_http_respond(sio_http_request *req, int status, const char *content_type, const void *body,
                             size_t len, const char *extra_headers) {
    sio__conn *c = (sio__conn *)req->conn;
    if (!c) return SIO_ERR_STATE;
    req->conn = NULL;
    sio__http_answer(c, status, content_type, body, len, extra_headers);
    return SIO_OK;
}

static void sio__http_default(sio__conn *c, const sio_http_msg *m, char *body, size_t blen) {
    sio_server *srv = (sio_server *)c->owner;
    sio_http_request req;
    if (srv->desc.on_http) {
        req.msg = m;
        req.body.ptr = body;
        req.body.len = blen;
        req.conn = c;
        srv->desc.on_http(&req, srv->desc.http_user);
        if (!req.conn) return;
        SIO__LOG(srv, SIO_LOG_WARN, "on_http returned without answering %.*s", (int)m->path.len, m->path.ptr);
    }
    sio__http_answer(c, 404, "text/plain", "Not Found", 9, NULL);
}

static void sio__conn_timeout(sio__timer *t) {
    sio__conn *c = (sio__conn *)(void *)((char *)t - offsetof(sio__conn, timer));
    sio_server *srv = (sio_server *)c->owner;
    SIO__LOG(srv, SIO_LOG_INFO, "fd %d: request not complete within %d ms, closing", c->fd, c->loop->http_timeout_ms);
    if (c->in.len) {
        c->keep_alive = 0;
        sio__http_answer(c, 408, "text/plain", "Request Timeout", 15, NULL);
    } else {
        sio__conn_close(c, SIO_ERR_TIMEOUT);
    }
}

static void sio__srv_accept(sio__conn *l) {
    sio_server *srv = (sio_server *)l->owner;
    int k;
    for (k = 0; k < SIO_ACCEPT_BURST; k++) {
        sio__conn *c;
        int fd = accept(l->fd, NULL, NULL), one = 1;
        if (fd < 0) {
            if (errno == EINTR) continue;
            if (errno == EMFILE || errno == ENFILE)
                SIO__LOG(srv, SIO_LOG_ERROR, "accept: out of file descriptors");
            return;
        }
        if (srv->nconns >= srv->desc.max_connections) {
            /* full: answer politely and close, keep accepting */
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            ssize_t w = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            close(fd);
            SIO__LOG(srv, SIO_LOG_WARN, "connection refused: max_connections (%d) reached", srv->desc.max_connections);
            continue;
        }
        if (sio__set_nonblock(fd) != SIO_OK) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = sio__conn_add(&srv->loop, fd, SIO__C_HTTP, &sio__http_ops, srv);
        if (!c) {
            close(fd);
            return;
        }
        c->timer.fn = sio__conn_timeout;
        c->keep_alive = 1;
        srv->nconns++;
#ifdef SIO_TLS_BEARSSL
        /* the handshake must finish within the request deadline too */
        if (srv->tls_ctx && !(c->tls = sio__tls_new((sio__tls_ctx *)srv->tls_ctx, NULL))) {
            sio__conn_close(c, SIO_ERR_NOMEM);
            continue;
        }
#endif
        sio__timer_set(&srv->loop.timers, srv->loop.alloc, &c->timer, srv->loop.now + (uint64_t)srv->loop.http_timeout_ms);
    }
}

/* ---- the bare Engine.IO API ---- */

SIO_API int sio_engine_send(sio_engine_conn *c, const void *data, size_t len, int binary) {
    if (!c || c->closed) return SIO_ERR_CLOSED;
    sio__eio_send(c, SIO_EIO_MESSAGE, data, len, binary);
    return SIO_OK;
}

SIO_API void sio_engine_close(sio_engine_conn *c) {
    if (c && !c->closed) sio__eio_close(c, "forced close", 1);
}

/* =====================================================================
   >>sio: Socket.IO v5 server
   =====================================================================
   Each Engine.IO connection joins namespaces with CONNECT packets; each
   joined namespace is a sio_socket with its own id (not the Engine.IO sid).
   Binary packets arrive as a text header ("51-[...placeholder...]")
   followed by exactly that many binary messages; the event is delivered
   once the last attachment is in. */

static void sio__socket_close(sio_socket *s, const char *reason, int notify_client);

static sio_namespace *sio__nsp_find(sio_server *srv, const char *name, size_t n) {
    sio_namespace *nsp;
    for (nsp = srv->nsps; nsp; nsp = nsp->next)
        if (strlen(nsp->name) == n && memcmp(nsp->name, name, n) == 0) return nsp;
    return NULL;
}

/* Sends one Socket.IO packet (plus attachments) to one connection. */
static void sio__sio_send(sio_engine_conn *e, const char *pkt, size_t n, const sio_str *bins, int nbins) {
    int i;
    sio__eio_send(e, SIO_EIO_MESSAGE, pkt, n, 0);
    for (i = 0; i < nbins; i++) sio__eio_send(e, SIO_EIO_MESSAGE, bins[i].ptr, bins[i].len, 1);
}

/* Builds "<type>[N-][/nsp,][id]" + args into srv->tmp. */
static int sio__build(sio_server *srv, int type, const sio_namespace *nsp, long long ack_id, const char *event,
                      const sio_msg *args) {
    sio_buf *b = &srv->tmp;
    int nbins = args ? args->nbins : 0;
    sio_buf_reset(b);
    if (nbins) type = type == SIO_PKT_EVENT ? SIO_PKT_BINARY_EVENT : SIO_PKT_BINARY_ACK;
    sio_packet_write(b, type, nbins, nsp->name, strlen(nsp->name), ack_id, NULL, 0);
    if (event) {
        sio_json_writer w;
        sio_json_writer_init(&w, b);
        sio_buf_appendc(b, '[');
        sio_json_str(&w, event);
        if (w.err) return w.err;
        if (!args || args->buf.len <= 1) {
            sio_buf_appendc(b, ']');
        } else {
            sio_buf_appendc(b, ',');
            sio__msg_append(b, args);
            /* drop the '[' of the args array: "[" + event + "," + a1,a2 + "]" */
            {
                size_t at = b->len - args->buf.len - 1;
                memmove(b->data + at, b->data + at + 1, b->len - at - 1);
                b->len--;
            }
        }
    } else {
        sio__msg_append(b, args);
    }
    return b->err;
}

/* ---- rooms ---- */

static sio__room *sio__room_get(sio_namespace *nsp, const char *name, int create) {
    void **v = sio__map_find(&nsp->rooms, name, strlen(name));
    sio__room *r;
    const sio_allocator *a = nsp->srv->loop.alloc;
    if (v) return (sio__room *)*v;
    if (!create) return NULL;
    r = (sio__room *)sio__malloc(a, sizeof *r);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->name = sio__strndup(a, name, strlen(name));
    if (!r->name || sio__map_put(&nsp->rooms, a, r->name, r) != SIO_OK) {
        sio__free(a, r->name);
        sio__free(a, r);
        return NULL;
    }
    return r;
}

static void sio__room_drop(sio_namespace *nsp, sio__room *r) {
    const sio_allocator *a = nsp->srv->loop.alloc;
    sio__map_del(&nsp->rooms, r->name);
    sio__free(a, r->members);
    sio__free(a, r->name);
    sio__free(a, r);
}

SIO_API int sio_join(sio_socket *s, const char *room) {
    const sio_allocator *a;
    sio__room *r;
    size_t i;
    if (!s || !s->connected || !room) return SIO_ERR_STATE;
    a = s->nsp->srv->loop.alloc;
    for (i = 0; i < s->nrooms; i++)
        if (strcmp(s->rooms[i]->name, room) == 0) return SIO_OK;
    r = sio__room_get(s->nsp, room, 1);
    if (!r) return SIO_ERR_NOMEM;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        sio_socket **p = (sio_socket **)sio__realloc(a, r->members, cap * sizeof *p);
        if (!p) return SIO_ERR_NOMEM;
        r->members = p;
        r->cap = cap;
    }
    if (s->nrooms == s->rooms_cap) {
        size_t cap = s->rooms_cap ? s->rooms_cap * 2 : 2;
        sio__room **p = (sio__room **)sio__realloc(a, s->rooms, cap * sizeof *p);
        if (!p) return SIO_ERR_NOMEM;
        s->rooms = p;
        s->rooms_cap = cap;
    }
    r->members[r->n++] = s;
    s->rooms[s->nrooms++] = r;
    return SIO_OK;
}

SIO_API int sio_leave(sio_socket *s, const char *room) {
    size_t i, j;
    if (!s || !room) return SIO_ERR_INVALID;
    for (i = 0; i < s->nrooms; i++) {
        sio__room *r = s->rooms[i];
        if (strcmp(r->name, room) != 0) continue;
        for (j = 0; j < r->n; j++)
            if (r->members[j] == s) {
                r->members[j] = r->members[--r->n];
                break;
            }
        s->rooms[i] = s->rooms[--s->nrooms];
        if (r->n == 0) sio__room_drop(s->nsp, r);
        return SIO_OK;
    }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_in_room(const sio_socket *s, const char *room) {
    size_t i;
    if (s && room && strcmp(s->id, room) == 0) return 1;
    for (i = 0; s && i < s->nrooms; i++)
        if (strcmp(s->rooms[i]->name, room) == 0) return 1;
    return 0;
}

/* ---- namespace connect ---- */

static void sio__sio_on_open(sio_engine_conn *e) {
    sio__loop *L = &e->srv->loop;
    sio__timer_set(&L->timers, L->alloc, &e->connect_timer, L->now + (uint64_t)e->srv->desc.connect_timeout_ms);
}

static void sio__connect_error(sio_engine_conn *e, sio_str nsp, const char *message, const char *data_json) {
    sio_server *srv = e->srv;
    sio_buf *b = &srv->tmp;
    sio_json_writer w;
    sio_buf_reset(b);
    sio_packet_write(b, SIO_PKT_CONNECT_ERROR, 0, nsp.ptr, nsp.len, -1, NULL, 0);
    sio_json_writer_init(&w, b);
    sio_json_obj_begin(&w);
    sio_json_key(&w, "message");
    sio_json_str(&w, message ? message : "");
    if (data_json) {
        sio_json d;
        sio_json_key(&w, "data");
        if (sio_json_parse(data_json, strlen(data_json), &d) == SIO_OK) sio_json_raw(&w, data_json, strlen(data_json));
        else sio_json_str(&w, data_json);
    }
    sio_json_obj_end(&w);
    if (sio_json_writer_finish(&w) == SIO_OK) sio__sio_send(e, b->data, b->len, NULL, 0);
}

static void sio__sio_connect(sio_engine_conn *e, const sio_packet *p) {
    sio_server *srv = e->srv;
    const sio_allocator *a = srv->loop.alloc;
    sio_namespace *nsp = sio__nsp_find(srv, p->nsp.ptr, p->nsp.len);
    sio_socket *s;
    sio__mw *mw;
    char reply[64];
    int n;
    if (!nsp) {
        sio__connect_error(e, p->nsp, "Invalid namespace", NULL);
        return;
    }
    for (s = e->sockets; s; s = s->next_in_conn)
        if (s->nsp == nsp) {
            SIO__LOG(srv, SIO_LOG_INFO, "session %s: CONNECT to %s twice, closing", e->sid, nsp->name);
            sio__eio_close(e, "parse error", 1);
            return;
        }
    s = (sio_socket *)sio__malloc(a, sizeof *s);
    if (!s) return;
    memset(s, 0, sizeof *s);
    s->nsp = nsp;
    s->eio = e;
    sio__rng_id(&srv->rng, s->id);
    if (p->data.len) {
        s->auth = sio__strndup(a, p->data.ptr, p->data.len);
        s->auth_len = p->data.len;
        if (!s->auth) {
            sio__free(a, s);
            return;
        }
    }
    /* visible to middleware and handlers through the connection list */
    s->next_in_conn = e->sockets;
    e->sockets = s;
    for (mw = nsp->mws; mw; mw = mw->next) {
        const char *msg = NULL, *data = NULL;
        if (mw->fn(s, sio_socket_auth(s), &msg, &data, mw->user) != 0) {
            e->sockets = s->next_in_conn;
            sio__connect_error(e, p->nsp, msg ? msg : "refused", data);
            sio__free(a, s->auth);
            sio__free(a, s);
            return;
        }
        if (e->closed) return;
    }
    s->connected = 1;
    e->joined_ever = 1;
    sio__timer_cancel(&srv->loop.timers, &e->connect_timer);
    s->next_in_nsp = nsp->sockets;
    if (nsp->sockets) nsp->sockets->prev_in_nsp = s;
    nsp->sockets = s;
    nsp->count++;
    /* every socket is in the room named after its id; that room is the
       ids map, not a room object, to keep idle sockets small */
    if (sio__map_put(&nsp->ids, srv->loop.alloc, s->id, s) != SIO_OK) {
        sio__socket_close(s, "server shutting down", 1);
        return;
    }
    /* the reply goes before anything the handler emits */
    n = snprintf(reply, sizeof reply, "{\"sid\":\"%s\"}", s->id);
    sio_buf_reset(&srv->tmp);
    sio_packet_write(&srv->tmp, SIO_PKT_CONNECT, 0, nsp->name, strlen(nsp->name), -1, reply, (size_t)n);
    sio__sio_send(e, srv->tmp.data, srv->tmp.len, NULL, 0);
    if (nsp->on_connection) nsp->on_connection(s, nsp->connection_user);
}

/* ---- incoming events and acks ---- */

static sio_socket *sio__socket_for(sio_engine_conn *e, sio_str nsp) {
    sio_socket *s;
    for (s = e->sockets; s; s = s->next_in_conn)
        if (s->connected && strlen(s->nsp->name) == nsp.len && memcmp(s->nsp->name, nsp.ptr, nsp.len) == 0) return s;
    return NULL;
}

static void sio__dispatch(sio_engine_conn *e, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_socket *s;
    if (p->type == SIO_PKT_CONNECT) {
        sio__sio_connect(e, p);
        return;
    }
    s = sio__socket_for(e, p->nsp);
    if (!s || p->type == SIO_PKT_CONNECT_ERROR) {
        /* a packet for a namespace not joined: Node closes the connection */
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: packet type %d for a namespace not joined, closing", e->sid,
                 p->type);
        sio__eio_close(e, "parse error", 1);
        return;
    }
    if (p->type == SIO_PKT_DISCONNECT) {
        sio__socket_close(s, "client namespace disconnect", 0);
        return;
    }
    if (p->type == SIO_PKT_EVENT || p->type == SIO_PKT_BINARY_EVENT) {
        sio_event ev;
        sio_json name;
        sio__handler *h;
        char namebuf[SIO_MAX_EVENT_LEN + 1];
        memset(&ev, 0, sizeof ev);
        ev.socket = s;
        ev.ack_id = p->ack_id;
        ev.args.array = p->json;
        ev.args.first = 1;
        ev.args.count = sio_json_count(p->json) - 1;
        ev.args.bins = bins;
        ev.args.nbins = (size_t)nbins;
        sio_json_at(p->json, 0, &name);
        if (name.type == SIO_JSON_STRING) {
            if (sio_json_strcpy(name, namebuf, sizeof namebuf) >= sizeof namebuf) {
                sio__eio_close(e, "parse error", 1);
                return;
            }
        } else {
            snprintf(namebuf, sizeof namebuf, "%.*s", (int)name.len, name.ptr);
        }
        ev.name.ptr = namebuf;
        ev.name.len = strlen(namebuf);
        for (h = s->nsp->handlers; h; h = h->next) {
            if (strcmp(h->event, namebuf) == 0 || strcmp(h->event, "*") == 0) h->fn(&ev, h->user);
            if (!s->connected || e->closed) break;
        }
        return;
    }
    /* ACK / BINARY_ACK */
    {
        sio__pending_ack **pp, *pa;
        for (pp = &s->acks; (pa = *pp) != NULL; pp = &pa->next)
            if (pa->id == p->ack_id) break;
        if (pa) {
            sio_args args;
            *pp = pa->next;
            sio__timer_cancel(&e->srv->loop.timers, &pa->timer);
            memset(&args, 0, sizeof args);
            args.array = p->json;
            args.count = sio_json_count(p->json);
            args.bins = bins;
            args.nbins = (size_t)nbins;
            pa->fn(s, SIO_OK, &args, pa->user);
            sio__free(e->srv->loop.alloc, pa);
        }
    }
}

static void sio__sio_on_message(sio_engine_conn *e, char *data, size_t len, int binary) {
    sio_packet p;
    sio__binpend *bp = e->bin;
    if (binary) {
        if (!bp) {
            SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: binary message with no packet waiting for it", e->sid);
            sio__eio_close(e, "parse error", 1);
            return;
        }
        if (sio_buf_append(&bp->data, data, len) != SIO_OK) {
            sio__eio_close(e, "transport error", 1);
            return;
        }
        bp->off[++bp->have] = bp->data.len;
        if (bp->have < bp->need) return;
        /* the last attachment: deliver, with the bytes as views */
        e->bin = NULL;
        if (sio_packet_parse(bp->head.data, bp->head.len, &p) == SIO_OK) {
            sio_str bins[SIO_MAX_ATTACHMENTS];
            int i;
            for (i = 0; i < bp->need; i++) {
                bins[i].ptr = bp->data.data + bp->off[i];
                bins[i].len = bp->off[i + 1] - bp->off[i];
            }
            sio__dispatch(e, &p, bins, bp->have);
        }
        e->bin = bp;
        sio__binpend_free(e->srv, e);
        return;
    }
    if (bp) {
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: text while attachments were expected", e->sid);
        sio__eio_close(e, "parse error", 1);
        return;
    }
    if (sio_packet_parse(data, len, &p) != SIO_OK) {
        SIO__LOG(e->srv, SIO_LOG_INFO, "session %s: malformed Socket.IO packet, closing", e->sid);
        sio__eio_close(e, "parse error", 1);
        return;
    }
    if (p.attachments) {
        bp = (sio__binpend *)sio__malloc(e->srv->loop.alloc, sizeof *bp);
        if (!bp) {
            sio__eio_close(e, "transport error", 1);
            return;
        }
        memset(bp, 0, sizeof *bp);
        bp->head.alloc = bp->data.alloc = e->srv->loop.alloc;
        bp->need = p.attachments;
        e->bin = bp;
        if (sio_buf_append(&bp->head, data, len) != SIO_OK) sio__eio_close(e, "transport error", 1);
        return;
    }
    sio__dispatch(e, &p, NULL, 0);
}

/* ---- closing sockets ---- */

static void sio__socket_close(sio_socket *s, const char *reason, int notify_client) {
    sio_namespace *nsp = s->nsp;
    sio_engine_conn *e = s->eio;
    sio_server *srv = nsp->srv;
    sio_socket **pp;
    if (!s->connected) return;
    s->connected = 0;
    if (notify_client && !e->closed) {
        sio_buf_reset(&srv->tmp);
        sio_packet_write(&srv->tmp, SIO_PKT_DISCONNECT, 0, nsp->name, strlen(nsp->name), -1, NULL, 0);
        sio__sio_send(e, srv->tmp.data, srv->tmp.len, NULL, 0);
    }
    while (s->nrooms) sio_leave(s, s->rooms[s->nrooms - 1]->name);
    sio__map_del(&nsp->ids, s->id);
    if (s->prev_in_nsp) s->prev_in_nsp->next_in_nsp = s->next_in_nsp;
    else nsp->sockets = s->next_in_nsp;
    if (s->next_in_nsp) s->next_in_nsp->prev_in_nsp = s->prev_in_nsp;
    nsp->count--;
    for (pp = &e->sockets; *pp; pp = &(*pp)->next_in_conn)
        if (*pp == s) {
            *pp = s->next_in_conn;
            break;
        }
    while (s->acks) {
        sio__pending_ack *pa = s->acks;
        s->acks = pa->next;
        sio__timer_cancel(&srv->loop.timers, &pa->timer);
        pa->fn(s, SIO_ERR_CLOSED, NULL, pa->user);
        sio__free(srv->loop.alloc, pa);
    }
    if (nsp->on_disconnect) nsp->on_disconnect(s, reason, nsp->disconnect_user);
    s->next_dead = srv->dead_sockets;
    srv->dead_sockets = s;
}

static void sio__sio_on_close(sio_engine_conn *e, const char *reason) {
    while (e->sockets) sio__socket_close(e->sockets, reason, 0);
}

/* ---- public socket API ---- */

SIO_API const char *sio_socket_id(const sio_socket *s) { return s->id; }
SIO_API const char *sio_namespace_name(const sio_namespace *nsp) { return nsp->name; }
SIO_API sio_namespace *sio_socket_nsp(const sio_socket *s) { return s->nsp; }
SIO_API void *sio_socket_data(const sio_socket *s) { return s->data; }
SIO_API void sio_socket_set_data(sio_socket *s, void *data) { s->data = data; }

SIO_API sio_json sio_socket_auth(const sio_socket *s) {
    sio_json j;
    if (!s->auth || sio_json_parse(s->auth, s->auth_len, &j) != SIO_OK) sio_json_parse("{}", 2, &j);
    return j;
}

SIO_API int sio_emit(sio_socket *s, const char *event, const sio_msg *args) {
    sio_server *srv;
    int rc;
    if (!s || !s->connected || s->eio->closed) return SIO_ERR_CLOSED;
    if (!event) return SIO_ERR_INVALID;
    srv = s->nsp->srv;
    rc = sio__build(srv, SIO_PKT_EVENT, s->nsp, -1, event, args);
    if (rc != SIO_OK) return rc;
    sio__sio_send(s->eio, srv->tmp.data, srv->tmp.len, args ? args->bins : NULL, args ? args->nbins : 0);
    return SIO_OK;
}

SIO_API int sio_emit_json(sio_socket *s, const char *event, const char *json_args) {
    sio_msg m;
    int rc;
    sio_msg_init(&m);
    rc = sio_msg_json(&m, json_args);
    if (rc == SIO_OK) rc = sio_emit(s, event, &m);
    sio_msg_free(&m);
    return rc;
}

static void sio__ack_due(sio__timer *t) {
    sio__pending_ack *pa = (sio__pending_ack *)(void *)((char *)t - offsetof(sio__pending_ack, timer));
    sio_socket *s = pa->socket;
    sio__pending_ack **pp;
    for (pp = &s->acks; *pp; pp = &(*pp)->next)
        if (*pp == pa) {
            *pp = pa->next;
            break;
        }
    pa->fn(s, SIO_ERR_TIMEOUT, NULL, pa->user);
    sio__free(s->nsp->srv->loop.alloc, pa);
}

SIO_API int sio_emit_ack(sio_socket *s, const char *event, const sio_msg *args, int timeout_ms, sio_ack_fn fn,
                         void *user) {
    sio_server *srv;
    sio__pending_ack *pa;
    int rc;
    if (!s || !s->connected || s->eio->closed) return SIO_ERR_CLOSED;
    if (!event || !fn) return SIO_ERR_INVALID;
    srv = s->nsp->srv;
    pa = (sio__pending_ack *)sio__malloc(srv->loop.alloc, sizeof *pa);
    if (!pa) return SIO_ERR_NOMEM;
    memset(pa, 0, sizeof *pa);
    pa->id = s->next_ack++;
    pa->socket = s;
    pa->fn = fn;
    pa->user = user;
    pa->timer.fn = sio__ack_due;
    rc = sio__build(srv, SIO_PKT_EVENT, s->nsp, pa->id, event, args);
    if (rc != SIO_OK) {
        sio__free(srv->loop.alloc, pa);
        return rc;
    }
    pa->next = s->acks;
    s->acks = pa;
    if (timeout_ms > 0) sio__timer_set(&srv->loop.timers, srv->loop.alloc, &pa->timer, srv->loop.now + (uint64_t)timeout_ms);
    sio__sio_send(s->eio, srv->tmp.data, srv->tmp.len, args ? args->bins : NULL, args ? args->nbins : 0);
    return SIO_OK;
}

SIO_API int sio_ack(sio_socket *s, long long ack_id, const sio_msg *args) {
    sio_server *srv;
    int rc;
    if (!s || !s->connected || s->eio->closed) return SIO_ERR_CLOSED;
    if (ack_id < 0) return SIO_ERR_INVALID;
    srv = s->nsp->srv;
    rc = sio__build(srv, SIO_PKT_ACK, s->nsp, ack_id, NULL, args);
    if (rc != SIO_OK) return rc;
    sio__sio_send(s->eio, srv->tmp.data, srv->tmp.len, args ? args->bins : NULL, args ? args->nbins : 0);
    return SIO_OK;
}

SIO_API void sio_disconnect(sio_socket *s) {
    if (s && s->connected) sio__socket_close(s, "server namespace disconnect", 1);
}

/* ---- broadcast: encode once, write to every receiver ---- */

static void sio__bcast_send(sio_socket *s, const sio_buf *pkt, const sio_msg *args, uint64_t gen) {
    if (s->mark_skip == gen || s->mark_sent == gen || !s->connected || s->eio->closed) return;
    s->mark_sent = gen;
    sio__sio_send(s->eio, pkt->data, pkt->len, args ? args->bins : NULL, args ? args->nbins : 0);
}

SIO_API int sio_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args) {
    sio_server *srv;
    uint64_t gen;
    size_t i, j;
    int rc;
    sio_buf pkt;
    if (!nsp || !event) return SIO_ERR_INVALID;
    srv = nsp->srv;
    rc = sio__build(srv, SIO_PKT_EVENT, nsp, -1, event, args);
    if (rc != SIO_OK) return rc;
    /* the receivers may drop (and log, and use tmp) while we write: own the bytes */
    pkt = srv->tmp;
    memset(&srv->tmp, 0, sizeof srv->tmp);
    srv->tmp.alloc = srv->loop.alloc;
    gen = ++srv->bcast_gen;
    if (to) {
        for (i = 0; i < to->nexcept; i++) {
            sio__room *r = sio__room_get(nsp, to->except[i], 0);
            void **one = r ? NULL : sio__map_find(&nsp->ids, to->except[i], strlen(to->except[i]));
            for (j = 0; r && j < r->n; j++) r->members[j]->mark_skip = gen;
            if (one) ((sio_socket *)*one)->mark_skip = gen;
        }
    }
    if (!to || !to->rooms) {
        sio_socket *s, *next;
        for (s = nsp->sockets; s; s = next) {
            next = s->next_in_nsp;
            sio__bcast_send(s, &pkt, args, gen);
        }
    } else {
        for (i = 0; i < to->nrooms; i++) {
            sio__room *r = sio__room_get(nsp, to->rooms[i], 0);
            void **one = r ? NULL : sio__map_find(&nsp->ids, to->rooms[i], strlen(to->rooms[i]));
            for (j = 0; r && j < r->n; j++) sio__bcast_send(r->members[j], &pkt, args, gen);
            if (one) sio__bcast_send((sio_socket *)*one, &pkt, args, gen);
        }
    }
    sio_buf_free(&srv->tmp);
    srv->tmp = pkt;
    return SIO_OK;
}

SIO_API int sio_broadcast_all(sio_server *srv, const char *event, const sio_msg *args) {
    sio_namespace *nsp;
    int rc = SIO_OK;
    for (nsp = srv->nsps; nsp; nsp = nsp->next) {
        int r = sio_broadcast(nsp, NULL, event, args);
        if (r != SIO_OK) rc = r;
    }
    return rc;
}

SIO_API size_t sio_nsp_count(const sio_namespace *nsp) { return nsp ? nsp->count : 0; }

SIO_API size_t sio_room_size(sio_namespace *nsp, const char *room) {
    sio__room *r = nsp && room ? sio__room_get(nsp, room, 0) : NULL;
    if (!r && nsp && room) return sio__map_find(&nsp->ids, room, strlen(room)) ? 1 : 0;
    return r ? r->n : 0;
}

/* ---- namespaces and handlers ---- */

SIO_API sio_namespace *sio_of(sio_server *srv, const char *name) {
    sio_namespace *nsp;
    const sio_allocator *a = srv->loop.alloc;
    if (!name || name[0] != '/' || strlen(name) > SIO_MAX_NSP_LEN) return NULL;
    nsp = sio__nsp_find(srv, name, strlen(name));
    if (nsp) return nsp;
    nsp = (sio_namespace *)sio__malloc(a, sizeof *nsp);
    if (!nsp) return NULL;
    memset(nsp, 0, sizeof *nsp);
    nsp->name = sio__strndup(a, name, strlen(name));
    if (!nsp->name) {
        sio__free(a, nsp);
        return NULL;
    }
    nsp->srv = srv;
    nsp->next = srv->nsps;
    srv->nsps = nsp;
    return nsp;
}

SIO_API void sio_on_connection(sio_namespace *nsp, sio_socket_fn fn, void *user) {
    nsp->on_connection = fn;
    nsp->connection_user = user;
}

SIO_API void sio_on_disconnect(sio_namespace *nsp, sio_disconnect_fn fn, void *user) {
    nsp->on_disconnect = fn;
    nsp->disconnect_user = user;
}

SIO_API void sio_use(sio_namespace *nsp, sio_middleware_fn fn, void *user) {
    sio__mw *m = (sio__mw *)sio__malloc(nsp->srv->loop.alloc, sizeof *m), **pp;
    if (!m) return;
    m->fn = fn;
    m->user = user;
    m->next = NULL;
    for (pp = &nsp->mws; *pp; pp = &(*pp)->next) {}
    *pp = m;
}

SIO_API int sio_on(sio_namespace *nsp, const char *event, sio_event_fn fn, void *user) {
    const sio_allocator *a = nsp->srv->loop.alloc;
    sio__handler *h = (sio__handler *)sio__malloc(a, sizeof *h), **pp;
    if (!h) return SIO_ERR_NOMEM;
    h->event = sio__strndup(a, event, strlen(event));
    if (!h->event) {
        sio__free(a, h);
        return SIO_ERR_NOMEM;
    }
    h->fn = fn;
    h->user = user;
    h->next = NULL;
    for (pp = &nsp->handlers; *pp; pp = &(*pp)->next) {}
    *pp = h;
    return SIO_OK;
}

/* ---- the server object ---- */

static void sio__srv_reap(sio_server *srv) {
    const sio_allocator *a = srv->loop.alloc;
    while (srv->dead_sockets) {
        sio_socket *s = srv->dead_sockets;
        srv->dead_sockets = s->next_dead;
        sio__free(a, s->rooms);
        sio__free(a, s->auth);
        sio__free(a, s);
    }
    while (srv->dead_sessions) {
        sio_engine_conn *e = srv->dead_sessions;
        srv->dead_sessions = e->next_dead;
        sio__free(a, e);
    }
}

SIO_API sio_server *sio_server_create(const sio_server_desc *desc, int *err) {
    sio_server_desc d;
    sio_server *srv;
    const sio_allocator *a;
    int rc, fd;
    sio__conn *l;
    if (err) *err = SIO_OK;
    memset(&d, 0, sizeof d);
    if (desc) d = *desc;
    a = (d.allocator.alloc_fn || d.allocator.free_fn) ? &d.allocator : NULL;
    srv = (sio_server *)sio__malloc(a, sizeof *srv);
    if (!srv) {
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    memset(srv, 0, sizeof *srv);
    srv->desc = d;
    srv->allocator = d.allocator;
    srv->logger = d.logger;
    if (!srv->desc.path) srv->desc.path = "/socket.io/";
    if (srv->desc.ping_interval_ms <= 0) srv->desc.ping_interval_ms = 25000;
    if (srv->desc.ping_timeout_ms <= 0) srv->desc.ping_timeout_ms = 20000;
    if (srv->desc.max_payload <= 0) srv->desc.max_payload = 1000000;
    if (srv->desc.connect_timeout_ms <= 0) srv->desc.connect_timeout_ms = 45000;
    if (srv->desc.upgrade_timeout_ms <= 0) srv->desc.upgrade_timeout_ms = 10000;
    if (srv->desc.max_connections <= 0) srv->desc.max_connections = SIO_MAX_CONNECTIONS;
    if (srv->desc.max_packets_per_payload <= 0) srv->desc.max_packets_per_payload = SIO_MAX_PACKETS_PER_PAYLOAD;
    rc = sio__loop_init(&srv->loop, a ? &srv->allocator : NULL, &srv->logger, srv->desc.max_output);
    if (rc != SIO_OK) {
        sio__free(a, srv);
        if (err) *err = rc;
        return NULL;
    }
    a = srv->loop.alloc;
    srv->loop.http_timeout_ms = srv->desc.http_timeout_ms > 0 ? srv->desc.http_timeout_ms : SIO_HTTP_TIMEOUT_MS;
    srv->tmp.alloc = srv->tmp2.alloc = a;
    sio__rng_init(&srv->rng);
    if (srv->desc.host) {
        rc = sio__listen(srv->desc.host, srv->desc.port, &fd, &srv->port);
    } else {
        /* every address, IPv6 and IPv4 on one socket, so "localhost" works
           whichever way the browser resolves it; IPv4 only without IPv6 */
        srv->desc.host = "::";
        rc = sio__listen(srv->desc.host, srv->desc.port, &fd, &srv->port);
        if (rc != SIO_OK) {
            srv->desc.host = "0.0.0.0";
            rc = sio__listen(srv->desc.host, srv->desc.port, &fd, &srv->port);
        }
    }
    if (rc != SIO_OK) {
        SIO__LOG(srv, SIO_LOG_ERROR, "cannot listen on %s:%d: %s", srv->desc.host, srv->desc.port, strerror(errno));
        sio_server_destroy(srv);
        if (err) *err = rc;
        return NULL;
    }
    l = sio__conn_add(&srv->loop, fd, SIO__C_LISTEN, NULL, srv);
    if (!l) {
        close(fd);
        sio_server_destroy(srv);
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    srv->listen_fd = fd;
    if (srv->desc.tls.cert_file || srv->desc.tls.cert_pem) {
#ifdef SIO_TLS_BEARSSL
        char why[256];
        sio__tls_ctx *ctx = NULL;
        rc = sio__tls_ctx_new(a, &srv->desc.tls, 1, &ctx, why, sizeof why);
        if (rc != SIO_OK) {
            SIO__LOG(srv, SIO_LOG_ERROR, "TLS: %s", why);
            sio_server_destroy(srv);
            if (err) *err = rc;
            return NULL;
        }
        srv->tls_ctx = ctx;
#else
        SIO__LOG(srv, SIO_LOG_ERROR, "TLS asked for, but this build has no SIO_TLS_BEARSSL");
        sio_server_destroy(srv);
        if (err) *err = SIO_ERR_UNSUPPORTED;
        return NULL;
#endif
    }
    if (srv->desc.client_js_file && (rc = sio__load_client_js(srv)) != SIO_OK) {
        SIO__LOG(srv, SIO_LOG_ERROR, "cannot load client_js_file %s", srv->desc.client_js_file);
        sio_server_destroy(srv);
        if (err) *err = rc;
        return NULL;
    }
    if (!sio_of(srv, "/")) {
        sio_server_destroy(srv);
        if (err) *err = SIO_ERR_NOMEM;
        return NULL;
    }
    SIO__LOG(srv, SIO_LOG_INFO, "listening on %s port %d", srv->desc.host, srv->port);
    return srv;
}

SIO_API int sio_server_port(const sio_server *srv) { return srv ? srv->port : 0; }

SIO_API int sio_server_poll(sio_server *srv, int timeout_ms) {
    int rc = sio__loop_poll(&srv->loop, timeout_ms, sio__srv_accept);
    sio__srv_reap(srv);
    return rc;
}

SIO_API int sio_server_run(sio_server *srv) {
    int rc = SIO_OK;
    srv->loop.stop = 0;
    while (!srv->loop.stop && rc == SIO_OK) rc = sio_server_poll(srv, 1000);
    return rc;
}

SIO_API void sio_server_stop(sio_server *srv) { srv->loop.stop = 1; }

SIO_API int sio_server_fds(sio_server *srv, struct pollfd *fds, int max, int *timeout_ms) {
    int n;
    sio__srv_reap(srv);
    n = sio__loop_fds(&srv->loop, fds, max, timeout_ms);
    sio__srv_reap(srv);
    return n;
}

SIO_API int sio_server_process(sio_server *srv, const struct pollfd *fds, int n) {
    int rc = sio__loop_process_fds(&srv->loop, fds, n, sio__srv_accept);
    sio__srv_reap(srv);
    return rc;
}

SIO_API void sio_server_destroy(sio_server *srv) {
    const sio_allocator *a;
    sio_namespace *nsp;
    size_t i;
    if (!srv) return;
    a = srv->loop.alloc;
    /* end every session first, so handlers see their disconnects */
    for (i = 0; i < srv->sessions.cap; i++) {
        sio__map_ent *me = &srv->sessions.e[i];
        if (me->key && me->key != sio__tombstone) sio__eio_close((sio_engine_conn *)me->val, "server shutting down", 1);
    }
    sio__loop_flush(&srv->loop);
    sio__loop_free(&srv->loop);
    sio__srv_reap(srv);
#ifdef SIO_TLS_BEARSSL
    if (srv->tls_ctx) sio__tls_ctx_free((sio__tls_ctx *)srv->tls_ctx);
#endif
    while ((nsp = srv->nsps) != NULL) {
        sio__handler *h;
        sio__mw *m;
        srv->nsps = nsp->next;
        while ((h = nsp->handlers) != NULL) {
            nsp->handlers = h->next;
            sio__free(a, h->event);
            sio__free(a, h);
        }
        while ((m = nsp->mws) != NULL) {
            nsp->mws = m->next;
            sio__free(a, m);
        }
        sio__free(a, nsp->rooms.e);
        sio__free(a, nsp->ids.e);
        sio__free(a, nsp->name);
        sio__free(a, nsp);
    }
    sio__free(a, srv->sessions.e);
    sio_buf_free(&srv->tmp);
    sio_buf_free(&srv->tmp2);
    sio__free(a, srv->client_js);
    if (srv->rng.fd >= 0) close(srv->rng.fd);
    sio__free(a, srv);
}

#ifndef SIO_NO_CLIENT
#include "wip/client_impl.h"
#endif
#include "wip/stream_impl.h"

#endif /* SOCKETIO_IMPLEMENTATION_DONE */
#endif /* SOCKETIO_IMPLEMENTATION */
