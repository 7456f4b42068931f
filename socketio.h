/* socketio.h - Socket.IO server and client in one C header.

   Realtime, event-based, bi-directional messaging with browsers and any
   Socket.IO v4 peer (Engine.IO protocol v4, Socket.IO protocol v5), on
   nothing but libc and POSIX sockets (or lwIP's, SIO_LWIP). MIT licensed:
   the license text is at the end of this file.

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
     Or it listens on nothing (desc.no_listen) and an HTTP server the
     program already runs hands it connections (sio_server_adopt) or
     requests (sio_server_request), as Node's new Server(httpServer).
   - A namespace (sio_of) has handlers: connection, disconnect, middleware
     (sio_use, may refuse with a message and data), and events (sio_on, "*"
     for any). A sio_socket is one client in one namespace.
   - Arguments come in as sio_args (a JSON array view plus binary
     attachments) and go out as sio_msg (a JSON builder plus binary views).
   - Acks: an event with ev->ack_id >= 0 wants sio_ack(); sio_emit_ack()
     asks the peer for one, with a timeout.
   - Rooms: sio_join/sio_leave; sio_broadcast encodes once and writes to
     every receiver of a room set, minus exceptions; sio_broadcast_ack
     also collects every receiver's ack, within a deadline.
   - A cluster: sio_server_cluster joins servers, C or Node, through
     Redis on @socket.io/redis-adapter's wire; broadcasts then reach every
     server's sockets, and sio_fetch_sockets, sio_all_rooms,
     sio_sockets_join/_leave, sio_disconnect_sockets and server-side events
     (sio_server_emit, sio_on_server_event) span them all.

   3. CONFIGURATION MACROS (define before the implementation include)
   ==================================================================
   Every one is #ifndef-guarded; the right column is its default. What
   varies per server or client (ports, ping interval and timeout,
   max_payload, timeouts, CORS, allocator, logger) is in the desc
   structs instead, where 0 always means the documented default, and a
   desc limit may only tighten the macro of the same name.
   What is built:
   SIO_API               decoration of public functions    extern
   SIO_STATIC            make every public function static  (unset)
   SIO_MALLOC(n), SIO_REALLOC(p,n), SIO_FREE(p)
                         the allocator; all three or none   libc's
   SIO_ASSERT(c)         assertion                          assert()
   SIO_NO_SERVER         leave the server out               (unset)
   SIO_NO_CLIENT         leave the client out               (unset)
   SIO_NO_CLIENT_JS      do not embed the browser client    (unset)
   SIO_NO_MSGPACK        leave MessagePack (and its parser) out  (unset)
   SIO_NO_REDIS          leave the Redis cluster out (also left out
                         without the server, client or MessagePack)  (unset)
   SIO_NO_ADMIN          leave the Admin UI instrumentation out  (unset)
   SIO_TLS_BEARSSL       https/wss through BearSSL (-lbearssl)  (unset)
   SIO_EPOLL             Linux: epoll instead of poll()     (unset)
   SIO_POSIX_ONLY        POSIX.1-2008 calls only, the path macOS
                         and the BSDs take: no _GNU_SOURCE, accept4,
                         getrandom or epoll (tested on Linux)  (unset)
   SIO_NO_GETRANDOM      read SIO_RANDOM_DEVICE, not getrandom() or
                         arc4random_buf()                   (unset)
   SIO_LWIP              a device: lwIP's sockets (lwip/sockets.h,
                         NO_SYS 0, LWIP_POSIX_SOCKETS_IO_NAMES 0), its
                         DNS, sys_now(); define it for every file that
                         includes this header; built for the client
                         (the server compiles, untested), no TLS yet
                                                            (unset)
   SIO_RANDOM_BYTES(buf, n)  fills n bytes from a CSPRNG, 0 on success:
                         the application's random source, used before
                         any other; required under SIO_LWIP  (unset)
   SIO_CLOCK_MS()        milliseconds of a monotonic clock (uint64_t):
                         clock_gettime(CLOCK_MONOTONIC), or sys_now()
                         under SIO_LWIP (32 bits: give a 64-bit clock
                         on a device that runs past 49 days)
   Limits and defaults:
   SIO_HTTP_MAX_HEADERS, SIO_HTTP_MAX_HEADER_BYTES, SIO_HTTP_MAX_REQUEST_LINE
                    64, 16384, 8192: headers, head bytes, request line
   SIO_HTTP_MAX_CHUNK_LINE 4096    a chunk size line; the trailer section
   SIO_HTTP_TIMEOUT_MS     30000   a whole request must have come by then
   SIO_JSON_MAX_DEPTH      64      nesting of JSON arrays and objects
   SIO_WS_MAX_MESSAGE      1000000 a WebSocket message, when not given
   SIO_MAX_PAYLOAD         1000000 server: POST body, WebSocket message
   SIO_PING_INTERVAL_MS, SIO_PING_TIMEOUT_MS  25000, 20000  server heartbeat
   SIO_CONNECT_TIMEOUT_MS, SIO_UPGRADE_TIMEOUT_MS  45000, 10000  server: a
                    namespace joined, a WebSocket upgrade done by then
   SIO_RECOVERY_MAX_BYTES  16 MiB  server: broadcasts kept per namespace
   SIO_MAX_ATTACHMENTS     10      binary attachments per packet (JSON parser)
   SIO_MAX_BINARIES        32      binary values a packet may hold (msgpack
                    parser; the most max_attachments may be)
   SIO_MAX_PACKETS_PER_PAYLOAD 10000  Engine.IO packets in one POST
   SIO_MAX_NSP_LEN, SIO_MAX_EVENT_LEN  128, 256  bytes of names
   SIO_MAX_OUTPUT          16 MiB  unsent bytes a connection may hold
   SIO_MAX_CONNECTIONS     100000  server: connections open at once
   SIO_READ_CHUNK, SIO_ACCEPT_BURST, SIO_EPOLL_EVENTS  65536, 256, 1024
                    bytes per read(), accepts per turn, events per wait
   SIO_LINGER_MS           2000    a connection closed here reads (and drops)
                    what the peer still sends, until it closes, so no
                    reset destroys our last bytes
   SIO_CLIENT_TIMEOUT_MS   20000   client: the Engine.IO handshake
   SIO_CLIENT_RECONNECT_DELAY_MS, SIO_CLIENT_RECONNECT_DELAY_MAX_MS
                    1000, 5000: client back-off, first and longest
   SIO_CLIENT_MAX_BUFFERED 1 MiB   client: emits held while offline
   SIO_CLIENT_MAX_BODY     64 MiB  client: one polling response
   SIO_CLIENT_MAX_HOST, SIO_CLIENT_MAX_ADDRS  256, 8  client: bytes of the
                    URL's host, addresses tried in turn
   SIO_CLIENT_RESOLVE_TIMEOUT_MS 5000  client: one host lookup
   SIO_LWIP_DNS_POLL_MS    20      SIO_LWIP: how often the loop looks for
                    the answer of lwIP's DNS
   SIO_DNS_MAX_SERVERS, SIO_DNS_RETRY_MS  3, 1000  nameservers; next one after
   SIO_DNS_MAX_CNAME, SIO_DNS_MAX_RR, SIO_DNS_MAX_FILE  8, 64, 65536: CNAMEs
                    followed, records read, bytes of hosts/resolv.conf
   SIO_HOSTS_FILE, SIO_RESOLV_CONF  "/etc/hosts", "/etc/resolv.conf"
                    (Windows: %SystemRoot%\System32\drivers\etc\hosts, and
                    the nameservers from GetNetworkParams instead)
   SIO_RANDOM_DEVICE       "/dev/urandom"  ids and keys, when no system call
   SIO_RESP_MAX_DEPTH, SIO_RESP_MAX_BULK  8, 64 MiB: nesting of a Redis
                    reply, bytes of one of its strings
   SIO_REDIS_RETRY_MS, SIO_REDIS_RETRY_MAX_MS  200, 5000: Redis back-off,
                    first and longest
   SIO_REDIS_MAX_WAITING   65536   replies awaited on one Redis connection
   SIO_ADMIN_MAX_SESSIONS  64      Admin UI session ids kept (oldest go first)
   SIO_TLS_MAX_CHAIN, SIO_TLS_MAX_PEM_BYTES, SIO_TLS_MAX_ANCHORS
                    8, 4 MiB, 4096: chain, a PEM file, trust anchors
   SIO_TLS_BIDI            1       full-duplex TLS buffers (0: half)
   SIO_TLS_DEFAULT_CA      "/etc/ssl/certs/ca-certificates.crt"
   SIO_STREAM_CHUNK, SIO_STREAM_HIGH_WATER  64 KiB, 256 KiB: a stream's
                    chunk, and what it holds each way
   SIO_STREAM_MAX_UNACKED, SIO_STREAM_MAX_ID  2, 64: chunks in flight, id
   SIO_STREAM_MAX_PER_EVENT, SIO_STREAM_MAX_PER_SOCKET  4, 64: streams per
                    event, open streams per socket
   4. THREADS, MEMORY, ERRORS
   ==========================
   No threads are created and there is no global mutable state: a server
   or client belongs to the thread that polls it. Drive it with
   sio_server_run(), a turn at a time with sio_server_poll(), or from your
   own poll() loop with sio_server_fds()/sio_server_process(); a client
   likewise (sio_client_run, _poll, _fds, _process), and one poll() can
   serve several servers and clients at once.
   Every allocation goes through the allocator; every buffer is bounded.
   Functions return int: >= 0 success, negative SIO_ERR_* on failure, and
   sio_strerror() says it in words. Nothing is dropped silently: give the
   desc a logger to hear why. Views (sio_str, sio_json, sio_args) handed to
   callbacks are valid until the callback returns.
   Server and client twins (sio_on and sio_client_on, sio_emit and
   sio_client_emit, ...) take the same arguments and behave alike; they
   differ only in the type of socket, and in what only a client does:
   hold emits while it is offline, and reconnect.

   5. SECTIONS, leaf first: each defined before anything that uses it
   ==================================================================
   The public API below is grouped by layer in the same order; the
   implementation (grep ">>name") has one section per layer. A layer calls
   only the ones above it in this list, and hears from the ones below it
   only through callbacks it installed.
   >>util     memory, buffers, errors, logging
   >>sha1 >>base64 >>utf8   small codecs the protocols need
   >>json     JSON writer and validating, allocation-free reader
   >>msgpack  MessagePack writer, validating reader, bridge to JSON with
              placeholders (left out with SIO_NO_MSGPACK)
   >>resp     RESP2, Redis's wire format (the cluster's; SIO_NO_REDIS)
   >>http     HTTP/1.1 heads (>>http-chunked bodies, >>http-writer)
   >>ws       WebSocket frames (RFC 6455) as pure functions, both roles
   >>tls      TLS 1.2 through BearSSL as a memory engine (SIO_TLS_BEARSSL)
   >>packet   Socket.IO packets and Engine.IO payloads (v4, and v3's
              length-prefixed ones) as text; the msgpack parser's packet
              maps to and from that text; incoming arguments, outgoing
              messages, records of packets kept
   >>loop     timers, connections, the poll()/epoll loop, dialing out
   >>wsconn   a WebSocket connection on a socket, both roles
   >>httpd    the server's HTTP connections: requests in, answers out;
              connections and requests a host hands in (attaching)
   >>eio      Engine.IO v4 (and v3) server sessions: polling, WebSocket,
              upgrade
   >>resolve  host names to addresses inside the loop (client)
   >>redis    a Redis connection in the loop: commands and their replies,
              or pushed messages; reconnection with back-off
   >>httpc    URLs and HTTP client connections (client)
   >>eioc     the Engine.IO v4 (and v3) client: handshake, transports,
              upgrade
   >>sio      the Socket.IO core of both roles: handler lists, pending
              acks, the incoming and outgoing paths (where the parser is
              chosen)
   >>server   the Socket.IO server: namespaces, rooms, broadcasts,
              recovery, and the sio_server object
   >>cluster  servers sharing sockets through Redis, wire-compatible with
              @socket.io/redis-adapter; fetch, rooms, remote join/leave/
              disconnect, server-side events (this server alone without)
   >>admin    the server as the Socket.IO Admin UI sees and steers it
   >>client   the Socket.IO client: the manager, its sockets, reconnection
   >>stream   byte streams compatible with the socket.io-stream package
   >>client-js  the browser client's text, served at <path>socket.io.js
   Last: the license.

   6. ONE FRAME IN, ONE EMIT OUT (what calls what)
   ===============================================
   A WebSocket frame, on the server, from read() to the handler, each step
   in the same section as the one before or in a later one (in [] what a
   step calls down to):
     sio__conn_read (recv into the loop's scratch buffer)
     -> sio__conn_feed -> sio__wsc_on_data [sio_ws_read: unmask, check]
     -> sio__eio_ws_message -> sio__eio_packet ('4': a message)
     -> sio__on_engine_message [sio__receive, sio__in_take: parse, wait
        for attachments; with the msgpack parser sio__in_take_mp: the map
        to the same text] -> sio__sio_dispatch -> sio__sio_event
        [sio__event_unpack] -> your sio_event_fn
   On the client the same read reaches sio__wsc_on_data, then
   sio__eioc_ws_message -> sio__eioc_packet -> sio__mgr_message ->
   sio__mgr_dispatch -> sio__csock_event -> your sio_client_event_fn.
   One sio_emit, down the file to write():
     sio_emit -> sio__socket_send [sio__packet_build: 2["ev",...]]
     -> sio__sconn_send [sio__send_packet: the text and attachments, or
        for msgpack sio__mp_packet_out: one map] -> sio__eio_send -> sio__wsc_send
     -> sio__wsc_put [sio_ws_write_header] -> sio__conn_reserve (queued)
     and at the end of the loop turn: sio__loop_flush -> sio__conn_flush
     -> send(), one call for all a turn queued on the connection.
*/
/* The implementation needs POSIX declarations (getaddrinfo, poll,
   clock_gettime); they must be requested before the first system header,
   so include socketio.h first in the implementation file. */
#if defined(SOCKETIO_IMPLEMENTATION) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
/* Linux: accept4() makes an accepted socket non-blocking and close-on-exec
   in the same call, two system calls fewer per connection. glibc declares
   it only under _GNU_SOURCE; without it (a system header came first) the
   library falls back to accept() and fcntl(). */
#if defined(SOCKETIO_IMPLEMENTATION) && defined(__linux__) && !defined(_GNU_SOURCE) && !defined(SIO_POSIX_ONLY)
#define _GNU_SOURCE 1
#endif

#ifndef SOCKETIO_H
#define SOCKETIO_H

#define SIO_VERSION_MAJOR 0
#define SIO_VERSION_MINOR 3
#define SIO_VERSION_PATCH 0
#define SIO_VERSION_STRING "0.3.0"

#include <stddef.h>
#include <stdint.h>
/* struct pollfd of the step API (sio_server_fds, sio_client_fds) comes
   from the socket layer the library runs on: lwIP's own under SIO_LWIP
   (define it for every file that includes this header), Winsock 2's on
   Windows (include this header before <windows.h>, or define
   WIN32_LEAN_AND_MEAN, so that the old winsock.h stays out), else POSIX. */
#if defined(SIO_LWIP)
#include <lwip/sockets.h>
#elif defined(_WIN32)
#include <winsock2.h>
#else
#include <poll.h>
#endif

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
/* Server defaults, as the Node server's; each also a desc field. */
#ifndef SIO_PING_INTERVAL_MS
#define SIO_PING_INTERVAL_MS 25000
#endif
#ifndef SIO_PING_TIMEOUT_MS
#define SIO_PING_TIMEOUT_MS 20000
#endif
#ifndef SIO_MAX_PAYLOAD
#define SIO_MAX_PAYLOAD 1000000           /* maxHttpBufferSize: POST body, WebSocket message */
#endif
#ifndef SIO_CONNECT_TIMEOUT_MS
#define SIO_CONNECT_TIMEOUT_MS 45000      /* a namespace must be joined by then */
#endif
#ifndef SIO_UPGRADE_TIMEOUT_MS
#define SIO_UPGRADE_TIMEOUT_MS 10000
#endif
#ifndef SIO_RECOVERY_MAX_BYTES
#define SIO_RECOVERY_MAX_BYTES (16u << 20) /* broadcasts kept per namespace for recovery (recovery_ms) */
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
    X(SIO_ERR_TLS,      -15,  "TLS failure")                            \
    X(SIO_ERR_RANDOM,   -16,  "no random source for ids")               \
    X(SIO_ERR_ADDRINUSE,-17,  "address already in use")

typedef enum sio_result {
#define SIO__ENUM(name, value, text) name = value,
    SIO_ERRORS(SIO__ENUM)
#undef SIO__ENUM
    SIO__ERR_LAST = -18
} sio_result;

/* The text of an SIO_ERR_* code ("out of memory"); never NULL. */
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
    /* 1 while data is storage the buffer does not own (an array inside
       a sio_msg): outgrowing it copies to the heap, freeing leaves it */
    int borrowed;
} sio_buf;

/* Each returns SIO_OK or the buffer's (sticky) error. */
SIO_API int  sio_buf_reserve(sio_buf *b, size_t extra);                  /* room for extra more bytes */
SIO_API int  sio_buf_append(sio_buf *b, const void *data, size_t len);
SIO_API int  sio_buf_appendc(sio_buf *b, char c);
SIO_API int  sio_buf_appends(sio_buf *b, const char *s);   /* NUL-terminated */
SIO_API int  sio_buf_appendu(sio_buf *b, unsigned long long v); /* decimal */
SIO_API void sio_buf_consume(sio_buf *b, size_t n);        /* drop front n */
SIO_API void sio_buf_reset(sio_buf *b);                    /* len = 0, err = 0 */
SIO_API void sio_buf_free(sio_buf *b);                     /* the memory goes; usable again as empty */

/* Logging: silent unless a callback is given. Refusals of bad input are
   INFO; TRACE shows every Engine.IO and Socket.IO packet both ways, raw
   and decoded: "<- 42["chat","hi"]  EVENT / "chat" ack=none". */
typedef enum sio_log_level {
    SIO_LOG_ERROR = 1,
    SIO_LOG_WARN = 2,
    SIO_LOG_INFO = 3,
    SIO_LOG_DEBUG = 4,
    SIO_LOG_TRACE = 5
} sio_log_level;

typedef struct sio_logger {
    void (*fn)(sio_log_level level, const char *msg, void *user);
    sio_log_level level;          /* the highest level passed on; 0 = SIO_LOG_INFO */
    void *user;
} sio_logger;

/* "error", "warn", "info", "debug" or "trace"; "?" for anything else. */
SIO_API const char *sio_log_level_name(int level);

/* Milliseconds on the monotonic clock the library's timers run on, for
   deadlines of your own beside them. */
SIO_API uint64_t sio_time_ms(void);

/* Timers in a server's or client's loop, as setTimeout and setInterval:
   made by sio_server_timer / sio_client_timer, their fn runs on the
   loop's thread, inside its poll, run or process call. */
typedef struct sio_timer sio_timer;
typedef void (*sio_timer_fn)(sio_timer *t, void *user);
/* Stops it; also from inside its own fn, or any handler. A one-shot
   timer that has run is gone: do not cancel it then. */
SIO_API void sio_timer_cancel(sio_timer *t);

/* ---------------------------------------------------------------------
   The layers, in the order bytes flow: util, JSON, HTTP, WebSocket, TLS.
   ------------------------------------------------------------------- */
/* ---------------------------------------------------------------------
   Util: SHA-1, base64, incremental UTF-8 check.
   Small pure functions the WebSocket handshake and the Engine.IO polling
   transport need; no allocation except sio_base64_buf (through the buffer).
   ------------------------------------------------------------------- */

/* SHA-1 (RFC 3174) of data[0..len). Used only for the WebSocket accept key,
   where it is a checksum, not a security primitive. */
SIO_API void sio_sha1(const void *data, size_t len, unsigned char out[20]);

/* Length of the base64 encoding of n bytes: 4*ceil(n/3), without the NUL.
   Saturates at (size_t)-1 when the result would not fit. */
SIO_API size_t sio_base64_encoded_len(size_t n);

/* Standard alphabet (RFC 4648 section 4), '=' padding. Returns the full
   encoded length whatever cap is; writes the encoding only when it fits
   (cap >= that length) and then a NUL if one more byte is free, so
   `sio_base64_encode(src, n, NULL, 0)` sizes the output like snprintf. */
SIO_API size_t sio_base64_encode(const void *src, size_t n, char *dst, size_t cap);

/* Strict decoder: standard alphabet only (no '-', '_', whitespace), padded
   ("QQ==") or unpadded ("QQ") input, '=' only at the very end, and the
   unused low bits of the last character must be zero ("QR==" is refused),
   so every byte string has exactly one accepted spelling.
   Returns SIO_OK and sets *out_len (may be NULL); SIO_ERR_PARSE on bad
   input; SIO_ERR_TOO_BIG when cap is too small (*out_len then holds the
   size needed and dst is untouched). */
SIO_API int sio_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, size_t *out_len);

/* Appends the encoding (no NUL) to b. Returns SIO_OK or the buffer error. */
SIO_API int sio_base64_buf(sio_buf *b, const void *src, size_t n);

/* Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
   nothing above U+10FFFF), for text that arrives in pieces, such as a
   fragmented WebSocket message whose fragments may split a character.
   Start with *state = 0 and feed the pieces in order. Returns 0 while the
   text is valid so far, -1 as soon as it is not (and keeps failing after).
   The text is complete and valid only if the last call returned 0 AND
   *state is 0 again (a non-zero state means a character is cut short). */
SIO_API int sio_utf8_check(unsigned *state, const char *s, size_t n);
/* ---------------------------------------------------------------------
   JSON (RFC 8259)

   Socket.IO event arguments travel as one JSON array per packet, e.g.
   42["chat",{"from":"ann","text":"hi"}]. Two halves:

   * a writer that appends compact text, byte-for-byte what JavaScript's
     JSON.stringify would produce, to an sio_buf;
   * a reader that validates a text once (sio_json_parse) and then walks
     it lazily: every sio_json is a {ptr,len} view of one value inside the
     caller's text, so nothing is allocated and views stay valid exactly as
     long as the text does. Lookups (sio_json_at, sio_json_get) rescan the
     container from its start; use sio_json_iter to visit every item in
     linear time.
   ------------------------------------------------------------------- */

/* 1 if s[0..n) is valid UTF-8 by RFC 3629: no overlong forms, no
   surrogates (U+D800..U+DFFF), nothing above U+10FFFF. */
SIO_API int sio_utf8_valid(const char *s, size_t n);

/* ---- writer ---- */

/* Misuse (a value inside an object without a key, a key inside an array,
   an end that does not match its begin, a second top-level value) sets
   err to SIO_ERR_STATE; nesting deeper than SIO_JSON_MAX_DEPTH gives
   SIO_ERR_TOO_BIG; a string that is not UTF-8 gives SIO_ERR_UTF8. After
   the first error every call is ignored, so a whole sequence of calls is
   checked once by sio_json_writer_finish(). */
typedef struct sio_json_writer {
    sio_buf *out;            /* where text goes; errors stick in out->err */
    int depth;               /* current nesting */
    unsigned char first[SIO_JSON_MAX_DEPTH + 1]; /* 1 = next value is the first in its container */
    unsigned char is_obj[SIO_JSON_MAX_DEPTH + 1]; /* 1 = container at this depth is an object */
    int after_key;           /* a key was just written: the next value needs no comma */
    int err;                 /* first error: SIO_ERR_TOO_BIG (depth), SIO_ERR_STATE (misuse), SIO_ERR_UTF8 */
} sio_json_writer;

/* Writes into out (errors stick there too). Then one value: containers
   are opened and closed by the _begin and _end pairs, a key comes before
   each value of an object; the _n forms take a length instead of a NUL. */
SIO_API void sio_json_writer_init(sio_json_writer *w, sio_buf *out);
SIO_API void sio_json_obj_begin(sio_json_writer *w);
SIO_API void sio_json_obj_end(sio_json_writer *w);
SIO_API void sio_json_arr_begin(sio_json_writer *w);
SIO_API void sio_json_arr_end(sio_json_writer *w);
SIO_API void sio_json_key(sio_json_writer *w, const char *key);            /* NUL-terminated */
SIO_API void sio_json_key_n(sio_json_writer *w, const char *key, size_t n);
SIO_API void sio_json_str(sio_json_writer *w, const char *s);              /* NUL-terminated */
SIO_API void sio_json_str_n(sio_json_writer *w, const char *s, size_t n);
SIO_API void sio_json_int(sio_json_writer *w, long long v);
/* Shortest text that reads back as the same double, formatted like
   JavaScript: 1, 0.5, 100000000000000000000, 1e+21, 1e-7; NaN and
   infinities become null, -0 becomes 0. Always '.' whatever the locale. */
SIO_API void sio_json_num(sio_json_writer *w, double v);
SIO_API void sio_json_bool(sio_json_writer *w, int v);
SIO_API void sio_json_null(sio_json_writer *w);
/* Insert an already valid JSON value (not checked), with the right comma. */
SIO_API void sio_json_raw(sio_json_writer *w, const char *json, size_t n);
/* SIO_OK, or the first error of the writer or of its buffer. Also fails
   with SIO_ERR_STATE if containers are still open or nothing was written. */
SIO_API int  sio_json_writer_finish(sio_json_writer *w);

/* ---- reader ---- */

typedef enum sio_json_type {
    SIO_JSON_INVALID = 0,
    SIO_JSON_NULL,
    SIO_JSON_FALSE,
    SIO_JSON_TRUE,
    SIO_JSON_NUMBER,
    SIO_JSON_STRING,
    SIO_JSON_ARRAY,
    SIO_JSON_OBJECT
} sio_json_type;

/* A view of ONE value: ptr at its first character, len covers it exactly
   (a string includes its quotes, a container its brackets). */
typedef struct sio_json {
    const char *ptr;
    size_t len;
    sio_json_type type;
} sio_json;

/* The whole of text[0..n) must be exactly one value, whitespace around it
   allowed. Validates everything: grammar, UTF-8 inside strings, escapes
   (a \uD800-\uDBFF escape must be followed by a \uDC00-\uDFFF one, so
   every string unescapes to valid UTF-8), depth <= SIO_JSON_MAX_DEPTH.
   Returns SIO_OK, SIO_ERR_PARSE or SIO_ERR_TOO_BIG (depth); root (may be
   NULL) gets the value, or type SIO_JSON_INVALID on error. Never reads
   past n, never allocates, never recurses. */
SIO_API int sio_json_parse(const char *text, size_t n, sio_json *root);

/* Validate one value at the start of text (after optional whitespace);
   whatever follows it is left alone. *used = offset just past the value
   on success, the offset where the error was found otherwise. The
   Socket.IO packet parser uses this to find where the payload ends. */
SIO_API int sio_json_validate_prefix(const char *text, size_t n, size_t *used);

/* The functions below expect values that came from sio_json_parse (or
   from at/get/iter on such a value); on anything else they return
   nonsense but never read outside [ptr, ptr+len). */

SIO_API size_t sio_json_count(sio_json v);                        /* items of an array/object, else 0 */
SIO_API int    sio_json_at(sio_json arr, size_t i, sio_json *out); /* SIO_OK / SIO_ERR_NOT_FOUND */
SIO_API int    sio_json_get(sio_json obj, const char *key, sio_json *out); /* first member whose unescaped key equals key */

typedef struct sio_json_iter {
    sio_json parent;
    size_t pos;
} sio_json_iter;
SIO_API void sio_json_iter_init(sio_json_iter *it, sio_json container);   /* an array or object */
/* 1 while items remain. For objects *key is the member name (a string
   value, still escaped); for arrays key->type is SIO_JSON_INVALID. Either
   pointer may be NULL. */
SIO_API int  sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *val);

SIO_API double    sio_json_number(sio_json v);  /* 0 if not a number; correctly rounded, locale-independent */
SIO_API long long sio_json_integer(sio_json v); /* truncated toward zero, clamped to long long; exact for integer text */
SIO_API int       sio_json_is_true(sio_json v);     /* 1 for the literal true only */
/* Unescape a string value into dst (always NUL-terminated when cap > 0,
   truncated like snprintf but never inside a UTF-8 sequence). Returns the
   full unescaped length, so a return >= cap means truncation; dst may be
   NULL when cap is 0. Not a string: returns 0, dst = "". Note "\u0000"
   unescapes to a NUL byte inside the result. */
SIO_API size_t    sio_json_strcpy(sio_json v, char *dst, size_t cap);
SIO_API int       sio_json_str_eq(sio_json v, const char *s); /* 1 if string value equals s after unescaping */
/* Content of a string value without its quotes, still escaped ({NULL,0}
   if not a string). Equal to the unescaped text when it has no '\\'. */
SIO_API sio_str   sio_json_raw_str(sio_json v);
/* ---------------------------------------------------------------------
   MessagePack (github.com/msgpack/msgpack, spec.md)

   What socket.io-msgpack-parser and the Redis adapter put on the wire:
   one value per message, written by notepack.io. Like JSON, two halves:

   * a writer that appends to an sio_buf, every number in the smallest
     form notepack.io would pick, so Node peers see their own bytes;
   * a reader that validates a value once (sio_mp_parse) and then hands
     out sio_mp views {ptr,len} of single values inside the caller's
     bytes: no allocation, no recursion, every length checked against
     what is left before it is used.

   And a bridge to the rest of the library, which speaks JSON plus binary
   attachments (sio_args, sio_msg): sio_mp_to_json / sio_mp_from_json.
   ------------------------------------------------------------------- */

#ifndef SIO_NO_MSGPACK
#define SIO_MP_MAX_DEPTH SIO_JSON_MAX_DEPTH  /* nesting of arrays/maps: the JSON cap */

/* ---- writer ----
   Each call appends one value or one container header and returns the
   buffer's error (SIO_OK while all is well). Errors stick in b->err as
   with sio_buf_append; a length above 2^32-1, which the format cannot
   say, gives SIO_ERR_TOO_BIG. A map of n pairs is sio_mp_map(b, n)
   followed by 2n values, key first. */
SIO_API int sio_mp_map(sio_buf *b, size_t pairs);
SIO_API int sio_mp_array(sio_buf *b, size_t n);
SIO_API int sio_mp_str(sio_buf *b, const char *s, size_t n);   /* should be UTF-8; not checked */
SIO_API int sio_mp_bin(sio_buf *b, const void *data, size_t n);
SIO_API int sio_mp_int(sio_buf *b, int64_t v);      /* 5 -> 05, -1 -> ff, 1000 -> cd 03 e8 */
SIO_API int sio_mp_uint(sio_buf *b, uint64_t v);
SIO_API int sio_mp_double(sio_buf *b, double v);    /* always float64 (cb), as notepack.io */
SIO_API int sio_mp_nil(sio_buf *b);
SIO_API int sio_mp_bool(sio_buf *b, int v);
/* Extension value: fixext 1/2/4/8/16 when n is one of those, else
   ext 8/16/32. Beware notepack.io's reading of type 0: d4 (fixext 1) is
   undefined and c7/c8/c9 are ArrayBuffers, so send bytes with sio_mp_bin. */
SIO_API int sio_mp_ext(sio_buf *b, int type, const void *data, size_t n);

/* ---- reader ---- */

typedef enum sio_mp_type {
    SIO_MP_INVALID = 0,
    SIO_MP_NIL,
    SIO_MP_BOOL,
    SIO_MP_INT,      /* any width, signed or not: see sio_mp_as_int64/uint64 */
    SIO_MP_FLOAT,    /* float32 or float64 */
    SIO_MP_STR,
    SIO_MP_BIN,
    SIO_MP_ARRAY,
    SIO_MP_MAP,
    SIO_MP_EXT
} sio_mp_type;

/* A view of ONE value: ptr at its first (type) byte, len covers it
   exactly, header and contents. */
typedef struct sio_mp {
    const char *ptr;
    size_t len;
    sio_mp_type type;
} sio_mp;

/* The whole of buf[0..n) must be exactly one value (trailing bytes are an
   error). Validates the structure: known type bytes, every length within
   the bytes left, nesting <= SIO_MP_MAX_DEPTH. String contents are not
   checked for UTF-8 here (sio_mp_to_json does). Returns SIO_OK,
   SIO_ERR_PARSE or SIO_ERR_TOO_BIG (depth); root (may be NULL) gets the
   value, or type SIO_MP_INVALID on error. */
SIO_API int sio_mp_parse(const char *buf, size_t n, sio_mp *root);

/* The functions below expect views from sio_mp_parse (or from the
   iterator, at and get on such a view). */

SIO_API size_t sio_mp_count(sio_mp v);                          /* items of an array, pairs of a map, else 0 */
SIO_API int    sio_mp_at(sio_mp arr, size_t i, sio_mp *out);    /* SIO_OK / SIO_ERR_NOT_FOUND; walks from the start */
SIO_API int    sio_mp_get(sio_mp map, const char *key, sio_mp *out); /* first pair whose key is the string key */

typedef struct sio_mp_iter {
    const char *p, *end;   /* next item, end of the container */
    size_t left;           /* items (keys and values both) still to come */
    int map;
} sio_mp_iter;
SIO_API void sio_mp_iter_init(sio_mp_iter *it, sio_mp container);
/* 1 while items remain: for maps *key and *val are the next pair, for
   arrays *val is the next item and key->type is SIO_MP_INVALID. Either
   pointer may be NULL. A whole walk is linear in the container's size. */
SIO_API int  sio_mp_iter_next(sio_mp_iter *it, sio_mp *key, sio_mp *val);

/* Integers: SIO_OK with the exact value; SIO_ERR_TOO_BIG when it does
   not fit (*out clamped: INT64_MAX, INT64_MIN, or 0 for a negative asked
   as unsigned); SIO_ERR_INVALID when v is not a number. A float counts
   when it is integral, as in JavaScript where 2.0 is 2 (Node accepts a
   packet type written as float64 2.0); a fractional one or NaN is
   SIO_ERR_INVALID. */
SIO_API int sio_mp_as_int64(sio_mp v, int64_t *out);
SIO_API int sio_mp_as_uint64(sio_mp v, uint64_t *out);
/* Floats and integers (rounded to nearest beyond 2^53): SIO_OK, else SIO_ERR_INVALID. */
SIO_API int sio_mp_as_double(sio_mp v, double *out);
SIO_API int sio_mp_as_bool(sio_mp v, int *out);                 /* SIO_OK / SIO_ERR_INVALID */
SIO_API int sio_mp_as_str(sio_mp v, sio_str *out);              /* contents, not NUL-terminated */
SIO_API int sio_mp_as_bin(sio_mp v, sio_str *out);
/* Extension: type code (-128..127) and data. notepack.io gives type 0 a
   meaning that depends on the header byte: d4 00 xx is JavaScript's
   undefined, d7 00 a Date (int64 ms), c7/c8/c9 with type 0 an ArrayBuffer,
   i.e. binary; the Socket.IO packet decoder must read them so (sio_mp_to_json
   does: undefined is null or dropped, ext-0 c7/c8/c9 is an attachment). */
SIO_API int sio_mp_as_ext(sio_mp v, int *type, sio_str *data);
SIO_API int sio_mp_is_nil(sio_mp v);
SIO_API int sio_mp_is_undefined(sio_mp v);                      /* notepack.io's d4 00 00 */

/* ---- bridge to JSON with binary placeholders ----
   msgpack -> JSON text appended to json, as JSON.stringify would write
   what notepack.io decoded, with what JSON cannot hold kept aside as
   attachments so that it goes back out as it came:
     bin                       {"_placeholder":true,"num":K}, bins[K] its bytes
     ext type 0, ext 8/16/32   {"_placeholder":true,"num":K,"_ext":0}: notepack's
                               ArrayBuffer; bins[K] its bytes
     undefined (d4 00 00), other extensions (a Date, foreign types),
     NaN and the infinities, and a map with a "_placeholder" key of its
     own (which would read as an attachment)
                               {"_placeholder":true,"num":K,"_msgpack":true},
                               bins[K] the value's own msgpack bytes
   (K counts from 0, views inside v; *nbins, may be NULL, gets the count).
   Integers keep every digit (uint64 beyond 2^53 included); other floats
   are written by sio_json_num; nil -> null. Map keys that are not
   strings become their text as JavaScript property names would (1 ->
   "1", nil -> "null"). Returns SIO_OK; SIO_ERR_UTF8 (a string or key that
   is not UTF-8: text we hand out is always valid); SIO_ERR_TOO_BIG (more
   than max_bins attachments, or nesting beyond SIO_JSON_MAX_DEPTH once
   placeholders count); SIO_ERR_UNSUPPORTED (a key that is a container,
   bin or ext); SIO_ERR_PARSE (v not a valid view); or the buffer's error.
   On failure json->len is put back where it was. */
SIO_API int sio_mp_to_json(sio_mp v, sio_buf *json, sio_str *bins, size_t max_bins, size_t *nbins);

/* JSON (validated, from sio_json_parse) plus attachments -> msgpack
   appended to out: the placeholders above become what they stand for
   (bin, ext 0 in its long form, the kept bytes); integer text that fits
   int64 or uint64 becomes an integer in the smallest form (exactly:
   9007199254740993 stays so); every other number float64; strings are
   unescaped. Key order is kept. Returns SIO_OK, SIO_ERR_INVALID (v not a
   value, or kept bytes that are not one msgpack value), SIO_ERR_TOO_BIG
   (deeper than SIO_MP_MAX_DEPTH) or the buffer's error. */
SIO_API int sio_mp_from_json(sio_json v, const sio_str *bins, size_t nbins, sio_buf *out);
#endif /* SIO_NO_MSGPACK */

/* ---------------------------------------------------------------------
   RESP2, Redis's wire format (redis.io/docs/reference/protocol-spec)

   What the cluster adapter (sio_server_cluster) speaks to Redis. A
   command is an array of bulk strings; a reply is one value:
       +OK\r\n   -ERR why\r\n   :42\r\n   $3\r\nabc\r\n   *2\r\n...
   Like the other codecs, pure functions over bytes. Left out with
   SIO_NO_REDIS (and with SIO_NO_SERVER, SIO_NO_CLIENT or SIO_NO_MSGPACK,
   which the cluster needs). */
#if !defined(SIO_NO_REDIS) && (defined(SIO_NO_SERVER) || defined(SIO_NO_CLIENT) || defined(SIO_NO_MSGPACK))
#define SIO_NO_REDIS
#endif
#ifndef SIO_NO_REDIS
#ifndef SIO_RESP_MAX_DEPTH
#define SIO_RESP_MAX_DEPTH 8              /* nesting of arrays in one reply */
#endif
#ifndef SIO_RESP_MAX_BULK
#define SIO_RESP_MAX_BULK (64u << 20)     /* bytes of one bulk string */
#endif
typedef struct sio_resp {
    char type;          /* '+' status, '-' error, ':' integer, '$' bulk string, '*' array */
    const char *ptr;    /* + - $: the bytes, inside the caller's buffer (not NUL-ended) */
    size_t len;
    long long n;        /* ':' the value; '*' its item count; '$' and '*' -1: null */
} sio_resp;
/* One whole reply at buf[0..n): its values in order, an array before its
   items, into out[0..max), *nout of them. Returns the bytes it took
   (> 0), 0 when the reply is not all there yet, SIO_ERR_PROTOCOL for
   bytes that are not RESP2, SIO_ERR_TOO_BIG for more than max values,
   arrays nested beyond SIO_RESP_MAX_DEPTH or a bulk string over
   SIO_RESP_MAX_BULK (said before its bytes come, so nothing waits for
   them). */
SIO_API long sio_resp_parse(const char *buf, size_t n, sio_resp *out, int max, int *nout);
/* Appends a command, each argument a bulk string: lens NULL takes them
   as NUL-ended. Returns the buffer's error. */
SIO_API int sio_resp_command(sio_buf *b, int argc, const char *const *argv, const size_t *lens);
#endif /* SIO_NO_REDIS */

/* ---------------------------------------------------------------------
   HTTP/1.1 (RFC 9110, RFC 9112): just enough for long-polling, WebSocket
   upgrades and plain pages, on both sides. Pure functions over bytes: the
   caller owns the buffer and every sio_str handed out is a view into it,
   valid while that buffer is unchanged.
   ------------------------------------------------------------------- */

#ifndef SIO_HTTP_MAX_CHUNK_LINE
#define SIO_HTTP_MAX_CHUNK_LINE 4096      /* chunk size line; whole trailer section */
#endif

typedef struct sio_http_header {
    sio_str name, value;          /* value has leading/trailing OWS removed */
} sio_http_header;

typedef struct sio_http_msg {
    /* request */
    sio_str method, target;       /* target as sent: "/socket.io/?EIO=4&transport=polling" */
    sio_str path, query;          /* target split at the first '?' (query without '?', empty if none) */
    /* response */
    int status;                   /* 100..999 */
    sio_str reason;               /* may be empty */
    /* both */
    int minor_version;            /* 0 or 1 (HTTP/1.0 or HTTP/1.1) */
    sio_http_header headers[SIO_HTTP_MAX_HEADERS];
    int header_count;
    long long content_length;     /* -1 when absent */
    int chunked;                  /* Transfer-Encoding: chunked (as the last coding) */
    int keep_alive;               /* 1.1: on unless "Connection: close"; 1.0: only with "keep-alive" */
    int upgrade_websocket;        /* "Upgrade: websocket" and Connection lists "upgrade" */
    size_t header_bytes;          /* bytes up to and including the blank line */
} sio_http_msg;

/* Parses a request head from buf[0..len). Returns header_bytes (> 0) when
   the head is complete, 0 when more bytes are needed, or a negative
   SIO_ERR_*; then *http_status (may be NULL) is the status to answer with:
   400 malformed (SIO_ERR_PARSE), 414 request line too long and 431 head
   too big or too many headers (SIO_ERR_TOO_BIG), 505 HTTP version other
   than 1.x and 501 unknown Transfer-Encoding (SIO_ERR_UNSUPPORTED).
   Strict where leniency enables request smuggling: CRLF line ends only,
   no obs-fold, Content-Length digits only and never together with
   Transfer-Encoding. Every call parses from the start of buf again; use
   sio_http_head_ready() to skip calls that cannot complete. The body (if
   any) starts at buf + header_bytes: Content-Length bytes, or chunked. */
SIO_API int sio_http_parse_request(const char *buf, size_t len, sio_http_msg *m, int *http_status);

/* Same for a response head (status line instead of request line). Bare LF
   line ends are tolerated. Errors: SIO_ERR_PARSE, SIO_ERR_TOO_BIG,
   SIO_ERR_UNSUPPORTED (not HTTP/1.x, or a transfer coding other than
   chunked). When both Transfer-Encoding: chunked and Content-Length are
   present, chunked wins and content_length is -1 (RFC 9112 6.3). Whether
   a body follows at all (HEAD, 1xx, 204, 304) is for the caller to know. */
SIO_API int sio_http_parse_response(const char *buf, size_t len, sio_http_msg *m);

/* Cheap pre-check for incremental reads: buf[0..prev_len) was already seen
   by the parser (which returned 0), buf[0..len) is what is there now.
   Returns 1 when the head may now be complete or a size limit was
   crossed, i.e. when the parser is worth calling; 0 when the call can be
   skipped (bad bytes are then reported a little later, once the empty
   line or a limit arrives). Keeps byte-at-a-time arrival from costing
   O(n^2) on a bounded but 16 KiB head. */
SIO_API int sio_http_head_ready(const char *buf, size_t len, size_t prev_len);

/* First header called `name` (case-insensitive); {NULL,0} if absent. A
   present but empty header has a non-NULL ptr and len 0. */
SIO_API sio_str sio_http_header_get(const sio_http_msg *m, const char *name);

/* 1 if the comma-separated list `value` contains `token` (case-insensitive,
   OWS around elements ignored), else 0. "keep-alive, Upgrade" has "upgrade". */
SIO_API int sio_http_token_has(sio_str value, const char *token);

/* Looks up the first `key` in a query string "a=1&b=2" (without '?'); the
   key is compared as sent, not %-decoded. Returns 1 and sets *raw_value
   (may be NULL) to the still %-encoded value, or returns 0. A bare "a"
   counts as found with an empty value; an empty key is never found. */
SIO_API int sio_http_query_get(sio_str query, const char *key, sio_str *raw_value);

/* %XX-decodes src[0..n) into dst (malformed % sequences are copied as
   is; '+' becomes ' ' if plus_is_space), writes at most cap-1 bytes and a
   NUL when cap > 0, and returns the full decoded length (like snprintf: a
   result >= cap means truncation). dst == src is allowed (the output never
   outruns the input). "%00" yields a NUL byte: use the returned length. */
SIO_API size_t sio_http_url_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space);

/* Incremental chunked body decoding (RFC 9112 7.1), in place.
   Zero-initialise the state before the first call. */
typedef struct sio_http_chunked {
    int state;
    unsigned long long remaining; /* data bytes left in the current chunk */
    size_t ext_len;               /* bytes in the current size line / trailer section */
} sio_http_chunked;

/* Decodes as much of buf[0..len) as it can. On return buf[0..*out_len)
   holds decoded body bytes (*out_len <= *consumed), *consumed input bytes
   were eaten and buf[*consumed..len) is untouched input for the next call.
   Returns 1 once the last chunk and trailers are complete (*consumed then
   stops right after them: a pipelined message may follow), 0 when more
   input is needed, SIO_ERR_PARSE on bad syntax, SIO_ERR_TOO_BIG when a
   size line or the trailer section exceeds SIO_HTTP_MAX_CHUNK_LINE bytes
   or a size overflows 64 bits. Errors are sticky. Line ends must be CRLF.
   The total body size is not limited here: count *out_len yourself. */
SIO_API int sio_http_chunked_decode(sio_http_chunked *st, char *buf, size_t len, size_t *consumed, size_t *out_len);

/* Standard reason phrase ("OK", "Bad Request", "Payload Too Large", ...);
   an unknown code gets a generic one by class. Never NULL. */
SIO_API const char *sio_http_reason(int status);

/* Appends "HTTP/1.1 <status> <reason>\r\n", "Content-Type: ..." (if
   content_type is not NULL), "Content-Length: <n>" (if body_len >= 0; pass
   -1 for 1xx, 204 and chunked answers), the preformatted extra_headers
   block "K: V\r\n..." (may be NULL) and the blank line. Returns SIO_OK,
   SIO_ERR_INVALID (status outside 100..999, CR/LF in content_type, or
   extra_headers not made of complete non-empty CRLF lines, which would
   let a header be injected or end the head early) or the buffer's error. */
SIO_API int sio_http_write_head(sio_buf *b, int status, const char *content_type, long long body_len, const char *extra_headers);
/* ---------------------------------------------------------------------
   WebSocket framing (RFC 6455), both roles, as pure functions on bytes.
   No sockets here: the caller moves bytes, these functions build and
   parse frames. No extensions (permessage-deflate is never negotiated),
   so RSV bits must always be zero.
   ------------------------------------------------------------------- */

enum {
    SIO_WS_OP_CONT = 0,
    SIO_WS_OP_TEXT = 1,
    SIO_WS_OP_BINARY = 2,
    SIO_WS_OP_CLOSE = 8,
    SIO_WS_OP_PING = 9,
    SIO_WS_OP_PONG = 10
};

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(sha1(key + GUID)),
   28 chars + NUL. SIO_ERR_INVALID unless the key is 24 chars of base64
   that decode to 16 bytes (RFC 6455 section 4.2.1, item 5). */
SIO_API int sio_ws_accept_key(const char *client_key, size_t n, char out[29]);

/* Client side: Sec-WebSocket-Key from 16 random bytes, 24 chars + NUL. */
SIO_API void sio_ws_make_key(const unsigned char nonce16[16], char out[25]);

/* Writes a frame header, returns its length (2..14). mask4 NULL = unmasked
   (server to client); otherwise the 4-byte key is written and the caller
   masks the payload with sio_ws_mask. opcode is used as given (low 4 bits). */
SIO_API size_t sio_ws_write_header(unsigned char out[14], int fin, int opcode, uint64_t payload_len,
                                   const unsigned char *mask4);

/* XOR-masks (or unmasks: same operation) n bytes in place. offset is the
   position of data[0] within the frame payload, so a payload may be
   masked in several pieces. */
SIO_API void sio_ws_mask(unsigned char *data, size_t n, const unsigned char mask4[4], size_t offset);

/* Appends one whole, final (FIN) frame to b; with mask4 the copy in b is
   masked, the caller's payload is left alone. SIO_ERR_INVALID for an
   unknown opcode or a control frame over 125 bytes; otherwise SIO_OK or
   the buffer's error. */
SIO_API int sio_ws_append_frame(sio_buf *b, int opcode, const void *payload, size_t n,
                                const unsigned char *mask4);

/* Appends a close frame. code 0 = empty body (reason must be NULL or "");
   else a code that may be sent on the wire (1000-1003, 1007-1014,
   3000-4999) and an optional NUL-terminated UTF-8 reason of at most 123
   bytes. SIO_ERR_INVALID otherwise. */
SIO_API int sio_ws_append_close(sio_buf *b, int code, const char *reason, const unsigned char *mask4);

/* What sio_ws_read hands out. */
typedef enum sio_ws_kind {
    SIO_WS_NONE = 0,   /* nothing complete yet */
    SIO_WS_TEXT,       /* data/len: whole message, valid UTF-8 */
    SIO_WS_BINARY,     /* data/len: whole message */
    SIO_WS_PING,       /* data/len: ping payload (<= 125), echo it in a pong */
    SIO_WS_PONG,       /* data/len: pong payload */
    SIO_WS_CLOSE       /* close_code, close_reason; data/len: raw body */
} sio_ws_kind;

typedef struct sio_ws_msg {
    sio_ws_kind kind;
    unsigned char *data;  /* payload, unmasked; valid until the next sio_ws_read
                             call on the same reader AND while the caller's
                             buffer is unchanged (it may point into it) */
    size_t len;
    int close_code;       /* SIO_WS_CLOSE: 1005 when the frame had no code */
    sio_str close_reason; /* SIO_WS_CLOSE: UTF-8 view into data, may be empty */
} sio_ws_msg;

/* Zero-initialise, then set the public fields. */
typedef struct sio_ws_reader {
    int expect_masked;          /* 1 on the server (client frames MUST be masked),
                                   0 on the client (server frames MUST NOT be) */
    size_t max_message;         /* 0 = SIO_WS_MAX_MESSAGE; a larger message -> 1009;
                                   values above 1 GiB count as 1 GiB */
    const sio_allocator *alloc; /* for the reassembly buffer; NULL = default */
    /* private */
    sio_buf frag;               /* reassembly of fragmented messages only */
    int frag_opcode;            /* 0 = no fragmented message in progress */
    unsigned utf8_state;        /* sio_utf8_check state across text fragments */
    int error_code;             /* after an error: the close status to send
                                   (1002 protocol, 1007 bad UTF-8, 1009 too big) */
    const char *error_text;     /* after an error: what was wrong, in words */
} sio_ws_reader;

/* Parses frames from buf[0..len) and returns the number of bytes consumed
   (the caller drops them from its input) with *msg filled in:
   - kind != SIO_WS_NONE: one message or control frame is complete;
   - kind == SIO_WS_NONE: no message is complete. The return value is then
     0, or the size of whole fragments moved into the reassembly buffer.
   Call again with the remaining bytes until it returns 0 with kind NONE,
   then wait for more input. Only whole frames are consumed, so the
   caller's input buffer must be able to hold max_message + 14 bytes.
   A frame that is not part of a fragmented message is unmasked IN PLACE
   and msg->data points into buf (buf must be writable): no copy.
   Fragmented messages are joined in the reader (at most max_message
   bytes); control frames may be interleaved and are returned as they come.
   Negative on a protocol violation: SIO_ERR_PROTOCOL (close code 1002),
   SIO_ERR_UTF8 (1007) or SIO_ERR_TOO_BIG (1009), with r->error_code set
   to the close code to send; the reader then keeps returning that error.
   The size is checked from the frame header, before any payload arrives. */
SIO_API int sio_ws_read(sio_ws_reader *r, unsigned char *buf, size_t len, sio_ws_msg *msg);

/* Frees the reassembly buffer and clears the private state (error
   included); the public fields stay, so the reader can serve a new
   connection as is. */
SIO_API void sio_ws_reader_free(sio_ws_reader *r);
/* ---------------------------------------------------------------------
   TLS settings (used only when built with SIO_TLS_BEARSSL and -lbearssl).
   The struct is declared in every build so that the server and client
   descs have the same layout whether or not TLS is compiled in; without
   SIO_TLS_BEARSSL a desc that asks for TLS gets SIO_ERR_UNSUPPORTED.

   BearSSL speaks TLS 1.0 to 1.2; this library allows only TLS 1.2,
   which every current browser and Node accept. Strings are read when the
   server or client is created and may be freed afterwards.
   ------------------------------------------------------------------- */
#ifndef SIO_TLS_MAX_CHAIN
#define SIO_TLS_MAX_CHAIN 8              /* certificates in one chain */
#endif
#ifndef SIO_TLS_MAX_PEM_BYTES
#define SIO_TLS_MAX_PEM_BYTES (4u << 20) /* one PEM file or string */
#endif
#ifndef SIO_TLS_MAX_ANCHORS
#define SIO_TLS_MAX_ANCHORS 4096         /* trust anchors (CA certificates) */
#endif
#ifndef SIO_TLS_BIDI
#define SIO_TLS_BIDI 1                   /* 1: full-duplex engine buffer (~33 KiB a
                                            connection), 0: half-duplex (~16.7 KiB) */
#endif

typedef struct sio_tls_config {
    /* Server: the certificate chain (leaf first) and its private key
       (RSA or EC; PKCS#1, SEC1 or PKCS#8 PEM). Client: an optional client
       certificate and key. The *_pem fields hold the same in memory
       (NUL-terminated) and are used when the *_file field is NULL. */
    const char *cert_file, *key_file;
    const char *cert_pem, *key_pem;
    /* Client: the CAs to trust, a PEM bundle or a directory whose *.pem
       and *.crt files are read; NULL and ca_pem NULL = the system bundle
       /etc/ssl/certs/ca-certificates.crt. Server: when given, every
       client must present a certificate signed by one of these CAs. */
    const char *ca_file;
    const char *ca_pem;                  /* same, in memory (NUL-terminated) */
    /* Client: accept any certificate from any server. Only for tests
       against self-signed servers: anyone on the path can read and change
       the traffic. The caller should say so loudly when it is set. */
    int insecure_skip_verify;
} sio_tls_config;

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

/* How packets are encoded on the wire (desc.parser of a server or a
   client; both ends must agree, as with Node's `parser` option):
   the default JSON text with binary attachments, or the npm
   socket.io-msgpack-parser's one MessagePack map per packet (not in a
   SIO_NO_MSGPACK build). */
enum { SIO_PARSER_DEFAULT = 0, SIO_PARSER_MSGPACK = 1 };

#ifndef SIO_MAX_BINARIES
#define SIO_MAX_BINARIES 32      /* binary values a packet holds (msgpack has no attachments and no cap of Node's) */
#endif
#ifndef SIO_MAX_ATTACHMENTS
#define SIO_MAX_ATTACHMENTS 10   /* binary attachments per packet (Node's parser caps at 10) */
#endif
typedef char sio__attachments_fit[SIO_MAX_ATTACHMENTS <= SIO_MAX_BINARIES ? 1 : -1];
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

/* Engine.IO v3 (socket.io 2) polling payloads. Text form: each packet as
   "<n>:<packet>", n counting UTF-16 code units as JavaScript's string
   length does ("6:42[\"é\"]" is 9 bytes), a binary message as "b4" +
   base64. Binary form (an answer holding binary, to a client that did not
   ask for b64): per packet a kind byte (0 text, 1 binary), the length in
   bytes as decimal digits written as the bytes 0-9, 0xFF, then the packet;
   a binary packet starts with its type byte, 4.
   sio_eio3_payload_next iterates as sio_eio_payload_next does (binary
   packets come out without their type; body is modified); binary_form
   picks the form. Returns 1, 0 at the end, SIO_ERR_PARSE on a bad length,
   kind, type or base64. sio_eio3_payload_append adds one packet: text
   with its type digit, or binary bytes (a message). */
SIO_API int sio_eio3_payload_next(char *body, size_t len, int binary_form, size_t *pos, char **pkt, size_t *pkt_len,
                                  int *binary);
SIO_API int sio_eio3_payload_append(sio_buf *b, const char *pkt, size_t n, int binary, int binary_form);

/* Appends the text form of a packet: type, attachment count, namespace,
   ack id, JSON (may be NULL). ack_id < 0 means none. */
SIO_API int sio_packet_write(sio_buf *b, int type, int attachments, const char *nsp,
                             size_t nsp_len, long long ack_id, const char *json, size_t json_len);

/* Arguments of an incoming event or ack: a JSON array plus the binary
   attachments its placeholders point at. Views valid during the callback.
   The library walks the array once on arrival and records where every
   argument sits, so sio_args_get() costs the same for the first and the
   40 000th: the first SIO_ARGS_INDEXED inside the struct, all of them in
   an array beside it when there are more. SIO_ARGS_INDEXED is fixed, not
   a tunable limit: it shapes a public struct, which every file of a
   program must see alike. An args built by hand may leave nindexed 0 and
   all NULL: then sio_args_get() walks. */
#define SIO_ARGS_INDEXED 8
typedef struct sio_args {
    sio_json array;         /* the whole array as received */
    size_t first;           /* index of the first argument (1 for events: 0 is the name) */
    size_t count;           /* number of arguments */
    const sio_str *bins;    /* attachments, in placeholder order */
    size_t nbins;
    size_t nindexed;                    /* arguments 0..nindexed-1 are in indexed[] */
    sio_json indexed[SIO_ARGS_INDEXED];
    const sio_json *all;    /* every argument, when there are more than SIO_ARGS_INDEXED
                               (the library's, for as long as the args); else NULL */
} sio_args;

SIO_API int sio_args_get(const sio_args *a, size_t i, sio_json *out);     /* argument i */
SIO_API int sio_args_bin(const sio_args *a, sio_json v, sio_str *bytes);  /* 1 if v is a binary placeholder */
/* Argument i as a string, unescaped, as sio_json_strcpy (0 and "" if it is none). */
SIO_API size_t sio_args_strcpy(const sio_args *a, size_t i, char *dst, size_t cap);

/* Outgoing arguments: a JSON array under construction plus binary blobs.
   Binary blobs are referenced, not copied: keep them alive until the emit
   call returns. Usage:
       sio_msg m; sio_msg_init(&m);
       sio_json_str(&m.w, "hello"); sio_msg_bin(&m, bytes, n);
       sio_emit(socket, "greet", &m); sio_msg_free(&m);                     */
/* The first SIO_MSG_INLINE bytes of a message's JSON live inside the
   sio_msg itself, so replying from a handler allocates nothing; larger
   messages move to the heap. Fixed, like SIO_ARGS_INDEXED: it shapes a
   public struct. A sio_msg must not be copied by value (its writer and
   buffer point into it). */
#define SIO_MSG_INLINE 256
typedef struct sio_msg {
    sio_buf buf;
    sio_json_writer w;
    sio_str bins[SIO_MAX_BINARIES];
    int nbins;
    int err;
    char small[SIO_MSG_INLINE];
} sio_msg;

SIO_API void sio_msg_init(sio_msg *m);     /* an empty argument list; m.w takes JSON values */
/* A binary argument here: a placeholder in the JSON, the bytes beside it
   (at most SIO_MAX_BINARIES; more set m->err to SIO_ERR_TOO_BIG). */
SIO_API void sio_msg_bin(sio_msg *m, const void *data, size_t len);
SIO_API int  sio_msg_json(sio_msg *m, const char *json_array);  /* replace contents by a raw JSON array */
SIO_API int  sio_msg_args(sio_msg *m, const sio_args *a);       /* copy incoming args (binary kept as views) */
SIO_API void sio_msg_free(sio_msg *m);     /* after the emits that use it */

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
/* A sio_socket is valid from its connection handler until its
   disconnect handler has returned: keep the pointer only that long (set
   it aside in sio_socket_set_data, forget it on disconnect). */
typedef void (*sio_socket_fn)(sio_socket *s, void *user);
/* reason as the Node server gives it: "client namespace disconnect" (the
   client left), "server namespace disconnect" (sio_disconnect), "transport
   close" (the connection ended), "transport error" (it failed, or a limit
   was crossed), "ping timeout", "parse error" (the client broke the
   protocol), "forced close" (no namespace joined in time, or
   sio_engine_close), "server shutting down" (sio_server_destroy). */
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
/* Answers a request handed to on_http, once: the body is copied, extra
   headers are whole "K: V\r\n" lines. SIO_ERR_STATE if already answered. */
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
/* A message to the client (text, or binary bytes); SIO_ERR_CLOSED once
   the session is gone. */
SIO_API int sio_engine_send(sio_engine_conn *c, const void *data, size_t len, int binary);
SIO_API void sio_engine_close(sio_engine_conn *c);                   /* on_close follows, "forced close" */
SIO_API const char *sio_engine_conn_id(const sio_engine_conn *c);     /* the sid */
/* Your state for a session, e.g. set in on_open; NULL until set. */
SIO_API void *sio_engine_conn_user(const sio_engine_conn *c);
SIO_API void sio_engine_conn_set_user(sio_engine_conn *c, void *user);

typedef struct sio_server_desc {
    const char *host;            /* listen address; NULL = every address ("::" dual stack, else "0.0.0.0") */
    int port;                    /* 0 = pick a free port (see sio_server_port) */
    int no_listen;               /* 1: no port of its own; a host hands requests in (sio_server_adopt) */
    /* 1: SO_REUSEPORT (Linux, the BSDs): processes that each listen on
       the same port share it, the kernel spreading new connections among
       them; joined in a cluster (sio_server_cluster), one server per core
       for WebSocket clients (long-polling needs every request of a session
       on one process). SIO_ERR_UNSUPPORTED where the system lacks it:
       Windows has no such sharing (its SO_REUSEADDR lets a second socket
       take the port, not share it), nor lwIP. */
    int reuse_port;
    const char *path;            /* Socket.IO endpoint; NULL = "/socket.io/" */
    int ping_interval_ms;        /* 0 = 25000 */
    int ping_timeout_ms;         /* 0 = 20000 */
    long max_payload;            /* 0 = 1000000 bytes (Node's maxHttpBufferSize) */
    int connect_timeout_ms;      /* 0 = 45000: no namespace joined by then -> close */
    int upgrade_timeout_ms;      /* 0 = 10000 */
    size_t max_output;           /* per-connection unsent bytes before it is dropped; 0 = 16 MiB */
    int http_timeout_ms;         /* time to send a complete request head+body; 0 = 30000 */
    int max_packets_per_payload; /* packets in one polling POST; 0 = SIO_MAX_PACKETS_PER_PAYLOAD */
    /* Lower caps on the compiled-in limits (0 = the macro; larger values are clamped to it). */
    int max_http_headers;        /* SIO_HTTP_MAX_HEADERS: more -> 431 */
    int max_http_header_bytes;   /* SIO_HTTP_MAX_HEADER_BYTES: request line + headers, more -> 431 */
    int max_request_line;        /* SIO_HTTP_MAX_REQUEST_LINE: longer -> 414 */
    int max_attachments;         /* SIO_MAX_ATTACHMENTS: binary attachments per packet */
    int max_json_depth;          /* SIO_JSON_MAX_DEPTH: nesting of incoming JSON */
    int max_connections;         /* 0 = 100000 */
    /* CORS, as Node's cors package: NULL = no CORS headers; "*" = any
       origin, answered with a literal "*" (with credentials too, which
       browsers then refuse: a wildcard is never reflected); or an
       allow-list "https://a.example,https://b.example", whose members are
       named back. cors_allow, when set, decides instead: 1 names the
       request's origin back (with credentials, if set), 0 sends nothing. */
    const char *cors_origin;
    int cors_credentials;        /* add Access-Control-Allow-Credentials: true */
    int (*cors_allow)(const char *origin, void *user);
    void *cors_user;
    sio_tls_config tls;          /* tls.cert_file/cert_pem set: serve https/wss (SIO_TLS_BEARSSL) */
    sio_http_fn on_http;         /* other paths; NULL = 404 */
    void *http_user;
    int no_serve_client;         /* 1: do not serve <path>socket.io.js */
    /* Connection state recovery (Node's connectionStateRecovery, with its
       maxDisconnectionDuration): 0 = off. A client whose connection broke
       (transport close or error, ping timeout) and that comes back within
       recovery_ms gets its socket id and rooms back and the broadcasts it
       missed, without the middleware running again; sio_socket_recovered()
       tells. Broadcasts without acks then carry an offset as last argument,
       as in Node (socket.io-client 4.6+ sends it back on reconnection). */
    int recovery_ms;
    /* 1: socket.io 2 clients (Engine.IO v3) too, beside v4 on the same
       path, as Node's allowEIO3; off, they get Node's "Unsupported
       protocol version". They join "/" on their own, name their sockets
       "/nsp#<sid>", and send connect data as a query: "40/chat?token=x,"
       gives sio_socket_auth() {"token":"x"} (strings). A middleware's
       refusal reaches them as the v2 form, its data (or message) alone. */
    int allow_eio3;
    /* SIO_PARSER_DEFAULT, or SIO_PARSER_MSGPACK: every client speaks npm
       socket.io-msgpack-parser (Node's `parser` option). Handlers see the
       same sio_args either way; MessagePack values JSON cannot hold
       (undefined, NaN, Infinity, extension types such as a Date) reach them
       as placeholders of their bytes, and go back out as they came (see
       sio_mp_to_json). */
    int parser;
    const char *client_js_file;  /* serve this file (e.g. the official socket.io-client
                                    dist/socket.io.min.js) instead of the built-in client */
    const char *engine_path;     /* optional bare Engine.IO endpoint, e.g. "/engine.io/" */
    sio_engine_handlers engine;
    sio_allocator allocator;
    sio_logger logger;
} sio_server_desc;

/* Listens and is ready to run; desc (NULL: every default) is copied, its
   strings must outlive the server. NULL on error with *err (may be NULL):
   SIO_ERR_ADDRINUSE (the port is taken), SIO_ERR_IO (cannot listen: the
   logger says why), SIO_ERR_RESOLVE (no such host), SIO_ERR_TLS,
   SIO_ERR_UNSUPPORTED (TLS without SIO_TLS_BEARSSL), SIO_ERR_NOT_FOUND
   (client_js_file), SIO_ERR_RANDOM (no random source), SIO_ERR_NOMEM. */
SIO_API sio_server *sio_server_create(const sio_server_desc *desc, int *err);
SIO_API int  sio_server_port(const sio_server *srv);            /* the port listened on (desc.port 0: the one picked; no_listen: 0) */
/* fn after ms, then every every_ms (0: once). NULL on bad arguments or no
   memory. Destroying the server cancels its timers. */
SIO_API sio_timer *sio_server_timer(sio_server *srv, int ms, int every_ms, sio_timer_fn fn, void *user);
SIO_API int  sio_server_poll(sio_server *srv, int timeout_ms);  /* one loop turn */
SIO_API int  sio_server_run(sio_server *srv);                   /* until sio_server_stop */
SIO_API void sio_server_stop(sio_server *srv);                  /* sio_server_run returns after this turn */
/* Closes every session (handlers hear "server shutting down"), then frees
   everything; every sio_socket and sio_namespace pointer dies with it. */
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

/* Attaching to an HTTP server the program already runs (libmicrohttpd,
   civetweb, an accept() loop of its own), so that Socket.IO shares its
   port as in Node's `new Server(httpServer)`. The server is made with
   desc.no_listen = 1 and still stepped as above (its timers answer held
   GETs and send pings); the host hands in what reaches desc.path:

   - a connection it accepted, with the bytes it has read from it so far
     (at least nothing; at most whole requests): from then on the socket
     is the library's, polling and WebSocket alike. SIO_ERR_TOO_BIG over
     max_connections; the socket is then still the caller's to close. */
SIO_API int sio_server_adopt(sio_server *srv, int fd, const void *read, size_t len);

/* - or, for hosts that keep the connection and pass requests, one whole
     request. The answer comes through respond, exactly once: inside
     sio_server_request when it is ready at once (NULL is returned, *err
     SIO_OK), or later from a turn of the server (a long-polling GET; the
     exchange is returned: suspend the host's connection, resume it when
     respond comes). headers are "Name: value\r\n" lines, without
     Content-Length or Connection, which the host writes. An answer of 101
     (a WebSocket handshake) is followed by sio_server_upgraded with the
     socket the host switched; release then gives the socket back when the
     library is done with it (NULL: the library closes it). If the host's
     connection goes before the answer, sio_server_request_gone; the
     exchange is invalid once respond has been called (101 aside). A
     server destroyed with a long-poll pending answers it (the close
     packet); a request its connection could not answer gets 503. */
typedef struct sio_exchange sio_exchange;
typedef struct sio_host_request {
    const char *method;          /* "GET", "POST", "OPTIONS", ... */
    const char *target;          /* path and query, as sent: "/socket.io/?EIO=4&transport=polling" */
    const char *headers;         /* the request's headers, "Name: value\r\n" lines (Host, Origin, Upgrade ...) */
    const void *body;
    size_t body_len;
    void (*respond)(void *user, int status, const char *headers, const void *body, size_t len);
    void (*release)(void *user, int fd);
    void *user;
} sio_host_request;
SIO_API sio_exchange *sio_server_request(sio_server *srv, const sio_host_request *req, int *err);
/* The socket of an exchange answered 101, with the bytes the host read
   past the handshake (WebSocket frames). On an error, release is called
   (or the socket closed) before it returns. */
SIO_API int sio_server_upgraded(sio_exchange *x, int fd, const void *extra, size_t len);
SIO_API void sio_server_request_gone(sio_exchange *x);

/* Namespaces: "/" always exists; others are created on first use. */
SIO_API sio_namespace *sio_of(sio_server *srv, const char *name);
/* Each adds one (none replaces another, as in Node's on() and use());
   they run in the order added. A middleware that refuses ends the run. */
SIO_API int  sio_on_connection(sio_namespace *nsp, sio_socket_fn fn, void *user);
SIO_API int  sio_on_disconnect(sio_namespace *nsp, sio_disconnect_fn fn, void *user);
SIO_API int  sio_use(sio_namespace *nsp, sio_middleware_fn fn, void *user);
SIO_API int  sio_on(sio_namespace *nsp, const char *event, sio_event_fn fn, void *user); /* "*" = any */

/* Sockets */
SIO_API const char *sio_socket_id(const sio_socket *s);
SIO_API const char *sio_namespace_name(const sio_namespace *nsp);
SIO_API sio_namespace *sio_socket_nsp(const sio_socket *s);
SIO_API sio_json sio_socket_auth(const sio_socket *s);      /* CONNECT payload ({} when none) */
SIO_API void *sio_socket_data(const sio_socket *s);
SIO_API void  sio_socket_set_data(sio_socket *s, void *data);
/* Emits and broadcasts give SIO_ERR_INVALID for a reserved event name
   ("connect", "connect_error", "disconnect", "disconnecting", "newListener",
   "removeListener"): a Socket.IO peer would close the connection on it. */
SIO_API int  sio_emit(sio_socket *s, const char *event, const sio_msg *args);
SIO_API int  sio_emit_json(sio_socket *s, const char *event, const char *json_args); /* "[1,\"a\"]" or NULL */
SIO_API int  sio_emit_ack(sio_socket *s, const char *event, const sio_msg *args,
                          int timeout_ms, sio_ack_fn fn, void *user);
/* Answers an event that asked for an ack (ev->ack_id >= 0); _json takes
   the arguments as a JSON array text ("[1,\"a\"]" or NULL). */
SIO_API int  sio_ack(sio_socket *s, long long ack_id, const sio_msg *args);
SIO_API int  sio_ack_json(sio_socket *s, long long ack_id, const char *json_args);
/* Rooms are per namespace and made on first join; a socket is always in
   the room named after its id. Join: SIO_OK (also when already in it);
   leave: SIO_ERR_NOT_FOUND when it was not in it. */
SIO_API int  sio_join(sio_socket *s, const char *room);
SIO_API int  sio_leave(sio_socket *s, const char *room);
SIO_API int  sio_in_room(const sio_socket *s, const char *room);     /* 1 or 0 */
SIO_API int  sio_socket_recovered(const sio_socket *s);      /* 1: came back with its state (recovery_ms) */
SIO_API void sio_disconnect(sio_socket *s);                  /* "server namespace disconnect" */

/* Broadcasts: encoded once, written to every receiver. */
typedef struct sio_bcast {
    const char *const *rooms;   /* NULL: every socket of the namespace */
    size_t nrooms;
    const char *const *except;  /* rooms (a socket id is a room) to leave out */
    size_t nexcept;
    int local;                  /* 1: this server's sockets only, in a cluster (Node's .local) */
} sio_bcast;
/* Node's io.to(rooms).except(rooms).emit(event, ...): to is NULL for the
   whole namespace. Returns how many sockets it was written to (>= 0), or
   SIO_ERR_INVALID (no namespace, a reserved event name), or an encoding
   error of args. */
SIO_API int sio_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args);
SIO_API int sio_broadcast_all(sio_server *srv, const char *event, const sio_msg *args); /* every namespace */

/* A broadcast asking every receiver for an ack, as Node's
   io.to(room).timeout(ms).emit(event, ..., (err, responses) => {}): one
   packet, encoded once, one ack id for all. fn runs once, on a later loop
   turn at the soonest: SIO_OK with every receiver's answer, or
   SIO_ERR_TIMEOUT after timeout_ms (> 0, required) with the answers that
   came in time; a receiver that leaves first never answers. SIO_ERR_CLOSED
   when the server is destroyed first. Replies and their views live
   during the callback only. */
typedef struct sio_bcast_reply {
    const char *socket_id;      /* who answered */
    sio_args args;              /* the arguments of its ack */
} sio_bcast_reply;
typedef void (*sio_bcast_ack_fn)(sio_namespace *nsp, int err, const sio_bcast_reply *replies, size_t n, void *user);
SIO_API int sio_broadcast_ack(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args,
                              int timeout_ms, sio_bcast_ack_fn fn, void *user);
SIO_API size_t sio_nsp_count(const sio_namespace *nsp);   /* sockets connected */
SIO_API size_t sio_room_size(sio_namespace *nsp, const char *room); /* sockets in a room */

/* ---- a cluster of servers through Redis (>>cluster) ----
   Several servers, C or Node, on one Redis: Node's @socket.io/redis-adapter
   8 (the classic adapter, createAdapter) on the same wire, channels and
   MessagePack, and @socket.io/redis-emitter's messages. Once joined:
   - sio_broadcast and sio_broadcast_ack reach the sockets of every
     server (sio_bcast.local: this server's only); the sender's own
     sockets get it at once, the others' through Redis;
   - the calls below ask or act on every server: fetch sockets, all
     rooms, sockets join, leave and disconnect, server-side events.
   Without a cluster they act on this server alone, as Node's default
   adapter does. Long-polling clients behind a load balancer need sticky
   sessions (every request of a session on the server that made it);
   WebSocket-only clients do not. Redis is asked nothing but PUBLISH,
   (P)SUBSCRIBE and PUBSUB NUMSUB: no keys are stored. While Redis is
   away, broadcasts reach this server's sockets only (counted in
   sio_cluster_info), requests answer with this server's part and
   SIO_ERR_CLOSED, and both connections are dialed again with back-off. */
typedef struct sio_cluster_desc {
    /* "HOST:PORT", "HOST" (port 6379), or redis://[[USER]:PASSWORD@]HOST[:PORT][/DB];
       the string must outlive the server */
    const char *redis;
    const char *key;             /* channel prefix, NULL = "socket.io" (Node's `key`) */
    int requests_timeout_ms;     /* 0 = 5000: answers of other servers awaited (Node's requestsTimeout) */
} sio_cluster_desc;
/* Joins (connects in the background). SIO_ERR_INVALID (a bad URL),
   SIO_ERR_STATE (joined already), SIO_ERR_UNSUPPORTED (SIO_NO_REDIS). */
SIO_API int sio_server_cluster(sio_server *srv, const sio_cluster_desc *desc);
typedef struct sio_cluster_info {
    int up;                      /* 1 while both connections to Redis are up */
    unsigned long long published;        /* broadcasts and requests sent to the cluster */
    unsigned long long not_published;    /* those that could not be (Redis away): delivered locally only */
    unsigned long long received;         /* messages taken from other servers */
} sio_cluster_info;
SIO_API int sio_cluster_get_info(const sio_server *srv, sio_cluster_info *out); /* SIO_ERR_STATE when not joined */

/* What Node's fetchSockets() gives: a socket of any server, as JSON text. */
typedef struct sio_remote_socket {
    sio_str id;
    sio_json rooms;              /* array of strings, its own id among them */
    sio_json handshake;          /* an object; "auth" is the CONNECT payload */
    sio_json data;               /* Node's socket.data ({} from this library) */
    sio_socket *local;           /* the socket, when it is this server's; else NULL */
} sio_remote_socket;
/* err SIO_OK with every server's sockets, or SIO_ERR_TIMEOUT / SIO_ERR_CLOSED
   with those that came. Views live during the call only. */
typedef void (*sio_fetch_fn)(sio_namespace *nsp, int err, const sio_remote_socket *sockets, size_t n, void *user);
/* Every socket of the namespace in to's rooms, minus to's exceptions
   (to NULL: all), on every server; fn runs on a later loop turn. */
SIO_API int sio_fetch_sockets(sio_namespace *nsp, const sio_bcast *to, sio_fetch_fn fn, void *user);
typedef void (*sio_rooms_fn)(sio_namespace *nsp, int err, const sio_str *rooms, size_t n, void *user);
/* Every room of every server (socket-id rooms too), each once. */
SIO_API int sio_all_rooms(sio_namespace *nsp, sio_rooms_fn fn, void *user);
/* Node's io.in(rooms).socketsJoin(room), .socketsLeave(room) and
   .disconnectSockets(close): here at once, on the other servers through
   Redis (fire and forget, as in Node). close 1 also closes the
   connection underneath (every namespace). */
SIO_API int sio_sockets_join(sio_namespace *nsp, const sio_bcast *to, const char *room);
SIO_API int sio_sockets_leave(sio_namespace *nsp, const sio_bcast *to, const char *room);
SIO_API int sio_disconnect_sockets(sio_namespace *nsp, const sio_bcast *to, int close);

/* Server-side events, Node's nsp.serverSideEmit(ev, ...) and
   nsp.on(ev, ...): heard by the other servers of the cluster, never by
   the sender. A handler that is asked for an answer (ack non-NULL)
   gives it with sio_server_event_ack during the call; only the answer's
   first argument travels (JSON over Redis, as in Node). */
typedef struct sio_server_ack sio_server_ack;
typedef void (*sio_server_event_fn)(sio_namespace *nsp, const char *event, const sio_args *args, sio_server_ack *ack,
                                    void *user);
SIO_API int sio_on_server_event(sio_namespace *nsp, const char *event, sio_server_event_fn fn, void *user);
SIO_API int sio_server_event_ack(sio_server_ack *ack, const sio_msg *args);
SIO_API int sio_server_emit(sio_namespace *nsp, const char *event, const sio_msg *args);
/* Asks every other server: fn gets SIO_OK with one answer from each, or
   SIO_ERR_TIMEOUT after timeout_ms (0: the cluster's requests timeout)
   with those that came, or SIO_ERR_CLOSED (no cluster, Redis away).
   Each answer is one JSON value. */
typedef void (*sio_server_ack_fn)(sio_namespace *nsp, int err, const sio_json *answers, size_t n, void *user);
SIO_API int sio_server_emit_ack(sio_namespace *nsp, const char *event, const sio_msg *args, int timeout_ms,
                                sio_server_ack_fn fn, void *user);

#ifndef SIO_NO_ADMIN
/* ---- watched and steered from the Socket.IO Admin UI (>>admin) ----
   Node's instrument(io, {...}) of @socket.io/admin-ui 0.5: the official
   UI (https://admin.socket.io, or its files served anywhere) logs in on
   an admin namespace and sees this server's sockets, rooms, clients,
   events and counters, and can make sockets join, leave, disconnect and
   receive emits. The UI's page is on another origin and polls with
   credentials: a server without CORS settings of its own gets
   https://admin.socket.io allowed, with credentials; one with its own
   (cors_origin, cors_allow) must allow the UI's origin, with
   cors_credentials. Off (never called), it costs nothing: the server
   holds one NULL pointer. */
typedef struct sio_admin_desc {
    const char *nsp;             /* the admin namespace; NULL = "/admin" */
    /* basic auth, required unless no_auth: the password as plain text, or
       a bcrypt hash ("$2a$", "$2b$", "$2y$") as Node takes it */
    const char *username;
    const char *password;
    int no_auth;                 /* 1: anyone may connect (Node's auth: false) */
    /* 1: Node's mode "production": server_stats only, nothing per socket,
       room or event (the UI shows the dashboard and the servers) */
    int production;
    int readonly;                /* 1: the UI watches, and its commands are ignored */
    const char *server_id;       /* NULL = the host name */
} sio_admin_desc;
/* Instruments srv (once; strings are copied). SIO_ERR_INVALID (no
   username or password without no_auth, a bad namespace, a malformed
   bcrypt hash), SIO_ERR_STATE (twice), SIO_ERR_NOMEM. */
SIO_API int sio_server_admin(sio_server *srv, const sio_admin_desc *desc);
#endif

#ifndef SIO_NO_CLIENT
/* =====================================================================
   Client API
   =====================================================================
   A client is a "manager", as in the Node socket.io-client: one Engine.IO
   connection (polling, WebSocket, or polling upgraded to WebSocket) that
   carries any number of namespace sockets. It connects on creation,
   reconnects with exponential back-off when the link is lost, re-joins
   every namespace with its auth payload, and holds the emits made while
   it was down until it is back. Everything happens inside
   sio_client_poll() / sio_client_run(), on the calling thread; callbacks
   must not call sio_client_destroy(). (An example: the quick start.) */

#ifndef SIO_CLIENT_MAX_BUFFERED
#define SIO_CLIENT_MAX_BUFFERED (1u << 20)  /* default bytes of emits held per socket while offline */
#endif
#ifndef SIO_CLIENT_MAX_BODY
#define SIO_CLIENT_MAX_BODY (64u << 20)     /* bytes of one polling response */
#endif
#ifndef SIO_CLIENT_MAX_HOST
#define SIO_CLIENT_MAX_HOST 256             /* bytes of the host name in the URL */
#endif
#ifndef SIO_CLIENT_RESOLVE_TIMEOUT_MS
#define SIO_CLIENT_RESOLVE_TIMEOUT_MS 5000  /* default resolve_timeout_ms */
#endif
/* The Node client's defaults, each also a desc field. */
#ifndef SIO_CLIENT_TIMEOUT_MS
#define SIO_CLIENT_TIMEOUT_MS 20000         /* default timeout_ms: the Engine.IO handshake */
#endif
#ifndef SIO_CLIENT_RECONNECT_DELAY_MS
#define SIO_CLIENT_RECONNECT_DELAY_MS 1000  /* default reconnection_delay_ms */
#endif
#ifndef SIO_CLIENT_RECONNECT_DELAY_MAX_MS
#define SIO_CLIENT_RECONNECT_DELAY_MAX_MS 5000 /* default reconnection_delay_max_ms */
#endif

typedef struct sio_client sio_client;               /* a manager: one Engine.IO connection */
typedef struct sio_client_socket sio_client_socket; /* one namespace on it */

/* An incoming event. name and args are views valid until the handler
   returns. This type and the callback types below are the server's
   (sio_event, sio_event_fn, ...) for a client socket. */
typedef struct sio_client_event {
    sio_client_socket *socket;
    sio_str name;
    sio_args args;
    long long ack_id;       /* >= 0 when the server wants an ack: answer with sio_client_ack() */
} sio_client_event;

typedef void (*sio_client_event_fn)(const sio_client_event *ev, void *user);
typedef void (*sio_client_socket_fn)(sio_client_socket *s, void *user);
/* reason as the Node client gives it: "io server disconnect", "io client
   disconnect", "ping timeout", "transport close", "transport error",
   "parse error" */
typedef void (*sio_client_disconnect_fn)(sio_client_socket *s, const char *reason, void *user);
/* message: the server's CONNECT_ERROR message, or why the connection
   failed ("xhr poll error", "websocket error", "timeout"); data_json: the
   raw JSON of the CONNECT_ERROR "data" member, NULL when absent. */
typedef void (*sio_client_error_fn)(sio_client_socket *s, const char *message, const char *data_json, void *user);
/* The ack's arguments, or args == NULL and err == SIO_ERR_TIMEOUT /
   SIO_ERR_CLOSED when no ack will come. */
typedef void (*sio_client_ack_fn)(sio_client_socket *s, int err, const sio_args *args, void *user);

typedef struct sio_client_desc {
    const char *url;             /* http://host:port[/nsp][?query], ws:// too; [::1] for IPv6.
                                    https:// and wss:// need SIO_TLS_BEARSSL, else SIO_ERR_UNSUPPORTED */
    const char *path;            /* NULL = "/socket.io/" */
    const char *transports;      /* NULL or "auto" = polling then upgrade; "polling"; "websocket" */
    const char *query;           /* extra query "k=v&k2=v2", already %-encoded; NULL = none */
    const char *headers;         /* extra request headers "K: V\r\n..."; NULL = none */
    sio_tls_config tls;          /* https/wss (SIO_TLS_BEARSSL): tls.ca_file (NULL = system bundle),
                                    tls.insecure_skip_verify, optional client cert_file/key_file */
    int no_reconnection;         /* 1 = never reconnect */
    int reconnection_attempts;   /* 0 = unlimited */
    int reconnection_delay_ms;   /* 0 = SIO_CLIENT_RECONNECT_DELAY_MS (1000): first delay */
    int reconnection_delay_max_ms; /* 0 = SIO_CLIENT_RECONNECT_DELAY_MAX_MS (5000) */
    double randomization_factor; /* 0 = 0.5; < 0 = no jitter */
    int timeout_ms;              /* 0 = SIO_CLIENT_TIMEOUT_MS (20000): Engine.IO handshake deadline */
    size_t max_buffered;         /* 0 = SIO_CLIENT_MAX_BUFFERED: emits held per socket while offline */
    size_t max_output;           /* 0 = SIO_MAX_OUTPUT: bytes queued for a server that does not read
                                    them before the connection is dropped ("transport error") */
    /* 3: the server is socket.io 2 (Engine.IO v3); 0 or 4: socket.io 3 and
       later. The API stays the same; with 3 the connection starts at the
       first sio_client_socket_open, as "/" is joined at the handshake and
       its auth must ride on it, as a query (the same for other namespaces:
       {"token":"x"} arrives as token=x, in strings). */
    int eio_version;
    int parser;                  /* SIO_PARSER_DEFAULT or SIO_PARSER_MSGPACK, as the server's */
    int resolve_timeout_ms;      /* 0 = SIO_CLIENT_RESOLVE_TIMEOUT_MS (5000): longest DNS lookup of the
                                    host per attempt. Resolution never blocks the loop: literals and
                                    /etc/hosts names at once, others by UDP queries inside the loop */
    const char *dns_server;      /* "ip:port" or "[ipv6]:port": ask only this nameserver; NULL = the
                                    nameservers of /etc/resolv.conf (127.0.0.1 when it lists none) */
    void (*on_reconnect_attempt)(sio_client *c, int attempt, void *user);
    void (*on_reconnect)(sio_client *c, int attempt, void *user);
    void (*on_reconnect_failed)(sio_client *c, void *user);
    void *user;
    sio_allocator allocator;
    sio_logger logger;           /* debug level: handshake, upgrade, every packet both ways */
} sio_client_desc;

/* Parses the URL and starts connecting (resolving the host first, inside
   the loop). NULL on error with *err (may be NULL) set: SIO_ERR_INVALID
   (bad URL, host name, dns_server or transports), SIO_ERR_UNSUPPORTED
   (TLS), SIO_ERR_NOMEM. A name that does not resolve is not an error
   here: each attempt reports it as a connect_error ("cannot resolve
   host: no such host (NXDOMAIN)", "...: timed out"), then reconnects. */
SIO_API sio_client *sio_client_create(const sio_client_desc *d, int *err);
SIO_API void sio_client_destroy(sio_client *c);
SIO_API void *sio_client_user(const sio_client *c);

/* Opens (or re-opens) the socket of namespace nsp (NULL = the URL's
   namespace, "/" when it has none); auth_json: an object sent with every
   CONNECT, NULL = none. Returns NULL on a bad namespace or auth, or no memory. */
SIO_API sio_client_socket *sio_client_socket_open(sio_client *c, const char *nsp, const char *auth_json);
/* Leaves the namespace (DISCONNECT, reason "io client disconnect"); the
   Engine.IO connection closes with the last socket, as in Node. */
SIO_API void sio_client_socket_close(sio_client_socket *s);
SIO_API sio_client *sio_client_socket_client(const sio_client_socket *s);
SIO_API const char *sio_client_socket_id(const sio_client_socket *s);   /* "" while not connected */
SIO_API int  sio_client_connected(const sio_client_socket *s);
/* 1 when the last connect was a recovery: the server (with Node's
   connectionStateRecovery or recovery_ms) gave back the same id, rooms and
   the broadcasts missed while away. Such servers end each broadcast with
   an offset argument, which handlers see as the last one, as in Node. */
SIO_API int  sio_client_socket_recovered(const sio_client_socket *s);

SIO_API int  sio_client_on(sio_client_socket *s, const char *event, sio_client_event_fn fn, void *user); /* "*" = any */
/* Each adds a listener (none replaces another, as in Node); they run in
   the order added. connect: the namespace is joined (again, after each
   reconnection); disconnect: with the reason; connect_error: the server
   refused the namespace, or a connection attempt failed. */
SIO_API int  sio_client_on_connect(sio_client_socket *s, sio_client_socket_fn fn, void *user);
SIO_API int  sio_client_on_disconnect(sio_client_socket *s, sio_client_disconnect_fn fn, void *user);
SIO_API int  sio_client_on_connect_error(sio_client_socket *s, sio_client_error_fn fn, void *user);

/* Emits: sent at once when connected, else held (at most max_buffered
   bytes per socket; beyond that SIO_ERR_TOO_BIG and the emit is dropped,
   the older ones are kept) and sent once the namespace is joined again.
   SIO_ERR_STATE on a socket that was closed or refused. */
SIO_API int  sio_client_emit(sio_client_socket *s, const char *event, const sio_msg *args);
SIO_API int  sio_client_emit_json(sio_client_socket *s, const char *event, const char *json_args);
/* timeout_ms <= 0: wait for the ack as long as the socket stays connected. */
SIO_API int  sio_client_emit_ack(sio_client_socket *s, const char *event, const sio_msg *args, int timeout_ms,
                                 sio_client_ack_fn fn, void *user);
/* Dropped (returns 1) unless connected right now. */
SIO_API int  sio_client_emit_volatile(sio_client_socket *s, const char *event, const sio_msg *args);
SIO_API int  sio_client_ack(sio_client_socket *s, long long ack_id, const sio_msg *args);
SIO_API int  sio_client_ack_json(sio_client_socket *s, long long ack_id, const char *json_args);

SIO_API const char *sio_client_transport(const sio_client *c);  /* "polling", "websocket", or "" when down */
/* As sio_server_timer, in the client's loop. */
SIO_API sio_timer *sio_client_timer(sio_client *c, int ms, int every_ms, sio_timer_fn fn, void *user);
/* 1 once the client stopped for good: closed by the user, every namespace
   left or refused, or reconnection given up. */
SIO_API int  sio_client_closed(const sio_client *c);
SIO_API int  sio_client_poll(sio_client *c, int timeout_ms);      /* one loop turn */
SIO_API int  sio_client_run(sio_client *c);                       /* until stopped or closed */
SIO_API void sio_client_stop(sio_client *c);
/* Stepping from your own poll() loop, as sio_server_fds/_process:
       n = sio_client_fds(c, fds, max, &timeout);   fill fds[0..n), lower timeout
       poll(all your fds, ..., timeout);
       sio_client_process(c, fds, n);               same fds, revents set
   n > max: nothing was written, grow the array and call again. The
   descriptors change from turn to turn (reconnects, DNS, upgrades):
   ask every turn. */
SIO_API int  sio_client_fds(sio_client *c, struct pollfd *fds, int max, int *timeout_ms);
SIO_API int  sio_client_process(sio_client *c, const struct pollfd *fds, int n);
/* Leaves every namespace and closes the connection; no reconnection. */
SIO_API void sio_client_disconnect(sio_client *c);
#endif
/* =====================================================================
   Streams (wire-compatible with the npm socket.io-stream package 0.9.x)
   =====================================================================
   Pipes bytes between peers chunk by chunk with back-pressure, over plain
   events and binary attachments, exactly as socket.io-stream does, so a
   Node or browser peer using that package works unchanged. A stream is
   named by an id inside the arguments of an event; the peer that reads
   asks for each chunk; the writer sends one chunk per request. Memory per
   stream stays below SIO_STREAM_HIGH_WATER bytes whatever the size of the
   transfer.

   Server: one hub per namespace that uses streams.
       sio_stream_hub *hub = sio_stream_attach(sio_of(srv, "/"), &err);
       sio_stream_on(hub, "download", on_download, NULL);   incoming streams
       ...
       static void on_download(const sio_stream_event *ev, void *user) {
           sio_stream_send_file(ev->stream, "big.bin");     file -> peer, then end
       }
   Client: sio_stream_attach_client(sock, &err) on a sio_client_socket,
   then the same calls, with sio_stream_open_client to start a stream.

   Lifetime: a stream is alive from sio_stream_open* (or the incoming
   event) until its on_close handler has returned, or until the caller
   ends it with sio_stream_error() / sio_stream_destroy(). on_close may
   run inside one of your own calls (sio_stream_end on a stream with
   nothing left to send, for instance): once it has run, do not touch the
   stream again, even on return from that call. Destroy a hub
   only after its server or client has been destroyed (that delivers the
   last disconnects, which close every stream). A hub hears disconnects
   on its own, before the namespace's (or client socket's) handler runs,
   whenever that handler is set; one hub per namespace or client socket
   (a second attach gives SIO_ERR_STATE). */

#ifndef SIO_STREAM_CHUNK
#define SIO_STREAM_CHUNK 65536          /* largest chunk sent in one $stream-write */
#endif
#ifndef SIO_STREAM_HIGH_WATER
#define SIO_STREAM_HIGH_WATER (4 * SIO_STREAM_CHUNK) /* bytes a stream holds, each way */
#endif
#ifndef SIO_STREAM_MAX_UNACKED
#define SIO_STREAM_MAX_UNACKED 2        /* chunks sent whose ack has not come back */
#endif
#ifndef SIO_STREAM_MAX_ID
#define SIO_STREAM_MAX_ID 64            /* bytes of a stream id (ours are 36-byte UUIDs) */
#endif
#ifndef SIO_STREAM_MAX_PER_EVENT
#define SIO_STREAM_MAX_PER_EVENT 4      /* stream arguments picked up from one event */
#endif
#ifndef SIO_STREAM_MAX_PER_SOCKET
#define SIO_STREAM_MAX_PER_SOCKET 64    /* open streams per socket; more are refused */
#endif

typedef struct sio_stream sio_stream;
typedef struct sio_stream_hub sio_stream_hub;

/* An incoming event that carries streams, e.g. from Node
       ss(socket).emit("upload", stream, {name: "a.txt"})
   name is "upload", stream the first stream argument, args the
   arguments after the name (the stream's place holds its placeholder
   object {"$stream":"<id>"}, so index 1 is {name: "a.txt"} here). Views
   valid until the handler returns; the streams stay valid beyond. A
   stream the handler neither uses nor destroys stays open until the
   peer closes it or disconnects, as in Node. */
typedef struct sio_stream_event {
    sio_stream_hub *hub;
    sio_socket *socket;            /* server hubs; NULL on client hubs */
    struct sio_client_socket *client; /* client hubs; NULL on server hubs */
    sio_str name;
    sio_stream *stream;            /* first stream argument, NULL if none */
    sio_stream *const *streams;    /* every stream argument, in order */
    size_t nstreams;
    sio_args args;
    long long ack_id;              /* >= 0: the sender wants an ack (sio_ack / sio_client_ack) */
} sio_stream_event;
typedef void (*sio_stream_event_fn)(const sio_stream_event *ev, void *user);

/* Per-stream callbacks; every one may be NULL.
   on_data   a chunk arrived (view valid until return). Setting on_data (or
             calling sio_stream_save_fd) is what starts reading: nothing is
             requested from the peer before.
   on_end    the peer ended its side and every chunk has been delivered.
   on_drain  the stream can take more: sio_stream_write() accepted less
             than it was given, or a whole chunk was waiting, and now the
             queue has room for at least one more chunk.
   on_close  the stream is gone; err is SIO_OK after both sides ended,
             SIO_ERR_CLOSED when the connection went away ("Connection
             aborted"), SIO_ERR_REFUSED when the peer reported an error
             (message is its text), SIO_ERR_TOO_BIG / SIO_ERR_PROTOCOL when
             the peer broke the rules, SIO_ERR_IO when a file given to
             sio_stream_save_fd / sio_stream_send_fd failed (message from
             strerror). The stream pointer is invalid once it returns. */
typedef struct sio_stream_handlers {
    void (*on_data)(sio_stream *st, const void *data, size_t len, void *user);
    void (*on_end)(sio_stream *st, void *user);
    void (*on_drain)(sio_stream *st, void *user);
    void (*on_close)(sio_stream *st, int err, const char *message, void *user);
    void *user;
} sio_stream_handlers;

/* Hubs: see every $stream-* event of a namespace / client socket. NULL on
   error with *err (may be NULL) set. */
SIO_API sio_stream_hub *sio_stream_attach(sio_namespace *nsp, int *err);
#ifndef SIO_NO_CLIENT
SIO_API sio_stream_hub *sio_stream_attach_client(sio_client_socket *s, int *err);
#endif
/* Frees the hub and any stream still in it, without callbacks or packets. */
SIO_API void sio_stream_hub_destroy(sio_stream_hub *hub);
/* Handler for incoming streams sent with `event` ("*" = any). */
SIO_API int  sio_stream_on(sio_stream_hub *hub, const char *event, sio_stream_event_fn fn, void *user);

/* Outgoing streams: emits `event` with the new stream as first argument,
   followed by the items of json_args (a JSON array text, NULL = none), as
   ss(socket).emit(event, stream, ...json_args) does. NULL on error. The
   client version needs the socket connected (else SIO_ERR_CLOSED). */
SIO_API sio_stream *sio_stream_open(sio_stream_hub *hub, sio_socket *s, const char *event,
                                    const char *json_args, int *err);
#ifndef SIO_NO_CLIENT
SIO_API sio_stream *sio_stream_open_client(sio_stream_hub *hub, const char *event, const char *json_args,
                                           int *err);
#endif

SIO_API void sio_stream_set_handlers(sio_stream *st, const sio_stream_handlers *h);   /* copied */
SIO_API const char *sio_stream_id(const sio_stream *st);                    /* the UUID on the wire */
SIO_API sio_socket *sio_stream_socket(const sio_stream *st);                /* NULL on client hubs */
#ifndef SIO_NO_CLIENT
SIO_API sio_client_socket *sio_stream_client_socket(const sio_stream *st);  /* NULL on server hubs */
#endif
SIO_API unsigned long long sio_stream_bytes_in(const sio_stream *st);   /* received so far */
SIO_API unsigned long long sio_stream_bytes_out(const sio_stream *st);  /* accepted by write so far */

/* Writing. Copies as much of data as the queue has room for (at most
   SIO_STREAM_HIGH_WATER bytes held) and returns that count, like a
   non-blocking write(2): 0 when full. When less than len was taken,
   on_drain tells when to go on. Negative: SIO_ERR_STATE after end or
   close. Chunks leave only when the peer asks for them. */
SIO_API int    sio_stream_write(sio_stream *st, const void *data, size_t len);
SIO_API size_t sio_stream_writable(const sio_stream *st);   /* bytes write would take now */
/* No more writes: $stream-end goes out once the queue is sent and acked. */
SIO_API int    sio_stream_end(sio_stream *st);

/* Reading. While paused no chunk is requested; a chunk already requested
   is held (and its ack withheld, which is the peer's back-pressure) until
   sio_stream_resume. */
SIO_API void sio_stream_pause(sio_stream *st);
SIO_API void sio_stream_resume(sio_stream *st);

/* Sends $stream-error with message (the peer's stream emits an 'error'),
   then frees the stream at once: no callback follows. */
SIO_API int  sio_stream_error(sio_stream *st, const char *message);
/* Forgets the stream without telling the peer; no callback follows. */
SIO_API void sio_stream_destroy(sio_stream *st);

/* Helpers. send_file opens path (SIO_ERR_NOT_FOUND / SIO_ERR_IO if it
   cannot, SIO_ERR_INVALID if it is not a regular file: the stream then
   stays untouched), sends its bytes as the peer
   asks for them and ends the stream at the end of the file; send_fd does
   the same from an open descriptor. save_fd writes every chunk received
   to fd (blocking writes) and starts reading. close_fd = 1: the stream
   closes fd when it is closed. A read or write failure closes the stream
   with SIO_ERR_IO and tells the peer. The on_* handlers still run. */
SIO_API int sio_stream_send_file(sio_stream *st, const char *path);
SIO_API int sio_stream_send_fd(sio_stream *st, int fd, int close_fd);
SIO_API int sio_stream_save_fd(sio_stream *st, int fd, int close_fd);

#endif /* SOCKETIO_H */

/* =====================================================================
   IMPLEMENTATION
   ===================================================================== */
#ifdef SOCKETIO_IMPLEMENTATION
#ifndef SOCKETIO_IMPLEMENTATION_DONE
#define SOCKETIO_IMPLEMENTATION_DONE

#include <string.h>
#include <stdlib.h>
#include <limits.h>
#include <float.h>
#include <stdio.h>
#include <stdarg.h>
#include <errno.h>
#include <time.h>
#include <sys/types.h>
/* ---- the platform: the socket layer and the few calls that differ ----
   POSIX sockets by default; lwIP's sockets on a device (SIO_LWIP). The
   layers above use the POSIX names (socket, connect, send, recv, ...),
   which both give, and these for what is not the same everywhere:
     sio__closesocket(fd)   closes a socket (a file is closed with close())
     sio__poll(fds, n, ms)  poll() over sockets
     SIO__SOCKERR           the failed socket call's error, an errno value
     SIO__CONNECTING(e)     e says a non-blocking connect() is under way
   and, in >>loop, sio__set_nonblock, the clock (SIO_CLOCK_MS) and the
   random source (SIO_RANDOM_BYTES). */
#if defined(SIO_LWIP)
/* lwIP 2.x with NO_SYS 0 and its socket API. The names above are its
   lwip_* calls, which exist whatever LWIP_COMPAT_SOCKETS renames; the
   POSIX names the rest of the file uses need LWIP_COMPAT_SOCKETS (its
   default). lwIP has no /etc/hosts, resolv.conf or getrandom(): names are
   resolved by lwIP's own DNS client (>>resolve), the randomness comes
   from the board (SIO_RANDOM_BYTES), the clock from sys_now(). It must be
   built with the errno.h the application uses (LWIP_ERRNO_STDINCLUDE), so
   that EAGAIN means the same to both. */
#include <lwip/opt.h>
#include <lwip/sockets.h>
#include <lwip/netdb.h>
#include <lwip/inet.h>
#include <lwip/sys.h>
#include <lwip/tcpip.h>
#include <lwip/dns.h>
#include <lwip/mem.h>
#if !LWIP_SOCKET || !LWIP_COMPAT_SOCKETS || !LWIP_SOCKET_POLL || !LWIP_DNS || !LWIP_TCP || !LWIP_IPV4 || !LWIP_IPV6
#error "SIO_LWIP needs LWIP_SOCKET, LWIP_COMPAT_SOCKETS, LWIP_SOCKET_POLL, LWIP_DNS, LWIP_TCP, LWIP_IPV4 and LWIP_IPV6"
#endif
#if LWIP_POSIX_SOCKETS_IO_NAMES
/* it turns read(), write() and close() into socket calls, and the
   stream helpers call them on files */
#error "SIO_LWIP needs LWIP_POSIX_SOCKETS_IO_NAMES 0 in lwipopts.h (as ESP-IDF sets it)"
#endif
#define sio__closesocket(fd) lwip_close(fd)
#define sio__poll(fds, n, ms) lwip_poll(fds, (nfds_t)(n), ms)
/* lwIP's clock counts 32 bits of milliseconds, so it wraps after 49.7
   days: a device that runs longer gives a 64-bit one (the RTOS's tick
   count kept in 64 bits, say), or its timers stop at the wrap */
#ifndef SIO_CLOCK_MS
#define SIO_CLOCK_MS() ((uint64_t)sys_now())
#endif
#elif defined(_WIN32)
/* Windows: Winsock 2 (Vista and later, for WSAPoll), built with
   mingw-w64 and written with MSVC in mind (no GNU extension outside an
   #ifdef; link ws2_32, bcrypt and iphlpapi, which MSVC is told below).
   - A SOCKET is a UINT_PTR; the API keeps int descriptors (sio_server_adopt,
     the pollfds of the step API) and converts at the calls. Kernel handle
     values stay far below INT_MAX in practice, and INVALID_SOCKET becomes
     -1, which is what many portable libraries rely on too.
   - Winsock must be started: each server and client calls WSAStartup
     when it is created and WSACleanup when it is destroyed (Windows
     counts them), so there is no global flag to keep.
   - Errors come from WSAGetLastError(), mapped to errno values here;
     a non-blocking connect says WSAEWOULDBLOCK where POSIX says
     EINPROGRESS. No SIGPIPE exists; send() never raises a signal.
   - setsockopt() and the others take char pointers and int lengths: the
     names the file uses are wrappers that convert. SO_REUSEADDR there
     lets another socket take a port that is in use, which POSIX's never
     does, so it is asked for as SO_EXCLUSIVEADDRUSE, what POSIX programs
     mean by it (Windows rebinds over TIME_WAIT anyway).
   - Files (the stream helpers, the hosts file) use the C runtime's
     open/read/write/close from <io.h>, in binary mode. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#include <io.h>
#include <fcntl.h>
#include <limits.h>
#if _WIN32_WINNT < 0x0600
#error "socketio.h needs _WIN32_WINNT 0x0600 (Vista) or later, for WSAPoll"
#endif
#ifdef _MSC_VER
#include <BaseTsd.h>
typedef SSIZE_T ssize_t;
#pragma comment(lib, "ws2_32")
#pragma comment(lib, "bcrypt")
#pragma comment(lib, "iphlpapi")
#endif
static SIO__UNUSED int sio__wsa_errno(void) {
    switch (WSAGetLastError()) {
    case WSAEWOULDBLOCK: return EWOULDBLOCK;
    case WSAEINPROGRESS: return EINPROGRESS;
    case WSAEINTR: return EINTR;
    case WSAECONNREFUSED: return ECONNREFUSED;
    case WSAECONNRESET: return ECONNRESET;
    case WSAECONNABORTED: return ECONNABORTED;
    case WSAEADDRINUSE: return EADDRINUSE;
    case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
    case WSAEMFILE: return EMFILE;
    case WSAENOBUFS: return ENOBUFS;
    case WSAETIMEDOUT: return ETIMEDOUT;
    case WSAENETUNREACH: return ENETUNREACH;
    case WSAEHOSTUNREACH: return EHOSTUNREACH;
    case WSAENOTCONN: return ENOTCONN;
    case WSAEMSGSIZE: return EMSGSIZE;
    default: return EIO;
    }
}
static SIO__UNUSED int sio__win_setsockopt(int fd, int level, int name, const void *v, socklen_t n) {
    if (level == SOL_SOCKET && name == SO_REUSEADDR) name = SO_EXCLUSIVEADDRUSE;
    return setsockopt((SOCKET)fd, level, name, (const char *)v, (int)n);
}
static SIO__UNUSED int sio__win_getsockopt(int fd, int level, int name, void *v, socklen_t *n) {
    return getsockopt((SOCKET)fd, level, name, (char *)v, n);
}
static SIO__UNUSED ssize_t sio__win_send(int fd, const void *p, size_t n, int flags) {
    return send((SOCKET)fd, (const char *)p, n > INT_MAX ? INT_MAX : (int)n, flags);
}
static SIO__UNUSED ssize_t sio__win_recv(int fd, void *p, size_t n, int flags) {
    return recv((SOCKET)fd, (char *)p, n > INT_MAX ? INT_MAX : (int)n, flags);
}
/* WSAPoll refuses an empty set, which a client between reconnection
   attempts has: then it only waits. */
static SIO__UNUSED int sio__win_poll(struct pollfd *fds, size_t n, int ms) {
    if (n == 0) {
        Sleep(ms < 0 ? INFINITE : (DWORD)ms);
        return 0;
    }
    return WSAPoll(fds, (ULONG)n, ms);
}
#define setsockopt(fd, level, name, v, n) sio__win_setsockopt(fd, level, name, v, n)
#define getsockopt(fd, level, name, v, n) sio__win_getsockopt(fd, level, name, v, n)
#define send(fd, p, n, flags) sio__win_send(fd, p, n, flags)
#define recv(fd, p, n, flags) sio__win_recv(fd, p, n, flags)
#define sio__closesocket(fd) closesocket((SOCKET)(fd))
#define sio__poll(fds, n, ms) sio__win_poll(fds, (size_t)(n), ms)
#define SIO__SOCKERR sio__wsa_errno()
#define SIO__CONNECTING(e) ((e) == EWOULDBLOCK || (e) == EINPROGRESS)
#ifndef SHUT_WR
#define SHUT_RD SD_RECEIVE
#define SHUT_WR SD_SEND
#define SHUT_RDWR SD_BOTH
#endif
/* every open() here reads a file's bytes: binary mode, not inherited */
#ifndef O_CLOEXEC
#define O_CLOEXEC (O_NOINHERIT | O_BINARY)
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef SIO_CLOCK_MS
#define SIO_CLOCK_MS() ((uint64_t)GetTickCount64())
#endif
#else
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#define sio__closesocket(fd) close(fd)
#define sio__poll(fds, n, ms) poll(fds, (nfds_t)(n), ms)
#endif
#if !defined(SIO__SOCKERR)   /* POSIX and lwIP */
#define SIO__SOCKERR errno
#define SIO__CONNECTING(e) ((e) == EINPROGRESS)
#endif
/* A peer that went away must not kill the process with SIGPIPE: POSIX
   send() takes MSG_NOSIGNAL; where it is missing (older macOS) each
   socket is marked SO_NOSIGPIPE instead (sio__set_nonblock). MSG_DONTWAIT
   is not POSIX: without it the one send that asks for it may block,
   on a socket that has written nothing yet. lwIP has no signals (its
   MSG_NOSIGNAL is accepted and means nothing). */
#ifdef MSG_NOSIGNAL
#define SIO__NOSIGNAL MSG_NOSIGNAL
#else
#define SIO__NOSIGNAL 0
#endif
#ifdef MSG_DONTWAIT
#define SIO__DONTWAIT MSG_DONTWAIT
#else
#define SIO__DONTWAIT 0
#endif
#ifndef _WIN32
#include <unistd.h>
#endif
#include <fcntl.h>
#include <sys/stat.h>
#if defined(SIO_EPOLL) && defined(__linux__) && !defined(SIO_POSIX_ONLY)
#include <sys/epoll.h>
#define SIO__EPOLL 1
#endif
#if defined(SIO_RANDOM_BYTES)
/* the application's source, checked first */
#elif defined(SIO_LWIP)
#error "SIO_LWIP: define SIO_RANDOM_BYTES(buf, n) to fill n bytes from the board's hardware RNG (0 on success)"
#elif defined(_WIN32)
#define SIO__BCRYPT 1   /* BCryptGenRandom, the system's preferred generator */
#elif defined(__linux__) && !defined(SIO_NO_GETRANDOM) && !defined(SIO_POSIX_ONLY) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#define SIO__GETRANDOM 1
#elif (defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)) && \
    !defined(SIO_NO_GETRANDOM) && !defined(SIO_POSIX_ONLY)
#define SIO__ARC4RANDOM 1   /* declared by <stdlib.h> there */
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
    if (b->borrowed) {
        if (!(p = (char *)sio__malloc(b->alloc, cap))) return b->err = SIO_ERR_NOMEM;
        if (b->len) memcpy(p, b->data, b->len);
        b->borrowed = 0;
    } else if (!(p = (char *)sio__realloc(b->alloc, b->data, cap))) {
        return b->err = SIO_ERR_NOMEM;
    }
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
    if (!b->borrowed) sio__free(b->alloc, b->data);
    b->borrowed = 0;
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

/* A sio_buf over caller memory that never grows: for small texts built
   on the stack, so an answer written from deep inside a close path never
   touches a shared scratch buffer. */
static SIO__UNUSED void sio__stackbuf(sio_buf *b, char *mem, size_t n) {
    memset(b, 0, sizeof *b);
    b->data = mem;
    b->cap = b->max = n;
}

SIO_API const char *sio_log_level_name(int level) {
    static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
    return level >= SIO_LOG_ERROR && level <= SIO_LOG_TRACE ? names[level - 1] : "?";
}

/* Whether a message of this level would be passed on: work done only to
   log (formatting a packet) is skipped otherwise. */
static SIO__UNUSED int sio__log_on(const sio_logger *lg, sio_log_level level) {
    return lg && lg->fn && level <= (lg->level ? lg->level : SIO_LOG_INFO);
}

static SIO__UNUSED void sio__log(const sio_logger *lg, sio_log_level level, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    if (!sio__log_on(lg, level)) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lg->fn(level, msg, lg->user);
}

/* =====================================================================
   >>sha1: SHA-1 (RFC 3174 / FIPS 180-4)
   Only the WebSocket handshake needs it (Sec-WebSocket-Accept), so a
   plain, portable implementation: big-endian words, one 64-byte block at
   a time. The context is internal; sio_sha1() is the one-shot entry.
   ===================================================================== */

typedef struct sio__sha1 {
    uint32_t h[5];
    unsigned char block[64];
    size_t used;          /* bytes waiting in block */
    uint64_t total;       /* message length in bytes */
} sio__sha1;

#define SIO__ROL32(x, n) ((uint32_t)(((x) << (n)) | ((x) >> (32 - (n)))))

static void sio__sha1_init(sio__sha1 *c) {
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->used = 0;
    c->total = 0;
}

static void sio__sha1_block(sio__sha1 *c, const unsigned char *p) {
    uint32_t w[80], a, b, d, e, f, k, t, cc;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++) {
        t = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = SIO__ROL32(t, 1);
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
    for (i = 0; i < 80; i++) {
        if (i < 20) { f = (b & cc) | (~b & d); k = 0x5A827999u; }
        else if (i < 40) { f = b ^ cc ^ d; k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8F1BBCDCu; }
        else { f = b ^ cc ^ d; k = 0xCA62C1D6u; }
        t = SIO__ROL32(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = SIO__ROL32(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void sio__sha1_update(sio__sha1 *c, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    size_t take;
    c->total += len;
    while (len > 0) {
        if (c->used == 0 && len >= 64) {
            sio__sha1_block(c, p);
            p += 64;
            len -= 64;
            continue;
        }
        take = 64 - c->used;
        if (take > len) take = len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used == 64) {
            sio__sha1_block(c, c->block);
            c->used = 0;
        }
    }
}

static void sio__sha1_final(sio__sha1 *c, unsigned char out[20]) {
    uint64_t bits = c->total * 8u;
    int i;
    /* Padding: one 0x80 byte, zeros up to 56 mod 64, then the bit length
       as a 64-bit big-endian number. */
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        sio__sha1_block(c, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (i = 0; i < 8; i++) c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sio__sha1_block(c, c->block);
    for (i = 0; i < 20; i++) out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

SIO_API void sio_sha1(const void *data, size_t len, unsigned char out[20]) {
    sio__sha1 c;
    sio__sha1_init(&c);
    sio__sha1_update(&c, data, len);
    sio__sha1_final(&c, out);
}

/* =====================================================================
   >>base64: RFC 4648 section 4 (standard alphabet, '=' padding)
   Engine.IO sends binary over long-polling as "b" + base64 ("bAQIDBA==" is
   the four bytes 01 02 03 04); the WebSocket handshake encodes its key and
   accept value with it.
   ===================================================================== */

static const char sio__b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* -1 for anything outside the standard alphabet, '=' included. */
static int sio__b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

SIO_API size_t sio_base64_encoded_len(size_t n) {
    size_t groups = n / 3 + (n % 3 != 0);
    if (groups > ((size_t)-1) / 4) return (size_t)-1;
    return groups * 4;
}

SIO_API size_t sio_base64_encode(const void *src, size_t n, char *dst, size_t cap) {
    const unsigned char *s = (const unsigned char *)src;
    size_t need = sio_base64_encoded_len(n), i, o = 0;
    uint32_t v;
    if (!dst || cap < need || need == (size_t)-1) return need;
    for (i = 0; i + 3 <= n; i += 3) {
        v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 6) & 63];
        dst[o++] = sio__b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        v = (uint32_t)s[i] << 16;
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = '=';
        dst[o++] = '=';
    } else if (n - i == 2) {
        v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        dst[o++] = sio__b64_alphabet[(v >> 18) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 12) & 63];
        dst[o++] = sio__b64_alphabet[(v >> 6) & 63];
        dst[o++] = '=';
    }
    if (cap > o) dst[o] = '\0';
    return o;
}

SIO_API int sio_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, size_t *out_len) {
    const unsigned char *s = (const unsigned char *)src;
    size_t data = n, rem, outlen, i, o = 0;
    uint32_t v = 0;
    int last;
    if (out_len) *out_len = 0;
    /* Padding is recognised only where it completes the final quantum:
       "QQ==" and "QUI=" are fine, "QQ=" or "Q===" are not. */
    if (n >= 4 && n % 4 == 0) {
        if (s[n - 1] == '=') data--;
        if (s[n - 2] == '=' && data < n) data--;
    }
    rem = data % 4;
    if (rem == 1) return SIO_ERR_PARSE;      /* 6 bits cannot make a byte */
    outlen = data / 4 * 3 + (rem ? rem - 1 : 0);
    for (i = 0; i < data; i++)
        if (sio__b64_value(s[i]) < 0) return SIO_ERR_PARSE;
    if (rem) {
        /* The bits below the last whole byte must be zero: "QQ" (0x41) is
           canonical, "QR" would decode to the same byte and is refused. */
        last = sio__b64_value(s[data - 1]);
        if ((rem == 2 && (last & 0x0F)) || (rem == 3 && (last & 0x03))) return SIO_ERR_PARSE;
    }
    if (outlen > cap || (outlen && !dst)) {
        if (out_len) *out_len = outlen;
        return SIO_ERR_TOO_BIG;
    }
    for (i = 0; i + 4 <= data; i += 4) {
        v = ((uint32_t)sio__b64_value(s[i]) << 18) | ((uint32_t)sio__b64_value(s[i + 1]) << 12) |
            ((uint32_t)sio__b64_value(s[i + 2]) << 6) | (uint32_t)sio__b64_value(s[i + 3]);
        dst[o++] = (unsigned char)(v >> 16);
        dst[o++] = (unsigned char)(v >> 8);
        dst[o++] = (unsigned char)v;
    }
    if (rem >= 2) {
        v = ((uint32_t)sio__b64_value(s[i]) << 18) | ((uint32_t)sio__b64_value(s[i + 1]) << 12);
        if (rem == 3) v |= (uint32_t)sio__b64_value(s[i + 2]) << 6;
        dst[o++] = (unsigned char)(v >> 16);
        if (rem == 3) dst[o++] = (unsigned char)(v >> 8);
    }
    if (out_len) *out_len = o;
    return SIO_OK;
}

SIO_API int sio_base64_buf(sio_buf *b, const void *src, size_t n) {
    size_t need = sio_base64_encoded_len(n);
    int rc;
    if (b->err) return b->err;
    if (need == (size_t)-1) return b->err = SIO_ERR_TOO_BIG;
    if ((rc = sio_buf_reserve(b, need)) != SIO_OK) return rc;
    if (need) sio_base64_encode(src, n, b->data + b->len, need);
    b->len += need;
    return SIO_OK;
}

/* =====================================================================
   >>utf8: incremental UTF-8 validation (RFC 3629)
   WebSocket text must be UTF-8 as a whole message (RFC 6455 section 8.1),
   but a fragment boundary may fall inside a character: "é" is C3 A9 and
   may arrive as [.. C3] [A9 ..]. So the check is a state machine whose
   state survives between pieces.
   State: 0 = between characters; otherwise low 2 bits = continuation
   bytes still expected, bits 2..4 = which range the NEXT byte must be in
   (narrower than 80..BF right after E0, ED, F0, F4, to refuse overlong
   forms, UTF-16 surrogates and code points above U+10FFFF).
   ===================================================================== */

#define SIO__UTF8_BAD 0xFFu

static const unsigned char sio__utf8_lo[5] = { 0x80, 0xA0, 0x80, 0x90, 0x80 };
static const unsigned char sio__utf8_hi[5] = { 0xBF, 0xBF, 0x9F, 0xBF, 0x8F };

SIO_API int sio_utf8_check(unsigned *state, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned st = *state, kind;
    size_t i = 0;
    if (st == SIO__UTF8_BAD) return -1;
    while (i < n) {
        unsigned c;
        if (st == 0) {
            /* between sequences: skip ASCII eight bytes at a time (no byte
               of the word has its top bit set) */
            uint64_t w;
            while (n - i >= 8) {
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull) break;
                i += 8;
            }
            if (i >= n) break;
        }
        c = p[i++];
        if (st == 0) {
            if (c < 0x80) continue;
            if (c >= 0xC2 && c <= 0xDF) st = 1;
            else if (c == 0xE0) st = 2 | (1u << 2);        /* E0 A0..BF: no overlong */
            else if (c == 0xED) st = 2 | (2u << 2);        /* ED 80..9F: no surrogate */
            else if (c >= 0xE1 && c <= 0xEF) st = 2;
            else if (c == 0xF0) st = 3 | (3u << 2);        /* F0 90..BF: no overlong */
            else if (c >= 0xF1 && c <= 0xF3) st = 3;
            else if (c == 0xF4) st = 3 | (4u << 2);        /* F4 80..8F: <= U+10FFFF */
            else { *state = SIO__UTF8_BAD; return -1; }
        } else {
            kind = st >> 2;
            if (c < sio__utf8_lo[kind] || c > sio__utf8_hi[kind]) { *state = SIO__UTF8_BAD; return -1; }
            st = (st & 3u) - 1u;
        }
    }
    *state = st;
    return 0;
}
/* =====================================================================
   >>json: UTF-8 check, JSON writer, validating parser, lazy reader
   =====================================================================
   RFC 8259 text, RFC 3629 UTF-8. The writer mirrors JSON.stringify so a
   Node peer sees exactly what its own code would send. The parser is an
   iterative state machine with a fixed stack of SIO_JSON_MAX_DEPTH
   bytes, so hostile nesting ("[[[[...") costs neither recursion nor
   memory. After validation the reader trusts the grammar and only counts
   brackets, but still bounds every access by the view's length. */

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), 0 if invalid or
   cut short. The second-byte ranges are what exclude overlongs (E0 80..9F,
   F0 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF
   (F4 90.., F5..FF). */
static size_t sio__utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t len, i;
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) len = 2;
    else if (c < 0xF0) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
    } else if (c < 0xF5) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

SIO_API int sio_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;
    while (i < n) {
        if (p[i] < 0x80) { i++; continue; }
        k = sio__utf8_seq(p + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

static size_t sio__utf8_put(char *out, unsigned long cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int sio__json_hex4(const char *s, unsigned long *out) {
    unsigned long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned long)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* ---------------------------------------------------------------------
   Writer
   ------------------------------------------------------------------- */

SIO_API void sio_json_writer_init(sio_json_writer *w, sio_buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = 1;
}

static void sio__json_fail(sio_json_writer *w, int err) {
    if (!w->err) w->err = err;
}

/* Everything that starts a value goes through here: it checks that a
   value is allowed at this point and writes the separating comma. */
static int sio__json_pre_value(sio_json_writer *w) {
    int d = w->depth;
    if (w->err) return 0;
    if (!w->out) { sio__json_fail(w, SIO_ERR_INVALID); return 0; }
    if (d == 0) {
        if (!w->first[0]) { sio__json_fail(w, SIO_ERR_STATE); return 0; }
    } else if (w->is_obj[d]) {
        if (!w->after_key) { sio__json_fail(w, SIO_ERR_STATE); return 0; }
    } else if (!w->first[d]) {
        sio_buf_appendc(w->out, ',');
    }
    w->first[d] = 0;
    w->after_key = 0;
    return 1;
}

/* Escapes as JSON.stringify does: only '"', '\\' and C0 controls;
   U+2028/U+2029 and all other non-ASCII pass through as raw UTF-8. */
static void sio__json_put_string(sio_json_writer *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    sio_buf *b = w->out;
    size_t i, run = 0;
    sio_buf_appendc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t elen = 2;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sio_buf_append(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            elen = 6;
        }
        sio_buf_append(b, esc, elen);
    }
    sio_buf_append(b, s + run, n - run);
    sio_buf_appendc(b, '"');
}

static int sio__json_check_str(sio_json_writer *w, const char *s, size_t n) {
    if (w->err) return 0;
    if (!s && n) { sio__json_fail(w, SIO_ERR_INVALID); return 0; }
    if (!sio_utf8_valid(s, n)) { sio__json_fail(w, SIO_ERR_UTF8); return 0; }
    return 1;
}

static void sio__json_begin(sio_json_writer *w, char c, int obj) {
    if (!sio__json_pre_value(w)) return;
    if (w->depth >= SIO_JSON_MAX_DEPTH) { sio__json_fail(w, SIO_ERR_TOO_BIG); return; }
    w->depth++;
    w->first[w->depth] = 1;
    w->is_obj[w->depth] = (unsigned char)obj;
    sio_buf_appendc(w->out, c);
}

static void sio__json_end(sio_json_writer *w, char c, int obj) {
    if (w->err) return;
    if (w->depth == 0 || w->is_obj[w->depth] != obj || w->after_key) {
        sio__json_fail(w, SIO_ERR_STATE);
        return;
    }
    w->depth--;
    sio_buf_appendc(w->out, c);
}

SIO_API void sio_json_obj_begin(sio_json_writer *w) { sio__json_begin(w, '{', 1); }
SIO_API void sio_json_obj_end(sio_json_writer *w) { sio__json_end(w, '}', 1); }
SIO_API void sio_json_arr_begin(sio_json_writer *w) { sio__json_begin(w, '[', 0); }
SIO_API void sio_json_arr_end(sio_json_writer *w) { sio__json_end(w, ']', 0); }

SIO_API void sio_json_key_n(sio_json_writer *w, const char *key, size_t n) {
    int d = w->depth;
    if (!sio__json_check_str(w, key, n)) return;
    if (d == 0 || !w->is_obj[d] || w->after_key) { sio__json_fail(w, SIO_ERR_STATE); return; }
    if (!w->first[d]) sio_buf_appendc(w->out, ',');
    w->first[d] = 0;
    sio__json_put_string(w, key, n);
    sio_buf_appendc(w->out, ':');
    w->after_key = 1;
}

SIO_API void sio_json_key(sio_json_writer *w, const char *key) {
    if (!key) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    sio_json_key_n(w, key, strlen(key));
}

SIO_API void sio_json_str_n(sio_json_writer *w, const char *s, size_t n) {
    if (!sio__json_check_str(w, s, n)) return;
    if (!sio__json_pre_value(w)) return;
    sio__json_put_string(w, s, n);
}

SIO_API void sio_json_str(sio_json_writer *w, const char *s) {
    if (!s) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    sio_json_str_n(w, s, strlen(s));
}

SIO_API void sio_json_int(sio_json_writer *w, long long v) {
    if (!sio__json_pre_value(w)) return;
    if (v < 0) {
        sio_buf_appendc(w->out, '-');
        /* -(v + 1) + 1 stays in range even for LLONG_MIN */
        sio_buf_appendu(w->out, (unsigned long long)(-(v + 1)) + 1u);
    } else {
        sio_buf_appendu(w->out, (unsigned long long)v);
    }
}

/* Formats a finite, positive, nonzero double the way JavaScript's
   Number.prototype.toString does (ECMA-262 "Number::toString"): with k
   shortest digits and the point after n of them, plain notation for
   -6 < n <= 21 (1e20 -> "100000000000000000000", 1e-6 -> "0.000001"),
   exponential otherwise (1e21 -> "1e+21", 1e-7 -> "1e-7"). The shortest
   digits come from printf: the first precision of 15, 16, 17 that reads
   back equal. Any 15-digit decimal survives a trip through a normal
   double (DBL_DIG), so this also finds forms shorter than 15 once trailing
   zeros are stripped. Subnormals have fewer bits and break that rule
   (5e-324 prints as 4.94065645841247e-324 at 15 digits), so for them every
   precision from 1 up is tried. The digits are picked out of printf's text by hand, so
   a locale with a ',' decimal point cannot leak into the output. */
static size_t sio__json_fmt_double(double v, char *out) {
    char tmp[40], dig[20];
    int p, k = 0, e = 0, eneg = 0, n, i;
    size_t o = 0;
    const char *q;
    for (p = v < 2.2250738585072014e-308 ? 1 : 15; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    for (q = tmp; *q && *q != 'e' && *q != 'E'; q++)
        if (*q >= '0' && *q <= '9' && k < (int)sizeof dig) dig[k++] = *q;
    if (*q) q++;
    if (*q == '-') { eneg = 1; q++; } else if (*q == '+') q++;
    for (; *q >= '0' && *q <= '9'; q++) e = e * 10 + (*q - '0');
    if (eneg) e = -e;
    while (k > 1 && dig[k - 1] == '0') k--;
    n = e + 1;
    if (k <= n && n <= 21) {
        for (i = 0; i < k; i++) out[o++] = dig[i];
        for (; i < n; i++) out[o++] = '0';
    } else if (0 < n && n <= 21) {
        for (i = 0; i < n; i++) out[o++] = dig[i];
        out[o++] = '.';
        for (; i < k; i++) out[o++] = dig[i];
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (i = 0; i < -n; i++) out[o++] = '0';
        for (i = 0; i < k; i++) out[o++] = dig[i];
    } else {
        int x = n - 1, div = 100;
        out[o++] = dig[0];
        if (k > 1) {
            out[o++] = '.';
            for (i = 1; i < k; i++) out[o++] = dig[i];
        }
        out[o++] = 'e';
        out[o++] = x < 0 ? '-' : '+';
        if (x < 0) x = -x;
        while (div > 1 && x < div) div /= 10;
        for (; div; div /= 10) out[o++] = (char)('0' + x / div % 10);
    }
    return o;
}

SIO_API void sio_json_num(sio_json_writer *w, double v) {
    char txt[48];
    size_t n;
    if (!sio__json_pre_value(w)) return;
    /* NaN fails every comparison; the bounds catch the infinities. */
    /* DBL_MAX, not its decimal spelling: on x87 a decimal literal may be
       taken in extended precision, where it is below DBL_MAX */
    if (!(v >= -DBL_MAX && v <= DBL_MAX)) {
        sio_buf_append(w->out, "null", 4);
        return;
    }
    if (v == 0) { sio_buf_appendc(w->out, '0'); return; } /* also -0 */
    if (v < 0) { sio_buf_appendc(w->out, '-'); v = -v; }
    n = sio__json_fmt_double(v, txt);
    sio_buf_append(w->out, txt, n);
}

SIO_API void sio_json_bool(sio_json_writer *w, int v) {
    if (!sio__json_pre_value(w)) return;
    if (v) sio_buf_append(w->out, "true", 4);
    else sio_buf_append(w->out, "false", 5);
}

SIO_API void sio_json_null(sio_json_writer *w) {
    if (!sio__json_pre_value(w)) return;
    sio_buf_append(w->out, "null", 4);
}

SIO_API void sio_json_raw(sio_json_writer *w, const char *json, size_t n) {
    if (w->err) return;
    if (!json || !n) { sio__json_fail(w, SIO_ERR_INVALID); return; }
    if (!sio__json_pre_value(w)) return;
    sio_buf_append(w->out, json, n);
}

SIO_API int sio_json_writer_finish(sio_json_writer *w) {
    if (w->err) return w->err;
    if (!w->out) return SIO_ERR_INVALID;
    if (w->out->err) return w->out->err;
    if (w->depth != 0 || w->after_key || w->first[0]) return SIO_ERR_STATE;
    return SIO_OK;
}

/* ---------------------------------------------------------------------
   Parser: validates one value
   ------------------------------------------------------------------- */

static size_t sio__json_ws(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* 1 when none of the 8 bytes at p needs a closer look inside a string:
   no control byte (< 0x20), no '"', no '\\', nothing >= 0x80. Each test
   is the "has a zero byte" trick, (x - 0x01..) & ~x & 0x80.., on the word
   shifted so the byte looked for becomes zero. A false alarm only sends
   the caller to its byte-by-byte path. */
static int sio__json_plain8(const unsigned char *p) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t w, q, b;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) | w) & high) == 0;
}

/* s[*pos] is '"'. On success *pos is just past the closing quote. */
static int sio__json_scan_string(const char *s, size_t n, size_t *pos) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = *pos + 1, k;
    unsigned long cp, lo;
    for (;;) {
        /* the bulk of most strings: printable ASCII, neither '"' nor '\\' */
        while (n - i >= 8 && sio__json_plain8(u + i)) i += 8;
        while (i < n && (unsigned)(u[i] - 0x20) < 0x60 && u[i] != '"' && u[i] != '\\') i++;
        if (i >= n) goto bad;
        if (u[i] == '"') { *pos = i + 1; return SIO_OK; }
        if (u[i] < 0x20) goto bad;
        if (u[i] >= 0x80) {
            k = sio__utf8_seq(u + i, n - i);
            if (!k) goto bad;
            i += k;
            continue;
        }
        if (u[i] != '\\') { i++; continue; }
        if (i + 1 >= n) goto bad;
        switch (s[i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            i += 2;
            continue;
        case 'u':
            break;
        default:
            goto bad;
        }
        if (n - i < 6 || !sio__json_hex4(s + i + 2, &cp)) goto bad;
        i += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) goto bad;     /* low half first */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* "\ud83d\ude00" is one code point (U+1F600); a high half not
               followed by a low half has no UTF-8 form, so it is refused
               (JavaScript would keep it as a lone UTF-16 unit). */
            if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u' ||
                !sio__json_hex4(s + i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
            i += 6;
        }
    }
bad:
    *pos = i < n ? i : n;
    return SIO_ERR_PARSE;
}

static int sio__json_scan_number(const char *s, size_t n, size_t *pos) {
    size_t i = *pos, d;
    if (s[i] == '-') i++;
    if (i >= n) goto bad;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') { while (i < n && s[i] >= '0' && s[i] <= '9') i++; }
    else goto bad;
    if (i < n && s[i] == '.') {
        d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) goto bad;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) goto bad;
    }
    *pos = i;
    return SIO_OK;
bad:
    *pos = i;
    return SIO_ERR_PARSE;
}

static int sio__json_scan_word(const char *s, size_t n, size_t *pos, const char *word, size_t wl) {
    size_t i = *pos;
    if (n - i < wl || memcmp(s + i, word, wl) != 0) return SIO_ERR_PARSE;
    *pos = i + wl;
    return SIO_OK;
}

/* Scans the object key and ':' that follow '{' or ','; i is at the key. */
static int sio__json_scan_key(const char *s, size_t n, size_t *pos) {
    size_t i = *pos;
    int rc;
    if (i >= n || s[i] != '"') return SIO_ERR_PARSE;
    if ((rc = sio__json_scan_string(s, n, &i)) != SIO_OK) { *pos = i; return rc; }
    i = sio__json_ws(s, i, n);
    if (i >= n || s[i] != ':') { *pos = i; return SIO_ERR_PARSE; }
    *pos = sio__json_ws(s, i + 1, n);
    return SIO_OK;
}

/* One value starting at *pos (no leading whitespace skipped). The stack
   holds one byte per open container: 1 = object, 0 = array. Control
   alternates between "a value starts here" and "a value just ended",
   the latter deciding between ',' and the closing bracket. */
static int sio__json_scan(const char *s, size_t n, size_t *pos) {
    unsigned char stack[SIO_JSON_MAX_DEPTH];
    int depth = 0, rc;
    size_t i = *pos;
    for (;;) {
        /* a value starts at i */
        if (i >= n) { rc = SIO_ERR_PARSE; goto out; }
        switch (s[i]) {
        case '{':
        case '[':
            if (depth >= SIO_JSON_MAX_DEPTH) { rc = SIO_ERR_TOO_BIG; goto out; }
            stack[depth++] = (unsigned char)(s[i] == '{');
            i = sio__json_ws(s, i + 1, n);
            if (i < n && s[i] == (stack[depth - 1] ? '}' : ']')) {
                i++;
                depth--;
                rc = SIO_OK;
                break;
            }
            if (stack[depth - 1] && (rc = sio__json_scan_key(s, n, &i)) != SIO_OK) goto out;
            continue;
        case '"': rc = sio__json_scan_string(s, n, &i); break;
        case 't': rc = sio__json_scan_word(s, n, &i, "true", 4); break;
        case 'f': rc = sio__json_scan_word(s, n, &i, "false", 5); break;
        case 'n': rc = sio__json_scan_word(s, n, &i, "null", 4); break;
        default:  rc = sio__json_scan_number(s, n, &i); break;
        }
        if (rc != SIO_OK) goto out;
        /* a value ended at i: close containers until one wants more */
        for (;;) {
            if (depth == 0) { rc = SIO_OK; goto out; }
            i = sio__json_ws(s, i, n);
            if (i >= n) { rc = SIO_ERR_PARSE; goto out; }
            if (s[i] == ',') {
                i = sio__json_ws(s, i + 1, n);
                if (stack[depth - 1] && (rc = sio__json_scan_key(s, n, &i)) != SIO_OK) goto out;
                break;
            }
            if (s[i] != (stack[depth - 1] ? '}' : ']')) { rc = SIO_ERR_PARSE; goto out; }
            i++;
            depth--;
        }
    }
out:
    *pos = i;
    return rc;
}

static sio_json_type sio__json_type_of(char c) {
    switch (c) {
    case '{': return SIO_JSON_OBJECT;
    case '[': return SIO_JSON_ARRAY;
    case '"': return SIO_JSON_STRING;
    case 't': return SIO_JSON_TRUE;
    case 'f': return SIO_JSON_FALSE;
    case 'n': return SIO_JSON_NULL;
    default: return (c == '-' || (c >= '0' && c <= '9')) ? SIO_JSON_NUMBER : SIO_JSON_INVALID;
    }
}

SIO_API int sio_json_validate_prefix(const char *text, size_t n, size_t *used) {
    size_t i;
    int rc;
    if (!text) n = 0;
    i = sio__json_ws(text, 0, n);
    rc = sio__json_scan(text, n, &i);
    if (used) *used = i;
    return rc;
}

SIO_API int sio_json_parse(const char *text, size_t n, sio_json *root) {
    size_t start, i;
    int rc;
    if (root) { root->ptr = NULL; root->len = 0; root->type = SIO_JSON_INVALID; }
    if (!text) n = 0;
    start = i = sio__json_ws(text, 0, n);
    if ((rc = sio__json_scan(text, n, &i)) != SIO_OK) return rc;
    if (sio__json_ws(text, i, n) != n) return SIO_ERR_PARSE;
    if (root) {
        root->ptr = text + start;
        root->len = i - start;
        root->type = sio__json_type_of(text[start]);
    }
    return SIO_OK;
}

/* ---------------------------------------------------------------------
   Reader: walks validated text. Skipping a value needs no stack: once
   the grammar is known to be right, a container ends where the bracket
   count (outside strings) returns to zero. Garbage merely ends early.
   ------------------------------------------------------------------- */

/* s[i] is just past an opening quote: returns the index past the closing
   one (n if none). memchr finds each quote; one preceded by an odd run of
   backslashes is escaped ("a\\\"b" goes on, "a\\\\" ends). Arguments are
   mostly strings, so this is the reader's hot loop. */
static size_t sio__json_skip_string(const char *s, size_t i, size_t n) {
    while (i < n) {
        const char *q = (const char *)memchr(s + i, '"', n - i);
        size_t j, k;
        if (!q) return n;
        j = (size_t)(q - s);
        for (k = j; k > i && s[k - 1] == '\\'; k--) {}
        i = j + 1;
        if (((j - k) & 1) == 0) return i;
    }
    return n;
}

/* End of the value starting at s[i], never beyond n. */
static size_t sio__json_skip(const char *s, size_t i, size_t n) {
    size_t depth = 0;
    char c = s[i];
    if (c != '"' && c != '[' && c != '{') {
        /* number or literal: a run of the characters they are made of */
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                         s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'E'))
            i++;
        return i;
    }
    while (i < n) {
        c = s[i++];
        if (c == '"') {
            if ((i = sio__json_skip_string(s, i, n)) >= n) return n;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth <= 1) return i;
            depth--;
        }
        if (depth == 0) return i;
    }
    return n;
}

static void sio__json_view(const char *s, size_t i, size_t n, sio_json *out) {
    out->ptr = s + i;
    out->type = sio__json_type_of(s[i]);
    out->len = out->type == SIO_JSON_INVALID ? 0 : sio__json_skip(s, i, n) - i;
}

static int sio__json_is_container(sio_json v) {
    return v.ptr && v.len >= 2 && (v.type == SIO_JSON_ARRAY || v.type == SIO_JSON_OBJECT);
}

SIO_API void sio_json_iter_init(sio_json_iter *it, sio_json container) {
    it->parent = container;
    it->pos = 1;
}

SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *val) {
    const char *s = it->parent.ptr;
    size_t end, i = it->pos;
    sio_json k, v;
    if (!sio__json_is_container(it->parent)) return 0;
    end = it->parent.len - 1;                       /* the closing bracket */
    k.ptr = NULL; k.len = 0; k.type = SIO_JSON_INVALID;
    if (i == 0 || i >= end) goto done;
    i = sio__json_ws(s, i, end);
    if (i < end && s[i] == ',') i = sio__json_ws(s, i + 1, end);
    if (i >= end) goto done;
    if (it->parent.type == SIO_JSON_OBJECT) {
        if (s[i] != '"') goto done;
        sio__json_view(s, i, end, &k);
        i = sio__json_ws(s, i + k.len, end);
        if (i >= end || s[i] != ':') goto done;
        i = sio__json_ws(s, i + 1, end);
        if (i >= end) goto done;
    }
    sio__json_view(s, i, end, &v);
    if (v.type == SIO_JSON_INVALID || v.len == 0) goto done;
    it->pos = i + v.len;
    if (key) *key = k;
    if (val) *val = v;
    return 1;
done:
    it->pos = end;
    return 0;
}

SIO_API size_t sio_json_count(sio_json v) {
    sio_json_iter it;
    size_t n = 0;
    sio_json_iter_init(&it, v);
    while (sio_json_iter_next(&it, NULL, NULL)) n++;
    return n;
}

SIO_API int sio_json_at(sio_json arr, size_t i, sio_json *out) {
    sio_json_iter it;
    sio_json v;
    if (arr.type != SIO_JSON_ARRAY) return SIO_ERR_NOT_FOUND;
    sio_json_iter_init(&it, arr);
    while (sio_json_iter_next(&it, NULL, &v)) {
        if (i-- == 0) {
            if (out) *out = v;
            return SIO_OK;
        }
    }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_json_get(sio_json obj, const char *key, sio_json *out) {
    sio_json_iter it;
    sio_json k, v;
    if (obj.type != SIO_JSON_OBJECT || !key) return SIO_ERR_NOT_FOUND;
    sio_json_iter_init(&it, obj);
    while (sio_json_iter_next(&it, &k, &v)) {
        if (sio_json_str_eq(k, key)) {
            if (out) *out = v;
            return SIO_OK;
        }
    }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_json_is_true(sio_json v) { return v.type == SIO_JSON_TRUE; }

SIO_API sio_str sio_json_raw_str(sio_json v) {
    sio_str r;
    r.ptr = NULL;
    r.len = 0;
    if (v.type == SIO_JSON_STRING && v.ptr && v.len >= 2) {
        r.ptr = v.ptr + 1;
        r.len = v.len - 2;
    }
    return r;
}

/* Decodes the next unit of string content at s[*i] (end = closing quote
   position) into out (1..4 bytes): a raw UTF-8 sequence is kept whole so
   truncation can never split it; an escape is unescaped. Returns its
   byte length. Garbage decodes to U+FFFD or single bytes, never more
   than 4 bytes, and always advances *i. */
static size_t sio__json_unit(const char *s, size_t *i, size_t end, char *out) {
    size_t p = *i, k;
    unsigned long cp, lo;
    unsigned char c = (unsigned char)s[p];
    if (c != '\\') {
        k = 1;
        if (c >= 0x80) {
            k = sio__utf8_seq((const unsigned char *)s + p, end - p);
            if (!k) k = 1;
        }
        memcpy(out, s + p, k);
        *i = p + k;
        return k;
    }
    if (p + 1 >= end) { *i = end; return sio__utf8_put(out, 0xFFFD); }
    c = (unsigned char)s[p + 1];
    *i = p + 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = (char)c; return 1;    /* '"', '\\', '/' */
    }
    if (end - p < 6 || !sio__json_hex4(s + p + 2, &cp)) return sio__utf8_put(out, 0xFFFD);
    *i = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - *i >= 6 && s[*i] == '\\' && s[*i + 1] == 'u' &&
            sio__json_hex4(s + *i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            *i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else {
            cp = 0xFFFD;
        }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
    }
    return sio__utf8_put(out, cp);
}

SIO_API size_t sio_json_strcpy(sio_json v, char *dst, size_t cap) {
    sio_str raw = sio_json_raw_str(v);
    size_t i = 0, total = 0, o = 0, k;
    int full = 0;
    char unit[4];
    if (!raw.ptr) {
        if (dst && cap) dst[0] = '\0';
        return 0;
    }
    if (dst && raw.len < cap && !memchr(raw.ptr, '\\', raw.len)) {
        /* no escapes and room for all: the raw text is the value */
        memcpy(dst, raw.ptr, raw.len);
        dst[raw.len] = '\0';
        return raw.len;
    }
    while (i < raw.len) {
        k = sio__json_unit(raw.ptr, &i, raw.len, unit);
        total += k;
        if (!full && dst && cap && o + k < cap) {
            memcpy(dst + o, unit, k);
            o += k;
        } else {
            full = 1;
        }
    }
    if (dst && cap) dst[o] = '\0';
    return total;
}

SIO_API int sio_json_str_eq(sio_json v, const char *s) {
    sio_str raw = sio_json_raw_str(v);
    size_t i = 0, o = 0, k;
    char unit[4];
    if (!raw.ptr || !s) return 0;
    /* no escapes (the usual case): the raw text is the value */
    if (raw.len && raw.ptr[0] != '\\' && raw.ptr[0] != s[0]) return 0;
    if (!memchr(raw.ptr, '\\', raw.len)) return strlen(s) == raw.len && memcmp(s, raw.ptr, raw.len) == 0;
    while (i < raw.len) {
        k = sio__json_unit(raw.ptr, &i, raw.len, unit);
        if (memchr(unit, 0, k) || strncmp(s + o, unit, k) != 0) return 0;
        o += k;
    }
    return s[o] == '\0';
}

/* Locale-independent and correctly rounded: the number is rewritten as
   integer digits and a power of ten ("-12.5e3" -> "-125e2"), which has no
   decimal point for the locale to disagree about, and strtod does the
   rounding. Digits past SIO__JSON_NUM_DIGITS are folded into one sticky
   nonzero digit: 800 significant digits are more than the 767 that can
   ever matter when rounding to a double. */
#define SIO__JSON_NUM_DIGITS 800
SIO_API double sio_json_number(sio_json v) {
    char buf[SIO__JSON_NUM_DIGITS + 32];
    const char *s = v.ptr;
    size_t n = v.len, i = 0, o = 0;
    long adj = 0, ex = 0;
    int sticky = 0, eneg = 0, frac = 0;
    if (v.type != SIO_JSON_NUMBER || !s) return 0;
    if (i < n && s[i] == '-') buf[o++] = s[i++];
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !frac) { frac = 1; continue; }
        if (c < '0' || c > '9') break;
        if (o == 0 || (o == 1 && buf[0] == '-')) {
            if (c == '0') { if (frac) adj--; continue; }   /* leading zero */
        }
        if (o < SIO__JSON_NUM_DIGITS) {
            buf[o++] = c;
            if (frac) adj--;
        } else {
            if (c != '0') sticky = 1;
            if (!frac) adj++;
        }
    }
    if (o == 0 || (o == 1 && buf[0] == '-')) return (o == 1) ? -0.0 : 0.0;
    if (sticky) { buf[o++] = '1'; adj--; }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (ex < 1000000) ex = ex * 10 + (s[i] - '0');
        if (eneg) ex = -ex;
    }
    ex += adj;
    snprintf(buf + o, sizeof buf - o, "e%ld", ex);
    return strtod(buf, NULL);
}

SIO_API long long sio_json_integer(sio_json v) {
    const long long max = (long long)(((unsigned long long)-1) >> 1);
    const char *s = v.ptr;
    size_t i = 0, n = v.len;
    unsigned long long acc = 0, lim;
    int neg = 0;
    double d;
    if (v.type != SIO_JSON_NUMBER || !s || !n) return 0;
    if (s[0] == '-') { neg = 1; i = 1; }
    lim = neg ? (unsigned long long)max + 1u : (unsigned long long)max;
    /* Plain integer text is converted exactly: 9007199254740993 would
       lose its last digit as a double. */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned dg = (unsigned)(s[i] - '0');
        if (acc > (lim - dg) / 10) { acc = lim; while (i < n && s[i] >= '0' && s[i] <= '9') i++; break; }
        acc = acc * 10 + dg;
    }
    if (i == n) {
        if (!neg) return (long long)acc;
        return acc == lim ? -max - 1 : -(long long)acc;
    }
    d = sio_json_number(v);
    if (d >= 9223372036854775807.0) return max;
    if (d <= -9223372036854775808.0) return -max - 1;
    return (long long)d;
}
#ifndef SIO_NO_MSGPACK
/* =====================================================================
   >>msgpack: MessagePack writer, validating reader, JSON bridge
   =====================================================================
   Left out with SIO_NO_MSGPACK (and the msgpack parser with it).
   github.com/msgpack/msgpack spec.md, as notepack.io 2.x (Node) writes it.
   Multi-byte numbers are big-endian; they are assembled and taken apart
   with shifts, so host byte order and the width of long never matter.
   The reader works like the JSON one: a validation pass with a fixed
   stack of SIO_MP_MAX_DEPTH item counts, then views. Every container
   item takes at least one byte, so a count is checked against the bytes
   left before it is trusted: 0xdd ff ff ff ff in a 10-byte buffer is an
   error at once, not a loop of four billion. */

/* A double's bits, to be sent big-endian: memcpy is the one portable way
   to reinterpret them, and the static check below proves the widths. */
typedef char sio__mp_double_is_64[(sizeof(double) == 8 && sizeof(float) == 4) ? 1 : -1];

/* ---- writer ---- */

static int sio__mp_too_big(sio_buf *b) {
    if (!b->err) b->err = SIO_ERR_TOO_BIG;
    return b->err;
}

/* tag, the low k bytes of v, most significant first, then dn bytes of
   data: all of it or, when the buffer refuses, none */
static int sio__mp_put(sio_buf *b, unsigned tag, uint64_t v, int k, const void *data, size_t dn) {
    unsigned char t[9];
    int i;
    t[0] = (unsigned char)tag;
    for (i = 0; i < k; i++) t[1 + i] = (unsigned char)(v >> (8 * (k - 1 - i)));
    if (dn > (size_t)-1 - sizeof t) return sio__mp_too_big(b);
    if (sio_buf_reserve(b, (size_t)k + 1 + dn)) return b->err;
    sio_buf_append(b, t, (size_t)k + 1);
    return sio_buf_append(b, data, dn);
}

/* A header with a length: one byte when the length fits in the low bits
   of fix_tag (0: no such form), else the 8/16/32-bit form; the 16- and
   32-bit tags always follow each other, tag8 may be 0 (none). */
static int sio__mp_len(sio_buf *b, size_t n, unsigned fix_tag, size_t fix_max, unsigned tag8, unsigned tag16,
                       const void *data) {
    size_t dn = data ? n : 0;
    /* n > 2^32-1, spelt so that a 32-bit size_t draws no warning */
    if (n >> 16 >> 16) return sio__mp_too_big(b);
    if (fix_tag && n <= fix_max) return sio__mp_put(b, fix_tag | (unsigned)n, 0, 0, data, dn);
    if (tag8 && n <= 0xFF) return sio__mp_put(b, tag8, n, 1, data, dn);
    if (n <= 0xFFFF) return sio__mp_put(b, tag16, n, 2, data, dn);
    return sio__mp_put(b, tag16 + 1, n, 4, data, dn);
}

SIO_API int sio_mp_map(sio_buf *b, size_t pairs) { return sio__mp_len(b, pairs, 0x80, 15, 0, 0xde, NULL); }
SIO_API int sio_mp_array(sio_buf *b, size_t n) { return sio__mp_len(b, n, 0x90, 15, 0, 0xdc, NULL); }
SIO_API int sio_mp_str(sio_buf *b, const char *s, size_t n) { return sio__mp_len(b, n, 0xa0, 31, 0xd9, 0xda, s ? s : ""); }
/* bin has no one-byte form: bin8 starts at 0 bytes */
SIO_API int sio_mp_bin(sio_buf *b, const void *data, size_t n) { return sio__mp_len(b, n, 0, 0, 0xc4, 0xc5, data ? data : ""); }

SIO_API int sio_mp_uint(sio_buf *b, uint64_t v) {
    if (v < 0x80) return sio__mp_put(b, (unsigned)v, 0, 0, NULL, 0);
    if (v <= 0xFF) return sio__mp_put(b, 0xcc, v, 1, NULL, 0);
    if (v <= 0xFFFF) return sio__mp_put(b, 0xcd, v, 2, NULL, 0);
    if (v <= 0xFFFFFFFFu) return sio__mp_put(b, 0xce, v, 4, NULL, 0);
    return sio__mp_put(b, 0xcf, v, 8, NULL, 0);
}

/* notepack.io: non-negative numbers take the unsigned forms, negative
   ones the smallest signed form that holds them. */
SIO_API int sio_mp_int(sio_buf *b, int64_t v) {
    uint64_t u = (uint64_t)v;   /* two's complement bits, well defined */
    if (v >= 0) return sio_mp_uint(b, u);
    if (v >= -32) return sio__mp_put(b, (unsigned)(u & 0xFF), 0, 0, NULL, 0);
    if (v >= -128) return sio__mp_put(b, 0xd0, u, 1, NULL, 0);
    if (v >= -32768) return sio__mp_put(b, 0xd1, u, 2, NULL, 0);
    if (v >= -2147483647 - 1) return sio__mp_put(b, 0xd2, u, 4, NULL, 0);
    return sio__mp_put(b, 0xd3, u, 8, NULL, 0);
}

SIO_API int sio_mp_double(sio_buf *b, double v) {
    uint64_t bits;
    memcpy(&bits, &v, 8);
    return sio__mp_put(b, 0xcb, bits, 8, NULL, 0);
}

SIO_API int sio_mp_nil(sio_buf *b) { return sio__mp_put(b, 0xc0, 0, 0, NULL, 0); }
SIO_API int sio_mp_bool(sio_buf *b, int v) { return sio__mp_put(b, v ? 0xc3 : 0xc2, 0, 0, NULL, 0); }

SIO_API int sio_mp_ext(sio_buf *b, int type, const void *data, size_t n) {
    unsigned t = (unsigned)type & 0xFF;
    int k;
    for (k = 0; k <= 4; k++)
        if (n == ((size_t)1 << k)) break;
    if (!data) data = "";
    if (k <= 4) return sio__mp_put(b, 0xd4 + (unsigned)k, t, 1, data, n);    /* fixext: tag, type */
    if (n >> 16 >> 16) return sio__mp_too_big(b);
    /* ext 8/16/32: tag, length, type */
    if (n <= 0xFF) return sio__mp_put(b, 0xc7, (uint64_t)n << 8 | t, 2, data, n);
    if (n <= 0xFFFF) return sio__mp_put(b, 0xc8, (uint64_t)n << 8 | t, 3, data, n);
    return sio__mp_put(b, 0xc9, (uint64_t)n << 8 | t, 5, data, n);
}

/* ---- reader ---- */

/* What the first bytes of a value say. */
typedef struct sio__mp_head {
    sio_mp_type type;
    size_t hdr;      /* bytes before the contents: tag, length, ext type */
    size_t body;     /* bytes of contents: string/bin/ext data, number bytes; 0 for containers */
    size_t items;    /* ARRAY: items, MAP: keys and values (2 per pair) */
    uint64_t u;      /* INT: the value, as two's complement bits if neg; FLOAT: IEEE bits; BOOL: 0/1 */
    int neg;         /* INT: negative (only the signed forms can be) */
    int f32;         /* FLOAT: float32 rather than float64 */
    int ext;         /* EXT: type code */
} sio__mp_head;

static uint64_t sio__mp_be(const unsigned char *p, size_t k) {
    uint64_t v = 0;
    while (k--) v = v << 8 | *p++;
    return v;
}

/* Decodes the head of the value at p[0..n) and checks that the value's
   own bytes (not a container's items) are all there. */
static int sio__mp_head_of(const unsigned char *p, size_t n, sio__mp_head *h) {
    unsigned c;
    size_t k = 0;          /* width of the length or number field after the tag */
    uint64_t len = 0;
    memset(h, 0, sizeof *h);
    if (n == 0) return SIO_ERR_PARSE;
    c = p[0];
    h->hdr = 1;
    if (c <= 0x7f) { h->type = SIO_MP_INT; h->u = c; return SIO_OK; }
    if (c >= 0xe0) { h->type = SIO_MP_INT; h->u = ~(uint64_t)0xFF | c; h->neg = 1; return SIO_OK; }
    if (c <= 0x8f) { h->type = SIO_MP_MAP; len = c & 0x0f; goto container; }
    if (c <= 0x9f) { h->type = SIO_MP_ARRAY; len = c & 0x0f; goto container; }
    if (c <= 0xbf) { h->type = SIO_MP_STR; len = c & 0x1f; goto sized; }
    switch (c) {
    case 0xc0: h->type = SIO_MP_NIL; return SIO_OK;
    case 0xc2: case 0xc3: h->type = SIO_MP_BOOL; h->u = c & 1; return SIO_OK;
    case 0xc4: case 0xc5: case 0xc6: h->type = SIO_MP_BIN; k = (size_t)1 << (c - 0xc4); break;
    case 0xc7: case 0xc8: case 0xc9: h->type = SIO_MP_EXT; k = (size_t)1 << (c - 0xc7); break;
    case 0xca: case 0xcb: h->type = SIO_MP_FLOAT; h->f32 = c == 0xca; k = c == 0xca ? 4 : 8; goto number;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: h->type = SIO_MP_INT; k = (size_t)1 << (c - 0xcc); goto number;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: h->type = SIO_MP_INT; k = (size_t)1 << (c - 0xd0); goto number;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        h->type = SIO_MP_EXT;
        h->hdr = 2;
        len = (uint64_t)1 << (c - 0xd4);
        if (n < 2) return SIO_ERR_PARSE;
        h->ext = (int)(signed char)p[1];
        goto sized;
    case 0xd9: case 0xda: case 0xdb: h->type = SIO_MP_STR; k = (size_t)1 << (c - 0xd9); break;
    case 0xdc: case 0xdd: h->type = SIO_MP_ARRAY; k = c == 0xdc ? 2 : 4; break;
    case 0xde: case 0xdf: h->type = SIO_MP_MAP; k = c == 0xde ? 2 : 4; break;
    default: return SIO_ERR_PARSE;   /* 0xc1: never used */
    }
    /* a length field of k bytes (plus the type byte of ext 8/16/32) */
    h->hdr = 1 + k + (h->type == SIO_MP_EXT);
    if (n < h->hdr) return SIO_ERR_PARSE;
    len = sio__mp_be(p + 1, k);
    if (h->type == SIO_MP_EXT) h->ext = (int)(signed char)p[1 + k];
    if (h->type == SIO_MP_ARRAY || h->type == SIO_MP_MAP) goto container;
sized:
    if (len > n - h->hdr) return SIO_ERR_PARSE;
    h->body = (size_t)len;
    return SIO_OK;
number:
    if (n - 1 < k) return SIO_ERR_PARSE;
    h->body = k;
    h->u = sio__mp_be(p + 1, k);
    /* int8..int64 (0xd0..0xd3): sign-extend to 64 bits */
    if (c >= 0xd0 && (h->u >> (8 * k - 1))) {
        if (k < 8) h->u |= ~(uint64_t)0 << (8 * k);
        h->neg = 1;
    }
    return SIO_OK;
container:
    if (h->type == SIO_MP_MAP) {
        if (len > (n - h->hdr) / 2) return SIO_ERR_PARSE;
        h->items = (size_t)len * 2;
    } else {
        if (len > n - h->hdr) return SIO_ERR_PARSE;
        h->items = (size_t)len;
    }
    return SIO_OK;
}

/* Validates one value at the start of buf[0..n); *used = its size. */
static int sio__mp_scan(const unsigned char *buf, size_t n, size_t *used) {
    size_t left[SIO_MP_MAX_DEPTH];   /* items still due in each open container */
    size_t pos = 0;
    int depth = 0, rc;
    sio__mp_head h;
    do {
        if (depth && left[depth - 1] == 0) { depth--; continue; }
        if ((rc = sio__mp_head_of(buf + pos, n - pos, &h)) != SIO_OK) return rc;
        if (depth) left[depth - 1]--;
        pos += h.hdr + h.body;
        if (h.type == SIO_MP_ARRAY || h.type == SIO_MP_MAP) {
            if (depth >= SIO_MP_MAX_DEPTH) return SIO_ERR_TOO_BIG;
            left[depth++] = h.items;
        }
    } while (depth);
    *used = pos;
    return SIO_OK;
}

/* The view of the value at p[0..n), or SIO_MP_INVALID. */
static sio_mp sio__mp_view(const char *p, size_t n) {
    sio_mp v;
    sio__mp_head h;
    size_t used = 0;
    v.ptr = p;
    v.len = 0;
    v.type = SIO_MP_INVALID;
    if (p && sio__mp_scan((const unsigned char *)p, n, &used) == SIO_OK &&
        sio__mp_head_of((const unsigned char *)p, n, &h) == SIO_OK) {
        v.len = used;
        v.type = h.type;
    }
    return v;
}

SIO_API int sio_mp_parse(const char *buf, size_t n, sio_mp *root) {
    size_t used = 0;
    int rc = buf ? sio__mp_scan((const unsigned char *)buf, n, &used) : SIO_ERR_INVALID;
    if (rc == SIO_OK && used != n) rc = SIO_ERR_PARSE;
    if (root) {
        *root = sio__mp_view(buf, n);
        if (rc != SIO_OK) root->type = SIO_MP_INVALID;
    }
    return rc;
}

/* The head of a view, bounded by the view's own length. */
static int sio__mp_head_v(sio_mp v, sio__mp_head *h) {
    if (!v.ptr || v.type == SIO_MP_INVALID) { memset(h, 0, sizeof *h); return SIO_ERR_INVALID; }
    return sio__mp_head_of((const unsigned char *)v.ptr, v.len, h);
}

SIO_API size_t sio_mp_count(sio_mp v) {
    sio__mp_head h;
    if (sio__mp_head_v(v, &h) != SIO_OK) return 0;
    return h.type == SIO_MP_MAP ? h.items / 2 : h.items;
}

SIO_API void sio_mp_iter_init(sio_mp_iter *it, sio_mp container) {
    sio__mp_head h;
    it->p = it->end = container.ptr;
    it->left = 0;
    it->map = 0;
    if (sio__mp_head_v(container, &h) != SIO_OK) return;
    it->p = container.ptr + h.hdr;
    it->end = container.ptr + container.len;
    it->left = h.items;
    it->map = h.type == SIO_MP_MAP;
}

SIO_API int sio_mp_iter_next(sio_mp_iter *it, sio_mp *key, sio_mp *val) {
    sio_mp k, v;
    k.ptr = NULL; k.len = 0; k.type = SIO_MP_INVALID;
    if (it->left < (it->map ? 2u : 1u)) return 0;
    if (it->map) {
        k = sio__mp_view(it->p, (size_t)(it->end - it->p));
        if (k.type == SIO_MP_INVALID) goto bad;
        it->p += k.len;
        it->left--;
    }
    v = sio__mp_view(it->p, (size_t)(it->end - it->p));
    if (v.type == SIO_MP_INVALID) goto bad;
    it->p += v.len;
    it->left--;
    if (key) *key = k;
    if (val) *val = v;
    return 1;
bad:
    it->left = 0;
    return 0;
}

SIO_API int sio_mp_at(sio_mp arr, size_t i, sio_mp *out) {
    sio_mp_iter it;
    sio_mp v;
    if (arr.type != SIO_MP_ARRAY) return SIO_ERR_NOT_FOUND;
    sio_mp_iter_init(&it, arr);
    while (sio_mp_iter_next(&it, NULL, &v))
        if (i-- == 0) {
            if (out) *out = v;
            return SIO_OK;
        }
    return SIO_ERR_NOT_FOUND;
}

SIO_API int sio_mp_get(sio_mp map, const char *key, sio_mp *out) {
    sio_mp_iter it;
    sio_mp k, v;
    sio_str s;
    size_t n;
    if (map.type != SIO_MP_MAP || !key) return SIO_ERR_NOT_FOUND;
    n = strlen(key);
    sio_mp_iter_init(&it, map);
    while (sio_mp_iter_next(&it, &k, &v))
        if (sio_mp_as_str(k, &s) == SIO_OK && s.len == n && memcmp(s.ptr, key, n) == 0) {
            if (out) *out = v;
            return SIO_OK;
        }
    return SIO_ERR_NOT_FOUND;
}

static double sio__mp_float(const sio__mp_head *h) {
    if (h->f32) {
        uint32_t bits = (uint32_t)h->u;
        float f;
        memcpy(&f, &bits, 4);
        return f;
    } else {
        double d;
        memcpy(&d, &h->u, 8);
        return d;
    }
}

/* two's complement bits -> int64, without an implementation-defined cast */
static int64_t sio__mp_i64(uint64_t u) {
    return (u >> 63) ? -(int64_t)~u - 1 : (int64_t)u;
}

/* An integer, or an integral float, as sign and bits (see head.u).
   SIO_ERR_TOO_BIG for floats beyond [-2^63, 2^64), already clamped. */
static int sio__mp_intval(sio_mp v, int *neg, uint64_t *u) {
    sio__mp_head h;
    double d;
    int64_t i;
    if (sio__mp_head_v(v, &h) != SIO_OK) return SIO_ERR_INVALID;
    *neg = h.neg;
    *u = h.u;
    if (h.type == SIO_MP_INT) return SIO_OK;
    if (h.type != SIO_MP_FLOAT) return SIO_ERR_INVALID;
    d = sio__mp_float(&h);
    if (d != d) return SIO_ERR_INVALID;
    *neg = d < 0;
    if (d >= 18446744073709551616.0) { *u = ~(uint64_t)0; return SIO_ERR_TOO_BIG; }
    if (d < -9223372036854775808.0) { *u = (uint64_t)1 << 63; return SIO_ERR_TOO_BIG; }
    if (d >= 0) {                     /* -0.0 too */
        *u = (uint64_t)d;
        return (double)*u == d ? SIO_OK : SIO_ERR_INVALID;
    }
    i = (int64_t)d;
    *u = (uint64_t)i;
    return (double)i == d ? SIO_OK : SIO_ERR_INVALID;
}

SIO_API int sio_mp_as_int64(sio_mp v, int64_t *out) {
    uint64_t u = 0;
    int neg = 0, rc = sio__mp_intval(v, &neg, &u);
    int64_t r;
    if (rc == SIO_ERR_INVALID) return rc;
    if (!neg && u > (uint64_t)INT64_MAX) { r = INT64_MAX; rc = SIO_ERR_TOO_BIG; }
    else r = neg ? sio__mp_i64(u) : (int64_t)u;
    if (out) *out = r;
    return rc;
}

SIO_API int sio_mp_as_uint64(sio_mp v, uint64_t *out) {
    uint64_t u = 0;
    int neg = 0, rc = sio__mp_intval(v, &neg, &u);
    if (rc == SIO_ERR_INVALID) return rc;
    if (neg) { u = 0; rc = SIO_ERR_TOO_BIG; }
    if (out) *out = u;
    return rc;
}

SIO_API int sio_mp_as_double(sio_mp v, double *out) {
    sio__mp_head h;
    double d;
    if (sio__mp_head_v(v, &h) != SIO_OK) return SIO_ERR_INVALID;
    if (h.type == SIO_MP_FLOAT) d = sio__mp_float(&h);
    else if (h.type == SIO_MP_INT) d = h.neg ? (double)sio__mp_i64(h.u) : (double)h.u;
    else return SIO_ERR_INVALID;
    if (out) *out = d;
    return SIO_OK;
}

SIO_API int sio_mp_as_bool(sio_mp v, int *out) {
    sio__mp_head h;
    if (sio__mp_head_v(v, &h) != SIO_OK || h.type != SIO_MP_BOOL) return SIO_ERR_INVALID;
    if (out) *out = (int)h.u;
    return SIO_OK;
}

static int sio__mp_bytes(sio_mp v, sio_mp_type want, sio_str *out) {
    sio__mp_head h;
    if (sio__mp_head_v(v, &h) != SIO_OK || h.type != want) return SIO_ERR_INVALID;
    if (out) {
        out->ptr = v.ptr + h.hdr;
        out->len = h.body;
    }
    return SIO_OK;
}

SIO_API int sio_mp_as_str(sio_mp v, sio_str *out) { return sio__mp_bytes(v, SIO_MP_STR, out); }
SIO_API int sio_mp_as_bin(sio_mp v, sio_str *out) { return sio__mp_bytes(v, SIO_MP_BIN, out); }

SIO_API int sio_mp_as_ext(sio_mp v, int *type, sio_str *data) {
    sio__mp_head h;
    if (sio__mp_head_v(v, &h) != SIO_OK || h.type != SIO_MP_EXT) return SIO_ERR_INVALID;
    if (type) *type = h.ext;
    return sio__mp_bytes(v, SIO_MP_EXT, data);
}

SIO_API int sio_mp_is_nil(sio_mp v) { return v.type == SIO_MP_NIL; }

SIO_API int sio_mp_is_undefined(sio_mp v) {
    return v.type == SIO_MP_EXT && v.len == 3 && (unsigned char)v.ptr[0] == 0xd4 && v.ptr[1] == 0;
}

/* ---- msgpack -> JSON ---- */

/* Decimal text of an integer head; out needs 21 bytes. */
static size_t sio__mp_dec(const sio__mp_head *h, char *out) {
    char tmp[20];
    size_t i = sizeof tmp, o = 0;
    uint64_t u = h->u;
    if (h->neg) { out[o++] = '-'; u = ~u + 1; }   /* magnitude; 2^63 for INT64_MIN */
    do { tmp[--i] = (char)('0' + u % 10); u /= 10; } while (u);
    memcpy(out + o, tmp + i, sizeof tmp - i);
    return o + sizeof tmp - i;
}

/* A map key as the property name JavaScript would make of it. */
static int sio__mp_key(sio_json_writer *w, const unsigned char *p, const sio__mp_head *h) {
    char txt[48];
    size_t n;
    switch (h->type) {
    case SIO_MP_STR: sio_json_key_n(w, (const char *)p + h->hdr, h->body); return SIO_OK;
    case SIO_MP_INT: n = sio__mp_dec(h, txt); break;
    case SIO_MP_NIL: memcpy(txt, "null", n = 4); break;
    case SIO_MP_BOOL: n = h->u ? 4 : 5; memcpy(txt, h->u ? "true" : "false", n); break;
    case SIO_MP_FLOAT: {
        /* the same text sio_json_num writes, taken from a scratch writer */
        sio_buf tb;
        sio_json_writer tw;
        sio__stackbuf(&tb, txt, sizeof txt);
        sio_json_writer_init(&tw, &tb);
        sio_json_num(&tw, sio__mp_float(h));
        n = tb.len;
        if (n == 4 && memcmp(txt, "null", 4) == 0) {     /* String(NaN), String(Infinity) */
            double d = sio__mp_float(h);
            const char *s = d != d ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
            memcpy(txt, s, n = strlen(s));
        }
        break;
    }
    default:
        return SIO_ERR_UNSUPPORTED;
    }
    sio_json_key_n(w, txt, n);
    return SIO_OK;
}


/* What a placeholder written by sio_mp_to_json stands for. */
enum { SIO__MP_BIN = 1, SIO__MP_EXT0, SIO__MP_KEPT };

/* plain: as JSON.stringify reads what notepack decoded, nothing kept
   aside (for CONNECT and CONNECT_ERROR, whose text has no attachments):
   members whose value is undefined are left out, and undefined, the
   other extensions, NaN and the infinities are null. */
static int sio__mp_to_json(sio_mp v, sio_buf *json, sio_str *bins, size_t max_bins, size_t *nbins, int plain) {
    struct { size_t left; int map; } st[SIO_MP_MAX_DEPTH];
    const unsigned char *p = (const unsigned char *)v.ptr, *end = p + v.len;
    size_t start = json->len, nb = 0;
    int depth = 0, rc = SIO_OK, kind;
    sio_json_writer w;
    sio__mp_head h;
    if (nbins) *nbins = 0;
    if (!v.ptr || v.type == SIO_MP_INVALID) return SIO_ERR_PARSE;
    sio_json_writer_init(&w, json);
    do {
        if (w.err) break;
        if (depth && st[depth - 1].left == 0) {
            if (st[--depth].map) sio_json_obj_end(&w);
            else sio_json_arr_end(&w);
            continue;
        }
        if ((rc = sio__mp_head_of(p, (size_t)(end - p), &h)) != SIO_OK) goto fail;
        if (depth && st[depth - 1].map && st[depth - 1].left % 2 == 0) {
            size_t kl = h.hdr + h.body;
            sio__mp_head vh;
            if (h.type == SIO_MP_ARRAY || h.type == SIO_MP_MAP) { rc = SIO_ERR_UNSUPPORTED; goto fail; }
            if (plain) {
                if ((rc = sio__mp_head_of(p + kl, (size_t)(end - p) - kl, &vh)) != SIO_OK) goto fail;
                if (vh.type == SIO_MP_EXT && p[kl] == 0xd4 && vh.ext == 0) {   /* undefined */
                    p += kl + vh.hdr + vh.body;
                    st[depth - 1].left -= 2;
                    continue;
                }
            }
            if ((rc = sio__mp_key(&w, p, &h)) != SIO_OK) goto fail;
            p += kl;
            st[depth - 1].left--;
            continue;
        }
        if (depth) st[depth - 1].left--;
        switch (h.type) {
        case SIO_MP_NIL: sio_json_null(&w); break;
        case SIO_MP_BOOL: sio_json_bool(&w, (int)h.u); break;
        case SIO_MP_FLOAT: {
            double d = sio__mp_float(&h);
            if (d - d == 0) {   /* finite */
                sio_json_num(&w, d);
                break;
            }
            if (plain) {
                sio_json_null(&w);
                break;
            }
            kind = SIO__MP_KEPT;
            goto attach;
        }
        case SIO_MP_STR: sio_json_str_n(&w, (const char *)p + h.hdr, h.body); break;
        case SIO_MP_INT: {
            char txt[21];
            sio_json_raw(&w, txt, sio__mp_dec(&h, txt));
            break;
        }
        case SIO_MP_EXT:
            /* ArrayBuffers come as ext 8/16/32 of type 0; the rest
               (undefined, Date, foreign types) has no JSON form */
            if (plain) {
                sio_json_null(&w);
                break;
            }
            kind = h.ext == 0 && p[0] >= 0xc7 && p[0] <= 0xc9 ? SIO__MP_EXT0 : SIO__MP_KEPT;
            goto attach;
        case SIO_MP_BIN:
            kind = SIO__MP_BIN;
        attach:
            if (nb >= max_bins) { rc = SIO_ERR_TOO_BIG; goto fail; }
            bins[nb].ptr = (const char *)p + (kind == SIO__MP_KEPT ? 0 : h.hdr);
            bins[nb].len = h.body + (kind == SIO__MP_KEPT ? h.hdr : 0);
            sio_json_obj_begin(&w);
            sio_json_key_n(&w, "_placeholder", 12);
            sio_json_bool(&w, 1);
            sio_json_key_n(&w, "num", 3);
            sio_json_int(&w, (long long)nb++);
            if (kind == SIO__MP_EXT0) {
                sio_json_key_n(&w, "_ext", 4);
                sio_json_int(&w, 0);
            } else if (kind == SIO__MP_KEPT) {
                sio_json_key_n(&w, "_msgpack", 8);
                sio_json_bool(&w, 1);
            }
            sio_json_obj_end(&w);
            break;
        case SIO_MP_ARRAY: case SIO_MP_MAP:
            if (!plain && h.type == SIO_MP_MAP) {
                /* a map of the sender's own with a "_placeholder" key would
                   read as an attachment: it is kept as its bytes instead */
                size_t total;
                sio_mp m, x;
                if ((rc = sio__mp_scan(p, (size_t)(end - p), &total)) != SIO_OK) goto fail;
                m.ptr = (const char *)p;
                m.len = total;
                m.type = SIO_MP_MAP;
                if (sio_mp_get(m, "_placeholder", &x) == SIO_OK) {
                    h.hdr = total;
                    h.body = 0;
                    kind = SIO__MP_KEPT;
                    goto attach;
                }
            }
            if (depth >= SIO_MP_MAX_DEPTH) { rc = SIO_ERR_TOO_BIG; goto fail; }
            st[depth].left = h.items;
            st[depth].map = h.type == SIO_MP_MAP;
            depth++;
            if (h.type == SIO_MP_MAP) sio_json_obj_begin(&w);
            else sio_json_arr_begin(&w);
            break;
        default: rc = SIO_ERR_PARSE; goto fail;
        }
        p += h.hdr + h.body;
    } while (depth);
    if ((rc = sio_json_writer_finish(&w)) == SIO_OK) {
        if (nbins) *nbins = nb;
        return SIO_OK;
    }
fail:
    json->len = start;
    return rc;
}

SIO_API int sio_mp_to_json(sio_mp v, sio_buf *json, sio_str *bins, size_t max_bins, size_t *nbins) {
    return sio__mp_to_json(v, json, bins, max_bins, nbins, 0);
}

/* ---- JSON -> msgpack ---- */

/* 1 and the value when the text is an integer ("-12", not "1.0" or
   "1e3") that fits int64 or uint64; *neg says which. */
static int sio__mp_json_int(sio_json v, uint64_t *u, int *neg) {
    const char *s = v.ptr;
    size_t i = 0;
    uint64_t acc = 0, lim;
    *neg = v.len && s[0] == '-';
    i = (size_t)*neg;
    if (i >= v.len) return 0;
    lim = *neg ? (uint64_t)1 << 63 : ~(uint64_t)0;
    for (; i < v.len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || acc > (lim - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    *u = *neg ? ~acc + 1 : acc;     /* two's complement: -acc */
    return 1;
}

/* A string value, unescaped, as str: in place after its header. */
static void sio__mp_json_str(sio_buf *out, sio_json s) {
    sio_str raw = sio_json_raw_str(s);
    size_t n;
    if (!memchr(raw.ptr, '\\', raw.len)) { sio_mp_str(out, raw.ptr, raw.len); return; }
    n = sio_json_strcpy(s, NULL, 0);
    /* room for the longest header, the text and strcpy's NUL first, so
       the header cannot go out without its text */
    if (sio_buf_reserve(out, n + 6) || sio__mp_len(out, n, 0xa0, 31, 0xd9, 0xda, NULL)) return;
    sio_json_strcpy(s, out->data + out->len, n + 1);
    out->len += n;
}

/* The attachment a {"_placeholder":true,"num":K} object stands for, by
   the same rule as sio_args_bin, and its kind (SIO__MP_*). */
static const sio_str *sio__mp_placeholder(sio_json v, const sio_str *bins, size_t nbins, int *kind) {
    sio_json ph, num, x;
    long long k;
    if (sio_json_get(v, "_placeholder", &ph) != SIO_OK || ph.type != SIO_JSON_TRUE) return NULL;
    if (sio_json_get(v, "num", &num) != SIO_OK || num.type != SIO_JSON_NUMBER) return NULL;
    k = sio_json_integer(num);
    if (k < 0 || (unsigned long long)k >= nbins) return NULL;
    *kind = SIO__MP_BIN;
    if (sio_json_get(v, "_msgpack", &x) == SIO_OK && x.type == SIO_JSON_TRUE) *kind = SIO__MP_KEPT;
    else if (sio_json_get(v, "_ext", &x) == SIO_OK && x.type == SIO_JSON_NUMBER && sio_json_integer(x) == 0)
        *kind = SIO__MP_EXT0;
    return &bins[k];
}

/* notepack's ArrayBuffer: ext type 0 always in the 8/16/32 form, since
   d4 and d7 with type 0 mean undefined and Date to it. */
static int sio__mp_ext0(sio_buf *b, const sio_str *bin) {
    size_t n = bin->len;
    if (n >> 16 >> 16) return sio__mp_too_big(b);
    if (n <= 0xFF) return sio__mp_put(b, 0xc7, (uint64_t)n << 8, 2, bin->ptr, n);
    if (n <= 0xFFFF) return sio__mp_put(b, 0xc8, (uint64_t)n << 8, 3, bin->ptr, n);
    return sio__mp_put(b, 0xc9, (uint64_t)n << 8, 5, bin->ptr, n);
}

SIO_API int sio_mp_from_json(sio_json v, const sio_str *bins, size_t nbins, sio_buf *out) {
    sio_json_iter st[SIO_MP_MAX_DEPTH];
    int depth = 0, neg, kind;
    sio_json k;
    const sio_str *bin;
    uint64_t u;
    if (!v.ptr || v.type == SIO_JSON_INVALID) return SIO_ERR_INVALID;
    for (;;) {
        switch (v.type) {
        case SIO_JSON_NULL: sio_mp_nil(out); break;
        case SIO_JSON_FALSE: sio_mp_bool(out, 0); break;
        case SIO_JSON_TRUE: sio_mp_bool(out, 1); break;
        case SIO_JSON_STRING: sio__mp_json_str(out, v); break;
        case SIO_JSON_NUMBER:
            if (!sio__mp_json_int(v, &u, &neg)) sio_mp_double(out, sio_json_number(v));
            else if (neg) sio_mp_int(out, sio__mp_i64(u));
            else sio_mp_uint(out, u);
            break;
        case SIO_JSON_OBJECT:
            if ((bin = sio__mp_placeholder(v, bins, nbins, &kind)) != NULL) {
                if (kind == SIO__MP_BIN) {
                    sio_mp_bin(out, bin->ptr, bin->len);
                } else if (kind == SIO__MP_EXT0) {
                    sio__mp_ext0(out, bin);
                } else {
                    /* kept bytes must be one whole value, or the packet
                       around them would not parse */
                    if (sio_mp_parse(bin->ptr, bin->len, NULL) != SIO_OK) return SIO_ERR_INVALID;
                    sio_buf_append(out, bin->ptr, bin->len);
                }
                break;
            }
            /* fall through */
        case SIO_JSON_ARRAY:
            if (depth >= SIO_MP_MAX_DEPTH) return SIO_ERR_TOO_BIG;
            if (v.type == SIO_JSON_OBJECT) sio_mp_map(out, sio_json_count(v));
            else sio_mp_array(out, sio_json_count(v));
            sio_json_iter_init(&st[depth++], v);
            break;
        default: return SIO_ERR_INVALID;
        }
        if (out->err) return out->err;
        for (;;) {      /* the next value: in the innermost open container, or done */
            if (!depth) return SIO_OK;
            if (sio_json_iter_next(&st[depth - 1], &k, &v)) break;
            depth--;
        }
        if (k.type == SIO_JSON_STRING) sio__mp_json_str(out, k);
    }
}
#endif /* SIO_NO_MSGPACK */

#ifndef SIO_NO_REDIS
/* =====================================================================
   >>resp: RESP2, the Redis serialization protocol
   =====================================================================
   Each value starts with a type byte and a line ending in CRLF; a bulk
   string's line is its length, then that many bytes and CRLF; an array's
   is its count, then that many values. So a reply is read in one pass
   without recursion, with a stack of "items still to come" per open
   array, and every length is checked before anything waits for it. */

#define SIO__RESP_MAX_LINE 64   /* a type byte, a number, CRLF: far more than any count needs */

/* A decimal integer of RESP, "-"? digits, exactly: no '+', no spaces. */
static int sio__resp_int(const char *p, size_t n, long long *out) {
    unsigned long long v = 0, lim;
    size_t i = 0;
    int neg = n && p[0] == '-';
    i = (size_t)neg;
    if (i == n) return SIO_ERR_PROTOCOL;
    lim = neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return SIO_ERR_PROTOCOL;
        if (v > (lim - (unsigned long long)(p[i] - '0')) / 10u) return SIO_ERR_PROTOCOL;
        v = v * 10u + (unsigned long long)(p[i] - '0');
    }
    /* -(LLONG_MAX+1) without overflow: negate in unsigned, then convert */
    *out = neg ? (v ? -(long long)(v - 1u) - 1 : 0) : (long long)v;
    return SIO_OK;
}

SIO_API long sio_resp_parse(const char *buf, size_t n, sio_resp *out, int max, int *nout) {
    long long left[SIO_RESP_MAX_DEPTH + 1];
    size_t pos = 0;
    int k = 0, depth = 0;
    *nout = 0;
    if (!buf || !out || max <= 0) return SIO_ERR_INVALID;
    for (;;) {
        const char *line = buf + pos, *cr;
        size_t avail = n - pos, ll;
        sio_resp it;
        if (!avail) return 0;
        if (!strchr("+-:$*", line[0]) || !line[0]) return SIO_ERR_PROTOCOL;   /* known at its first byte */
        cr = (const char *)memchr(line, '\r', avail);
        if (!cr) {
            /* a status or error line may be long; only a number's is capped */
            if (line[0] != '+' && line[0] != '-' && avail > SIO__RESP_MAX_LINE) return SIO_ERR_PROTOCOL;
            if (memchr(line, '\n', avail)) return SIO_ERR_PROTOCOL;
            if (avail > SIO_RESP_MAX_BULK) return SIO_ERR_TOO_BIG;
            return 0;
        }
        ll = (size_t)(cr - line);
        /* the same verdicts as the checks above while the CR was missing,
           so bytes read in pieces are judged as bytes read at once */
        if (memchr(line, '\n', ll) || ll == 0) return SIO_ERR_PROTOCOL;
        if (line[0] != '+' && line[0] != '-' && ll > SIO__RESP_MAX_LINE) return SIO_ERR_PROTOCOL;
        if (ll > SIO_RESP_MAX_BULK) return SIO_ERR_TOO_BIG;
        if (ll + 1 == avail) return 0;   /* the LF is still to come */
        if (cr[1] != '\n') return SIO_ERR_PROTOCOL;
        memset(&it, 0, sizeof it);
        it.type = line[0];
        pos += ll + 2;
        switch (it.type) {
        case '+':
        case '-':
            it.ptr = line + 1;
            it.len = ll - 1;
            break;
        case ':':
            if (sio__resp_int(line + 1, ll - 1, &it.n) != SIO_OK) return SIO_ERR_PROTOCOL;
            break;
        case '$':
            if (ll - 1 > 20 || sio__resp_int(line + 1, ll - 1, &it.n) != SIO_OK || it.n < -1) return SIO_ERR_PROTOCOL;
            if (it.n > (long long)SIO_RESP_MAX_BULK) return SIO_ERR_TOO_BIG;
            if (it.n >= 0) {
                size_t len = (size_t)it.n;
                if (n - pos < len + 2) return 0;
                if (buf[pos + len] != '\r' || buf[pos + len + 1] != '\n') return SIO_ERR_PROTOCOL;
                it.ptr = buf + pos;
                it.len = len;
                pos += len + 2;
            }
            break;
        case '*':
            if (ll - 1 > 20 || sio__resp_int(line + 1, ll - 1, &it.n) != SIO_OK || it.n < -1) return SIO_ERR_PROTOCOL;
            if (it.n > (long long)max) return SIO_ERR_TOO_BIG;   /* could never fit: no need to wait for it */
            break;
        default:
            return SIO_ERR_PROTOCOL;
        }
        if (k == max) return SIO_ERR_TOO_BIG;
        out[k++] = it;
        if (it.type == '*' && it.n > 0) {
            if (depth == SIO_RESP_MAX_DEPTH) return SIO_ERR_TOO_BIG;
            left[++depth] = it.n;
            continue;
        }
        /* a value is complete: close every array it completes */
        for (;;) {
            if (!depth) {
                if (pos > (size_t)LONG_MAX) return SIO_ERR_TOO_BIG;
                *nout = k;
                return (long)pos;
            }
            if (--left[depth] > 0) break;
            depth--;
        }
    }
}

SIO_API int sio_resp_command(sio_buf *b, int argc, const char *const *argv, const size_t *lens) {
    char head[32];
    int i;
    if (!b || argc <= 0 || !argv) return SIO_ERR_INVALID;
    snprintf(head, sizeof head, "*%d\r\n", argc);
    sio_buf_append(b, head, strlen(head));
    for (i = 0; i < argc; i++) {
        size_t len = lens ? lens[i] : strlen(argv[i]);
        snprintf(head, sizeof head, "$%lu\r\n", (unsigned long)len);
        sio_buf_append(b, head, strlen(head));
        sio_buf_append(b, argv[i], len);
        sio_buf_append(b, "\r\n", 2);
    }
    return b->err;
}
#endif /* SIO_NO_REDIS */

/* =====================================================================
   >>http: HTTP/1.1 message heads, chunked bodies, response heads
   =====================================================================
   Follows RFC 9112 (message syntax) and RFC 9110 (semantics). The head
   parser is a pure function that re-reads the buffer from its start on
   every call and keeps no state: a partial head gives 0, so the caller
   just appends bytes and calls again. Syntax errors are reported as soon
   as the bytes that prove them are there (framing rules such as CL + TE
   once the head is complete), limits as soon as they are crossed, so a
   peer cannot make us buffer more than SIO_HTTP_MAX_HEADER_BYTES.
   Requests are parsed strictly (we are the origin server and any
   leniency is a request smuggling vector behind a proxy); responses
   come from a server we chose to talk to and get a little slack. */

/* tchar from RFC 9110 5.6.2: the bytes allowed in methods, header names
   and transfer codings. */
static int sio__http_is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

/* Field values and reason phrases: VCHAR, SP, HTAB and obs-text (>= 0x80). */
static int sio__http_is_vchar(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int sio__http_lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive compare of a view with a NUL-terminated ASCII name. */
static int sio__http_ieq(sio_str s, const char *lit) {
    size_t i;
    for (i = 0; i < s.len; i++) {
        if (!lit[i] || sio__http_lower((unsigned char)s.ptr[i]) != sio__http_lower((unsigned char)lit[i]))
            return 0;
    }
    return lit[i] == '\0';
}

static sio_str sio__http_str(const char *p, size_t n) {
    sio_str s;
    s.ptr = p;
    s.len = n;
    return s;
}

/* Result of looking at a CR or LF: the length of the line end, or one of
   these. A CR that is the last byte might still get its LF. */
#define SIO__HTTP_EOL_NEED (-1)
#define SIO__HTTP_EOL_BAD (-2)

static int sio__http_eol(const char *buf, size_t i, size_t end, int lf_ok) {
    if (buf[i] == '\n') return lf_ok ? 1 : SIO__HTTP_EOL_BAD;
    if (i + 1 >= end) return SIO__HTTP_EOL_NEED;
    return buf[i + 1] == '\n' ? 2 : SIO__HTTP_EOL_BAD;
}

/* Maps an HTTP status chosen for a bad request to our error code. */
static int sio__http_fail(int *http_status, int status) {
    if (http_status) *http_status = status;
    if (status == 414 || status == 431) return SIO_ERR_TOO_BIG;
    if (status == 501 || status == 505) return SIO_ERR_UNSUPPORTED;
    return SIO_ERR_PARSE;
}

/* Content-Length is 1*DIGIT (RFC 9110 8.6); "+5", " 5 5", "5,5" and
   anything that would overflow are refused rather than guessed at. */
static int sio__http_parse_cl(sio_str v, long long *out) {
    const unsigned long long max = (unsigned long long)-1 >> 1;
    unsigned long long n = 0;
    size_t i;
    if (v.len == 0) return -1;
    for (i = 0; i < v.len; i++) {
        unsigned d = (unsigned)((unsigned char)v.ptr[i] - '0');
        if (d > 9) return -1;
        if (n > (max - d) / 10) return -1;
        n = n * 10 + d;
    }
    *out = (long long)n;
    return 0;
}

/* Walks a comma-separated list; returns 1 and the next trimmed element
   (possibly empty, as in "a,,b") or 0 at the end. *pos starts at 0. */
static int sio__http_list_next(sio_str list, size_t *pos, sio_str *elem) {
    size_t i = *pos, b, e;
    if (i > list.len) return 0;
    while (i < list.len && (list.ptr[i] == ' ' || list.ptr[i] == '\t')) i++;
    b = i;
    while (i < list.len && list.ptr[i] != ',') i++;
    e = i;
    while (e > b && (list.ptr[e - 1] == ' ' || list.ptr[e - 1] == '\t')) e--;
    *elem = sio__http_str(list.ptr + b, e - b);
    *pos = i + 1;
    return 1;
}

SIO_API int sio_http_token_has(sio_str value, const char *token) {
    size_t pos = 0;
    sio_str e;
    if (!token || !value.ptr) return 0;
    while (sio__http_list_next(value, &pos, &e))
        if (e.len && sio__http_ieq(e, token)) return 1;
    return 0;
}

SIO_API sio_str sio_http_header_get(const sio_http_msg *m, const char *name) {
    int i;
    if (!m || !name) return sio__http_str(NULL, 0);
    for (i = 0; i < m->header_count; i++)
        if (sio__http_ieq(m->headers[i].name, name)) return m->headers[i].value;
    return sio__http_str(NULL, 0);
}

/* After the head is complete: framing and connection semantics. Returns 0
   or the HTTP status that rejects the message. */
static int sio__http_semantics(sio_http_msg *m, int is_req) {
    int i, has_cl = 0, has_te = 0, te_unknown = 0, te_bad = 0;
    int conn_close = 0, conn_ka = 0, conn_upgrade = 0, up_ws = 0;
    long long cl = -1;
    for (i = 0; i < m->header_count; i++) {
        sio_str n = m->headers[i].name, v = m->headers[i].value;
        if (sio__http_ieq(n, "content-length")) {
            long long x;
            if (sio__http_parse_cl(v, &x) != 0) return 400;
            /* Two different lengths: two parsers could frame the body
               differently, the classic smuggling setup. */
            if (has_cl && x != cl) return 400;
            has_cl = 1;
            cl = x;
        } else if (sio__http_ieq(n, "transfer-encoding")) {
            size_t pos = 0;
            sio_str e;
            int any = 0;
            has_te = 1;
            while (sio__http_list_next(v, &pos, &e)) {
                if (!e.len) continue;
                any = 1;
                /* chunked must be applied once and last: in
                   "chunked, gzip" the end of the body is unknowable. */
                if (m->chunked) te_bad = 1;
                if (sio__http_ieq(e, "chunked")) m->chunked = 1;
                else te_unknown = 1;
            }
            if (!any) te_bad = 1;
        } else if (sio__http_ieq(n, "connection")) {
            conn_close |= sio_http_token_has(v, "close");
            conn_ka |= sio_http_token_has(v, "keep-alive");
            conn_upgrade |= sio_http_token_has(v, "upgrade");
        } else if (sio__http_ieq(n, "upgrade")) {
            up_ws |= sio_http_token_has(v, "websocket");
        }
    }
    if (has_te) {
        if (te_bad) return 400;
        if (is_req && has_cl) return 400;
        if (te_unknown) return 501;
        cl = -1;
    }
    m->content_length = cl;
    m->keep_alive = conn_close ? 0 : (m->minor_version >= 1 ? 1 : conn_ka);
    m->upgrade_websocket = conn_upgrade && up_ws;
    return 0;
}

/* "HTTP/" DIGIT "." DIGIT at buf[*i]. Returns 0 (ok, *minor set), 1 need
   more, 400 malformed, 505 a major version other than 1. HTTP/1.2 and up
   are answered as 1.1, as RFC 9110 2.5 asks. */
static int sio__http_version(const char *buf, size_t *i, size_t end, int *minor) {
    static const char pat[] = "HTTP/#.#";
    size_t k, p = *i;
    int major = 0;
    for (k = 0; k < 8; k++, p++) {
        if (p >= end) return 1;
        if (pat[k] == '#') {
            if (buf[p] < '0' || buf[p] > '9') return 400;
            if (k == 5) major = buf[p] - '0';
            else *minor = buf[p] - '0';
        } else if (buf[p] != pat[k]) {
            return 400;
        }
    }
    *i = p;
    if (major != 1) return 505;
    if (*minor > 1) *minor = 1;
    return 0;
}

static void sio__http_msg_init(sio_http_msg *m) {
    m->method = m->target = m->path = m->query = m->reason = sio__http_str(NULL, 0);
    m->status = 0;
    m->minor_version = 0;
    m->header_count = 0;
    m->content_length = -1;
    m->chunked = 0;
    m->keep_alive = 0;
    m->upgrade_websocket = 0;
    m->header_bytes = 0;
}

/* Request line: method SP target SP version CRLF, single spaces only
   (RFC 9112 3). Up to RFC 9112 2.2, empty lines before it are skipped.
   Returns 0 with *i after the line, 1 need more, or an HTTP status. */
static int sio__http_request_line(const char *buf, size_t *pi, size_t end, sio_http_msg *m) {
    size_t i = *pi, s;
    int rc, eol;
    while (i < end && buf[i] == '\r') {
        eol = sio__http_eol(buf, i, end, 0);
        if (eol == SIO__HTTP_EOL_NEED) return 1;
        if (eol < 0) return 400;
        i += (size_t)eol;
    }
    s = i;
    while (i < end && sio__http_is_tchar((unsigned char)buf[i])) i++;
    if (i >= end) return 1;
    if (buf[i] != ' ' || i == s) return 400;
    m->method = sio__http_str(buf + s, i - s);
    s = ++i;
    if (i < end && buf[i] != '/' && buf[i] != '*') return 400;
    while (i < end && (unsigned char)buf[i] > 0x20 && buf[i] != 0x7f) i++;
    if (i >= end) return 1;
    if (buf[i] != ' ' || i == s) return 400;
    m->target = sio__http_str(buf + s, i - s);
    /* origin-form "/path?q", or asterisk-form for "OPTIONS *" only;
       absolute-form (proxy requests) and authority-form (CONNECT) are
       not for us. */
    if (buf[s] != '/' && !(m->target.len == 1 && buf[s] == '*' && m->method.len == 7 &&
                           memcmp(m->method.ptr, "OPTIONS", 7) == 0))
        return 400;
    i++;
    rc = sio__http_version(buf, &i, end, &m->minor_version);
    if (rc == 1 || rc == 400) return rc;
    if (i >= end) return 1;
    if (buf[i] != '\r' && buf[i] != '\n') return 400;
    eol = sio__http_eol(buf, i, end, 0);
    if (eol == SIO__HTTP_EOL_NEED) return 1;
    if (eol < 0) return 400;
    if (rc) return rc; /* 505, only once the line proved well-formed */
    *pi = i + (size_t)eol;
    {
        const char *q = (const char *)memchr(m->target.ptr, '?', m->target.len);
        if (q) {
            m->path = sio__http_str(m->target.ptr, (size_t)(q - m->target.ptr));
            m->query = sio__http_str(q + 1, m->target.len - m->path.len - 1);
        } else {
            m->path = m->target;
            m->query = sio__http_str(m->target.ptr + m->target.len, 0);
        }
    }
    return 0;
}

/* Status line: version SP 3DIGIT [SP reason] line-end. The missing SP
   before an empty reason ("HTTP/1.1 200\r\n") is tolerated. */
static int sio__http_status_line(const char *buf, size_t *pi, size_t end, sio_http_msg *m) {
    size_t i = *pi, s, k;
    int rc, eol;
    rc = sio__http_version(buf, &i, end, &m->minor_version);
    if (rc == 1 || rc == 400) return rc;
    if (i >= end) return 1;
    if (buf[i++] != ' ') return 400;
    m->status = 0;
    for (k = 0; k < 3; k++, i++) {
        if (i >= end) return 1;
        if (buf[i] < '0' || buf[i] > '9') return 400;
        m->status = m->status * 10 + (buf[i] - '0');
    }
    if (m->status < 100) return 400;
    if (i >= end) return 1;
    if (buf[i] == ' ') i++;
    else if (buf[i] != '\r' && buf[i] != '\n') return 400;
    s = i;
    while (i < end && buf[i] != '\r' && buf[i] != '\n') {
        if (!sio__http_is_vchar((unsigned char)buf[i])) return 400;
        i++;
    }
    if (i >= end) return 1;
    eol = sio__http_eol(buf, i, end, 1);
    if (eol == SIO__HTTP_EOL_NEED) return 1;
    if (eol < 0) return 400;
    if (rc) return rc;
    m->reason = sio__http_str(buf + s, i - s);
    *pi = i + (size_t)eol;
    return 0;
}

/* Header fields up to and including the empty line. Returns 0 with *pi
   after the head, 1 need more, or an HTTP status. */
static int sio__http_fields(const char *buf, size_t *pi, size_t end, sio_http_msg *m, int lf_ok) {
    size_t i = *pi, s, vs, ve;
    int eol;
    for (;;) {
        if (i >= end) return 1;
        if (buf[i] == '\r' || buf[i] == '\n') {
            eol = sio__http_eol(buf, i, end, lf_ok);
            if (eol == SIO__HTTP_EOL_NEED) return 1;
            if (eol < 0) return 400;
            *pi = i + (size_t)eol;
            return 0;
        }
        /* A line starting with whitespace is obs-fold (a continuation of
           the previous value), which RFC 9112 5.2 lets us reject and which
           parsers disagree about. */
        if (buf[i] == ' ' || buf[i] == '\t') return 400;
        if (m->header_count >= SIO_HTTP_MAX_HEADERS) return 431;
        s = i;
        while (i < end && sio__http_is_tchar((unsigned char)buf[i])) i++;
        if (i >= end) return 1;
        /* "Name : v" is refused too: RFC 9112 5.1 says whitespace before
           the colon must get a 400, again because of smuggling. */
        if (buf[i] != ':' || i == s) return 400;
        m->headers[m->header_count].name = sio__http_str(buf + s, i - s);
        i++;
        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
        vs = i;
        while (i < end && buf[i] != '\r' && buf[i] != '\n') {
            if (!sio__http_is_vchar((unsigned char)buf[i])) return 400;
            i++;
        }
        if (i >= end) return 1;
        eol = sio__http_eol(buf, i, end, lf_ok);
        if (eol == SIO__HTTP_EOL_NEED) return 1;
        if (eol < 0) return 400;
        ve = i;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
        m->headers[m->header_count].value = sio__http_str(buf + vs, ve - vs);
        m->header_count++;
        i += (size_t)eol;
    }
}

/* The shared driver. Scanning stops at the limits, so "need more" past a
   limit turns into 414/431 without ever looking further. */
static int sio__http_parse_head(const char *buf, size_t len, sio_http_msg *m, int is_req, int *http_status) {
    size_t end = len < SIO_HTTP_MAX_HEADER_BYTES ? len : SIO_HTTP_MAX_HEADER_BYTES;
    size_t i = 0;
    int rc;
    sio__http_msg_init(m);
    if (is_req) {
        size_t lend = end < SIO_HTTP_MAX_REQUEST_LINE ? end : SIO_HTTP_MAX_REQUEST_LINE;
        rc = sio__http_request_line(buf, &i, lend, m);
        if (rc == 1) {
            if (len >= SIO_HTTP_MAX_REQUEST_LINE) return sio__http_fail(http_status, 414);
            if (len >= SIO_HTTP_MAX_HEADER_BYTES) return sio__http_fail(http_status, 431);
            return 0;
        }
    } else {
        rc = sio__http_status_line(buf, &i, end, m);
    }
    if (rc == 0) rc = sio__http_fields(buf, &i, end, m, !is_req);
    if (rc == 1) return len >= SIO_HTTP_MAX_HEADER_BYTES ? sio__http_fail(http_status, 431) : 0;
    if (rc == 0) rc = sio__http_semantics(m, is_req);
    if (rc) return sio__http_fail(http_status, rc);
    m->header_bytes = i;
    return (int)i;
}

SIO_API int sio_http_parse_request(const char *buf, size_t len, sio_http_msg *m, int *http_status) {
    if (http_status) *http_status = 0;
    if (!m || (!buf && len)) return sio__http_fail(http_status, 400);
    return sio__http_parse_head(buf, len, m, 1, http_status);
}

SIO_API int sio_http_parse_response(const char *buf, size_t len, sio_http_msg *m) {
    if (!m || (!buf && len)) return SIO_ERR_INVALID;
    return sio__http_parse_head(buf, len, m, 0, NULL);
}

SIO_API int sio_http_head_ready(const char *buf, size_t len, size_t prev_len) {
    size_t i;
    if (prev_len > len) prev_len = 0;
    if (len >= SIO_HTTP_MAX_HEADER_BYTES) return 1;
    if (prev_len < SIO_HTTP_MAX_REQUEST_LINE && len >= SIO_HTTP_MAX_REQUEST_LINE) return 1;
    /* An empty line ends with LF preceded by LF or by CR LF; it may
       straddle the old and new bytes, hence the step back. */
    for (i = prev_len > 2 ? prev_len - 2 : 1; i < len; i++) {
        if (buf[i] != '\n') continue;
        if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')) return 1;
    }
    return 0;
}

SIO_API int sio_http_query_get(sio_str query, const char *key, sio_str *raw_value) {
    size_t klen, i = 0;
    if (!key || !*key || !query.ptr) return 0;
    klen = strlen(key);
    while (i < query.len) {
        size_t s = i, e, eq;
        while (i < query.len && query.ptr[i] != '&') i++;
        e = i++;
        for (eq = s; eq < e && query.ptr[eq] != '='; eq++) {}
        if (eq - s == klen && memcmp(query.ptr + s, key, klen) == 0) {
            if (raw_value) {
                if (eq < e) *raw_value = sio__http_str(query.ptr + eq + 1, e - eq - 1);
                else *raw_value = sio__http_str(query.ptr + e, 0);
            }
            return 1;
        }
    }
    return 0;
}

static int sio__http_hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = sio__http_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

SIO_API size_t sio_http_url_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space) {
    size_t i = 0, out = 0;
    while (i < n) {
        char c = src[i];
        int hi, lo;
        if (c == '%' && i + 2 < n &&
            (hi = sio__http_hexval((unsigned char)src[i + 1])) >= 0 &&
            (lo = sio__http_hexval((unsigned char)src[i + 2])) >= 0) {
            c = (char)(hi * 16 + lo);
            i += 3;
        } else {
            if (c == '+' && plus_is_space) c = ' ';
            i++;
        }
        if (out + 1 < cap) dst[out] = c;
        out++;
    }
    if (cap) dst[out < cap ? out : cap - 1] = '\0';
    return out;
}

/* >>http-chunked
   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, the last chunk
   has size 0 and is followed by optional trailer fields and an empty
   line. Example: "4\r\nWiki\r\n0\r\n\r\n" decodes to "Wiki". Every input
   byte is consumed as soon as it is seen (the state remembers where we
   are), so the caller never re-feeds anything. */
enum {
    SIO__CK_SIZE0 = 0,   /* first hex digit of a size */
    SIO__CK_SIZE,        /* more hex digits */
    SIO__CK_SIZE_WS,     /* BWS after the digits */
    SIO__CK_EXT,         /* ";name=value..." up to CR */
    SIO__CK_SIZE_LF,     /* LF of the size line */
    SIO__CK_DATA,
    SIO__CK_DATA_CR,
    SIO__CK_DATA_LF,
    SIO__CK_TRAILER,     /* start of a trailer line (or the final CRLF) */
    SIO__CK_TRAILER_LINE,
    SIO__CK_TRAILER_LF,
    SIO__CK_END_LF,      /* LF of the final empty line */
    SIO__CK_DONE,
    SIO__CK_ERR_PARSE,
    SIO__CK_ERR_BIG
};

SIO_API int sio_http_chunked_decode(sio_http_chunked *st, char *buf, size_t len, size_t *consumed, size_t *out_len) {
    size_t r = 0, w = 0;
    int rc = 0;
    while (r < len && rc == 0) {
        unsigned char c = (unsigned char)buf[r];
        int hv;
        switch (st->state) {
        case SIO__CK_SIZE0:
        case SIO__CK_SIZE:
            hv = sio__http_hexval(c);
            if (hv >= 0) {
                if (st->remaining > ((unsigned long long)-1 >> 4)) { st->state = SIO__CK_ERR_BIG; break; }
                st->remaining = st->remaining * 16 + (unsigned)hv;
                st->state = SIO__CK_SIZE;
            } else if (st->state == SIO__CK_SIZE0) {
                st->state = SIO__CK_ERR_PARSE;
                break;
            } else if (c == ' ' || c == '\t') {
                st->state = SIO__CK_SIZE_WS;
            } else if (c == ';') {
                st->state = SIO__CK_EXT;
            } else if (c == '\r') {
                st->state = SIO__CK_SIZE_LF;
            } else {
                st->state = SIO__CK_ERR_PARSE;
                break;
            }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_SIZE_WS:
            if (c == ';') st->state = SIO__CK_EXT;
            else if (c == '\r') st->state = SIO__CK_SIZE_LF;
            else if (c != ' ' && c != '\t') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_EXT:
            /* Extensions carry nothing we use; skip them, minding CTLs. */
            if (c == '\r') st->state = SIO__CK_SIZE_LF;
            else if (!sio__http_is_vchar(c)) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_SIZE_LF:
            if (c != '\n') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len = 0;
            st->state = st->remaining ? SIO__CK_DATA : SIO__CK_TRAILER;
            break;
        case SIO__CK_DATA: {
            size_t n = len - r;
            if ((unsigned long long)n > st->remaining) n = (size_t)st->remaining;
            if (w != r) memmove(buf + w, buf + r, n);
            w += n;
            r += n;
            st->remaining -= n;
            if (!st->remaining) st->state = SIO__CK_DATA_CR;
            break;
        }
        case SIO__CK_DATA_CR:
        case SIO__CK_DATA_LF:
            if (c != (st->state == SIO__CK_DATA_CR ? '\r' : '\n')) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->state = st->state == SIO__CK_DATA_CR ? SIO__CK_DATA_LF : SIO__CK_SIZE0;
            break;
        case SIO__CK_TRAILER:
            if (c == '\r') st->state = SIO__CK_END_LF;
            else if (sio__http_is_tchar(c)) st->state = SIO__CK_TRAILER_LINE;
            else { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_TRAILER_LINE:
            /* Trailer fields are checked for CTLs and dropped: nothing in
               Socket.IO sends them and merging them into the head would
               need storage the caller did not give us. */
            if (c == '\r') st->state = SIO__CK_TRAILER_LF;
            else if (!sio__http_is_vchar(c)) { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            break;
        case SIO__CK_TRAILER_LF:
        case SIO__CK_END_LF:
            if (c != '\n') { st->state = SIO__CK_ERR_PARSE; break; }
            r++;
            st->ext_len++;
            st->state = st->state == SIO__CK_END_LF ? SIO__CK_DONE : SIO__CK_TRAILER;
            break;
        default:
            break;
        }
        if (st->ext_len > SIO_HTTP_MAX_CHUNK_LINE && st->state < SIO__CK_DONE) st->state = SIO__CK_ERR_BIG;
        if (st->state >= SIO__CK_DONE) rc = 1;
    }
    if (consumed) *consumed = r;
    if (out_len) *out_len = w;
    if (st->state == SIO__CK_DONE) return 1;
    if (st->state == SIO__CK_ERR_PARSE) return SIO_ERR_PARSE;
    if (st->state == SIO__CK_ERR_BIG) return SIO_ERR_TOO_BIG;
    return 0;
}

/* >>http-writer */

SIO_API const char *sio_http_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: break;
    }
    switch (status / 100) {
    case 1: return "Informational";
    case 2: return "Success";
    case 3: return "Redirection";
    case 4: return "Client Error";
    case 5: return "Server Error";
    default: return "Unknown";
    }
}

/* extra_headers must be whole "Name: value\r\n" lines: a bare CR or LF, a
   missing final CRLF or an empty line would corrupt or end the head. */
static int sio__http_headers_block_ok(const char *h) {
    size_t i, line_start = 0;
    for (i = 0; h[i]; i++) {
        if (h[i] == '\r') {
            if (h[i + 1] != '\n' || i == line_start) return 0;
            i++;
            line_start = i + 1;
        } else if (h[i] == '\n') {
            return 0;
        }
    }
    return i == line_start;
}

SIO_API int sio_http_write_head(sio_buf *b, int status, const char *content_type, long long body_len, const char *extra_headers) {
    size_t start;
    if (!b || status < 100 || status > 999) return SIO_ERR_INVALID;
    if (content_type && strpbrk(content_type, "\r\n")) return SIO_ERR_INVALID;
    if (extra_headers && !sio__http_headers_block_ok(extra_headers)) return SIO_ERR_INVALID;
    start = b->len;
    sio_buf_appends(b, "HTTP/1.1 ");
    sio_buf_appendu(b, (unsigned long long)status);
    sio_buf_appendc(b, ' ');
    sio_buf_appends(b, sio_http_reason(status));
    sio_buf_appends(b, "\r\n");
    if (content_type) {
        sio_buf_appends(b, "Content-Type: ");
        sio_buf_appends(b, content_type);
        sio_buf_appends(b, "\r\n");
    }
    if (body_len >= 0) {
        sio_buf_appends(b, "Content-Length: ");
        sio_buf_appendu(b, (unsigned long long)body_len);
        sio_buf_appends(b, "\r\n");
    }
    if (extra_headers) sio_buf_appends(b, extra_headers);
    sio_buf_appends(b, "\r\n");
    if (b->err) b->len = start; /* no half-written head on failure */
    return b->err;
}
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

static int sio__ws_fail(sio_ws_reader *r, int close_code, const char *why) {
    r->error_code = close_code;
    r->error_text = why;
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
    unsigned char m[8];
    uint64_t mw, w;
    size_t i;
    /* The key repeats every 4 bytes, so 8 bytes of it line up with every
       8-byte step: a client's whole message is unmasked a word at a time. */
    for (i = 0; i < 8; i++) m[i] = mask4[(offset + i) & 3];
    memcpy(&mw, m, 8);
    for (i = 0; n - i >= 8; i += 8) {
        memcpy(&w, data + i, 8);
        w ^= mw;
        memcpy(data + i, &w, 8);
    }
    for (; i < n; i++) data[i] ^= m[i & 7];
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
        if (n == 1) return sio__ws_fail(r, 1002, "a close frame with a 1-byte body");
        msg->close_code = (p[0] << 8) | p[1];
        if (!sio__ws_close_code_ok(msg->close_code)) return sio__ws_fail(r, 1002, "a close code that may not be sent");
        if (sio_utf8_check(&st, (const char *)p + 2, n - 2) != 0 || st != 0) return sio__ws_fail(r, 1007, "a close reason that is not UTF-8");
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
    if (r->error_code) return sio__ws_fail(r, r->error_code, r->error_text);
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
        if (p[0] & 0x70) return sio__ws_fail(r, 1002, "an RSV bit set (no extension was negotiated)");
        if ((op > SIO_WS_OP_BINARY && op < SIO_WS_OP_CLOSE) || op > SIO_WS_OP_PONG) return sio__ws_fail(r, 1002, "an unknown opcode");
        if (masked != (r->expect_masked != 0)) return sio__ws_fail(r, 1002, r->expect_masked ? "an unmasked frame from a client" : "a masked frame from a server");
        if (op >= SIO_WS_OP_CLOSE) {
            /* Control frames may sit between fragments but are never
               fragmented themselves and carry at most 125 bytes. */
            if (!fin || (p[1] & 0x7F) > 125) return sio__ws_fail(r, 1002, "a control frame fragmented or over 125 bytes");
        } else if (op == SIO_WS_OP_CONT) {
            if (!r->frag_opcode) return sio__ws_fail(r, 1002, "a continuation frame with no message open");
        } else if (r->frag_opcode) {
            return sio__ws_fail(r, 1002, "a new message inside a fragmented one");  /* a new message inside an open one */
        }
        lenbytes = (p[1] & 0x7F) == 126 ? 2 : (p[1] & 0x7F) == 127 ? 8 : 0;
        if (avail < 2 + lenbytes) break;
        plen = p[1] & 0x7F;
        if (lenbytes) {
            plen = 0;
            for (i = 0; i < lenbytes; i++) plen = (plen << 8) | p[2 + i];
            if (lenbytes == 8 && (plen >> 63)) return sio__ws_fail(r, 1002, "a 64-bit length with the top bit set");
            /* Non-minimal length encodings (126 + "00 05") are accepted:
               RFC 6455 says MUST for the sender but names no reaction, and
               refusing them would gain nothing. */
        }
        if (op < SIO_WS_OP_CLOSE) {
            already = op == SIO_WS_OP_CONT ? (uint64_t)r->frag.len : 0;
            if (plen > max - already) return sio__ws_fail(r, 1009, "a message over max_message");
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
                if (sio_utf8_check(&st, (const char *)payload, n) != 0 || st != 0) return sio__ws_fail(r, 1007, "a text message that is not UTF-8");
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
            return sio__ws_fail(r, 1007, "a text fragment that is not UTF-8");
        if (sio_buf_append(&r->frag, payload, n) != SIO_OK)
            return sio__ws_fail(r, r->frag.err == SIO_ERR_NOMEM ? 1011 : 1009, r->frag.err == SIO_ERR_NOMEM ? "out of memory" : "a message over max_message");
        if (fin) {
            if (r->frag_opcode == SIO_WS_OP_TEXT && r->utf8_state != 0) return sio__ws_fail(r, 1007, "a text message that ends inside a UTF-8 character");
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
    r->error_text = NULL;
}
#ifdef SIO_TLS_BEARSSL
#include <bearssl.h>
#endif
#ifdef SIO_TLS_BEARSSL
/* =====================================================================
   >>tls: TLS 1.2 through BearSSL, as an engine on memory buffers
   No sockets here: like an OpenSSL memory BIO, the engine takes the
   ciphertext the loop received (sio__tls_want_in/got_in), gives back the
   ciphertext to send (sio__tls_have_out/sent_out), and in between turns
   plaintext into records and back (sio__tls_write/read). BearSSL never
   allocates, so every context and the record buffer come from here.

   A sio__tls_ctx holds what is shared by all connections of one server
   or client (decoded certificate chain, private key, trust anchors); it
   must outlive every sio__tls made from it because BearSSL keeps
   pointers into it. A sio__tls is one connection: the BearSSL server or
   client context, its X.509 validator and the record buffer.

   Only TLS 1.2 is offered (BearSSL stops there; TLS 1.0/1.1 are
   deprecated by RFC 8996) and renegotiation is refused, so once the
   handshake is over nothing but application data and alerts flow.
   ===================================================================== */
#include <dirent.h>
#include <sys/stat.h>

#ifndef SIO_TLS_DEFAULT_CA
#define SIO_TLS_DEFAULT_CA "/etc/ssl/certs/ca-certificates.crt"
#endif

/* Full duplex costs one more 16 KiB record buffer per connection, but
   half duplex cannot take in a record while one of its own is unsent,
   nor write while a received record is unread: when both ends of a
   WebSocket push at once and both sockets fill, neither drains, and the
   connection stalls for good. Hence full duplex by default. */
#define SIO__TLS_IOBUF_SIZE ((size_t)(SIO_TLS_BIDI ? BR_SSL_BUFSIZE_BIDI : BR_SSL_BUFSIZE_MONO))

typedef struct sio__tls_ctx sio__tls_ctx;
typedef struct sio__tls sio__tls;

struct sio__tls_ctx {
    sio_allocator alloc;          /* a copy: the caller's may be a temporary */
    int server;
    int insecure;                 /* client: accept any chain */
    br_x509_certificate chain[SIO_TLS_MAX_CHAIN];
    size_t chain_len;
    int key_type;                 /* 0 (none), BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
    unsigned issuer_key_type;     /* key type of the CA that signed our leaf */
    br_rsa_private_key rsa;
    br_ec_private_key ec;
    unsigned char *key_mem;       /* the bytes rsa / ec point into */
    size_t key_mem_len;
    br_x509_trust_anchor *tas;    /* each dn.data is one block holding dn + key */
    size_t ntas, tas_cap;
};

/* The "accept anything" validator of insecure_skip_verify. It still has
   to decode the leaf: the key exchange needs the server's public key
   (ECDHE signatures are checked with it, RSA key exchange encrypts to
   it), so skipping verification means skipping trust, not decoding. */
typedef struct sio__tls_noverify {
    const br_x509_class *vtable;
    br_x509_decoder_context dc;
    unsigned ncerts;
} sio__tls_noverify;

struct sio__tls {
    sio__tls_ctx *ctx;
    br_ssl_engine_context *eng;   /* inside u */
    union { br_ssl_server_context s; br_ssl_client_context c; } u;
    union { br_x509_minimal_context min; sio__tls_noverify nv; } x;
    unsigned char *iobuf;
    int opened;                   /* the handshake completed once */
    char msg[96];                 /* alert phrases are composed here */
};

/* ---- error words ---------------------------------------------------- */

static const char *sio__tls_alert_text(int alert) {
    switch (alert) {
    case 0: return "close notify";
    case 10: return "unexpected message";
    case 20: return "bad record MAC";
    case 21: return "decryption failed";
    case 22: return "record overflow";
    case 30: return "decompression failure";
    case 40: return "handshake failure (no common cipher suite or parameters)";
    case 41: return "no certificate";
    case 42: return "bad certificate";
    case 43: return "unsupported certificate";
    case 44: return "certificate revoked";
    case 45: return "certificate expired";
    case 46: return "certificate unknown";
    case 47: return "illegal parameter";
    case 48: return "unknown CA";
    case 49: return "access denied";
    case 50: return "decode error";
    case 51: return "decrypt error";
    case 70: return "protocol version not supported";
    case 71: return "insufficient security";
    case 80: return "internal error";
    case 86: return "inappropriate fallback";
    case 90: return "user canceled";
    case 100: return "no renegotiation";
    case 109: return "missing extension";
    case 110: return "unsupported extension";
    case 112: return "unrecognized server name";
    case 116: return "certificate required";
    case 120: return "no application protocol";
    default: return "unknown alert";
    }
}

static const char *sio__tls_err_text(int err) {
    switch (err) {
    case BR_ERR_OK: return "no error";
    case BR_ERR_BAD_PARAM: return "bad parameter";
    case BR_ERR_BAD_STATE: return "bad engine state";
    case BR_ERR_UNSUPPORTED_VERSION: return "unsupported protocol version (not TLS 1.2, or not TLS)";
    case BR_ERR_BAD_VERSION: return "record version mismatch";
    case BR_ERR_BAD_LENGTH: return "bad record length";
    case BR_ERR_TOO_LARGE: return "record too large";
    case BR_ERR_BAD_MAC: return "bad record MAC (corrupted or forged data)";
    case BR_ERR_NO_RANDOM: return "no random source";
    case BR_ERR_UNKNOWN_TYPE: return "unknown record type (not TLS?)";
    case BR_ERR_UNEXPECTED: return "unexpected message";
    case BR_ERR_BAD_CCS: return "bad ChangeCipherSpec";
    case BR_ERR_BAD_ALERT: return "bad alert";
    case BR_ERR_BAD_HANDSHAKE: return "malformed handshake message";
    case BR_ERR_OVERSIZED_ID: return "oversized session id";
    case BR_ERR_BAD_CIPHER_SUITE: return "no common cipher suite";
    case BR_ERR_BAD_COMPRESSION: return "unsupported compression";
    case BR_ERR_BAD_FRAGLEN: return "bad max fragment length";
    case BR_ERR_BAD_SECRENEG: return "secure renegotiation failure";
    case BR_ERR_EXTRA_EXTENSION: return "unexpected extension";
    case BR_ERR_BAD_SNI: return "bad server name (SNI)";
    case BR_ERR_BAD_HELLO_DONE: return "bad ServerHelloDone";
    case BR_ERR_LIMIT_EXCEEDED: return "handshake limit exceeded";
    case BR_ERR_BAD_FINISHED: return "bad Finished (handshake tampered with)";
    case BR_ERR_RESUME_MISMATCH: return "session resumption mismatch";
    case BR_ERR_INVALID_ALGORITHM: return "unsupported algorithm";
    case BR_ERR_BAD_SIGNATURE: return "bad handshake signature";
    case BR_ERR_WRONG_KEY_USAGE: return "key usage forbids this use";
    case BR_ERR_NO_CLIENT_AUTH: return "client certificate required";
    case BR_ERR_IO: return "I/O error";
    case BR_ERR_X509_INVALID_VALUE: return "certificate: invalid value";
    case BR_ERR_X509_TRUNCATED: return "certificate: truncated";
    case BR_ERR_X509_EMPTY_CHAIN: return "no certificate sent";
    case BR_ERR_X509_INNER_TRUNC: return "certificate: inner element truncated";
    case BR_ERR_X509_BAD_TAG_CLASS: return "certificate: bad ASN.1 tag class";
    case BR_ERR_X509_BAD_TAG_VALUE: return "certificate: bad ASN.1 tag";
    case BR_ERR_X509_INDEFINITE_LENGTH: return "certificate: indefinite length";
    case BR_ERR_X509_EXTRA_ELEMENT: return "certificate: extra element";
    case BR_ERR_X509_UNEXPECTED: return "certificate: unexpected element";
    case BR_ERR_X509_NOT_CONSTRUCTED: return "certificate: expected constructed element";
    case BR_ERR_X509_NOT_PRIMITIVE: return "certificate: expected primitive element";
    case BR_ERR_X509_PARTIAL_BYTE: return "certificate: partial byte in BIT STRING";
    case BR_ERR_X509_BAD_BOOLEAN: return "certificate: bad BOOLEAN";
    case BR_ERR_X509_OVERFLOW: return "certificate: value overflow";
    case BR_ERR_X509_BAD_DN: return "certificate: bad distinguished name";
    case BR_ERR_X509_BAD_TIME: return "certificate: bad validity date";
    case BR_ERR_X509_UNSUPPORTED: return "certificate: unsupported feature";
    case BR_ERR_X509_LIMIT_EXCEEDED: return "certificate: too large or chain too long";
    case BR_ERR_X509_WRONG_KEY_TYPE: return "certificate: wrong key type";
    case BR_ERR_X509_BAD_SIGNATURE: return "certificate: bad signature";
    case BR_ERR_X509_TIME_UNKNOWN: return "certificate: current time unknown";
    case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid";
    case BR_ERR_X509_DN_MISMATCH: return "certificate: issuer name mismatch in chain";
    case BR_ERR_X509_BAD_SERVER_NAME: return "certificate does not match the server name";
    case BR_ERR_X509_CRITICAL_EXTENSION: return "certificate: unsupported critical extension";
    case BR_ERR_X509_NOT_CA: return "certificate: issuer is not a CA";
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE: return "certificate: key usage forbids this use";
    case BR_ERR_X509_WEAK_PUBLIC_KEY: return "certificate: public key too weak";
    case BR_ERR_X509_NOT_TRUSTED: return "certificate not trusted (unknown CA or self-signed)";
    default: return "unknown TLS error";
    }
}

/* ---- loading PEM ---------------------------------------------------- */

typedef int (*sio__tls_pem_fn)(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len);

static void sio__tls_buf_sink(void *buf, const void *data, size_t len) {
    sio_buf_append((sio_buf *)buf, data, len);
}

static void sio__tls_wipe(void *p, size_t n) {
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
}

typedef struct sio__tls_pem {
    br_pem_decoder_context pc;
    sio_buf der;
    char name[64];
    int inobj;
} sio__tls_pem;

static int sio__tls_pem_push(sio__tls_ctx *c, sio__tls_pem *st, const char *text, size_t len, sio__tls_pem_fn fn) {
    const unsigned char *p = (const unsigned char *)text;
    int rc = SIO_OK;
    while (len > 0 && rc == SIO_OK) {
        size_t n = br_pem_decoder_push(&st->pc, p, len);
        int ev = br_pem_decoder_event(&st->pc);
        p += n;
        len -= n;
        if (ev == BR_PEM_BEGIN_OBJ) {
            const char *nm = br_pem_decoder_name(&st->pc);
            size_t k = strlen(nm);
            if (k >= sizeof st->name) k = sizeof st->name - 1;
            memcpy(st->name, nm, k);
            st->name[k] = '\0';
            sio_buf_reset(&st->der);
            br_pem_decoder_setdest(&st->pc, sio__tls_buf_sink, &st->der);
            st->inobj = 1;
        } else if (ev == BR_PEM_END_OBJ) {
            st->inobj = 0;
            if (st->der.err) rc = st->der.err;
            else rc = fn(c, st->name, (const unsigned char *)st->der.data, st->der.len);
        } else if (ev == BR_PEM_ERROR) {
            rc = SIO_ERR_PARSE;
        } else if (n == 0) {
            break; /* cannot happen by BearSSL's contract; never spin */
        }
    }
    return rc;
}

/* Calls fn for every object in a PEM text. BearSSL's decoder takes only
   "\n" line ends ("-----END CERTIFICATE-----\r\n" is an error to it), so
   carriage returns are left out, and it wants the END line terminated,
   so a final "\n" is pushed in case the text lacks one. An object still
   open at the end means a truncated file. */
static int sio__tls_pem_each(sio__tls_ctx *c, const char *pem, size_t len, sio__tls_pem_fn fn) {
    sio__tls_pem st;
    const char *end = pem + len;
    int rc = SIO_OK;
    memset(&st, 0, sizeof st);
    st.der.alloc = &c->alloc;
    st.der.max = SIO_TLS_MAX_PEM_BYTES;
    br_pem_decoder_init(&st.pc);
    while (pem < end && rc == SIO_OK) {
        const char *cr = (const char *)memchr(pem, '\r', (size_t)(end - pem));
        size_t seg = cr ? (size_t)(cr - pem) : (size_t)(end - pem);
        rc = sio__tls_pem_push(c, &st, pem, seg, fn);
        pem += seg + (cr ? 1 : 0);
    }
    if (rc == SIO_OK) rc = sio__tls_pem_push(c, &st, "\n", 1, fn);
    if (rc == SIO_OK && st.inobj) rc = SIO_ERR_PARSE;
    if (st.der.data) sio__tls_wipe(st.der.data, st.der.cap); /* may have held a private key */
    sio_buf_free(&st.der);
    return rc;
}

static int sio__tls_read_file(const sio_allocator *a, const char *path, sio_buf *out) {
    FILE *f = fopen(path, "rb");
    int rc = SIO_OK;
    memset(out, 0, sizeof *out);
    out->alloc = a;
    out->max = SIO_TLS_MAX_PEM_BYTES;
    if (!f) return SIO_ERR_NOT_FOUND;
    for (;;) {
        size_t room = out->max - out->len, n;
        if (room == 0) {
            if (fgetc(f) != EOF) rc = SIO_ERR_TOO_BIG;
            break;
        }
        if ((rc = sio_buf_reserve(out, room < 4096 ? room : 4096)) != SIO_OK) break;
        n = fread(out->data + out->len, 1, out->cap - out->len, f);
        out->len += n;
        if (n == 0) {
            if (ferror(f)) rc = SIO_ERR_IO;
            break;
        }
    }
    fclose(f);
    if (rc != SIO_OK) sio_buf_free(out);
    return rc;
}

static int sio__tls_is_cert(const char *name) {
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

static int sio__tls_on_chain(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    unsigned char *copy;
    if (!sio__tls_is_cert(name)) return SIO_OK; /* a key in the same file, say */
    if (c->chain_len == SIO_TLS_MAX_CHAIN) return SIO_ERR_TOO_BIG;
    if (len == 0) return SIO_ERR_PARSE;
    copy = (unsigned char *)sio__malloc(&c->alloc, len);
    if (!copy) return SIO_ERR_NOMEM;
    memcpy(copy, der, len);
    c->chain[c->chain_len].data = copy;
    c->chain[c->chain_len].data_len = len;
    c->chain_len++;
    return SIO_OK;
}

/* The skey decoder's result points into the decoder; copy it into one
   block of our own so the decoder (on the stack) can go. */
static int sio__tls_on_key(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    br_skey_decoder_context kd;
    int rc = SIO_OK;
    if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) return SIO_ERR_UNSUPPORTED;
    if (strcmp(name, "RSA PRIVATE KEY") != 0 && strcmp(name, "EC PRIVATE KEY") != 0 &&
        strcmp(name, "PRIVATE KEY") != 0)
        return SIO_OK; /* "EC PARAMETERS" (openssl ecparam -genkey) and certificates */
    if (c->key_type) return SIO_ERR_INVALID; /* two keys: which one? */
    br_skey_decoder_init(&kd);
    br_skey_decoder_push(&kd, der, len);
    if (br_skey_decoder_last_error(&kd) != 0) {
        rc = SIO_ERR_PARSE;
    } else if (br_skey_decoder_key_type(&kd) == BR_KEYTYPE_RSA) {
        const br_rsa_private_key *k = br_skey_decoder_get_rsa(&kd);
        size_t total = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
        unsigned char *m = (unsigned char *)sio__malloc(&c->alloc, total);
        if (!m) {
            rc = SIO_ERR_NOMEM;
        } else {
            c->rsa.n_bitlen = k->n_bitlen;
            c->rsa.p = m;  memcpy(m, k->p, k->plen);   c->rsa.plen = k->plen;   m += k->plen;
            c->rsa.q = m;  memcpy(m, k->q, k->qlen);   c->rsa.qlen = k->qlen;   m += k->qlen;
            c->rsa.dp = m; memcpy(m, k->dp, k->dplen); c->rsa.dplen = k->dplen; m += k->dplen;
            c->rsa.dq = m; memcpy(m, k->dq, k->dqlen); c->rsa.dqlen = k->dqlen; m += k->dqlen;
            c->rsa.iq = m; memcpy(m, k->iq, k->iqlen); c->rsa.iqlen = k->iqlen;
            c->key_mem = c->rsa.p;
            c->key_mem_len = total;
            c->key_type = BR_KEYTYPE_RSA;
        }
    } else if (br_skey_decoder_key_type(&kd) == BR_KEYTYPE_EC) {
        const br_ec_private_key *k = br_skey_decoder_get_ec(&kd);
        unsigned char *m = (unsigned char *)sio__malloc(&c->alloc, k->xlen ? k->xlen : 1);
        if (!m) {
            rc = SIO_ERR_NOMEM;
        } else {
            memcpy(m, k->x, k->xlen);
            c->ec.curve = k->curve;
            c->ec.x = m;
            c->ec.xlen = k->xlen;
            c->key_mem = m;
            c->key_mem_len = k->xlen;
            c->key_type = BR_KEYTYPE_EC;
        }
    } else {
        rc = SIO_ERR_UNSUPPORTED;
    }
    sio__tls_wipe(&kd, sizeof kd);
    return rc;
}

/* A trust anchor is a CA's name and public key. Certificates BearSSL
   cannot decode (Ed25519 keys, say, in the system bundle) are skipped
   rather than failing the whole bundle; a CA with the basic-constraints
   CA flag off is still usable, as a directly trusted end-entity key. */
static int sio__tls_on_anchor(sio__tls_ctx *c, const char *name, const unsigned char *der, size_t len) {
    br_x509_decoder_context dc;
    br_x509_pkey *pk;
    br_x509_trust_anchor *ta;
    sio_buf dn;
    size_t klen;
    unsigned char *m;
    if (!sio__tls_is_cert(name)) return SIO_OK;
    memset(&dn, 0, sizeof dn);
    dn.alloc = &c->alloc;
    dn.max = 65536;
    br_x509_decoder_init(&dc, sio__tls_buf_sink, &dn);
    br_x509_decoder_push(&dc, der, len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk || dn.err) {
        int rc = dn.err == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_OK;
        sio_buf_free(&dn);
        return rc;
    }
    if (c->ntas == c->tas_cap) {
        size_t cap = c->tas_cap ? c->tas_cap * 2 : 16;
        br_x509_trust_anchor *p;
        if (c->ntas >= SIO_TLS_MAX_ANCHORS) { sio_buf_free(&dn); return SIO_ERR_TOO_BIG; }
        if (cap > SIO_TLS_MAX_ANCHORS) cap = SIO_TLS_MAX_ANCHORS;
        p = (br_x509_trust_anchor *)sio__realloc(&c->alloc, c->tas, cap * sizeof *p);
        if (!p) { sio_buf_free(&dn); return SIO_ERR_NOMEM; }
        c->tas = p;
        c->tas_cap = cap;
    }
    klen = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen + pk->key.rsa.elen : pk->key.ec.qlen;
    m = (unsigned char *)sio__malloc(&c->alloc, dn.len + klen + 1);
    if (!m) { sio_buf_free(&dn); return SIO_ERR_NOMEM; }
    ta = &c->tas[c->ntas++];
    memset(ta, 0, sizeof *ta);
    if (dn.len) memcpy(m, dn.data, dn.len);
    ta->dn.data = m;
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    m += dn.len;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        memcpy(m, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.n = m;
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        m += pk->key.rsa.nlen;
        memcpy(m, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.e = m;
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        memcpy(m, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = m;
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    sio_buf_free(&dn);
    return SIO_OK;
}

static void sio__tls_seterr(char *err, size_t errlen, const char *what, const char *src, const char *why) {
    if (err && errlen) snprintf(err, errlen, "%s%s%s: %s", what, src ? " " : "", src ? src : "", why);
}

/* Loads one PEM source: a file when path is given, else the string. */
static int sio__tls_load(sio__tls_ctx *c, const char *path, const char *pem, sio__tls_pem_fn fn) {
    sio_buf b;
    int rc;
    if (!path) return sio__tls_pem_each(c, pem, strlen(pem), fn);
    if ((rc = sio__tls_read_file(&c->alloc, path, &b)) != SIO_OK) return rc;
    rc = sio__tls_pem_each(c, b.data ? b.data : "", b.len, fn);
    if (b.data) sio__tls_wipe(b.data, b.cap);
    sio_buf_free(&b);
    return rc;
}

/* A CA directory like /etc/ssl/certs: every *.pem and *.crt in it. A file
   that cannot be read or parsed is skipped, as the hash links and stray
   files such directories hold would otherwise fail the whole load. */
static int sio__tls_load_ca_dir(sio__tls_ctx *c, const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    sio_buf path;
    int rc = SIO_OK;
    if (!d) return SIO_ERR_NOT_FOUND;
    memset(&path, 0, sizeof path);
    path.alloc = &c->alloc;
    while (rc == SIO_OK && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        int r;
        if (n < 5 || (strcmp(e->d_name + n - 4, ".pem") != 0 && strcmp(e->d_name + n - 4, ".crt") != 0))
            continue;
        sio_buf_reset(&path);
        sio_buf_appends(&path, dir);
        sio_buf_appendc(&path, '/');
        sio_buf_append(&path, e->d_name, n + 1);
        if (path.err) { rc = path.err; break; }
        r = sio__tls_load(c, path.data, NULL, sio__tls_on_anchor);
        if (r == SIO_ERR_NOMEM || r == SIO_ERR_TOO_BIG) rc = r;
    }
    closedir(d);
    sio_buf_free(&path);
    return rc;
}

static int sio__tls_load_ca(sio__tls_ctx *c, const sio_tls_config *cfg, char *err, size_t errlen) {
    const char *path = cfg->ca_file;
    struct stat st;
    int rc;
    if (!path && !cfg->ca_pem) path = SIO_TLS_DEFAULT_CA;
    if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) rc = sio__tls_load_ca_dir(c, path);
    else rc = sio__tls_load(c, path, cfg->ca_pem, sio__tls_on_anchor);
    if (rc == SIO_OK && c->ntas == 0) {
        sio__tls_seterr(err, errlen, "CA", path ? path : "(ca_pem)", "no usable CA certificate");
        return SIO_ERR_PARSE;
    }
    if (rc != SIO_OK) sio__tls_seterr(err, errlen, "CA", path ? path : "(ca_pem)", sio_strerror(rc));
    return rc;
}

static SIO__UNUSED void sio__tls_ctx_free(sio__tls_ctx *c) {
    size_t i;
    if (!c) return;
    for (i = 0; i < c->chain_len; i++) sio__free(&c->alloc, c->chain[i].data);
    for (i = 0; i < c->ntas; i++) sio__free(&c->alloc, c->tas[i].dn.data);
    sio__free(&c->alloc, c->tas);
    if (c->key_mem) {
        sio__tls_wipe(c->key_mem, c->key_mem_len);
        sio__free(&c->alloc, c->key_mem);
    }
    {
        sio_allocator a = c->alloc;
        sio__tls_wipe(c, sizeof *c);
        sio__free(&a, c);
    }
}

/* Our certificate and key: loaded, and checked to be of one type, so a
   mismatch is reported at start-up rather than as a failed handshake.
   The issuer's key type matters to BearSSL's static-ECDH suites. */
static int sio__tls_load_identity(sio__tls_ctx *c, const sio_tls_config *cfg, char *err, size_t errlen) {
    const char *src;
    br_x509_decoder_context dc;
    br_x509_pkey *pk;
    int rc;
    src = cfg->cert_file ? cfg->cert_file : "(cert_pem)";
    rc = sio__tls_load(c, cfg->cert_file, cfg->cert_pem, sio__tls_on_chain);
    if (rc == SIO_OK && c->chain_len == 0) rc = SIO_ERR_PARSE;
    if (rc != SIO_OK) {
        sio__tls_seterr(err, errlen, "certificate", src,
                        rc == SIO_ERR_PARSE ? "no PEM certificate found" : sio_strerror(rc));
        return rc;
    }
    src = cfg->key_file ? cfg->key_file : "(key_pem)";
    rc = sio__tls_load(c, cfg->key_file, cfg->key_pem, sio__tls_on_key);
    if (rc == SIO_OK && !c->key_type) rc = SIO_ERR_PARSE;
    if (rc != SIO_OK) {
        sio__tls_seterr(err, errlen, "private key", src,
                        rc == SIO_ERR_PARSE ? "no RSA or EC private key found" :
                        rc == SIO_ERR_UNSUPPORTED ? "encrypted or unsupported key type" :
                        rc == SIO_ERR_INVALID ? "more than one private key" : sio_strerror(rc));
        return rc;
    }
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (!pk) {
        sio__tls_seterr(err, errlen, "certificate", cfg->cert_file ? cfg->cert_file : "(cert_pem)",
                        sio__tls_err_text(br_x509_decoder_last_error(&dc)));
        return SIO_ERR_PARSE;
    }
    if (pk->key_type != c->key_type) {
        sio__tls_seterr(err, errlen, "private key", src, "not of the certificate's key type (RSA vs EC)");
        return SIO_ERR_INVALID;
    }
    c->issuer_key_type = (unsigned)br_x509_decoder_get_signer_key_type(&dc);
    if (!c->issuer_key_type) c->issuer_key_type = (unsigned)c->key_type;
    return SIO_OK;
}

static SIO__UNUSED int sio__tls_ctx_new(const sio_allocator *a, const sio_tls_config *cfg, int server,
                            sio__tls_ctx **out, char *err, size_t errlen) {
    sio__tls_ctx *c;
    int rc = SIO_OK, has_cert, has_key;
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    if (!cfg) return SIO_ERR_INVALID;
    has_cert = cfg->cert_file || cfg->cert_pem;
    has_key = cfg->key_file || cfg->key_pem;
    if (server && !has_cert) {
        sio__tls_seterr(err, errlen, "TLS server", NULL, "needs cert_file or cert_pem");
        return SIO_ERR_INVALID;
    }
    if (has_cert != has_key) {
        sio__tls_seterr(err, errlen, "TLS", NULL, "certificate and private key go together");
        return SIO_ERR_INVALID;
    }
    c = (sio__tls_ctx *)sio__malloc(a, sizeof *c);
    if (!c) return SIO_ERR_NOMEM;
    memset(c, 0, sizeof *c);
    if (a) c->alloc = *a;
    c->server = server;
    c->insecure = !server && cfg->insecure_skip_verify;
    if (has_cert) rc = sio__tls_load_identity(c, cfg, err, errlen);
    /* A client verifies unless told not to; a server asks clients for
       certificates only when given CAs for them. */
    if (rc == SIO_OK && (server ? (cfg->ca_file || cfg->ca_pem) : !c->insecure))
        rc = sio__tls_load_ca(c, cfg, err, errlen);
    if (rc != SIO_OK) {
        sio__tls_ctx_free(c);
        return rc;
    }
    *out = c;
    return SIO_OK;
}

/* ---- the insecure validator ----------------------------------------- */

static void sio__tls_nv_start_chain(const br_x509_class **ctx, const char *server_name) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    (void)server_name;
    nv->ncerts = 0;
    br_x509_decoder_init(&nv->dc, NULL, NULL);
}
static void sio__tls_nv_start_cert(const br_x509_class **ctx, uint32_t length) {
    (void)ctx;
    (void)length;
}
static void sio__tls_nv_append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    if (nv->ncerts == 0) br_x509_decoder_push(&nv->dc, buf, len);
}
static void sio__tls_nv_end_cert(const br_x509_class **ctx) {
    ((sio__tls_noverify *)(void *)ctx)->ncerts++;
}
static unsigned sio__tls_nv_end_chain(const br_x509_class **ctx) {
    sio__tls_noverify *nv = (sio__tls_noverify *)(void *)ctx;
    if (nv->ncerts == 0) return BR_ERR_X509_EMPTY_CHAIN;
    return (unsigned)br_x509_decoder_last_error(&nv->dc);
}
static const br_x509_pkey *sio__tls_nv_get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
    sio__tls_noverify *nv = (sio__tls_noverify *)ctx;
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&nv->dc);
}
static const br_x509_class sio__tls_noverify_vtable = {
    sizeof(sio__tls_noverify),
    sio__tls_nv_start_chain, sio__tls_nv_start_cert, sio__tls_nv_append,
    sio__tls_nv_end_cert, sio__tls_nv_end_chain, sio__tls_nv_get_pkey
};

/* ---- one connection ------------------------------------------------- */

static SIO__UNUSED void sio__tls_free(sio__tls *t) {
    sio_allocator a;
    if (!t) return;
    a = t->ctx->alloc;
    sio__free(&a, t->iobuf);
    sio__tls_wipe(t, sizeof *t); /* the engine holds session keys */
    sio__free(&a, t);
}

/* server_name: on a client, sent as SNI and checked against the
   certificate; required unless the context is insecure. Must be a DNS
   name: BearSSL matches it against the certificate's DNS names only, so
   an IP address works only if the certificate lists it as a DNS name.
   NULL on a server. Returns NULL on allocation failure or bad use. */
static SIO__UNUSED sio__tls *sio__tls_new(sio__tls_ctx *ctx, const char *server_name) {
    sio__tls *t;
    const sio_allocator *a = &ctx->alloc;
    int ok;
    if (!ctx->server && !ctx->insecure && (!server_name || !*server_name)) return NULL;
    t = (sio__tls *)sio__malloc(a, sizeof *t);
    if (!t) return NULL;
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->iobuf = (unsigned char *)sio__malloc(a, SIO__TLS_IOBUF_SIZE);
    if (!t->iobuf) { sio__free(a, t); return NULL; }
    if (ctx->server) {
        br_ssl_server_context *s = &t->u.s;
        if (ctx->key_type == BR_KEYTYPE_RSA)
            br_ssl_server_init_full_rsa(s, ctx->chain, ctx->chain_len, &ctx->rsa);
        else
            br_ssl_server_init_full_ec(s, ctx->chain, ctx->chain_len, ctx->issuer_key_type, &ctx->ec);
        t->eng = &s->eng;
        if (ctx->ntas) {
            /* Client certificates: the CertificateRequest names our CAs and
               the handshake fails without a chain that validates. */
            br_x509_minimal_init_full(&t->x.min, ctx->tas, ctx->ntas);
            br_ssl_engine_set_x509(t->eng, &t->x.min.vtable);
            br_ssl_server_set_trust_anchor_names_alt(s, ctx->tas, ctx->ntas);
            br_ssl_engine_set_default_rsavrfy(t->eng);
            br_ssl_engine_set_default_ecdsa(t->eng);
        }
        br_ssl_engine_add_flags(t->eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
    } else {
        br_ssl_client_context *cl = &t->u.c;
        br_ssl_client_init_full(cl, &t->x.min, ctx->tas, ctx->ntas);
        t->eng = &cl->eng;
        if (ctx->insecure) {
            /* x.nv overlays x.min, so the engine's validator pointer (the
               union's address) now reaches the no-op vtable. */
            t->x.nv.vtable = &sio__tls_noverify_vtable;
            br_ssl_engine_set_x509(t->eng, &t->x.nv.vtable);
        }
        if (ctx->key_type == BR_KEYTYPE_RSA)
            br_ssl_client_set_single_rsa(cl, ctx->chain, ctx->chain_len, &ctx->rsa,
                                         br_rsa_pkcs1_sign_get_default());
        else if (ctx->key_type == BR_KEYTYPE_EC)
            br_ssl_client_set_single_ec(cl, ctx->chain, ctx->chain_len, &ctx->ec, BR_KEYTYPE_SIGN,
                                        ctx->issuer_key_type, br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
    }
    br_ssl_engine_set_versions(t->eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_add_flags(t->eng, BR_OPT_NO_RENEGOTIATION);
    br_ssl_engine_set_buffer(t->eng, t->iobuf, SIO__TLS_IOBUF_SIZE, SIO_TLS_BIDI);
    ok = ctx->server ? br_ssl_server_reset(&t->u.s) : br_ssl_client_reset(&t->u.c, server_name, 0);
    if (!ok) {
        sio__tls_free(t);
        return NULL;
    }
    return t;
}

/* Ciphertext in: room for exactly the rest of the record being received
   (so at most one record is ever buffered). 0 means "not now": decrypted
   data waits for sio__tls_read, or (half duplex) our own record waits to
   be sent, or the engine is closed. */
static SIO__UNUSED size_t sio__tls_want_in(sio__tls *t, unsigned char **buf) {
    size_t len = 0;
    unsigned char *p = br_ssl_engine_recvrec_buf(t->eng, &len);
    *buf = p;
    return p ? len : 0;
}

static SIO__UNUSED void sio__tls_got_in(sio__tls *t, size_t n) {
    if (n) br_ssl_engine_recvrec_ack(t->eng, n);
}

static SIO__UNUSED size_t sio__tls_have_out(sio__tls *t, const unsigned char **buf) {
    size_t len = 0;
    unsigned char *p = br_ssl_engine_sendrec_buf(t->eng, &len);
    *buf = p;
    return p ? len : 0;
}

static SIO__UNUSED void sio__tls_sent_out(sio__tls *t, size_t n) {
    if (n) br_ssl_engine_sendrec_ack(t->eng, n);
}

static SIO__UNUSED size_t sio__tls_read(sio__tls *t, unsigned char *dst, size_t cap) {
    size_t total = 0;
    while (total < cap) {
        size_t len = 0;
        unsigned char *p = br_ssl_engine_recvapp_buf(t->eng, &len);
        if (!p) break;
        if (len > cap - total) len = cap - total;
        memcpy(dst + total, p, len);
        br_ssl_engine_recvapp_ack(t->eng, len);
        total += len;
    }
    return total;
}

/* Plaintext is gathered into a record until the record is full (then it
   is sealed and queued by itself) or sio__tls_flush is called. Returns 0
   before the handshake is done and whenever the sealed record has not
   yet been taken by sio__tls_have_out/sent_out. */
static SIO__UNUSED size_t sio__tls_write(sio__tls *t, const unsigned char *src, size_t n) {
    size_t total = 0;
    while (total < n) {
        size_t len = 0;
        unsigned char *p = br_ssl_engine_sendapp_buf(t->eng, &len);
        if (!p) break;
        if (len > n - total) len = n - total;
        memcpy(p, src + total, len);
        br_ssl_engine_sendapp_ack(t->eng, len);
        total += len;
    }
    return total;
}

static SIO__UNUSED void sio__tls_flush(sio__tls *t) { br_ssl_engine_flush(t->eng, 0); }

static SIO__UNUSED int sio__tls_state(sio__tls *t) {
    unsigned st = br_ssl_engine_current_state(t->eng);
    if (st & BR_SSL_CLOSED) return -1;
    if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) t->opened = 1;
    return t->opened;
}

static SIO__UNUSED const char *sio__tls_error(sio__tls *t) {
    int e = br_ssl_engine_last_error(t->eng);
    if (e == BR_ERR_OK)
        return (br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED) ? "closed (close_notify)" : "no error";
    if (e >= BR_ERR_SEND_FATAL_ALERT) {
        snprintf(t->msg, sizeof t->msg, "sent fatal alert: %s", sio__tls_alert_text(e - BR_ERR_SEND_FATAL_ALERT));
        return t->msg;
    }
    if (e >= BR_ERR_RECV_FATAL_ALERT) {
        snprintf(t->msg, sizeof t->msg, "peer refused: %s", sio__tls_alert_text(e - BR_ERR_RECV_FATAL_ALERT));
        return t->msg;
    }
    return sio__tls_err_text(e);
}

/* The name a client asked for (SNI) on a server, "" if none; the name
   passed to sio__tls_new on a client. */
static SIO__UNUSED const char *sio__tls_server_name(sio__tls *t) {
    return br_ssl_engine_get_server_name(t->eng);
}

/* Queues a close_notify: keep sending sio__tls_have_out, then close the
   socket (waiting for the peer's close_notify is optional: the state
   turns -1 when it arrives). */
static SIO__UNUSED void sio__tls_close(sio__tls *t) { br_ssl_engine_close(t->eng); }

#endif /* SIO_TLS_BEARSSL */

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

/* Names an event may not have, either way: Node's parser refuses a packet
   carrying one (the receiving side closes the connection), so emitting
   one is refused before it is sent, as Node's emit() throws. */
static const char *const sio__reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"
};
#define SIO__N_RESERVED (sizeof sio__reserved_events / sizeof sio__reserved_events[0])

static int sio__is_reserved_event(sio_json name) {
    size_t i;
    for (i = 0; i < SIO__N_RESERVED; i++)
        if (sio_json_str_eq(name, sio__reserved_events[i])) return 1;
    return 0;
}

/* An outgoing event name: given, and not reserved. */
static int sio__event_name_ok(const char *event) {
    size_t i;
    if (!event) return 0;
    for (i = 0; i < SIO__N_RESERVED; i++)
        if (strcmp(event, sio__reserved_events[i]) == 0) return 0;
    return 1;
}

/* The parser, with what was wrong in *why (for the log). */
static int sio__packet_parse(const char *s, size_t n, sio_packet *p, const char **why) {
    size_t i = 1, digits;
    int rc;
#define SIO__BAD(text) do { *why = text; return SIO_ERR_PARSE; } while (0)
    memset(p, 0, sizeof *p);
    p->nsp.ptr = "/";
    p->nsp.len = 1;
    p->ack_id = -1;
    if (n == 0 || s[0] < '0' || s[0] > '6') SIO__BAD("no packet type 0-6");
    p->type = s[0] - '0';
    if (p->type == SIO_PKT_BINARY_EVENT || p->type == SIO_PKT_BINARY_ACK) {
        int count = 0;
        for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (digits >= 4) SIO__BAD("attachment count too long");
            count = count * 10 + (s[i] - '0');
        }
        if (digits == 0 || i >= n || s[i] != '-') SIO__BAD("no attachment count before '-'");
        if (count < 1 || count > SIO_MAX_BINARIES) SIO__BAD("attachment count over SIO_MAX_BINARIES (or 0)");
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
        if (p->nsp.len > SIO_MAX_NSP_LEN) SIO__BAD("namespace over SIO_MAX_NSP_LEN");
        if (i < n) i++;
    }
    if (i < n && s[i] >= '0' && s[i] <= '9') {
        long long id = 0;
        for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (digits >= 15) SIO__BAD("ack id over 15 digits"); /* stays below 2^53 like JS numbers */
            id = id * 10 + (s[i] - '0');
        }
        p->ack_id = id;
    }
    p->data.ptr = s + i;
    p->data.len = n - i;
    if (p->data.len && (rc = sio_json_parse(p->data.ptr, p->data.len, &p->json)) != SIO_OK)
        SIO__BAD(rc == SIO_ERR_TOO_BIG ? "JSON nested deeper than SIO_JSON_MAX_DEPTH" : "malformed JSON");
    switch (p->type) {
    case SIO_PKT_CONNECT:
        if (p->data.len && p->json.type != SIO_JSON_OBJECT) SIO__BAD("CONNECT data that is not an object");
        return SIO_OK;
    case SIO_PKT_DISCONNECT:
        if (p->data.len) SIO__BAD("DISCONNECT with data");
        return SIO_OK;
    case SIO_PKT_CONNECT_ERROR:
        if (p->json.type != SIO_JSON_OBJECT && p->json.type != SIO_JSON_STRING)
            SIO__BAD("CONNECT_ERROR data that is not an object or a string");
        return SIO_OK;
    case SIO_PKT_EVENT:
    case SIO_PKT_BINARY_EVENT: {
        sio_json name;
        if (p->json.type != SIO_JSON_ARRAY || sio_json_at(p->json, 0, &name) != SIO_OK)
            SIO__BAD("EVENT data that is not a non-empty array");
        if (name.type == SIO_JSON_NUMBER) return SIO_OK;
        if (name.type != SIO_JSON_STRING) SIO__BAD("EVENT name that is not a string");
        if (sio__is_reserved_event(name)) SIO__BAD("reserved event name");
        return SIO_OK;
    }
    default: /* ACK, BINARY_ACK */
        if (p->ack_id < 0) SIO__BAD("ACK without an id");
        if (p->json.type != SIO_JSON_ARRAY) SIO__BAD("ACK data that is not an array");
        return SIO_OK;
    }
#undef SIO__BAD
}

SIO_API int sio_packet_parse(const char *s, size_t n, sio_packet *p) {
    const char *why;
    return sio__packet_parse(s, n, p, &why);
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

/* ---- Engine.IO v3 payloads ---- */

/* UTF-16 code units in UTF-8 text: one per character, two for those
   beyond U+FFFF (4-byte sequences). */
static size_t sio__utf16_units(const char *s, size_t n) {
    size_t i, u = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) u += c >= 0xF0 ? 2 : 1;
    }
    return u;
}

/* Bytes that make `units` UTF-16 code units at s, or (size_t)-1 when the
   text ends first, the count would split a character, or the bytes are
   not UTF-8: a length counted in characters cannot be trusted over text
   whose characters cannot be told. */
static size_t sio__utf16_span(const char *s, size_t n, size_t units) {
    size_t i = 0, j;
    while (units) {
        unsigned char c;
        size_t w, k;
        if (i >= n) return (size_t)-1;
        c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80 || c >= 0xF8) return (size_t)-1;
        w = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        k = c >= 0xF0 ? 2 : 1;
        if (k > units || i + w > n) return (size_t)-1;
        for (j = 1; j < w; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80) return (size_t)-1;
        units -= k;
        i += w;
    }
    return i;
}

SIO_API int sio_eio3_payload_next(char *body, size_t len, int binary_form, size_t *pos, char **pkt, size_t *pkt_len,
                                  int *binary) {
    size_t i = *pos, n = 0, digits = 0, span;
    if (!body || i >= len) return 0;
    *binary = 0;
    if (binary_form) {
        int kind = (unsigned char)body[i++];
        if (kind > 1) return SIO_ERR_PARSE;
        for (; i < len && (unsigned char)body[i] != 0xFF; i++, digits++) {
            if ((unsigned char)body[i] > 9 || digits >= 10) return SIO_ERR_PARSE;
            n = n * 10 + (unsigned char)body[i];
        }
        if (!digits || i >= len || len - i - 1 < n) return SIO_ERR_PARSE;
        i++;
        *pos = i + n;
        if (kind == 1) {
            if (n < 1 || body[i] != 4) return SIO_ERR_PARSE;
            *binary = 1;
            *pkt = body + i + 1;
            *pkt_len = n - 1;
        } else {
            *pkt = body + i;
            *pkt_len = n;
        }
        return 1;
    }
    for (; i < len && body[i] != ':'; i++, digits++) {
        if (body[i] < '0' || body[i] > '9' || digits >= 10) return SIO_ERR_PARSE;
        n = n * 10 + (size_t)(body[i] - '0');
    }
    if (!digits || i >= len) return SIO_ERR_PARSE;
    i++;
    if ((span = sio__utf16_span(body + i, len - i, n)) == (size_t)-1) return SIO_ERR_PARSE;
    *pos = i + span;
    *pkt = body + i;
    *pkt_len = span;
    if (span && body[i] == 'b') {
        size_t out = 0;
        /* "b4<base64>": only messages travel as binary */
        if (span < 2 || body[i + 1] != '4' ||
            sio_base64_decode(body + i + 2, span - 2, (unsigned char *)body + i, span, &out) != SIO_OK)
            return SIO_ERR_PARSE;
        *pkt_len = out;
        *binary = 1;
    }
    return 1;
}

/* Decimal digits as the bytes 0-9, for the binary form's lengths. */
static void sio__eio3_digits(sio_buf *b, size_t n) {
    char d[24];
    int k = 0;
    do d[k++] = (char)(n % 10);
    while ((n /= 10) != 0);
    while (k) sio_buf_appendc(b, d[--k]);
}

SIO_API int sio_eio3_payload_append(sio_buf *b, const char *pkt, size_t n, int binary, int binary_form) {
    if (!b) return SIO_ERR_INVALID;
    if (binary_form) {
        sio_buf_appendc(b, (char)(binary ? 1 : 0));
        sio__eio3_digits(b, n + (binary ? 1 : 0));
        sio_buf_appendc(b, (char)0xFF);
        if (binary) sio_buf_appendc(b, 4);
        sio_buf_append(b, pkt, n);
    } else if (binary) {
        sio_buf_appendu(b, (unsigned long long)(2 + sio_base64_encoded_len(n)));
        sio_buf_appends(b, ":b4");
        sio_base64_buf(b, pkt, n);
    } else {
        sio_buf_appendu(b, (unsigned long long)sio__utf16_units(pkt, n));
        sio_buf_appendc(b, ':');
        sio_buf_append(b, pkt, n);
    }
    return b->err;
}

/* ---- incoming arguments ---- */

SIO_API int sio_args_get(const sio_args *a, size_t i, sio_json *out) {
    sio_json_iter it;
    sio_json v;
    size_t skip;
    if (!a || i >= a->count) return SIO_ERR_NOT_FOUND;
    if (i < a->nindexed || a->all) {
        if (out) *out = a->all ? a->all[i] : a->indexed[i];
        return SIO_OK;
    }
    if (!a->nindexed) return sio_json_at(a->array, a->first + i, out);
    /* past the index: walk on from the last recorded argument */
    v = a->indexed[a->nindexed - 1];
    sio_json_iter_init(&it, a->array);
    it.pos = (size_t)(v.ptr - a->array.ptr) + v.len;
    for (skip = i - a->nindexed; sio_json_iter_next(&it, NULL, &v); skip--) {
        if (skip == 0) {
            if (out) *out = v;
            return SIO_OK;
        }
    }
    return SIO_ERR_NOT_FOUND;
}

/* Fills *a from an incoming array in one walk: the count, and the places
   of the arguments from index `first` on; with full, past
   SIO_ARGS_INDEXED in an array from alc (freed by sio__args_release;
   without memory the rest are found by walking, slower but the same). For an event,
   42["chat","hi"], first is 1 and *head receives element 0, the name. */
static void sio__args_index(sio_args *a, sio_json array, size_t first, const sio_str *bins, int nbins,
                            sio_json *head, int full, const sio_allocator *alc) {
    sio_json_iter it;
    sio_json v, *all = NULL;
    size_t k = 0, cap = 0;
    memset(a, 0, sizeof *a);
    a->array = array;
    a->first = first;
    a->bins = bins;
    a->nbins = nbins > 0 ? (size_t)nbins : 0;
    sio_json_iter_init(&it, array);
    for (; sio_json_iter_next(&it, NULL, &v); k++) {
        size_t i = k - first;
        if (k == 0 && head) *head = v;
        if (k < first) continue;
        if (a->nindexed < SIO_ARGS_INDEXED) a->indexed[a->nindexed++] = v;
        if (i == SIO_ARGS_INDEXED && full && (all = (sio_json *)sio__malloc(alc, 4 * i * sizeof *all)) != NULL) {
            memcpy(all, a->indexed, i * sizeof *all);
            cap = 4 * i;
        }
        if (i >= cap && all) {   /* doubling: every argument costs the same */
            sio_json *n = (sio_json *)sio__realloc(alc, all, 2 * cap * sizeof *all);
            if (!n) sio__free(alc, all);
            all = n;
            cap *= 2;
        }
        if (all) all[i] = v;
    }
    a->count = k > first ? k - first : 0;
    a->all = all;
}

static void sio__args_release(sio_args *a, const sio_allocator *alc) {
    sio__free(alc, (void *)(uintptr_t)a->all);
    a->all = NULL;
}

/* Drops argument 0 (a stream hub hands on the arguments after its type);
   the copy must not outlive the args it was taken from. */
static void sio__args_shift(sio_args *a) {
    if (!a->count) return;
    a->first++;
    a->count--;
    if (a->all) a->all++;
    if (a->nindexed) {
        memmove(a->indexed, a->indexed + 1, (a->nindexed - 1) * sizeof a->indexed[0]);
        a->nindexed--;
    }
}

/* An EVENT's name, arguments and ack id, for the event struct of either
   role. The name is copied out unescaped into namebuf (SIO_MAX_EVENT_LEN
   + 1 bytes); a number as name (Node allows 42[1,"x"]) is kept as its
   text. SIO_ERR_TOO_BIG when it does not fit. */
static int sio__event_unpack(const sio_packet *p, const sio_str *bins, int nbins, sio_args *args, char *namebuf,
                             sio_str *name, long long *ack_id, const sio_allocator *alc) {
    sio_json head;
    head.ptr = NULL;
    head.len = 0;
    head.type = SIO_JSON_INVALID;
    *ack_id = p->ack_id;
    sio__args_index(args, p->json, 1, bins, nbins, &head, 1, alc);
    if (head.type == SIO_JSON_STRING) {
        if (sio_json_strcpy(head, namebuf, SIO_MAX_EVENT_LEN + 1) >= SIO_MAX_EVENT_LEN + 1) {
            sio__args_release(args, alc);
            return SIO_ERR_TOO_BIG;
        }
    } else {
        snprintf(namebuf, SIO_MAX_EVENT_LEN + 1, "%.*s", (int)head.len, head.ptr ? head.ptr : "");
    }
    name->ptr = namebuf;
    name->len = strlen(namebuf);
    return SIO_OK;
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

/* ---- incoming messages: binary packets and their attachments ----
   A BINARY_EVENT or BINARY_ACK arrives as its text header, then one binary
   message per attachment:
       51-["up",{"_placeholder":true,"num":0}]     then the bytes
   Server and client both keep the header and the bytes in a sio__binpend
   until the last attachment is in. It is allocated only while one is in
   flight, so idle connections do not carry it. */
typedef struct sio__binpend {
    sio_buf head;                /* the packet text */
    sio_buf data;                /* the attachments, concatenated */
    size_t off[SIO_MAX_BINARIES + 1];
    int need, have;
} sio__binpend;

static void sio__binpend_free(const sio_allocator *a, sio__binpend *bp) {
    if (!bp) return;
    sio_buf_free(&bp->head);
    sio_buf_free(&bp->data);
    sio__free(a, bp);
}

/* Deepest nesting of a (validated) JSON text, strings skipped: enforces a
   run-time depth cap below SIO_JSON_MAX_DEPTH, which the parser enforces. */
static int sio__json_depth(sio_str t) {
    int d = 0, max = 0, in_str = 0;
    size_t i;
    for (i = 0; i < t.len; i++) {
        char ch = t.ptr[i];
        if (in_str) {
            if (ch == '\\') i++;
            else if (ch == '"') in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++d > max) max = d;
        } else if (ch == ']' || ch == '}') {
            d--;
        }
    }
    return max;
}

/* Every {"_placeholder":true,...} in a binary packet must name one of
   its attachments by a whole "num" below their count, as Node's parser
   demands ("illegal attachments"): 451-["ev",{"_placeholder":true,"num":7}]
   with one attachment is refused. A walk with a stack of its own. */
static int sio__placeholders_ok(sio_json root, int nbins) {
    sio_json_iter stack[SIO_JSON_MAX_DEPTH + 1];
    sio_json k, v, ph, num;
    int depth = 0;
    if (root.type != SIO_JSON_ARRAY && root.type != SIO_JSON_OBJECT) return 1;
    sio_json_iter_init(&stack[0], root);
    while (depth >= 0) {
        if (!sio_json_iter_next(&stack[depth], &k, &v)) {
            depth--;
            continue;
        }
        if (v.type == SIO_JSON_OBJECT && sio_json_get(v, "_placeholder", &ph) == SIO_OK && ph.type == SIO_JSON_TRUE) {
            double d;
            if (sio_json_get(v, "num", &num) != SIO_OK || num.type != SIO_JSON_NUMBER) return 0;
            d = sio_json_number(num);
            if (!(d >= 0 && d < nbins && d == (double)(long long)d)) return 0;
            continue;
        }
        if ((v.type == SIO_JSON_ARRAY || v.type == SIO_JSON_OBJECT) && depth < SIO_JSON_MAX_DEPTH)
            sio_json_iter_init(&stack[++depth], v);
    }
    return 1;
}

/* What one incoming Socket.IO message amounts to. */
#define SIO__IN_WAIT 0           /* kept: attachments still to come */
#define SIO__IN_PACKET 1         /* a whole packet to dispatch */
typedef struct sio__in {
    sio_packet p;
    sio_str bins[SIO_MAX_BINARIES];      /* its attachments, as views */
    int nbins;
    sio__binpend *done;          /* owns the bins' bytes: free after dispatching */
    const char *why;             /* what was wrong, on SIO_ERR_PARSE */
} sio__in;

/* Takes one Socket.IO message (a text packet, or binary: an attachment)
   for a connection whose packet waiting for attachments is *slot.
   Returns SIO__IN_PACKET, SIO__IN_WAIT, SIO_ERR_PARSE (in->why; the peer
   broke the protocol: close with "parse error") or SIO_ERR_NOMEM. A
   finished packet leaves *slot, so whatever a handler does to the
   connection while it runs, the bytes it is looking at stay. */
static int sio__in_take(const sio_allocator *a, sio__binpend **slot, const char *data, size_t len, int binary,
                        int max_attachments, int max_depth, sio__in *in) {
    sio__binpend *bp = *slot;
    int i;
    in->nbins = 0;
    in->done = NULL;
    in->why = NULL;
    if (binary) {
        if (!bp) {
            in->why = "binary message with no packet waiting for it";
            return SIO_ERR_PARSE;
        }
        if (sio_buf_append(&bp->data, data, len) != SIO_OK) return SIO_ERR_NOMEM;
        bp->off[++bp->have] = bp->data.len;
        if (bp->have < bp->need) return SIO__IN_WAIT;
        *slot = NULL;
        in->done = bp;
        if (sio__packet_parse(bp->head.data, bp->head.len, &in->p, &in->why) != SIO_OK)
            return SIO_ERR_PARSE;   /* parsed once already: cannot happen */
        if (!sio__placeholders_ok(in->p.json, bp->need)) {
            in->why = "a placeholder that names no attachment";
            return SIO_ERR_PARSE;
        }
        for (i = 0; i < bp->need; i++) {   /* all empty: no buffer was ever allocated */
            in->bins[i].ptr = bp->data.data ? bp->data.data + bp->off[i] : "";
            in->bins[i].len = bp->off[i + 1] - bp->off[i];
        }
        in->nbins = bp->need;
        return SIO__IN_PACKET;
    }
    if (bp) {
        in->why = "text while attachments were expected";
        return SIO_ERR_PARSE;
    }
    if (sio__packet_parse(data, len, &in->p, &in->why) != SIO_OK) return SIO_ERR_PARSE;
    if (in->p.attachments > max_attachments) {
        in->why = "more attachments than max_attachments";
        return SIO_ERR_PARSE;
    }
    if (max_depth < SIO_JSON_MAX_DEPTH && sio__json_depth(in->p.data) > max_depth) {
        in->why = "JSON nested deeper than max_json_depth";
        return SIO_ERR_PARSE;
    }
    if (!in->p.attachments) return SIO__IN_PACKET;
    if (!(bp = (sio__binpend *)sio__malloc(a, sizeof *bp))) return SIO_ERR_NOMEM;
    memset(bp, 0, sizeof *bp);
    bp->head.alloc = bp->data.alloc = a;
    bp->need = in->p.attachments;
    if (sio_buf_append(&bp->head, data, len) != SIO_OK) {
        sio__binpend_free(a, bp);
        return SIO_ERR_NOMEM;
    }
    *slot = bp;
    return SIO__IN_WAIT;
}

#ifndef SIO_NO_MSGPACK
/* ---- the msgpack parser (npm socket.io-msgpack-parser) ----
   Every packet is one MessagePack map, {type, nsp, data, id}, in one
   binary Engine.IO message, its binary values inline: no attachments and
   no BINARY_* types on the wire. The library keeps speaking the text form
   above: a map coming in becomes the text of the same packet plus its
   binaries as attachments, and text going out becomes a map, so
   handlers, acks, broadcasts and the trace see one form whichever parser
   is on the wire:
       {type:2, nsp:"/", id:7, data:["up", <bin 2>]}
           <->  51-7["up",{"_placeholder":true,"num":0}] + 2 bytes
   What Node's decoder refuses is refused here, as a parse error. */

/* A key of a packet map, by name. */
static int sio__mp_key_is(sio_mp k, const char *name) {
    sio_str t;
    return sio_mp_as_str(k, &t) == SIO_OK && t.len == strlen(name) && memcmp(t.ptr, name, t.len) == 0;
}

/* One packet map -> its text in text, binaries as views into msg in
   bins. SIO_OK, SIO_ERR_PARSE (*why), or the buffer's error. */
static int sio__mp_packet_in(const char *msg, size_t len, sio_buf *text, sio_str *bins, int max_bins, int *nbins,
                             const char **why) {
    sio_mp root, k, v, type, nsp, data, id;
    sio_mp_iter it;
    sio_buf json;
    sio_str name;
    int64_t t = -1, ack = -1;
    size_t nb = 0;
    int rc, plain;
    *nbins = 0;
    if (sio_mp_parse(msg, len, &root) != SIO_OK || root.type != SIO_MP_MAP) {
        *why = "not one MessagePack map";
        return SIO_ERR_PARSE;
    }
    type.type = nsp.type = data.type = id.type = SIO_MP_INVALID;
    sio_mp_iter_init(&it, root);
    while (sio_mp_iter_next(&it, &k, &v)) {   /* a repeated key: the last one, as in a JS object */
        if (sio__mp_key_is(k, "type")) type = v;
        else if (sio__mp_key_is(k, "nsp")) nsp = v;
        else if (sio__mp_key_is(k, "data")) data = v;
        else if (sio__mp_key_is(k, "id")) id = v;   /* others (the client's "options") are not ours */
    }
    if (type.type == SIO_MP_INVALID || sio_mp_as_int64(type, &t) != SIO_OK || t < 0 || t > SIO_PKT_CONNECT_ERROR) {
        *why = "no packet type 0-4";
        return SIO_ERR_PARSE;
    }
    if (sio_mp_as_str(nsp, &name) != SIO_OK || !name.len || name.ptr[0] != '/' || memchr(name.ptr, ',', name.len) ||
        name.len > SIO_MAX_NSP_LEN) {
        *why = "a namespace that is not a string starting with /";
        return SIO_ERR_PARSE;
    }
    if (id.type != SIO_MP_INVALID && !sio_mp_is_undefined(id) && (sio_mp_as_int64(id, &ack) != SIO_OK || ack < 0)) {
        *why = "an ack id that is not a whole number";
        return SIO_ERR_PARSE;
    }
    if (sio_mp_is_undefined(data)) data.type = SIO_MP_INVALID;   /* undefined is absent */
    switch ((int)t) {
    case SIO_PKT_CONNECT: rc = data.type == SIO_MP_INVALID || data.type == SIO_MP_MAP; break;
    case SIO_PKT_DISCONNECT: rc = data.type == SIO_MP_INVALID; break;
    case SIO_PKT_CONNECT_ERROR: rc = data.type == SIO_MP_MAP || data.type == SIO_MP_STR; break;
    default: rc = data.type == SIO_MP_ARRAY; break;
    }
    if (!rc) {
        *why = "data of the wrong kind for the packet type";
        return SIO_ERR_PARSE;
    }
    memset(&json, 0, sizeof json);
    json.alloc = text->alloc;
    /* CONNECT and CONNECT_ERROR have no attachments in text form: what
       JSON cannot hold there is read as JSON.stringify reads it */
    plain = t == SIO_PKT_CONNECT || t == SIO_PKT_CONNECT_ERROR;
    rc = data.type == SIO_MP_INVALID ? SIO_OK
                                     : sio__mp_to_json(data, &json, bins, plain ? 0 : (size_t)max_bins, &nb, plain);
    if (rc == SIO_OK) {
        if (nb) t = t == SIO_PKT_EVENT ? SIO_PKT_BINARY_EVENT : SIO_PKT_BINARY_ACK;
        rc = sio_packet_write(text, (int)t, (int)nb, name.ptr, name.len, ack, json.data, json.len);
    } else {
        *why = rc == SIO_ERR_TOO_BIG ? "more binary values than SIO_MAX_BINARIES, or nested too deep"
                                     : "a string that is not UTF-8, or a map key that is not a plain value";
        rc = SIO_ERR_PARSE;
    }
    sio_buf_free(&json);
    *nbins = (int)nb;
    return rc;
}

/* The text of a packet and its attachments -> one map, appended to out. */
static int sio__mp_packet_out(const char *pkt, size_t n, const sio_str *bins, int nbins, sio_buf *out) {
    sio_packet p;
    const char *why;
    int type;
    if (sio__packet_parse(pkt, n, &p, &why) != SIO_OK) return SIO_ERR_INVALID;   /* our own text: cannot happen */
    type = p.type == SIO_PKT_BINARY_EVENT ? SIO_PKT_EVENT : p.type == SIO_PKT_BINARY_ACK ? SIO_PKT_ACK : p.type;
    sio_mp_map(out, 2 + (p.json.type != SIO_JSON_INVALID) + (p.ack_id >= 0));
    sio_mp_str(out, "type", 4);
    sio_mp_uint(out, (uint64_t)type);
    sio_mp_str(out, "nsp", 3);
    sio_mp_str(out, p.nsp.ptr, p.nsp.len);
    if (p.json.type != SIO_JSON_INVALID) {
        int rc;
        sio_mp_str(out, "data", 4);
        if ((rc = sio_mp_from_json(p.json, bins, (size_t)nbins, out)) != SIO_OK) return rc;
    }
    if (p.ack_id >= 0) {
        sio_mp_str(out, "id", 2);
        sio_mp_uint(out, (uint64_t)p.ack_id);
    }
    return out->err;
}

/* sio__in_take for the msgpack parser: every message is a whole packet. */
static int sio__in_take_mp(const sio_allocator *a, const char *data, size_t len, int binary, int max_attachments,
                           int max_depth, sio__in *in) {
    sio__binpend *bp;
    int i, rc;
    in->nbins = 0;
    in->done = NULL;
    in->why = NULL;
    if (!binary) {
        in->why = "a text message, where the msgpack parser sends binary ones";
        return SIO_ERR_PARSE;
    }
    if (!(bp = (sio__binpend *)sio__malloc(a, sizeof *bp))) return SIO_ERR_NOMEM;
    memset(bp, 0, sizeof *bp);
    bp->head.alloc = bp->data.alloc = a;
    in->done = bp;   /* the caller frees it, whatever happens */
    /* binaries inline are not Node's attachments: its cap does not apply */
    (void)max_attachments;
    rc = sio__mp_packet_in(data, len, &bp->head, in->bins, SIO_MAX_BINARIES, &in->nbins, &in->why);
    if (rc != SIO_OK) return rc == SIO_ERR_PARSE ? rc : SIO_ERR_NOMEM;
    /* the binaries are views into a message that goes once we return */
    for (i = 0; i < in->nbins; i++) {
        bp->off[i] = bp->data.len;
        sio_buf_append(&bp->data, in->bins[i].ptr, in->bins[i].len);
    }
    bp->off[in->nbins] = bp->data.len;
    if (bp->data.err) return SIO_ERR_NOMEM;
    for (i = 0; i < in->nbins; i++) {
        in->bins[i].ptr = bp->data.data ? bp->data.data + bp->off[i] : "";
        in->bins[i].len = bp->off[i + 1] - bp->off[i];
    }
    if (sio__packet_parse(bp->head.data, bp->head.len, &in->p, &in->why) != SIO_OK) return SIO_ERR_PARSE;
    if (max_depth < SIO_JSON_MAX_DEPTH && sio__json_depth(in->p.data) > max_depth) {
        in->why = "JSON nested deeper than max_json_depth";
        return SIO_ERR_PARSE;
    }
    return SIO__IN_PACKET;
}
#endif /* SIO_NO_MSGPACK */

/* Engine.IO transports, in either role. */
enum { SIO__T_POLLING = 1, SIO__T_WEBSOCKET = 2 };

/* ---- the trace: every packet, raw and decoded (SIO_LOG_TRACE) ----
   One line per Engine.IO packet, for people learning the protocol:
       session Xk2p <- 42["chat","hi"]  EVENT / "chat" ack=none
   kind is the Engine.IO type digit, or 'b' for a binary message; data
   is the packet without its type digit. */
static SIO__UNUSED void sio__trace(const sio_logger *lg, const char *who, const char *dir, int kind, const char *data,
                                   size_t len) {
    static const char *const eio[] = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};
    static const char *const sio[] = {"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT",
                                      "BINARY_ACK"};
    char what[160];
    sio_packet p;
    int shown = len > 200 ? 200 : (int)len;
    if (!sio__log_on(lg, SIO_LOG_TRACE)) return;
    if (kind == 'b') {
        sio__log(lg, SIO_LOG_TRACE, "%s%s binary message, %lu bytes (an attachment, or a binary engine message)", who,
                 dir, (unsigned long)len);
        return;
    }
    if (kind < '0' || kind > '6') snprintf(what, sizeof what, "not an Engine.IO packet");
    else if (kind != '4') snprintf(what, sizeof what, "Engine.IO %s", eio[kind - '0']);
    else if (sio_packet_parse(data, len, &p) != SIO_OK) snprintf(what, sizeof what, "message, not a Socket.IO packet");
    else {
        sio_json name;
        int n = snprintf(what, sizeof what, "%s %.*s", sio[p.type], (int)(p.nsp.len > 40 ? 40 : p.nsp.len), p.nsp.ptr);
        if ((p.type == SIO_PKT_EVENT || p.type == SIO_PKT_BINARY_EVENT) && sio_json_at(p.json, 0, &name) == SIO_OK)
            n += snprintf(what + n, sizeof what - (size_t)n, " %.*s", (int)(name.len > 60 ? 60 : name.len), name.ptr);
        if (p.attachments) n += snprintf(what + n, sizeof what - (size_t)n, " attachments=%d", p.attachments);
        if (p.type != SIO_PKT_CONNECT && p.type != SIO_PKT_DISCONNECT && p.type != SIO_PKT_CONNECT_ERROR) {
            if (p.ack_id < 0) snprintf(what + n, sizeof what - (size_t)n, " ack=none");
            else snprintf(what + n, sizeof what - (size_t)n, " ack=%lld", p.ack_id);
        }
    }
    sio__log(lg, SIO_LOG_TRACE, "%s%s %c%.*s%s  %s", who, dir, kind, shown, data, (size_t)shown < len ? "..." : "", what);
}

/* ---- records: Engine.IO packets kept for later ----
   The client's send queue, the emits it holds while offline and the
   events that came early, and the broadcasts the server keeps for
   recovery are all lists of Engine.IO packets in one buffer, as records. */

/* A record: 1 byte kind ('b' binary, else the packet type digit),
   4 bytes length (big-endian), then the bytes. */
static int sio__rec_append(sio_buf *q, int kind, const void *data, size_t len) {
    unsigned char h[5];
    if (len > 0xffffffffu) return SIO_ERR_TOO_BIG;
    h[0] = (unsigned char)kind;
    h[1] = (unsigned char)(len >> 24);
    h[2] = (unsigned char)(len >> 16);
    h[3] = (unsigned char)(len >> 8);
    h[4] = (unsigned char)len;
    sio_buf_append(q, h, 5);
    sio_buf_append(q, data, len);
    return q->err;
}

static size_t sio__rec_len(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return ((size_t)u[1] << 24) | ((size_t)u[2] << 16) | ((size_t)u[3] << 8) | (size_t)u[4];
}

/* ---- outgoing arguments ---- */

SIO_API void sio_msg_init(sio_msg *m) {
    memset(m, 0, offsetof(sio_msg, small));   /* the inline bytes need no clearing */
    m->buf.data = m->small;
    m->buf.cap = sizeof m->small;
    m->buf.borrowed = 1;
    sio_json_writer_init(&m->w, &m->buf);
    sio_json_arr_begin(&m->w);
}

SIO_API void sio_msg_bin(sio_msg *m, const void *data, size_t len) {
    if (m->nbins >= SIO_MAX_BINARIES) {
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
    if (a->nbins > SIO_MAX_BINARIES) return m->err = SIO_ERR_TOO_BIG;
    for (i = 0; i < a->nbins; i++) m->bins[i] = a->bins[i];
    if ((int)a->nbins > m->nbins) m->nbins = (int)a->nbins;
    return m->err;
}

SIO_API void sio_msg_free(sio_msg *m) { sio_buf_free(&m->buf); }

/* A message from the text of a JSON array (NULL: none), for the
   *_emit_json calls of both roles. Free it even when this fails. */
static int sio__msg_of_json(sio_msg *m, const char *json_array) {
    sio_msg_init(m);
    return sio_msg_json(m, json_array);
}

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

/* The text of an outgoing EVENT or ACK, both roles:
       2/chat,12["name",a1,a2]     an event asking for ack 12 on "/chat"
       3/chat,12[a1,a2]            the answer to it
   With attachments the type becomes BINARY_* and their count leads:
       51-["up",{"_placeholder":true,"num":0}] */
static int sio__packet_build(sio_buf *b, int type, const char *nsp, long long ack_id, const char *event,
                             const sio_msg *args) {
    int nbins = args ? args->nbins : 0;
    sio_buf_reset(b);
    if (nbins) type = type == SIO_PKT_EVENT ? SIO_PKT_BINARY_EVENT : SIO_PKT_BINARY_ACK;
    sio_packet_write(b, type, nbins, nsp, strlen(nsp), ack_id, NULL, 0);
    if (event) {
        sio_json_writer w;
        sio_json_writer_init(&w, b);
        sio_buf_appendc(b, '[');
        sio_json_str(&w, event);
        if (w.err) return w.err;
        if (!args || args->buf.len <= 1) {
            sio_buf_appendc(b, ']');
        } else {
            size_t at;
            int rc;
            sio_buf_appendc(b, ',');
            at = b->len;
            rc = sio__msg_append(b, args);
            if (rc != SIO_OK) return rc;
            /* drop the '[' of the arguments' own array */
            memmove(b->data + at, b->data + at + 1, b->len - at - 1);
            b->len--;
        }
    } else {
        int rc = sio__msg_append(b, args);
        if (rc != SIO_OK) return rc;
    }
    return b->err;
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
#ifndef SIO_LINGER_MS
#define SIO_LINGER_MS 2000            /* a connection we close drains its input this long (0: close at once) */
#endif

static uint64_t sio__now_ms(void) {
#ifdef SIO_CLOCK_MS
    return (uint64_t)(SIO_CLOCK_MS());   /* the platform's or the application's */
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#endif
}

SIO_API uint64_t sio_time_ms(void) { return sio__now_ms(); }

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
    SIO__C_LISTEN = 1,   /* listening socket: ops->on_accept when readable */
    SIO__C_PEER,         /* accepted from a listener (counted in npeers) */
    SIO__C_DIALED,       /* connected out by this process (TCP) */
    SIO__C_UDP           /* a connected datagram socket: one datagram per read */
};

enum {
    SIO__F_CLOSING = 1,      /* close once the output is flushed */
    SIO__F_DEAD = 2,         /* closed; reaped at the end of the turn */
    SIO__F_CONNECTING = 4,   /* client connect() in progress */
    SIO__F_LINGER = 8        /* flushed and shut for writing: input drained until the peer closes */
};

/* What the loop asks of a connection that a host application feeds (see
   sio__conn.host): its output is to be handed over, or it closed. */
enum { SIO__HOST_WRITE = 1, SIO__HOST_CLOSED };

typedef struct sio__loop sio__loop;
typedef struct sio__conn sio__conn;

#ifndef SIO_CLIENT_MAX_ADDRS
#define SIO_CLIENT_MAX_ADDRS 8              /* addresses of a host tried in turn */
#endif

typedef struct sio__addrs {
    struct sockaddr_storage a[SIO_CLIENT_MAX_ADDRS];
    socklen_t len[SIO_CLIENT_MAX_ADDRS];
    int n;
} sio__addrs;


/* What the protocol on a connection does with its bytes and events: the
   loop calls up through this table only. A protocol may swap the table
   (an HTTP connection that upgrades to WebSocket). */
typedef struct sio__conn_ops {
    /* consume bytes; return how many were used (the rest is kept) or < 0 to drop */
    long (*on_data)(sio__conn *c, char *data, size_t len);
    void (*on_close)(sio__conn *c, int err);   /* once, before the memory goes */
    void (*on_connect)(sio__conn *c);          /* dialed: connect() finished */
    void (*on_accept)(sio__conn *listener);    /* listener: connections wait */
    void (*on_free)(sio__conn *c);             /* the memory goes: free c->proto */
} sio__conn_ops;

/* A layer that keeps per-connection state either hangs an object off
   proto or asks sio__conn_add for a larger block that starts with the
   sio__conn (an HTTP server connection is one), so the loop's struct
   holds nothing but what every connection needs. */
struct sio__conn {
    int fd;
    int kind;                    /* SIO__C_* */
    unsigned flags;              /* SIO__F_* */
    size_t idx;                  /* position in loop->conns */
    sio_buf in;                  /* unconsumed input tail only */
    sio_buf out;                 /* unsent output */
    sio__timer timer;            /* the protocol's deadline (a request, a handshake) */
    const sio__conn_ops *ops;
    sio__loop *loop;
    void *owner;                 /* the object that made it: a server, a client */
    void *proto;                 /* the protocol object on it (a WebSocket, an HTTP exchange) */
    unsigned char dirty;         /* queued in loop->dirty */
    unsigned char tls_closing;   /* close_notify queued */
    unsigned ep_mask;            /* epoll: events registered now */
    int close_err;
    void *tls;                   /* sio__tls engine when the connection is TLS */
    const sio__addrs *addrs;     /* dialed: the addresses, tried in turn */
    int ai;                      /* dialed: the one being tried */
    /* Set on a connection whose bytes come from a host application (an
       HTTP server the library is attached to) rather than a socket of its
       own: while fd is -1 its output goes to the host through this call,
       and the socket it may get later is the host's to close. */
    void (*host)(sio__conn *c, int what);
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
    size_t npeers;               /* accepted connections open (max_connections) */
    sio__conn **dead;            /* conns closed this turn, reaped at its end */
    size_t ndead, dead_cap;
    int dead_scan;               /* the dead list overflowed: scan all conns */
#ifdef SIO__EPOLL
    int epfd;
    struct epoll_event *evs;
#endif
};

#if defined(__GLIBC__) && defined(__USE_GNU) && defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
#define SIO__ACCEPT4 1
#endif

/* Only for sockets this library just made or accepted: they carry no
   other status flags, so no F_GETFL is needed (one syscall less a
   connection, which shows in the connect benchmark). */
static int sio__set_nonblock(int fd) {
#if defined(SIO_LWIP)
    /* FIONBIO rather than fcntl: lwIP's O_NONBLOCK is its own value
       where the libc's <fcntl.h> did not define it first, and lwIP reads
       the flag with the value it was built with */
    int on = 1;
    return lwip_ioctl(fd, (long)FIONBIO, &on) == 0 ? SIO_OK : SIO_ERR_IO;
#elif defined(_WIN32)
    /* no fcntl: FIONBIO, and the handle kept from child processes as
       FD_CLOEXEC would */
    u_long on = 1;
    if (ioctlsocket((SOCKET)fd, FIONBIO, &on) != 0) return SIO_ERR_IO;
    SetHandleInformation((HANDLE)(uintptr_t)(SOCKET)fd, HANDLE_FLAG_INHERIT, 0);
    return SIO_OK;
#else
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) return SIO_ERR_IO;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return SIO_OK;
#endif
}

#ifdef SIO__EPOLL
static int sio__ep_add(sio__conn *c) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(c->loop->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) return SIO_ERR_IO;
    c->ep_mask = EPOLLIN;
    return SIO_OK;
}
#endif

/* size: sizeof(sio__conn), or that of a larger struct beginning with one.
   fd -1: a connection without a socket yet (see sio__conn.host). */
static sio__conn *sio__conn_add(sio__loop *L, int fd, int kind, const sio__conn_ops *ops, void *owner, size_t size) {
    sio__conn *c;
    if (L->nconns == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        sio__conn **p = (sio__conn **)sio__realloc(L->alloc, L->conns, cap * sizeof *p);
        if (!p) return NULL;
        L->conns = p;
        L->cap = cap;
    }
    c = (sio__conn *)sio__malloc(L->alloc, size);
    if (!c) return NULL;
    memset(c, 0, size);
    c->fd = fd;
    c->kind = kind;
    c->ops = ops;
    c->owner = owner;
    c->loop = L;
    c->in.alloc = c->out.alloc = L->alloc;
#ifdef SIO__EPOLL
    if (fd >= 0 && sio__ep_add(c) != SIO_OK) {
        sio__free(L->alloc, c);
        return NULL;
    }
#endif
    c->idx = L->nconns;
    L->conns[L->nconns++] = c;
    if (kind == SIO__C_PEER) L->npeers++;
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
    if (c->kind == SIO__C_PEER) L->npeers--;
    sio__timer_cancel(&c->loop->timers, &c->timer);
    if (c->host) {
#ifdef SIO__EPOLL
        if (c->fd >= 0) epoll_ctl(L->epfd, EPOLL_CTL_DEL, c->fd, NULL);
#endif
        c->host(c, SIO__HOST_CLOSED);   /* the host closes its socket, if any */
        c->fd = -1;
    } else if (c->fd >= 0) {
        sio__closesocket(c->fd);
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

/* A connection without a socket gets one (the host's, after it switched
   the connection to WebSocket); the bytes queued meanwhile go out. */
static SIO__UNUSED int sio__conn_set_fd(sio__conn *c, int fd) {
    if (c->fd >= 0 || fd < 0 || (c->flags & SIO__F_DEAD)) return SIO_ERR_STATE;
    if (sio__set_nonblock(fd) != SIO_OK) return SIO_ERR_IO;
    c->fd = fd;
#ifdef SIO__EPOLL
    if (sio__ep_add(c) != SIO_OK) {
        c->fd = -1;
        return SIO_ERR_IO;
    }
#endif
    sio__conn_mark_dirty(c);
    return SIO_OK;
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

static void sio__conn_linger_due(sio__timer *t) {
    sio__conn_close((sio__conn *)(void *)((char *)t - offsetof(sio__conn, timer)), SIO_OK);
}

/* The last bytes are sent; closing now, with input from the peer still
   unread, would answer with a reset, and the peer's system may then drop
   what we sent before reading it (a DISCONNECT, a close frame). So the
   write side is shut and the input drained until the peer closes, for
   SIO_LINGER_MS at most. */
static void sio__conn_linger(sio__conn *c) {
    if (c->fd < 0 || c->host || c->kind == SIO__C_UDP || (c->flags & SIO__F_LINGER) || SIO_LINGER_MS <= 0 ||
        shutdown(c->fd, SHUT_WR) != 0) {
        sio__conn_close(c, SIO_OK);
        return;
    }
    c->flags |= SIO__F_LINGER;
    c->timer.fn = sio__conn_linger_due;
    sio__timer_set(&c->loop->timers, c->loop->alloc, &c->timer, sio__now_ms() + (uint64_t)SIO_LINGER_MS);
}

static void sio__conn_flush(sio__conn *c) {
    size_t off = 0;
    if (c->flags & SIO__F_DEAD) return;
    if (c->flags & SIO__F_CONNECTING) return;
    if (c->fd < 0) {
        if (c->host) c->host(c, SIO__HOST_WRITE);
        return;
    }
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        sio__conn_flush_tls(c);
        return;
    }
#endif
    while (off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + off, c->out.len - off, SIO__NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && SIO__SOCKERR == EINTR) continue;
        if (w < 0 && (SIO__SOCKERR == EAGAIN || SIO__SOCKERR == EWOULDBLOCK)) break;
        sio__conn_close(c, SIO_ERR_IO);
        return;
    }
    sio_buf_consume(&c->out, off);
    if (c->out.len == 0) {
        sio_buf_free(&c->out);   /* idle connections keep no memory */
        if (c->flags & SIO__F_CLOSING) sio__conn_linger(c);
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
        } else if (SIO__SOCKERR == EINTR) {
            continue;
        } else {
            if (SIO__SOCKERR != EAGAIN && SIO__SOCKERR != EWOULDBLOCK) sio__conn_close(c, SIO_ERR_IO);
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
            ssize_t w = send(c->fd, p, n, SIO__NOSIGNAL);
            if (w > 0) {
                sio__tls_sent_out(t, (size_t)w);
                progress = 1;
                continue;
            }
            if (w < 0 && SIO__SOCKERR == EINTR) continue;
            if (w < 0 && (SIO__SOCKERR == EAGAIN || SIO__SOCKERR == EWOULDBLOCK)) {
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
    if (c->flags & SIO__F_LINGER) {   /* nobody wants it any more: read and drop */
        ssize_t r;
        for (rounds = 0; rounds < 4; rounds++) {
            r = recv(c->fd, c->loop->scratch, SIO_READ_CHUNK, 0);
            if (r > 0) continue;
            if (r < 0 && SIO__SOCKERR == EINTR) continue;
            if (r == 0 || (SIO__SOCKERR != EAGAIN && SIO__SOCKERR != EWOULDBLOCK)) sio__conn_close(c, SIO_OK);
            return;
        }
        return;
    }
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
        /* an empty datagram is a datagram, not the end of anything: one
           sent by anyone must not end a DNS lookup */
        if (r == 0 && c->kind == SIO__C_UDP) continue;
        if (r == 0) {
            sio__conn_close(c, SIO_ERR_CLOSED);
            return;
        }
        if (r < 0) {
            if (SIO__SOCKERR == EINTR) continue;
            if (SIO__SOCKERR != EAGAIN && SIO__SOCKERR != EWOULDBLOCK) sio__conn_close(c, SIO_ERR_IO);
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
#ifdef SIO_TLS_BEARSSL
    if (c->tls) sio__tls_free((sio__tls *)c->tls);
#endif
    if (c->ops && c->ops->on_free) c->ops->on_free(c);
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
    if ((c->flags & SIO__F_DEAD) || c->fd < 0) return;
    want = ((c->flags & SIO__F_CLOSING) && !(c->flags & SIO__F_LINGER) ? 0u : (unsigned)EPOLLIN) |
           (sio__conn_wants_write(c) ? (unsigned)EPOLLOUT : 0u);
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

/* ---- dialing out: addresses tried in turn ---- */

static SIO__UNUSED void sio__addrs_add(sio__addrs *out, int family, const void *addr, int port, unsigned scope) {
    struct sockaddr_storage *ss;
    if (out->n >= SIO_CLIENT_MAX_ADDRS) return;
    ss = &out->a[out->n];
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        memcpy(&s4->sin_addr, addr, 4);
        out->len[out->n] = (socklen_t)sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        s6->sin6_scope_id = scope;
        memcpy(&s6->sin6_addr, addr, 16);
        out->len[out->n] = (socklen_t)sizeof *s6;
    }
    out->n++;
}

/* A non-blocking connect() to address ai or the next ones that fail at
   once: the socket, or -1 with *connecting unset. */
static int sio__dial_socket(const sio__addrs *ad, int *ai, int *connecting) {
    for (; *ai < ad->n; (*ai)++) {
        const struct sockaddr_storage *sa = &ad->a[*ai];
        int fd = socket(sa->ss_family, SOCK_STREAM, 0), one = 1, rc;
        if (fd < 0) continue;
        if (sio__set_nonblock(fd) != SIO_OK) {
            sio__closesocket(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        do rc = connect(fd, (const struct sockaddr *)sa, ad->len[*ai]);
        while (rc < 0 && SIO__SOCKERR == EINTR);
        if (rc == 0 || SIO__CONNECTING(SIO__SOCKERR)) {
            *connecting = rc < 0;
            return fd;
        }
        sio__closesocket(fd);
    }
    return -1;
}

/* A connection to the first of ad's addresses that takes it: when one
   refuses, the loop tries the next on the same sio__conn before it
   reports anything (on_connect, or on_close with SIO_ERR_REFUSED). ad
   must outlive the connect. */
static SIO__UNUSED sio__conn *sio__dial(sio__loop *L, const sio__addrs *ad, const sio__conn_ops *ops, void *owner,
                                        int *err) {
    int ai = 0, connecting = 0, fd = sio__dial_socket(ad, &ai, &connecting);
    sio__conn *c;
    *err = SIO_ERR_REFUSED;
    if (fd < 0) return NULL;
    if (!(c = sio__conn_add(L, fd, SIO__C_DIALED, ops, owner, sizeof *c))) {
        sio__closesocket(fd);
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    if (connecting) c->flags |= SIO__F_CONNECTING;
    c->addrs = ad;
    c->ai = ai;
    /* the end of the turn brings epoll's interest in line: a connect in
       progress waits for writability, even when nothing is queued yet */
    sio__conn_mark_dirty(c);
    *err = SIO_OK;
    return c;
}

/* A dialed connection was refused: the next address, on a new socket in
   the same connection, what is queued on it kept. 0 when none is left. */
static int sio__conn_redial(sio__conn *c) {
    int connecting = 0, fd, ai = c->ai + 1;
    if (!c->addrs || (fd = sio__dial_socket(c->addrs, &ai, &connecting)) < 0) return 0;
#ifdef SIO__EPOLL
    {
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = c->ep_mask;
        ev.data.ptr = c;
        if (epoll_ctl(c->loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            sio__closesocket(fd);
            return 0;
        }
    }
#endif
    sio__closesocket(c->fd);   /* which takes it out of the epoll set, too */
    c->fd = fd;
    c->ai = ai;
    if (!connecting) {
        c->flags &= ~(unsigned)SIO__F_CONNECTING;
        sio__conn_mark_dirty(c);
        if (c->ops->on_connect) c->ops->on_connect(c);
    }
    return 1;
}

/* What one ready connection does: accept, finish a connect, read, write. */
static void sio__conn_ready(sio__conn *c, int readable, int writable) {
    if (c->flags & SIO__F_DEAD) return;
    if (c->kind == SIO__C_LISTEN) {
        if (c->ops && c->ops->on_accept) c->ops->on_accept(c);
        return;
    }
    if (c->flags & SIO__F_CONNECTING) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
            if (!sio__conn_redial(c)) sio__conn_close(c, SIO_ERR_REFUSED);
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
        if (!(c->flags & SIO__F_CLOSING) || (c->flags & SIO__F_LINGER)) L->pfds[i].events |= POLLIN;
        if (sio__conn_wants_write(c)) L->pfds[i].events |= POLLOUT;
    }
    *timeout_ms = sio__loop_timeout(L, *timeout_ms);
    return (int)n;
}

/* Handles the revents of the first n entries of L->pfds. Connections
   added during the turn sit past n and wait for the next one. */
static void sio__loop_process(sio__loop *L, size_t n) {
    size_t i;
    L->now = sio__now_ms();
    for (i = 0; i < n && i < L->nconns; i++) {
        struct pollfd *p = &L->pfds[i];
        if (!p->revents) continue;
        /* a hang-up is also worth a flush: it fails and closes the
           connection, where a closing one would otherwise spin */
        sio__conn_ready(L->conns[i], (p->revents & (POLLIN | POLLHUP | POLLERR)) != 0,
                        (p->revents & (POLLOUT | POLLHUP | POLLERR)) != 0);
    }
    sio__loop_end_turn(L);
}

static int sio__loop_poll(sio__loop *L, int timeout_ms) {
    int n = sio__loop_prepare(L, &timeout_ms), rc;
    if (n < 0) return n;
    rc = sio__poll(L->pfds, n, timeout_ms);
    if (rc < 0) return SIO__SOCKERR == EINTR ? SIO_OK : SIO_ERR_IO;
    if (rc > 0 || L->timers.n) sio__loop_process(L, (size_t)n);
    return SIO_OK;
}

/* The step API over a loop: the caller's pollfd array mirrors L->pfds. */
static int sio__loop_fds(sio__loop *L, struct pollfd *fds, int max, int *timeout_ms) {
    int n = sio__loop_prepare(L, timeout_ms);
    if (n < 0 || n > max) return n;
    memcpy(fds, L->pfds, (size_t)n * sizeof *fds);
    return n;
}

static int sio__loop_process_fds(sio__loop *L, const struct pollfd *fds, int n) {
    int i;
    if (n < 0 || (size_t)n > L->pfd_cap) return SIO_ERR_INVALID;
    for (i = 0; i < n; i++) L->pfds[i].revents = fds[i].revents;
    sio__loop_process(L, (size_t)n);
    return SIO_OK;
}
#else
#ifndef SIO_EPOLL_EVENTS
#define SIO_EPOLL_EVENTS 1024         /* events taken per epoll_wait() */
#endif
/* epoll: only ready connections cost anything in a turn. */
static void sio__loop_process_ep(sio__loop *L, int n) {
    int i;
    L->now = sio__now_ms();
    for (i = 0; i < n; i++) {
        unsigned ev = L->evs[i].events;
        sio__conn_ready((sio__conn *)L->evs[i].data.ptr, (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0,
                        (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0);
    }
    sio__loop_end_turn(L);
}

static int sio__loop_poll(sio__loop *L, int timeout_ms) {
    int n;
    sio__loop_end_turn(L);
    n = epoll_wait(L->epfd, L->evs, SIO_EPOLL_EVENTS, sio__loop_timeout(L, timeout_ms));
    if (n < 0) return errno == EINTR ? SIO_OK : SIO_ERR_IO;
    sio__loop_process_ep(L, n);
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

static int sio__loop_process_fds(sio__loop *L, const struct pollfd *fds, int n) {
    int k = 0;
    if (n < 0 || n > 1) return SIO_ERR_INVALID;
    if (n == 1 && fds[0].revents) k = epoll_wait(L->epfd, L->evs, SIO_EPOLL_EVENTS, 0);
    sio__loop_process_ep(L, k < 0 ? 0 : k);
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

/* Every connection closes (its owner hears it) and goes. */
static void sio__loop_close_all(sio__loop *L) {
    size_t i;
    for (i = 0; i < L->nconns; i++) sio__conn_close(L->conns[i], SIO_ERR_CLOSED);
    sio__loop_reap(L);
}

static void sio__loop_free(sio__loop *L) {
    sio__loop_close_all(L);
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

/* Listening socket on host:port (numeric host or name), IPv4 or IPv6;
   reuse_port: SO_REUSEPORT, one port shared by several processes. */
static SIO__UNUSED int sio__listen(const char *host, int port, int reuse_port, int *out_fd, int *out_port) {
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[16];
    int fd = -1, one = 1, rc, why = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof portstr, "%d", port);
#ifndef SO_REUSEPORT
    if (reuse_port) return SIO_ERR_UNSUPPORTED;
#endif
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) return SIO_ERR_RESOLVE;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#ifdef SO_REUSEPORT
        if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#endif
        if (ai->ai_family == AF_INET6) {
            int off = 0;  /* "::" should take IPv4 too, as Node does */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        why = SIO__SOCKERR;
        sio__closesocket(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        errno = why;   /* for the caller's log line */
        return why == EADDRINUSE ? SIO_ERR_ADDRINUSE : SIO_ERR_IO;
    }
    if (sio__set_nonblock(fd) != SIO_OK) {
        sio__closesocket(fd);
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

/* A TLS engine on a fresh dialed connection (SIO_TLS_BEARSSL): what is
   queued on it waits in the output until the handshake is done. host is
   the name sent by SNI and checked against the certificate. */
static SIO__UNUSED int sio__tls_attach(sio__conn *c, void *ctx, const char *host) {
#ifdef SIO_TLS_BEARSSL
    if (ctx && !(c->tls = sio__tls_new((sio__tls_ctx *)ctx, host))) return SIO_ERR_TLS;
#else
    (void)c;
    (void)ctx;
    (void)host;
#endif
    return SIO_OK;
}

/* Why a TLS connection ended, in words, copied out before it is freed. */
static SIO__UNUSED void sio__tls_why(sio__conn *c, char *dst, size_t cap) {
#ifdef SIO_TLS_BEARSSL
    if (c->tls) {
        snprintf(dst, cap, "TLS: %s", sio__tls_error((sio__tls *)c->tls));
        return;
    }
#else
    (void)c;
#endif
    snprintf(dst, cap, "TLS failure");
}

/* ---- randomness for ids and keys: the kernel's CSPRNG, in blocks ----
   Session ids, socket ids and hash keys must not be guessable, so they
   come from the operating system's generator: getrandom() on Linux,
   arc4random_buf() on the BSDs and macOS, BCryptGenRandom() on Windows,
   else SIO_RANDOM_DEVICE; or
   from SIO_RANDOM_BYTES(buf, n) when the application gives it (a
   device's hardware RNG: lwIP has none of the others). When none can be
   had, creating a server or client fails; there is no fallback to a
   time-seeded generator. */

#ifndef SIO_RANDOM_DEVICE
#define SIO_RANDOM_DEVICE "/dev/urandom"
#endif

typedef struct sio__rng {
    int fd;                      /* SIO_RANDOM_DEVICE, when that is the source; else -1 */
    unsigned char pool[256];
    size_t left;
} sio__rng;

/* Fills the pool: SIO_OK, or SIO_ERR_IO when the source failed. */
static int sio__rng_fill(sio__rng *r) {
    size_t got = 0;
    while (got < sizeof r->pool) {
        ssize_t n;
#if defined(SIO_RANDOM_BYTES)
        if (SIO_RANDOM_BYTES(r->pool, sizeof r->pool) != 0) return SIO_ERR_IO;   /* errno is not its */
        n = (ssize_t)sizeof r->pool;
#elif defined(SIO__BCRYPT)
        if (BCryptGenRandom(NULL, r->pool, (ULONG)sizeof r->pool, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return SIO_ERR_IO;
        n = (ssize_t)sizeof r->pool;
#elif defined(SIO__GETRANDOM)
        n = getrandom(r->pool + got, sizeof r->pool - got, 0);
#elif defined(SIO__ARC4RANDOM)
        arc4random_buf(r->pool, sizeof r->pool);
        n = (ssize_t)sizeof r->pool;
#else
        n = r->fd >= 0 ? read(r->fd, r->pool + got, sizeof r->pool - got) : -1;
#endif
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return SIO_ERR_IO;
        got += (size_t)n;
    }
    r->left = sizeof r->pool;
    return SIO_OK;
}

static int sio__rng_init(sio__rng *r) {
    memset(r, 0, sizeof *r);
    r->fd = -1;
#if !defined(SIO__GETRANDOM) && !defined(SIO__ARC4RANDOM) && !defined(SIO_RANDOM_BYTES) && !defined(SIO__BCRYPT)
    r->fd = open(SIO_RANDOM_DEVICE, O_RDONLY | O_CLOEXEC);
#endif
    return sio__rng_fill(r);
}

static void sio__rng_bytes(sio__rng *r, unsigned char *out, size_t n) {
    while (n) {
        size_t k;
        /* The source worked when the server or client was made; one that
           fails later would leave ids guessable, which is worse than
           stopping. */
        if (!r->left && sio__rng_fill(r) != SIO_OK) abort();
        k = n < r->left ? n : r->left;
        memcpy(out, r->pool + sizeof r->pool - r->left, k);
        memset(r->pool + sizeof r->pool - r->left, 0, k);
        r->left -= k;
        out += k;
        n -= k;
    }
}

/* 20 characters of URL-safe base64 from 15 random bytes, as Node's ids. */
static SIO__UNUSED void sio__rng_id(sio__rng *r, char out[21]) {
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

/* ---- what a server and a client begin with ---- */

/* The first member of both: a loop, the allocator and logger the desc
   gave (copied, so the desc may go), and randomness for ids and keys. */
typedef struct sio__base {
    sio__loop loop;
    sio_allocator allocator;
    sio_logger logger;
    sio__rng rng;
    sio_timer *timers;           /* the application's */
#ifdef _WIN32
    int wsa;                     /* WSAStartup done: WSACleanup at the end */
#endif
} sio__base;

/* ---- the application's timers ---- */

struct sio_timer {
    sio__timer t;
    sio__base *b;
    sio_timer_fn fn;
    void *user;
    uint64_t every;              /* 0: once */
    int running, cancelled;
    sio_timer *prev, *next;      /* in b->timers */
};

static void sio__utimer_free(sio_timer *t) {
    sio__base *b = t->b;
    sio__timer_cancel(&b->loop.timers, &t->t);
    if (t->prev) t->prev->next = t->next;
    else b->timers = t->next;
    if (t->next) t->next->prev = t->prev;
    sio__free(b->loop.alloc, t);
}

static void sio__utimer_due(sio__timer *tm) {
    sio_timer *t = (sio_timer *)(void *)tm;
    sio__loop *L = &t->b->loop;
    uint64_t at = t->t.at + t->every;
    t->running = 1;
    t->fn(t, t->user);
    t->running = 0;
    if (t->cancelled || !t->every) {
        sio__utimer_free(t);
        return;
    }
    /* fallen behind (a long handler, a stopped loop): go on from now, no burst */
    if (at <= L->now) at = L->now + t->every;
    sio__timer_set(&L->timers, L->alloc, &t->t, at);
}

static sio_timer *sio__utimer_new(sio__base *b, int ms, int every_ms, sio_timer_fn fn, void *user) {
    sio_timer *t;
    if (!fn || ms < 0 || every_ms < 0 || !(t = (sio_timer *)sio__malloc(b->loop.alloc, sizeof *t))) return NULL;
    memset(t, 0, sizeof *t);
    t->t.fn = sio__utimer_due;
    t->b = b;
    t->fn = fn;
    t->user = user;
    t->every = (uint64_t)every_ms;
    if (sio__timer_set(&b->loop.timers, b->loop.alloc, &t->t, sio__now_ms() + (uint64_t)ms) != SIO_OK) {
        sio__free(b->loop.alloc, t);
        return NULL;
    }
    t->next = b->timers;
    if (t->next) t->next->prev = t;
    b->timers = t;
    return t;
}

SIO_API void sio_timer_cancel(sio_timer *t) {
    if (!t) return;
    if (t->running) t->cancelled = 1;   /* freed once its fn returns */
    else sio__utimer_free(t);
}

static SIO__UNUSED void sio__base_free(sio__base *b) {
    const sio_allocator *a = b->loop.alloc;
    while (b->timers) sio__utimer_free(b->timers);
    sio__loop_free(&b->loop);
    if (b->rng.fd >= 0) close(b->rng.fd);
#ifdef _WIN32
    if (b->wsa) WSACleanup();   /* after the last socket closed */
#endif
    sio__free(a, b);
}

/* size bytes, zeroed, from the desc's allocator when it gives one, with
   the base filled in. NULL with *err on failure. */
static SIO__UNUSED sio__base *sio__base_new(size_t size, const sio_allocator *al, const sio_logger *lg,
                                            size_t max_output, int *err) {
    const sio_allocator *a = al->alloc_fn || al->free_fn ? al : NULL;
    sio__base *b = (sio__base *)sio__malloc(a, size);
    int rc;
    if (!b) {
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    memset(b, 0, size);
    b->allocator = *al;
    b->logger = *lg;
    if ((rc = sio__loop_init(&b->loop, a ? &b->allocator : NULL, &b->logger, max_output)) != SIO_OK) {
        sio__loop_free(&b->loop);
        sio__free(a, b);
        *err = rc;
        return NULL;
    }
    if (sio__rng_init(&b->rng) != SIO_OK) {
        sio__log(&b->logger, SIO_LOG_ERROR, "no random source (getrandom, arc4random or %s): ids would be guessable",
                 SIO_RANDOM_DEVICE);
        sio__base_free(b);
        *err = SIO_ERR_RANDOM;
        return NULL;
    }
#ifdef _WIN32
    {
        /* Winsock counts its users: one start per server or client */
        WSADATA wsa;
        if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
            sio__log(&b->logger, SIO_LOG_ERROR, "WSAStartup failed: no Winsock 2.2");
            sio__base_free(b);
            *err = SIO_ERR_IO;
            return NULL;
        }
        b->wsa = 1;
    }
#endif
    return b;
}


/* ---- a string-keyed hash map (sids, rooms, socket ids) ----
   Keys come from peers (room names, ids), so the hash is keyed: SipHash
   (Aumasson and Bernstein, 2012) with 1 compression and 3 finalization
   rounds, under a key drawn from the kernel per map. Nobody who does not
   know it can make names that collide, as they could with a plain hash
   like FNV, whose low bits depend only on the low bits of the name. */

typedef struct sio__map_ent {
    const char *key;            /* owned by the value */
    void *val;
} sio__map_ent;

typedef struct sio__map {
    sio__map_ent *e;
    size_t cap, n, tomb;        /* cap is a power of two */
    uint64_t k0, k1;            /* the hash key (sio__map_seed) */
} sio__map;

#define SIO__ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sio__sip_round(uint64_t *v) {
    v[0] += v[1]; v[1] = SIO__ROTL64(v[1], 13); v[1] ^= v[0]; v[0] = SIO__ROTL64(v[0], 32);
    v[2] += v[3]; v[3] = SIO__ROTL64(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = SIO__ROTL64(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = SIO__ROTL64(v[1], 17); v[1] ^= v[2]; v[2] = SIO__ROTL64(v[2], 32);
}

/* SipHash-1-3 of s[0..n): words read little-endian by shifts, so every
   platform gives the same hash. */
static uint64_t sio__hash(const sio__map *m, const char *s, size_t n) {
    uint64_t v[4], w;
    size_t i, j;
    v[0] = m->k0 ^ 0x736f6d6570736575ull;
    v[1] = m->k1 ^ 0x646f72616e646f6dull;
    v[2] = m->k0 ^ 0x6c7967656e657261ull;
    v[3] = m->k1 ^ 0x7465646279746573ull;
    for (i = 0; i + 8 <= n; i += 8) {
        for (w = 0, j = 0; j < 8; j++) w |= (uint64_t)(unsigned char)s[i + j] << (8 * j);
        v[3] ^= w;
        sio__sip_round(v);
        v[0] ^= w;
    }
    for (w = (uint64_t)n << 56, j = 0; i + j < n; j++) w |= (uint64_t)(unsigned char)s[i + j] << (8 * j);
    v[3] ^= w;
    sio__sip_round(v);
    v[0] ^= w;
    v[2] ^= 0xff;
    for (j = 0; j < 3; j++) sio__sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static SIO__UNUSED void sio__map_seed(sio__map *m, sio__rng *r) {
    unsigned char k[16];
    int i;
    sio__rng_bytes(r, k, sizeof k);
    for (m->k0 = m->k1 = 0, i = 0; i < 8; i++) {
        m->k0 = m->k0 << 8 | k[i];
        m->k1 = m->k1 << 8 | k[8 + i];
    }
}

static const char sio__tombstone[1] = {0};

static SIO__UNUSED void **sio__map_find(sio__map *m, const char *key, size_t n) {
    size_t i, mask;
    if (!m->cap) return NULL;
    mask = m->cap - 1;
    for (i = (size_t)sio__hash(m, key, n) & mask;; i = (i + 1) & mask) {
        sio__map_ent *e = &m->e[i];
        if (!e->key) return NULL;
        if (e->key != sio__tombstone && strlen(e->key) == n && memcmp(e->key, key, n) == 0) return &e->val;
    }
}

static SIO__UNUSED int sio__map_put(sio__map *m, const sio_allocator *a, const char *key, void *val) {
    size_t i, mask, klen = strlen(key);
    if ((m->n + m->tomb + 1) * 4 >= m->cap * 3) {
        sio__map old = *m;
        size_t cap = m->cap ? (m->n * 4 >= m->cap ? m->cap * 2 : m->cap) : 16, j;   /* same size: drops tombstones */
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
    for (i = (size_t)sio__hash(m, key, klen) & mask;; i = (i + 1) & mask) {
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

static SIO__UNUSED void sio__map_del(sio__map *m, const char *key) {
    void **v = sio__map_find(m, key, strlen(key));
    sio__map_ent *e;
    if (!v) return;
    e = (sio__map_ent *)(void *)((char *)v - offsetof(sio__map_ent, val));
    e->key = sio__tombstone;
    e->val = NULL;
    m->n--;
    m->tomb++;
}

/* ---- a table of items by a 64-bit key (pending acks by id, sets of
   rooms and sockets by address) ----
   Open addressing with linear probing over a mixed key, and removal that
   moves entries back instead of leaving tombstones, so a table that is
   filled and emptied again and again never slows down. Keys are ids we
   hand out or addresses of our own objects: no peer picks them. */

typedef struct sio__tab {
    void **slot;
    size_t cap, n;               /* cap: a power of two, or 0 */
    uint64_t (*key)(const void *item);
} sio__tab;

static size_t sio__tab_home(const sio__tab *t, uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k & (t->cap - 1);
}

/* The slot of the item with key k, or (size_t)-1. */
static SIO__UNUSED size_t sio__tab_find(const sio__tab *t, uint64_t k) {
    size_t i;
    if (!t->n) return (size_t)-1;
    for (i = sio__tab_home(t, k); t->slot[i]; i = (i + 1) & (t->cap - 1))
        if (t->key(t->slot[i]) == k) return i;
    return (size_t)-1;
}

/* Adds item, whose key is not in t yet. */
static SIO__UNUSED int sio__tab_put(sio__tab *t, const sio_allocator *a, void *item) {
    size_t i;
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8, k = t->cap;
        void **old = t->slot, **nw = (void **)sio__malloc(a, cap * sizeof *nw);
        if (!nw) return SIO_ERR_NOMEM;
        memset(nw, 0, cap * sizeof *nw);
        t->slot = nw;
        t->cap = cap;
        while (k--)
            if (old[k]) {
                for (i = sio__tab_home(t, t->key(old[k])); nw[i]; i = (i + 1) & (cap - 1)) {}
                nw[i] = old[k];
            }
        sio__free(a, old);
    }
    for (i = sio__tab_home(t, t->key(item)); t->slot[i]; i = (i + 1) & (t->cap - 1)) {}
    t->slot[i] = item;
    t->n++;
    return SIO_OK;
}

/* Empties slot i, moving back the entries of its run that would no
   longer be found from their home. */
static SIO__UNUSED void sio__tab_remove_at(sio__tab *t, size_t i) {
    size_t j = i, mask = t->cap - 1;
    t->slot[i] = NULL;
    t->n--;
    for (;;) {
        size_t h;
        j = (j + 1) & mask;
        if (!t->slot[j]) return;
        h = sio__tab_home(t, t->key(t->slot[j]));
        /* the entry at j stays unless its home lies outside (i, j] */
        if ((i <= j) ? (h > i && h <= j) : (h > i || h <= j)) continue;
        t->slot[i] = t->slot[j];
        t->slot[j] = NULL;
        i = j;
    }
}

static SIO__UNUSED void sio__tab_free(sio__tab *t, const sio_allocator *a) {
    sio__free(a, t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}

/* The key of an item that is its own address: sets of objects. */
static SIO__UNUSED uint64_t sio__tab_self(const void *item) { return (uint64_t)(uintptr_t)item; }

/* =====================================================================
   >>wsconn: a WebSocket connection on a socket, both roles (RFC 6455)
   =====================================================================
   The frame codec of >>ws put on a live connection. A server gets one
   when an HTTP request upgrades (the HTTP layer writes the 101 and calls
   sio__wsc_attach); a client dials and sends the opening handshake itself
   (sio__wsc_dial) and becomes the same object once the 101 has come.
   From then on both roles run the same code. The role decides only the
   masking (section 5.1: a client masks every frame with a fresh random
   key, so a proxy cannot be fed bytes chosen by the page; a server never
   masks) and so which frames the reader accepts. Pings are answered
   here; messages, pongs and the end of the connection go up through
   sio__wsc_handlers. The object lives as long as its TCP connection: the
   owner drops its pointer in on_close, and the memory goes with the
   connection's at the end of the loop turn. */

enum { SIO__WSC_CONNECTING = 1, SIO__WSC_OPEN, SIO__WSC_CLOSING, SIO__WSC_CLOSED };

typedef struct sio__wsc sio__wsc;
typedef struct sio__wsc_handlers {
    void (*on_open)(sio__wsc *w, void *user);   /* dialed: the 101 came; may be NULL */
    void (*on_message)(sio__wsc *w, char *data, size_t len, int binary, void *user);
    void (*on_pong)(sio__wsc *w, const char *data, size_t len, void *user);   /* may be NULL */
    /* Once, unless the owner ended or aborted it. err: SIO_OK after a
       close handshake (code = the peer's, 1005 for none); SIO_ERR_PROTOCOL,
       SIO_ERR_UTF8 or SIO_ERR_TOO_BIG when the peer broke the rules (code
       = what we sent); else why the TCP connection went (code 0). why:
       the reason in words when there is more to say (TLS), else NULL. */
    void (*on_close)(sio__wsc *w, int err, int code, const char *why, void *user);
} sio__wsc_handlers;

/* What only a client needs until its handshake is answered. */
typedef struct sio__wsc_dialing {
    sio_buf req;                 /* the upgrade request */
    char accept[29];             /* the Sec-WebSocket-Accept we expect */
} sio__wsc_dialing;

struct sio__wsc {
    sio__conn *c;                /* NULL once closed */
    const sio__wsc_handlers *h;
    void *user;
    sio__rng *rng;               /* client role: masking keys; NULL on a server */
    sio__wsc_dialing *dial;      /* client role, until open */
    int state;                   /* SIO__WSC_* */
    int sent_close;              /* our close frame is out: the peer's answers it */
    sio_ws_reader rd;
};

static long sio__wsc_on_data(sio__conn *c, char *data, size_t len);
static void sio__wsc_on_closed(sio__conn *c, int err);
static void sio__wsc_on_free(sio__conn *c);
static const sio__conn_ops sio__wsc_ops = {sio__wsc_on_data, sio__wsc_on_closed, NULL, NULL, sio__wsc_on_free};

static void sio__wsc_dial_free(sio__wsc *w, const sio_allocator *a) {
    if (!w->dial) return;
    sio_buf_free(&w->dial->req);
    sio__free(a, w->dial);
    w->dial = NULL;
}

static void sio__wsc_on_free(sio__conn *c) {
    sio__wsc *w = (sio__wsc *)c->proto;
    if (!w) return;
    sio__wsc_dial_free(w, c->loop->alloc);
    sio_ws_reader_free(&w->rd);
    sio__free(c->loop->alloc, w);
}

static sio__wsc *sio__wsc_new(const sio_allocator *a, size_t max_message, sio__rng *rng,
                              const sio__wsc_handlers *h, void *user) {
    sio__wsc *w = (sio__wsc *)sio__malloc(a, sizeof *w);
    if (!w) return NULL;
    memset(w, 0, sizeof *w);
    w->h = h;
    w->user = user;
    w->rng = rng;
    w->rd.expect_masked = rng == NULL;   /* a server reads masked frames */
    w->rd.max_message = max_message;
    w->rd.alloc = a;
    return w;
}

/* Server role: c has just sent its 101; from now on it speaks frames. */
static SIO__UNUSED sio__wsc *sio__wsc_attach(sio__conn *c, size_t max_message, const sio__wsc_handlers *h, void *user) {
    sio__wsc *w = sio__wsc_new(c->loop->alloc, max_message, NULL, h, user);
    if (!w) return NULL;
    w->c = c;
    w->state = SIO__WSC_OPEN;
    c->proto = w;
    c->ops = &sio__wsc_ops;
    return w;
}

/* One frame: an optional leading byte (the Engine.IO packet type, so
   "4" + text needs no copy), then the data; masked in the client role. */
static int sio__wsc_put(sio__wsc *w, int opcode, int fin, int lead, const void *data, size_t len) {
    unsigned char hdr[14], key[4];
    size_t total = len + (lead >= 0), hl;
    char *p;
    if (!w->c || (w->state != SIO__WSC_OPEN && !(w->state == SIO__WSC_CLOSING && opcode == SIO_WS_OP_CLOSE)))
        return SIO_ERR_CLOSED;
    if (w->rng) sio__rng_bytes(w->rng, key, 4);
    hl = sio_ws_write_header(hdr, fin, opcode, (uint64_t)total, w->rng ? key : NULL);
    p = sio__conn_reserve(w->c, hl + total);
    if (!p) return SIO_ERR_CLOSED;
    memcpy(p, hdr, hl);
    if (lead >= 0) p[hl] = (char)lead;
    if (len) memcpy(p + hl + (lead >= 0), data, len);
    if (w->rng) sio_ws_mask((unsigned char *)p + hl, total, key, 0);
    w->c->out.len += hl + total;
    return SIO_OK;
}

static int sio__wsc_send(sio__wsc *w, int lead, const void *data, size_t len, int binary) {
    return sio__wsc_put(w, binary ? SIO_WS_OP_BINARY : SIO_WS_OP_TEXT, 1, lead, data, len);
}

/* Our close frame (code 0: an empty one), through the codec's builder. */
static void sio__wsc_send_close(sio__wsc *w, int code, const char *reason) {
    char mem[2 + 8 + 4 + 125];
    unsigned char key[4];
    sio_buf b;
    if (!w->c || w->sent_close) return;
    if (w->rng) sio__rng_bytes(w->rng, key, 4);
    sio__stackbuf(&b, mem, sizeof mem);
    if (sio_ws_append_close(&b, code, reason, w->rng ? key : NULL) != SIO_OK) {
        sio_buf_reset(&b);
        sio_ws_append_close(&b, 0, NULL, w->rng ? key : NULL);
    }
    w->sent_close = 1;
    sio__conn_send(w->c, b.data, b.len);
}

/* Detaches w from its connection and lets what is queued go out. */
static sio__conn *sio__wsc_detach(sio__wsc *w) {
    sio__conn *c = w->c;
    w->c = NULL;
    w->state = SIO__WSC_CLOSED;
    return c;
}

/* The owner is done with it: a close frame (code 0: empty), then the
   connection ends once that is written. No callback follows. */
static void sio__wsc_end(sio__wsc *w, int code) {
    sio__conn *c;
    if (!w || !w->c) return;
    if (w->state == SIO__WSC_OPEN || w->state == SIO__WSC_CLOSING) {
        w->state = SIO__WSC_CLOSING;
        sio__wsc_send_close(w, code, NULL);
    }
    c = sio__wsc_detach(w);
    if (w->state == SIO__WSC_CONNECTING || !w->sent_close) sio__conn_close(c, SIO_OK);
    else sio__conn_end(c);
}

/* Drops the connection at once, without a close frame or callbacks. */
static void sio__wsc_abort(sio__wsc *w) {
    if (w && w->c) sio__conn_close(sio__wsc_detach(w), SIO_OK);
}

/* The closing handshake (section 7.1.2): our close frame, then the
   peer's answer ends it and on_close has SIO_OK. */
static SIO__UNUSED void sio__wsc_close(sio__wsc *w, int code, const char *reason) {
    if (!w || !w->c) return;
    if (w->state == SIO__WSC_CONNECTING) {
        sio__wsc_abort(w);
        return;
    }
    if (w->state != SIO__WSC_OPEN) return;
    w->state = SIO__WSC_CLOSING;
    sio__wsc_send_close(w, code, reason);
}

/* Tells the owner, once; w is already detached. */
static void sio__wsc_report(sio__wsc *w, sio__conn *c, int err, int code) {
    char why[160];
    if (err == SIO_ERR_TLS) sio__tls_why(c, why, sizeof why);
    w->state = SIO__WSC_CLOSED;
    if (w->h->on_close) w->h->on_close(w, err, code, err == SIO_ERR_TLS ? why : NULL, w->user);
}

/* The peer broke the protocol: our close frame with the reader's code
   (1002, 1007, 1009), and the connection ends once it is written. */
static void sio__wsc_fail(sio__wsc *w, sio__conn *c, int err) {
    int code = w->rd.error_code;
    sio__log(c->loop->log, SIO_LOG_INFO, "fd %d: WebSocket: %s, closing with %d", c->fd,
             w->rd.error_text ? w->rd.error_text : sio_strerror(err), code);
    if (w->state == SIO__WSC_OPEN) w->state = SIO__WSC_CLOSING;
    sio__wsc_send_close(w, code, NULL);
    sio__wsc_detach(w);
    sio__conn_end(c);
    sio__wsc_report(w, c, err, code);
}

/* Client role: the answer to the opening handshake (section 4.2.2). */
static long sio__wsc_handshake(sio__wsc *w, sio__conn *c, char *data, size_t len) {
    sio_http_msg m;
    sio_str acc;
    int hl = sio_http_parse_response(data, len, &m), err;
    if (hl == 0) return 0;
    err = hl < 0 ? SIO_ERR_PROTOCOL : SIO_OK;
    if (hl < 0) {
        sio__log(c->loop->log, SIO_LOG_INFO, "websocket: malformed handshake answer");
    } else {
        acc = sio_http_header_get(&m, "Sec-WebSocket-Accept");
        if (m.status != 101 || !m.upgrade_websocket || acc.len != 28 || memcmp(acc.ptr, w->dial->accept, 28) != 0) {
            sio__log(c->loop->log, SIO_LOG_INFO, "websocket: upgrade refused (HTTP %d%s)", m.status,
                     m.status == 101 ? ", bad Sec-WebSocket-Accept" : "");
            err = m.status == 101 ? SIO_ERR_PROTOCOL : SIO_ERR_REFUSED;
        }
    }
    if (err != SIO_OK) {
        sio__wsc_detach(w);
        sio__conn_close(c, err);
        sio__wsc_report(w, c, err, 0);
        return -1;
    }
    sio__wsc_dial_free(w, c->loop->alloc);
    w->state = SIO__WSC_OPEN;
    if (w->h->on_open) w->h->on_open(w, w->user);
    return hl;
}

static long sio__wsc_on_data(sio__conn *c, char *data, size_t len) {
    sio__wsc *w = (sio__wsc *)c->proto;
    size_t used = 0;
    if (!w || w->c != c) return (long)len;   /* ended by its owner: read and dropped */
    if (w->state == SIO__WSC_CONNECTING) {
        long hl = sio__wsc_handshake(w, c, data, len);
        if (hl <= 0) return hl < 0 ? (long)len : 0;
        used = (size_t)hl;
    }
    while (used < len && w->c == c && !(c->flags & (SIO__F_DEAD | SIO__F_CLOSING))) {
        sio_ws_msg msg;
        int n = sio_ws_read(&w->rd, (unsigned char *)data + used, len - used, &msg);
        if (n < 0) {
            sio__wsc_fail(w, c, n);
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
            /* after our close frame, data is read and dropped */
            if (w->state == SIO__WSC_OPEN) w->h->on_message(w, (char *)msg.data, msg.len, msg.kind == SIO_WS_BINARY, w->user);
            break;
        case SIO_WS_PING:
            sio__wsc_put(w, SIO_WS_OP_PONG, 1, -1, msg.data, msg.len);
            break;
        case SIO_WS_PONG:
            if (w->h->on_pong) w->h->on_pong(w, (const char *)msg.data, msg.len, w->user);
            break;
        case SIO_WS_CLOSE:
            /* the peer's close: echo its code (an empty close gets an empty
               one) unless it answers ours, then end (section 5.5.1) */
            if (w->state == SIO__WSC_OPEN) w->state = SIO__WSC_CLOSING;
            sio__wsc_send_close(w, msg.close_code == 1005 ? 0 : msg.close_code, NULL);
            sio__wsc_detach(w);
            sio__conn_end(c);
            sio__wsc_report(w, c, SIO_OK, msg.close_code);
            return (long)len;
        default:
            break;
        }
    }
    return (long)used;
}

static void sio__wsc_on_closed(sio__conn *c, int err) {
    sio__wsc *w = (sio__wsc *)c->proto;
    if (!w || w->c != c) return;
    sio__wsc_detach(w);
    sio__wsc_report(w, c, err == SIO_OK ? SIO_ERR_CLOSED : err, 0);
}

#ifndef SIO_NO_CLIENT
/* Client role: connects to the addresses in turn and sends the opening
   handshake (section 4.1). host_hdr is "host:port", target the path and
   query, extra "K: V\r\n" lines or NULL; tls_ctx non-NULL for wss. The
   strings are copied; addrs must outlive the handshake. */
static sio__wsc *sio__wsc_dial(sio__loop *L, sio__rng *rng, const sio__addrs *ad, const char *host_hdr,
                               const char *target, const char *extra, void *tls_ctx, const char *tls_host,
                               size_t max_message, const sio__wsc_handlers *h, void *user, int *err) {
    unsigned char nonce[16];
    char key[25];
    sio__wsc *w = sio__wsc_new(L->alloc, max_message, rng, h, user);
    sio__conn *c = NULL;
    sio_buf *r;
    if (!w || !(w->dial = (sio__wsc_dialing *)sio__malloc(L->alloc, sizeof *w->dial))) {
        sio__free(L->alloc, w);
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    memset(w->dial, 0, sizeof *w->dial);
    w->state = SIO__WSC_CONNECTING;
    r = &w->dial->req;
    r->alloc = L->alloc;
    sio__rng_bytes(rng, nonce, sizeof nonce);
    sio_ws_make_key(nonce, key);
    sio_ws_accept_key(key, 24, w->dial->accept);
    sio_buf_appends(r, "GET ");
    sio_buf_appends(r, target);
    sio_buf_appends(r, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(r, host_hdr);
    sio_buf_appends(r, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    sio_buf_appends(r, key);
    sio_buf_appends(r, "\r\nSec-WebSocket-Version: 13\r\n");
    if (extra) sio_buf_appends(r, extra);
    sio_buf_appends(r, "\r\n");
    /* the connection gets w only once the request is queued, so a failure
       here is a return value, never a callback */
    if (!(*err = r->err)) c = sio__dial(L, ad, &sio__wsc_ops, user, err);
    if (c && ((*err = sio__tls_attach(c, tls_ctx, tls_host)) != SIO_OK ||
              (*err = sio__conn_send(c, r->data, r->len)) != SIO_OK)) {
        sio__conn_close(c, *err);
        c = NULL;
    }
    if (!c) {
        sio__wsc_dial_free(w, L->alloc);
        sio__free(L->alloc, w);
        return NULL;
    }
    c->proto = w;
    w->c = c;
    return w;
}
#endif

#ifndef SIO_NO_SERVER
/* =====================================================================
   >>httpd: the server's HTTP/1.1 connections
   =====================================================================
   Accepts connections, parses requests off them (pipelined ones in
   order), answers, and bounds every slow peer: a whole request must come
   within http_timeout_ms, a body larger than max_body is refused before
   it is read, and bytes that pile up behind a held request are capped.
   What a request means is not known here: each one goes up through
   sio__httpd_handlers, to be answered at once or held (long-polling)
   and answered later, or upgraded to a WebSocket.
   A host the server is attached to hands in sockets it accepted
   (sio__httpd_adopt: from then on like ours) or single requests
   (sio__httpd_request). A request becomes a connection without a socket:
   its bytes are rebuilt as HTTP/1.1 and parsed like any other, and the
   answer the layer writes is taken apart again for the host by the
   loop's host hook (sio__host_deliver). A WebSocket handshake answered
   101 waits there for the socket the host switched (sio__httpd_upgraded). */

typedef struct sio__hconn sio__hconn;
typedef struct sio__httpd sio__httpd;

typedef struct sio__httpd_handlers {
    /* A whole request, body included: answer it (sio__http_answer), hold
       it (sio__hconn.held) or upgrade the connection (sio__httpd_upgrade). */
    void (*on_request)(sio__hconn *h, const sio_http_msg *m, char *body, size_t len, void *user);
    /* A request whose body is over max_body, before any of it was read:
       answer it; the connection closes after. */
    void (*on_too_big)(sio__hconn *h, const sio_http_msg *m, void *user);
    /* The connection of a held request went away. */
    void (*on_gone)(sio__hconn *h, int err, void *user);
} sio__httpd_handlers;

struct sio__httpd {
    sio__loop *loop;
    const sio_logger *log;
    const sio__httpd_handlers *h;
    void *user;
    /* limits, already clamped to the compiled-in ones */
    int max_headers, max_header_bytes, max_request_line, max_connections;
    long long max_body;
    const char *cors_origin;     /* NULL = no CORS headers (see sio_server_desc) */
    int cors_credentials;
    int (*cors_allow)(const char *origin, void *user);
    void *cors_user;
    void *tls_ctx;               /* sio__tls_ctx: serve https */
};

/* A server connection: the loop's, plus what HTTP keeps between requests. */
struct sio__hconn {
    sio__conn c;
    sio__httpd *srv;
    unsigned char keep_alive;
    unsigned char cors;          /* the next answer carries the CORS headers */
    void *held;                  /* who holds the current request (an Engine.IO session) */
    char *origin;                /* the request's Origin, kept only when CORS is on */
    /* a request handed in by a host (sio_server_request): no socket of
       its own until a WebSocket upgrade gives it the host's */
    unsigned char host_state;    /* SIO__HS_* */
    unsigned char head_only;     /* a HEAD request: no body follows the answer's head */
    void (*respond)(void *user, int status, const char *headers, const void *body, size_t len);
    void (*release)(void *user, int fd);
    void *host_user;
};

enum {
    SIO__HS_NONE = 0,            /* a connection of the library's own */
    SIO__HS_WAIT,                /* the answer is not given yet */
    SIO__HS_SWITCHED,            /* 101 given: frames queue until the socket comes */
    SIO__HS_SOCKET,              /* runs on the host's socket */
    SIO__HS_DONE                 /* answered, or the host's connection went */
};

static long sio__http_on_data(sio__conn *c, char *data, size_t len);
static void sio__http_on_closed(sio__conn *c, int err);
static void sio__http_on_free(sio__conn *c);
static void sio__http_accept(sio__conn *l);
static const sio__conn_ops sio__http_ops = {sio__http_on_data, sio__http_on_closed, NULL, NULL, sio__http_on_free};
static const sio__conn_ops sio__listen_ops = {NULL, NULL, NULL, sio__http_accept, NULL};

#define SIO__HCONN(c) ((sio__hconn *)(void *)(c))
#define SIO__HLOG(hs, lvl, ...) sio__log((hs)->log, lvl, __VA_ARGS__)

/* Access-Control-Allow-Origin: "*" for a wildcard, with or without
   credentials (never the request's origin reflected: with credentials
   that would let any site read a logged-in user's session); an origin
   the allow-list or cors_allow accepts, named back. */
static void sio__cors_headers(const sio__httpd *hs, sio_buf *h, const char *origin) {
    const char *allow = hs->cors_origin, *p = allow;
    size_t ol;
    int ok = 0;
    if (!allow && !hs->cors_allow) return;
    if (!hs->cors_allow && strcmp(allow, "*") == 0) {
        sio_buf_appends(h, "Access-Control-Allow-Origin: *\r\n");
        if (hs->cors_credentials) sio_buf_appends(h, "Access-Control-Allow-Credentials: true\r\n");
        return;
    }
    if (!origin || !*origin) return;
    ol = strlen(origin);
    if (hs->cors_allow) ok = hs->cors_allow(origin, hs->cors_user) == 1;
    while (!ok && !hs->cors_allow && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && *p == ' ') p++, n--;
        while (n && p[n - 1] == ' ') n--;
        if (n == ol && memcmp(p, origin, n) == 0) ok = 1;
        p = e ? e + 1 : p + strlen(p);
    }
    if (!ok) return;
    sio_buf_appends(h, "Access-Control-Allow-Origin: ");
    sio_buf_appends(h, origin);
    sio_buf_appends(h, "\r\nVary: Origin\r\n");
    if (hs->cors_credentials) sio_buf_appends(h, "Access-Control-Allow-Credentials: true\r\n");
}

static void sio__http_rearm(sio__conn *c, int restart) {
    sio__loop *L = c->loop;
    if (restart || !c->timer.slot) sio__timer_set(&L->timers, L->alloc, &c->timer, L->now + (uint64_t)L->http_timeout_ms);
}

/* Writes an answer's head, for a body of len bytes that follows. It is
   built on the stack, so an answer written from deep inside a close path
   touches no shared buffer. */
static int sio__http_head_out(sio__hconn *h, int status, const char *ctype, size_t len, const char *extra) {
    sio__conn *c = &h->c;
    char xmem[2048], hmem[3072];
    sio_buf x, hd;
    sio__stackbuf(&x, xmem, sizeof xmem);
    sio__stackbuf(&hd, hmem, sizeof hmem);
    if (extra) sio_buf_appends(&x, extra);
    if (h->cors || status == 204) sio__cors_headers(h->srv, &x, h->origin);
    if (!h->keep_alive) sio_buf_appends(&x, "Connection: close\r\n");
    sio_buf_appendc(&x, 0);
    sio_http_write_head(&hd, status, ctype, (long long)len, x.err ? NULL : x.data);
    if (x.err || hd.err) {
        SIO__HLOG(h->srv, SIO_LOG_ERROR, "fd %d: answer headers too long", c->fd);
        sio__conn_close(c, SIO_ERR_TOO_BIG);
        return SIO_ERR_TOO_BIG;
    }
    h->cors = 0;
    return sio__conn_send(c, hd.data, hd.len);
}

/* The answer is out: the connection ends unless it is kept alive. */
static void sio__http_done(sio__hconn *h) {
    if (!h->keep_alive) sio__conn_end(&h->c);
}

/* A whole answer; body NULL with len > 0 answers a HEAD request. */
static void sio__http_answer(sio__hconn *h, int status, const char *ctype, const void *body, size_t len,
                             const char *extra) {
    if (sio__http_head_out(h, status, ctype, len, extra) != SIO_OK) return;
    if (len && body) sio__conn_send(&h->c, body, len);
    sio__http_done(h);
}

/* The held request is answered: the connection may carry the next one. */
static void sio__httpd_release(sio__hconn *h) {
    h->held = NULL;
    sio__http_rearm(&h->c, 1);
}

/* 101 Switching Protocols, then the connection speaks WebSocket frames.
   A handshake that is not RFC 6455's gets 400 and NULL. */
static sio__wsc *sio__httpd_upgrade(sio__hconn *h, const sio_http_msg *m, size_t max_message,
                                    const sio__wsc_handlers *wh, void *user) {
    sio__conn *c = &h->c;
    sio_str key = sio_http_header_get(m, "Sec-WebSocket-Key");
    sio_str ver = sio_http_header_get(m, "Sec-WebSocket-Version");
    char accept[29], mem[160];
    sio_buf b;
    sio__wsc *w;
    if (!key.ptr || sio_ws_accept_key(key.ptr, key.len, accept) != SIO_OK || ver.len != 2 ||
        memcmp(ver.ptr, "13", 2) != 0) {
        SIO__HLOG(h->srv, SIO_LOG_INFO, "fd %d: refused WebSocket handshake (%s)", c->fd,
                  !key.ptr ? "no Sec-WebSocket-Key" : ver.len != 2 || memcmp(ver.ptr, "13", 2) != 0
                  ? "Sec-WebSocket-Version is not 13" : "bad Sec-WebSocket-Key");
        h->keep_alive = 0;
        sio__http_answer(h, 400, "text/plain", "Bad WebSocket handshake", 23, NULL);
        return NULL;
    }
    if (!(w = sio__wsc_attach(c, max_message, wh, user))) {
        sio__conn_close(c, SIO_ERR_NOMEM);
        return NULL;
    }
    sio__stackbuf(&b, mem, sizeof mem);
    sio_buf_appends(&b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: ");
    sio_buf_appends(&b, accept);
    sio_buf_appends(&b, "\r\n\r\n");
    sio__conn_send(c, b.data, b.len);
    sio__timer_cancel(&c->loop->timers, &c->timer);
    sio__free(c->loop->alloc, h->origin);   /* no HTTP answer follows on it */
    h->origin = NULL;
    return w;
}

/* Checks one request head against the run-time caps, which may be tighter
   than the parser's: returns the parser's result or SIO_ERR_TOO_BIG with
   the status to answer. */
static int sio__http_head(const sio__httpd *hs, const char *data, size_t len, sio_http_msg *m, int *status) {
    int hl = sio_http_parse_request(data, len, m, status);
    if (hl == 0 && len > (size_t)hs->max_header_bytes) {
        *status = memchr(data, '\n', len) ? 431 : 414;
        return SIO_ERR_TOO_BIG;
    }
    if (hl > 0) {
        size_t line = m->method.len + 1 + m->target.len + 9;
        if (line > (size_t)hs->max_request_line) hl = SIO_ERR_TOO_BIG, *status = 414;
        else if (m->header_count > hs->max_headers || hl > hs->max_header_bytes) hl = SIO_ERR_TOO_BIG, *status = 431;
    }
    return hl;
}

/* An answer that ends the connection (bad request, refused body). */
static long sio__http_refuse(sio__hconn *h, int status, size_t len) {
    h->keep_alive = 0;
    sio__http_answer(h, status, "text/plain", sio_http_reason(status), strlen(sio_http_reason(status)), NULL);
    return (long)len;
}

/* Parses requests off an HTTP connection; returns bytes consumed. */
static long sio__http_on_data(sio__conn *c, char *data, size_t len) {
    sio__hconn *h = SIO__HCONN(c);
    sio__httpd *hs = h->srv;
    size_t used = 0;
    while (used < len && !(c->flags & (SIO__F_DEAD | SIO__F_CLOSING)) && c->ops == &sio__http_ops) {
        sio_http_msg m;
        int status = 400, hl;
        long long blen;
        sio_str origin;
        if (h->held) {
            /* a request pipelined behind a held one waits, but neither
               longer than a request may take nor bigger than one may be */
            if (len - used > (size_t)hs->max_header_bytes + (size_t)hs->max_body) {
                SIO__HLOG(hs, SIO_LOG_INFO, "fd %d: %lu bytes waiting behind a held request, answering 431", c->fd,
                          (unsigned long)(len - used));
                return sio__http_refuse(h, 431, len);
            }
            sio__http_rearm(c, 0);
            break;
        }
        hl = sio__http_head(hs, data + used, len - used, &m, &status);
        if (hl == 0) {
            sio__http_rearm(c, 0);
            break;
        }
        if (hl < 0) {
            SIO__HLOG(hs, SIO_LOG_INFO, "fd %d: bad request: %s, answering %d", c->fd,
                      status == 414 ? "request line too long" : status == 431 ? "head too big or too many headers"
                      : status == 505 ? "not HTTP/1.x" : status == 501 ? "unknown Transfer-Encoding"
                      : "malformed head", status);
            return sio__http_refuse(h, status, len);
        }
        if (m.chunked) {
            SIO__HLOG(hs, SIO_LOG_INFO, "fd %d: chunked request body, answering 411", c->fd);
            return sio__http_refuse(h, 411, len);
        }
        blen = m.content_length < 0 ? 0 : m.content_length;
        h->keep_alive = (unsigned char)m.keep_alive;
        origin = sio_http_header_get(&m, "Origin");
        sio__free(c->loop->alloc, h->origin);
        h->origin = NULL;
        if ((hs->cors_origin || hs->cors_allow) && origin.len && origin.len < 512)
            h->origin = sio__strndup(c->loop->alloc, origin.ptr, origin.len);
        if (blen > hs->max_body) {
            SIO__HLOG(hs, SIO_LOG_INFO, "fd %d: body of %lld bytes over %lld, answering 413", c->fd, blen, hs->max_body);
            h->keep_alive = 0;
            hs->h->on_too_big(h, &m, hs->user);
            return (long)len;
        }
        if ((size_t)hl + (size_t)blen > len - used) {
            sio__http_rearm(c, 0);   /* the body, within the same deadline */
            break;
        }
        sio__timer_cancel(&c->loop->timers, &c->timer);
        hs->h->on_request(h, &m, data + used + hl, (size_t)blen, hs->user);
        used += (size_t)hl + (size_t)blen;
        if (!h->held && !(c->flags & SIO__F_DEAD) && c->ops == &sio__http_ops) sio__http_rearm(c, 1);
    }
    /* an upgrade: what follows the request is the new protocol's */
    if (c->ops != &sio__http_ops && used < len && !(c->flags & SIO__F_DEAD)) {
        long more = c->ops->on_data(c, data + used, len - used);
        if (more < 0) return more;
        used += (size_t)more;
    }
    return (long)used;
}

static void sio__http_on_closed(sio__conn *c, int err) {
    sio__hconn *h = SIO__HCONN(c);
    if (h->held) h->srv->h->on_gone(h, err, h->srv->user);
    h->held = NULL;
}

static void sio__http_on_free(sio__conn *c) { sio__free(c->loop->alloc, SIO__HCONN(c)->origin); }

static void sio__http_timeout(sio__timer *t) {
    sio__conn *c = (sio__conn *)(void *)((char *)t - offsetof(sio__conn, timer));
    sio__hconn *h = SIO__HCONN(c);
    SIO__HLOG(h->srv, SIO_LOG_INFO, "fd %d: request not complete within %d ms, closing", c->fd, c->loop->http_timeout_ms);
    if (c->in.len && !h->held) {   /* a held request's answer is its own */
        h->keep_alive = 0;
        sio__http_answer(h, 408, "text/plain", "Request Timeout", 15, NULL);
    } else {
        sio__conn_close(c, SIO_ERR_TIMEOUT);
    }
}

/* An HTTP connection on fd (-1: a host's request, see below). */
static sio__hconn *sio__httpd_conn(sio__httpd *hs, int fd) {
    sio__hconn *h = (sio__hconn *)(void *)sio__conn_add(hs->loop, fd, SIO__C_PEER, &sio__http_ops, hs->user, sizeof *h);
    if (!h) return NULL;
    h->srv = hs;
    h->keep_alive = 1;
    h->c.timer.fn = sio__http_timeout;
    return h;
}

static void sio__http_accept(sio__conn *l) {
    sio__httpd *hs = (sio__httpd *)l->owner;
    int k;
    for (k = 0; k < SIO_ACCEPT_BURST; k++) {
        sio__hconn *h;
#ifdef SIO__ACCEPT4
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
#else
        int fd = accept(l->fd, NULL, NULL), one = 1;
#endif
        if (fd < 0) {
            int e = SIO__SOCKERR;
            if (e == EINTR) continue;
            if (e == EMFILE || e == ENFILE) SIO__HLOG(hs, SIO_LOG_ERROR, "accept: out of file descriptors");
            return;
        }
        if (hs->loop->npeers >= (size_t)hs->max_connections) {
            /* full: answer politely and close, keep accepting */
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            ssize_t w = send(fd, busy, sizeof busy - 1, SIO__NOSIGNAL | SIO__DONTWAIT);
            (void)w;
            sio__closesocket(fd);
            SIO__HLOG(hs, SIO_LOG_WARN, "connection refused: max_connections (%d) reached", hs->max_connections);
            continue;
        }
#ifndef SIO__ACCEPT4
        if (sio__set_nonblock(fd) != SIO_OK) {
            sio__closesocket(fd);
            continue;
        }
#endif
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!(h = sio__httpd_conn(hs, fd))) {
            sio__closesocket(fd);
            return;
        }
#ifdef SIO_TLS_BEARSSL
        /* the handshake must finish within the request deadline too */
        if (hs->tls_ctx && !(h->c.tls = sio__tls_new((sio__tls_ctx *)hs->tls_ctx, NULL))) {
            sio__conn_close(&h->c, SIO_ERR_NOMEM);
            continue;
        }
#endif
        sio__http_rearm(&h->c, 1);
    }
}

/* ---- connections and requests a host hands in ---- */

/* A socket accepted by the host, with what it already read: the same as
   one of ours from here on. */
static int sio__httpd_adopt(sio__httpd *hs, int fd, const void *read, size_t len) {
    sio__hconn *h;
    int one = 1;
    if (fd < 0 || (len && !read)) return SIO_ERR_INVALID;
    if (hs->tls_ctx) return SIO_ERR_UNSUPPORTED;   /* its bytes were read past a TLS engine */
    if (hs->loop->npeers >= (size_t)hs->max_connections) {
        SIO__HLOG(hs, SIO_LOG_WARN, "adopted connection refused: max_connections (%d) reached", hs->max_connections);
        return SIO_ERR_TOO_BIG;
    }
    if (sio__set_nonblock(fd) != SIO_OK) return SIO_ERR_IO;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!(h = sio__httpd_conn(hs, fd))) return SIO_ERR_NOMEM;
    sio__http_rearm(&h->c, 1);
    if (len && sio_buf_append(&h->c.in, read, len) != SIO_OK) {
        h->c.fd = -1;   /* still the caller's */
        sio__conn_close(&h->c, SIO_ERR_NOMEM);
        return SIO_ERR_NOMEM;
    }
    if (len) sio__conn_feed(&h->c, h->c.in.data, h->c.in.len, 1);
    return SIO_OK;
}

/* Whether a header line names one the request is rebuilt without: the
   body's length is the one handed in, and no framing of the host's may
   reach the parser. */
static int sio__host_hidden(const char *line, size_t n) {
    const char *colon = (const char *)memchr(line, ':', n);
    sio_str name = sio__http_str(line, colon ? (size_t)(colon - line) : n);
    return sio__http_ieq(name, "Content-Length") || sio__http_ieq(name, "Transfer-Encoding");
}

/* The answer's head and body, out of the bytes the HTTP layer wrote, to
   the host: what a host writes itself (length, connection) is left out. */
static void sio__host_deliver(sio__hconn *h) {
    sio__conn *c = &h->c;
    sio_http_msg m;
    sio_buf hd;
    size_t body, i;
    int hl = sio_http_parse_response(c->out.data, c->out.len, &m);
    if (hl <= 0) return;   /* none yet (the HTTP layer writes whole heads) */
    body = h->head_only || m.status == 101 || m.content_length < 0 ? 0 : (size_t)m.content_length;
    if (c->out.len - (size_t)hl < body) return;
    memset(&hd, 0, sizeof hd);
    hd.alloc = c->loop->alloc;
    for (i = 0; i < (size_t)m.header_count; i++) {
        const sio_http_header *x = &m.headers[i];
        if (sio__http_ieq(x->name, "Content-Length") || sio__http_ieq(x->name, "Connection")) continue;
        sio_buf_append(&hd, x->name.ptr, x->name.len);
        sio_buf_appends(&hd, ": ");
        sio_buf_append(&hd, x->value.ptr, x->value.len);
        sio_buf_appends(&hd, "\r\n");
    }
    if (m.status == 101) {
        /* the WebSocket's own Connection: Upgrade stays */
        sio_buf_appends(&hd, "Connection: Upgrade\r\n");
    }
    sio_buf_appendc(&hd, 0);
    if (hd.err) {
        sio_buf_free(&hd);
        sio__conn_close(c, SIO_ERR_NOMEM);
        return;
    }
    h->host_state = m.status == 101 ? SIO__HS_SWITCHED : SIO__HS_DONE;
    h->respond(h->host_user, m.status, hd.data, c->out.data + hl, body);
    sio_buf_free(&hd);
    sio_buf_consume(&c->out, (size_t)hl + body);
    if (h->host_state == SIO__HS_DONE) sio__conn_close(c, SIO_OK);
}

static void sio__host_hook(sio__conn *c, int what) {
    sio__hconn *h = SIO__HCONN(c);
    if (what == SIO__HOST_WRITE) {
        if (h->host_state == SIO__HS_WAIT) sio__host_deliver(h);
        return;
    }
    if (h->host_state == SIO__HS_WAIT) {
        /* closed before an answer (the server going away, a refusal that
           could not be written): the host still waits for one */
        h->host_state = SIO__HS_DONE;
        h->respond(h->host_user, 503, "Content-Type: text/plain\r\n", "Service Unavailable", 19);
    } else if (h->host_state == SIO__HS_SOCKET && c->fd >= 0) {
        if (h->release) h->release(h->host_user, c->fd);
        else sio__closesocket(c->fd);
    }
    h->host_state = SIO__HS_DONE;
}

/* One request rebuilt as HTTP/1.1 bytes and parsed as any other, so that
   limits, CORS and routing are the ones of the server's own connections. */
static sio__hconn *sio__httpd_request(sio__httpd *hs, const sio_host_request *req, int *err) {
    sio__hconn *h;
    sio_buf *b;
    const char *p;
    if (!req || !req->method || !req->target || !req->respond || (req->body_len && !req->body) ||
        !req->method[0] || req->target[0] != '/' || strpbrk(req->method, " \r\n") || strpbrk(req->target, " \r\n")) {
        *err = SIO_ERR_INVALID;
        return NULL;
    }
    if (!(h = sio__httpd_conn(hs, -1))) {
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    h->c.host = sio__host_hook;
    h->host_state = SIO__HS_WAIT;
    h->head_only = strcmp(req->method, "HEAD") == 0;
    h->respond = req->respond;
    h->release = req->release;
    h->host_user = req->user;
    b = &h->c.in;
    sio_buf_appends(b, req->method);
    sio_buf_appendc(b, ' ');
    sio_buf_appends(b, req->target);
    sio_buf_appends(b, " HTTP/1.1\r\n");
    for (p = req->headers; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && p[n - 1] == '\r') n--;
        if (n && !sio__host_hidden(p, n)) {
            sio_buf_append(b, p, n);
            sio_buf_appends(b, "\r\n");
        }
        p = e ? e + 1 : p + strlen(p);
    }
    sio_buf_appends(b, "Content-Length: ");
    sio_buf_appendu(b, (unsigned long long)req->body_len);
    sio_buf_appends(b, "\r\n\r\n");
    sio_buf_append(b, req->body, req->body_len);
    if (b->err) {
        h->host_state = SIO__HS_DONE;   /* nothing to answer: the caller hears the error */
        sio__conn_close(&h->c, SIO_ERR_NOMEM);
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    *err = SIO_OK;
    sio__conn_feed(&h->c, b->data, b->len, 1);
    if (!(h->c.flags & SIO__F_DEAD)) sio__conn_flush(&h->c);
    return h->host_state == SIO__HS_DONE ? NULL : h;
}

static int sio__httpd_upgraded(sio__hconn *h, int fd, const void *extra, size_t len) {
    int rc = h->host_state != SIO__HS_SWITCHED || (len && !extra) ? SIO_ERR_STATE : sio__conn_set_fd(&h->c, fd);
    if (rc != SIO_OK) {
        if (h->release) h->release(h->host_user, fd);
        else sio__closesocket(fd);
        if (h->host_state == SIO__HS_SWITCHED) sio__conn_close(&h->c, rc);
        return rc;
    }
    h->host_state = SIO__HS_SOCKET;
    if (len) {
        if (sio_buf_append(&h->c.in, extra, len) != SIO_OK) {
            sio__conn_close(&h->c, SIO_ERR_NOMEM);
            return SIO_ERR_NOMEM;
        }
        sio__conn_feed(&h->c, h->c.in.data, h->c.in.len, 1);
    }
    return SIO_OK;
}

static void sio__httpd_gone(sio__hconn *h) {
    if (h->host_state == SIO__HS_DONE) return;
    h->host_state = SIO__HS_DONE;
    sio__conn_close(&h->c, SIO_ERR_CLOSED);
}

/* ---- plain HTTP for the application ---- */

SIO_API int sio_http_respond(sio_http_request *req, int status, const char *content_type, const void *body,
                             size_t len, const char *extra_headers) {
    sio__hconn *h = req ? (sio__hconn *)req->conn : NULL;
    if (!h) return SIO_ERR_STATE;
    req->conn = NULL;
    sio__http_answer(h, status, content_type, body, len, extra_headers);
    return SIO_OK;
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
   ("3") must come back within pingTimeout.
   With allow_eio3, Engine.IO v3 clients (socket.io 2) are sessions too,
   different in three places only: their polling payloads are framed by
   length (sio_eio3_payload_*), converted from the v4 form the queue is
   kept in when a GET is answered; their binary WebSocket frames carry
   the type byte 4; and they drive the heartbeat: we answer "2" with "3"
   and close when none came for pingInterval + pingTimeout. Whoever uses the sessions
   (Socket.IO, or the application on a bare Engine.IO endpoint) hears of
   them through sio_engine_handlers only, and keeps its own state per
   session behind sio_engine_conn_set_user(). */

/* Node's Engine.IO error codes, in the order its verify() checks them. */
enum {
    SIO__EIO_UNKNOWN_TRANSPORT = 0, SIO__EIO_UNKNOWN_SID, SIO__EIO_BAD_METHOD, SIO__EIO_BAD_REQUEST,
    SIO__EIO_FORBIDDEN, SIO__EIO_UNSUPPORTED_VERSION
};

/* Engine.IO packets that carry data (messages, not heartbeats) and their
   bytes, counted for an observer (>>admin) that asks for it. */
typedef struct sio__eio_counts {
    unsigned long long packets_in, bytes_in, packets_out, bytes_out;
} sio__eio_counts;

typedef struct sio__eio {
    sio__loop *loop;
    sio__rng *rng;
    const sio_logger *log;
    sio_engine_handlers h;       /* who hears of sessions */
    int ping_interval_ms, ping_timeout_ms, upgrade_timeout_ms, max_packets;
    long max_payload;
    int allow_eio3;              /* EIO=3 clients too (socket.io 2), as Node's allowEIO3 */
    sio__map sessions;           /* sid -> sio_engine_conn */
    size_t nsessions;
    sio_engine_conn *dead;       /* closed this turn, freed by sio__eio_reap */
    sio__eio_counts *counts;     /* NULL: nothing is counted */
    void (*on_upgrade)(sio_engine_conn *e, void *user);   /* a session moved to WebSocket (h.user) */
    /* while on_open runs: the request that made the session, and its
       connection (a host's request has no socket of its own: fd -1) */
    const sio_http_msg *opening;
    sio__hconn *opening_conn;
} sio__eio;

struct sio_engine_conn {
    sio__eio *eio;
    char sid[21];
    int transport;               /* SIO__T_* */
    int protocol;                /* 4, or 3 for an Engine.IO v3 client */
    int b64;                     /* v3: the client asked for binary as base64 text */
    int closed;
    int upgrading;               /* probe answered, waiting for "5" */
    sio__wsc *ws;                /* WebSocket transport */
    sio__wsc *probe;             /* WebSocket being upgraded to */
    sio__hconn *get;             /* held polling GET */
    sio_buf pq;                  /* polling payload waiting for a GET */
    sio__timer ping_timer;
    sio__timer upgrade_timer;
    int awaiting_pong;
    void *user;                  /* the upper layer's state for this session */
    sio_engine_conn *next_dead;
};

#define SIO__ELOG(x, lvl, ...) sio__log((x)->log, lvl, __VA_ARGS__)

/* Node's Engine.IO error answer: status 400 (403 for code 4), JSON body.
   A refused WebSocket upgrade gets the bare message as text instead, and
   the connection is closed, as Node's abortUpgrade() does. */
static void sio__eio_error(sio__hconn *h, int code, int upgrade) {
    static const char *const msgs[] = {"Transport unknown", "Session ID unknown", "Bad handshake method",
                                       "Bad request", "Forbidden", "Unsupported protocol version"};
    char body[96];
    int n;
    SIO__HLOG(h->srv, SIO_LOG_INFO, "fd %d: Engine.IO request refused: %s", h->c.fd, msgs[code]);
    if (upgrade) {
        h->keep_alive = 0;
        sio__http_answer(h, code == SIO__EIO_FORBIDDEN ? 403 : 400, "text/html", msgs[code], strlen(msgs[code]), NULL);
        return;
    }
    n = snprintf(body, sizeof body, "{\"code\":%d,\"message\":\"%s\"}", code, msgs[code]);
    h->cors = 1;   /* CORS headers apply to errors too */
    sio__http_answer(h, code == SIO__EIO_FORBIDDEN ? 403 : 400, "application/json", body, (size_t)n, NULL);
}

static sio_engine_conn *sio__eio_lookup(sio__eio *x, sio_str sid) {
    void **v = sio__map_find(&x->sessions, sid.ptr, sid.len);
    return v ? (sio_engine_conn *)*v : NULL;
}

static void sio__eio_trace(sio_engine_conn *e, const char *dir, int kind, const char *data, size_t len) {
    char who[32];
    if (!sio__log_on(e->eio->log, SIO_LOG_TRACE)) return;
    snprintf(who, sizeof who, "session %.8s ", e->sid);
    sio__trace(e->eio->log, who, dir, kind, data, len);
}

/* The queue's v4 form ("4hi\x1ebAQID") framed for a v3 client: the binary
   form when it holds binary and the client did not ask for base64. */
static int sio__eio3_frame(sio_buf *out, sio_buf *bin, const char *q, size_t len, int b64) {
    size_t i, j;
    int binary_form = 0;
    for (i = 0; i < len; i = j + 1) {
        for (j = i; j < len && q[j] != '\x1e'; j++) {}
        if (j > i && q[i] == 'b') binary_form = !b64;
    }
    for (i = 0; i < len; i = j + 1) {
        for (j = i; j < len && q[j] != '\x1e'; j++) {}
        if (j > i && q[i] == 'b') {
            size_t n = 0;
            sio_buf_reset(bin);
            if (sio_buf_reserve(bin, j - i) != SIO_OK ||
                sio_base64_decode(q + i + 1, j - i - 1, (unsigned char *)bin->data, j - i, &n) != SIO_OK)
                return SIO_ERR_NOMEM;   /* our own encoding: only memory can fail */
            sio_eio3_payload_append(out, bin->data, n, 1, binary_form);
        } else {
            sio_eio3_payload_append(out, q + i, j - i, 0, binary_form);
        }
    }
    return out->err ? SIO_ERR_NOMEM : binary_form;
}

/* Answers the held GET (with the queue, "6" to end it, or "1"). */
static void sio__eio_answer_get(sio_engine_conn *e, const char *body, size_t len) {
    sio__hconn *h = e->get;
    const char *type = "text/plain; charset=UTF-8";
    sio_buf v3, bin;
    if (!h) return;
    if (body != e->pq.data) sio__eio_trace(e, "->", body[0], body + 1, len - 1);   /* the queue was traced as it filled */
    e->get = NULL;
    sio__httpd_release(h);
    h->cors = 1;
    if (e->protocol == 3) {
        int form;
        memset(&v3, 0, sizeof v3);
        memset(&bin, 0, sizeof bin);
        v3.alloc = bin.alloc = e->eio->loop->alloc;
        form = sio__eio3_frame(&v3, &bin, body, len, e->b64);
        sio_buf_free(&bin);
        if (form < 0) {
            sio_buf_free(&v3);
            SIO__ELOG(e->eio, SIO_LOG_ERROR, "session %s: out of memory framing a v3 payload", e->sid);
            h->keep_alive = 0;
            sio__http_answer(h, 500, NULL, NULL, 0, NULL);
            return;
        }
        if (form) type = "application/octet-stream";
        sio__http_answer(h, 200, type, v3.data, v3.len, "Cache-Control: no-store\r\n");
        sio_buf_free(&v3);
        return;
    }
    sio__http_answer(h, 200, type, body, len, "Cache-Control: no-store\r\n");
}

static void sio__eio_flush_poll(sio_engine_conn *e) {
    if (!e->get || !e->pq.len) return;
    sio__eio_answer_get(e, e->pq.data, e->pq.len);
    sio_buf_free(&e->pq);
}

static void sio__eio_close(sio_engine_conn *e, const char *reason, int tell_client);

/* Queues one packet for the session's current transport. */
static void sio__eio_send(sio_engine_conn *e, int type, const void *data, size_t len, int binary) {
    if (e->closed) return;
    if (e->eio->counts && (type == SIO_EIO_MESSAGE || len)) {
        e->eio->counts->packets_out++;
        e->eio->counts->bytes_out += len;
    }
    sio__eio_trace(e, "->", binary ? 'b' : '0' + type, (const char *)data, len);
    if (e->transport == SIO__T_WEBSOCKET && e->ws) {
        sio__wsc_send(e->ws, binary ? (e->protocol == 3 ? 4 : -1) : '0' + type, data, len, binary);
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
    if (e->pq.err || e->pq.len > e->eio->loop->max_output) {
        SIO__ELOG(e->eio, SIO_LOG_WARN, "session %s: polling queue over its limit, closing", e->sid);
        sio_buf_free(&e->pq);
        sio__eio_close(e, "transport error", 0);
        return;
    }
    if (!e->upgrading) sio__eio_flush_poll(e);
}

/* v4: our next ping. v3: the deadline for the client's next one. */
static void sio__eio_schedule_ping(sio_engine_conn *e) {
    sio__loop *L = e->eio->loop;
    uint64_t wait = (uint64_t)e->eio->ping_interval_ms;
    e->awaiting_pong = e->protocol == 3;
    if (e->protocol == 3) wait += (uint64_t)e->eio->ping_timeout_ms;
    sio__timer_set(&L->timers, L->alloc, &e->ping_timer, L->now + wait);
}

static void sio__eio_ping_due(sio__timer *t) {
    sio_engine_conn *e = (sio_engine_conn *)(void *)((char *)t - offsetof(sio_engine_conn, ping_timer));
    sio__loop *L = e->eio->loop;
    if (e->awaiting_pong) {
        sio__eio_close(e, "ping timeout", 1);
        return;
    }
    e->awaiting_pong = 1;
    sio__eio_send(e, SIO_EIO_PING, NULL, 0, 0);
    sio__timer_set(&L->timers, L->alloc, &e->ping_timer, L->now + (uint64_t)e->eio->ping_timeout_ms);
}

static void sio__eio_upgrade_due(sio__timer *t) {
    sio_engine_conn *e = (sio_engine_conn *)(void *)((char *)t - offsetof(sio_engine_conn, upgrade_timer));
    sio__wsc *w = e->probe;
    if (!w) return;
    SIO__ELOG(e->eio, SIO_LOG_INFO, "session %s: upgrade timed out", e->sid);
    e->probe = NULL;
    e->upgrading = 0;
    sio__wsc_abort(w);
    sio__eio_flush_poll(e);
}

static sio_engine_conn *sio__eio_create(sio__eio *x, int transport, int protocol, int b64) {
    sio_engine_conn *e = (sio_engine_conn *)sio__malloc(x->loop->alloc, sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->eio = x;
    e->transport = transport;
    e->protocol = protocol;
    e->b64 = b64;
    e->pq.alloc = x->loop->alloc;
    e->ping_timer.fn = sio__eio_ping_due;
    e->upgrade_timer.fn = sio__eio_upgrade_due;
    do sio__rng_id(x->rng, e->sid);
    while (sio__map_find(&x->sessions, e->sid, 20));
    if (sio__map_put(&x->sessions, x->loop->alloc, e->sid, e) != SIO_OK) {
        sio__free(x->loop->alloc, e);
        return NULL;
    }
    x->nsessions++;
    return e;
}

/* The open packet: exactly the five keys Node sends. */
static void sio__eio_open(sio_engine_conn *e) {
    sio__eio *x = e->eio;
    char json[200];
    int n = snprintf(json, sizeof json,
                     "{\"sid\":\"%s\",\"upgrades\":%s,\"pingInterval\":%d,\"pingTimeout\":%d,\"maxPayload\":%ld}",
                     e->sid, e->transport == SIO__T_POLLING ? "[\"websocket\"]" : "[]", x->ping_interval_ms,
                     x->ping_timeout_ms, x->max_payload);
    sio__eio_send(e, SIO_EIO_OPEN, json, (size_t)n, 0);
    sio__eio_schedule_ping(e);
    if (x->h.on_open) x->h.on_open(e, x->h.user);
}

/* Ends a session. tell_client: send "1" to a held GET (server-initiated
   close on polling); a WebSocket is simply closed, as Node does. */
static void sio__eio_close(sio_engine_conn *e, const char *reason, int tell_client) {
    sio__eio *x = e->eio;
    sio__loop *L = x->loop;
    if (e->closed) return;
    e->closed = 1;
    SIO__ELOG(x, SIO_LOG_DEBUG, "session %s closed: %s", e->sid, reason);
    sio__timer_cancel(&L->timers, &e->ping_timer);
    sio__timer_cancel(&L->timers, &e->upgrade_timer);
    sio__map_del(&x->sessions, e->sid);
    x->nsessions--;
    if (x->h.on_close) x->h.on_close(e, reason, x->h.user);
    /* what was queued goes before the close packet (a DISCONNECT of each
       namespace, say), as Node drains its buffer before it closes */
    if (tell_client && e->pq.len && e->get && sio_buf_append(&e->pq, "\x1e" "1", 2) == SIO_OK)
        sio__eio_answer_get(e, e->pq.data, e->pq.len);
    else
        sio__eio_answer_get(e, tell_client ? "1" : "6", 1);
    sio__wsc_end(e->ws, 0);
    sio__wsc_abort(e->probe);
    e->ws = e->probe = NULL;
    sio_buf_free(&e->pq);
    e->next_dead = x->dead;
    x->dead = e;
}

/* One decoded Engine.IO packet from the client, whatever the transport. */
static void sio__eio_packet(sio_engine_conn *e, char *data, size_t len, int binary) {
    sio__eio *x = e->eio;
    if (e->closed) return;
    if (binary || len) sio__eio_trace(e, "<-", binary ? 'b' : (unsigned char)data[0], binary ? data : data + 1,
                                      binary ? len : len - 1);
    if (binary || (len && data[0] == '4')) {
        if (x->counts) {
            x->counts->packets_in++;
            x->counts->bytes_in += binary ? len : len - 1;
        }
    }
    if (binary) {
        if (x->h.on_message) x->h.on_message(e, data, len, 1, x->h.user);
        return;
    }
    if (len == 0) {
        SIO__ELOG(x, SIO_LOG_INFO, "session %s: empty packet, closing", e->sid);
        sio__eio_close(e, "parse error", 1);
        return;
    }
    switch (data[0]) {
    case '2': /* a v3 client's ping; "2probe" too, answered with a bare "3" as Node does */
        if (e->protocol != 3) goto unexpected;
        sio__eio_send(e, SIO_EIO_PONG, NULL, 0, 0);
        sio__eio_schedule_ping(e);
        break;
    case '3': /* pong */
        if (e->protocol == 3) goto unexpected;   /* the wrong heartbeat direction */
        if (e->awaiting_pong) sio__eio_schedule_ping(e);
        break;
    case '4':
        if (x->h.on_message) x->h.on_message(e, data + 1, len - 1, 0, x->h.user);
        break;
    case '1':
        sio__eio_close(e, "transport close", 0);
        break;
    case '6':
        break;
    default:
    unexpected:
        /* "2" from a v4 client (and "3" from a v3 one) is the wrong
           heartbeat direction; "0" and "5" are not the client's to send on
           an open transport. */
        SIO__ELOG(x, SIO_LOG_INFO, "session %s: unexpected packet '%c', closing", e->sid, data[0]);
        sio__eio_close(e, "parse error", 1);
        break;
    }
}

/* A polling POST body: packets joined by \x1e, binary as "b<base64>";
   from a v3 client, framed by length (binary_form: its binary form). */
static void sio__eio_post(sio_engine_conn *e, char *body, size_t len, int binary_form) {
    size_t pos = 0, n;
    char *pkt;
    int bin, rc, count = 0;
    while (!e->closed && (rc = e->protocol == 3 ? sio_eio3_payload_next(body, len, binary_form, &pos, &pkt, &n, &bin)
                                                : sio_eio_payload_next(body, len, &pos, &pkt, &n, &bin)) != 0) {
        if (rc < 0) {
            SIO__ELOG(e->eio, SIO_LOG_INFO, "session %s: %s in a polling payload, closing", e->sid,
                      e->protocol == 3 ? "a bad length, kind or base64" : "bad base64");
            sio__eio_close(e, "parse error", 1);
            return;
        }
        if (++count > e->eio->max_packets) {
            SIO__ELOG(e->eio, SIO_LOG_WARN, "session %s: more than %d packets in one payload, closing", e->sid,
                      e->eio->max_packets);
            sio__eio_close(e, "parse error", 1);
            return;
        }
        sio__eio_packet(e, pkt, n, bin);
    }
}

/* After "5": the WebSocket becomes the transport and the polling queue
   is replayed on it, in order. */
static void sio__eio_finish_upgrade(sio_engine_conn *e) {
    size_t pos = 0, n;
    char *pkt;
    int bin;
    e->ws = e->probe;
    e->probe = NULL;
    e->upgrading = 0;
    e->transport = SIO__T_WEBSOCKET;
    sio__timer_cancel(&e->eio->loop->timers, &e->upgrade_timer);
    sio__eio_answer_get(e, "6", 1);
    while (e->pq.len && sio_eio_payload_next(e->pq.data, e->pq.len, &pos, &pkt, &n, &bin) > 0) {
        if (bin) sio__wsc_send(e->ws, e->protocol == 3 ? 4 : -1, pkt, n, 1);
        else if (n) sio__wsc_send(e->ws, pkt[0], pkt + 1, n - 1, 0);
    }
    sio_buf_free(&e->pq);
    if (e->eio->on_upgrade) e->eio->on_upgrade(e, e->eio->h.user);
}

/* A message on the session's WebSocket, or on its probe. */
static void sio__eio_ws_message(sio__wsc *w, char *data, size_t len, int binary, void *user) {
    sio_engine_conn *e = (sio_engine_conn *)user;
    if (e->closed) return;
    if (w == e->ws) {
        if (binary && e->protocol == 3) {
            /* a v3 binary frame leads with its type: only messages are binary */
            if (!len || data[0] != 4) {
                SIO__ELOG(e->eio, SIO_LOG_INFO, "session %s: binary frame without the message type, closing", e->sid);
                sio__eio_close(e, "parse error", 0);
                return;
            }
            data++;
            len--;
        }
        sio__eio_packet(e, data, len, binary);
        return;
    }
    if (w != e->probe) return;
    sio__eio_trace(e, "<- (probe)", binary ? 'b' : (len ? (unsigned char)data[0] : '?'), binary ? data : data + (len > 0),
                   binary || !len ? len : len - 1);
    if (!binary && len == 6 && memcmp(data, "2probe", 6) == 0) {
        sio__eio_trace(e, "-> (probe)", '3', "probe", 5);
        sio__wsc_send(w, '0' + SIO_EIO_PONG, "probe", 5, 0);
        e->upgrading = 1;
        if (!e->pq.len) sio__eio_answer_get(e, "6", 1);   /* the client stops polling */
    } else if (!binary && len == 1 && data[0] == '5' && e->upgrading) {
        sio__eio_finish_upgrade(e);
    } else {
        SIO__ELOG(e->eio, SIO_LOG_INFO, "session %s: bad packet during upgrade, dropping the probe", e->sid);
        e->probe = NULL;
        e->upgrading = 0;
        sio__wsc_end(w, 1002);
        sio__eio_flush_poll(e);
    }
}

static void sio__eio_ws_closed(sio__wsc *w, int err, int code, const char *why, void *user) {
    sio_engine_conn *e = (sio_engine_conn *)user;
    (void)code;
    (void)why;
    if (w == e->ws) {
        e->ws = NULL;
        /* a peer that broke the framing rules broke the protocol; a
           message over the cap is a transport error, as in Node */
        sio__eio_close(e, err == SIO_ERR_PROTOCOL || err == SIO_ERR_UTF8 ? "parse error"
                          : err == SIO_OK || err == SIO_ERR_CLOSED ? "transport close" : "transport error", 0);
    } else if (w == e->probe) {
        e->probe = NULL;
        e->upgrading = 0;
        sio__eio_flush_poll(e);
    }
}

static const sio__wsc_handlers sio__eio_wsc = {NULL, sio__eio_ws_message, NULL, sio__eio_ws_closed};

/* The connection of the session's held GET went away. */
static void sio__eio_gone(sio_engine_conn *e) {
    e->get = NULL;
    sio__eio_close(e, "transport error", 0);
}

static int sio__query_is(sio_str q, const char *key, const char *val) {
    sio_str v;
    size_t n = strlen(val);
    return sio_http_query_get(q, key, &v) && v.len == n && memcmp(v.ptr, val, n) == 0;
}

/* A request of an existing session: the probe WebSocket, a GET to hold,
   a POST of packets. */
static void sio__eio_session_request(sio__eio *x, sio_engine_conn *e, sio__hconn *h, const sio_http_msg *m,
                                     char *body, size_t blen, int is_ws) {
    sio__wsc *w;
    int is_get = m->method.len == 3 && memcmp(m->method.ptr, "GET", 3) == 0;
    if (is_ws) {
        if (!m->upgrade_websocket) {
            sio__eio_error(h, SIO__EIO_BAD_REQUEST, 0);
            return;
        }
        if (!(w = sio__httpd_upgrade(h, m, (size_t)x->max_payload, &sio__eio_wsc, e))) return;
        if (e->transport != SIO__T_POLLING || e->probe) {
            sio__wsc_end(w, 0);   /* a second WebSocket for a session that has one is just closed */
            return;
        }
        e->probe = w;
        sio__timer_set(&x->loop->timers, x->loop->alloc, &e->upgrade_timer,
                       x->loop->now + (uint64_t)x->upgrade_timeout_ms);
        return;
    }
    if (e->transport != SIO__T_POLLING) {
        sio__eio_error(h, SIO__EIO_BAD_REQUEST, m->upgrade_websocket);
        return;
    }
    h->cors = 1;
    if (is_get) {
        if (e->get) {
            /* overlapping GETs: the newcomer fails, the session ends and the
               held GET learns it with "1" */
            SIO__ELOG(x, SIO_LOG_INFO, "session %s: a second GET while one is held, closing", e->sid);
            sio__http_answer(h, 400, NULL, NULL, 0, NULL);
            sio__eio_close(e, "transport error", 1);
            return;
        }
        e->get = h;
        h->held = e;
        sio__timer_cancel(&x->loop->timers, &h->c.timer);
        if (e->upgrading && !e->pq.len) sio__eio_answer_get(e, "6", 1);
        else sio__eio_flush_poll(e);
        return;
    }
    if (m->method.len == 4 && memcmp(m->method.ptr, "POST", 4) == 0) {
        sio_str ct = sio_http_header_get(m, "Content-Type");
        int binary_form = ct.len >= 24 && memcmp(ct.ptr, "application/octet-stream", 24) == 0;
        if (binary_form && e->protocol != 3) {
            /* binary payloads do not exist in v4 */
            SIO__ELOG(x, SIO_LOG_INFO, "session %s: binary POST body (v3 framing), closing", e->sid);
            sio__http_answer(h, 400, "text/html", "bad content", 11, NULL);
            sio__eio_close(e, "transport error", 1);
            return;
        }
        sio__http_answer(h, 200, "text/html", "ok", 2, NULL);
        sio__eio_post(e, body, blen, binary_form);
        return;
    }
    sio__http_answer(h, 500, NULL, NULL, 0, NULL);
}

/* Requests under an Engine.IO path: Node's verify() order of checks. */
static void sio__eio_request(sio__eio *x, sio__hconn *h, const sio_http_msg *m, char *body, size_t blen) {
    sio_str transport, sid, b64;
    int v3, is_ws, is_get = m->method.len == 3 && memcmp(m->method.ptr, "GET", 3) == 0;
    sio_engine_conn *e;
    if (m->method.len == 7 && memcmp(m->method.ptr, "OPTIONS", 7) == 0 && (h->srv->cors_origin || h->srv->cors_allow)) {
        sio_str reqh = sio_http_header_get(m, "Access-Control-Request-Headers");
        char extra[512];
        int n = snprintf(extra, sizeof extra, "Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE\r\n");
        if (reqh.len && reqh.len < 256)
            snprintf(extra + n, sizeof extra - (size_t)n,
                     "Access-Control-Allow-Headers: %.*s\r\nVary: Access-Control-Request-Headers\r\n", (int)reqh.len,
                     reqh.ptr);
        sio__http_answer(h, 204, NULL, NULL, 0, extra);
        return;
    }
    if (!sio_http_query_get(m->query, "transport", &transport) ||
        !((transport.len == 7 && memcmp(transport.ptr, "polling", 7) == 0) ||
          (transport.len == 9 && memcmp(transport.ptr, "websocket", 9) == 0))) {
        sio__eio_error(h, SIO__EIO_UNKNOWN_TRANSPORT, m->upgrade_websocket);
        return;
    }
    is_ws = transport.len == 9;
    if (sio_http_query_get(m->query, "sid", &sid) && sid.len) {
        if (!(e = sio__eio_lookup(x, sid))) sio__eio_error(h, SIO__EIO_UNKNOWN_SID, m->upgrade_websocket);
        else sio__eio_session_request(x, e, h, m, body, blen, is_ws);
        return;
    }
    if (!is_get) {
        sio__eio_error(h, SIO__EIO_BAD_METHOD, m->upgrade_websocket);
        return;
    }
    if (is_ws && !m->upgrade_websocket) {
        sio__eio_error(h, SIO__EIO_BAD_REQUEST, 0);
        return;
    }
    v3 = sio__query_is(m->query, "EIO", "3");
    if (!sio__query_is(m->query, "EIO", "4") && !(x->allow_eio3 && v3)) {
        if (v3) SIO__HLOG(h->srv, SIO_LOG_INFO, "fd %d: an Engine.IO v3 client (socket.io 2), and allow_eio3 is off",
                          h->c.fd);
        sio__eio_error(h, SIO__EIO_UNSUPPORTED_VERSION, m->upgrade_websocket);
        return;
    }
    if (is_ws) {
        /* upgraded first, so a refused handshake never makes a session */
        sio__wsc *w = sio__httpd_upgrade(h, m, (size_t)x->max_payload, &sio__eio_wsc, NULL);
        if (!w) return;
        if (!(e = sio__eio_create(x, SIO__T_WEBSOCKET, v3 ? 3 : 4, 0))) {
            SIO__ELOG(x, SIO_LOG_ERROR, "fd %d: out of memory for a new session", h->c.fd);
            sio__wsc_end(w, 1011);
            return;
        }
        w->user = e;
        e->ws = w;
        x->opening = m;
        x->opening_conn = h;
        sio__eio_open(e);
        x->opening = NULL;
        x->opening_conn = NULL;
        return;
    }
    /* b64 is read here only, as Node does: the GET that makes the session */
    if (!(e = sio__eio_create(x, SIO__T_POLLING, v3 ? 3 : 4, sio_http_query_get(m->query, "b64", &b64) && b64.len))) {
        SIO__ELOG(x, SIO_LOG_ERROR, "fd %d: out of memory for a new session", h->c.fd);
        h->cors = 1;
        h->keep_alive = 0;
        sio__http_answer(h, 503, NULL, NULL, 0, NULL);
        return;
    }
    /* the handshake GET is answered at once with the open packet (and
       whatever the connection handler emitted) */
    e->get = h;
    h->held = e;
    e->upgrading = 1;   /* hold the flush until the open packet and handler output are queued */
    x->opening = m;
    x->opening_conn = h;
    sio__eio_open(e);
    x->opening = NULL;
    x->opening_conn = NULL;
    e->upgrading = 0;
    if (!e->closed) sio__eio_flush_poll(e);
}

static void sio__eio_reap(sio__eio *x) {
    while (x->dead) {
        sio_engine_conn *e = x->dead;
        x->dead = e->next_dead;
        sio__free(x->loop->alloc, e);
    }
}

/* Every session ends, so whoever uses them hears its closes. */
static void sio__eio_shutdown(sio__eio *x) {
    size_t i;
    for (i = 0; i < x->sessions.cap; i++) {
        sio__map_ent *me = &x->sessions.e[i];
        if (me->key && me->key != sio__tombstone) sio__eio_close((sio_engine_conn *)me->val, "server shutting down", 1);
    }
    sio__eio_reap(x);
    sio__free(x->loop->alloc, x->sessions.e);
    memset(&x->sessions, 0, sizeof x->sessions);
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

SIO_API const char *sio_engine_conn_id(const sio_engine_conn *c) { return c ? c->sid : ""; }
SIO_API void *sio_engine_conn_user(const sio_engine_conn *c) { return c ? c->user : NULL; }
SIO_API void sio_engine_conn_set_user(sio_engine_conn *c, void *user) {
    if (c) c->user = user;
}
#endif /* SIO_NO_SERVER */

#ifndef SIO_NO_CLIENT
/* if_nametoindex: zones of IPv6 literals, "fe80::1%eth0" */
#if defined(SIO_LWIP)
#include <lwip/if_api.h>
#elif defined(_WIN32)
#include <iphlpapi.h>   /* also GetNetworkParams: the nameservers */
#else
#include <net/if.h>
#endif
/* =====================================================================
   >>resolve: host names to addresses, inside the loop
   =====================================================================
   getaddrinfo() may wait seconds for a DNS server, and the whole loop
   (pings, other connections, the application's timers) would wait with
   it. So a host name is resolved inside the loop, in three steps:
   1. an IPv4 or IPv6 literal needs no lookup ("127.0.0.1", "::1",
      "fe80::1%eth0");
   2. SIO_HOSTS_FILE (/etc/hosts), read again on every attempt and at
      most SIO_DNS_MAX_FILE bytes of it, answers at once, both families;
      "localhost" and "*.localhost" are loopback even when it does not
      list them (RFC 6761 section 6.3);
   3. otherwise A and AAAA queries (RFC 1035 section 4) go over UDP to the
      "nameserver" lines of SIO_RESOLV_CONF (127.0.0.1 when none), or to
      desc.dns_server. Each nameserver gets a connected socket of its own,
      so the kernel drops datagrams from any other address; an answer
      counts only with our random 16-bit id and our exact question.
      CNAME chains inside one answer are followed. The queries still
      unanswered go to the next nameserver every SIO_DNS_RETRY_MS; after
      resolve_timeout_ms the attempt fails like a refused connect, and the
      usual reconnection back-off follows.
   Under SIO_LWIP steps 2 and 3 are lwIP's own DNS client instead (see
   "lwIP: its own DNS client does the lookup" below).
   Not done: search domains and ndots (a name is taken as complete), TCP
   for truncated answers (ignored: another nameserver may fit its answer
   in a datagram), EDNS, caching. Addresses come IPv6 first, then IPv4,
   each family in answer order; sio__dial tries them in turn.
   A lookup is a sio__resolver: started with sio__resolve(), it either
   answers at once or reports through its done callback, never from
   inside the call that started it. */

#ifndef SIO_DNS_MAX_SERVERS
#define SIO_DNS_MAX_SERVERS 3          /* nameservers used, as glibc's MAXNS */
#endif
#ifndef SIO_DNS_MAX_FILE
#define SIO_DNS_MAX_FILE 65536         /* bytes of /etc/hosts or /etc/resolv.conf read */
#endif
#ifndef SIO_DNS_RETRY_MS
#define SIO_DNS_RETRY_MS 1000          /* unanswered queries go to the next nameserver */
#endif
#ifndef SIO_DNS_MAX_CNAME
#define SIO_DNS_MAX_CNAME 8            /* CNAME links followed inside one answer */
#endif
#ifndef SIO_DNS_MAX_RR
#define SIO_DNS_MAX_RR 64              /* answer records looked at; the rest are ignored */
#endif
#ifndef SIO_HOSTS_FILE
#ifdef _WIN32   /* %VARIABLES% are expanded when it is read */
#define SIO_HOSTS_FILE "%SystemRoot%\\System32\\drivers\\etc\\hosts"
#else
#define SIO_HOSTS_FILE "/etc/hosts"
#endif
#endif
#ifndef SIO_RESOLV_CONF
#define SIO_RESOLV_CONF "/etc/resolv.conf"
#endif
#define SIO__DNS_MAX_QUERY 288         /* 12 header + 255 name + 4 + slack */
#define SIO__DNS_A 1
#define SIO__DNS_CNAME 5
#define SIO__DNS_AAAA 28

/* What sio__dns_answer makes of a datagram. */
enum {
    SIO__DNS_NOT_OURS = -1,   /* another id or question, or not a response: ignore */
    SIO__DNS_BAD = -2,        /* malformed: ignore */
    SIO__DNS_TRUNCATED = -3,  /* TC set: ignore, another nameserver may answer in full */
    SIO__DNS_NXDOMAIN = -4,   /* the name does not exist: fail now */
    SIO__DNS_FAILED = -5      /* SERVFAIL, REFUSED, ...: try the next nameserver */
};

/* An address literal of n bytes: 1 and one address added, 0 when it is
   not one (a name), -1 for an IPv6 literal with an unknown zone. */
static int sio__addr_literal_n(const char *s, size_t n, int port, sio__addrs *out) {
    char tmp[64];
    unsigned char b[16];
    const char *pct;
    unsigned scope = 0;
    if (n >= sizeof tmp) return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, b) == 1) {
        sio__addrs_add(out, AF_INET, b, port, 0);
        return 1;
    }
    pct = strchr(tmp, '%');
    if (pct) {
        const char *z = pct + 1;
        tmp[pct - tmp] = 0;
        if (inet_pton(AF_INET6, tmp, b) != 1) return 0;
        if (*z >= '0' && *z <= '9') {
            unsigned long v = strtoul(z, NULL, 10);
            scope = (unsigned)v;
        } else {
            scope = if_nametoindex(z);
        }
        if (!scope) return -1;
    } else if (inet_pton(AF_INET6, tmp, b) != 1) {
        return 0;
    }
    sio__addrs_add(out, AF_INET6, b, port, scope);
    return 1;
}

static int sio__addr_literal(const char *s, int port, sio__addrs *out) {
    return sio__addr_literal_n(s, strlen(s), port, out);
}

/* "ip:port" or "[ipv6]:port" (desc.dns_server). */
static int sio__hostport_parse(const char *s, sio__addrs *out) {
    const char *h = s, *e, *colon;
    long port = 0;
    int digits = 0;
    out->n = 0;
    if (*s == '[') {
        h = s + 1;
        e = strchr(h, ']');
        if (!e || e[1] != ':') return SIO_ERR_INVALID;
        colon = e + 1;
    } else {
        colon = strchr(s, ':');
        if (!colon || strchr(colon + 1, ':')) return SIO_ERR_INVALID;
        e = colon;
    }
    for (s = colon + 1; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 5) return SIO_ERR_INVALID;
        port = port * 10 + (*s - '0');
    }
    if (*s || !digits || port < 1 || port > 65535) return SIO_ERR_INVALID;
    return sio__addr_literal_n(h, (size_t)(e - h), (int)port, out) == 1 ? SIO_OK : SIO_ERR_INVALID;
}

/* Case-insensitive equality of a name of n bytes and a host name, which
   may end in a dot ("example.com." is "example.com"). */
static int sio__name_eq(const char *a, size_t an, const char *host) {
    size_t hn = strlen(host), i;
    if (hn && host[hn - 1] == '.') hn--;
    if (an && a[an - 1] == '.') an--;
    if (an != hn) return 0;
    for (i = 0; i < an; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)host[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y) return 0;
    }
    return 1;
}

static int sio__dns_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* The next whitespace-separated word of [*p, end) on the current line;
   comments (from '#', or ';' when semi) end the line. 0 at the line's end. */
static size_t sio__dns_word(const char **p, const char *end, int semi, const char **w) {
    const char *s = *p;
    while (s < end && sio__dns_space(*s)) s++;
    *w = s;
    if (s == end || *s == '\n' || *s == '#' || (semi && *s == ';')) {
        *p = s;
        return 0;
    }
    while (s < end && !sio__dns_space(*s) && *s != '\n' && *s != '#' && !(semi && *s == ';')) s++;
    *p = s;
    return (size_t)(s - *w);
}

static const char *sio__dns_next_line(const char *p, const char *end) {
    while (p < end && *p != '\n') p++;
    return p < end ? p + 1 : end;
}

/* /etc/hosts text ("::1 localhost ip6-localhost  # comment"): the address
   of every line that names host, IPv6 ones first. Returns how many. */
static int sio__hosts_find(const char *buf, size_t len, const char *host, int port, sio__addrs *out) {
    int pass, n0 = out->n;
    for (pass = 0; pass < 2; pass++) {
        const char *p = buf, *end = buf + len;
        while (p < end) {
            const char *addr, *w, *line = p;
            size_t al = sio__dns_word(&p, end, 0, &addr), wl;
            int hit = 0;
            if (al) {
                while ((wl = sio__dns_word(&p, end, 0, &w)) > 0)
                    if (sio__name_eq(w, wl, host)) hit = 1;
            }
            if (hit && (memchr(addr, ':', al) != NULL) == (pass == 0)) {
                sio__addrs one;
                one.n = 0;
                if (sio__addr_literal_n(addr, al, port, &one) == 1 && out->n < SIO_CLIENT_MAX_ADDRS) {
                    out->a[out->n] = one.a[0];
                    out->len[out->n] = one.len[0];
                    out->n++;
                }
            }
            p = sio__dns_next_line(p > line ? p : line, end);
        }
    }
    return out->n - n0;
}

/* resolv.conf text: the addresses of the "nameserver" lines (port 53), at
   most SIO_DNS_MAX_SERVERS. Returns how many. */
static SIO__UNUSED int sio__resolv_parse(const char *buf, size_t len, sio__addrs *out) {
    const char *p = buf, *end = buf + len;
    out->n = 0;
    while (p < end) {
        const char *w, *a;
        size_t wl = sio__dns_word(&p, end, 1, &w), l;
        if (wl == 10 && memcmp(w, "nameserver", 10) == 0 && (l = sio__dns_word(&p, end, 1, &a)) > 0 &&
            out->n < SIO_DNS_MAX_SERVERS)
            sio__addr_literal_n(a, l, 53, out);
        p = sio__dns_next_line(p, end);
    }
    return out->n;
}

/* A query for one name and type, recursion desired (RFC 1035 4.1):
   header (id, flags 0x0100, one question) then the name as labels,
   "myhost.test" -> 06 'myhost' 04 'test' 00, then type and class IN.
   Returns its length, or SIO_ERR_INVALID for a name DNS cannot carry. */
static int sio__dns_query(unsigned char *out, size_t cap, unsigned id, const char *name, int qtype) {
    size_t n = strlen(name), i = 0, o = 12;
    if (n && name[n - 1] == '.') n--;
    if (!n || n > 253 || cap < 12 + n + 2 + 4 || name[n - 1] == '.') return SIO_ERR_INVALID;
    memset(out, 0, 12);
    out[0] = (unsigned char)(id >> 8);
    out[1] = (unsigned char)id;
    out[2] = 0x01;   /* RD */
    out[5] = 1;      /* QDCOUNT */
    while (i < n) {
        size_t j = i;
        while (j < n && name[j] != '.') j++;
        if (j == i || j - i > 63) return SIO_ERR_INVALID;
        out[o++] = (unsigned char)(j - i);
        memcpy(out + o, name + i, j - i);
        o += j - i;
        i = j + 1;
    }
    out[o++] = 0;
    out[o++] = (unsigned char)(qtype >> 8);
    out[o++] = (unsigned char)qtype;
    out[o++] = 0;
    out[o++] = 1;    /* IN */
    return (int)o;
}

/* Reads the name at *off (RFC 1035 4.1.4: labels, or a pointer to a name
   earlier in the message) into out as "a.b.c", and moves *off past it.
   SIO__DNS_BAD on a pointer loop, anything outside the message, a label
   with a dot in it or a name over 255 bytes. */
static int sio__dns_name(const unsigned char *m, size_t len, size_t *off, char *out, size_t cap) {
    size_t p = *off, o = 0;
    int jumps = 0;
    for (;;) {
        unsigned l;
        if (p >= len) return SIO__DNS_BAD;
        l = m[p];
        if ((l & 0xC0) == 0xC0) {
            if (p + 1 >= len || ++jumps > 32) return SIO__DNS_BAD;
            if (jumps == 1) *off = p + 2;
            p = ((size_t)(l & 0x3F) << 8) | m[p + 1];
            continue;
        }
        if (l & 0xC0) return SIO__DNS_BAD;   /* 0x40, 0x80: label types never used */
        if (l == 0) {
            if (!jumps) *off = p + 1;
            break;
        }
        if (p + 1 + l > len || o + 1 + l + 1 > cap || o + 1 + l > 255) return SIO__DNS_BAD;
        if (memchr(m + p + 1, '.', l)) return SIO__DNS_BAD;
        if (o) out[o++] = '.';
        memcpy(out + o, m + p + 1, l);
        o += l;
        p += 1 + l;
    }
    out[o] = 0;
    return (int)o;
}

typedef struct sio__dns_rr {
    size_t owner, rdata;   /* offsets of the owner name and of the data */
    unsigned type, rdlen;
} sio__dns_rr;

/* An answer to the query (id, name, qtype) as a pure function over bytes:
   the addresses of name, or of the end of its CNAME chain, are appended
   to out with port; returns how many (0: the name has no such record),
   or one of SIO__DNS_*. Nothing is appended unless the whole answer
   section parses. */
static int sio__dns_answer(const unsigned char *m, size_t len, unsigned id, const char *name, int qtype, int port,
                           sio__addrs *out) {
    char nm[256], cur[256];
    sio__dns_rr rr[SIO_DNS_MAX_RR];
    size_t off = 12, nr = 0, i;
    unsigned an, k;
    int hops, n0 = out->n, rc;
    if (len < 12) return SIO__DNS_BAD;
    if (((unsigned)m[0] << 8 | m[1]) != (id & 0xffffu)) return SIO__DNS_NOT_OURS;
    if (!(m[2] & 0x80) || (m[2] & 0x78)) return SIO__DNS_NOT_OURS;   /* QR, opcode QUERY */
    if (m[4] != 0 || m[5] != 1) return SIO__DNS_NOT_OURS;
    if ((rc = sio__dns_name(m, len, &off, nm, sizeof nm)) < 0) return rc;
    if (!sio__name_eq(nm, (size_t)rc, name)) return SIO__DNS_NOT_OURS;
    if (off + 4 > len) return SIO__DNS_BAD;
    if (((unsigned)m[off] << 8 | m[off + 1]) != (unsigned)qtype || m[off + 2] != 0 || m[off + 3] != 1)
        return SIO__DNS_NOT_OURS;
    off += 4;
    if (m[2] & 0x02) return SIO__DNS_TRUNCATED;
    if ((m[3] & 0x0F) == 3) return SIO__DNS_NXDOMAIN;
    if ((m[3] & 0x0F) != 0) return SIO__DNS_FAILED;
    an = (unsigned)m[6] << 8 | m[7];
    for (k = 0; k < an; k++) {
        size_t owner = off;
        unsigned type, cls, rdlen;
        if ((rc = sio__dns_name(m, len, &off, nm, sizeof nm)) < 0) return rc;
        if (off + 10 > len) return SIO__DNS_BAD;
        type = (unsigned)m[off] << 8 | m[off + 1];
        cls = (unsigned)m[off + 2] << 8 | m[off + 3];
        rdlen = (unsigned)m[off + 8] << 8 | m[off + 9];
        off += 10;
        if (off + rdlen > len) return SIO__DNS_BAD;
        if (cls == 1 && nr < SIO_DNS_MAX_RR) {
            rr[nr].owner = owner;
            rr[nr].rdata = off;
            rr[nr].type = type;
            rr[nr].rdlen = rdlen;
            nr++;
        }
        off += rdlen;
    }
    /* follow the chain: name -> CNAME -> CNAME -> ... */
    {
        size_t n = strlen(name);
        if (n && name[n - 1] == '.') n--;
        if (n >= sizeof cur) return SIO__DNS_BAD;
        memcpy(cur, name, n);
        cur[n] = 0;
    }
    for (hops = 0; hops < SIO_DNS_MAX_CNAME; hops++) {
        int found = 0;
        for (i = 0; i < nr && !found; i++) {
            size_t o = rr[i].owner;
            if (rr[i].type != SIO__DNS_CNAME) continue;
            if ((rc = sio__dns_name(m, len, &o, nm, sizeof nm)) < 0) return rc;
            if (!sio__name_eq(nm, (size_t)rc, cur)) continue;
            o = rr[i].rdata;
            if ((rc = sio__dns_name(m, len, &o, nm, sizeof nm)) < 0) return rc;
            if (o > rr[i].rdata + rr[i].rdlen) return SIO__DNS_BAD;
            memcpy(cur, nm, (size_t)rc + 1);
            found = 1;
        }
        if (!found) break;
    }
    for (i = 0; i < nr; i++) {
        size_t o = rr[i].owner;
        unsigned want = qtype == SIO__DNS_A ? 4u : 16u;
        if (rr[i].type != (unsigned)qtype || rr[i].rdlen != want) continue;
        if ((rc = sio__dns_name(m, len, &o, nm, sizeof nm)) < 0) return rc;
        if (!sio__name_eq(nm, (size_t)rc, cur)) continue;
        sio__addrs_add(out, qtype == SIO__DNS_A ? AF_INET : AF_INET6, m + rr[i].rdata, port, 0);
    }
    return out->n - n0;
}

/* At most cap bytes of a small local file, cut after its last whole line
   when it is longer. -1 when it cannot be read. */
static long sio__read_small_file(const char *path, char *buf, size_t cap) {
    size_t n = 0;
    int fd;
#ifdef _WIN32
    char full[MAX_PATH];
    DWORD k = ExpandEnvironmentStringsA(path, full, (DWORD)sizeof full);
    if (k == 0 || k > sizeof full) return -1;
    path = full;
#endif
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n == cap) {
        while (n > 0 && buf[n - 1] != '\n') n--;
    }
    return (long)n;
}

#ifdef SIO_LWIP
/* ---- lwIP: its own DNS client does the lookup ----
   A device has lwIP's resolver already (its servers from DHCP or
   dns_setserver), so a second one would only cost flash. Its socket-level
   lwip_getaddrinfo() and netconn_gethostbyname() block the calling thread
   until the answer or lwIP's own timeout, seconds in which no ping would
   be answered and no timer run; the callback API does not. So
   dns_gethostbyname() is started in lwIP's thread (tcpip_callback), its
   answer lands in a small block shared with that thread, and a timer in
   our loop looks at the block every SIO_LWIP_DNS_POLL_MS. lwIP cannot
   cancel a lookup but always calls back in the end (NULL: failed or timed
   out), so a lookup we give up on is only marked abandoned and the
   callback frees the block: it never writes into a resolver that has
   gone. The block comes from mem_malloc, which either thread may free;
   SYS_ARCH_PROTECT orders the two threads' access to it. lwIP gives one
   address (IPv4 first, LWIP_DNS_ADDRTYPE_DEFAULT) and no /etc/hosts. */
#ifndef SIO_LWIP_DNS_POLL_MS
#define SIO_LWIP_DNS_POLL_MS 20        /* how often the loop looks for lwIP's answer */
#endif
enum { SIO__LW_ASKING, SIO__LW_ANSWERED, SIO__LW_FAILED, SIO__LW_ABANDONED };
typedef struct sio__lwip_dns {
    int state;                   /* SIO__LW_*, under SYS_ARCH_PROTECT */
    ip_addr_t addr;
    char name[SIO_CLIENT_MAX_HOST];
} sio__lwip_dns;

/* lwIP's thread: the answer, or NULL. */
static void sio__lwip_dns_found(const char *name, const ip_addr_t *ip, void *arg) {
    sio__lwip_dns *q = (sio__lwip_dns *)arg;
    int gone;
    SYS_ARCH_DECL_PROTECT(lev);
    (void)name;
    SYS_ARCH_PROTECT(lev);
    gone = q->state == SIO__LW_ABANDONED;
    if (!gone && ip) q->addr = *ip;
    if (!gone) q->state = ip ? SIO__LW_ANSWERED : SIO__LW_FAILED;
    SYS_ARCH_UNPROTECT(lev);
    if (gone) mem_free(q);
}

/* lwIP's thread: a cached name or a literal answers at once. */
static void sio__lwip_dns_start(void *arg) {
    sio__lwip_dns *q = (sio__lwip_dns *)arg;
    ip_addr_t a;
    err_t e = dns_gethostbyname(q->name, &a, sio__lwip_dns_found, q);
    if (e == ERR_OK) sio__lwip_dns_found(q->name, &a, q);
    else if (e != ERR_INPROGRESS) sio__lwip_dns_found(q->name, NULL, q);
}

/* Our thread: forgets a lookup, freeing the block unless lwIP still will
   write to it. */
static void sio__lwip_dns_drop(sio__lwip_dns **qp) {
    sio__lwip_dns *q = *qp;
    int asking;
    SYS_ARCH_DECL_PROTECT(lev);
    if (!q) return;
    *qp = NULL;
    SYS_ARCH_PROTECT(lev);
    asking = q->state == SIO__LW_ASKING;
    if (asking) q->state = SIO__LW_ABANDONED;
    SYS_ARCH_UNPROTECT(lev);
    if (!asking) mem_free(q);
}
#endif

/* ---- the lookup ---- */

typedef struct sio__resolver sio__resolver;
struct sio__resolver {
    /* set by the owner */
    sio__loop *loop;
    sio__rng *rng;
    const sio_logger *log;
    sio__addrs server;           /* ask only this nameserver (desc.dns_server); n = 0: resolv.conf's */
    int timeout_ms;
    /* err SIO_OK: out holds the addresses; else why says it in words */
    void (*done)(sio__resolver *r, int err, const char *why, void *user);
    void *user;
    /* the lookup in progress */
    const char *host;
    int port;
    sio__addrs out;
    sio__addrs ns;               /* nameservers of this lookup */
    sio__addrs got[2];           /* answers so far: [0] AAAA, [1] A */
    sio__conn *udp[SIO_DNS_MAX_SERVERS];
    sio__timer retry, deadline, fail;
    unsigned id[2];
    int answered[2], next, active;
    char why[64];                /* how a lookup that runs out of time is described */
    char err[SIO_CLIENT_MAX_HOST + 96];
#ifdef SIO_LWIP
    sio__lwip_dns *lw;           /* lwIP's lookup in progress */
#endif
};

#define SIO__RES_OF(ptr, field) ((sio__resolver *)(void *)((char *)(ptr) - offsetof(sio__resolver, field)))

static void sio__resolve_stop(sio__resolver *r) {
    int i;
    r->active = 0;
    sio__timer_cancel(&r->loop->timers, &r->retry);
    sio__timer_cancel(&r->loop->timers, &r->deadline);
    sio__timer_cancel(&r->loop->timers, &r->fail);
#ifdef SIO_LWIP
    sio__lwip_dns_drop(&r->lw);
#endif
    for (i = 0; i < SIO_DNS_MAX_SERVERS; i++) {
        sio__conn *c = r->udp[i];
        r->udp[i] = NULL;
        if (c) sio__conn_close(c, SIO_OK);
    }
}

static void sio__resolve_fail_due(sio__timer *t) {
    sio__resolver *r = SIO__RES_OF(t, fail);
    r->done(r, SIO_ERR_RESOLVE, r->err, r->user);
}

/* "cannot resolve <host>: <why>", reported from a timer. */
static void sio__resolve_fail(sio__resolver *r, const char *why) {
    sio__resolve_stop(r);
    snprintf(r->err, sizeof r->err, "cannot resolve %s: %s", r->host, why);
    sio__log(r->log, SIO_LOG_WARN, "%s", r->err);
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->fail, r->loop->now);
}

static void sio__resolve_finish(sio__resolver *r) {
    int f, i;
    sio__resolve_stop(r);
    r->out.n = 0;
    for (f = 0; f < 2; f++)   /* AAAA first, then A */
        for (i = 0; i < r->got[f].n && r->out.n < SIO_CLIENT_MAX_ADDRS; i++) {
            r->out.a[r->out.n] = r->got[f].a[i];
            r->out.len[r->out.n] = r->got[f].len[i];
            r->out.n++;
        }
    if (!r->out.n) {
        sio__resolve_fail(r, "no address (no A or AAAA record)");
        return;
    }
    sio__log(r->log, SIO_LOG_DEBUG, "resolved %s: %d IPv6, %d IPv4 addresses", r->host, r->got[0].n, r->got[1].n);
    r->done(r, SIO_OK, NULL, r->user);
}

/* One datagram from a nameserver's connected socket: always consumed
   whole. Empty, foreign or garbled ones are ignored: only our id and
   question, or the deadline, end the lookup. */
static long sio__resolve_on_data(sio__conn *c, char *data, size_t len) {
    sio__resolver *r = (sio__resolver *)c->owner;
    int q;
    if (!r->active) return (long)len;
    for (q = 0; q < 2; q++) {
        int rc;
        if (r->answered[q]) continue;
        rc = sio__dns_answer((const unsigned char *)data, len, r->id[q], r->host, q == 0 ? SIO__DNS_AAAA : SIO__DNS_A,
                             r->port, &r->got[q]);
        if (rc == SIO__DNS_NOT_OURS) continue;
        if (rc >= 0) {
            r->answered[q] = 1;
        } else if (rc == SIO__DNS_NXDOMAIN) {
            sio__resolve_fail(r, "no such host (NXDOMAIN)");
            return (long)len;
        } else if (rc == SIO__DNS_FAILED) {
            snprintf(r->why, sizeof r->why, "timed out (a nameserver answered rcode %d)", data[3] & 0x0F);
        } else {
            sio__log(r->log, SIO_LOG_DEBUG, "DNS answer for %s ignored: %s", r->host,
                     rc == SIO__DNS_TRUNCATED ? "truncated" : "malformed");
        }
        break;
    }
    if (r->answered[0] && r->answered[1]) sio__resolve_finish(r);
    return (long)len;
}

static void sio__resolve_on_close(sio__conn *c, int err) {
    sio__resolver *r = (sio__resolver *)c->owner;
    int i;
    for (i = 0; i < SIO_DNS_MAX_SERVERS; i++)
        if (r->udp[i] == c) {
            r->udp[i] = NULL;
            /* ICMP port unreachable comes back as ECONNREFUSED on a connected socket */
            if (err != SIO_OK) sio__log(r->log, SIO_LOG_DEBUG, "nameserver %d: %s", i + 1, sio_strerror(err));
        }
}

static const sio__conn_ops sio__resolve_ops = {sio__resolve_on_data, sio__resolve_on_close, NULL, NULL, NULL};

/* Sends the queries still unanswered to the next nameserver, opening its
   socket on first use, and arms the retransmission. */
static void sio__resolve_send(sio__resolver *r) {
    int k = r->next++ % r->ns.n, q;
    sio__conn *c = r->udp[k];
    if (!c) {
        const struct sockaddr_storage *sa = &r->ns.a[k];
        int fd = socket(sa->ss_family, SOCK_DGRAM, 0), rc = -1;
        if (fd >= 0 && sio__set_nonblock(fd) == SIO_OK) {
            do rc = connect(fd, (const struct sockaddr *)sa, r->ns.len[k]);
            while (rc < 0 && SIO__SOCKERR == EINTR);
        }
        if (rc == 0) c = sio__conn_add(r->loop, fd, SIO__C_UDP, &sio__resolve_ops, r, sizeof *c);
        if (c) r->udp[k] = c;
        else if (fd >= 0) sio__closesocket(fd);
        if (!c) sio__log(r->log, SIO_LOG_DEBUG, "nameserver %d: no socket", k + 1);
    }
    for (q = 0; c && q < 2; q++) {
        unsigned char buf[SIO__DNS_MAX_QUERY];
        int n;
        if (r->answered[q]) continue;
        n = sio__dns_query(buf, sizeof buf, r->id[q], r->host, q == 0 ? SIO__DNS_AAAA : SIO__DNS_A);
        if (n > 0 && send(c->fd, buf, (size_t)n, 0) < 0)
            sio__log(r->log, SIO_LOG_DEBUG, "nameserver %d: send failed (errno %d)", k + 1, SIO__SOCKERR);
    }
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->retry, sio__now_ms() + SIO_DNS_RETRY_MS);
}

#ifndef SIO_LWIP   /* there r->retry waits for lwIP's answer */
static void sio__resolve_retry_due(sio__timer *t) {
    sio__resolver *r = SIO__RES_OF(t, retry);
    if (r->active) sio__resolve_send(r);
}
#endif

static void sio__resolve_deadline_due(sio__timer *t) {
    sio__resolver *r = SIO__RES_OF(t, deadline);
    if (r->active) sio__resolve_fail(r, r->why);
}

static int sio__is_localhost(const char *h) {
    size_t n = strlen(h);
    if (n && h[n - 1] == '.') n--;
    return sio__name_eq(h, n, "localhost") || (n > 10 && sio__name_eq(h + n - 10, 10, ".localhost"));
}

#ifdef SIO_LWIP
/* The timer that looks at lwIP's answer (r->retry, which lwIP's own
   retransmissions make unneeded here). */
static void sio__lwip_dns_due(sio__timer *t) {
    sio__resolver *r = SIO__RES_OF(t, retry);
    sio__lwip_dns *q = r->lw;
    ip_addr_t a;
    int state;
    SYS_ARCH_DECL_PROTECT(lev);
    if (!r->active || !q) return;
    SYS_ARCH_PROTECT(lev);
    state = q->state;
    a = q->addr;
    SYS_ARCH_UNPROTECT(lev);
    if (state == SIO__LW_ASKING) {
        sio__timer_set(&r->loop->timers, r->loop->alloc, &r->retry, r->loop->now + SIO_LWIP_DNS_POLL_MS);
        return;
    }
    sio__lwip_dns_drop(&r->lw);
    if (state != SIO__LW_ANSWERED) {
        sio__resolve_fail(r, "lwIP's DNS found no address");
        return;
    }
    r->got[0].n = r->got[1].n = 0;
    if (IP_IS_V6_VAL(a)) sio__addrs_add(&r->got[0], AF_INET6, ip_2_ip6(&a)->addr, r->port, 0);
    else sio__addrs_add(&r->got[1], AF_INET, &ip_2_ip4(&a)->addr, r->port, 0);
    sio__resolve_finish(r);
}

/* A name that is not a literal: localhost, else lwIP's lookup. */
static int sio__lwip_resolve(sio__resolver *r, const char *host, int port) {
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char lo4[4] = {127, 0, 0, 1};
    size_t n = strlen(host);
    sio__lwip_dns *q;
    if (sio__is_localhost(host)) {
        sio__addrs_add(&r->out, AF_INET6, lo6, port, 0);
        sio__addrs_add(&r->out, AF_INET, lo4, port, 0);
        return SIO_OK;
    }
    if (n >= sizeof q->name || !(q = (sio__lwip_dns *)mem_malloc(sizeof *q))) {
        sio__resolve_fail(r, n >= sizeof q->name ? "name too long" : "out of memory");
        return 1;
    }
    memset(q, 0, sizeof *q);
    memcpy(q->name, host, n + 1);
    q->state = SIO__LW_ASKING;
    if (tcpip_callback(sio__lwip_dns_start, q) != ERR_OK) {
        mem_free(q);
        sio__resolve_fail(r, "lwIP's message queue is full");
        return 1;
    }
    r->lw = q;
    snprintf(r->why, sizeof r->why, "timed out (lwIP's DNS)");
    r->active = 1;
    sio__log(r->log, SIO_LOG_DEBUG, "resolving %s through lwIP's DNS (%d ms)", host, r->timeout_ms);
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->deadline, sio__now_ms() + (uint64_t)r->timeout_ms);
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->retry, sio__now_ms() + SIO_LWIP_DNS_POLL_MS);
    return 1;
}
#endif

/* The nameservers of this lookup: the configured one, else resolv.conf's
   (on Windows the system's, from GetNetworkParams), else 127.0.0.1 as
   glibc does. buf: SIO_DNS_MAX_FILE bytes. */
static void sio__resolve_servers(sio__resolver *r, char *buf) {
    static const unsigned char lo4[4] = {127, 0, 0, 1};
    long n;
    if (r->server.n) {
        r->ns = r->server;
        return;
    }
    r->ns.n = 0;
#ifdef _WIN32
    /* no resolv.conf: the nameservers the system was given (DHCP or
       set by hand), IPv4 ones, from GetNetworkParams; buf holds them */
    {
        ULONG len = SIO_DNS_MAX_FILE;
        const IP_ADDR_STRING *a;
        (void)n;
        if (GetNetworkParams((FIXED_INFO *)(void *)buf, &len) == ERROR_SUCCESS)
            for (a = &((FIXED_INFO *)(void *)buf)->DnsServerList; a && r->ns.n < SIO_DNS_MAX_SERVERS; a = a->Next)
                sio__addr_literal_n(a->IpAddress.String, strlen(a->IpAddress.String), 53, &r->ns);
    }
#else
    n = sio__read_small_file(SIO_RESOLV_CONF, buf, SIO_DNS_MAX_FILE);
    if (n > 0) sio__resolv_parse(buf, (size_t)n, &r->ns);
#endif
    if (!r->ns.n) sio__addrs_add(&r->ns, AF_INET, lo4, 53, 0);
    if (r->ns.n > SIO_DNS_MAX_SERVERS) r->ns.n = SIO_DNS_MAX_SERVERS;
}

/* Starts a lookup of host (kept by the caller until done) for port:
   SIO_OK with r->out filled now (a literal, an /etc/hosts name or
   localhost), or 1 when done() will tell, success or failure. */
static int sio__resolve(sio__resolver *r, const char *host, int port) {
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char lo4[4] = {127, 0, 0, 1};
    unsigned char id[4];
    char *buf;
    long n;
    int rc;
    sio__resolve_stop(r);
#ifdef SIO_LWIP
    r->retry.fn = sio__lwip_dns_due;
#else
    r->retry.fn = sio__resolve_retry_due;
#endif
    r->deadline.fn = sio__resolve_deadline_due;
    r->fail.fn = sio__resolve_fail_due;
    r->host = host;
    r->port = port;
    r->out.n = 0;
    rc = sio__addr_literal(host, port, &r->out);
    if (rc > 0) return SIO_OK;
    if (rc < 0) {
        sio__resolve_fail(r, "unknown network interface");
        return 1;
    }
#ifdef SIO_LWIP
    /* lwIP resolves; what follows (the hosts file, our own DNS) is left
       unreached, and out of the object */
    return sio__lwip_resolve(r, host, port);
#endif
    if (!(buf = (char *)sio__malloc(r->loop->alloc, SIO_DNS_MAX_FILE))) {
        sio__resolve_fail(r, "out of memory");
        return 1;
    }
    n = sio__read_small_file(SIO_HOSTS_FILE, buf, SIO_DNS_MAX_FILE);
    if (n > 0 && sio__hosts_find(buf, (size_t)n, host, port, &r->out) > 0) {
        sio__free(r->loop->alloc, buf);
        sio__log(r->log, SIO_LOG_DEBUG, "%s: %d addresses from %s", host, r->out.n, SIO_HOSTS_FILE);
        return SIO_OK;
    }
    if (sio__is_localhost(host)) {
        sio__free(r->loop->alloc, buf);
        sio__addrs_add(&r->out, AF_INET6, lo6, port, 0);
        sio__addrs_add(&r->out, AF_INET, lo4, port, 0);
        return SIO_OK;
    }
    sio__resolve_servers(r, buf);
    sio__free(r->loop->alloc, buf);
    do sio__rng_bytes(r->rng, id, sizeof id);
    while (id[0] == id[2] && id[1] == id[3]);
    r->id[0] = (unsigned)id[0] << 8 | id[1];
    r->id[1] = (unsigned)id[2] << 8 | id[3];
    r->answered[0] = r->answered[1] = 0;
    r->got[0].n = r->got[1].n = 0;
    r->next = 0;
    snprintf(r->why, sizeof r->why, "timed out");
    r->active = 1;
    sio__log(r->log, SIO_LOG_DEBUG, "resolving %s over DNS (%d nameservers, %d ms)", host, r->ns.n, r->timeout_ms);
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->deadline, sio__now_ms() + (uint64_t)r->timeout_ms);
    sio__resolve_send(r);
    return 1;
}
#endif /* SIO_NO_CLIENT */

#ifndef SIO_NO_REDIS
/* =====================================================================
   >>redis: a Redis connection inside the loop
   =====================================================================
   Just what the cluster adapter needs: commands whose replies come back
   in the order they were sent (a FIFO of waiters), or, on a connection
   that has subscribed, messages pushed at any time. Redis allows nothing
   but (P)SUBSCRIBE on a subscribed connection, so the adapter keeps two,
   as Node's adapter does (a pub and a sub client).
   A connection that breaks (Redis restarted, the network gone) is
   dialed again after a back-off that doubles from SIO_REDIS_RETRY_MS up
   to SIO_REDIS_RETRY_MAX_MS. While it is down a command is refused at
   once (SIO_ERR_CLOSED), never queued: a broadcast must not reach other
   servers seconds late, and the loop must never wait for Redis. Waiters
   of a connection that breaks hear SIO_ERR_CLOSED. */

#ifndef SIO_REDIS_RETRY_MS
#define SIO_REDIS_RETRY_MS 200            /* first reconnection delay */
#endif
#ifndef SIO_REDIS_RETRY_MAX_MS
#define SIO_REDIS_RETRY_MAX_MS 5000       /* the longest */
#endif
#ifndef SIO_REDIS_MAX_WAITING
#define SIO_REDIS_MAX_WAITING 65536       /* replies awaited at once on one connection */
#endif
#define SIO__REDIS_MAX_ITEMS 16           /* values in one reply: a pmessage has 4 */

typedef struct sio__redis sio__redis;
/* err SIO_OK: the reply is items[0..n); else the connection broke first */
typedef void (*sio__redis_fn)(sio__redis *r, int err, const sio_resp *items, int n, void *user);
typedef struct sio__redis_wait {
    sio__redis_fn fn;
    void *user;
} sio__redis_wait;

struct sio__redis {
    /* set by the owner */
    sio__loop *loop;
    sio__rng *rng;
    const sio_logger *log;
    const char *what;            /* "publisher", "subscriber": for the log */
    const char *host;
    int port;
    const char *user, *password; /* AUTH [user] password, when set */
    int db;                      /* SELECT db, when > 0 */
    int subscriber;              /* replies are pushes, not answers to waiters */
    void (*on_up)(sio__redis *r, void *user);
    void (*on_down)(sio__redis *r, void *user);
    void (*on_push)(sio__redis *r, const sio_resp *items, int n, void *user);
    void *owner;
    /* private */
    sio__resolver res;
    sio__conn *c;
    int up;                      /* connected: commands are taken */
    int stopping;
    int backoff_ms;
    sio__timer retry;
    sio__redis_wait *waits;      /* a ring */
    size_t whead, nwait, wcap;
    sio_buf cmd;
    sio_resp items[SIO__REDIS_MAX_ITEMS];
};

static void sio__redis_dial(sio__redis *r);

/* Every waiter hears that its reply will not come. */
static void sio__redis_fail_waiters(sio__redis *r) {
    while (r->nwait) {
        sio__redis_wait w = r->waits[r->whead];
        r->whead = (r->whead + 1) % r->wcap;
        r->nwait--;
        if (w.fn) w.fn(r, SIO_ERR_CLOSED, NULL, 0, w.user);
    }
}

static void sio__redis_retry_due(sio__timer *t) {
    sio__redis *r = (sio__redis *)(void *)((char *)t - offsetof(sio__redis, retry));
    sio__redis_dial(r);
}

static void sio__redis_schedule(sio__redis *r) {
    unsigned char j[2];
    int ms = r->backoff_ms ? r->backoff_ms : SIO_REDIS_RETRY_MS;
    if (r->stopping) return;
    sio__rng_bytes(r->rng, j, sizeof j);   /* jitter: servers that lost Redis together do not return together */
    r->backoff_ms = ms * 2 > SIO_REDIS_RETRY_MAX_MS ? SIO_REDIS_RETRY_MAX_MS : ms * 2;
    ms += (int)(((unsigned)j[0] << 8 | j[1]) % (unsigned)(ms / 4 + 1));
    r->loop->now = sio__now_ms();
    sio__timer_set(&r->loop->timers, r->loop->alloc, &r->retry, r->loop->now + (uint64_t)ms);
}

static void sio__redis_down(sio__redis *r, const char *why) {
    int was_up = r->up;
    r->up = 0;
    if (r->c) {
        r->c->proto = NULL;
        sio__conn_close(r->c, SIO_OK);
        r->c = NULL;
    }
    if (!r->stopping)
        sio__log(r->log, was_up ? SIO_LOG_WARN : SIO_LOG_DEBUG, "redis %s %s:%d: %s; trying again", r->what, r->host,
                 r->port, why);
    sio__redis_fail_waiters(r);
    if (was_up && r->on_down) r->on_down(r, r->owner);
    sio__redis_schedule(r);
}

static long sio__redis_on_data(sio__conn *c, char *data, size_t len) {
    sio__redis *r = (sio__redis *)c->proto;
    size_t used = 0;
    if (!r) return -1;
    while (used < len) {
        int n;
        long got = sio_resp_parse(data + used, len - used, r->items, SIO__REDIS_MAX_ITEMS, &n);
        if (got == 0) break;
        if (got < 0) {
            sio__redis_down(r, got == SIO_ERR_TOO_BIG ? "a reply over the limits" : "bytes that are not RESP2");
            return -1;
        }
        used += (size_t)got;
        if (r->subscriber && r->items[0].type == '*') {
            if (r->on_push) r->on_push(r, r->items, n, r->owner);
        } else if (r->nwait) {
            sio__redis_wait w = r->waits[r->whead];
            r->whead = (r->whead + 1) % r->wcap;
            r->nwait--;
            if (w.fn) w.fn(r, SIO_OK, r->items, n, w.user);
            else if (r->items[0].type == '-')
                sio__log(r->log, SIO_LOG_WARN, "redis %s: %.*s", r->what, (int)r->items[0].len, r->items[0].ptr);
        } else if (r->items[0].type == '-') {
            sio__log(r->log, SIO_LOG_WARN, "redis %s: %.*s", r->what, (int)r->items[0].len, r->items[0].ptr);
        }
        if (r->c != c) return -1;   /* a callback closed it */
    }
    return (long)used;
}

static void sio__redis_on_close(sio__conn *c, int err) {
    sio__redis *r = (sio__redis *)c->proto;
    if (!r) return;
    c->proto = NULL;
    r->c = NULL;
    sio__redis_down(r, err == SIO_ERR_REFUSED ? "connection refused" : err ? sio_strerror(err) : "connection closed");
}

/* A command of argc arguments, its reply to fn (NULL: none wanted, an
   error is logged). SIO_ERR_CLOSED while down, SIO_ERR_TOO_BIG when
   SIO_REDIS_MAX_WAITING replies are awaited already. */
static int sio__redis_command(sio__redis *r, int argc, const char *const *argv, const size_t *lens, sio__redis_fn fn,
                              void *user) {
    int rc, wait = !r->subscriber || fn;   /* a subscriber's pushes are nobody's reply */
    if (!r->c) return SIO_ERR_CLOSED;
    if (wait) {
        if (r->nwait == SIO_REDIS_MAX_WAITING) return SIO_ERR_TOO_BIG;
        if (r->nwait == r->wcap) {
            size_t cap = r->wcap ? 2 * r->wcap : 16, i;
            sio__redis_wait *nw = (sio__redis_wait *)sio__malloc(r->loop->alloc, cap * sizeof *nw);
            if (!nw) return SIO_ERR_NOMEM;
            for (i = 0; i < r->nwait; i++) nw[i] = r->waits[(r->whead + i) % r->wcap];
            sio__free(r->loop->alloc, r->waits);
            r->waits = nw;
            r->wcap = cap;
            r->whead = 0;
        }
    }
    sio_buf_reset(&r->cmd);
    if ((rc = sio_resp_command(&r->cmd, argc, argv, lens)) != SIO_OK) return rc;
    if ((rc = sio__conn_send(r->c, r->cmd.data, r->cmd.len)) != SIO_OK) return rc;
    if (wait) {
        r->waits[(r->whead + r->nwait) % r->wcap].fn = fn;
        r->waits[(r->whead + r->nwait) % r->wcap].user = user;
        r->nwait++;
    }
    return SIO_OK;
}

/* AUTH's and SELECT's answers: a refusal (a wrong password) is said once
   and the connection tried again later, in case the operator fixes it. */
static void sio__redis_setup_reply(sio__redis *r, int err, const sio_resp *it, int n, void *user) {
    (void)n;
    (void)user;
    if (err == SIO_OK && it[0].type == '-') {
        sio__log(r->log, SIO_LOG_ERROR, "redis %s %s:%d refused the login: %.*s", r->what, r->host, r->port,
                 (int)it[0].len, it[0].ptr);
        if (r->c) sio__conn_close(r->c, SIO_ERR_REFUSED);
    }
}

static void sio__redis_connected(sio__redis *r) {
    char db[24];
    const char *argv[3];
    int argc = 0;
    if (r->password) {
        argv[argc++] = "AUTH";
        if (r->user) argv[argc++] = r->user;
        argv[argc++] = r->password;
        /* on a subscriber the reply is not an array: it still comes in order, as a waiter's */
        sio__redis_command(r, argc, argv, NULL, sio__redis_setup_reply, NULL);
    }
    if (r->db > 0 && !r->subscriber) {
        snprintf(db, sizeof db, "%d", r->db);
        argv[0] = "SELECT";
        argv[1] = db;
        sio__redis_command(r, 2, argv, NULL, sio__redis_setup_reply, NULL);
    }
    r->up = 1;
    r->backoff_ms = 0;
    sio__log(r->log, SIO_LOG_INFO, "redis %s connected to %s:%d", r->what, r->host, r->port);
    if (r->on_up) r->on_up(r, r->owner);
}

static void sio__redis_on_connect(sio__conn *c) {
    sio__redis *r = (sio__redis *)c->proto;
    if (r) sio__redis_connected(r);
}

static const sio__conn_ops sio__redis_ops = {sio__redis_on_data, sio__redis_on_close, sio__redis_on_connect, NULL,
                                             NULL};

static void sio__redis_open(sio__redis *r) {
    int err;
    sio__conn *c = sio__dial(r->loop, &r->res.out, &sio__redis_ops, r->owner, &err);
    if (!c) {
        sio__redis_down(r, sio_strerror(err));
        return;
    }
    c->proto = r;
    r->c = c;
    if (!(c->flags & SIO__F_CONNECTING)) sio__redis_connected(r);
}

static void sio__redis_resolved(sio__resolver *res, int err, const char *why, void *user) {
    sio__redis *r = (sio__redis *)user;
    (void)res;
    if (err != SIO_OK) sio__redis_down(r, why ? why : sio_strerror(err));
    else sio__redis_open(r);
}

static void sio__redis_dial(sio__redis *r) {
    if (r->stopping || r->c) return;
    r->res.done = sio__redis_resolved;
    r->res.user = r;
    if (sio__resolve(&r->res, r->host, r->port) == SIO_OK) sio__redis_open(r);
}

static void sio__redis_start(sio__redis *r) {
    r->retry.fn = sio__redis_retry_due;
    r->res.loop = r->loop;
    r->res.rng = r->rng;
    r->res.log = r->log;
    r->res.timeout_ms = SIO_CLIENT_RESOLVE_TIMEOUT_MS;
    r->cmd.alloc = r->loop->alloc;
    sio__redis_dial(r);
}

static void sio__redis_stop(sio__redis *r) {
    r->stopping = 1;
    sio__timer_cancel(&r->loop->timers, &r->retry);
    sio__resolve_stop(&r->res);
    if (r->c) {
        r->c->proto = NULL;
        sio__conn_close(r->c, SIO_OK);
        r->c = NULL;
    }
    r->up = 0;
    sio__redis_fail_waiters(r);
    sio__free(r->loop->alloc, r->waits);
    r->waits = NULL;
    r->wcap = 0;
    sio_buf_free(&r->cmd);
}
#endif /* SIO_NO_REDIS */


#ifndef SIO_NO_CLIENT
/* =====================================================================
   >>httpc: URLs and HTTP/1.1 client connections
   =====================================================================
   An HTTP client connection carries one request at a time and is kept
   alive between requests; its owner hears the answer (status and whole
   body) or the failure through the two callbacks it set. Long-polling
   uses two of them, one for the held GET and one for POSTs, so a held GET
   never delays a send. */

typedef struct sio__url {
    int ws;                          /* ws:// rather than http:// */
    int tls;                         /* https:// or wss:// */
    int v6;                          /* literal IPv6 address, bracketed in the URL */
    char host[SIO_CLIENT_MAX_HOST];
    int port;
    const char *path;                /* from the first '/' to '?' or '#'; NULL if none */
    size_t path_len;
    const char *query;               /* after '?', without it; NULL if none */
    size_t query_len;
} sio__url;

static int sio__url_parse(const char *url, sio__url *u) {
    const char *p = url, *h;
    size_t hl, i;
    memset(u, 0, sizeof *u);
    if (!url) return SIO_ERR_INVALID;
    if (strncmp(p, "http://", 7) == 0) {
        p += 7;
    } else if (strncmp(p, "ws://", 5) == 0) {
        p += 5;
        u->ws = 1;
    } else if (strncmp(p, "https://", 8) == 0 || strncmp(p, "wss://", 6) == 0) {
#ifdef SIO_TLS_BEARSSL
        u->ws = p[0] == 'w';
        u->tls = 1;
        p += u->ws ? 6 : 8;
#else
        return SIO_ERR_UNSUPPORTED;   /* never a silent plain-text connection */
#endif
    } else {
        return SIO_ERR_INVALID;
    }
    if (*p == '[') {
        const char *e = strchr(p, ']');
        if (!e) return SIO_ERR_INVALID;
        h = p + 1;
        hl = (size_t)(e - h);
        p = e + 1;
        u->v6 = 1;
    } else {
        h = p;
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        hl = (size_t)(p - h);
    }
    if (!hl || hl >= sizeof u->host) return SIO_ERR_INVALID;
    /* the host goes into a Host header: nothing that could end the line */
    for (i = 0; i < hl; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '.' || ch == '_' || ch == '%' || (u->v6 && ch == ':')))
            return SIO_ERR_INVALID;
    }
    memcpy(u->host, h, hl);
    u->host[hl] = 0;
    u->port = u->tls ? 443 : 80;
    if (*p == ':') {
        long port = 0;
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++digits > 5) return SIO_ERR_INVALID;
            port = port * 10 + (*p - '0');
        }
        if (!digits || port < 1 || port > 65535) return SIO_ERR_INVALID;
        u->port = (int)port;
    }
    if (*p == '/') {
        u->path = p;
        while (*p && *p != '?' && *p != '#') p++;
        u->path_len = (size_t)(p - u->path);
    }
    if (*p == '?') {
        u->query = ++p;
        while (*p && *p != '#') p++;
        u->query_len = (size_t)(p - u->query);
    }
    if (*p && *p != '#') return SIO_ERR_INVALID;
    return SIO_OK;
}


/* Appends s to a query string, %-encoded but for RFC 3986's unreserved
   characters: a value a server handed us (a sid) can then neither end
   the request line nor add a header. */
static void sio__append_qvalue(sio_buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '.' || ch == '_' || ch == '~') {
            sio_buf_appendc(b, (char)ch);
        } else {
            char e[3];
            e[0] = '%';
            e[1] = hex[ch >> 4];
            e[2] = hex[ch & 15];
            sio_buf_append(b, e, 3);
        }
    }
}

typedef struct sio__hcc sio__hcc;
struct sio__hcc {
    /* set by the owner */
    sio__loop *loop;
    const sio__addrs *addrs;     /* where to connect, tried in turn */
    void *tls_ctx;               /* https: the shared TLS context, else NULL */
    const char *tls_host;        /* the name to check the certificate against */
    void (*on_done)(sio__hcc *h, int status, char *body, size_t len, void *user);
    /* why: the reason in words when there is more to say (TLS), else NULL */
    void (*on_failed)(sio__hcc *h, int err, const char *why, void *user);
    void *user;
    /* private */
    sio__conn *c;
    int busy;                /* request sent, answer not complete */
    int reused;              /* the request went on a kept-alive connection */
    int head;                /* answer head parsed */
    int status, keep_alive, chunked;
    long long clen;
    sio_http_chunked ch;
    sio_buf body;
    size_t seen;             /* head bytes already looked at */
    sio_buf req;             /* the request, until its answer starts */
};

static long sio__hcc_on_data(sio__conn *c, char *data, size_t len);
static void sio__hcc_on_closed(sio__conn *c, int err);
static const sio__conn_ops sio__hcc_ops = {sio__hcc_on_data, sio__hcc_on_closed, NULL, NULL, NULL};

static int sio__hcc_dial(sio__hcc *h) {
    int err;
    sio__conn *c = sio__dial(h->loop, h->addrs, &sio__hcc_ops, h->user, &err);
    if (!c) return err;
    /* h only once the request is queued: a failure here is a return
       value, not a callback from inside the owner's call */
    if ((err = sio__tls_attach(c, h->tls_ctx, h->tls_host)) != SIO_OK ||
        (err = sio__conn_send(c, h->req.data, h->req.len)) != SIO_OK) {
        sio__conn_close(c, err);
        return err;
    }
    c->proto = h;
    h->c = c;
    return SIO_OK;
}

/* h->req holds the whole request. */
static int sio__hcc_send(sio__hcc *h) {
    h->busy = 1;
    h->head = 0;
    h->seen = 0;
    sio_buf_free(&h->body);
    if (h->c && !(h->c->flags & (SIO__F_DEAD | SIO__F_CLOSING))) {
        h->reused = 1;
        return sio__conn_send(h->c, h->req.data, h->req.len);
    }
    h->reused = 0;
    return sio__hcc_dial(h);
}

static void sio__hcc_drop(sio__hcc *h) {
    sio__conn *c = h->c;
    h->c = NULL;
    h->busy = h->head = 0;
    sio_buf_free(&h->req);
    sio_buf_free(&h->body);
    if (c) {
        c->proto = NULL;
        sio__conn_close(c, SIO_OK);
    }
}

static void sio__hcc_complete(sio__hcc *h, sio__conn *c) {
    sio_buf body = h->body;   /* the handler may drop h: the body is ours now */
    int status = h->status;
    memset(&h->body, 0, sizeof h->body);
    h->body.alloc = body.alloc;
    h->busy = h->head = 0;
    if (!h->keep_alive) {
        h->c = NULL;
        c->proto = NULL;
        sio__conn_close(c, SIO_OK);
    }
    h->on_done(h, status, body.data, body.len, h->user);
    sio_buf_free(&body);
}

static long sio__hcc_fail(sio__hcc *h, sio__conn *c, int err, size_t len) {
    sio__conn_close(c, err);   /* on_closed reports it */
    (void)h;
    return (long)len;
}

static long sio__hcc_on_data(sio__conn *c, char *data, size_t len) {
    sio__hcc *h = (sio__hcc *)c->proto;
    size_t used = 0;
    if (!h) return (long)len;
    if (!h->busy) return sio__hcc_fail(h, c, SIO_ERR_PROTOCOL, len);  /* bytes nobody asked for */
    if (!h->head) {
        sio_http_msg m;
        int hl;
        if (h->seen && !sio_http_head_ready(data, len, h->seen)) {
            h->seen = len;
            return 0;
        }
        hl = sio_http_parse_response(data, len, &m);
        if (hl == 0) {
            h->seen = len;
            return 0;
        }
        if (hl < 0 || m.status < 200) return sio__hcc_fail(h, c, SIO_ERR_PROTOCOL, len);
        if (m.content_length > (long long)SIO_CLIENT_MAX_BODY) return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
        h->head = 1;
        h->seen = 0;
        h->status = m.status;
        h->keep_alive = m.keep_alive;
        h->chunked = m.chunked;
        h->clen = m.content_length;
        memset(&h->ch, 0, sizeof h->ch);
        h->body.alloc = c->loop->alloc;
        sio_buf_free(&h->req);
        used = (size_t)hl;
    }
    if (h->chunked) {
        size_t consumed = 0, outn = 0;
        int rc = sio_http_chunked_decode(&h->ch, data + used, len - used, &consumed, &outn);
        if (rc < 0) return sio__hcc_fail(h, c, rc, len);
        if (sio_buf_append(&h->body, data + used, outn) != SIO_OK || h->body.len > SIO_CLIENT_MAX_BODY)
            return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
        used += consumed;
        if (rc == 1) {
            sio__hcc_complete(h, c);
            return (long)len;
        }
        return (long)used;
    }
    if (h->clen >= 0) {
        size_t want = (size_t)h->clen - h->body.len, take = len - used < want ? len - used : want;
        if (sio_buf_append(&h->body, data + used, take) != SIO_OK) return sio__hcc_fail(h, c, SIO_ERR_NOMEM, len);
        if (h->body.len == (size_t)h->clen) sio__hcc_complete(h, c);
        return (long)len;
    }
    /* no length: the body ends with the connection */
    if (sio_buf_append(&h->body, data + used, len - used) != SIO_OK || h->body.len > SIO_CLIENT_MAX_BODY)
        return sio__hcc_fail(h, c, SIO_ERR_TOO_BIG, len);
    return (long)len;
}

static void sio__hcc_failed(sio__hcc *h, sio__conn *c, int err) {
    char why[160];
    if (err == SIO_ERR_TLS) sio__tls_why(c, why, sizeof why);
    h->on_failed(h, err, err == SIO_ERR_TLS ? why : NULL, h->user);
}

static void sio__hcc_on_closed(sio__conn *c, int err) {
    sio__hcc *h = (sio__hcc *)c->proto;
    if (!h) return;
    c->proto = NULL;
    h->c = NULL;
    if (!h->busy) return;   /* an idle kept-alive connection timed out */
    /* A kept-alive connection may be closed by the server just as the
       request leaves: resend it once on a fresh connection. */
    if (h->reused && !h->head && h->req.len) {
        h->reused = 0;
        if (sio__hcc_dial(h) == SIO_OK) return;
    }
    if (h->head && !h->chunked && h->clen < 0 && err == SIO_ERR_CLOSED) {
        sio__hcc_complete(h, c);
        return;
    }
    h->busy = h->head = 0;
    sio_buf_free(&h->req);
    sio_buf_free(&h->body);
    sio__hcc_failed(h, c, err);
}
#endif /* SIO_NO_CLIENT */

#ifndef SIO_NO_CLIENT
/* =====================================================================
   >>eioc: the Engine.IO v4 client
   =====================================================================
   One Engine.IO connection to a server: the host resolved again on every
   attempt, the handshake ("0{...}"), long-polling with a held GET and a
   POST at a time, the upgrade to WebSocket, and the heartbeat watchdog.
   In v4 the SERVER pings: the client answers every "2" with "3" and never
   pings itself; if no "2" comes within pingInterval + pingTimeout the link
   is dead. The upgrade, as the server sees it in >>eio:
       -> ws "2probe"   <- ws "3probe"   (polling drains: GET gets "6")
       -> ws "5"        the queue now goes out on the WebSocket, in order
   Packets to send wait in one queue of records, whatever the transport,
   so nothing is lost or reordered by an upgrade. With protocol 3 it
   speaks to socket.io 2 servers: payloads framed by length (either of
   the two forms in, the text form out), the type byte on binary frames,
   and the heartbeat the other way round: we send "2" every pingInterval
   and a "3" must come back within pingTimeout. The owner (the Socket.IO
   manager of >>client) hears the open link, every message and the end of
   the link through sio__eioc_handlers; it decides about reconnecting. */

enum { SIO__EC_IDLE = 0, SIO__EC_OPENING, SIO__EC_OPEN, SIO__EC_CLOSING, SIO__EC_CLOSED };
enum { SIO__UP_NONE = 0, SIO__UP_PROBING, SIO__UP_PAUSING, SIO__UP_FAILED };

typedef struct sio__eioc sio__eioc;
typedef struct sio__eioc_handlers {
    void (*on_open)(sio__eioc *x, void *user);       /* the handshake is done */
    /* a message: "4" packet text without its type, or binary */
    void (*on_message)(sio__eioc *x, char *data, size_t len, int binary, void *user);
    /* The link is gone (was_open 1) or never came up, with the reason as
       the Node client gives it ("transport close", "xhr poll error", ...);
       reason NULL: closed as sio__eioc_close asked. */
    void (*on_close)(sio__eioc *x, const char *reason, int was_open, void *user);
} sio__eioc_handlers;

struct sio__eioc {
    /* set by the owner */
    sio__loop *loop;
    sio__rng *rng;
    const sio_logger *log;
    const sio__eioc_handlers *h;
    void *user;
    sio__url url;
    const char *path;            /* "/socket.io/" */
    const char *query;           /* "&k=v..." or "" */
    const char *headers;         /* "K: V\r\n..." or "" */
    char hosthdr[SIO_CLIENT_MAX_HOST + 16];
    int allow_polling, allow_ws;
    int protocol;                /* 4, or 3 for socket.io 2 servers */
    int timeout_ms;              /* handshake deadline */
    void *tls_ctx;               /* https/wss */
    sio__resolver res;           /* its out holds the addresses of this attempt */
    /* private */
    int state;                   /* SIO__EC_* */
    int transport;               /* SIO__T_* */
    int up;                      /* SIO__UP_* */
    unsigned gen;                /* bumped whenever the link is torn down */
    int destroying;
    char sid[64];
    long ping_interval, ping_timeout, max_payload;
    int can_upgrade;
    int awaiting_pong;           /* v3: our ping is out */
    sio__hcc get, post;
    sio__wsc *ws;
    sio_buf wq;                  /* packets waiting: records [kind][len:4][bytes] */
    size_t wq_off;
    sio__timer watchdog, open_timer, probe_timer, fail_timer;
    const char *fail_reason;
    char why[160];               /* the last TLS failure, in words */
    unsigned long tcount;        /* cache-buster */
    sio_buf tmp, body;
};

#define SIO__EC_OF(ptr, field) ((sio__eioc *)(void *)((char *)(ptr) - offsetof(sio__eioc, field)))

/* ---- the send queue ---- */

static void sio__eioc_log_packet(sio__eioc *x, const char *dir, int kind, const char *data, size_t len) {
    sio__trace(x->log, "", dir, kind, data, len);
}

static void sio__eioc_lost(sio__eioc *x, const char *reason);

/* The request line's target: path, then the query the server must see.
   The sid came from the server: %-encoded, so it cannot end the line. */
static void sio__eioc_target(sio__eioc *x, sio_buf *b, const char *transport, int with_sid) {
    char head[64];
    sio_buf_appends(b, x->path);
    snprintf(head, sizeof head, "?EIO=%d&transport=%s", x->protocol == 3 ? 3 : 4, transport);
    sio_buf_appends(b, head);
    if (transport[0] == 'p') {
        snprintf(head, sizeof head, "&t=%lx", ++x->tcount);
        sio_buf_appends(b, head);
    }
    if (with_sid) {
        sio_buf_appends(b, "&sid=");
        sio__append_qvalue(b, x->sid);
    }
    sio_buf_appends(b, x->query);
}

/* A POST with as many queued packets as fit under the server's
   maxPayload (at least one): "4hello\x1ebAQID", or for v3
   "6:4hello8:b4AQID". A record holds the type digit and the packet. */
static void sio__eioc_post(sio__eioc *x) {
    sio_buf *b = &x->body, *r = &x->post.req;
    size_t off = x->wq_off, n = 0;
    sio_buf_reset(b);
    while (off < x->wq.len) {
        const char *rec = x->wq.data + off;
        size_t len = sio__rec_len(rec), enc = rec[0] == 'b' ? 1 + sio_base64_encoded_len(len) : 1 + len;
        if (n && b->len + 13 + enc > (size_t)x->max_payload) break;
        if (x->protocol == 3) {
            if (rec[0] == 'b') {
                sio_eio3_payload_append(b, rec + 5, len, 1, 0);
            } else {
                /* the record's kind is the type digit, its bytes the rest */
                sio_buf_appendu(b, (unsigned long long)(1 + sio__utf16_units(rec + 5, len)));
                sio_buf_appendc(b, ':');
                sio_buf_appendc(b, rec[0]);
                sio_buf_append(b, rec + 5, len);
            }
        } else {
            if (n) sio_buf_appendc(b, '\x1e');
            sio_buf_appendc(b, rec[0]);
            if (rec[0] == 'b') sio_base64_buf(b, rec + 5, len);
            else sio_buf_append(b, rec + 5, len);
        }
        off += 5 + len;
        n++;
    }
    x->wq_off = off;
    if (x->wq_off == x->wq.len) {
        sio_buf_reset(&x->wq);
        x->wq_off = 0;
    }
    if (b->err) {
        sio__eioc_lost(x, "transport error");
        return;
    }
    sio_buf_reset(r);
    r->alloc = x->loop->alloc;
    sio_buf_appends(r, "POST ");
    sio__eioc_target(x, r, "polling", 1);
    sio_buf_appends(r, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(r, x->hosthdr);
    sio_buf_appends(r, "\r\nAccept: */*\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ");
    sio_buf_appendu(r, (unsigned long long)b->len);
    sio_buf_appends(r, "\r\n");
    sio_buf_appends(r, x->headers);
    sio_buf_appends(r, "\r\n");
    sio_buf_append(r, b->data, b->len);
    if (r->err || sio__hcc_send(&x->post) != SIO_OK) sio__eioc_lost(x, "transport error");
}

/* Sends what the queue holds on the current transport, if it may. */
static void sio__eioc_flush(sio__eioc *x) {
    if (x->state != SIO__EC_OPEN || x->wq_off >= x->wq.len) return;
    if (x->transport == SIO__T_WEBSOCKET) {
        size_t off = x->wq_off;
        while (off < x->wq.len && x->ws) {
            const char *rec = x->wq.data + off;
            size_t len = sio__rec_len(rec);
            /* one frame per packet: "4hello" as text, binary as raw bytes (v3: after the type, 4) */
            sio__wsc_send(x->ws, rec[0] == 'b' ? (x->protocol == 3 ? 4 : -1) : (unsigned char)rec[0], rec + 5, len,
                          rec[0] == 'b');
            off += 5 + len;
        }
        sio_buf_reset(&x->wq);
        x->wq_off = 0;
        return;
    }
    if (x->up != SIO__UP_PAUSING && !x->post.busy) sio__eioc_post(x);
}

/* A packet is queued whatever the state; it leaves once the link is open
   and may. A peer that never lets it leave cannot grow it without bound. */
static void sio__eioc_send(sio__eioc *x, int type, const void *data, size_t len, int binary) {
    int kind = binary ? 'b' : '0' + type;
    sio__eioc_log_packet(x, "->", kind, (const char *)data, len);
    if (sio__rec_append(&x->wq, kind, data, len) != SIO_OK) {
        sio__eioc_lost(x, "transport error");
        return;
    }
    if (x->wq.len - x->wq_off > x->loop->max_output) {
        sio__log(x->log, SIO_LOG_WARN, "send queue over max_output (%lu bytes): the server does not read, dropping it",
                 (unsigned long)x->loop->max_output);
        sio__eioc_lost(x, "transport error");
        return;
    }
    sio__eioc_flush(x);
}

/* Records made elsewhere (emits held while offline), sent in order. */
static void sio__eioc_send_records(sio__eioc *x, const sio_buf *recs) {
    size_t off = 0;
    while (off < recs->len) {
        size_t len = sio__rec_len(recs->data + off);
        sio__eioc_log_packet(x, "-> (held)", (unsigned char)recs->data[off], recs->data + off + 5, len);
        off += 5 + len;
    }
    if (sio_buf_append(&x->wq, recs->data, recs->len) != SIO_OK) {
        sio__eioc_lost(x, "transport error");
        return;
    }
    sio__eioc_flush(x);
}

/* ---- polling ---- */

static void sio__eioc_get(sio__eioc *x) {
    sio_buf *r = &x->get.req;
    sio_buf_reset(r);
    r->alloc = x->loop->alloc;
    sio_buf_appends(r, "GET ");
    sio__eioc_target(x, r, "polling", x->sid[0] != 0);
    sio_buf_appends(r, " HTTP/1.1\r\nHost: ");
    sio_buf_appends(r, x->hosthdr);
    sio_buf_appends(r, "\r\nAccept: */*\r\n");
    sio_buf_appends(r, x->headers);
    sio_buf_appends(r, "\r\n");
    if (!r->err && sio__hcc_send(&x->get) == SIO_OK) return;
    if (x->state == SIO__EC_OPENING) {
        x->fail_reason = "xhr poll error";
        sio__timer_set(&x->loop->timers, x->loop->alloc, &x->fail_timer, x->loop->now);
    } else {
        sio__eioc_lost(x, "transport error");
    }
}

static void sio__eioc_finish_upgrade(sio__eioc *x);

/* Next step after any polling request finished: keep a GET held, send
   what is queued; while the upgrade waits for them, finish it instead. */
static void sio__eioc_after_io(sio__eioc *x) {
    if (x->state != SIO__EC_OPEN || x->transport != SIO__T_POLLING) return;
    if (x->up == SIO__UP_PAUSING) {
        if (!x->get.busy && !x->post.busy) sio__eioc_finish_upgrade(x);
        return;
    }
    if (!x->get.busy) sio__eioc_get(x);
    if (x->state == SIO__EC_OPEN) sio__eioc_flush(x);
}

static void sio__eioc_packet(sio__eioc *x, char *d, size_t n, int binary);

/* A polling payload: packets joined with \x1e, binary ones as
   "b<base64>", e.g. "0{...}\x1e40" or "42[\"a\"]\x1ebAQID". From a v3
   server framed by length, in the binary form when it starts with a kind
   byte (0 or 1) instead of a digit. */
static void sio__eioc_payload(sio__eioc *x, char *body, size_t len) {
    unsigned gen = x->gen;
    size_t i = 0;
    if (x->protocol == 3) {
        int form = len && (unsigned char)body[0] <= 1, bin, rc;
        char *pkt;
        size_t n;
        while (gen == x->gen && (rc = sio_eio3_payload_next(body, len, form, &i, &pkt, &n, &bin)) != 0) {
            if (rc < 0) {
                sio__log(x->log, SIO_LOG_INFO, "polling: not an Engine.IO v3 payload: %.*s", (int)(len > 60 ? 60 : len),
                         body);
                sio__eioc_lost(x, x->state == SIO__EC_OPEN ? "parse error" : "xhr poll error");
                return;
            }
            if (n || bin) sio__eioc_packet(x, pkt, n, bin);   /* "0:" is an empty payload; an empty attachment is not */
        }
        return;
    }
    while (i < len && gen == x->gen) {
        size_t j = i;
        while (j < len && body[j] != '\x1e') j++;
        if (j > i && body[i] == 'b') {
            size_t outn = 0;
            /* base64 is longer than its bytes: decoded in place */
            if (sio_base64_decode(body + i + 1, j - i - 1, (unsigned char *)body + i, j - i, &outn) != SIO_OK) {
                sio__eioc_lost(x, x->state == SIO__EC_OPEN ? "parse error" : "xhr poll error");
                return;
            }
            sio__eioc_packet(x, body + i, outn, 1);
        } else {
            sio__eioc_packet(x, body + i, j - i, 0);
        }
        i = j + 1;
    }
}

static void sio__eioc_finish_close(sio__eioc *x);

static void sio__eioc_http_done(sio__hcc *h, int status, char *body, size_t len, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    if (x->destroying) return;
    if (x->state == SIO__EC_CLOSING) {
        /* the POST that was in flight is answered: now the close can go */
        if (h == &x->post) sio__eioc_finish_close(x);
        return;
    }
    if (status != 200) {
        sio__log(x->log, SIO_LOG_INFO, "polling %s answered HTTP %d: %.*s", h == &x->get ? "GET" : "POST", status,
                 (int)(len > 200 ? 200 : len), body ? body : "");
        sio__eioc_lost(x, x->state == SIO__EC_OPENING ? "xhr poll error" : "transport error");
        return;
    }
    if (h == &x->get) {
        unsigned gen = x->gen;
        if (x->state == SIO__EC_OPENING && x->protocol != 3 && (!len || body[0] != '0')) {
            /* logged whole-ish: "97:0{..." names an Engine.IO v3 server */
            sio__log(x->log, SIO_LOG_INFO, "polling handshake answer is not an Engine.IO open packet: %.*s",
                     (int)(len > 100 ? 100 : len), body ? body : "");
            sio__eioc_lost(x, "xhr poll error");
            return;
        }
        sio__eioc_payload(x, body, len);
        if (gen != x->gen) return;
        if (x->state == SIO__EC_OPENING) {
            /* the handshake answer must start with the open packet */
            sio__eioc_lost(x, "xhr poll error");
            return;
        }
    }
    sio__eioc_after_io(x);
}

static void sio__eioc_http_failed(sio__hcc *h, int err, const char *why, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    if (x->destroying) return;
    if (x->state == SIO__EC_CLOSING) {
        if (h == &x->post) sio__eioc_finish_close(x);
        return;
    }
    sio__log(x->log, SIO_LOG_INFO, "polling %s failed: %s", h == &x->get ? "GET" : "POST", why ? why : sio_strerror(err));
    if (why) {
        snprintf(x->why, sizeof x->why, "%s", why);
        sio__eioc_lost(x, x->why);   /* the certificate's reason, for connect_error */
    } else {
        sio__eioc_lost(x, x->state == SIO__EC_OPENING ? "xhr poll error" : "transport error");
    }
}

/* ---- WebSocket and the upgrade ---- */

static void sio__eioc_ws_open(sio__wsc *w, void *user);
static void sio__eioc_ws_message(sio__wsc *w, char *data, size_t len, int binary, void *user);
static void sio__eioc_ws_closed(sio__wsc *w, int err, int code, const char *why, void *user);
static const sio__wsc_handlers sio__eioc_wsc = {sio__eioc_ws_open, sio__eioc_ws_message, NULL, sio__eioc_ws_closed};

static int sio__eioc_ws_start(sio__eioc *x, int with_sid) {
    sio_buf *t = &x->tmp;
    int rc;
    sio_buf_reset(t);
    sio__eioc_target(x, t, "websocket", with_sid);
    sio_buf_appendc(t, 0);
    if (t->err) return t->err;
    x->ws = sio__wsc_dial(x->loop, x->rng, &x->res.out, x->hosthdr, t->data, x->headers, x->tls_ctx, x->url.host, 0,
                          &sio__eioc_wsc, x, &rc);
    return rc;
}

static void sio__eioc_probe_abandon(sio__eioc *x, const char *why) {
    int was_pausing = x->up == SIO__UP_PAUSING;
    sio__log(x->log, SIO_LOG_INFO, "upgrade to websocket abandoned (%s), staying on polling", why);
    sio__timer_cancel(&x->loop->timers, &x->probe_timer);
    sio__wsc_abort(x->ws);
    x->ws = NULL;
    x->up = SIO__UP_FAILED;
    if (was_pausing) sio__eioc_after_io(x);
}

static void sio__eioc_probe_due(sio__timer *t) {
    sio__eioc *x = SIO__EC_OF(t, probe_timer);
    if (x->up == SIO__UP_PROBING || x->up == SIO__UP_PAUSING) sio__eioc_probe_abandon(x, "timeout");
}

/* The probe answered "3probe" and polling is drained: "5" switches the
   session over and the queue is replayed on the WebSocket in order. */
static void sio__eioc_finish_upgrade(sio__eioc *x) {
    sio__timer_cancel(&x->loop->timers, &x->probe_timer);
    sio__eioc_log_packet(x, "->", '5', "", 0);
    sio__wsc_send(x->ws, '5', NULL, 0, 0);
    x->transport = SIO__T_WEBSOCKET;
    x->up = SIO__UP_NONE;
    sio__hcc_drop(&x->get);
    sio__hcc_drop(&x->post);
    sio__log(x->log, SIO_LOG_INFO, "upgraded to websocket");
    sio__eioc_flush(x);
}

static void sio__eioc_ws_open(sio__wsc *w, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    if (x->transport == SIO__T_POLLING && x->up == SIO__UP_PROBING) {
        sio__eioc_log_packet(x, "-> (probe)", '2', "probe", 5);
        sio__wsc_send(w, '2', "probe", 5, 0);
    }
}

static void sio__eioc_ws_message(sio__wsc *w, char *data, size_t len, int binary, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    (void)w;
    if (x->destroying) return;
    if (x->transport == SIO__T_POLLING) {
        if (x->up == SIO__UP_PROBING && !binary && len == 6 && memcmp(data, "3probe", 6) == 0) {
            sio__log(x->log, SIO_LOG_DEBUG, "<- (probe) 3probe");
            x->up = SIO__UP_PAUSING;
            sio__eioc_after_io(x);
        } else {
            sio__eioc_probe_abandon(x, "unexpected packet on the probe");
        }
        return;
    }
    if (binary && x->protocol == 3) {
        /* a v3 binary frame leads with its type: only messages are binary */
        if (!len || data[0] != 4) {
            sio__eioc_lost(x, "parse error");
            return;
        }
        data++;
        len--;
    }
    sio__eioc_packet(x, data, len, binary);
}

static void sio__eioc_ws_closed(sio__wsc *w, int err, int code, const char *why, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    (void)w;
    x->ws = NULL;
    if (x->destroying) return;
    if (x->transport == SIO__T_POLLING) {
        if (x->up == SIO__UP_PROBING || x->up == SIO__UP_PAUSING) sio__eioc_probe_abandon(x, "probe closed");
        return;
    }
    sio__log(x->log, SIO_LOG_INFO, "websocket closed (%s, code %d)", why ? why : sio_strerror(err), code);
    if (why) {
        snprintf(x->why, sizeof x->why, "%s", why);
        sio__eioc_lost(x, x->why);
    } else if (x->state == SIO__EC_OPENING) {
        sio__eioc_lost(x, "websocket error");
    } else {
        sio__eioc_lost(x, err == SIO_OK || err == SIO_ERR_CLOSED ? "transport close" : "transport error");
    }
}

/* ---- packets, handshake, heartbeat ---- */

/* v4: no ping from the server in time. v3: time for our ping, or our
   ping went unanswered. */
static void sio__eioc_watchdog_due(sio__timer *t) {
    sio__eioc *x = SIO__EC_OF(t, watchdog);
    if (x->protocol == 3 && !x->awaiting_pong) {
        x->awaiting_pong = 1;
        sio__timer_set(&x->loop->timers, x->loop->alloc, &x->watchdog, sio__now_ms() + (uint64_t)x->ping_timeout);
        sio__eioc_send(x, SIO_EIO_PING, "", 0, 0);
        return;
    }
    if (x->protocol == 3) sio__log(x->log, SIO_LOG_INFO, "no pong from the server within %ld ms", x->ping_timeout);
    else sio__log(x->log, SIO_LOG_INFO, "no ping from the server within %ld ms", x->ping_interval + x->ping_timeout);
    sio__eioc_lost(x, "ping timeout");
}

static void sio__eioc_arm_watchdog(sio__eioc *x) {
    uint64_t wait = (uint64_t)x->ping_interval + (x->protocol == 3 ? 0 : (uint64_t)x->ping_timeout);
    x->awaiting_pong = 0;
    sio__timer_set(&x->loop->timers, x->loop->alloc, &x->watchdog, sio__now_ms() + wait);
}

/* A duration from the open packet: the server's number, clamped to
   [0, 2^31) ms so sums and deadlines cannot overflow; dflt if absent. */
static long sio__json_ms(sio_json obj, const char *key, long dflt) {
    sio_json v;
    long long n;
    if (sio_json_get(obj, key, &v) != SIO_OK || v.type != SIO_JSON_NUMBER) return dflt;
    n = sio_json_integer(v);
    return n < 0 ? dflt : n > 0x7fffffffLL ? 0x7fffffffL : (long)n;
}

/* "0{"sid":"...","upgrades":["websocket"],"pingInterval":25000,...}" */
static void sio__eioc_opened(sio__eioc *x, const char *json, size_t n) {
    sio_json root, v, up;
    if (sio_json_parse(json, n, &root) != SIO_OK || root.type != SIO_JSON_OBJECT ||
        sio_json_get(root, "sid", &v) != SIO_OK || v.type != SIO_JSON_STRING ||
        sio_json_strcpy(v, x->sid, sizeof x->sid) >= sizeof x->sid || !x->sid[0] ||
        strlen(x->sid) != sio_json_strcpy(v, NULL, 0)) {   /* a NUL inside: not a sid we can send back */
        x->sid[0] = 0;
        sio__log(x->log, SIO_LOG_INFO, "bad open packet from the server");
        sio__eioc_lost(x, x->transport == SIO__T_POLLING ? "xhr poll error" : "websocket error");
        return;
    }
    x->ping_interval = sio__json_ms(root, "pingInterval", 25000);
    x->ping_timeout = sio__json_ms(root, "pingTimeout", 20000);
    x->max_payload = sio__json_ms(root, "maxPayload", 1000000);
    if (x->max_payload < 64) x->max_payload = 1000000;
    x->can_upgrade = 0;
    if (sio_json_get(root, "upgrades", &up) == SIO_OK && up.type == SIO_JSON_ARRAY) {
        sio_json_iter it;
        sio_json_iter_init(&it, up);
        while (sio_json_iter_next(&it, NULL, &v))
            if (sio_json_str_eq(v, "websocket")) x->can_upgrade = 1;
    }
    x->state = SIO__EC_OPEN;
    sio__timer_cancel(&x->loop->timers, &x->open_timer);
    sio__eioc_arm_watchdog(x);
    sio__log(x->log, SIO_LOG_INFO, "connected: sid %s over %s, pingInterval %ld, pingTimeout %ld, maxPayload %ld",
             x->sid, x->transport == SIO__T_POLLING ? "polling" : "websocket", x->ping_interval, x->ping_timeout,
             x->max_payload);
    if (x->transport == SIO__T_POLLING && x->can_upgrade && x->allow_ws) {
        x->up = SIO__UP_PROBING;
        sio__log(x->log, SIO_LOG_INFO, "probing websocket");
        if (sio__eioc_ws_start(x, 1) != SIO_OK) x->up = SIO__UP_FAILED;
        else sio__timer_set(&x->loop->timers, x->loop->alloc, &x->probe_timer, x->loop->now + (uint64_t)x->timeout_ms);
    }
    x->h->on_open(x, x->user);
}

static void sio__eioc_packet(sio__eioc *x, char *d, size_t n, int binary) {
    if (binary) {
        sio__eioc_log_packet(x, "<-", 'b', d, n);
        if (x->state != SIO__EC_OPEN) sio__eioc_lost(x, "parse error");
        else x->h->on_message(x, d, n, 1, x->user);
        return;
    }
    if (n == 0) {
        sio__eioc_lost(x, "parse error");
        return;
    }
    sio__eioc_log_packet(x, "<-", d[0], d + 1, n - 1);
    if (x->state == SIO__EC_OPENING) {
        if (d[0] == '0') sio__eioc_opened(x, d + 1, n - 1);
        else sio__eioc_lost(x, x->transport == SIO__T_POLLING ? "xhr poll error" : "websocket error");
        return;
    }
    switch (d[0]) {
    case '1':
        sio__eioc_lost(x, "transport close");
        break;
    case '2':
        /* v4: the server pings, we answer; the watchdog restarts */
        if (x->protocol != 3) sio__eioc_arm_watchdog(x);
        sio__eioc_send(x, SIO_EIO_PONG, d + 1, n - 1, 0);
        break;
    case '3':
        /* v3: our ping answered; the next one after pingInterval */
        if (x->protocol == 3 && x->awaiting_pong) sio__eioc_arm_watchdog(x);
        break;
    case '6':
        break;
    case '4':
        x->h->on_message(x, d + 1, n - 1, 0, x->user);
        break;
    default:
        sio__eioc_lost(x, "parse error");
        break;
    }
}

/* ---- the life of a connection ---- */

/* Tears the link down without telling anyone. */
static void sio__eioc_teardown(sio__eioc *x) {
    sio__timers *T = &x->loop->timers;
    x->gen++;
    sio__resolve_stop(&x->res);
    sio__hcc_drop(&x->get);
    sio__hcc_drop(&x->post);
    sio__wsc_abort(x->ws);
    x->ws = NULL;
    sio__timer_cancel(T, &x->watchdog);
    sio__timer_cancel(T, &x->open_timer);
    sio__timer_cancel(T, &x->probe_timer);
    sio__timer_cancel(T, &x->fail_timer);
    sio_buf_reset(&x->wq);
    x->wq_off = 0;
    x->up = SIO__UP_NONE;
    x->sid[0] = 0;
    x->state = SIO__EC_IDLE;
}

/* The link is gone (or never came up): down, and the owner is told. */
static void sio__eioc_lost(sio__eioc *x, const char *reason) {
    int was_open = x->state == SIO__EC_OPEN;
    if (x->state != SIO__EC_OPEN && x->state != SIO__EC_OPENING) return;
    sio__log(x->log, was_open ? SIO_LOG_INFO : SIO_LOG_WARN, "%s: %s", was_open ? "connection lost" : "connection failed",
             reason);
    sio__eioc_teardown(x);
    x->h->on_close(x, reason, was_open, x->user);
}

static void sio__eioc_open_due(sio__timer *t) {
    sio__eioc *x = SIO__EC_OF(t, open_timer);
    if (x->state == SIO__EC_OPENING) sio__eioc_lost(x, "timeout");
}

static void sio__eioc_fail_due(sio__timer *t) {
    sio__eioc *x = SIO__EC_OF(t, fail_timer);
    sio__eioc_lost(x, x->fail_reason ? x->fail_reason : "transport error");
}

/* The host is resolved: the first request of the attempt. */
static void sio__eioc_connect(sio__eioc *x) {
    if (x->transport == SIO__T_POLLING) {
        sio__eioc_get(x);
        return;
    }
    if (sio__eioc_ws_start(x, 0) != SIO_OK) {
        x->fail_reason = "websocket error";
        sio__timer_set(&x->loop->timers, x->loop->alloc, &x->fail_timer, x->loop->now);
    }
}

static void sio__eioc_resolved(sio__resolver *r, int err, const char *why, void *user) {
    sio__eioc *x = (sio__eioc *)user;
    (void)r;
    if (x->state != SIO__EC_OPENING) return;
    if (err != SIO_OK) sio__eioc_lost(x, why);
    else sio__eioc_connect(x);
}

static void sio__eioc_open(sio__eioc *x) {
    if (x->state == SIO__EC_OPENING || x->state == SIO__EC_OPEN) return;
    x->state = SIO__EC_OPENING;
    x->open_timer.fn = sio__eioc_open_due;
    x->transport = x->allow_polling ? SIO__T_POLLING : SIO__T_WEBSOCKET;
    x->up = SIO__UP_NONE;
    x->sid[0] = 0;
    x->loop->now = sio__now_ms();
    sio__timer_set(&x->loop->timers, x->loop->alloc, &x->open_timer, x->loop->now + (uint64_t)x->timeout_ms);
    sio__log(x->log, SIO_LOG_INFO, "connecting to %s:%d%s over %s", x->url.host, x->url.port, x->path,
             x->transport == SIO__T_POLLING ? "polling" : "websocket");
    /* resolved again on every attempt: the server may have moved */
    x->res.done = sio__eioc_resolved;
    x->res.user = x;
    if (sio__resolve(&x->res, x->url.host, x->url.port) == SIO_OK) sio__eioc_connect(x);
}

/* Sends what is queued plus the close packet "1" in one last POST, on a
   connection of its own that is left to finish by itself. */
static void sio__eioc_final_post(sio__eioc *x) {
    sio__eioc_log_packet(x, "->", '1', "", 0);
    sio__rec_append(&x->wq, '1', "", 0);
    x->up = SIO__UP_NONE;
    x->state = SIO__EC_OPEN;   /* sio__eioc_post may report a failure through sio__eioc_lost */
    sio__eioc_post(x);
    if (x->post.c) {
        sio__conn *c = x->post.c;
        c->proto = NULL;
        x->post.c = NULL;
        x->post.busy = 0;
        sio__conn_end(c);
    }
}

static void sio__eioc_finish_close(sio__eioc *x) {
    if (x->state == SIO__EC_CLOSING) sio__eioc_final_post(x);
    sio__eioc_teardown(x);
    x->state = SIO__EC_CLOSED;
    sio__log(x->log, SIO_LOG_INFO, "connection closed by the client");
    x->h->on_close(x, NULL, 0, x->user);
}

static void sio__eioc_close_due(sio__timer *t) {
    sio__eioc *x = SIO__EC_OF(t, open_timer);
    if (x->state == SIO__EC_CLOSING) sio__eioc_finish_close(x);
    else sio__eioc_open_due(t);
}

/* Closes the link on purpose: what is queued (DISCONNECT packets) goes
   out first, then "1" on polling or a close frame on WebSocket. On
   polling only one POST may be in flight, so a busy one is waited for,
   as the Node client waits for its "drain". */
static void sio__eioc_close(sio__eioc *x) {
    if (x->state == SIO__EC_CLOSING || x->state == SIO__EC_CLOSED) return;
    if (x->state == SIO__EC_OPEN && x->transport == SIO__T_WEBSOCKET) {
        sio__eioc_flush(x);
        sio__wsc_end(x->ws, 1000);   /* the server's answer is not awaited */
        x->ws = NULL;
    } else if (x->state == SIO__EC_OPEN) {
        if (x->post.busy) {
            x->state = SIO__EC_CLOSING;
            x->open_timer.fn = sio__eioc_close_due;
            sio__timer_set(&x->loop->timers, x->loop->alloc, &x->open_timer, sio__now_ms() + 2000);
            return;
        }
        sio__eioc_final_post(x);
    }
    sio__eioc_finish_close(x);
}

static void sio__eioc_init(sio__eioc *x, sio__loop *L, sio__rng *rng, const sio_logger *log,
                           const sio__eioc_handlers *h, void *user) {
    memset(x, 0, sizeof *x);
    x->loop = L;
    x->rng = rng;
    x->log = log;
    x->h = h;
    x->user = user;
    x->tmp.alloc = x->body.alloc = x->wq.alloc = L->alloc;
    x->watchdog.fn = sio__eioc_watchdog_due;
    x->open_timer.fn = sio__eioc_open_due;
    x->probe_timer.fn = sio__eioc_probe_due;
    x->fail_timer.fn = sio__eioc_fail_due;
    x->max_payload = 1000000;
    x->res.loop = L;
    x->res.rng = rng;
    x->res.log = log;
    x->get.loop = x->post.loop = L;
    x->get.addrs = x->post.addrs = &x->res.out;
    x->get.on_done = x->post.on_done = sio__eioc_http_done;
    x->get.on_failed = x->post.on_failed = sio__eioc_http_failed;
    x->get.user = x->post.user = x;
}

static void sio__eioc_free(sio__eioc *x) {
    x->destroying = 1;
    sio__eioc_teardown(x);
    sio_buf_free(&x->wq);
    sio_buf_free(&x->tmp);
    sio_buf_free(&x->body);
}
#endif /* SIO_NO_CLIENT */

/* =====================================================================
   >>sio: the Socket.IO v5 core that server and client share
   =====================================================================
   Both roles receive packets the same way and keep the same books; only
   what a packet means to them differs (a server answers a CONNECT, a
   client waits for one). Shared here:
   - handler lists: event name -> callbacks, "*" for any. Server
     namespaces and client sockets each keep one for events, and one for
     their own life ("connection", "connect", "disconnect", ...); the
     callback is stored untyped and cast back by its role, which alone
     knows its type;
   - pending acks: the acks a socket waits for, by id (a table, so an
     answer costs the same with one or 100 000 waiting), each with its
     deadline on the loop's timer heap;
   - the incoming path: one Socket.IO message (text, or one binary
     attachment) in, a whole packet out to the role's dispatch, or the
     reason it broke the protocol (see sio__in_take in >>packet). */

/* ---- handler lists ---- */

typedef struct sio__handler {
    char *event;                 /* "*" = any; NULL in a middleware list */
    void (*fn)(void);            /* the role's function type, cast back where it is called */
    void *user;
    struct sio__handler *next;
} sio__handler;

/* Appended, so handlers run in the order they were added, as in Node;
   first: put before every other (the library's own listeners). */
static int sio__handler_add(sio__handler **list, const sio_allocator *a, const char *event, void (*fn)(void),
                            void *user, int first) {
    sio__handler *h, **pp;
    if (!fn) return SIO_ERR_INVALID;
    if (!(h = (sio__handler *)sio__malloc(a, sizeof *h))) return SIO_ERR_NOMEM;
    h->event = event ? sio__strndup(a, event, strlen(event)) : NULL;
    if (event && !h->event) {
        sio__free(a, h);
        return SIO_ERR_NOMEM;
    }
    h->fn = fn;
    h->user = user;
    for (pp = list; *pp && !first; pp = &(*pp)->next) {}
    h->next = *pp;
    *pp = h;
    return SIO_OK;
}

/* The first handler from h on that takes event name. */
static const sio__handler *sio__handler_next(const sio__handler *h, const char *name) {
    for (; h; h = h->next)
        if (strcmp(h->event, name) == 0 || strcmp(h->event, "*") == 0) return h;
    return NULL;
}

/* The public calls that add a callback, in both roles, put it on a list
   of their object under a name: sio_on (events), sio_on_connection and
   sio_on_disconnect (the life of a socket), sio_use (middleware), and
   the client's sio_client_on, sio_client_on_connect, _on_disconnect and
   _on_connect_error. Server and client twins differ only in their
   types, so they are written once, here, and stamped out where their
   objects are defined. */
#define SIO__DEFINE_ON(name, obj_t, fn_t, list, event, alloc)                                                  \
    SIO_API int name(obj_t *o, fn_t fn, void *user) {                                                         \
        return o ? sio__handler_add(&o->list, alloc, event, (void (*)(void))fn, user, 0) : SIO_ERR_INVALID;   \
    }
#define SIO__DEFINE_ON_EVENT(name, obj_t, fn_t, alloc)                                                         \
    SIO_API int name(obj_t *o, const char *event, fn_t fn, void *user) {                                      \
        if (!o || !event) return SIO_ERR_INVALID;                                                              \
        return sio__handler_add(&o->handlers, alloc, event, (void (*)(void))fn, user, 0);                     \
    }

/* The _json forms of both roles' emits and acks: the same call with its
   arguments given as the text of a JSON array ("[1,\"a\"]", or NULL). */
#define SIO__DEFINE_JSON(name, sock_t, key_t, call)                                                            \
    SIO_API int name(sock_t *s, key_t key, const char *json_args) {                                            \
        sio_msg m;                                                                                             \
        int rc = sio__msg_of_json(&m, json_args);                                                              \
        if (rc == SIO_OK) rc = call(s, key, &m);                                                               \
        sio_msg_free(&m);                                                                                      \
        return rc;                                                                                             \
    }

static void sio__handlers_free(sio__handler **list, const sio_allocator *a) {
    while (*list) {
        sio__handler *h = *list;
        *list = h->next;
        sio__free(a, h->event);
        sio__free(a, h);
    }
}

/* ---- pending acks ---- */

typedef struct sio__acks sio__acks;
typedef struct sio__pending sio__pending;
struct sio__pending {
    long long id;
    sio__acks *tab;              /* the table it waits in */
    sio__timer timer;            /* armed when the ack has a deadline */
    /* once: SIO_OK with the ack's arguments, or SIO_ERR_TIMEOUT /
       SIO_ERR_CLOSED with NULL; it frees the pending ack */
    void (*done)(sio__pending *p, int err, const sio_args *args);
    sio__pending *next;          /* while a clear is calling them */
};

/* The pending acks of one socket, by id. Ids are handed out by this
   side, one after the other: no peer can make them collide. */
struct sio__acks {
    sio__tab t;
    sio__loop *loop;
};

static uint64_t sio__pending_key(const void *p) { return (uint64_t)((const sio__pending *)p)->id; }

static void sio__acks_init(sio__acks *t, sio__loop *L) {
    memset(t, 0, sizeof *t);
    t->t.key = sio__pending_key;
    t->loop = L;
}

/* Takes p out of its table (it is in it). */
static void sio__acks_del(sio__pending *p) {
    sio__tab_remove_at(&p->tab->t, sio__tab_find(&p->tab->t, (uint64_t)p->id));
    sio__timer_cancel(&p->tab->loop->timers, &p->timer);
}

static void sio__ack_due(sio__timer *tm) {
    sio__pending *p = (sio__pending *)(void *)((char *)tm - offsetof(sio__pending, timer));
    sio__acks_del(p);
    p->done(p, SIO_ERR_TIMEOUT, NULL);
}

/* p (id and done set) waits in t; timeout_ms <= 0: as long as it takes. */
static int sio__ack_wait(sio__acks *t, sio__pending *p, int timeout_ms) {
    sio__loop *L = t->loop;
    int rc = sio__tab_put(&t->t, L->alloc, p);
    p->tab = rc == SIO_OK ? t : NULL;
    p->timer.fn = sio__ack_due;
    if (rc == SIO_OK && timeout_ms > 0) sio__timer_set(&L->timers, L->alloc, &p->timer, sio__now_ms() + (uint64_t)timeout_ms);
    return rc;
}

/* An ACK packet: its waiting ack, if any, gets the arguments. */
static void sio__acks_answer(sio__acks *t, const sio_packet *pk, const sio_str *bins, int nbins) {
    size_t i = sio__tab_find(&t->t, (uint64_t)pk->ack_id);
    sio__pending *p;
    sio_args args;
    if (i == (size_t)-1) return;   /* late or unknown: ignored, as in Node */
    p = (sio__pending *)t->t.slot[i];
    sio__tab_remove_at(&t->t, i);
    sio__timer_cancel(&t->loop->timers, &p->timer);
    sio__args_index(&args, pk->json, 0, bins, nbins, NULL, 1, t->loop->alloc);
    p->done(p, SIO_OK, &args);
    sio__args_release(&args, t->loop->alloc);
}

/* Ends every pending ack with err, but those keep() wants to keep (NULL:
   all). They are taken out first and told after, so a callback that
   waits for a new ack finds a table in order. */
static void sio__acks_clear(sio__acks *t, int err, int (*keep)(const sio__pending *p)) {
    sio__pending *list = NULL, *p;
    size_t i = 0;
    while (t->t.n && i < t->t.cap) {
        p = (sio__pending *)t->t.slot[i];
        if (!p || (keep && keep(p))) {
            i++;
            continue;
        }
        sio__tab_remove_at(&t->t, i);   /* slot i may now hold another: look again */
        sio__timer_cancel(&t->loop->timers, &p->timer);
        p->next = list;
        list = p;
    }
    while ((p = list) != NULL) {
        list = p->next;
        p->done(p, err, NULL);
    }
}

static void sio__acks_free(sio__acks *t) { sio__tab_free(&t->t, t->loop->alloc); }

/* ---- the outgoing path ----
   A packet leaves either role as its text and attachments, each an
   Engine.IO message (the default parser), or as one binary message
   holding its map (msgpack), written into scratch. */
typedef void (*sio__msg_fn)(void *to, const void *data, size_t len, int binary);

/* desc.parser, checked when a server or client is made. */
static int sio__parser_check(const sio_logger *log, int parser) {
    if (parser != SIO_PARSER_DEFAULT && parser != SIO_PARSER_MSGPACK) {
        sio__log(log, SIO_LOG_ERROR, "parser %d: SIO_PARSER_DEFAULT or SIO_PARSER_MSGPACK", parser);
        return SIO_ERR_INVALID;
    }
#ifdef SIO_NO_MSGPACK
    if (parser == SIO_PARSER_MSGPACK) {
        sio__log(log, SIO_LOG_ERROR, "parser: the msgpack parser is left out of this build (SIO_NO_MSGPACK)");
        return SIO_ERR_UNSUPPORTED;
    }
#endif
    return SIO_OK;
}

/* made: the msgpack form of pkt when it was made already (a broadcast
   writes it once for all its receivers), else NULL. put, not send: lwIP
   (SIO_LWIP) makes send( a macro. */
static int sio__send_packet(int parser, sio_buf *scratch, const sio_buf *made, sio__msg_fn put, void *to,
                            const char *pkt, size_t n, const sio_str *bins, int nbins, const sio_logger *lg) {
    int i;
#ifndef SIO_NO_MSGPACK
    if (parser == SIO_PARSER_MSGPACK) {
        int rc = SIO_OK;
        /* the trace shows the binary message that follows: what it holds */
        sio__log(lg, SIO_LOG_TRACE, "  msgpack, written from %.*s%s", (int)(n > 200 ? 200 : n), pkt, n > 200 ? "..." : "");
        if (!made) {
            sio_buf_reset(scratch);
            rc = sio__mp_packet_out(pkt, n, bins, nbins, scratch);
            made = scratch;
        }
        if (rc == SIO_OK) put(to, made->data, made->len, 1);
        return rc;
    }
#endif
    (void)parser;
    (void)scratch;
    (void)made;
    (void)lg;
    put(to, pkt, n, 0);
    for (i = 0; i < nbins; i++) put(to, bins[i].ptr, bins[i].len, 1);
    return SIO_OK;
}

/* ---- the incoming path ---- */

typedef struct sio__rx {
    void (*dispatch)(void *conn, const sio_packet *p, const sio_str *bins, int nbins);
    /* reason as Node names it ("parse error", "transport error"); why for the log */
    void (*fail)(void *conn, const char *reason, const char *why);
} sio__rx;

/* One Socket.IO message on conn, whose packet waiting for attachments is
   *slot. The bytes of a finished packet stay ours until its dispatch
   returns, whatever its handlers do to the connection. */
static void sio__receive(const sio__rx *rx, void *conn, const sio_allocator *a, sio__binpend **slot, const char *data,
                         size_t len, int binary, int max_attachments, int max_depth, int parser, const sio_logger *lg) {
    sio__in in;
    int rc;
#ifndef SIO_NO_MSGPACK
    if (parser == SIO_PARSER_MSGPACK) {
        rc = sio__in_take_mp(a, data, len, binary, max_attachments, max_depth, &in);
        /* the trace showed a binary message: what its map reads as */
        if (rc == SIO__IN_PACKET)
            sio__log(lg, SIO_LOG_TRACE, "  msgpack, read as %.*s%s", (int)(in.done->head.len > 200 ? 200 : in.done->head.len),
                     in.done->head.data, in.done->head.len > 200 ? "..." : "");
    } else
#endif
        rc = sio__in_take(a, slot, data, len, binary, max_attachments, max_depth, &in);
    (void)parser;
    (void)lg;
    if (rc == SIO__IN_PACKET) rx->dispatch(conn, &in.p, in.nbins ? in.bins : NULL, in.nbins);
    else if (rc == SIO_ERR_PARSE) rx->fail(conn, "parse error", in.why);
    else if (rc != SIO__IN_WAIT) rx->fail(conn, "transport error", "out of memory for an attachment");
    sio__binpend_free(a, in.done);
}

#ifndef SIO_NO_SERVER
/* =====================================================================
   >>server: the Socket.IO v5 server
   =====================================================================
   Socket.IO is one more user of >>eio's sessions: it installs itself as
   their sio_engine_handlers and keeps, per session, a sio__sconn (the
   sockets of one Engine.IO connection: Node's "Client"). Each namespace
   that connection joins with a CONNECT packet is a sio_socket, with an id
   of its own (not the Engine.IO sid). Rooms, broadcasts encoded once,
   broadcasts with acks and connection state recovery live here too, and
   at the end the sio_server object, which routes each HTTP request: to
   Engine.IO, to the browser client script, or to the application. */

typedef struct sio__room {
    char *name;
    sio__tab members;            /* a set of sio_socket */
} sio__room;

/* The Socket.IO side of one Engine.IO session. */
typedef struct sio__sconn {
    sio_server *srv;
    sio_engine_conn *e;
    sio_socket *sockets;         /* one per joined namespace */
    int joined_ever;
    int closed;                  /* the session ended: nothing more is sent */
    sio__binpend *bin;           /* a binary packet waiting for its attachments */
    sio__timer connect_timer;    /* a namespace must be joined by then */
    char *handshake;             /* an observer's record of the opening request (JSON), freed here */
    struct sio__sconn *next_dead;
} sio__sconn;

struct sio_socket {
    char *id;                    /* idbuf, or for a v3 client in a namespace "/nsp#<sid>", allocated */
    char idbuf[21];
    char pid[21];                /* private id for connection state recovery ("" when off) */
    int recovered;
    sio_namespace *nsp;
    sio__sconn *conn;
    sio_socket *next_in_conn;
    sio_socket *prev_in_nsp, *next_in_nsp;
    char *auth;                  /* CONNECT payload text; NULL when none ({}) */
    size_t auth_len;
    sio__tab rooms;              /* a set of the sio__room it joined (not its own id's) */
    sio__acks acks;              /* acks this socket was asked for */
    uint64_t mark_sent, mark_skip;  /* broadcast de-duplication */
    int connected;
    void *data;
    sio_socket *next_dead;
};

typedef struct sio__bcast_ack sio__bcast_ack;

/* An ack the server waits for: of one emit, or one receiver's of a
   broadcast (group set). */
typedef struct sio__srv_ack {
    sio__pending p;
    sio_socket *s;
    sio_ack_fn fn;
    void *user;
    sio__bcast_ack *group;
    size_t slot;                 /* this receiver's place in group->waiting */
} sio__srv_ack;

/* A broadcast waiting for its receivers' acks. Each receiver holds a
   sio__srv_ack pointing here; waiting[] points back, so whichever ends
   first (the answer, the receiver, the deadline) unhooks the other. */
typedef struct sio__bcast_rec {
    size_t at;                   /* socket id (NUL-ended), then the JSON, then attachments */
    size_t json_len;
    size_t bin_end[SIO_MAX_BINARIES];
    int nbins;
} sio__bcast_rec;

struct sio__bcast_ack {
    sio_namespace *nsp;
    sio_bcast_ack_fn fn;
    void *user;
    sio__timer timer;
    sio__srv_ack **waiting;      /* per receiver; NULL once it answered or left */
    size_t nwaiting, cap, left;  /* left: receivers still to answer */
    sio_buf store;               /* the answers, back to back */
    sio__bcast_rec *recs;
    size_t nrecs, recs_cap;
    sio__bcast_ack *prev, *next; /* in nsp->backs */
    int remote_wait;             /* a cluster (>>cluster) still waits for other servers */
    void *remote;                /* the cluster's record of it, told when it ends */
    /* set: each answer goes here as it comes instead of being kept (a
       broadcast another server asked for, whose answers go back one by one) */
    void (*each)(sio__bcast_ack *g, const sio_args *args);
};

struct sio_namespace {
    char *name;
    sio_server *srv;
    sio__handler *listeners;     /* "connection": sio_socket_fn, "disconnect": sio_disconnect_fn */
    void *hub;                   /* its stream hub, whose "disconnect" listener runs first */
    sio__handler *handlers;      /* events: sio_event_fn */
    sio__handler *mws;           /* middleware: sio_middleware_fn */
    sio_socket *sockets;         /* connected sockets */
    size_t count;
    sio__map rooms;
    sio__map ids;                /* socket id -> socket: each socket's own room, implicit */
    long long next_ack;          /* ack ids: per namespace, so a broadcast's id is free on every socket */
    sio__bcast_ack *backs;       /* broadcasts waiting for acks */
    sio__handler *server_events; /* sio_on_server_event: sio_server_event_fn */
    struct sio__saved *saved;    /* recovery: sockets that may come back */
    struct sio__logged *log, *log_tail;   /* recovery: recent broadcasts, oldest first */
    size_t log_bytes;            /* their packets and attachments, under SIO_RECOVERY_MAX_BYTES */
    sio_namespace *next;
};

/* What the server tells a cluster (>>cluster, later in the file), which
   installs this table when it is joined: so the server calls it only
   through these pointers, and costs nothing without one. */
typedef struct sio__cluster_ops {
    void (*nsp_added)(sio_namespace *nsp);
    /* a broadcast made here (not one from another server): its text
       form and attachments; with acks, g and the deadline */
    void (*broadcast)(sio_namespace *nsp, const sio_bcast *to, const char *pkt, size_t n, const sio_str *bins,
                      int nbins, sio__bcast_ack *g, int timeout_ms);
    void (*ack_gone)(sio__bcast_ack *g);   /* g->remote is set and g ends */
    void (*destroy)(sio_server *srv);
} sio__cluster_ops;

/* What the server tells an observer (>>admin, later in the file), which
   installs this table: the server calls it only through these pointers,
   so without one it costs a NULL test, and an observer that leaves a
   pointer NULL (production mode) adds no work there. */
typedef struct sio__watch_ops {
    /* an Engine.IO session of the Socket.IO path began (m, h: its request) or ended */
    void (*conn_open)(sio__sconn *sc, const sio_http_msg *m, sio__hconn *h);
    void (*conn_close)(sio__sconn *sc, const char *reason);
    void (*upgraded)(sio__sconn *sc);                  /* it moved to WebSocket */
    void (*socket_connected)(sio_socket *s);           /* after its CONNECT answer */
    void (*socket_gone)(sio_socket *s, const char *reason);   /* still in its rooms */
    void (*room)(sio_socket *s, const char *room, int joined);
    void (*event_in)(sio_socket *s, const char *json, size_t n);   /* the event's array */
    void (*packet_out)(sio__sconn *sc, const char *pkt, size_t n); /* any packet, as text */
    void (*destroy)(sio_server *srv);
} sio__watch_ops;

struct sio_server {
    sio__base b;                 /* first: the loop, allocator, logger, randomness */
    sio_server_desc desc;        /* with defaults filled in */
    int port;
    sio__httpd http;
    sio__eio eio;                /* desc.path: Socket.IO's sessions */
    sio__eio engine;             /* desc.engine_path: the application's bare Engine.IO */
    sio_namespace *nsps;
    int destroying;              /* sio_server_destroy has begun: no new broadcasts with acks */
    uint64_t bcast_gen;
    sio__sconn *dead_conns;
    sio_socket *dead_sockets;
    void *tls_ctx;               /* sio__tls_ctx: certificates and key, shared */
    char *client_js;             /* loaded from desc.client_js_file */
    size_t client_js_len;
    char client_js_etag[40];
    sio_buf tmp;                 /* scratch for encoding */
    sio_buf tmp2;                /* a broadcast's receivers */
    sio_buf mp;                  /* a packet as the msgpack parser sends it */
    const sio__cluster_ops *cops;   /* set by sio_server_cluster */
    void *cluster;
    const sio__watch_ops *wops;     /* set by sio_server_admin */
    void *watch;
};

#define SIO__LOG(srv, lvl, ...) sio__log(&(srv)->b.logger, lvl, __VA_ARGS__)

static void sio__socket_close(sio_socket *s, const char *reason, int notify_client);

static sio_namespace *sio__nsp_find(sio_server *srv, const char *name, size_t n) {
    sio_namespace *nsp;
    for (nsp = srv->nsps; nsp; nsp = nsp->next)
        if (strlen(nsp->name) == n && memcmp(nsp->name, name, n) == 0) return nsp;
    return NULL;
}

static void sio__sconn_msg(void *to, const void *data, size_t len, int binary) {
    sio__eio_send((sio_engine_conn *)to, SIO_EIO_MESSAGE, data, len, binary);
}

/* One Socket.IO packet (plus attachments) to one connection, in the
   server's parser; made: its msgpack form when a broadcast made it once
   for every receiver (the trace still shows what it was written from). */
static void sio__sconn_send_made(sio__sconn *sc, const char *pkt, size_t n, const sio_str *bins, int nbins,
                                 const sio_buf *made) {
    if (sc->closed) return;
    if (sio__send_packet(sc->srv->desc.parser, &sc->srv->mp, made, sio__sconn_msg, sc->e, pkt, n, bins, nbins,
                         &sc->srv->b.logger) != SIO_OK)
        sio__log(&sc->srv->b.logger, SIO_LOG_ERROR, "session %s: a packet the msgpack parser cannot write "
                 "(kept bytes that are not one MessagePack value, or no memory): not sent", sc->e->sid);
    else if (sc->srv->wops && sc->srv->wops->packet_out) sc->srv->wops->packet_out(sc, pkt, n);
}

static void sio__sconn_send(sio__sconn *sc, const char *pkt, size_t n, const sio_str *bins, int nbins) {
    sio__sconn_send_made(sc, pkt, n, bins, nbins, NULL);
}

/* The connection broke the protocol: Node closes the whole of it. */
static void sio__sconn_fail(void *conn, const char *reason, const char *why) {
    sio__sconn *sc = (sio__sconn *)conn;
    SIO__LOG(sc->srv, SIO_LOG_INFO, "session %s: %s, closing", sc->e->sid, why);
    sio__eio_close(sc->e, reason, 1);
}

/* ---- rooms ---- */

/* A room and the sockets in it are two sets, each side holding the
   other, so joining, leaving and asking cost the same with one room or
   30 000, and with one member or 100 000. */
static sio__room *sio__room_get(sio_namespace *nsp, const char *name, int create) {
    void **v = sio__map_find(&nsp->rooms, name, strlen(name));
    sio__room *r;
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    if (v) return (sio__room *)*v;
    if (!create) return NULL;
    r = (sio__room *)sio__malloc(a, sizeof *r);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->members.key = sio__tab_self;
    r->name = sio__strndup(a, name, strlen(name));
    if (!r->name || sio__map_put(&nsp->rooms, a, r->name, r) != SIO_OK) {
        sio__free(a, r->name);
        sio__free(a, r);
        return NULL;
    }
    return r;
}

static void sio__room_drop(sio_namespace *nsp, sio__room *r) {
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    sio__map_del(&nsp->rooms, r->name);
    sio__tab_free(&r->members, a);
    sio__free(a, r->name);
    sio__free(a, r);
}

/* s leaves r (it is in it); an empty room goes. */
static void sio__room_leave(sio_socket *s, sio__room *r) {
    sio__tab_remove_at(&s->rooms, sio__tab_find(&s->rooms, sio__tab_self(r)));
    sio__tab_remove_at(&r->members, sio__tab_find(&r->members, sio__tab_self(s)));
    if (!r->members.n) sio__room_drop(s->nsp, r);
}

SIO_API int sio_join(sio_socket *s, const char *room) {
    const sio_allocator *a;
    sio__room *r;
    if (!s || !s->connected || !room) return SIO_ERR_STATE;
    a = s->nsp->srv->b.loop.alloc;
    if (!(r = sio__room_get(s->nsp, room, 1))) return SIO_ERR_NOMEM;
    if (sio__tab_find(&s->rooms, sio__tab_self(r)) != (size_t)-1) return SIO_OK;
    if (sio__tab_put(&s->rooms, a, r) == SIO_OK) {
        if (sio__tab_put(&r->members, a, s) == SIO_OK) {
            if (s->nsp->srv->wops && s->nsp->srv->wops->room) s->nsp->srv->wops->room(s, room, 1);
            return SIO_OK;
        }
        sio__tab_remove_at(&s->rooms, sio__tab_find(&s->rooms, sio__tab_self(r)));
    }
    if (!r->members.n) sio__room_drop(s->nsp, r);   /* made for nothing */
    return SIO_ERR_NOMEM;
}

SIO_API int sio_leave(sio_socket *s, const char *room) {
    sio__room *r;
    if (!s || !room) return SIO_ERR_INVALID;
    r = sio__room_get(s->nsp, room, 0);
    if (!r || sio__tab_find(&s->rooms, sio__tab_self(r)) == (size_t)-1) return SIO_ERR_NOT_FOUND;
    sio__room_leave(s, r);
    if (s->nsp->srv->wops && s->nsp->srv->wops->room) s->nsp->srv->wops->room(s, room, 0);
    return SIO_OK;
}

SIO_API int sio_in_room(const sio_socket *s, const char *room) {
    sio__room *r;
    if (!s || !room) return 0;
    if (strcmp(s->id, room) == 0) return 1;
    r = sio__room_get(s->nsp, room, 0);
    return r && sio__tab_find(&s->rooms, sio__tab_self(r)) != (size_t)-1;
}

/* ---- namespace connect ---- */

/* CONNECT_ERROR {"message":..., "data":...}: the refused socket's last
   word. v2: the form socket.io 2 knows, the data alone or else the
   message; Node uses it for a middleware's refusal only. */
static void sio__connect_error(sio__sconn *sc, sio_str nsp, const char *message, const char *data_json, int v2) {
    sio_buf *b = &sc->srv->tmp;
    sio_json_writer w;
    sio_json d;
    sio_buf_reset(b);
    sio_packet_write(b, SIO_PKT_CONNECT_ERROR, 0, nsp.ptr, nsp.len, -1, NULL, 0);
    sio_json_writer_init(&w, b);
    if (v2) {
        if (data_json && sio_json_parse(data_json, strlen(data_json), &d) == SIO_OK)
            sio_json_raw(&w, data_json, strlen(data_json));
        else sio_json_str(&w, data_json ? data_json : message ? message : "");
        if (sio_json_writer_finish(&w) == SIO_OK) sio__sconn_send(sc, b->data, b->len, NULL, 0);
        return;
    }
    sio_json_obj_begin(&w);
    sio_json_key(&w, "message");
    sio_json_str(&w, message ? message : "");
    if (data_json) {
        sio_json_key(&w, "data");
        if (sio_json_parse(data_json, strlen(data_json), &d) == SIO_OK) sio_json_raw(&w, data_json, strlen(data_json));
        else sio_json_str(&w, data_json);
    }
    sio_json_obj_end(&w);
    if (sio_json_writer_finish(&w) == SIO_OK) sio__sconn_send(sc, b->data, b->len, NULL, 0);
}

/* Out of memory while joining: said in the log, and to the client as a
   refusal it can read, never as something else. */
static void sio__connect_oom(sio__sconn *sc, sio_str nsp) {
    SIO__LOG(sc->srv, SIO_LOG_ERROR, "session %s: out of memory joining %.*s", sc->e->sid, (int)nsp.len, nsp.ptr);
    sio__connect_error(sc, nsp, "server out of memory", NULL, 0);
}

/* ---- connection state recovery ----
   With recovery_ms set, a CONNECT answer carries a private id beside the
   socket id, 40{"sid":"...","pid":"..."}, and a broadcast without an ack
   carries an offset as its last argument, 42["ev","hi","<offset>"]. A
   socket whose connection broke is kept as {pid, sid, rooms} for
   recovery_ms, and broadcasts as long. A client coming back puts
   {"pid":...,"offset":...} in its CONNECT auth: it gets the same id and
   rooms, then the broadcasts after its offset that those rooms would have
   received. An unknown pid or offset gives a fresh socket, as in Node. */

typedef struct sio__saved {
    char pid[21], sid[21];
    sio_buf rooms;               /* its rooms' names, each NUL-ended */
    uint64_t expires;
    struct sio__saved *next;
} sio__saved;

typedef struct sio__logged {
    char offset[21];
    uint64_t at;
    sio_buf recs;                /* the packet (offset included) and its attachments, as records */
    sio_buf rooms, except;       /* its receivers, names NUL-ended; no rooms = all */
    struct sio__logged *next;
} sio__logged;

static void sio__saved_free(const sio_allocator *a, sio__saved *sv) {
    sio_buf_free(&sv->rooms);
    sio__free(a, sv);
}

static void sio__logged_free(const sio_allocator *a, sio__logged *lg) {
    sio_buf_free(&lg->recs);
    sio_buf_free(&lg->rooms);
    sio_buf_free(&lg->except);
    sio__free(a, lg);
}

/* Forgets what is older than recovery_ms (everything with all set, as
   the server goes). Run wherever the kept state grows, so it stays
   bounded by what one window holds. */
static void sio__recovery_purge(sio_namespace *nsp, int all) {
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    uint64_t now = nsp->srv->b.loop.now, win = (uint64_t)nsp->srv->desc.recovery_ms;
    sio__saved **pp = &nsp->saved, *sv;
    while ((sv = *pp) != NULL) {
        if (all || sv->expires <= now) {
            *pp = sv->next;
            sio__saved_free(a, sv);
        } else {
            pp = &sv->next;
        }
    }
    /* old ones go, and the oldest while over the byte cap: a socket whose
       offset is gone simply starts afresh */
    while (nsp->log && (all || nsp->log->at + win <= now || nsp->log_bytes > SIO_RECOVERY_MAX_BYTES)) {
        sio__logged *lg = nsp->log;
        nsp->log = lg->next;
        if (!nsp->log) nsp->log_tail = NULL;
        nsp->log_bytes -= lg->recs.len;
        sio__logged_free(a, lg);
    }
}

/* Whether two NUL-separated name lists share a name. */
static int sio__names_meet(const sio_buf *x, const sio_buf *y) {
    size_t i, j;
    for (i = 0; i < x->len; i += strlen(x->data + i) + 1)
        for (j = 0; j < y->len; j += strlen(y->data + j) + 1)
            if (strcmp(x->data + i, y->data + j) == 0) return 1;
    return 0;
}

/* Node's list: a socket whose connection broke may come back; one that
   left or was sent away may not. */
static int sio__recoverable(const char *reason) {
    return strcmp(reason, "transport close") == 0 || strcmp(reason, "transport error") == 0 ||
           strcmp(reason, "ping timeout") == 0 || strcmp(reason, "forced close") == 0;
}

/* On close: keep what a return needs. */
static void sio__recovery_save(sio_socket *s, const char *reason) {
    sio_namespace *nsp = s->nsp;
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    sio__saved *sv;
    size_t i;
    if (!s->pid[0] || !sio__recoverable(reason)) return;
    sio__recovery_purge(nsp, 0);
    if (!(sv = (sio__saved *)sio__malloc(a, sizeof *sv))) return;
    memset(sv, 0, sizeof *sv);
    memcpy(sv->pid, s->pid, sizeof sv->pid);
    memcpy(sv->sid, s->id, sizeof sv->sid);
    sv->rooms.alloc = a;
    for (i = 0; i < s->rooms.cap; i++)
        if (s->rooms.slot[i]) {
            const char *name = ((sio__room *)s->rooms.slot[i])->name;
            sio_buf_append(&sv->rooms, name, strlen(name) + 1);
        }
    if (sv->rooms.err) {
        sio__saved_free(a, sv);
        return;
    }
    sv->expires = nsp->srv->b.loop.now + (uint64_t)nsp->srv->desc.recovery_ms;
    sv->next = nsp->saved;
    nsp->saved = sv;
}

/* On CONNECT: the kept socket the auth's pid and offset point at, taken
   out of the list, and in *after the broadcast it saw last. */
static sio__saved *sio__recovery_find(sio_namespace *nsp, sio_json auth, sio__logged **after) {
    sio_json jp, jo;
    char pid[21], offset[21];
    sio__saved **pp, *sv;
    sio__logged *lg;
    if (sio_json_get(auth, "pid", &jp) != SIO_OK || jp.type != SIO_JSON_STRING ||
        sio_json_get(auth, "offset", &jo) != SIO_OK || jo.type != SIO_JSON_STRING ||
        sio_json_strcpy(jp, pid, sizeof pid) >= sizeof pid || sio_json_strcpy(jo, offset, sizeof offset) >= sizeof offset)
        return NULL;
    sio__recovery_purge(nsp, 0);
    for (lg = nsp->log; lg && strcmp(lg->offset, offset) != 0; lg = lg->next) {}
    if (!lg) return NULL;
    for (pp = &nsp->saved; (sv = *pp) != NULL; pp = &sv->next)
        if (strcmp(sv->pid, pid) == 0) {
            *pp = sv->next;
            *after = lg;
            return sv;
        }
    return NULL;
}

/* After the CONNECT answer: rooms back, then what was missed. */
static void sio__recovery_replay(sio_socket *s, sio__saved *sv, sio__logged *after) {
    sio_buf mine;
    sio__logged *lg;
    size_t i;
    for (i = 0; i < sv->rooms.len; i += strlen(sv->rooms.data + i) + 1) sio_join(s, sv->rooms.data + i);
    memset(&mine, 0, sizeof mine);
    mine.alloc = s->nsp->srv->b.loop.alloc;
    sio_buf_append(&mine, sv->rooms.data, sv->rooms.len);
    sio_buf_append(&mine, s->id, strlen(s->id) + 1);
    for (lg = after->next; lg && s->connected && !s->conn->closed; lg = lg->next) {
        size_t off;
        if ((lg->rooms.len && !sio__names_meet(&lg->rooms, &mine)) || sio__names_meet(&lg->except, &mine)) continue;
        /* each packet's text record, then its attachments' */
        for (off = 0; off < lg->recs.len && !s->conn->closed;) {
            const char *text = lg->recs.data + off + 5;
            size_t tn = sio__rec_len(lg->recs.data + off);
            sio_str bins[SIO_MAX_BINARIES];
            int nb = 0;
            off += 5 + tn;
            while (off < lg->recs.len && lg->recs.data[off] == 'b' && nb < SIO_MAX_BINARIES) {
                bins[nb].ptr = lg->recs.data + off + 5;
                bins[nb++].len = sio__rec_len(lg->recs.data + off);
                off += 5 + bins[nb - 1].len;
            }
            sio__sconn_send(s->conn, text, tn, bins, nb);
        }
    }
    sio_buf_free(&mine);
}

/* A broadcast about to go out (its text in srv->tmp): its offset goes in
   as last argument, and it is kept for the window. */
static void sio__recovery_log(sio_namespace *nsp, const sio_bcast *to, const sio_msg *args) {
    sio_server *srv = nsp->srv;
    const sio_allocator *a = srv->b.loop.alloc;
    sio__logged *lg;
    size_t i;
    int k;
    sio__recovery_purge(nsp, 0);
    if (!srv->tmp.len || srv->tmp.data[srv->tmp.len - 1] != ']') return;
    if (!(lg = (sio__logged *)sio__malloc(a, sizeof *lg))) return;
    memset(lg, 0, sizeof *lg);
    lg->recs.alloc = lg->rooms.alloc = lg->except.alloc = a;
    sio__rng_id(&srv->b.rng, lg->offset);
    lg->at = srv->b.loop.now;
    srv->tmp.len--;                                  /* 42["ev",a] -> 42["ev",a,"<offset>"] */
    sio_buf_appends(&srv->tmp, ",\"");
    sio_buf_appends(&srv->tmp, lg->offset);
    sio_buf_appends(&srv->tmp, "\"]");
    sio__rec_append(&lg->recs, '4', srv->tmp.data, srv->tmp.len);
    for (k = 0; args && k < args->nbins; k++) {
        sio__rec_append(&lg->recs, 'b', args->bins[k].ptr, args->bins[k].len);
    }
    for (i = 0; to && to->rooms && i < to->nrooms; i++) sio_buf_append(&lg->rooms, to->rooms[i], strlen(to->rooms[i]) + 1);
    for (i = 0; to && i < to->nexcept; i++) sio_buf_append(&lg->except, to->except[i], strlen(to->except[i]) + 1);
    if (lg->recs.err || lg->rooms.err || lg->except.err) {
        sio__logged_free(a, lg);   /* sent all the same, just not kept */
        return;
    }
    if (nsp->log_tail) nsp->log_tail->next = lg;
    else nsp->log = lg;
    nsp->log_tail = lg;
    nsp->log_bytes += lg->recs.len;
    if (nsp->log_bytes > SIO_RECOVERY_MAX_BYTES) sio__recovery_purge(nsp, 0);
}

static void sio__socket_free(const sio_allocator *a, sio_socket *s) {
    if (s->id != s->idbuf) sio__free(a, s->id);
    sio__free(a, s->auth);
    sio__free(a, s);
}

/* A socket and its id: fresh, or for a v3 client what socket.io 2 named
   it, the session id on "/" and "/nsp#<sid>" elsewhere. */
static sio_socket *sio__socket_new(sio__sconn *sc, sio_namespace *nsp, const char *auth, size_t auth_len) {
    const sio_allocator *a = sc->srv->b.loop.alloc;
    sio_socket *s = (sio_socket *)sio__malloc(a, sizeof *s);
    if (!s) return NULL;
    memset(s, 0, sizeof *s);
    s->nsp = nsp;
    s->conn = sc;
    s->id = s->idbuf;
    sio__acks_init(&s->acks, &sc->srv->b.loop);
    s->rooms.key = sio__tab_self;
    if (sc->e->protocol != 3) {
        sio__rng_id(&sc->srv->b.rng, s->id);
    } else if (strcmp(nsp->name, "/") == 0) {
        memcpy(s->idbuf, sc->e->sid, sizeof s->idbuf);
    } else {
        size_t n = strlen(nsp->name);
        if (!(s->id = (char *)sio__malloc(a, n + 1 + sizeof sc->e->sid))) {
            sio__free(a, s);
            return NULL;
        }
        memcpy(s->id, nsp->name, n);
        s->id[n] = '#';
        memcpy(s->id + n + 1, sc->e->sid, sizeof sc->e->sid);
    }
    if (auth_len && !(s->auth = sio__strndup(a, auth, auth_len))) {
        sio__socket_free(a, s);
        return NULL;
    }
    s->auth_len = auth_len;
    return s;
}

/* A v3 client's connect data, "a=1&b=x%20y", as the object Node makes of
   it: {"a":"1","b":"x y"}. */
static int sio__query_to_json(sio_buf *b, const char *q, size_t n) {
    sio_json_writer w;
    size_t i = 0;
    sio_json_writer_init(&w, b);
    sio_json_obj_begin(&w);
    while (i < n) {
        size_t j = i, eq;
        char *key, *val;
        while (j < n && q[j] != '&') j++;
        for (eq = i; eq < j && q[eq] != '='; eq++) {}
        if (eq > i) {
            size_t kl = eq - i, vl = eq < j ? j - eq - 1 : 0;
            key = (char *)sio__malloc(b->alloc, kl + vl + 2);
            if (!key) return SIO_ERR_NOMEM;
            val = key + kl + 1;
            kl = sio_http_url_decode(q + i, kl, key, kl + 1, 1);
            vl = sio_http_url_decode(q + eq + 1, vl, val, vl + 1, 1);
            sio_json_key_n(&w, key, kl);
            sio_json_str_n(&w, val, vl);
            sio__free(b->alloc, key);
        }
        i = j + 1;
    }
    sio_json_obj_end(&w);
    return sio_json_writer_finish(&w);
}

/* 40/chat,{"token":"x"}: middleware, then the socket joins (or comes
   back, with recovery), then the answer 40/chat,{"sid":"..."}, then the
   connection handler. */
static void sio__sio_join(sio__sconn *sc, sio_str name, const char *auth, size_t auth_len) {
    sio_server *srv = sc->srv;
    const sio_allocator *a = srv->b.loop.alloc;
    sio_namespace *nsp = sio__nsp_find(srv, name.ptr, name.len);
    int v3 = sc->e->protocol == 3;
    sio_socket *s;
    const sio__handler *h;
    sio__saved *back = NULL;
    sio__logged *seen = NULL;
    char reply[96];
    int n;
    if (!nsp) {
        SIO__LOG(srv, SIO_LOG_INFO, "session %s: CONNECT to unknown namespace %.*s, refused", sc->e->sid,
                 (int)name.len, name.ptr);
        sio__connect_error(sc, name, "Invalid namespace", NULL, 0);   /* the v4 form even to v3, as Node */
        return;
    }
    for (s = sc->sockets; s; s = s->next_in_conn)
        if (s->nsp == nsp) {
            SIO__LOG(srv, SIO_LOG_INFO, "session %s: CONNECT to %s twice, closing", sc->e->sid, nsp->name);
            sio__eio_close(sc->e, "parse error", 1);
            return;
        }
    if (!(s = sio__socket_new(sc, nsp, auth, auth_len))) {
        sio__connect_oom(sc, name);
        return;
    }
    if (srv->desc.recovery_ms > 0 && !v3) {   /* socket.io 2 has no recovery */
        sio__rng_id(&srv->b.rng, s->pid);
        if (auth_len && (back = sio__recovery_find(nsp, sio_socket_auth(s), &seen)) != NULL) {
            /* the same socket again: its ids, and no second middleware run */
            memcpy(s->idbuf, back->sid, sizeof s->idbuf);
            memcpy(s->pid, back->pid, sizeof s->pid);
            s->recovered = 1;
        }
    }
    /* visible to middleware and handlers through the connection list */
    s->next_in_conn = sc->sockets;
    sc->sockets = s;
    for (h = back ? NULL : nsp->mws; h; h = h->next) {
        const char *msg = NULL, *data = NULL;
        if (((sio_middleware_fn)h->fn)(s, sio_socket_auth(s), &msg, &data, h->user) != 0) {
            SIO__LOG(srv, SIO_LOG_INFO, "session %s: middleware of %s refused the socket: %s", sc->e->sid, nsp->name,
                     msg ? msg : "refused");
            sc->sockets = s->next_in_conn;
            sio__connect_error(sc, name, msg ? msg : "refused", data, v3);
            sio__socket_free(a, s);
            return;
        }
        if (sc->closed) return;
    }
    /* every socket is in the room named after its id; that room is the
       ids map, not a room object, to keep idle sockets small */
    if (sio__map_put(&nsp->ids, a, s->id, s) != SIO_OK) {
        sc->sockets = s->next_in_conn;
        if (back) sio__saved_free(a, back);
        sio__socket_free(a, s);
        sio__connect_oom(sc, name);
        return;
    }
    s->connected = 1;
    sc->joined_ever = 1;
    sio__timer_cancel(&srv->b.loop.timers, &sc->connect_timer);
    s->next_in_nsp = nsp->sockets;
    if (nsp->sockets) nsp->sockets->prev_in_nsp = s;
    nsp->sockets = s;
    nsp->count++;
    /* the reply goes before anything the handler emits; v3's is bare */
    if (v3) n = 0;
    else if (s->pid[0]) n = snprintf(reply, sizeof reply, "{\"sid\":\"%s\",\"pid\":\"%s\"}", s->id, s->pid);
    else n = snprintf(reply, sizeof reply, "{\"sid\":\"%s\"}", s->id);
    sio_buf_reset(&srv->tmp);
    sio_packet_write(&srv->tmp, SIO_PKT_CONNECT, 0, nsp->name, strlen(nsp->name), -1, reply, (size_t)n);
    sio__sconn_send(sc, srv->tmp.data, srv->tmp.len, NULL, 0);
    if (back) {
        sio__recovery_replay(s, back, seen);
        sio__saved_free(a, back);
        if (!s->connected || sc->closed) return;
    }
    if (srv->wops && srv->wops->socket_connected) srv->wops->socket_connected(s);
    for (h = sio__handler_next(nsp->listeners, "connection"); h && s->connected && !sc->closed;
         h = sio__handler_next(h->next, "connection"))
        ((sio_socket_fn)h->fn)(s, h->user);
}

/* A CONNECT packet. A v3 client's namespace may carry its connect data
   as a query ("/chat?token=x"); socket.io 2 sends no JSON there. */
static void sio__sio_connect(sio__sconn *sc, const sio_packet *p) {
    const char *qm;
    sio_str name = p->nsp;
    sio_buf q;
    if (sc->e->protocol != 3) {
        sio__sio_join(sc, p->nsp, p->data.ptr, p->data.len);
        return;
    }
    memset(&q, 0, sizeof q);
    q.alloc = sc->srv->b.loop.alloc;
    if ((qm = (const char *)memchr(name.ptr, '?', name.len)) != NULL) {
        name.len = (size_t)(qm - name.ptr);
        if (sio__query_to_json(&q, qm + 1, p->nsp.len - name.len - 1) != SIO_OK) {
            sio_buf_free(&q);
            sio__connect_oom(sc, name);
            return;
        }
    }
    sio__sio_join(sc, name, q.data, q.len);
    sio_buf_free(&q);
}

/* ---- incoming events and acks ---- */

static sio_socket *sio__socket_for(sio__sconn *sc, sio_str nsp) {
    sio_socket *s;
    for (s = sc->sockets; s; s = s->next_in_conn)
        if (s->connected && strlen(s->nsp->name) == nsp.len && memcmp(s->nsp->name, nsp.ptr, nsp.len) == 0) return s;
    return NULL;
}

/* 42/chat,["msg","hi"] to the namespace's handlers, in order, while the
   socket stays. */
static void sio__sio_event(sio_socket *s, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_event ev;
    const sio__handler *h;
    char namebuf[SIO_MAX_EVENT_LEN + 1];
    ev.socket = s;
    if (sio__event_unpack(p, bins, nbins, &ev.args, namebuf, &ev.name, &ev.ack_id, s->nsp->srv->b.loop.alloc) != SIO_OK) {
        sio__sconn_fail(s->conn, "parse error", "event name over SIO_MAX_EVENT_LEN");
        return;
    }
    if (s->nsp->srv->wops && s->nsp->srv->wops->event_in) s->nsp->srv->wops->event_in(s, p->data.ptr, p->data.len);
    for (h = sio__handler_next(s->nsp->handlers, namebuf); h; h = sio__handler_next(h->next, namebuf)) {
        ((sio_event_fn)h->fn)(&ev, h->user);
        if (!s->connected || s->conn->closed) break;
    }
    sio__args_release(&ev.args, s->nsp->srv->b.loop.alloc);
}

static void sio__sio_dispatch(void *conn, const sio_packet *p, const sio_str *bins, int nbins) {
    sio__sconn *sc = (sio__sconn *)conn;
    sio_socket *s;
    if (p->type == SIO_PKT_CONNECT) {
        sio__sio_connect(sc, p);
        return;
    }
    s = sio__socket_for(sc, p->nsp);
    if (!s || p->type == SIO_PKT_CONNECT_ERROR) {
        /* a packet for a namespace not joined: Node closes the connection */
        SIO__LOG(sc->srv, SIO_LOG_INFO, "session %s: packet type %d for a namespace not joined, closing", sc->e->sid,
                 p->type);
        sio__eio_close(sc->e, "parse error", 1);
        return;
    }
    if (p->type == SIO_PKT_DISCONNECT) sio__socket_close(s, "client namespace disconnect", 0);
    else if (p->type == SIO_PKT_EVENT || p->type == SIO_PKT_BINARY_EVENT) sio__sio_event(s, p, bins, nbins);
    else sio__acks_answer(&s->acks, p, bins, nbins);
}

static const sio__rx sio__srv_rx = {sio__sio_dispatch, sio__sconn_fail};

/* ---- closing sockets ---- */

static void sio__socket_close(sio_socket *s, const char *reason, int notify_client) {
    sio_namespace *nsp = s->nsp;
    sio__sconn *sc = s->conn;
    sio_server *srv = nsp->srv;
    const sio__handler *h;
    sio_socket **pp;
    size_t i;
    if (!s->connected) return;
    s->connected = 0;
    if (notify_client) {
        sio_buf_reset(&srv->tmp);
        sio_packet_write(&srv->tmp, SIO_PKT_DISCONNECT, 0, nsp->name, strlen(nsp->name), -1, NULL, 0);
        sio__sconn_send(sc, srv->tmp.data, srv->tmp.len, NULL, 0);
    }
    sio__recovery_save(s, reason);
    if (srv->wops && srv->wops->socket_gone) srv->wops->socket_gone(s, reason);
    for (i = 0; s->rooms.n && i < s->rooms.cap;)   /* a removal may move another room into slot i */
        if (s->rooms.slot[i]) sio__room_leave(s, (sio__room *)s->rooms.slot[i]);
        else i++;
    sio__map_del(&nsp->ids, s->id);
    if (s->prev_in_nsp) s->prev_in_nsp->next_in_nsp = s->next_in_nsp;
    else nsp->sockets = s->next_in_nsp;
    if (s->next_in_nsp) s->next_in_nsp->prev_in_nsp = s->prev_in_nsp;
    nsp->count--;
    for (pp = &sc->sockets; *pp; pp = &(*pp)->next_in_conn)
        if (*pp == s) {
            *pp = s->next_in_conn;
            break;
        }
    /* acks that will not come: an emit's caller hears why; a broadcast's
       receiver simply never answers, and the broadcast times out, as in Node */
    sio__acks_clear(&s->acks, SIO_ERR_CLOSED, NULL);
    for (h = sio__handler_next(nsp->listeners, "disconnect"); h; h = sio__handler_next(h->next, "disconnect"))
        ((sio_disconnect_fn)h->fn)(s, reason, h->user);
    s->next_dead = srv->dead_sockets;
    srv->dead_sockets = s;
}

/* ---- the engine's user ---- */

static void sio__connect_due(sio__timer *t) {
    sio__sconn *sc = (sio__sconn *)(void *)((char *)t - offsetof(sio__sconn, connect_timer));
    if (sc->joined_ever) return;
    SIO__LOG(sc->srv, SIO_LOG_INFO, "session %s: no namespace joined within connect timeout", sc->e->sid);
    sio__eio_close(sc->e, "forced close", 1);
}

/* socket.io 2 clients are in "/" from the start: joined on the next
   turn, as Node does, so the handshake answer holds the open packet only. */
static void sio__eio3_root_due(sio__timer *t) {
    sio__sconn *sc = (sio__sconn *)(void *)((char *)t - offsetof(sio__sconn, connect_timer));
    sio_server *srv = sc->srv;
    sio_str root;
    root.ptr = "/";
    root.len = 1;
    sio__sio_join(sc, root, NULL, 0);
    if (sc->closed || sc->joined_ever) return;
    sc->connect_timer.fn = sio__connect_due;
    sio__timer_set(&srv->b.loop.timers, srv->b.loop.alloc, &sc->connect_timer,
                   srv->b.loop.now + (uint64_t)srv->desc.connect_timeout_ms);
}

static void sio__on_engine_open(sio_engine_conn *e, void *user) {
    sio_server *srv = (sio_server *)user;
    sio__sconn *sc = (sio__sconn *)sio__malloc(srv->b.loop.alloc, sizeof *sc);
    if (!sc) {
        SIO__LOG(srv, SIO_LOG_ERROR, "session %s: out of memory, closing", e->sid);
        sio__eio_close(e, "transport error", 1);
        return;
    }
    memset(sc, 0, sizeof *sc);
    sc->srv = srv;
    sc->e = e;
    sc->connect_timer.fn = e->protocol == 3 ? sio__eio3_root_due : sio__connect_due;
    sio_engine_conn_set_user(e, sc);
    sio__timer_set(&srv->b.loop.timers, srv->b.loop.alloc, &sc->connect_timer,
                   srv->b.loop.now + (uint64_t)(e->protocol == 3 ? 0 : srv->desc.connect_timeout_ms));
    if (srv->wops) srv->wops->conn_open(sc, e->eio->opening, e->eio->opening_conn);
}

static void sio__on_engine_upgrade(sio_engine_conn *e, void *user) {
    sio_server *srv = (sio_server *)user;
    sio__sconn *sc = (sio__sconn *)sio_engine_conn_user(e);
    if (sc && srv->wops && srv->wops->upgraded) srv->wops->upgraded(sc);
}

static void sio__on_engine_message(sio_engine_conn *e, const void *data, size_t len, int binary, void *user) {
    sio_server *srv = (sio_server *)user;
    sio__sconn *sc = (sio__sconn *)sio_engine_conn_user(e);
    if (sc) sio__receive(&sio__srv_rx, sc, srv->b.loop.alloc, &sc->bin, (const char *)data, len, binary,
                         srv->desc.max_attachments, srv->desc.max_json_depth, srv->desc.parser, &srv->b.logger);
}

static void sio__on_engine_close(sio_engine_conn *e, const char *reason, void *user) {
    sio_server *srv = (sio_server *)user;
    sio__sconn *sc = (sio__sconn *)sio_engine_conn_user(e);
    if (!sc) return;
    sc->closed = 1;
    sio__timer_cancel(&srv->b.loop.timers, &sc->connect_timer);
    while (sc->sockets) sio__socket_close(sc->sockets, reason, 0);
    if (srv->wops) srv->wops->conn_close(sc, reason);
    sio__binpend_free(srv->b.loop.alloc, sc->bin);
    sc->bin = NULL;
    sc->next_dead = srv->dead_conns;
    srv->dead_conns = sc;
}


/* ---- public socket API ---- */

/* A socket's rooms as Node lists them: its own id's first. */
static SIO__UNUSED void sio__rooms_json(sio_json_writer *w, const sio_socket *s) {
    size_t j;
    sio_json_arr_begin(w);
    sio_json_str(w, s->id);
    for (j = 0; j < s->rooms.cap; j++)
        if (s->rooms.slot[j]) sio_json_str(w, ((sio__room *)s->rooms.slot[j])->name);
    sio_json_arr_end(w);
}

SIO_API const char *sio_socket_id(const sio_socket *s) { return s ? s->id : ""; }
SIO_API int sio_socket_recovered(const sio_socket *s) { return s ? s->recovered : 0; }
SIO_API const char *sio_namespace_name(const sio_namespace *nsp) { return nsp ? nsp->name : ""; }
SIO_API sio_namespace *sio_socket_nsp(const sio_socket *s) { return s ? s->nsp : NULL; }
SIO_API void *sio_socket_data(const sio_socket *s) { return s ? s->data : NULL; }
SIO_API void sio_socket_set_data(sio_socket *s, void *data) {
    if (s) s->data = data;
}

SIO_API sio_json sio_socket_auth(const sio_socket *s) {
    sio_json j;
    if (!s || !s->auth || sio_json_parse(s->auth, s->auth_len, &j) != SIO_OK) sio_json_parse("{}", 2, &j);
    return j;
}

/* An EVENT or ACK for one socket, built in srv->tmp and sent. */
static int sio__socket_send(sio_socket *s, int type, long long id, const char *event, const sio_msg *args) {
    sio_server *srv = s->nsp->srv;
    int rc = sio__packet_build(&srv->tmp, type, s->nsp->name, id, event, args);
    if (rc == SIO_OK) sio__sconn_send(s->conn, srv->tmp.data, srv->tmp.len, args ? args->bins : NULL, args ? args->nbins : 0);
    return rc;
}

SIO_API int sio_emit(sio_socket *s, const char *event, const sio_msg *args) {
    if (!s || !s->connected || s->conn->closed) return SIO_ERR_CLOSED;
    if (!sio__event_name_ok(event)) return SIO_ERR_INVALID;
    return sio__socket_send(s, SIO_PKT_EVENT, -1, event, args);
}

static void sio__srv_ack_done(sio__pending *p, int err, const sio_args *args) {
    sio__srv_ack *a = (sio__srv_ack *)(void *)p;
    sio_socket *s = a->s;
    a->fn(s, err, args, a->user);
    sio__free(s->nsp->srv->b.loop.alloc, a);
}

SIO_API int sio_emit_ack(sio_socket *s, const char *event, const sio_msg *args, int timeout_ms, sio_ack_fn fn,
                         void *user) {
    const sio_allocator *al;
    sio__srv_ack *a;
    int rc;
    if (!s || !s->connected || s->conn->closed) return SIO_ERR_CLOSED;
    if (!sio__event_name_ok(event) || !fn) return SIO_ERR_INVALID;
    al = s->nsp->srv->b.loop.alloc;
    if (!(a = (sio__srv_ack *)sio__malloc(al, sizeof *a))) return SIO_ERR_NOMEM;
    memset(a, 0, sizeof *a);
    a->p.id = s->nsp->next_ack++;
    a->p.done = sio__srv_ack_done;
    a->s = s;
    a->fn = fn;
    a->user = user;
    if ((rc = sio__ack_wait(&s->acks, &a->p, timeout_ms)) != SIO_OK ||
        (rc = sio__socket_send(s, SIO_PKT_EVENT, a->p.id, event, args)) != SIO_OK) {
        if (a->p.tab) sio__acks_del(&a->p);
        sio__free(al, a);
        return rc;
    }
    return SIO_OK;
}

SIO_API int sio_ack(sio_socket *s, long long ack_id, const sio_msg *args) {
    if (!s || !s->connected || s->conn->closed) return SIO_ERR_CLOSED;
    if (ack_id < 0) return SIO_ERR_INVALID;
    return sio__socket_send(s, SIO_PKT_ACK, ack_id, NULL, args);
}

SIO__DEFINE_JSON(sio_emit_json, sio_socket, const char *, sio_emit)
SIO__DEFINE_JSON(sio_ack_json, sio_socket, long long, sio_ack)

SIO_API void sio_disconnect(sio_socket *s) {
    if (s && s->connected) sio__socket_close(s, "server namespace disconnect", 1);
}

/* ---- broadcast: encode once, write to every receiver ---- */

static void sio__bcast_ack_finish(sio__bcast_ack *g, int err) {
    sio_namespace *nsp = g->nsp;
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    sio_bcast_reply *replies = NULL;
    sio_str *bins = NULL;
    size_t i, nbins = 0;
    if (g->remote && nsp->srv->cops) nsp->srv->cops->ack_gone(g);
    sio__timer_cancel(&nsp->srv->b.loop.timers, &g->timer);
    if (g->prev) g->prev->next = g->next;
    else nsp->backs = g->next;
    if (g->next) g->next->prev = g->prev;
    /* receivers that did not answer forget the id */
    for (i = 0; i < g->nwaiting; i++) {
        sio__srv_ack *w = g->waiting[i];
        if (!w) continue;
        sio__acks_del(&w->p);
        sio__free(a, w);
    }
    for (i = 0; i < g->nrecs; i++) nbins += (size_t)g->recs[i].nbins;
    if (g->nrecs) replies = (sio_bcast_reply *)sio__malloc(a, g->nrecs * sizeof *replies);
    if (nbins) bins = (sio_str *)sio__malloc(a, nbins * sizeof *bins);
    if ((g->nrecs && !replies) || (nbins && !bins)) {
        err = SIO_ERR_NOMEM;
        g->nrecs = 0;
    }
    for (i = nbins = 0; i < g->nrecs; i++) {
        const sio__bcast_rec *r = &g->recs[i];
        const char *base = g->store.data + r->at;
        size_t json_at = strlen(base) + 1, from = json_at + r->json_len;
        sio_json arr;
        int k;
        for (k = 0; k < r->nbins; k++) {
            bins[nbins + (size_t)k].ptr = g->store.data + r->at + from;
            bins[nbins + (size_t)k].len = r->bin_end[k] - from;
            from = r->bin_end[k];
        }
        if (sio_json_parse(base + json_at, r->json_len, &arr) != SIO_OK) sio_json_parse("[]", 2, &arr);
        replies[i].socket_id = base;
        sio__args_index(&replies[i].args, arr, 0, r->nbins ? bins + nbins : NULL, r->nbins, NULL, 1, a);
        nbins += (size_t)r->nbins;
    }
    g->fn(nsp, err, replies, g->nrecs, g->user);
    for (i = 0; i < g->nrecs; i++) sio__args_release(&replies[i].args, a);
    sio__free(a, replies);
    sio__free(a, bins);
    sio_buf_free(&g->store);
    sio__free(a, g->recs);
    sio__free(a, g->waiting);
    sio__free(a, g);
}

static void sio__bcast_ack_due(sio__timer *t) {
    sio__bcast_ack *g = (sio__bcast_ack *)(void *)((char *)t - offsetof(sio__bcast_ack, timer));
    sio__bcast_ack_finish(g, g->left || g->remote_wait ? SIO_ERR_TIMEOUT : SIO_OK);
}

/* Ends g once nobody, here or on other servers, is left to answer. */
static void sio__bcast_ack_check(sio__bcast_ack *g) {
    if (!g->left && !g->remote_wait) sio__bcast_ack_finish(g, SIO_OK);
}

/* Keeps one answer (who: a socket id, or "" from another server): its
   text and attachments are copied, since the views die when this
   packet's dispatch ends. */
static void sio__bcast_ack_keep(sio__bcast_ack *g, const char *who, const sio_args *args) {
    const sio_allocator *a = g->nsp->srv->b.loop.alloc;
    size_t k;
    if (g->nrecs == g->recs_cap) {
        size_t cap = g->recs_cap ? 2 * g->recs_cap : 8;
        sio__bcast_rec *nr = (sio__bcast_rec *)sio__realloc(a, g->recs, cap * sizeof *nr);
        if (nr) {
            g->recs = nr;
            g->recs_cap = cap;
        }
    }
    if (g->nrecs < g->recs_cap) {   /* else out of memory: this answer is lost, the count stays right */
        sio__bcast_rec *r = &g->recs[g->nrecs];
        r->at = g->store.len;
        r->json_len = args->array.len;
        r->nbins = (int)args->nbins;
        sio_buf_append(&g->store, who, strlen(who) + 1);
        sio_buf_append(&g->store, args->array.ptr, args->array.len);
        for (k = 0; k < args->nbins; k++) {
            sio_buf_append(&g->store, args->bins[k].ptr, args->bins[k].len);
            r->bin_end[k] = g->store.len - r->at;
        }
        if (g->store.err == SIO_OK) g->nrecs++;
    }
}

/* One receiver's ACK. A receiver that leaves first (err) just stops
   being waited for. */
static void sio__bcast_ack_answer(sio__pending *p, int err, const sio_args *args) {
    sio__srv_ack *w = (sio__srv_ack *)(void *)p;
    sio__bcast_ack *g = w->group;
    const sio_allocator *a = g->nsp->srv->b.loop.alloc;
    g->waiting[w->slot] = NULL;
    if (err != SIO_OK) {
        sio__free(a, w);
        return;
    }
    g->left--;
    if (g->each) g->each(g, args);
    else sio__bcast_ack_keep(g, w->s->id, args);
    sio__free(a, w);
    sio__bcast_ack_check(g);
}

/* Adds s to the receivers in srv->tmp2 (pointers back to back), unless
   it is excepted or already there. */
static void sio__bcast_take(sio_server *srv, sio_socket *s, uint64_t gen) {
    if (s->mark_skip == gen || s->mark_sent == gen || !s->connected) return;
    s->mark_sent = gen;
    if (sio_buf_append(&srv->tmp2, &s, sizeof s) != SIO_OK)
        SIO__LOG(srv, SIO_LOG_ERROR, "out of memory: socket %s left out of a broadcast", s->id);
}

/* The receivers of a broadcast, each once, none of the excepted ones,
   collected before any is written to: a write may drop a receiver, and
   with it rooms the walk would be in. */
static void sio__bcast_collect(sio_namespace *nsp, const sio_bcast *to, uint64_t gen) {
    sio_server *srv = nsp->srv;
    size_t i, j;
    sio_socket *s;
    for (i = 0; to && i < to->nexcept; i++) {
        sio__room *r = sio__room_get(nsp, to->except[i], 0);
        void **one = r ? NULL : sio__map_find(&nsp->ids, to->except[i], strlen(to->except[i]));
        for (j = 0; r && j < r->members.cap; j++)
            if (r->members.slot[j]) ((sio_socket *)r->members.slot[j])->mark_skip = gen;
        if (one) ((sio_socket *)*one)->mark_skip = gen;
    }
    sio_buf_reset(&srv->tmp2);
    if (!to || !to->rooms) {
        for (s = nsp->sockets; s; s = s->next_in_nsp) sio__bcast_take(srv, s, gen);
        return;
    }
    for (i = 0; i < to->nrooms; i++) {
        sio__room *r = sio__room_get(nsp, to->rooms[i], 0);
        void **one = r ? NULL : sio__map_find(&nsp->ids, to->rooms[i], strlen(to->rooms[i]));
        for (j = 0; r && j < r->members.cap; j++)
            if (r->members.slot[j]) sio__bcast_take(srv, (sio_socket *)r->members.slot[j], gen);
        if (one) sio__bcast_take(srv, (sio_socket *)*one, gen);
    }
}

/* A broadcast asking for acks: the receiver waits for the one id, in its
   own table, before the packet is written (the write may drop it again). */
static void sio__bcast_wait(sio__bcast_ack *g, sio_socket *s, long long id) {
    const sio_allocator *a = s->nsp->srv->b.loop.alloc;
    sio__srv_ack *w = NULL;
    if (g->nwaiting == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        sio__srv_ack **nw = (sio__srv_ack **)sio__realloc(a, g->waiting, cap * sizeof *nw);
        if (nw) {
            g->waiting = nw;
            g->cap = cap;
        }
    }
    if (g->nwaiting < g->cap) w = (sio__srv_ack *)sio__malloc(a, sizeof *w);
    if (!w) {   /* sent to, but not waited for */
        SIO__LOG(s->nsp->srv, SIO_LOG_ERROR, "out of memory: the ack of socket %s is not waited for", s->id);
        return;
    }
    memset(w, 0, sizeof *w);
    w->p.id = id;
    w->p.done = sio__bcast_ack_answer;
    w->s = s;
    w->group = g;
    w->slot = g->nwaiting;
    if (sio__ack_wait(&s->acks, &w->p, 0) != SIO_OK) {
        sio__free(a, w);
        return;
    }
    g->waiting[g->nwaiting++] = w;
    g->left++;
}

/* The packet in srv->tmp (its ack id that of g) to every receiver. */
static int sio__broadcast_written(sio_namespace *nsp, const sio_bcast *to, const sio_str *bins, int nbins,
                                  sio__bcast_ack *g, long long id) {
    sio_server *srv = nsp->srv;
    size_t i, n;
    sio_buf pkt, list, wire;
    sio__bcast_collect(nsp, to, ++srv->bcast_gen);
    /* a receiver that drops runs handlers that may emit and broadcast,
       which use tmp and tmp2: the bytes and the list are ours now */
    pkt = srv->tmp;
    list = srv->tmp2;
    memset(&srv->tmp, 0, sizeof srv->tmp);
    memset(&srv->tmp2, 0, sizeof srv->tmp2);
    memset(&wire, 0, sizeof wire);
    srv->tmp.alloc = srv->tmp2.alloc = wire.alloc = srv->b.loop.alloc;
#ifndef SIO_NO_MSGPACK
    /* the msgpack form too is written once for every receiver */
    if (srv->desc.parser == SIO_PARSER_MSGPACK && sio__mp_packet_out(pkt.data, pkt.len, bins, nbins, &wire) != SIO_OK) {
        SIO__LOG(srv, SIO_LOG_ERROR, "a broadcast the msgpack parser cannot write: not sent");
        wire.len = 0;
        list.len = 0;
    }
#endif
    n = list.len / sizeof(sio_socket *);
    for (i = 0; i < n; i++) {
        sio_socket *s;
        memcpy(&s, list.data + i * sizeof s, sizeof s);
        if (!s->connected || s->conn->closed) continue;
        if (g) sio__bcast_wait(g, s, id);
        sio__sconn_send_made(s->conn, pkt.data, pkt.len, bins, nbins, wire.len ? &wire : NULL);
    }
    sio_buf_free(&wire);
    sio_buf_free(&srv->tmp);
    sio_buf_free(&srv->tmp2);
    srv->tmp = pkt;
    srv->tmp2 = list;
    return (int)n;
}

static int sio__broadcast(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args,
                          sio__bcast_ack *g, int timeout_ms) {
    sio_server *srv;
    int rc;
    long long id;
    if (!nsp || !sio__event_name_ok(event)) return SIO_ERR_INVALID;
    srv = nsp->srv;
    id = g ? nsp->next_ack++ : -1;
    rc = sio__packet_build(&srv->tmp, SIO_PKT_EVENT, nsp->name, id, event, args);
    if (rc != SIO_OK) return rc;
    if (srv->desc.recovery_ms > 0 && !g) sio__recovery_log(nsp, to, args);   /* acked ones are not kept, as in Node */
    if (srv->cops && !(to && to->local))
        srv->cops->broadcast(nsp, to, srv->tmp.data, srv->tmp.len, args ? args->bins : NULL, args ? args->nbins : 0, g,
                             timeout_ms);
    return sio__broadcast_written(nsp, to, args ? args->bins : NULL, args ? args->nbins : 0, g, id);
}

/* A broadcast that came from another server: its arguments as the JSON
   array of an event (["ev", ...]) with attachments; never sent on. */
static SIO__UNUSED int sio__broadcast_remote(sio_namespace *nsp, const sio_bcast *to, const char *json, size_t len,
                                             const sio_str *bins, int nbins, sio__bcast_ack *g) {
    sio_server *srv = nsp->srv;
    long long id = g ? nsp->next_ack++ : -1;
    int rc;
    sio_buf_reset(&srv->tmp);
    rc = sio_packet_write(&srv->tmp, nbins ? SIO_PKT_BINARY_EVENT : SIO_PKT_EVENT, nbins, nsp->name, strlen(nsp->name),
                          id, json, len);
    if (rc != SIO_OK) return rc;
    return sio__broadcast_written(nsp, to, bins, nbins, g, id);
}

SIO_API int sio_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args) {
    return sio__broadcast(nsp, to, event, args, NULL, 0);
}

/* A broadcast's wait for acks, in nsp->backs until it ends. */
static sio__bcast_ack *sio__bcast_ack_open(sio_namespace *nsp, sio_bcast_ack_fn fn, void *user) {
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    sio__bcast_ack *g = (sio__bcast_ack *)sio__malloc(a, sizeof *g);
    if (!g) return NULL;
    memset(g, 0, sizeof *g);
    g->nsp = nsp;
    g->fn = fn;
    g->user = user;
    g->store.alloc = a;
    g->timer.fn = sio__bcast_ack_due;
    g->next = nsp->backs;
    if (g->next) g->next->prev = g;
    nsp->backs = g;
    return g;
}

/* Refused before anything was sent: nobody holds it. */
static void sio__bcast_ack_discard(sio__bcast_ack *g) {
    sio_namespace *nsp = g->nsp;
    const sio_allocator *a = nsp->srv->b.loop.alloc;
    if (g->prev) g->prev->next = g->next;
    else nsp->backs = g->next;
    if (g->next) g->next->prev = g->prev;
    sio__free(a, g->waiting);
    sio__free(a, g);
}

/* Sent: the answer comes on a later turn even when nobody was there to ask. */
static void sio__bcast_ack_arm(sio__bcast_ack *g, int timeout_ms) {
    sio_server *srv = g->nsp->srv;
    sio__timer_set(&srv->b.loop.timers, srv->b.loop.alloc, &g->timer,
                   srv->b.loop.now + (uint64_t)(g->left || g->remote_wait ? timeout_ms : 0));
}

SIO_API int sio_broadcast_ack(sio_namespace *nsp, const sio_bcast *to, const char *event, const sio_msg *args,
                              int timeout_ms, sio_bcast_ack_fn fn, void *user) {
    sio__bcast_ack *g;
    int rc;
    if (!nsp || !fn || timeout_ms <= 0 || !sio__event_name_ok(event)) return SIO_ERR_INVALID;
    if (nsp->srv->destroying) return SIO_ERR_CLOSED;
    if (!(g = sio__bcast_ack_open(nsp, fn, user))) return SIO_ERR_NOMEM;
    if ((rc = sio__broadcast(nsp, to, event, args, g, timeout_ms)) < 0) {
        sio__bcast_ack_discard(g);
        return rc;
    }
    sio__bcast_ack_arm(g, timeout_ms);
    return SIO_OK;
}

SIO_API int sio_broadcast_all(sio_server *srv, const char *event, const sio_msg *args) {
    sio_namespace *nsp;
    int rc = 0;
    if (!srv) return SIO_ERR_INVALID;
    for (nsp = srv->nsps; nsp; nsp = nsp->next) {
        int r = sio_broadcast(nsp, NULL, event, args);
        if (r < 0) return r;
        rc += r;
    }
    return rc;
}

SIO_API size_t sio_nsp_count(const sio_namespace *nsp) { return nsp ? nsp->count : 0; }

SIO_API size_t sio_room_size(sio_namespace *nsp, const char *room) {
    sio__room *r = nsp && room ? sio__room_get(nsp, room, 0) : NULL;
    if (!r && nsp && room) return sio__map_find(&nsp->ids, room, strlen(room)) ? 1 : 0;
    return r ? r->members.n : 0;
}

/* ---- namespaces and handlers ---- */

/* "/chat", or "chat" taken as "/chat" as Node's io.of() does. */
SIO_API sio_namespace *sio_of(sio_server *srv, const char *name) {
    sio_namespace *nsp;
    const sio_allocator *a;
    char full[SIO_MAX_NSP_LEN + 1];
    size_t n;
    if (!srv || !name) return NULL;
    n = strlen(name) + (name[0] != '/');
    if (n > SIO_MAX_NSP_LEN || strchr(name, ',')) {
        SIO__LOG(srv, SIO_LOG_ERROR, "sio_of(\"%.40s\"): %s", name, n > SIO_MAX_NSP_LEN ? "name over SIO_MAX_NSP_LEN"
                                                                                       : "a namespace has no ','");
        return NULL;
    }
    full[0] = '/';
    memcpy(full + n - strlen(name), name, strlen(name) + 1);
    if ((nsp = sio__nsp_find(srv, full, n)) != NULL) return nsp;
    a = srv->b.loop.alloc;
    if (!(nsp = (sio_namespace *)sio__malloc(a, sizeof *nsp))) return NULL;
    memset(nsp, 0, sizeof *nsp);
    if (!(nsp->name = sio__strndup(a, full, n))) {
        sio__free(a, nsp);
        return NULL;
    }
    nsp->srv = srv;
    sio__map_seed(&nsp->rooms, &srv->b.rng);
    sio__map_seed(&nsp->ids, &srv->b.rng);
    nsp->next = srv->nsps;
    srv->nsps = nsp;
    if (srv->cops) srv->cops->nsp_added(nsp);
    return nsp;
}

SIO__DEFINE_ON_EVENT(sio_on, sio_namespace, sio_event_fn, o->srv->b.loop.alloc)
SIO__DEFINE_ON(sio_on_connection, sio_namespace, sio_socket_fn, listeners, "connection", o->srv->b.loop.alloc)
SIO__DEFINE_ON(sio_on_disconnect, sio_namespace, sio_disconnect_fn, listeners, "disconnect", o->srv->b.loop.alloc)
SIO__DEFINE_ON(sio_use, sio_namespace, sio_middleware_fn, mws, NULL, o->srv->b.loop.alloc)

/* ---- the browser client, GET <path>socket.io.js ---- */

#ifndef SIO_NO_CLIENT_JS
/* client-js facts: generated by tools/embed-client.mjs, do not edit */
/* SIO__CLIENT_JS_LEN is the byte length of all parts together, the ETag
   the quoted SHA-1 of the file (the value of an HTTP ETag header). */
#define SIO__CLIENT_JS_LEN 46045
#define SIO__CLIENT_JS_PARTS 12
#define SIO__CLIENT_JS_ETAG "\"ea7edf50cbce09d14f6377e84866524097a2ab81\""
/* end of client-js facts */
/* The script's text is the last thing in this file (>>client-js). C can
   declare it here ahead of its definition; C++ has no tentative
   definitions, so there it is declared extern. */
#ifdef __cplusplus
extern const char *const sio__client_js[SIO__CLIENT_JS_PARTS];
#define SIO__CLIENT_JS_DEF
#else
static const char *const sio__client_js[SIO__CLIENT_JS_PARTS];
#define SIO__CLIENT_JS_DEF static
#endif
#endif

/* Served as the Node server serves its own, revalidated by ETag so
   browsers keep it cached. Returns 1 when it was this request. */
static int sio__serve_client(sio_server *srv, sio__hconn *h, const sio_http_msg *m) {
    size_t pl = strlen(srv->desc.path), rl;
    const char *rest, *body, *etag;
    size_t blen;
    sio_str inm;
    char extra[160];
    int head;
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
        etag = SIO__CLIENT_JS_ETAG;
#endif
    }
    snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: public, max-age=0\r\n", etag);
    inm = sio_http_header_get(m, "If-None-Match");
    if (inm.len == strlen(etag) && memcmp(inm.ptr, etag, inm.len) == 0) {
        sio__http_answer(h, 304, NULL, NULL, 0, extra);
        return 1;
    }
    /* HEAD: the head a GET would get, the real length included */
    head = m->method.len == 4 && memcmp(m->method.ptr, "HEAD", 4) == 0;
    if (body || head) {
        sio__http_answer(h, 200, "application/javascript; charset=utf-8", head ? NULL : body, blen, extra);
        return 1;
    }
#ifndef SIO_NO_CLIENT_JS
    {
        int i;
        if (sio__http_head_out(h, 200, "application/javascript; charset=utf-8", blen, extra) != SIO_OK) return 1;
        for (i = 0; i < SIO__CLIENT_JS_PARTS; i++) sio__conn_send(&h->c, sio__client_js[i], strlen(sio__client_js[i]));
        sio__http_done(h);
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
    srv->client_js = (char *)sio__malloc(srv->b.loop.alloc, (size_t)n + 1);
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

/* ---- routing requests ---- */

static int sio__path_match(sio_str path, const char *prefix) {
    size_t n = strlen(prefix);
    /* "/socket.io/" also matches "/socket.io" as Node does with its prefix check on the raw URL */
    if (path.len >= n && memcmp(path.ptr, prefix, n) == 0) return 1;
    return n > 1 && path.len == n - 1 && prefix[n - 1] == '/' && memcmp(path.ptr, prefix, n - 1) == 0;
}

static int sio__is_engine_path(sio_server *srv, sio_str path) {
    return sio__path_match(path, srv->desc.path) || (srv->desc.engine_path && sio__path_match(path, srv->desc.engine_path));
}

static void sio__on_request(sio__hconn *h, const sio_http_msg *m, char *body, size_t blen, void *user) {
    sio_server *srv = (sio_server *)user;
    sio_http_request req;
    if (sio__serve_client(srv, h, m)) return;
    if (sio__path_match(m->path, srv->desc.path)) {
        sio__eio_request(&srv->eio, h, m, body, blen);
        return;
    }
    if (srv->desc.engine_path && sio__path_match(m->path, srv->desc.engine_path)) {
        sio__eio_request(&srv->engine, h, m, body, blen);
        return;
    }
    if (srv->desc.on_http) {
        req.msg = m;
        req.body.ptr = body;
        req.body.len = blen;
        req.conn = h;
        srv->desc.on_http(&req, srv->desc.http_user);
        if (!req.conn) return;
        SIO__LOG(srv, SIO_LOG_WARN, "on_http returned without answering %.*s", (int)m->path.len, m->path.ptr);
    }
    sio__http_answer(h, 404, "text/plain", "Not Found", 9, NULL);
}

static void sio__on_too_big(sio__hconn *h, const sio_http_msg *m, void *user) {
    h->cors = (unsigned char)sio__is_engine_path((sio_server *)user, m->path);
    sio__http_answer(h, 413, NULL, NULL, 0, NULL);
}

static void sio__on_gone(sio__hconn *h, int err, void *user) {
    (void)err;
    (void)user;
    sio__eio_gone((sio_engine_conn *)h->held);
}

static const sio__httpd_handlers sio__srv_http = {sio__on_request, sio__on_too_big, sio__on_gone};

/* ---- the server object ---- */

static void sio__srv_reap(sio_server *srv) {
    const sio_allocator *a = srv->b.loop.alloc;
    while (srv->dead_sockets) {
        sio_socket *s = srv->dead_sockets;
        srv->dead_sockets = s->next_dead;
        sio__acks_free(&s->acks);
        sio__tab_free(&s->rooms, a);
        sio__socket_free(a, s);
    }
    while (srv->dead_conns) {
        sio__sconn *sc = srv->dead_conns;
        srv->dead_conns = sc->next_dead;
        sio__free(a, sc->handshake);
        sio__free(a, sc);
    }
    sio__eio_reap(&srv->eio);
    sio__eio_reap(&srv->engine);
}

/* The desc with its defaults; run-time limits may only tighten the
   compiled-in ones. */
static void sio__srv_defaults(sio_server_desc *d) {
#define SIO__DEFAULT(field, dflt) if (d->field <= 0) d->field = (dflt)
#define SIO__CAP(field, max) if (d->field <= 0 || d->field > (max)) d->field = (max)
    if (!d->path) d->path = "/socket.io/";
    SIO__DEFAULT(ping_interval_ms, SIO_PING_INTERVAL_MS);
    SIO__DEFAULT(ping_timeout_ms, SIO_PING_TIMEOUT_MS);
    SIO__DEFAULT(max_payload, SIO_MAX_PAYLOAD);
    SIO__DEFAULT(connect_timeout_ms, SIO_CONNECT_TIMEOUT_MS);
    SIO__DEFAULT(upgrade_timeout_ms, SIO_UPGRADE_TIMEOUT_MS);
    SIO__DEFAULT(http_timeout_ms, SIO_HTTP_TIMEOUT_MS);
    SIO__DEFAULT(max_connections, SIO_MAX_CONNECTIONS);
    SIO__DEFAULT(max_packets_per_payload, SIO_MAX_PACKETS_PER_PAYLOAD);
    SIO__CAP(max_http_headers, SIO_HTTP_MAX_HEADERS);
    SIO__CAP(max_http_header_bytes, SIO_HTTP_MAX_HEADER_BYTES);
    SIO__CAP(max_request_line, SIO_HTTP_MAX_REQUEST_LINE);
    SIO__CAP(max_attachments, SIO_MAX_ATTACHMENTS);
    SIO__CAP(max_json_depth, SIO_JSON_MAX_DEPTH);
#undef SIO__DEFAULT
#undef SIO__CAP
}

/* One Engine.IO endpoint on the server's loop. */
static void sio__srv_eio_init(sio_server *srv, sio__eio *x, const sio_engine_handlers *h) {
    x->loop = &srv->b.loop;
    x->rng = &srv->b.rng;
    x->log = &srv->b.logger;
    x->h = *h;
    x->ping_interval_ms = srv->desc.ping_interval_ms;
    x->ping_timeout_ms = srv->desc.ping_timeout_ms;
    x->upgrade_timeout_ms = srv->desc.upgrade_timeout_ms;
    x->max_packets = srv->desc.max_packets_per_payload;
    x->max_payload = srv->desc.max_payload;
    sio__map_seed(&x->sessions, &srv->b.rng);
    x->allow_eio3 = srv->desc.allow_eio3 && x == &srv->eio;   /* the bare endpoint stays v4 */
}

/* Listening, on one address or on every one: IPv6 and IPv4 on one
   socket, so "localhost" works whichever way the browser resolves it;
   IPv4 only without IPv6. */
static int sio__srv_listen(sio_server *srv) {
    sio__conn *l;
    int rc, fd = -1;
    if (srv->desc.host) {
        rc = sio__listen(srv->desc.host, srv->desc.port, srv->desc.reuse_port, &fd, &srv->port);
    } else {
        srv->desc.host = "::";
        rc = sio__listen(srv->desc.host, srv->desc.port, srv->desc.reuse_port, &fd, &srv->port);
        if (rc != SIO_OK) {
            srv->desc.host = "0.0.0.0";
            rc = sio__listen(srv->desc.host, srv->desc.port, srv->desc.reuse_port, &fd, &srv->port);
        }
    }
    if (rc != SIO_OK) {
        SIO__LOG(srv, SIO_LOG_ERROR, "cannot listen on %s port %d: %s", srv->desc.host, srv->desc.port,
                 rc == SIO_ERR_RESOLVE ? "no such address"
                 : rc == SIO_ERR_UNSUPPORTED ? "reuse_port: this system cannot share a port (no SO_REUSEPORT)"
                                             : strerror(errno));
        return rc;
    }
    if (!(l = sio__conn_add(&srv->b.loop, fd, SIO__C_LISTEN, &sio__listen_ops, &srv->http, sizeof *l))) {
        sio__closesocket(fd);
        return SIO_ERR_NOMEM;
    }
    return SIO_OK;
}

static int sio__srv_tls(sio_server *srv) {
#ifdef SIO_TLS_BEARSSL
    char why[256];
    sio__tls_ctx *ctx = NULL;
    int rc = sio__tls_ctx_new(srv->b.loop.alloc, &srv->desc.tls, 1, &ctx, why, sizeof why);
    if (rc != SIO_OK) SIO__LOG(srv, SIO_LOG_ERROR, "TLS: %s", why);
    srv->tls_ctx = srv->http.tls_ctx = ctx;
    return rc;
#else
    SIO__LOG(srv, SIO_LOG_ERROR, "TLS asked for, but this build has no SIO_TLS_BEARSSL");
    return SIO_ERR_UNSUPPORTED;
#endif
}

SIO_API sio_server *sio_server_create(const sio_server_desc *desc, int *err) {
    static const sio_engine_handlers sio_side = {sio__on_engine_open, sio__on_engine_message, sio__on_engine_close, NULL};
    sio_server_desc d;
    sio_server *srv;
    sio_engine_handlers h;
    int rc = SIO_OK;
    memset(&d, 0, sizeof d);
    if (desc) d = *desc;
    sio__srv_defaults(&d);
    if (!(srv = (sio_server *)(void *)sio__base_new(sizeof *srv, &d.allocator, &d.logger, d.max_output, &rc))) {
        if (err) *err = rc;
        return NULL;
    }
    srv->desc = d;
    srv->b.loop.http_timeout_ms = srv->desc.http_timeout_ms;
    srv->tmp.alloc = srv->tmp2.alloc = srv->mp.alloc = srv->b.loop.alloc;
    srv->http.loop = &srv->b.loop;
    srv->http.log = &srv->b.logger;
    srv->http.h = &sio__srv_http;
    srv->http.user = srv;
    srv->http.max_headers = srv->desc.max_http_headers;
    srv->http.max_header_bytes = srv->desc.max_http_header_bytes;
    srv->http.max_request_line = srv->desc.max_request_line;
    srv->http.max_connections = srv->desc.max_connections;
    srv->http.max_body = srv->desc.max_payload;
    srv->http.cors_origin = srv->desc.cors_origin;
    srv->http.cors_credentials = srv->desc.cors_credentials;
    srv->http.cors_allow = srv->desc.cors_allow;
    srv->http.cors_user = srv->desc.cors_user;
    h = sio_side;
    h.user = srv;
    sio__srv_eio_init(srv, &srv->eio, &h);
    srv->eio.on_upgrade = sio__on_engine_upgrade;
    sio__srv_eio_init(srv, &srv->engine, &srv->desc.engine);
    if (!srv->desc.no_listen) rc = sio__srv_listen(srv);
    if (rc == SIO_OK && (srv->desc.tls.cert_file || srv->desc.tls.cert_pem)) rc = sio__srv_tls(srv);
    if (rc == SIO_OK && srv->desc.client_js_file && (rc = sio__load_client_js(srv)) != SIO_OK)
        SIO__LOG(srv, SIO_LOG_ERROR, "cannot load client_js_file %s: %s", srv->desc.client_js_file, sio_strerror(rc));
    if (rc == SIO_OK) rc = sio__parser_check(&srv->b.logger, srv->desc.parser);
    if (rc == SIO_OK && !sio_of(srv, "/")) rc = SIO_ERR_NOMEM;
    if (rc != SIO_OK) {
        sio_server_destroy(srv);
        if (err) *err = rc;
        return NULL;
    }
    if (srv->desc.no_listen) SIO__LOG(srv, SIO_LOG_INFO, "attached: no port of its own, the host hands requests in");
    else SIO__LOG(srv, SIO_LOG_INFO, "listening on %s port %d", srv->desc.host, srv->port);
    if (err) *err = SIO_OK;
    return srv;
}

SIO_API int sio_server_port(const sio_server *srv) { return srv ? srv->port : 0; }

SIO_API sio_timer *sio_server_timer(sio_server *srv, int ms, int every_ms, sio_timer_fn fn, void *user) {
    return srv ? sio__utimer_new(&srv->b, ms, every_ms, fn, user) : NULL;
}

SIO_API int sio_server_poll(sio_server *srv, int timeout_ms) {
    int rc;
    if (!srv) return SIO_ERR_INVALID;
    rc = sio__loop_poll(&srv->b.loop, timeout_ms);
    sio__srv_reap(srv);
    return rc;
}

SIO_API int sio_server_run(sio_server *srv) {
    int rc = SIO_OK;
    if (!srv) return SIO_ERR_INVALID;
    srv->b.loop.stop = 0;
    while (!srv->b.loop.stop && rc == SIO_OK) rc = sio_server_poll(srv, 1000);
    return rc;
}

SIO_API void sio_server_stop(sio_server *srv) {
    if (srv) srv->b.loop.stop = 1;
}

SIO_API int sio_server_fds(sio_server *srv, struct pollfd *fds, int max, int *timeout_ms) {
    int n;
    if (!srv || (!fds && max > 0) || !timeout_ms) return SIO_ERR_INVALID;
    sio__srv_reap(srv);
    n = sio__loop_fds(&srv->b.loop, fds, max, timeout_ms);
    sio__srv_reap(srv);
    return n;
}

SIO_API int sio_server_process(sio_server *srv, const struct pollfd *fds, int n) {
    int rc;
    if (!srv || (!fds && n > 0)) return SIO_ERR_INVALID;
    rc = sio__loop_process_fds(&srv->b.loop, fds, n);
    sio__srv_reap(srv);
    return rc;
}

SIO_API int sio_server_adopt(sio_server *srv, int fd, const void *read, size_t len) {
    int rc;
    if (!srv || srv->destroying) return SIO_ERR_INVALID;
    srv->b.loop.now = sio__now_ms();
    rc = sio__httpd_adopt(&srv->http, fd, read, len);
    if (rc == SIO_ERR_UNSUPPORTED) SIO__LOG(srv, SIO_LOG_ERROR, "adopt: a TLS server takes connections on its own port only");
    sio__loop_flush(&srv->b.loop);
    return rc;
}

SIO_API sio_exchange *sio_server_request(sio_server *srv, const sio_host_request *req, int *err) {
    sio__hconn *h;
    int rc = SIO_ERR_INVALID;
    if (!err) err = &rc;
    if (!srv || srv->destroying) {
        *err = SIO_ERR_INVALID;
        return NULL;
    }
    srv->b.loop.now = sio__now_ms();
    h = sio__httpd_request(&srv->http, req, err);
    if (*err == SIO_ERR_INVALID) SIO__LOG(srv, SIO_LOG_ERROR, "sio_server_request: a method, a target starting with / "
                                          "(no spaces or line breaks) and respond are needed");
    /* a POST may have answered GETs held elsewhere: those go now too */
    sio__loop_flush(&srv->b.loop);
    return (sio_exchange *)(void *)h;
}

SIO_API int sio_server_upgraded(sio_exchange *x, int fd, const void *extra, size_t len) {
    sio__hconn *h = (sio__hconn *)(void *)x;
    int rc;
    if (!h || fd < 0) return SIO_ERR_INVALID;
    h->c.loop->now = sio__now_ms();
    rc = sio__httpd_upgraded(h, fd, extra, len);
    sio__loop_flush(h->c.loop);
    return rc;
}

SIO_API void sio_server_request_gone(sio_exchange *x) {
    if (x) sio__httpd_gone((sio__hconn *)(void *)x);
}

SIO_API void sio_server_destroy(sio_server *srv) {
    const sio_allocator *a;
    sio_namespace *nsp;
    if (!srv) return;
    a = srv->b.loop.alloc;
    srv->destroying = 1;
    /* end every session first, so handlers see their disconnects */
    if (srv->b.loop.scratch) {
        sio__eio_shutdown(&srv->eio);
        sio__eio_shutdown(&srv->engine);
    }
    /* broadcasts still waiting for acks hear why they never will */
    for (nsp = srv->nsps; nsp; nsp = nsp->next)
        while (nsp->backs) sio__bcast_ack_finish(nsp->backs, SIO_ERR_CLOSED);
    if (srv->cops) srv->cops->destroy(srv);   /* its requests too hear SIO_ERR_CLOSED */
    if (srv->wops) srv->wops->destroy(srv);
    sio__loop_flush(&srv->b.loop);
    sio__loop_close_all(&srv->b.loop);
    sio__srv_reap(srv);
#ifdef SIO_TLS_BEARSSL
    if (srv->tls_ctx) sio__tls_ctx_free((sio__tls_ctx *)srv->tls_ctx);
#endif
    while ((nsp = srv->nsps) != NULL) {
        srv->nsps = nsp->next;
        sio__handlers_free(&nsp->handlers, a);
        sio__handlers_free(&nsp->listeners, a);
        sio__handlers_free(&nsp->mws, a);
        sio__handlers_free(&nsp->server_events, a);
        sio__recovery_purge(nsp, 1);
        sio__free(a, nsp->rooms.e);
        sio__free(a, nsp->ids.e);
        sio__free(a, nsp->name);
        sio__free(a, nsp);
    }
    sio_buf_free(&srv->tmp);
    sio_buf_free(&srv->tmp2);
    sio_buf_free(&srv->mp);
    sio__free(a, srv->client_js);
    sio__base_free(&srv->b);
}
#endif /* SIO_NO_SERVER */

#ifndef SIO_NO_SERVER
/* =====================================================================
   >>cluster: servers that share their sockets through Redis
   =====================================================================
   The adapter of Node's @socket.io/redis-adapter 8 (its classic
   createAdapter), on the same channels and in the same message shapes,
   so C and Node servers form one cluster (../shared/REDIS-ADAPTER.md).
   Per namespace N and key prefix K, every server
     PSUBSCRIBEs K#N#*              broadcasts: K#N# for many rooms or
                                    none, K#N#room# for exactly one
     SUBSCRIBEs K-request#N#        requests to every server
                K-response#N#       answers, for whoever asked
                K-response#N#uid#   answers for this server alone
   A broadcast is the MessagePack array [uid, packet, opts]:
     packet {type: 2, data: [event, ...args], nsp}, binaries inline
     opts   {rooms: [...], except: [...], flags: {...}}
   Requests and answers are JSON text, except a broadcast asking for
   acks (type 7) and each ack of it (type 9), which are MessagePack maps
   because they may carry binary; the first byte tells: '{' is JSON.
   A server that asks others (fetch sockets, all rooms, a server-side
   emit with acks, a broadcast with acks) learns how many will answer
   from PUBSUB NUMSUB of the request channel, after its PUBLISH on the
   same connection, so the count is never older than the request.
   Incoming messages of both kinds are read as JSON: MessagePack is
   turned into its JSON text first (binaries become placeholders, as
   with the msgpack parser), so one reader serves every message.
   The same calls without a cluster (never joined, or built with
   SIO_NO_REDIS) answer from this server alone, as Node's default
   in-memory adapter does. */

enum {
    SIO__RQ_SOCKETS = 0, SIO__RQ_ALL_ROOMS, SIO__RQ_JOIN, SIO__RQ_LEAVE, SIO__RQ_DISCONNECT, SIO__RQ_FETCH,
    SIO__RQ_SERVER_EMIT, SIO__RQ_BROADCAST, SIO__RQ_CLIENT_COUNT, SIO__RQ_BROADCAST_ACK
};
#define SIO__CL_ID_MAX 64                 /* bytes of a requestId or a uid we keep */

typedef struct sio__cluster sio__cluster;

/* One question to every server, waiting for their answers. */
typedef struct sio__cl_req {
    sio__cluster *cl;
    sio_namespace *nsp;
    int type;                    /* SIO__RQ_FETCH, _ALL_ROOMS, _SERVER_EMIT, _BROADCAST */
    char id[8];
    int expected;                /* answers from other servers: -1 until NUMSUB tells */
    int got;
    int err;                     /* SIO_ERR_CLOSED: not asked (Redis away) */
    int counting;                /* a NUMSUB reply will come: its waiter holds this */
    int done;                    /* answered; freed once the NUMSUB reply came */
    sio__timer timer;
    sio_buf store;               /* the answers' JSON texts, back to back */
    size_t *ends;
    size_t nends, ends_cap;
    sio_fetch_fn fetch;
    sio_rooms_fn rooms;
    sio_server_ack_fn answers;
    void *user;
    sio__bcast_ack *g;           /* BROADCAST: the wait for acks here */
    long long acks_expected, acks_got;
    struct sio__cl_req *prev, *next;
} sio__cl_req;

struct sio__cluster {
    sio_server *srv;
    const sio_allocator *a;
    sio__cl_req *reqs;
    sio_cluster_info info;
    sio_buf out, js;             /* a message going out; a MessagePack one read as JSON */
    sio_str bins[SIO_MAX_BINARIES];
#ifndef SIO_NO_REDIS
    int joined;
    sio__redis pub, sub;
    char *spec;                  /* the URL's parts, NUL-separated: host, user, password */
    const char *key;
    char uid[8];
    int timeout_ms;
    int warned;                  /* "not published" said once per outage */
#endif
};

/* What a server-side event's handler answers through (sio_server_event_ack). */
struct sio_server_ack {
    sio__cluster *cl;
    sio_namespace *nsp;
    sio_str id;
    int answered;
};

/* A broadcast target read from a message's opts {rooms, except}: the
   names unescaped into one buffer, then pointed at. */
typedef struct sio__cl_to {
    sio_bcast b;
    sio_buf names;
    const char **ptrs;
} sio__cl_to;

static SIO__UNUSED void sio__cl_to_free(sio__cl_to *t, const sio_allocator *a) {
    sio_buf_free(&t->names);
    sio__free(a, (void *)t->ptrs);
}

/* Room names of a JSON array (strings, or numbers as their text, as
   Node's rooms may be) appended NUL-ended; their count. */
static size_t sio__cl_names(sio_json arr, sio_buf *names) {
    sio_json_iter it;
    sio_json v;
    size_t n = 0;
    if (arr.type != SIO_JSON_ARRAY) return 0;
    sio_json_iter_init(&it, arr);
    while (sio_json_iter_next(&it, NULL, &v)) {
        size_t at = names->len, len;
        if (v.type == SIO_JSON_NUMBER) {
            sio_buf_append(names, v.ptr, v.len);
        } else if (v.type == SIO_JSON_STRING) {
            len = sio_json_strcpy(v, NULL, 0);
            if (sio_buf_reserve(names, len + 1) != SIO_OK) return n;
            sio_json_strcpy(v, names->data + at, len + 1);
            names->len += len;
        } else {
            continue;
        }
        sio_buf_appendc(names, 0);
        n++;
    }
    return n;
}

static SIO__UNUSED int sio__cl_to_read(sio__cl_to *t, sio_json opts, const sio_allocator *a) {
    sio_json rooms, except;
    size_t nr, ne, i;
    const char *p;
    memset(t, 0, sizeof *t);
    t->names.alloc = a;
    rooms.type = except.type = SIO_JSON_INVALID;
    if (opts.type == SIO_JSON_OBJECT) {
        sio_json_get(opts, "rooms", &rooms);
        sio_json_get(opts, "except", &except);
    }
    nr = sio__cl_names(rooms, &t->names);
    ne = sio__cl_names(except, &t->names);
    if (t->names.err) return t->names.err;
    if (nr + ne && !(t->ptrs = (const char **)sio__malloc(a, (nr + ne) * sizeof *t->ptrs))) return SIO_ERR_NOMEM;
    for (i = 0, p = t->names.data; i < nr + ne; i++, p += strlen(p) + 1) t->ptrs[i] = p;
    t->b.rooms = nr ? t->ptrs : NULL;   /* no rooms: the whole namespace */
    t->b.nrooms = nr;
    t->b.except = ne ? t->ptrs + nr : NULL;
    t->b.nexcept = ne;
    return SIO_OK;
}

/* The sockets a target names, here, each once: a copy of the list, as
   acting on one may run handlers that broadcast (which reuse the list). */
static size_t sio__cl_targets(sio_namespace *nsp, const sio_bcast *to, sio_buf *list) {
    sio_server *srv = nsp->srv;
    sio__bcast_collect(nsp, to, ++srv->bcast_gen);
    sio_buf_reset(list);
    sio_buf_append(list, srv->tmp2.data, srv->tmp2.len);
    return list->err ? 0 : list->len / sizeof(sio_socket *);
}

static sio_socket *sio__cl_target(const sio_buf *list, size_t i) {
    sio_socket *s;
    memcpy(&s, list->data + i * sizeof s, sizeof s);
    return s;
}

static void sio__cl_close_due(sio__timer *t) {
    sio__sconn *sc = (sio__sconn *)(void *)((char *)t - offsetof(sio__sconn, connect_timer));
    sio__eio_close(sc->e, "forced server close", 1);
}

/* join 1 / leave 0 / disconnect 2 (close: the connection too) on this
   server's sockets in to. */
static void sio__cl_apply(sio_namespace *nsp, const sio_bcast *to, int what, const char *room, int close) {
    sio_buf list;
    size_t i, n;
    memset(&list, 0, sizeof list);
    list.alloc = nsp->srv->b.loop.alloc;
    n = sio__cl_targets(nsp, to, &list);
    for (i = 0; i < n; i++) {
        sio_socket *s = sio__cl_target(&list, i);
        if (!s->connected) continue;   /* an earlier one's handlers dropped it */
        if (what == 1) sio_join(s, room);
        else if (what == 0) sio_leave(s, room);
        else if (!close) sio_disconnect(s);
        else {
            /* Node's disconnect(true): every namespace of the connection
               hears its DISCONNECT, then the connection goes */
            sio__sconn *sc = s->conn;
            sio_engine_conn *e = sc->e;
            while (sc->sockets) sio_disconnect(sc->sockets);
            if (e->transport == SIO__T_POLLING && !e->get && e->pq.len) {
                /* no GET to carry them yet: the next one will, and the
                   client then closes by itself; if not, this does */
                sc->connect_timer.fn = sio__cl_close_due;
                sio__timer_set(&nsp->srv->b.loop.timers, nsp->srv->b.loop.alloc, &sc->connect_timer,
                               nsp->srv->b.loop.now + (uint64_t)nsp->srv->desc.ping_timeout_ms);
            } else {
                sio__eio_close(e, "forced server close", 1);
            }
        }
    }
    sio_buf_free(&list);
}

/* What Node's fetchSockets() sends of a socket: {id, handshake, rooms, data}. */
static void sio__cl_socket_json(sio_json_writer *w, sio_socket *s) {
    sio_json auth = sio_socket_auth(s);
    sio_json_obj_begin(w);
    sio_json_key(w, "id");
    sio_json_str(w, s->id);
    sio_json_key(w, "handshake");
    sio_json_obj_begin(w);
    sio_json_key(w, "headers");
    sio_json_raw(w, "{}", 2);
    sio_json_key(w, "query");
    sio_json_raw(w, "{}", 2);
    sio_json_key(w, "auth");
    sio_json_raw(w, auth.ptr, auth.len);
    sio_json_obj_end(w);
    sio_json_key(w, "rooms");
    sio__rooms_json(w, s);
    sio_json_key(w, "data");
    sio_json_raw(w, "{}", 2);
    sio_json_obj_end(w);
}

/* ---- requests and their answers ---- */

static void sio__cl_keep(sio__cl_req *q, const char *json, size_t n) {
    if (q->nends == q->ends_cap) {
        size_t cap = q->ends_cap ? 2 * q->ends_cap : 16;
        size_t *ne = (size_t *)sio__realloc(q->cl->a, q->ends, cap * sizeof *ne);
        if (!ne) return;   /* out of memory: this answer is lost */
        q->ends = ne;
        q->ends_cap = cap;
    }
    if (sio_buf_append(&q->store, json, n) == SIO_OK) q->ends[q->nends++] = q->store.len;
}

static void sio__cl_req_free(sio__cl_req *q) {
    const sio_allocator *a = q->cl->a;
    sio_buf_free(&q->store);
    sio__free(a, q->ends);
    sio__free(a, q);
}

static int sio__cl_str_cmp(const void *x, const void *y) {
    const sio_str *a = (const sio_str *)x, *b = (const sio_str *)y;
    int c = memcmp(a->ptr, b->ptr, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void sio__cl_req_unhook(sio__cl_req *q) {
    sio__timer_cancel(&q->cl->srv->b.loop.timers, &q->timer);
    if (q->prev) q->prev->next = q->next;
    else q->cl->reqs = q->next;
    if (q->next) q->next->prev = q->prev;
    q->done = 1;
}

/* The answers as the caller's type, then the caller; q is unhooked. */
static void sio__cl_req_finish(sio__cl_req *q, int err) {
    const sio_allocator *a = q->cl->a;
    size_t i, n = 0, from = 0;
    sio_json *vals = q->nends ? (sio_json *)sio__malloc(a, q->nends * sizeof *vals) : NULL;
    sio__cl_req_unhook(q);
    if (q->nends && !vals) err = SIO_ERR_NOMEM;
    for (i = 0; vals && i < q->nends; from = q->ends[i++])
        if (sio_json_parse(q->store.data + from, q->ends[i] - from, &vals[n]) == SIO_OK) n++;
    if (q->type == SIO__RQ_FETCH) {
        sio_remote_socket *rs = n ? (sio_remote_socket *)sio__malloc(a, n * sizeof *rs) : NULL;
        size_t k = 0;
        for (i = 0; rs && i < n; i++) {
            sio_json id;
            void **local;
            if (vals[i].type != SIO_JSON_OBJECT || sio_json_get(vals[i], "id", &id) != SIO_OK) continue;
            memset(&rs[k], 0, sizeof rs[k]);
            rs[k].id = sio_json_raw_str(id);
            if (sio_json_get(vals[i], "rooms", &rs[k].rooms) != SIO_OK) sio_json_parse("[]", 2, &rs[k].rooms);
            if (sio_json_get(vals[i], "handshake", &rs[k].handshake) != SIO_OK) sio_json_parse("{}", 2, &rs[k].handshake);
            if (sio_json_get(vals[i], "data", &rs[k].data) != SIO_OK) sio_json_parse("{}", 2, &rs[k].data);
            local = sio__map_find(&q->nsp->ids, rs[k].id.ptr, rs[k].id.len);
            rs[k].local = local ? (sio_socket *)*local : NULL;
            k++;
        }
        if (n && !rs) err = SIO_ERR_NOMEM;
        q->fetch(q->nsp, err, rs, k, q->user);
        sio__free(a, rs);
    } else if (q->type == SIO__RQ_ALL_ROOMS) {
        /* each once: sorted, then equal neighbours dropped */
        sio_str *rooms = n ? (sio_str *)sio__malloc(a, n * sizeof *rooms) : NULL;
        size_t k = 0, u = 0;
        for (i = 0; rooms && i < n; i++)
            if (vals[i].type == SIO_JSON_STRING) rooms[k++] = sio_json_raw_str(vals[i]);
        if (k) qsort(rooms, k, sizeof *rooms, sio__cl_str_cmp);
        for (i = 0; i < k; i++)
            if (!u || sio__cl_str_cmp(&rooms[u - 1], &rooms[i])) rooms[u++] = rooms[i];
        if (n && !rooms) err = SIO_ERR_NOMEM;
        q->rooms(q->nsp, err, rooms, u, q->user);
        sio__free(a, rooms);
    } else if (q->type == SIO__RQ_SERVER_EMIT) {
        q->answers(q->nsp, err, vals, n, q->user);
    }
    sio__free(a, vals);
    if (!q->counting) sio__cl_req_free(q);
}

static void sio__cl_req_due(sio__timer *t) {
    sio__cl_req *q = (sio__cl_req *)(void *)((char *)t - offsetof(sio__cl_req, timer));
    sio__cl_req_finish(q, q->err ? q->err : q->expected >= 0 && q->got >= q->expected ? SIO_OK : SIO_ERR_TIMEOUT);
}

/* Complete once every server that was counted has answered. */
static SIO__UNUSED void sio__cl_req_check(sio__cl_req *q) {
    if (q->type == SIO__RQ_BROADCAST) {
        sio__bcast_ack *g = q->g;
        g->remote_wait = !(q->expected >= 0 && q->got >= q->expected && q->acks_got >= q->acks_expected);
        sio__bcast_ack_check(g);   /* may end g, and with it q (ack_gone) */
        return;
    }
    if (q->expected >= 0 && q->got >= q->expected) sio__cl_req_finish(q, q->err);
}

/* Six characters of base64url, as Node's uid2(6): server uids and
   requestIds; the first six of a socket id (sio__rng_id). */
static void sio__cl_random_id(sio_server *srv, char out[7]) {
    char id[21];
    sio__rng_id(&srv->b.rng, id);
    memcpy(out, id, 6);
    out[6] = 0;
}

static sio__cl_req *sio__cl_req_new(sio__cluster *cl, sio_namespace *nsp, int type) {
    sio__cl_req *q = (sio__cl_req *)sio__malloc(cl->a, sizeof *q);
    if (!q) return NULL;
    memset(q, 0, sizeof *q);
    q->cl = cl;
    q->nsp = nsp;
    q->type = type;
    q->expected = -1;
    q->store.alloc = cl->a;
    q->timer.fn = sio__cl_req_due;
    sio__cl_random_id(cl->srv, q->id);
    q->next = cl->reqs;
    if (q->next) q->next->prev = q;
    cl->reqs = q;
    return q;
}

static SIO__UNUSED sio__cl_req *sio__cl_req_find(sio__cluster *cl, sio_str id) {
    sio__cl_req *q;
    for (q = cl->reqs; q; q = q->next)
        if (id.len == strlen(q->id) && memcmp(id.ptr, q->id, id.len) == 0) return q;
    return NULL;
}

static void sio__cl_ack_gone(sio__bcast_ack *g);
static void sio__cl_nsp_added(sio_namespace *nsp);
static void sio__cl_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *pkt, size_t n, const sio_str *bins,
                              int nbins, sio__bcast_ack *g, int timeout_ms);
static void sio__cl_destroy(sio_server *srv);
static const sio__cluster_ops sio__cl_ops = {sio__cl_nsp_added, sio__cl_broadcast, sio__cl_ack_gone, sio__cl_destroy};

/* The server's adapter: made on first use, joined or not. */
static sio__cluster *sio__cl_get(sio_server *srv) {
    sio__cluster *cl = (sio__cluster *)srv->cluster;
    if (cl) return cl;
    if (!(cl = (sio__cluster *)sio__malloc(srv->b.loop.alloc, sizeof *cl))) return NULL;
    memset(cl, 0, sizeof *cl);
    cl->srv = srv;
    cl->a = srv->b.loop.alloc;
    cl->out.alloc = cl->js.alloc = cl->a;
    srv->cluster = cl;
    srv->cops = &sio__cl_ops;
    return cl;
}

#ifndef SIO_NO_REDIS
/* ---- channels and publishing ---- */

/* K<infix>N#<tail>[#] into b: the channel names of the table above. */
static const char *sio__cl_chan(sio__cluster *cl, sio_buf *b, const char *infix, const char *nsp, const char *tail) {
    sio_buf_reset(b);
    sio_buf_append(b, cl->key, strlen(cl->key));
    sio_buf_append(b, infix, strlen(infix));
    sio_buf_append(b, nsp, strlen(nsp));
    sio_buf_appendc(b, '#');
    if (tail) {
        sio_buf_append(b, tail, strlen(tail));
        sio_buf_appendc(b, '#');
    }
    sio_buf_appendc(b, 0);
    return b->err ? NULL : b->data;
}

static int sio__cl_publish(sio__cluster *cl, const char *chan, const char *msg, size_t n) {
    const char *argv[3];
    size_t lens[3];
    int rc;
    argv[0] = "PUBLISH";
    argv[1] = chan;
    argv[2] = msg;
    lens[0] = 7;
    lens[1] = strlen(chan);
    lens[2] = n;
    rc = cl->pub.up ? sio__redis_command(&cl->pub, 3, argv, lens, NULL, NULL) : SIO_ERR_CLOSED;
    if (rc == SIO_OK) {
        cl->info.published++;
        cl->warned = 0;
    } else {
        cl->info.not_published++;
        if (!cl->warned)
            sio__log(&cl->srv->b.logger, SIO_LOG_WARN, "cluster: Redis is away: broadcasts and requests reach this "
                     "server only until it is back");
        cl->warned = 1;
    }
    return rc;
}

/* Publishes cl->out on the request or shared response channel of nsp. */
static int sio__cl_send(sio__cluster *cl, sio_namespace *nsp, const char *infix) {
    sio_buf ch;
    int rc = SIO_ERR_NOMEM;
    const char *c;
    memset(&ch, 0, sizeof ch);
    ch.alloc = cl->a;
    if ((c = sio__cl_chan(cl, &ch, infix, nsp->name, NULL)) != NULL && !cl->out.err)
        rc = sio__cl_publish(cl, c, cl->out.data, cl->out.len);
    sio_buf_free(&ch);
    return rc;
}

/* {rooms: [...], except: [...]} of a target. */
static void sio__cl_opts_json(sio_json_writer *w, const sio_bcast *to) {
    size_t i;
    sio_json_key(w, "rooms");
    sio_json_arr_begin(w);
    for (i = 0; to && to->rooms && i < to->nrooms; i++) sio_json_str(w, to->rooms[i]);
    sio_json_arr_end(w);
    sio_json_key(w, "except");
    sio_json_arr_begin(w);
    for (i = 0; to && to->except && i < to->nexcept; i++) sio_json_str(w, to->except[i]);
    sio_json_arr_end(w);
}

static void sio__cl_opts_mp(sio_buf *b, const sio_bcast *to, int timeout_ms) {
    size_t i, nr = to && to->rooms ? to->nrooms : 0, ne = to && to->except ? to->nexcept : 0;
    sio_mp_map(b, 3);
    sio_mp_str(b, "rooms", 5);
    sio_mp_array(b, nr);
    for (i = 0; i < nr; i++) sio_mp_str(b, to->rooms[i], strlen(to->rooms[i]));
    sio_mp_str(b, "except", 6);
    sio_mp_array(b, ne);
    for (i = 0; i < ne; i++) sio_mp_str(b, to->except[i], strlen(to->except[i]));
    sio_mp_str(b, "flags", 5);
    sio_mp_map(b, timeout_ms > 0);
    if (timeout_ms > 0) {
        sio_mp_str(b, "timeout", 7);
        sio_mp_int(b, timeout_ms);
    }
}

/* Begins a JSON request {uid, [requestId,] type, ...} in cl->out. */
static void sio__cl_req_json(sio__cluster *cl, sio_json_writer *w, int type, const char *request_id) {
    sio_buf_reset(&cl->out);
    sio_json_writer_init(w, &cl->out);
    sio_json_obj_begin(w);
    sio_json_key(w, "uid");
    sio_json_str(w, cl->uid);
    if (request_id) {
        sio_json_key(w, "requestId");
        sio_json_str(w, request_id);
    }
    sio_json_key(w, "type");
    sio_json_int(w, type);
}

static void sio__cl_counted(sio__redis *r, int err, const sio_resp *it, int n, void *user) {
    sio__cl_req *q = (sio__cl_req *)user;
    (void)r;
    q->counting = 0;
    if (q->done) {   /* answered already (a deadline): it waited only for this */
        sio__cl_req_free(q);
        return;
    }
    if (err != SIO_OK || n < 3 || it[0].type != '*' || it[2].type != ':') {
        q->expected = 0;   /* nobody to wait for that we know of */
        q->err = SIO_ERR_CLOSED;
    } else {
        q->expected = it[2].n > 1 ? (int)(it[2].n - 1) : 0;   /* everyone subscribed but this server */
    }
    sio__cl_req_check(q);
}

/* q's request in cl->out goes out, then the count of those who hear it;
   the deadline is set. Redis away: q ends on the next turn, SIO_ERR_CLOSED. */
static void sio__cl_ask(sio__cluster *cl, sio__cl_req *q, int timeout_ms) {
    sio__loop *L = &cl->srv->b.loop;
    int ms = timeout_ms > 0 ? timeout_ms : cl->timeout_ms;
    if (sio__cl_send(cl, q->nsp, "-request#") == SIO_OK) {
        sio_buf ch;
        const char *argv[3];
        memset(&ch, 0, sizeof ch);
        ch.alloc = cl->a;
        argv[0] = "PUBSUB";
        argv[1] = "NUMSUB";
        argv[2] = sio__cl_chan(cl, &ch, "-request#", q->nsp->name, NULL);
        if (argv[2] && sio__redis_command(&cl->pub, 3, argv, NULL, sio__cl_counted, q) == SIO_OK) q->counting = 1;
        sio_buf_free(&ch);
    }
    if (!q->counting) {
        q->expected = 0;
        q->err = SIO_ERR_CLOSED;
        ms = 0;
    }
    if (q->type == SIO__RQ_BROADCAST) {
        /* g's deadline is the one; and this runs inside the broadcast,
           before any receiver here is written to: g must not end now */
        if (!q->counting) q->g->remote_wait = 0;
        return;
    }
    L->now = sio__now_ms();
    sio__timer_set(&L->timers, cl->a, &q->timer, L->now + (uint64_t)ms);
}

/* ---- the server's hooks ---- */

static void sio__cl_subscribe(sio__cluster *cl, sio_namespace *nsp) {
    sio_buf ch[4];
    const char *argv[4];
    int i;
    if (!cl->sub.up) return;
    for (i = 0; i < 4; i++) {
        memset(&ch[i], 0, sizeof ch[i]);
        ch[i].alloc = cl->a;
    }
    argv[0] = "PSUBSCRIBE";
    argv[1] = sio__cl_chan(cl, &ch[0], "#", nsp->name, "*");
    if (argv[1]) ch[0].data[ch[0].len - 2] = 0;   /* K#N#* : no '#' after the star */
    if (argv[1]) sio__redis_command(&cl->sub, 2, argv, NULL, NULL, NULL);
    argv[0] = "SUBSCRIBE";
    argv[1] = sio__cl_chan(cl, &ch[1], "-request#", nsp->name, NULL);
    argv[2] = sio__cl_chan(cl, &ch[2], "-response#", nsp->name, NULL);
    argv[3] = sio__cl_chan(cl, &ch[3], "-response#", nsp->name, cl->uid);
    if (argv[1] && argv[2] && argv[3]) sio__redis_command(&cl->sub, 4, argv, NULL, NULL, NULL);
    for (i = 0; i < 4; i++) sio_buf_free(&ch[i]);
}

static void sio__cl_nsp_added(sio_namespace *nsp) {
    sio__cluster *cl = (sio__cluster *)nsp->srv->cluster;
    if (cl->joined) sio__cl_subscribe(cl, nsp);
}

static void sio__cl_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *pkt, size_t n, const sio_str *bins,
                              int nbins, sio__bcast_ack *g, int timeout_ms) {
    sio__cluster *cl = (sio__cluster *)nsp->srv->cluster;
    sio_buf ch;
    const char *c;
    int one = to && to->rooms && to->nrooms == 1;
    if (!cl->joined) return;
    sio_buf_reset(&cl->out);
    if (g) {
        sio__cl_req *q = sio__cl_req_new(cl, nsp, SIO__RQ_BROADCAST);
        if (!q) return;
        q->g = g;
        g->remote = q;
        g->remote_wait = 1;
        sio_mp_map(&cl->out, 5);
        sio_mp_str(&cl->out, "uid", 3);
        sio_mp_str(&cl->out, cl->uid, strlen(cl->uid));
        sio_mp_str(&cl->out, "requestId", 9);
        sio_mp_str(&cl->out, q->id, strlen(q->id));
        sio_mp_str(&cl->out, "type", 4);
        sio_mp_int(&cl->out, SIO__RQ_BROADCAST);
        sio_mp_str(&cl->out, "packet", 6);
        sio__mp_packet_out(pkt, n, bins, nbins, &cl->out);
        sio_mp_str(&cl->out, "opts", 4);
        sio__cl_opts_mp(&cl->out, to, timeout_ms);
        sio__cl_ask(cl, q, timeout_ms);   /* a deadline for q too: the acks' own */
        return;
    }
    sio_mp_array(&cl->out, 3);
    sio_mp_str(&cl->out, cl->uid, strlen(cl->uid));
    if (sio__mp_packet_out(pkt, n, bins, nbins, &cl->out) != SIO_OK) {
        sio__log(&nsp->srv->b.logger, SIO_LOG_ERROR, "cluster: a broadcast MessagePack cannot hold: not published");
        return;
    }
    sio__cl_opts_mp(&cl->out, to, 0);
    memset(&ch, 0, sizeof ch);
    ch.alloc = cl->a;
    /* exactly one room: its own channel, so servers without it drop it early */
    if ((c = sio__cl_chan(cl, &ch, "#", nsp->name, one ? to->rooms[0] : NULL)) != NULL && !cl->out.err)
        sio__cl_publish(cl, c, cl->out.data, cl->out.len);
    sio_buf_free(&ch);
}

static void sio__cl_ack_gone(sio__bcast_ack *g) {
    sio__cl_req *q = (sio__cl_req *)g->remote;
    g->remote = NULL;
    q->g = NULL;
    q->type = -1;   /* nothing to tell: g's own callback has said it all */
    sio__cl_req_finish(q, SIO_OK);
}

/* ---- what other servers send ---- */

/* A broadcast another server asked acks for: each answer goes back as it
   comes, only its first argument, as Node's adapter sends it. */
typedef struct sio__cl_acked {
    sio__cluster *cl;
    char id[SIO__CL_ID_MAX + 1];
} sio__cl_acked;

static void sio__cl_acked_each(sio__bcast_ack *g, const sio_args *args) {
    sio__cl_acked *k = (sio__cl_acked *)g->user;
    sio__cluster *cl = k->cl;
    sio_json first;
    sio_buf_reset(&cl->out);
    sio_mp_map(&cl->out, 3);
    sio_mp_str(&cl->out, "type", 4);
    sio_mp_int(&cl->out, SIO__RQ_BROADCAST_ACK);
    sio_mp_str(&cl->out, "requestId", 9);
    sio_mp_str(&cl->out, k->id, strlen(k->id));
    sio_mp_str(&cl->out, "packet", 6);
    if (sio_args_get(args, 0, &first) != SIO_OK || sio_mp_from_json(first, args->bins, args->nbins, &cl->out) != SIO_OK)
        sio_mp_nil(&cl->out);
    sio__cl_send(cl, g->nsp, "-response#");
}

static void sio__cl_acked_end(sio_namespace *nsp, int err, const sio_bcast_reply *r, size_t n, void *user) {
    sio__cl_acked *k = (sio__cl_acked *)user;
    (void)err;
    (void)r;
    (void)n;
    sio__free(nsp->srv->b.loop.alloc, k);
}

static void sio__cl_answer_start(sio__cluster *cl, sio_json_writer *w, sio_str id) {
    sio_buf_reset(&cl->out);
    sio_json_writer_init(w, &cl->out);
    sio_json_obj_begin(w);
    sio_json_key(w, "requestId");
    sio_json_str_n(w, id.ptr, id.len);
}

static void sio__cl_request(sio__cluster *cl, sio_namespace *nsp, sio_json req, int nbins) {
    sio_json v, opts, data;
    sio_json_writer w;
    sio_str id = {NULL, 0}, uid = {NULL, 0};
    sio__cl_to to;
    long long type;
    const sio_allocator *a = cl->a;
    if (sio_json_get(req, "type", &v) != SIO_OK || v.type != SIO_JSON_NUMBER) return;
    type = sio_json_integer(v);
    if (sio_json_get(req, "uid", &v) == SIO_OK) uid = sio_json_raw_str(v);
    if (uid.len == strlen(cl->uid) && memcmp(uid.ptr, cl->uid, uid.len) == 0) return;   /* ours: done here already */
    if (sio_json_get(req, "requestId", &v) == SIO_OK) id = sio_json_raw_str(v);
    if (id.len > SIO__CL_ID_MAX) return;
    opts.type = SIO_JSON_INVALID;
    sio_json_get(req, "opts", &opts);
    if (sio__cl_to_read(&to, opts, a) != SIO_OK) {
        sio__cl_to_free(&to, a);
        return;
    }
    switch ((int)type) {
    case SIO__RQ_SOCKETS:
    case SIO__RQ_ALL_ROOMS: {
        size_t i;
        sio_json rooms;
        if (!id.ptr) break;
        sio__cl_to_free(&to, a);
        rooms.type = SIO_JSON_INVALID;
        sio_json_get(req, "rooms", &rooms);   /* SOCKETS: {rooms} at the top */
        sio_json_parse("{}", 2, &opts);
        if (sio__cl_to_read(&to, opts, a) != SIO_OK) break;
        sio_buf_reset(&to.names);
        to.b.nrooms = sio__cl_names(rooms, &to.names);
        if (to.b.nrooms) {
            const char *p;
            sio__free(a, (void *)to.ptrs);
            if (!(to.ptrs = (const char **)sio__malloc(a, to.b.nrooms * sizeof *to.ptrs))) break;
            for (i = 0, p = to.names.data; i < to.b.nrooms; i++, p += strlen(p) + 1) to.ptrs[i] = p;
            to.b.rooms = to.ptrs;
        }
        sio__cl_answer_start(cl, &w, id);
        if (type == SIO__RQ_SOCKETS) {
            sio_buf list;
            size_t n;
            memset(&list, 0, sizeof list);
            list.alloc = a;
            n = sio__cl_targets(nsp, &to.b, &list);
            sio_json_key(&w, "sockets");
            sio_json_arr_begin(&w);
            for (i = 0; i < n; i++) sio_json_str(&w, sio__cl_target(&list, i)->id);
            sio_json_arr_end(&w);
            sio_buf_free(&list);
        } else {
            sio_socket *s;
            sio_json_key(&w, "rooms");
            sio_json_arr_begin(&w);
            for (i = 0; i < nsp->rooms.cap; i++) {
                const char *k = nsp->rooms.e[i].key;
                if (k && k != sio__tombstone) sio_json_str(&w, k);
            }
            for (s = nsp->sockets; s; s = s->next_in_nsp) sio_json_str(&w, s->id);
            sio_json_arr_end(&w);
        }
        sio_json_obj_end(&w);
        sio__cl_send(cl, nsp, "-response#");
        break;
    }
    case SIO__RQ_JOIN:
    case SIO__RQ_LEAVE: {
        char room[SIO_MAX_EVENT_LEN + 1];
        sio_json rooms, r;
        sio_json_iter it;
        if (sio_json_get(req, "sid", &v) == SIO_OK && sio_json_get(req, "room", &r) == SIO_OK) {
            /* the older form: one socket, one room, answered */
            void **s = sio__map_find(&nsp->ids, sio_json_raw_str(v).ptr, sio_json_raw_str(v).len);
            if (!s) break;
            sio_json_strcpy(r, room, sizeof room);
            if (type == SIO__RQ_JOIN) sio_join((sio_socket *)*s, room);
            else sio_leave((sio_socket *)*s, room);
            if (id.ptr) {
                sio__cl_answer_start(cl, &w, id);
                sio_json_obj_end(&w);
                sio__cl_send(cl, nsp, "-response#");
            }
            break;
        }
        if (sio_json_get(req, "rooms", &rooms) != SIO_OK || rooms.type != SIO_JSON_ARRAY) break;
        sio_json_iter_init(&it, rooms);
        while (sio_json_iter_next(&it, NULL, &r)) {
            if (r.type == SIO_JSON_NUMBER && r.len < sizeof room) {
                memcpy(room, r.ptr, r.len);
                room[r.len] = 0;
            } else if (r.type != SIO_JSON_STRING || sio_json_strcpy(r, room, sizeof room) >= sizeof room) {
                continue;
            }
            sio__cl_apply(nsp, &to.b, type == SIO__RQ_JOIN, room, 0);
        }
        break;
    }
    case SIO__RQ_DISCONNECT:
        sio__cl_apply(nsp, &to.b, 2, NULL, sio_json_get(req, "close", &v) == SIO_OK && v.type == SIO_JSON_TRUE);
        break;
    case SIO__RQ_FETCH: {
        sio_buf list;
        size_t i, n;
        if (!id.ptr) break;
        memset(&list, 0, sizeof list);
        list.alloc = a;
        n = sio__cl_targets(nsp, &to.b, &list);
        sio__cl_answer_start(cl, &w, id);
        sio_json_key(&w, "sockets");
        sio_json_arr_begin(&w);
        for (i = 0; i < n; i++) sio__cl_socket_json(&w, sio__cl_target(&list, i));
        sio_json_arr_end(&w);
        sio_json_obj_end(&w);
        sio_buf_free(&list);
        sio__cl_send(cl, nsp, "-response#");
        break;
    }
    case SIO__RQ_SERVER_EMIT: {
        char ev[SIO_MAX_EVENT_LEN + 1];
        sio_json name;
        sio_args args;
        sio__handler *h;
        sio_server_ack ack;
        if (sio_json_get(req, "data", &data) != SIO_OK || data.type != SIO_JSON_ARRAY ||
            sio_json_at(data, 0, &name) != SIO_OK || name.type != SIO_JSON_STRING ||
            sio_json_strcpy(name, ev, sizeof ev) >= sizeof ev)
            break;
        sio__args_index(&args, data, 1, NULL, 0, NULL, 1, a);
        memset(&ack, 0, sizeof ack);
        ack.cl = cl;
        ack.nsp = nsp;
        ack.id = id;
        for (h = nsp->server_events; h; h = h->next)
            if (!strcmp(h->event, ev) || !strcmp(h->event, "*"))
                ((sio_server_event_fn)h->fn)(nsp, ev, &args, id.ptr ? &ack : NULL, h->user);
        sio__args_release(&args, a);
        break;
    }
    case SIO__RQ_BROADCAST: {
        sio_json packet, d, flags, t;
        sio__bcast_ack *g;
        sio__cl_acked *k;
        int ms = cl->timeout_ms, n;
        if (!id.ptr || sio__cl_req_find(cl, id) || sio_json_get(req, "packet", &packet) != SIO_OK ||
            sio_json_get(packet, "data", &d) != SIO_OK || d.type != SIO_JSON_ARRAY)
            break;
        if (sio_json_get(opts, "flags", &flags) == SIO_OK && sio_json_get(flags, "timeout", &t) == SIO_OK &&
            t.type == SIO_JSON_NUMBER && sio_json_integer(t) > 0 && sio_json_integer(t) < 86400000)
            ms = (int)sio_json_integer(t);
        if (!(k = (sio__cl_acked *)sio__malloc(a, sizeof *k))) break;
        k->cl = cl;
        memcpy(k->id, id.ptr, id.len);
        k->id[id.len] = 0;
        if (!(g = sio__bcast_ack_open(nsp, sio__cl_acked_end, k))) {
            sio__free(a, k);
            break;
        }
        g->each = sio__cl_acked_each;
        n = sio__broadcast_remote(nsp, &to.b, d.ptr, d.len, cl->bins, nbins, g);
        if (n < 0) {
            sio__bcast_ack_discard(g);
            sio__free(a, k);
            break;
        }
        /* how many will answer comes first, as Node's clientCountCallback */
        sio__cl_answer_start(cl, &w, id);
        sio_json_key(&w, "type");
        sio_json_int(&w, SIO__RQ_CLIENT_COUNT);
        sio_json_key(&w, "clientCount");
        sio_json_int(&w, (long long)g->left);
        sio_json_obj_end(&w);
        sio__cl_send(cl, nsp, "-response#");
        sio__bcast_ack_arm(g, ms);
        break;
    }
    default:
        break;
    }
    sio__cl_to_free(&to, a);
}

static void sio__cl_response(sio__cluster *cl, sio_json res, int nbins) {
    sio_json v, list, item;
    sio_json_iter it;
    sio__cl_req *q;
    long long type = -1;
    if (sio_json_get(res, "requestId", &v) != SIO_OK || v.type != SIO_JSON_STRING) return;
    if (!(q = sio__cl_req_find(cl, sio_json_raw_str(v))) || q->done) return;   /* another server's, or too late */
    if (sio_json_get(res, "type", &v) == SIO_OK) type = sio_json_integer(v);
    switch (q->type) {
    case SIO__RQ_FETCH:
    case SIO__RQ_ALL_ROOMS:
        if (sio_json_get(res, q->type == SIO__RQ_FETCH ? "sockets" : "rooms", &list) != SIO_OK ||
            list.type != SIO_JSON_ARRAY)
            return;
        sio_json_iter_init(&it, list);
        while (sio_json_iter_next(&it, NULL, &item)) sio__cl_keep(q, item.ptr, item.len);
        q->got++;
        break;
    case SIO__RQ_SERVER_EMIT:
        if (sio_json_get(res, "data", &item) == SIO_OK) sio__cl_keep(q, item.ptr, item.len);
        else sio__cl_keep(q, "null", 4);
        q->got++;
        break;
    case SIO__RQ_BROADCAST:
        if (type == SIO__RQ_CLIENT_COUNT && sio_json_get(res, "clientCount", &v) == SIO_OK) {
            q->acks_expected += sio_json_integer(v);
            q->got++;
        } else if (type == SIO__RQ_BROADCAST_ACK && sio_json_get(res, "packet", &item) == SIO_OK) {
            /* [packet] as one receiver's arguments */
            sio_buf arr;
            sio_json j;
            sio_args args;
            memset(&arr, 0, sizeof arr);
            arr.alloc = cl->a;
            sio_buf_appendc(&arr, '[');
            sio_buf_append(&arr, item.ptr, item.len);
            sio_buf_appendc(&arr, ']');
            if (!arr.err && sio_json_parse(arr.data, arr.len, &j) == SIO_OK) {
                sio__args_index(&args, j, 0, cl->bins, nbins, NULL, 1, cl->a);
                sio__bcast_ack_keep(q->g, "", &args);
                sio__args_release(&args, cl->a);
            }
            sio_buf_free(&arr);
            q->acks_got++;
        } else {
            return;
        }
        break;
    default:
        return;
    }
    sio__cl_req_check(q);
}

/* The namespace of a channel "K<infix>N#..." whose name follows infix. */
static sio_namespace *sio__cl_nsp_of(sio__cluster *cl, sio_str chan, const char *infix, size_t *after) {
    size_t kl = strlen(cl->key), il = strlen(infix);
    sio_namespace *nsp, *best = NULL;
    if (chan.len < kl + il || memcmp(chan.ptr, cl->key, kl) || memcmp(chan.ptr + kl, infix, il)) return NULL;
    for (nsp = cl->srv->nsps; nsp; nsp = nsp->next) {   /* the longest name that fits, then '#' */
        size_t nl = strlen(nsp->name);
        if (kl + il + nl < chan.len && !memcmp(chan.ptr + kl + il, nsp->name, nl) && chan.ptr[kl + il + nl] == '#' &&
            (!best || nl > strlen(best->name))) {
            best = nsp;
            *after = kl + il + nl + 1;
        }
    }
    return best;
}

/* A message body as JSON in root: JSON as it is, MessagePack through
   sio_mp_to_json (binaries into cl->bins). *nbins gets their count. */
static int sio__cl_read(sio__cluster *cl, const char *msg, size_t n, sio_json *root, int *nbins) {
    sio_mp mp;
    size_t nb = 0;
    *nbins = 0;
    if (n && msg[0] == '{') return sio_json_parse(msg, n, root);
    sio_buf_reset(&cl->js);
    if (sio_mp_parse(msg, n, &mp) != SIO_OK || sio_mp_to_json(mp, &cl->js, cl->bins, SIO_MAX_BINARIES, &nb) != SIO_OK)
        return SIO_ERR_PARSE;
    *nbins = (int)nb;
    return sio_json_parse(cl->js.data, cl->js.len, root);
}

/* [uid, packet, opts] from another server or the emitter. */
static void sio__cl_remote_broadcast(sio__cluster *cl, sio_json root, int nbins) {
    sio_json uid, packet, opts, v, data;
    sio_namespace *nsp;
    sio__cl_to to;
    char name[SIO_MAX_NSP_LEN + 1] = "/";
    if (root.type != SIO_JSON_ARRAY || sio_json_at(root, 0, &uid) != SIO_OK || sio_json_at(root, 1, &packet) != SIO_OK)
        return;
    if (sio_json_str_eq(uid, cl->uid)) return;
    if (sio_json_get(packet, "type", &v) != SIO_OK || sio_json_integer(v) != SIO_PKT_EVENT ||
        sio_json_get(packet, "data", &data) != SIO_OK || data.type != SIO_JSON_ARRAY || !sio_json_count(data))
        return;
    if (sio_json_get(packet, "nsp", &v) == SIO_OK && sio_json_strcpy(v, name, sizeof name) >= sizeof name) return;
    if (!(nsp = sio__nsp_find(cl->srv, name, strlen(name)))) return;
    if (sio_json_at(root, 2, &opts) != SIO_OK) opts.type = SIO_JSON_INVALID;
    if (sio__cl_to_read(&to, opts, cl->a) == SIO_OK) {
        cl->info.received++;
        sio__broadcast_remote(nsp, &to.b, data.ptr, data.len, cl->bins, nbins, NULL);
    }
    sio__cl_to_free(&to, cl->a);
}

/* What the subscriber hears: ["message", channel, body] or
   ["pmessage", pattern, channel, body]; the (p)subscribe confirmations
   need nothing. */
static void sio__cl_push(sio__redis *r, const sio_resp *it, int n, void *user) {
    sio__cluster *cl = (sio__cluster *)user;
    sio_str chan, body;
    sio_json root;
    sio_namespace *nsp;
    size_t after = 0;
    int nbins, pm;
    (void)r;
    if (n < 4 || it[1].type != '$') return;
    pm = it[1].len == 8 && !memcmp(it[1].ptr, "pmessage", 8);
    if (!pm && !(it[1].len == 7 && !memcmp(it[1].ptr, "message", 7))) return;
    if (n < 4 + pm || it[2 + pm].type != '$' || it[3 + pm].type != '$') return;
    chan.ptr = it[2 + pm].ptr;
    chan.len = it[2 + pm].len;
    body.ptr = it[3 + pm].ptr;
    body.len = it[3 + pm].len;
    if (sio__cl_read(cl, body.ptr, body.len, &root, &nbins) != SIO_OK) {
        sio__log(&cl->srv->b.logger, SIO_LOG_WARN, "cluster: a message on %.*s that is neither JSON nor MessagePack: "
                 "ignored", (int)(chan.len > 80 ? 80 : chan.len), chan.ptr);
        return;
    }
    if (pm) {
        sio__cl_remote_broadcast(cl, root, nbins);
    } else if ((nsp = sio__cl_nsp_of(cl, chan, "-request#", &after)) != NULL && after == chan.len) {
        if (root.type == SIO_JSON_OBJECT) sio__cl_request(cl, nsp, root, nbins);
    } else if (sio__cl_nsp_of(cl, chan, "-response#", &after) && root.type == SIO_JSON_OBJECT) {
        sio__cl_response(cl, root, nbins);
    }
}

static void sio__cl_up(sio__redis *r, void *user) {
    sio__cluster *cl = (sio__cluster *)user;
    sio_namespace *nsp;
    if (r == &cl->sub)
        for (nsp = cl->srv->nsps; nsp; nsp = nsp->next) sio__cl_subscribe(cl, nsp);
    cl->info.up = cl->pub.up && cl->sub.up;
}

static void sio__cl_down(sio__redis *r, void *user) {
    sio__cluster *cl = (sio__cluster *)user;
    (void)r;
    cl->info.up = 0;
}

/* "HOST[:PORT]", "[V6]:PORT" or redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
   into cl (spec holds the parts). */
static int sio__cl_parse(sio__cluster *cl, const char *url) {
    const char *p = url, *at, *end, *colon, *host;
    size_t hl;
    char *s;
    long port = 6379, db = 0;
    if (!strncmp(p, "redis://", 8)) p += 8;
    end = p + strcspn(p, "/?#");
    at = (const char *)memchr(p, '@', (size_t)(end - p));
    if (!(cl->spec = s = (char *)sio__malloc(cl->a, strlen(url) + 3))) return SIO_ERR_NOMEM;
    memset(s, 0, strlen(url) + 3);
    host = at ? at + 1 : p;
    if (*host == '[') {
        const char *rb = (const char *)memchr(host, ']', (size_t)(end - host));
        if (!rb) return SIO_ERR_INVALID;
        hl = (size_t)(rb - host - 1);
        memcpy(s, host + 1, hl);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = (const char *)memchr(host, ':', (size_t)(end - host));
        hl = (size_t)((colon ? colon : end) - host);
        memcpy(s, host, hl);
    }
    if (!hl || hl > SIO_CLIENT_MAX_HOST) return SIO_ERR_INVALID;
    if (colon) {
        char *e;
        port = strtol(colon + 1, &e, 10);
        if (e != end || port <= 0 || port > 65535) return SIO_ERR_INVALID;
    }
    if (*end == '/' && end[1]) {
        char *e;
        db = strtol(end + 1, &e, 10);
        if (*e || db < 0 || db > 100000) return SIO_ERR_INVALID;
    }
    cl->pub.host = cl->sub.host = s;
    cl->pub.port = cl->sub.port = (int)port;
    cl->pub.db = (int)db;
    if (at) {   /* user:password@, or :password@, or password@ */
        const char *c = (const char *)memchr(p, ':', (size_t)(at - p));
        char *u = s + hl + 1, *pw;
        memcpy(u, p, (size_t)((c ? c : p) - p));
        pw = u + strlen(u) + 1;
        memcpy(pw, c ? c + 1 : p, (size_t)(at - (c ? c + 1 : p)));
        cl->pub.user = cl->sub.user = *u ? u : NULL;
        cl->pub.password = cl->sub.password = pw;
    }
    return SIO_OK;
}

static void sio__cl_stop(sio__cluster *cl) {
    if (!cl->joined) return;
    sio__redis_stop(&cl->pub);
    sio__redis_stop(&cl->sub);
    sio__free(cl->a, cl->spec);
    cl->joined = 0;
}
#else
static void sio__cl_nsp_added(sio_namespace *nsp) { (void)nsp; }
static void sio__cl_broadcast(sio_namespace *nsp, const sio_bcast *to, const char *pkt, size_t n, const sio_str *bins,
                              int nbins, sio__bcast_ack *g, int timeout_ms) {
    (void)nsp, (void)to, (void)pkt, (void)n, (void)bins, (void)nbins, (void)g, (void)timeout_ms;
}
static void sio__cl_ack_gone(sio__bcast_ack *g) { (void)g; }
#endif /* SIO_NO_REDIS */

static void sio__cl_destroy(sio_server *srv) {
    sio__cluster *cl = (sio__cluster *)srv->cluster;
    while (cl->reqs) {
        sio__cl_req *q = cl->reqs;
        if (q->g) q->g->remote = NULL;
        sio__cl_req_finish(q, SIO_ERR_CLOSED);
    }
#ifndef SIO_NO_REDIS
    sio__cl_stop(cl);   /* NUMSUB waiters free the requests they held */
#endif
    sio_buf_free(&cl->out);
    sio_buf_free(&cl->js);
    sio__free(cl->a, cl);
    srv->cluster = NULL;
    srv->cops = NULL;
}

/* ---- the public calls ---- */

SIO_API int sio_server_cluster(sio_server *srv, const sio_cluster_desc *desc) {
#ifndef SIO_NO_REDIS
    sio__cluster *cl;
    int rc;
    if (!srv || !desc || !desc->redis || !*desc->redis) return SIO_ERR_INVALID;
    if (!(cl = sio__cl_get(srv))) return SIO_ERR_NOMEM;
    if (cl->joined) return SIO_ERR_STATE;
    memset(&cl->pub, 0, sizeof cl->pub);
    memset(&cl->sub, 0, sizeof cl->sub);
    if ((rc = sio__cl_parse(cl, desc->redis)) != SIO_OK) {
        sio__free(cl->a, cl->spec);
        cl->spec = NULL;
        SIO__LOG(srv, SIO_LOG_ERROR, "cluster: \"%.100s\" is not HOST:PORT or redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
                 desc->redis);
        return rc;
    }
    cl->key = desc->key && *desc->key ? desc->key : "socket.io";
    cl->timeout_ms = desc->requests_timeout_ms > 0 ? desc->requests_timeout_ms : 5000;
    sio__cl_random_id(srv, cl->uid);
    cl->joined = 1;
    cl->pub.what = "publisher";
    cl->sub.what = "subscriber";
    cl->sub.subscriber = 1;
    cl->pub.loop = cl->sub.loop = &srv->b.loop;
    cl->pub.rng = cl->sub.rng = &srv->b.rng;
    cl->pub.log = cl->sub.log = &srv->b.logger;
    cl->pub.on_up = cl->sub.on_up = sio__cl_up;
    cl->pub.on_down = cl->sub.on_down = sio__cl_down;
    cl->sub.on_push = sio__cl_push;
    cl->pub.owner = cl->sub.owner = cl;
    SIO__LOG(srv, SIO_LOG_INFO, "cluster: joining through Redis at %s:%d as %s (channels %s#...)", cl->pub.host,
             cl->pub.port, cl->uid, cl->key);
    sio__redis_start(&cl->pub);
    sio__redis_start(&cl->sub);
    return SIO_OK;
#else
    (void)srv;
    (void)desc;
    return SIO_ERR_UNSUPPORTED;
#endif
}

SIO_API int sio_cluster_get_info(const sio_server *srv, sio_cluster_info *out) {
    const sio__cluster *cl = srv ? (const sio__cluster *)srv->cluster : NULL;
    if (!out) return SIO_ERR_INVALID;
    memset(out, 0, sizeof *out);
#ifndef SIO_NO_REDIS
    if (!cl || !cl->joined) return SIO_ERR_STATE;
    *out = cl->info;
    return SIO_OK;
#else
    (void)cl;
    return SIO_ERR_STATE;
#endif
}

/* A request with this server's part already in q; asked of the others
   when joined, else answered on the next turn. */
static void sio__cl_go(sio__cluster *cl, sio__cl_req *q, int timeout_ms) {
    sio__loop *L = &cl->srv->b.loop;
#ifndef SIO_NO_REDIS
    if (cl->joined) {
        sio__cl_ask(cl, q, timeout_ms);
        return;
    }
#endif
    (void)timeout_ms;
    q->expected = 0;
    L->now = sio__now_ms();
    sio__timer_set(&L->timers, cl->a, &q->timer, L->now);
}

SIO_API int sio_fetch_sockets(sio_namespace *nsp, const sio_bcast *to, sio_fetch_fn fn, void *user) {
    sio__cluster *cl;
    sio__cl_req *q;
    sio_buf list, one;
    sio_json_writer w;
    size_t i, n;
    if (!nsp || !fn) return SIO_ERR_INVALID;
    if (!(cl = sio__cl_get(nsp->srv)) || !(q = sio__cl_req_new(cl, nsp, SIO__RQ_FETCH))) return SIO_ERR_NOMEM;
    q->fetch = fn;
    q->user = user;
    memset(&list, 0, sizeof list);
    memset(&one, 0, sizeof one);
    list.alloc = one.alloc = cl->a;
    n = sio__cl_targets(nsp, to, &list);
    for (i = 0; i < n; i++) {
        sio_buf_reset(&one);
        sio_json_writer_init(&w, &one);
        sio__cl_socket_json(&w, sio__cl_target(&list, i));
        if (!one.err) sio__cl_keep(q, one.data, one.len);
    }
    sio_buf_free(&list);
    sio_buf_free(&one);
#ifndef SIO_NO_REDIS
    if (cl->joined) {
        sio__cl_req_json(cl, &w, SIO__RQ_FETCH, q->id);
        sio_json_key(&w, "opts");
        sio_json_obj_begin(&w);
        sio__cl_opts_json(&w, to);
        sio_json_obj_end(&w);
        sio_json_obj_end(&w);
    }
#endif
    sio__cl_go(cl, q, 0);
    return SIO_OK;
}

SIO_API int sio_all_rooms(sio_namespace *nsp, sio_rooms_fn fn, void *user) {
    sio__cluster *cl;
    sio__cl_req *q;
    sio_socket *s;
    sio_buf one;
    sio_json_writer w;
    size_t i;
    if (!nsp || !fn) return SIO_ERR_INVALID;
    if (!(cl = sio__cl_get(nsp->srv)) || !(q = sio__cl_req_new(cl, nsp, SIO__RQ_ALL_ROOMS))) return SIO_ERR_NOMEM;
    q->rooms = fn;
    q->user = user;
    memset(&one, 0, sizeof one);
    one.alloc = cl->a;
    for (i = 0; i < nsp->rooms.cap + 1; i++) {
        const char *k = i < nsp->rooms.cap ? nsp->rooms.e[i].key : NULL;
        if (!k || k == sio__tombstone) continue;
        sio_buf_reset(&one);
        sio_json_writer_init(&w, &one);
        sio_json_str(&w, k);
        if (!one.err) sio__cl_keep(q, one.data, one.len);
    }
    for (s = nsp->sockets; s; s = s->next_in_nsp) {
        sio_buf_reset(&one);
        sio_json_writer_init(&w, &one);
        sio_json_str(&w, s->id);
        if (!one.err) sio__cl_keep(q, one.data, one.len);
    }
    sio_buf_free(&one);
#ifndef SIO_NO_REDIS
    if (cl->joined) {
        sio__cl_req_json(cl, &w, SIO__RQ_ALL_ROOMS, q->id);
        sio_json_obj_end(&w);
    }
#endif
    sio__cl_go(cl, q, 0);
    return SIO_OK;
}

/* join / leave / disconnect: here now, then told to the others. */
static int sio__cl_act(sio_namespace *nsp, const sio_bcast *to, int type, const char *room, int close) {
    sio__cluster *cl;
    if (!nsp || ((type == SIO__RQ_JOIN || type == SIO__RQ_LEAVE) && !room)) return SIO_ERR_INVALID;
    sio__cl_apply(nsp, to, type == SIO__RQ_JOIN ? 1 : type == SIO__RQ_LEAVE ? 0 : 2, room, close);
    cl = (sio__cluster *)nsp->srv->cluster;
#ifndef SIO_NO_REDIS
    if (cl && cl->joined && !(to && to->local)) {
        sio_json_writer w;
        sio__cl_req_json(cl, &w, type, NULL);
        sio_json_key(&w, "opts");
        sio_json_obj_begin(&w);
        sio__cl_opts_json(&w, to);
        sio_json_obj_end(&w);
        if (room) {
            sio_json_key(&w, "rooms");
            sio_json_arr_begin(&w);
            sio_json_str(&w, room);
            sio_json_arr_end(&w);
        } else {
            sio_json_key(&w, "close");
            sio_json_bool(&w, close);
        }
        sio_json_obj_end(&w);
        if (sio__cl_send(cl, nsp, "-request#") != SIO_OK) return SIO_ERR_CLOSED;
    }
#endif
    (void)cl;
    return SIO_OK;
}

SIO_API int sio_sockets_join(sio_namespace *nsp, const sio_bcast *to, const char *room) {
    return sio__cl_act(nsp, to, SIO__RQ_JOIN, room, 0);
}
SIO_API int sio_sockets_leave(sio_namespace *nsp, const sio_bcast *to, const char *room) {
    return sio__cl_act(nsp, to, SIO__RQ_LEAVE, room, 0);
}
SIO_API int sio_disconnect_sockets(sio_namespace *nsp, const sio_bcast *to, int close) {
    return sio__cl_act(nsp, to, SIO__RQ_DISCONNECT, NULL, close != 0);
}

SIO_API int sio_on_server_event(sio_namespace *nsp, const char *event, sio_server_event_fn fn, void *user) {
    if (!nsp || !event) return SIO_ERR_INVALID;
    return sio__handler_add(&nsp->server_events, nsp->srv->b.loop.alloc, event, (void (*)(void))fn, user, 0);
}

#ifndef SIO_NO_REDIS
/* {uid, [requestId,] type: 6, data: [event, ...args]} in cl->out. */
static int sio__cl_server_emit_json(sio__cluster *cl, sio_namespace *nsp, const char *event, const sio_msg *args,
                                    const char *request_id) {
    sio_json_writer w;
    sio_packet p;
    const char *why;
    int rc = sio__packet_build(&nsp->srv->tmp, SIO_PKT_EVENT, nsp->name, -1, event, args);
    if (rc != SIO_OK) return rc;
    if (sio__packet_parse(nsp->srv->tmp.data, nsp->srv->tmp.len, &p, &why) != SIO_OK) return SIO_ERR_INVALID;
    sio__cl_req_json(cl, &w, SIO__RQ_SERVER_EMIT, request_id);
    sio_json_key(&w, "data");
    sio_json_raw(&w, p.json.ptr, p.json.len);
    sio_json_obj_end(&w);
    return cl->out.err;
}
#endif

SIO_API int sio_server_emit(sio_namespace *nsp, const char *event, const sio_msg *args) {
    sio__cluster *cl = nsp ? (sio__cluster *)nsp->srv->cluster : NULL;
    if (!nsp || !sio__event_name_ok(event)) return SIO_ERR_INVALID;
#ifndef SIO_NO_REDIS
    if (cl && cl->joined) {
        int rc = sio__cl_server_emit_json(cl, nsp, event, args, NULL);
        return rc != SIO_OK ? rc : sio__cl_send(cl, nsp, "-request#");
    }
#endif
    (void)cl;
    (void)args;
    return SIO_OK;   /* nobody else to hear it, as in Node without an adapter */
}

SIO_API int sio_server_emit_ack(sio_namespace *nsp, const char *event, const sio_msg *args, int timeout_ms,
                                sio_server_ack_fn fn, void *user) {
    sio__cluster *cl;
    sio__cl_req *q;
    if (!nsp || !fn || timeout_ms < 0 || !sio__event_name_ok(event)) return SIO_ERR_INVALID;
    if (!(cl = sio__cl_get(nsp->srv)) || !(q = sio__cl_req_new(cl, nsp, SIO__RQ_SERVER_EMIT))) return SIO_ERR_NOMEM;
    q->answers = fn;
    q->user = user;
#ifndef SIO_NO_REDIS
    if (cl->joined) {
        int rc = sio__cl_server_emit_json(cl, nsp, event, args, q->id);
        if (rc != SIO_OK) {
            sio__cl_req_unhook(q);
            sio__cl_req_free(q);
            return rc;
        }
    }
#endif
    (void)args;
    sio__cl_go(cl, q, timeout_ms);
    return SIO_OK;
}

SIO_API int sio_server_event_ack(sio_server_ack *ack, const sio_msg *args) {
    if (!ack) return SIO_ERR_INVALID;
    if (ack->answered) return SIO_ERR_STATE;
    ack->answered = 1;
#ifndef SIO_NO_REDIS
    {
        sio__cluster *cl = ack->cl;
        sio_json_writer w;
        sio_json arr, first;
        sio_buf a;
        int rc;
        memset(&a, 0, sizeof a);
        a.alloc = cl->a;
        rc = sio__msg_append(&a, args);
        sio__cl_answer_start(cl, &w, ack->id);
        sio_json_key(&w, "type");
        sio_json_int(&w, SIO__RQ_SERVER_EMIT);
        sio_json_key(&w, "data");
        if (rc == SIO_OK && sio_json_parse(a.data, a.len, &arr) == SIO_OK && sio_json_at(arr, 0, &first) == SIO_OK)
            sio_json_raw(&w, first.ptr, first.len);
        else
            sio_json_null(&w);
        sio_json_obj_end(&w);
        sio_buf_free(&a);
        return sio__cl_send(cl, ack->nsp, "-response#");
    }
#else
    (void)args;
    return SIO_ERR_STATE;
#endif
}
#endif /* SIO_NO_SERVER */

#if !defined(SIO_NO_SERVER) && !defined(SIO_NO_ADMIN)
/* =====================================================================
   >>admin: the server as the Socket.IO Admin UI sees it
   =====================================================================
   The UI is an ordinary Socket.IO client on an ordinary namespace
   ("/admin"): every message is an EVENT there, with no acks and no
   binary. It logs in through the namespace's middleware (username and
   password, or a session id it was given before), then hears "config"
   (what it may show and do) and, in development mode, "all_sockets";
   every 2 s every admin socket hears "server_stats". In development
   mode it also hears, as they happen, each socket's connect, upgrade and
   disconnect, each room join and leave, and each event in and out: the
   server reports them through the table it calls (sio__watch_ops), so
   production mode, which leaves those pointers NULL, adds nothing per
   event. Its commands (emit, join, leave, _disconnect) are the
   cluster-wide calls of >>cluster, as Node's are its adapter's.
   The counters of server_stats come from Engine.IO (sio__eio_counts) and
   from the session opens and closes; each report holds what happened
   since the one before, per (second, type), dated by the second it is
   reported in (Node dates each by its own second; the UI sums 10 s
   buckets, so the difference does not show). */

/* ---- bcrypt password check (eksblowfish: Provos & Mazieres, 1999) ------
   Needs <stdint.h> and <stddef.h>. Written from the published descriptions
   of Blowfish (Schneier, 1993) and bcrypt, not from another implementation.
   Behaviour is that of Node's bcryptjs 2.4.3 (@socket.io/admin-ui):
   - key = the password bytes + one NUL byte, of which only the first 72
     bytes count (a 72-byte password loses its NUL; bytes past 72 are
     ignored);
   - "$2a$", "$2b$" and "$2y$" are the same algorithm here for every length:
     the old OpenBSD $2a$ bug (length kept in 8 bits, so >255-byte passwords
     wrapped) is not reproduced, as bcryptjs does not have it either;
     "$2$" and "$2x$" are refused;
   - a hash must be exactly 60 characters, cost 04..31 (2^cost rounds: 31 is
     accepted but takes hours), salt and hash in "./A-Za-z0-9"; unused low
     bits of the last salt/hash character must be 0, because bcryptjs
     compares re-encoded strings, so such a hash could never match. */

typedef struct sio__bf_state { uint32_t p[18]; uint32_t s[4][256]; } sio__bf_state;

enum {
    SIO__BF_WORDS = 18 + 4 * 256,       /* P-array + S-boxes */
    SIO__BF_PI_LEN = 1 + 18 + 4 * 256 + 4 /* integer word, digits, guard */
};

/* acc[] += or -= q placed at word i; the carry/borrow runs toward word 0,
   which (pi's integer part) can never overflow or go negative. */
static void sio__bf_pi_addq(uint32_t *acc, size_t i, uint32_t q, int neg) {
    if (!neg) {
        acc[i] += q;
        if (acc[i] < q)
            while (++acc[--i] == 0) {}
    } else {
        uint32_t old = acc[i];
        acc[i] = old - q;
        if (old < q)
            while (acc[--i]-- == 0) {}
    }
}

/* acc +-= coef * atan(1/x) = coef * sum (-1)^k / ((2k+1) x^(2k+1));
   x is 5 or 239 */
static void sio__bf_pi_atan(uint32_t *acc, uint32_t *t, uint32_t coef,
                            uint32_t x, int neg) {
    size_t i, lead = 0;
    uint32_t k = 1, x2 = x * x;
    uint64_t r;
    for (i = 0; i < (size_t)SIO__BF_PI_LEN; i++) t[i] = 0;
    t[0] = coef;
    for (r = 0, i = 0; i < (size_t)SIO__BF_PI_LEN; i++) {
        uint64_t cur = (r << 32) | t[i];
        t[i] = (uint32_t)(cur / x);
        r = cur % x;
    }
    for (;;) {
        /* t only shrinks: skipping its zero head halves the work */
        while (lead < (size_t)SIO__BF_PI_LEN && t[lead] == 0) lead++;
        if (lead == (size_t)SIO__BF_PI_LEN) break;
        for (r = 0, i = lead; i < (size_t)SIO__BF_PI_LEN; i++) {
            uint64_t cur = (r << 32) | t[i];
            uint32_t q = (uint32_t)(cur / k);
            r = cur % k;
            if (q) sio__bf_pi_addq(acc, i, q, neg);
        }
        /* literal divisors let the compiler multiply instead of divide */
        if (x2 == 25)
            for (r = 0, i = lead; i < (size_t)SIO__BF_PI_LEN; i++) {
                uint64_t cur = (r << 32) | t[i];
                t[i] = (uint32_t)(cur / 25);
                r = cur % 25;
            }
        else
            for (r = 0, i = lead; i < (size_t)SIO__BF_PI_LEN; i++) {
                uint64_t cur = (r << 32) | t[i];
                t[i] = (uint32_t)(cur / 57121);
                r = cur % 57121;
            }
        k += 2;
        neg = !neg;
    }
}

/* Blowfish's initial P-array and S-boxes are pi's fraction in hex; computed
   (Machin: pi = 16 atan(1/5) - 4 atan(1/239)) so that there is no 4 KB table
   to transcribe or trust - the test checks known words and a checksum.
   Uses ~8 KB of stack; call once and keep the result (read-only after). */
static void sio__bf_pi(sio__bf_state *init) {
    uint32_t acc[SIO__BF_PI_LEN], t[SIO__BF_PI_LEN];
    size_t i;
    for (i = 0; i < (size_t)SIO__BF_PI_LEN; i++) acc[i] = 0;
    sio__bf_pi_atan(acc, t, 16, 5, 0);
    sio__bf_pi_atan(acc, t, 4, 239, 1);
    /* acc[0] == 3; the 4 guard words absorb the truncation errors */
    for (i = 0; i < 18; i++) init->p[i] = acc[1 + i];
    for (i = 0; i < 4 * 256; i++) init->s[i >> 8][i & 255] = acc[19 + i];
}

static uint32_t sio__bf_f(const sio__bf_state *st, uint32_t x) {
    return ((st->s[0][x >> 24] + st->s[1][(x >> 16) & 255])
            ^ st->s[2][(x >> 8) & 255]) + st->s[3][x & 255];
}

static void sio__bf_encrypt(const sio__bf_state *st, uint32_t *xl, uint32_t *xr) {
    uint32_t l = *xl, r = *xr;
    int i;
    /* two rounds per pass, so the halves never need swapping */
    for (i = 0; i < 16; i += 2) {
        l ^= st->p[i];
        r ^= sio__bf_f(st, l);
        r ^= st->p[i + 1];
        l ^= sio__bf_f(st, r);
    }
    *xl = r ^ st->p[17];
    *xr = l ^ st->p[16];
}

/* eksblowfish ExpandKey. The key stream restarts at its first byte on
   every call, so the caller passes its 18 words once (kw); salt is the
   16-byte salt as 4 words, or NULL for the all-zero salt of the loop. */
static void sio__bf_expand(sio__bf_state *st, const uint32_t kw[18],
                           const uint32_t *salt) {
    uint32_t l = 0, r = 0;
    int i, j, h = 0;
    for (i = 0; i < 18; i++) st->p[i] ^= kw[i];
    for (i = 0; i < 18; i += 2) {
        if (salt) { l ^= salt[h]; r ^= salt[h + 1]; h ^= 2; }
        sio__bf_encrypt(st, &l, &r);
        st->p[i] = l;
        st->p[i + 1] = r;
    }
    for (j = 0; j < 4; j++)
        for (i = 0; i < 256; i += 2) {
            if (salt) { l ^= salt[h]; r ^= salt[h + 1]; h ^= 2; }
            sio__bf_encrypt(st, &l, &r);
            st->s[j][i] = l;
            st->s[j][i + 1] = r;
        }
}

/* bcrypt's base64 digit value of c, or -1. Scans the whole alphabet without
   branching on c: no timing hint about the stored hash, no ASCII assumption. */
static int sio__bcrypt_b64(char c) {
    static const char sio__bcrypt_abc[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned v = 0, found = 0;
    unsigned i;
    for (i = 0; i < 64; i++) {
        unsigned d = (unsigned)(unsigned char)sio__bcrypt_abc[i]
                     ^ (unsigned)(unsigned char)c;
        unsigned eq = ((d - 1u) >> 8) & 1u;     /* d is 0..255 */
        v |= (0u - eq) & i;
        found |= eq;
    }
    return found ? (int)v : -1;
}

/* Decodes n bytes from s (bits packed MSB first, 4 digits per 3 bytes);
   -1 on a bad digit or on non-zero unused bits in the last digit. */
static int sio__bcrypt_decode(const char *s, unsigned char *out, int n) {
    uint32_t acc = 0;
    int bits = 0, o = 0;
    while (o < n) {
        int v = sio__bcrypt_b64(*s++);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= ((uint32_t)1 << bits) - 1;
        }
    }
    if (bits > 0) {         /* trailing digit partly used */
        return acc != 0 ? -1 : 0;
    }
    return 0;
}

/* Parses "$2?$NN$" + 22 salt + 31 hash digits. Reads hash only up to its
   first wrong character, so an unterminated short buffer is not overrun
   past the NUL. */
static int sio__bcrypt_parse(const char *hash, int *cost,
                             unsigned char salt[16], unsigned char sum[23]) {
    int i;
    if (!hash || hash[0] != '$' || hash[1] != '2') return -1;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return -1;
    if (hash[3] != '$') return -1;
    if (hash[4] < '0' || hash[4] > '9') return -1;
    if (hash[5] < '0' || hash[5] > '9') return -1;
    if (hash[6] != '$') return -1;
    *cost = (hash[4] - '0') * 10 + (hash[5] - '0');
    if (*cost < 4 || *cost > 31) return -1;
    for (i = 7; i < 60; i++)
        if (sio__bcrypt_b64(hash[i]) < 0) return -1;
    if (hash[60] != '\0') return -1;
    if (sio__bcrypt_decode(hash + 7, salt, 16) < 0) return -1;
    if (sio__bcrypt_decode(hash + 29, sum, 23) < 0) return -1;
    return 0;
}

/* 0 if hash is well formed, -1 if not: lets a bad hash be refused at
   configuration time rather than at every login. */
static int sio__bcrypt_valid(const char *hash) {
    int cost;
    unsigned char salt[16], sum[23];
    return sio__bcrypt_parse(hash, &cost, salt, sum);
}

/* Zeroing through volatile so the compiler keeps it: the buffers hold
   password-derived data. */
static void sio__bcrypt_wipe(void *p, size_t n) {
    volatile unsigned char *q = (volatile unsigned char *)p;
    while (n--) *q++ = 0;
}

/* 1: the n bytes at pw (UTF-8, as bcryptjs encodes JS strings; need not be
   NUL-terminated; NULL allowed when n is 0) match hash; 0: they do not;
   -1: hash malformed (or init NULL, or pw NULL with n > 0). init comes from
   sio__bf_pi. Cost c takes 2^c rounds: ~1 ms at 4, ~70 ms at 10 (x86-64).
   The result does not depend on timing of where the hashes differ. */
static int sio__bcrypt_check(const sio__bf_state *init, const char *pw,
                             size_t n, const char *hash) {
    /* "OrpheanBeholderScryDoubt" in ASCII, as big-endian words */
    static const uint32_t sio__bcrypt_magic[6] = {
        0x4F727068u, 0x65616E42u, 0x65686F6Cu,
        0x64657253u, 0x63727944u, 0x6F756274u
    };
    sio__bf_state st;
    unsigned char key[72], salt[16], sum[23], out[24];
    uint32_t kw[18], sw[18], sb[4], c[6], rounds;
    size_t klen, pos, i;
    int cost, j;
    unsigned diff = 0;
    const unsigned char *u = (const unsigned char *)pw;

    if (!init || (!pw && n) || sio__bcrypt_parse(hash, &cost, salt, sum) < 0)
        return -1;

    klen = n < 72 ? n + 1 : 72;
    for (i = 0; i < klen; i++) key[i] = i < n ? u[i] : 0;
    for (pos = 0, i = 0; i < 18; i++) {     /* key bytes cycled, big-endian */
        uint32_t w = 0;
        for (j = 0; j < 4; j++) {
            w = (w << 8) | key[pos];
            if (++pos == klen) pos = 0;
        }
        kw[i] = w;
    }
    for (i = 0; i < 4; i++)
        sb[i] = (uint32_t)salt[4 * i] << 24 | (uint32_t)salt[4 * i + 1] << 16
                | (uint32_t)salt[4 * i + 2] << 8 | (uint32_t)salt[4 * i + 3];
    for (i = 0; i < 18; i++) sw[i] = sb[i & 3];  /* salt as a key */

    st = *init;
    sio__bf_expand(&st, kw, sb);
    rounds = (uint32_t)1 << cost;           /* cost <= 31: fits */
    do {
        sio__bf_expand(&st, kw, NULL);
        sio__bf_expand(&st, sw, NULL);
    } while (--rounds);

    for (j = 0; j < 6; j += 2) {
        uint32_t l = sio__bcrypt_magic[j], r = sio__bcrypt_magic[j + 1];
        int k;
        for (k = 0; k < 64; k++) sio__bf_encrypt(&st, &l, &r);
        c[j] = l;
        c[j + 1] = r;
    }
    for (j = 0; j < 24; j++)
        out[j] = (unsigned char)(c[j >> 2] >> (24 - 8 * (j & 3)));
    /* bcrypt keeps 23 of the 24 bytes; no early exit on a mismatch */
    for (j = 0; j < 23; j++) diff |= (unsigned)(out[j] ^ sum[j]);

    sio__bcrypt_wipe(&st, sizeof st);
    sio__bcrypt_wipe(key, sizeof key);
    sio__bcrypt_wipe(kw, sizeof kw);
    sio__bcrypt_wipe(out, sizeof out);
    sio__bcrypt_wipe(c, sizeof c);
    return (int)(((diff - 1u) >> 8) & 1u);
}

#ifndef SIO_ADMIN_MAX_SESSIONS
#define SIO_ADMIN_MAX_SESSIONS 64    /* session ids remembered; the oldest is forgotten first */
#endif
/* kinds of aggregated events one report can hold: a report covers 2 s,
   so at most 3 seconds times (1 + the close reasons + 4 counters) */
#define SIO__ADM_AGG 64

typedef struct sio__adm_agg {
    uint64_t ts;                 /* wall ms, truncated to the second */
    const char *type;
    char sub[32];                /* rawDisconnection: the close reason */
    unsigned long long count;
} sio__adm_agg;

typedef struct sio__admin {
    sio_server *srv;
    sio_namespace *nsp;
    char *user, *pass, *server_id;
    size_t user_len, pass_len;
    int no_auth, production, readonly;
    sio__bf_state *bf;           /* pass is a bcrypt hash: Blowfish's initial state, made once */
    char sessions[SIO_ADMIN_MAX_SESSIONS][17];
    int nsessions, next_session;
    sio_socket *fresh_for;       /* logged in just now: its session is told after CONNECT */
    char fresh[17];
    sio__eio_counts counts, reported;
    sio__adm_agg agg[SIO__ADM_AGG];
    int nagg;
    uint64_t started;            /* loop time of sio_server_admin: uptime counts from it */
    char host[256];
} sio__admin;

/* ---- time as JavaScript's Date shows it (UTC) ---- */

static uint64_t sio__adm_wall_ms(void) {
#ifdef _WIN32
    FILETIME ft;
    ULARGE_INTEGER u;
    GetSystemTimeAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return (uint64_t)(u.QuadPart / 10000u) - 11644473600000ull;   /* from 1601 to 1970 */
#else
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#endif
}

/* ms since 1970 as year, month (1..12), day, hour, minute, second and
   weekday (0 = Sunday), by the days-to-civil conversion over 400-year eras */
static void sio__adm_civil(uint64_t ms, int f[7]) {
    long long days = (long long)(ms / 86400000u), secs = (long long)(ms / 1000u % 86400u);
    long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    f[2] = (int)(doy - (153 * mp + 2) / 5 + 1);
    f[1] = (int)(mp < 10 ? mp + 3 : mp - 9);
    f[0] = (int)(yoe + era * 400 + (f[1] <= 2));
    f[3] = (int)(secs / 3600);
    f[4] = (int)(secs / 60 % 60);
    f[5] = (int)(secs % 60);
    f[6] = (int)((days + 4) % 7);   /* 1970-01-01 was a Thursday */
}

/* new Date().toJSON(): "2026-12-02T06:21:15.054Z" */
static void sio__adm_iso(char out[128], uint64_t ms) {
    int f[7];
    sio__adm_civil(ms, f);
    snprintf(out, 128, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", f[0], f[1], f[2], f[3], f[4], f[5], (int)(ms % 1000u));
}

/* new Date().toString() in UTC: "Wed Dec 02 2026 06:21:14 GMT+0000 (Coordinated Universal Time)" */
static void sio__adm_date(char out[160], uint64_t ms) {
    static const char wd[] = "SunMonTueWedThuFriSat", mn[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int f[7];
    sio__adm_civil(ms, f);
    snprintf(out, 160, "%.3s %.3s %02d %04d %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)", wd + 3 * f[6],
             mn + 3 * (f[1] - 1), f[2], f[0], f[3], f[4], f[5]);
}

/* ---- notifications ---- */

static void sio__adm_begin(sio__admin *ad, sio_buf *b, sio_json_writer *w, const char *event) {
    memset(b, 0, sizeof *b);
    b->alloc = ad->srv->b.loop.alloc;
    sio_json_writer_init(w, b);
    sio_json_arr_begin(w);
    sio_json_str(w, event);
}

/* Ends ["event", ...] (with the time as its last argument if stamp) and
   writes it to one admin socket, or to all. Its own buffers: a write may
   close a session, whose notifications are made meanwhile. */
static void sio__adm_send(sio__admin *ad, sio_buf *b, sio_json_writer *w, int stamp, sio_socket *only) {
    sio_buf pkt;
    sio_socket *s, *next;
    if (stamp) {
        char iso[128];
        sio__adm_iso(iso, sio__adm_wall_ms());
        sio_json_str(w, iso);
    }
    sio_json_arr_end(w);
    memset(&pkt, 0, sizeof pkt);
    pkt.alloc = b->alloc;
    if (sio_json_writer_finish(w) != SIO_OK ||
        sio_packet_write(&pkt, SIO_PKT_EVENT, 0, ad->nsp->name, strlen(ad->nsp->name), -1, b->data, b->len) != SIO_OK) {
        SIO__LOG(ad->srv, SIO_LOG_ERROR, "admin: out of memory, a notification is lost");
    } else if (only) {
        if (only->connected) sio__sconn_send(only->conn, pkt.data, pkt.len, NULL, 0);
    } else {
        /* the oldest admin first, as Node's order of connection */
        for (s = ad->nsp->sockets; s && s->next_in_nsp; s = s->next_in_nsp) {}
        for (; s; s = next) {
            next = s->prev_in_nsp;
            if (s->connected) sio__sconn_send(s->conn, pkt.data, pkt.len, NULL, 0);
        }
    }
    sio_buf_free(&pkt);
    sio_buf_free(b);
}

/* What a session's opening request was, as Node's socket.handshake
   (without auth, which would carry the admin's own password). */
static void sio__adm_handshake(sio__admin *ad, sio_json_writer *w, const sio_http_msg *m, sio__hconn *h) {
    char addr[INET6_ADDRSTRLEN + 8] = "", when[160], name[128];
    sio_str fwd;
    sio_buf q;
    uint64_t now = sio__adm_wall_ms();
    int i;
    if (m && (fwd = sio_http_header_get(m, "cf-connecting-ip")).len == 0) fwd = sio_http_header_get(m, "x-forwarded-for");
    if (m && fwd.len) {
        snprintf(addr, sizeof addr, "%.*s", (int)fwd.len, fwd.ptr);
    } else if (h && h->c.fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = (socklen_t)sizeof ss;
        if (getpeername(h->c.fd, (struct sockaddr *)(void *)&ss, &sl) == 0) {
            if (ss.ss_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, addr, sizeof addr);
            else if (ss.ss_family == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, addr, sizeof addr);
        }
    }
    sio__adm_date(when, now);
    sio_json_obj_begin(w);
    sio_json_key(w, "headers");
    sio_json_obj_begin(w);
    for (i = 0; m && i < m->header_count; i++) {
        const sio_http_header *hd = &m->headers[i];
        size_t k;
        if (hd->name.len >= sizeof name) continue;
        for (k = 0; k < hd->name.len; k++)
            name[k] = (char)(hd->name.ptr[k] >= 'A' && hd->name.ptr[k] <= 'Z' ? hd->name.ptr[k] + 32 : hd->name.ptr[k]);
        sio_json_key_n(w, name, k);
        sio_json_str_n(w, hd->value.ptr, hd->value.len);
    }
    sio_json_obj_end(w);
    sio_json_key(w, "time");
    sio_json_str(w, when);
    sio_json_key(w, "address");
    sio_json_str(w, addr);
    sio_json_key(w, "xdomain");
    sio_json_bool(w, m && sio_http_header_get(m, "Origin").len > 0);
    sio_json_key(w, "secure");
    sio_json_bool(w, ad->srv->tls_ctx != NULL);
    sio_json_key(w, "issued");
    sio_json_int(w, (long long)now);
    sio_json_key(w, "url");
    if (m) sio_json_str_n(w, m->target.ptr, m->target.len);
    else sio_json_str(w, "");
    sio_json_key(w, "query");
    memset(&q, 0, sizeof q);
    q.alloc = ad->srv->b.loop.alloc;
    if (m && sio__query_to_json(&q, m->query.ptr, m->query.len) == SIO_OK) sio_json_raw(w, q.data, q.len);
    else sio_json_raw(w, "{}", 2);
    sio_buf_free(&q);
    sio_json_obj_end(w);
}

/* A socket as the UI's pages read it. */
static void sio__adm_socket(sio__admin *ad, sio_json_writer *w, sio_socket *s) {
    sio_json_obj_begin(w);
    sio_json_key(w, "id");
    sio_json_str(w, s->id);
    sio_json_key(w, "clientId");   /* the Engine.IO sid's first 12: the Clients page groups by it */
    sio_json_str_n(w, s->conn->e->sid, 12);
    sio_json_key(w, "transport");
    sio_json_str(w, s->conn->e->transport == SIO__T_WEBSOCKET ? "websocket" : "polling");
    sio_json_key(w, "nsp");
    sio_json_str(w, s->nsp->name);
    sio_json_key(w, "data");
    sio_json_raw(w, "{}", 2);
    sio_json_key(w, "handshake");
    if (s->conn->handshake) sio_json_raw(w, s->conn->handshake, strlen(s->conn->handshake));
    else sio__adm_handshake(ad, w, NULL, NULL);   /* a session older than the instrumentation */
    sio_json_key(w, "rooms");
    sio__rooms_json(w, s);
    sio_json_obj_end(w);
}

/* ["room_joined"|"room_left", nsp, room, id, time] */
static void sio__adm_room_note(sio__admin *ad, sio_socket *s, const char *room, int joined) {
    sio_buf b;
    sio_json_writer w;
    sio__adm_begin(ad, &b, &w, joined ? "room_joined" : "room_left");
    sio_json_str(&w, s->nsp->name);
    sio_json_str(&w, room);
    sio_json_str(&w, s->id);
    sio__adm_send(ad, &b, &w, 1, NULL);
}

/* ---- counters ---- */

static void sio__adm_count(sio__admin *ad, const char *type, const char *sub, unsigned long long n) {
    uint64_t ts = sio__adm_wall_ms() / 1000u * 1000u;
    int i;
    if (!n) return;
    for (i = 0; i < ad->nagg; i++) {
        sio__adm_agg *g = &ad->agg[i];
        if (g->ts == ts && g->type == type && strncmp(g->sub, sub ? sub : "", sizeof g->sub - 1) == 0) {
            g->count += n;
            return;
        }
    }
    if (ad->nagg == SIO__ADM_AGG) {   /* cannot happen in 2 s; counted under the last kind rather than lost */
        ad->agg[SIO__ADM_AGG - 1].count += n;
        return;
    }
    ad->agg[ad->nagg].ts = ts;
    ad->agg[ad->nagg].type = type;
    snprintf(ad->agg[ad->nagg].sub, sizeof ad->agg[ad->nagg].sub, "%s", sub ? sub : "");
    ad->agg[ad->nagg++].count = n;
}

/* ---- what the server reports (sio__watch_ops) ---- */

static void sio__adm_conn_open(sio__sconn *sc, const sio_http_msg *m, sio__hconn *h) {
    sio__admin *ad = (sio__admin *)sc->srv->watch;
    sio_buf b;
    sio_json_writer w;
    sio__adm_count(ad, "rawConnection", NULL, 1);
    if (ad->production) return;
    memset(&b, 0, sizeof b);
    b.alloc = sc->srv->b.loop.alloc;
    sio_json_writer_init(&w, &b);
    sio__adm_handshake(ad, &w, m, h);
    if (sio_json_writer_finish(&w) == SIO_OK) sc->handshake = sio__strndup(b.alloc, b.data, b.len);
    sio_buf_free(&b);
}

static void sio__adm_conn_close(sio__sconn *sc, const char *reason) {
    sio__adm_count((sio__admin *)sc->srv->watch, "rawDisconnection", reason, 1);
}

static void sio__adm_upgraded(sio__sconn *sc) {
    sio__admin *ad = (sio__admin *)sc->srv->watch;
    sio_socket *s;
    for (s = sc->sockets; s && ad->nsp->count; s = s->next_in_conn) {
        sio_buf b;
        sio_json_writer w;
        sio__adm_begin(ad, &b, &w, "socket_updated");
        sio_json_obj_begin(&w);
        sio_json_key(&w, "id");
        sio_json_str(&w, s->id);
        sio_json_key(&w, "nsp");
        sio_json_str(&w, s->nsp->name);
        sio_json_key(&w, "transport");
        sio_json_str(&w, "websocket");
        sio_json_obj_end(&w);
        sio__adm_send(ad, &b, &w, 0, NULL);
    }
}

static void sio__adm_socket_connected(sio_socket *s) {
    sio__admin *ad = (sio__admin *)s->nsp->srv->watch;
    sio_buf b;
    sio_json_writer w;
    if (!ad->nsp->count) return;
    sio__adm_room_note(ad, s, s->id, 1);   /* its own room, as Node's join at connect */
    sio__adm_begin(ad, &b, &w, "socket_connected");
    sio__adm_socket(ad, &w, s);
    sio__adm_send(ad, &b, &w, 1, NULL);
}

static void sio__adm_socket_gone(sio_socket *s, const char *reason) {
    sio__admin *ad = (sio__admin *)s->nsp->srv->watch;
    sio_buf b;
    sio_json_writer w;
    size_t j;
    if (!ad->nsp->count) return;
    sio__adm_begin(ad, &b, &w, "socket_disconnected");
    sio_json_str(&w, s->nsp->name);
    sio_json_str(&w, s->id);
    sio_json_str(&w, reason);
    sio__adm_send(ad, &b, &w, 1, NULL);
    sio__adm_room_note(ad, s, s->id, 0);
    for (j = 0; j < s->rooms.cap; j++)
        if (s->rooms.slot[j]) sio__adm_room_note(ad, s, ((sio__room *)s->rooms.slot[j])->name, 0);
}

static void sio__adm_room(sio_socket *s, const char *room, int joined) {
    sio__admin *ad = (sio__admin *)s->nsp->srv->watch;
    if (ad->nsp->count) sio__adm_room_note(ad, s, room, joined);
}

/* ["event_received"|"event_sent", nsp, id, [event, ...args], time]; not
   for the admin namespace's own traffic */
static void sio__adm_event_note(sio__admin *ad, sio_socket *s, const char *what, const char *json, size_t n) {
    sio_buf b;
    sio_json_writer w;
    if (s->nsp == ad->nsp || !ad->nsp->count) return;
    sio__adm_begin(ad, &b, &w, what);
    sio_json_str(&w, s->nsp->name);
    sio_json_str(&w, s->id);
    sio_json_raw(&w, json, n);
    sio__adm_send(ad, &b, &w, 1, NULL);
}

static void sio__adm_event_in(sio_socket *s, const char *json, size_t n) {
    sio__adm_event_note((sio__admin *)s->nsp->srv->watch, s, "event_received", json, n);
}

static void sio__adm_packet_out(sio__sconn *sc, const char *pkt, size_t n) {
    sio__admin *ad = (sio__admin *)sc->srv->watch;
    sio_packet p;
    sio_socket *s;
    if (!n || (pkt[0] != '2' && pkt[0] != '5') || !ad->nsp->count || sio_packet_parse(pkt, n, &p) != SIO_OK) return;
    if ((s = sio__socket_for(sc, p.nsp)) != NULL) sio__adm_event_note(ad, s, "event_sent", p.data.ptr, p.data.len);
}

static void sio__adm_destroy(sio_server *srv) {
    sio__admin *ad = (sio__admin *)srv->watch;
    const sio_allocator *a = srv->b.loop.alloc;
    srv->wops = NULL;
    srv->watch = NULL;
    srv->eio.counts = NULL;
    sio__free(a, ad->user);
    sio__free(a, ad->pass);
    sio__free(a, ad->server_id);
    sio__free(a, ad->bf);
    sio__free(a, ad);
}

static const sio__watch_ops sio__adm_dev_ops = {
    sio__adm_conn_open, sio__adm_conn_close, sio__adm_upgraded, sio__adm_socket_connected, sio__adm_socket_gone,
    sio__adm_room, sio__adm_event_in, sio__adm_packet_out, sio__adm_destroy};
static const sio__watch_ops sio__adm_prod_ops = {
    sio__adm_conn_open, sio__adm_conn_close, NULL, NULL, NULL, NULL, NULL, NULL, sio__adm_destroy};

/* ---- login ---- */

/* Equal, in a time that depends on the lengths only. */
static int sio__adm_same(const char *x, size_t xn, const char *y, size_t yn) {
    size_t i, n = xn > yn ? xn : yn;
    unsigned d = xn != yn;
    for (i = 0; i < n; i++)
        d |= (unsigned)(unsigned char)(i < xn ? x[i] : 0) ^ (unsigned)(unsigned char)(i < yn ? y[i] : 0);
    return d == 0;
}

/* A JSON string value, unescaped into the allocator's memory (NULL: not a string, or no memory). */
static char *sio__adm_json_dup(const sio_allocator *a, sio_json v, size_t *len) {
    size_t n;
    char *t;
    if (v.type != SIO_JSON_STRING) return NULL;
    n = sio_json_strcpy(v, NULL, 0);
    if (!(t = (char *)sio__malloc(a, n + 1))) return NULL;
    sio_json_strcpy(v, t, n + 1);
    if (len) *len = n;
    return t;
}

static int sio__adm_password_ok(sio__admin *ad, const char *pw, size_t n);

static int sio__adm_login(sio__admin *ad, sio_json auth) {
    const sio_allocator *a = ad->srv->b.loop.alloc;
    sio_json ju, jp;
    char *u = NULL, *p = NULL;
    size_t un = 0, pn = 0;
    int ok = 0;
    if (sio_json_get(auth, "username", &ju) == SIO_OK && sio_json_get(auth, "password", &jp) == SIO_OK &&
        (u = sio__adm_json_dup(a, ju, &un)) != NULL && (p = sio__adm_json_dup(a, jp, &pn)) != NULL) {
        int user_ok = sio__adm_same(u, un, ad->user, ad->user_len);
        ok = sio__adm_password_ok(ad, p, pn) & user_ok;   /* both checked, whichever fails */
    }
    sio__free(a, u);
    sio__free(a, p);
    return ok;
}

static int sio__adm_auth(sio_socket *s, sio_json auth, const char **message, const char **data, void *user) {
    sio__admin *ad = (sio__admin *)user;
    sio_json v;
    unsigned char r[8];
    char id[17];
    int i, known = 0;
    (void)data;
    if (ad->no_auth) return 0;
    if (sio_json_get(auth, "sessionId", &v) == SIO_OK && v.type == SIO_JSON_STRING &&
        sio_json_strcpy(v, id, sizeof id) == 16) {
        for (i = 0; i < ad->nsessions; i++) known |= sio__adm_same(id, 16, ad->sessions[i], 16);
        if (known) return 0;
    }
    if (!sio__adm_login(ad, auth)) {
        *message = "invalid credentials";   /* the UI words it for this exact message */
        return 1;
    }
    sio__rng_bytes(&ad->srv->b.rng, r, sizeof r);
    for (i = 0; i < 8; i++) {
        id[2 * i] = "0123456789abcdef"[r[i] >> 4];
        id[2 * i + 1] = "0123456789abcdef"[r[i] & 15];
    }
    id[16] = '\0';
    memcpy(ad->sessions[ad->next_session], id, sizeof id);
    ad->next_session = (ad->next_session + 1) % SIO_ADMIN_MAX_SESSIONS;
    if (ad->nsessions < SIO_ADMIN_MAX_SESSIONS) ad->nsessions++;
    memcpy(ad->fresh, id, sizeof id);
    ad->fresh_for = s;
    return 0;
}

/* After CONNECT (the UI listens only from its connect on): the session
   it may log in with again, what it may do, and in development mode
   every socket there is. */
static void sio__adm_welcome(sio_socket *s, void *user) {
    static const char *const features[] = {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT",
                                           "AGGREGATED_EVENTS", "ALL_EVENTS"};
    sio__admin *ad = (sio__admin *)user;
    sio_namespace *nsp;
    sio_buf b;
    sio_json_writer w;
    int i;
    if (ad->fresh_for == s) {
        ad->fresh_for = NULL;
        sio__adm_begin(ad, &b, &w, "session");
        sio_json_str(&w, ad->fresh);
        sio__adm_send(ad, &b, &w, 0, s);
    }
    sio__adm_begin(ad, &b, &w, "config");
    sio_json_obj_begin(&w);
    sio_json_key(&w, "supportedFeatures");
    sio_json_arr_begin(&w);
    for (i = ad->readonly ? 4 : 0; i < 9; i++)
        if (i < 8 || !ad->production) sio_json_str(&w, features[i]);
    sio_json_arr_end(&w);
    sio_json_obj_end(&w);
    sio__adm_send(ad, &b, &w, 0, s);
    if (ad->production) return;
    sio__adm_begin(ad, &b, &w, "all_sockets");
    sio_json_arr_begin(&w);
    for (nsp = ad->srv->nsps; nsp; nsp = nsp->next) {
        sio_socket *x;
        for (x = nsp->sockets; x; x = x->next_in_nsp) sio__adm_socket(ad, &w, x);
    }
    sio_json_arr_end(&w);
    sio__adm_send(ad, &b, &w, 0, s);
}

/* ---- the UI's commands: (nsp, filter, event, ...args), (nsp, room, filter), (nsp, close, filter) ---- */

#define SIO__ADM_IS(str, lit) ((str).len == sizeof(lit) - 1 && memcmp((str).ptr, lit, sizeof(lit) - 1) == 0)

static void sio__adm_command(const sio_event *ev, void *user) {
    sio__admin *ad = (sio__admin *)user;
    const sio_allocator *a = ad->srv->b.loop.alloc;
    const sio_args *args = &ev->args;
    int emit = SIO__ADM_IS(ev->name, "emit"), join = SIO__ADM_IS(ev->name, "join"), leave = SIO__ADM_IS(ev->name, "leave");
    int disc = SIO__ADM_IS(ev->name, "_disconnect");
    char *name = NULL, *filter = NULL, *what = NULL;
    sio_json v;
    sio_namespace *nsp;
    sio_bcast to;
    const char *rooms[1];
    if (ad->readonly || !(emit || join || leave || disc)) return;
    if (sio_args_get(args, 0, &v) != SIO_OK || !(name = sio__adm_json_dup(a, v, NULL))) return;
    if (!(nsp = sio__nsp_find(ad->srv, name, strlen(name)))) {
        SIO__LOG(ad->srv, SIO_LOG_INFO, "admin: %.*s for namespace %s, which does not exist", (int)ev->name.len,
                 ev->name.ptr, name);
        sio__free(a, name);
        return;
    }
    memset(&to, 0, sizeof to);
    /* a falsy filter is the whole namespace; a socket id is its own room */
    if (sio_args_get(args, emit ? 1 : 2, &v) == SIO_OK && (filter = sio__adm_json_dup(a, v, NULL)) != NULL && filter[0]) {
        rooms[0] = filter;
        to.rooms = rooms;
        to.nrooms = 1;
    }
    if (disc) {
        sio_disconnect_sockets(nsp, &to, sio_args_get(args, 1, &v) == SIO_OK && sio_json_is_true(v));
    } else if (sio_args_get(args, emit ? 2 : 1, &v) == SIO_OK && (what = sio__adm_json_dup(a, v, NULL)) != NULL) {
        if (emit) {
            sio_msg m;
            size_t i;
            sio_msg_init(&m);
            for (i = 3; sio_args_get(args, i, &v) == SIO_OK; i++) sio_json_raw(&m.w, v.ptr, v.len);
            sio_broadcast(nsp, &to, what, &m);
            sio_msg_free(&m);
        } else if (join) {
            sio_sockets_join(nsp, &to, what);
        } else {
            sio_sockets_leave(nsp, &to, what);
        }
    }
    sio__free(a, name);
    sio__free(a, filter);
    sio__free(a, what);
}

/* ---- server_stats, every 2 s ---- */

static void sio__adm_stats(sio_timer *t, void *user) {
    sio__admin *ad = (sio__admin *)user;
    sio_server *srv = ad->srv;
    sio__eio_counts *c = &ad->counts, *r = &ad->reported;
    sio_namespace *nsp;
    sio_buf b;
    sio_json_writer w;
    size_t i, polling = 0;
    int k;
    (void)t;
    sio__adm_count(ad, "packetsIn", NULL, c->packets_in - r->packets_in);
    sio__adm_count(ad, "packetsOut", NULL, c->packets_out - r->packets_out);
    sio__adm_count(ad, "bytesIn", NULL, c->bytes_in - r->bytes_in);
    sio__adm_count(ad, "bytesOut", NULL, c->bytes_out - r->bytes_out);
    *r = *c;
    if (ad->nsp->count) {
        for (i = 0; i < srv->eio.sessions.cap; i++) {
            sio__map_ent *me = &srv->eio.sessions.e[i];
            if (me->key && me->key != sio__tombstone && ((sio_engine_conn *)me->val)->transport == SIO__T_POLLING)
                polling++;
        }
        sio__adm_begin(ad, &b, &w, "server_stats");
        sio_json_obj_begin(&w);
        sio_json_key(&w, "serverId");
        sio_json_str(&w, ad->server_id ? ad->server_id : ad->host);
        sio_json_key(&w, "hostname");
        sio_json_str(&w, ad->host);
        sio_json_key(&w, "pid");
#ifdef _WIN32
        sio_json_int(&w, (long long)GetCurrentProcessId());
#else
        sio_json_int(&w, (long long)getpid());
#endif
        sio_json_key(&w, "uptime");   /* seconds */
        sio_json_num(&w, (double)(srv->b.loop.now - ad->started) / 1000.0);
        sio_json_key(&w, "clientsCount");
        sio_json_int(&w, (long long)srv->eio.nsessions);
        sio_json_key(&w, "pollingClientsCount");
        sio_json_int(&w, (long long)polling);
        sio_json_key(&w, "aggregatedEvents");
        sio_json_arr_begin(&w);
        for (k = 0; k < ad->nagg; k++) {
            sio_json_obj_begin(&w);
            sio_json_key(&w, "timestamp");
            sio_json_int(&w, (long long)ad->agg[k].ts);
            sio_json_key(&w, "type");
            sio_json_str(&w, ad->agg[k].type);
            if (ad->agg[k].sub[0]) {
                sio_json_key(&w, "subType");
                sio_json_str(&w, ad->agg[k].sub);
            }
            sio_json_key(&w, "count");
            sio_json_int(&w, (long long)ad->agg[k].count);
            sio_json_obj_end(&w);
        }
        sio_json_arr_end(&w);
        sio_json_key(&w, "namespaces");
        sio_json_arr_begin(&w);
        for (nsp = srv->nsps; nsp; nsp = nsp->next) {
            sio_json_obj_begin(&w);
            sio_json_key(&w, "name");
            sio_json_str(&w, nsp->name);
            sio_json_key(&w, "socketsCount");
            sio_json_int(&w, (long long)nsp->count);
            sio_json_obj_end(&w);
        }
        sio_json_arr_end(&w);
        sio_json_obj_end(&w);
        sio__adm_send(ad, &b, &w, 0, NULL);
    }
    ad->nagg = 0;   /* what nobody heard is gone, as in Node */
}

/* ---- instrumenting ---- */

static int sio__adm_password_ok(sio__admin *ad, const char *pw, size_t n) {
    if (ad->bf) return sio__bcrypt_check(ad->bf, pw, n, ad->pass) == 1;
    return sio__adm_same(pw, n, ad->pass, ad->pass_len);
}

/* Node takes a bcrypt hash only; a plain password is taken too, so a
   "$2a$", "$2b$" or "$2y$" that is no well-formed hash is refused rather
   than guessed at. */
static int sio__adm_is_hash(const char *pw) {
    return strncmp(pw, "$2a$", 4) == 0 || strncmp(pw, "$2b$", 4) == 0 || strncmp(pw, "$2y$", 4) == 0;
}

SIO_API int sio_server_admin(sio_server *srv, const sio_admin_desc *desc) {
    const sio_allocator *a;
    const char *name;
    sio__admin *ad;
    if (!srv || !desc) return SIO_ERR_INVALID;
    if (srv->wops) return SIO_ERR_STATE;
    a = srv->b.loop.alloc;
    name = desc->nsp ? desc->nsp : "/admin";
    if (name[0] != '/' || strlen(name) > SIO_MAX_NSP_LEN) {
        SIO__LOG(srv, SIO_LOG_ERROR, "admin: namespace \"%s\" does not start with / or is over SIO_MAX_NSP_LEN", name);
        return SIO_ERR_INVALID;
    }
    if (!desc->no_auth && (!desc->username || !desc->password)) {
        SIO__LOG(srv, SIO_LOG_ERROR, "admin: a username and a password, or no_auth");
        return SIO_ERR_INVALID;
    }
    if (!desc->no_auth && sio__adm_is_hash(desc->password) && sio__bcrypt_valid(desc->password) != 0) {
        SIO__LOG(srv, SIO_LOG_ERROR, "admin: the password looks like a bcrypt hash and is not a well-formed one "
                 "(60 characters, cost 04..31)");
        return SIO_ERR_INVALID;
    }
    if (!(ad = (sio__admin *)sio__malloc(a, sizeof *ad))) return SIO_ERR_NOMEM;
    memset(ad, 0, sizeof *ad);
    ad->srv = srv;
    ad->no_auth = desc->no_auth;
    ad->production = desc->production;
    ad->readonly = desc->readonly;
    ad->started = srv->b.loop.now;
    if (gethostname(ad->host, sizeof ad->host - 1) != 0) snprintf(ad->host, sizeof ad->host, "localhost");
    /* from here the server owns it: sio_server_destroy frees it, even after a failure below */
    srv->watch = ad;
    srv->wops = ad->production ? &sio__adm_prod_ops : &sio__adm_dev_ops;
    if ((!desc->no_auth && (!(ad->user = sio__strndup(a, desc->username, ad->user_len = strlen(desc->username))) ||
                            !(ad->pass = sio__strndup(a, desc->password, ad->pass_len = strlen(desc->password))))) ||
        (desc->server_id && !(ad->server_id = sio__strndup(a, desc->server_id, strlen(desc->server_id)))) ||
        !(ad->nsp = sio_of(srv, name)) || sio_use(ad->nsp, sio__adm_auth, ad) != SIO_OK ||
        sio_on_connection(ad->nsp, sio__adm_welcome, ad) != SIO_OK || sio_on(ad->nsp, "*", sio__adm_command, ad) != SIO_OK ||
        !sio_server_timer(srv, 2000, 2000, sio__adm_stats, ad)) {
        SIO__LOG(srv, SIO_LOG_ERROR, "admin: out of memory");
        return SIO_ERR_NOMEM;
    }
    if (!desc->no_auth && sio__adm_is_hash(desc->password)) {
        if (!(ad->bf = (sio__bf_state *)sio__malloc(a, sizeof *ad->bf))) return SIO_ERR_NOMEM;
        sio__bf_pi(ad->bf);
    }
    srv->eio.counts = &ad->counts;
    /* the UI's own page polls with credentials */
    if (!srv->http.cors_origin && !srv->http.cors_allow) {
        srv->http.cors_origin = "https://admin.socket.io";
        srv->http.cors_credentials = 1;
    }
    return SIO_OK;
}
#endif /* !SIO_NO_SERVER && !SIO_NO_ADMIN */


#ifndef SIO_NO_CLIENT
/* =====================================================================
   >>client: the Socket.IO v5 client
   =====================================================================
   A sio_client is a "manager", as in the Node socket.io-client: one
   Engine.IO connection (>>eioc) that carries any number of namespace
   sockets (sio_client_socket), with the Node client's reconnection rules
   (exponential back-off with jitter) and disconnect reasons. Names:
   sio__mgr_* is the manager, sio__csock_* a socket on it. A socket that
   wants to be connected sends CONNECT whenever the link opens; emits made
   while it is not connected are held, within max_buffered, and go out
   first once it is. */

enum { SIO__CS_OFF = 0, SIO__CS_CONNECTING, SIO__CS_CONNECTED };

struct sio_client_socket {
    sio_client *cl;
    char *nsp;
    char *auth;                /* raw JSON object or NULL */
    char id[SIO_MAX_NSP_LEN + 64];   /* from a socket.io 2 server "/nsp#<sid>" */
    int active;                /* the user wants it connected */
    int state;                 /* SIO__CS_* */
    sio__handler *handlers;    /* sio_client_event_fn */
    /* "connect": sio_client_socket_fn, "disconnect": sio_client_disconnect_fn,
       "connect_error": sio_client_error_fn */
    sio__handler *listeners;
    void *hub;                 /* its stream hub, whose "disconnect" listener runs first */
    sio__acks acks;
    long long next_ack;
    sio_buf held;              /* emits made while offline, as send-queue records */
    /* connection state recovery, when the server offers it: its private id
       for this socket and the offset of the last broadcast seen, both sent
       back in the next CONNECT, as socket.io-client does */
    char pid[64], offset[64];
    int recovered;
    /* events that came before the CONNECT answer (Node's server sends a
       recovered socket's missed broadcasts first), delivered right after
       it, as socket.io-client does: send-queue records, as they came */
    sio_buf early;
    sio_client_socket *next;
};

/* An ack the client waits for; one of an emit held offline is not sent
   yet, and survives a lost connection. */
typedef struct sio__cl_ack {
    sio__pending p;
    sio_client_socket *s;
    sio_client_ack_fn fn;
    void *user;
    int sent;
} sio__cl_ack;

struct sio_client {
    sio__base b;               /* first: the loop, allocator, logger, randomness */
    sio_client_desc desc;      /* defaults filled in; strings below are owned copies */
    sio__eioc eio;
    char *path, *query, *headers, *url_copy;
    char *query3;              /* v3: query plus the connect data of "/", which rides on the handshake */
    char default_nsp[SIO_MAX_NSP_LEN + 1];
    int closed;                /* stopped for good (until a socket is opened again) */
    sio__timer reconnect_timer;
    int attempts, reconnecting, skip_reconnect;
    sio_client_socket *sockets;
    sio__binpend *bin;         /* a binary packet waiting for its attachments */
    sio_buf tmp;
    sio_buf mp;                /* a packet as the msgpack parser sends it */
    int stop, destroying;
    void *tls_ctx;             /* https/wss: certificates and trust anchors, shared */
};

#define SIO__CLOG(cl, lvl, ...) sio__log(&(cl)->b.logger, lvl, __VA_ARGS__)
#define SIO__CL_OF(ptr, field) ((sio_client *)(void *)((char *)(ptr) - offsetof(sio_client, field)))

static int sio__mgr_open(sio_client *cl) { return cl->eio.state == SIO__EC_OPEN; }

/* ---- reconnection ---- */

static double sio__mgr_rand01(sio_client *cl) {
    unsigned char b[8];
    uint64_t v = 0;
    int i;
    sio__rng_bytes(&cl->b.rng, b, sizeof b);
    for (i = 0; i < 8; i++) v = (v << 8) | b[i];
    return (double)(v >> 11) / 9007199254740992.0;   /* 53 bits -> [0,1) */
}

/* Node's back-off: initial * 2^attempt, then a jitter of up to
   factor * delay either way, then capped at the maximum. With 1000 ms,
   0.5: attempt 0 waits 500..1500 ms, attempt 1 1000..3000 ms, ... */
static uint64_t sio__mgr_backoff(sio_client *cl) {
    double ms = (double)cl->desc.reconnection_delay_ms, f = cl->desc.randomization_factor;
    int i;
    for (i = 0; i < cl->attempts && ms < 1e12; i++) ms *= 2;
    cl->attempts++;
    if (f > 0) {
        double r = sio__mgr_rand01(cl), dev = (double)(long long)(r * f * ms);
        ms = ((int)(r * 10) & 1) == 0 ? ms - dev : ms + dev;
    }
    if (ms > (double)cl->desc.reconnection_delay_max_ms) ms = (double)cl->desc.reconnection_delay_max_ms;
    return ms < 0 ? 0 : (uint64_t)ms;
}

static void sio__mgr_reconnect(sio_client *cl) {
    uint64_t delay;
    if (cl->reconnecting || cl->skip_reconnect || cl->desc.no_reconnection) {
        if (!cl->reconnecting) cl->closed = 1;
        return;
    }
    if (cl->desc.reconnection_attempts > 0 && cl->attempts >= cl->desc.reconnection_attempts) {
        SIO__CLOG(cl, SIO_LOG_INFO, "reconnection failed after %d attempts", cl->attempts);
        cl->attempts = 0;
        cl->closed = 1;
        if (cl->desc.on_reconnect_failed) cl->desc.on_reconnect_failed(cl, cl->desc.user);
        return;
    }
    delay = sio__mgr_backoff(cl);
    cl->reconnecting = 1;
    SIO__CLOG(cl, SIO_LOG_INFO, "reconnecting in %lu ms (attempt %d)", (unsigned long)delay, cl->attempts);
    sio__timer_set(&cl->b.loop.timers, cl->b.loop.alloc, &cl->reconnect_timer, sio__now_ms() + delay);
}

static void sio__mgr_reconnect_due(sio__timer *t) {
    sio_client *cl = SIO__CL_OF(t, reconnect_timer);
    if (!cl->skip_reconnect && cl->eio.state == SIO__EC_IDLE && cl->desc.on_reconnect_attempt)
        cl->desc.on_reconnect_attempt(cl, cl->attempts, cl->desc.user);
    if (cl->skip_reconnect || cl->eio.state != SIO__EC_IDLE) {
        cl->reconnecting = 0;
        return;
    }
    sio__eioc_open(&cl->eio);
}

/* Closes the link on purpose, for good: no reconnection follows. */
static void sio__mgr_shutdown(sio_client *cl) {
    cl->skip_reconnect = 1;
    cl->reconnecting = 0;
    sio__timer_cancel(&cl->b.loop.timers, &cl->reconnect_timer);
    sio__eioc_close(&cl->eio);
}

/* The manager closes the link once no socket wants it any more. */
static void sio__mgr_check_idle(sio_client *cl) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next)
        if (s->active) return;
    if (!cl->closed) sio__mgr_shutdown(cl);
}

/* ---- sockets ---- */

static sio_client_socket *sio__mgr_socket(sio_client *cl, const char *nsp, size_t n) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next)
        if (strlen(s->nsp) == n && memcmp(s->nsp, nsp, n) == 0) return s;
    return NULL;
}

static void sio__mgr_msg(void *to, const void *data, size_t len, int binary) {
    sio__eioc_send((sio__eioc *)to, SIO_EIO_MESSAGE, data, len, binary);
}

/* One packet (text, attachments) to the server, in the client's parser. */
static int sio__mgr_send(sio_client *cl, const char *pkt, size_t n, const sio_str *bins, int nbins) {
    int rc = sio__send_packet(cl->desc.parser, &cl->mp, NULL, sio__mgr_msg, &cl->eio, pkt, n, bins, nbins, &cl->b.logger);
    if (rc != SIO_OK)
        SIO__CLOG(cl, SIO_LOG_ERROR, "a packet the msgpack parser cannot write (kept bytes that are not one "
                  "MessagePack value, or no memory): not sent");
    return rc;
}

/* Sends the packet in cl->tmp plus attachments, or holds it while offline
   (may_hold), or returns 1 (dropped). */
static int sio__csock_out(sio_client_socket *s, const sio_msg *args, int may_hold) {
    sio_client *cl = s->cl;
    int i, nbins = args ? args->nbins : 0;
    size_t need = 5 + 1 + cl->tmp.len, old = s->held.len;
    if (s->state == SIO__CS_CONNECTED && sio__mgr_open(cl))
        return sio__mgr_send(cl, cl->tmp.data, cl->tmp.len, args ? args->bins : NULL, nbins);
    if (!may_hold) return 1;
#ifndef SIO_NO_MSGPACK
    if (cl->desc.parser == SIO_PARSER_MSGPACK) {
        /* held as the one binary message it will be */
        int rc;
        sio_buf_reset(&cl->mp);
        if ((rc = sio__mp_packet_out(cl->tmp.data, cl->tmp.len, args ? args->bins : NULL, nbins, &cl->mp)) != SIO_OK)
            return rc;
        if (s->held.len + 5 + cl->mp.len > cl->desc.max_buffered) {
            SIO__CLOG(cl, SIO_LOG_WARN, "%s: offline buffer full (%lu bytes), emit dropped", s->nsp,
                      (unsigned long)cl->desc.max_buffered);
            return SIO_ERR_TOO_BIG;
        }
        if (sio__rec_append(&s->held, 'b', cl->mp.data, cl->mp.len) != SIO_OK) {
            s->held.len = old;
            s->held.err = 0;
            return SIO_ERR_NOMEM;
        }
        return SIO_OK;
    }
#endif
    for (i = 0; i < nbins; i++) need += 5 + args->bins[i].len;
    if (s->held.len + need > cl->desc.max_buffered) {
        SIO__CLOG(cl, SIO_LOG_WARN, "%s: offline buffer full (%lu bytes), emit dropped", s->nsp,
                  (unsigned long)cl->desc.max_buffered);
        return SIO_ERR_TOO_BIG;
    }
    /* the record carries "4" + packet, as the send queue wants it */
    sio__rec_append(&s->held, '4', cl->tmp.data, cl->tmp.len);
    for (i = 0; i < nbins; i++) sio__rec_append(&s->held, 'b', args->bins[i].ptr, args->bins[i].len);
    if (s->held.err) {
        s->held.len = old;
        s->held.err = 0;
        return SIO_ERR_NOMEM;
    }
    return SIO_OK;
}

/* Connect data for a socket.io 2 server, which takes it as a query:
   {"token":"x","n":1} -> "token=x&n=1" (strings unquoted, the rest as JSON). */
static void sio__auth_query(sio_buf *b, const char *auth) {
    sio_json o, k, v;
    sio_json_iter it;
    int first = 1;
    if (!auth || sio_json_parse(auth, strlen(auth), &o) != SIO_OK || o.type != SIO_JSON_OBJECT) return;
    sio_json_iter_init(&it, o);
    while (sio_json_iter_next(&it, &k, &v)) {
        size_t kn = sio_json_strcpy(k, NULL, 0), vn = v.type == SIO_JSON_STRING ? sio_json_strcpy(v, NULL, 0) : v.len;
        char *t = (char *)sio__malloc(b->alloc, kn + vn + 2);
        if (!t) {
            b->err = SIO_ERR_NOMEM;
            return;
        }
        sio_json_strcpy(k, t, kn + 1);
        if (v.type == SIO_JSON_STRING) {
            sio_json_strcpy(v, t + kn + 1, vn + 1);
        } else {
            memcpy(t + kn + 1, v.ptr, vn);
            t[kn + 1 + vn] = 0;
        }
        if (!first) sio_buf_appendc(b, '&');
        first = 0;
        sio__append_qvalue(b, t);
        sio_buf_appendc(b, '=');
        sio__append_qvalue(b, t + kn + 1);
        sio__free(b->alloc, t);
    }
}

static void sio__csock_send_connect(sio_client_socket *s) {
    sio_client *cl = s->cl;
    sio_buf_reset(&s->early);   /* what an earlier attempt got before failing is not this one's */
    sio_buf_reset(&cl->tmp);
    if (cl->eio.protocol == 3) {
        /* socket.io 2: "/" is joined by the server itself; elsewhere
           "40/chat?token=x," */
        s->state = SIO__CS_CONNECTING;
        if (strcmp(s->nsp, "/") == 0) return;
        sio_buf_appends(&cl->tmp, "0");
        sio_buf_appends(&cl->tmp, s->nsp);
        if (s->auth && strcmp(s->auth, "{}") != 0) {
            sio_buf_appendc(&cl->tmp, '?');
            sio__auth_query(&cl->tmp, s->auth);
        }
        sio_buf_appendc(&cl->tmp, ',');
        if (!cl->tmp.err) sio__mgr_send(cl, cl->tmp.data, cl->tmp.len, NULL, 0);
        return;
    }
    if (s->pid[0]) {
        /* 40{"pid":"...","offset":"...",<the auth's own members>}: members
           of the auth come last, so they win, as in Object.assign */
        sio_json_writer w;
        sio_json auth;
        sio_packet_write(&cl->tmp, SIO_PKT_CONNECT, 0, s->nsp, strlen(s->nsp), -1, NULL, 0);
        sio_json_writer_init(&w, &cl->tmp);
        sio_json_obj_begin(&w);
        sio_json_key(&w, "pid");
        sio_json_str(&w, s->pid);
        if (s->offset[0]) {
            sio_json_key(&w, "offset");
            sio_json_str(&w, s->offset);
        }
        /* then the auth's members as written: its text between the braces */
        if (s->auth && sio_json_parse(s->auth, strlen(s->auth), &auth) == SIO_OK && auth.type == SIO_JSON_OBJECT &&
            sio_json_count(auth) > 0) {
            sio_buf_appendc(&cl->tmp, ',');
            sio_buf_append(&cl->tmp, auth.ptr + 1, auth.len - 2);
        }
        sio_buf_appendc(&cl->tmp, '}');
    } else {
        sio_packet_write(&cl->tmp, SIO_PKT_CONNECT, 0, s->nsp, strlen(s->nsp), -1, s->auth,
                         s->auth ? strlen(s->auth) : 0);
    }
    s->state = SIO__CS_CONNECTING;
    if (!cl->tmp.err) sio__mgr_send(cl, cl->tmp.data, cl->tmp.len, NULL, 0);
}

static void sio__csock_tell_disconnect(sio_client_socket *s, const char *reason) {
    const sio__handler *h;
    for (h = sio__handler_next(s->listeners, "disconnect"); h; h = sio__handler_next(h->next, "disconnect"))
        ((sio_client_disconnect_fn)h->fn)(s, reason, h->user);
}

static void sio__csock_tell_error(sio_client_socket *s, const char *message, const char *data_json) {
    const sio__handler *h;
    for (h = sio__handler_next(s->listeners, "connect_error"); h; h = sio__handler_next(h->next, "connect_error"))
        ((sio_client_error_fn)h->fn)(s, message, data_json, h->user);
}

/* Acks of packets that went out will never come; held ones stay. */
static int sio__cl_ack_unsent(const sio__pending *p) { return !((const sio__cl_ack *)(const void *)p)->sent; }

static void sio__mgr_sockets_down(sio_client *cl, const char *reason, int was_open) {
    sio_client_socket *s;
    for (s = cl->sockets; s; s = s->next) {
        int was = s->state;
        if (!s->active) continue;
        s->state = SIO__CS_OFF;
        s->id[0] = 0;
        if (was_open && was == SIO__CS_CONNECTED) {
            sio__acks_clear(&s->acks, SIO_ERR_CLOSED, sio__cl_ack_unsent);
            sio__csock_tell_disconnect(s, reason);
        } else if (!was_open) {
            sio__csock_tell_error(s, reason, NULL);
        }
    }
}

/* An EVENT for a connected socket: to its handlers. */
static void sio__csock_event(sio_client_socket *s, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_client *cl = s->cl;
    unsigned gen = cl->eio.gen;
    sio_client_event ev;
    const sio__handler *h;
    char namebuf[SIO_MAX_EVENT_LEN + 1];
    ev.socket = s;
    if (sio__event_unpack(p, bins, nbins, &ev.args, namebuf, &ev.name, &ev.ack_id, cl->b.loop.alloc) != SIO_OK) {
        sio__eioc_lost(&cl->eio, "parse error");
        return;
    }
    if (s->pid[0] && ev.args.count) {
        /* a recovering server's broadcasts end with their offset */
        sio_json last;
        if (sio_args_get(&ev.args, ev.args.count - 1, &last) == SIO_OK && last.type == SIO_JSON_STRING &&
            sio_json_strcpy(last, s->offset, sizeof s->offset) >= sizeof s->offset)
            s->offset[0] = '\0';
    }
    for (h = sio__handler_next(s->handlers, namebuf); h; h = sio__handler_next(h->next, namebuf)) {
        ((sio_client_event_fn)h->fn)(&ev, h->user);
        if (gen != cl->eio.gen || s->state != SIO__CS_CONNECTED) break;
    }
    sio__args_release(&ev.args, cl->b.loop.alloc);
}

static void sio__mgr_dispatch(void *conn, const sio_packet *p, const sio_str *bins, int nbins);
static void sio__mgr_fail(void *conn, const char *reason, const char *why);
static const sio__rx sio__cl_rx = {sio__mgr_dispatch, sio__mgr_fail};

/* An EVENT before the CONNECT answer: kept as it came, the packet and its
   attachments as send-queue records (within max_buffered), to run
   through the incoming path again right after the answer. */
static void sio__csock_keep_early(sio_client_socket *s, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_client *cl = s->cl;
    size_t old = s->early.len;
    int k;
    sio_buf_reset(&cl->tmp);
    sio_packet_write(&cl->tmp, p->type, p->attachments, s->nsp, strlen(s->nsp), p->ack_id, p->data.ptr, p->data.len);
    s->early.alloc = cl->b.loop.alloc;
    sio__rec_append(&s->early, '4', cl->tmp.data, cl->tmp.len);
    for (k = 0; k < nbins; k++) sio__rec_append(&s->early, 'b', bins[k].ptr, bins[k].len);
    if (s->early.err || cl->tmp.err || s->early.len > cl->desc.max_buffered) {
        SIO__CLOG(cl, SIO_LOG_WARN, "namespace %s: event before the CONNECT answer dropped (over max_buffered)", s->nsp);
        s->early.len = old;
        s->early.err = 0;
    }
}

static void sio__csock_deliver_early(sio_client_socket *s) {
    sio_client *cl = s->cl;
    unsigned gen = cl->eio.gen;
    sio_buf early = s->early;   /* ours now: a handler may close the socket */
    sio__binpend *bin = NULL;
    size_t off = 0;
    memset(&s->early, 0, sizeof s->early);
    while (off < early.len && gen == cl->eio.gen && s->state == SIO__CS_CONNECTED) {
        size_t len = sio__rec_len(early.data + off);
        sio__receive(&sio__cl_rx, cl, cl->b.loop.alloc, &bin, early.data + off + 5, len, early.data[off] == 'b',
                     SIO_MAX_ATTACHMENTS, SIO_JSON_MAX_DEPTH, cl->desc.parser, &cl->b.logger);
        off += 5 + len;
    }
    sio__binpend_free(cl->b.loop.alloc, bin);
    sio_buf_free(&early);
}

static void sio__csock_connected(sio_client_socket *s, const sio_packet *p) {
    sio_client *cl = s->cl;
    unsigned gen = cl->eio.gen;
    const sio__handler *h;
    sio_json sid, pid;
    char now[64];
    size_t i;
    if (s->state != SIO__CS_CONNECTING) return;
    s->id[0] = 0;
    if (cl->eio.protocol == 3)   /* socket.io 2 names sockets after the connection */
        snprintf(s->id, sizeof s->id, "%s%s%s", strcmp(s->nsp, "/") ? s->nsp : "", strcmp(s->nsp, "/") ? "#" : "",
                 cl->eio.sid);
    else if (sio_json_get(p->json, "sid", &sid) == SIO_OK) sio_json_strcpy(sid, s->id, sizeof s->id);
    /* the server offers recovery: 40{"sid":"...","pid":"..."}; the same
       pid again means it took us back with our state */
    now[0] = '\0';
    if (sio_json_get(p->json, "pid", &pid) == SIO_OK && pid.type == SIO_JSON_STRING &&
        sio_json_strcpy(pid, now, sizeof now) >= sizeof now)
        now[0] = '\0';
    s->recovered = now[0] && strcmp(now, s->pid) == 0;
    memcpy(s->pid, now, sizeof s->pid);
    if (!s->recovered) s->offset[0] = '\0';
    s->state = SIO__CS_CONNECTED;
    SIO__CLOG(cl, SIO_LOG_INFO, "namespace %s joined, id %s", s->nsp, s->id);
    /* emits made while offline go out first, in order */
    if (s->held.len) {
        sio_buf held = s->held;
        memset(&s->held, 0, sizeof s->held);
        s->held.alloc = cl->b.loop.alloc;
        sio__eioc_send_records(&cl->eio, &held);
        sio_buf_free(&held);
        if (s->state != SIO__CS_CONNECTED) return;
    }
    for (i = 0; i < s->acks.t.cap; i++)
        if (s->acks.t.slot[i]) ((sio__cl_ack *)s->acks.t.slot[i])->sent = 1;
    /* then what came before the answer, then "connect", as Node's client */
    if (s->early.len) {
        sio__csock_deliver_early(s);
        if (gen != cl->eio.gen || s->state != SIO__CS_CONNECTED) return;
    }
    for (h = sio__handler_next(s->listeners, "connect"); h && gen == cl->eio.gen && s->state == SIO__CS_CONNECTED;
         h = sio__handler_next(h->next, "connect"))
        ((sio_client_socket_fn)h->fn)(s, h->user);
}

static void sio__csock_refused(sio_client_socket *s, const sio_packet *p) {
    char msg[512];
    const char *data = NULL;
    char *dcopy = NULL;
    sio_json m, d;
    msg[0] = 0;
    if (p->json.type == SIO_JSON_STRING) {
        sio_json_strcpy(p->json, msg, sizeof msg);
    } else {
        if (sio_json_get(p->json, "message", &m) == SIO_OK) {
            if (m.type == SIO_JSON_STRING) sio_json_strcpy(m, msg, sizeof msg);
            else snprintf(msg, sizeof msg, "%.*s", (int)m.len, m.ptr);
        }
        if (sio_json_get(p->json, "data", &d) == SIO_OK) {
            dcopy = sio__strndup(s->cl->b.loop.alloc, d.ptr, d.len);
            data = dcopy;
        }
    }
    SIO__CLOG(s->cl, SIO_LOG_INFO, "namespace %s refused: %s", s->nsp, msg);
    s->state = SIO__CS_OFF;
    s->active = 0;
    sio__csock_tell_error(s, msg, data);
    sio__free(s->cl->b.loop.alloc, dcopy);
    sio__mgr_check_idle(s->cl);
}

static void sio__mgr_dispatch(void *conn, const sio_packet *p, const sio_str *bins, int nbins) {
    sio_client *cl = (sio_client *)conn;
    sio_client_socket *s = sio__mgr_socket(cl, p->nsp.ptr, p->nsp.len);
    unsigned gen = cl->eio.gen;
    if (!s) return;   /* a namespace we do not know: ignored, as in Node */
    switch (p->type) {
    case SIO_PKT_CONNECT:
        if (p->json.type != SIO_JSON_OBJECT && !(cl->eio.protocol == 3 && !p->data.len))
            sio__eioc_lost(&cl->eio, "parse error");
        else sio__csock_connected(s, p);
        return;
    case SIO_PKT_CONNECT_ERROR:
        if (s->state == SIO__CS_CONNECTING) sio__csock_refused(s, p);
        return;
    case SIO_PKT_DISCONNECT:
        if (s->state != SIO__CS_CONNECTED) return;
        s->state = SIO__CS_OFF;
        s->active = 0;
        s->id[0] = 0;
        sio__acks_clear(&s->acks, SIO_ERR_CLOSED, sio__cl_ack_unsent);
        sio__csock_tell_disconnect(s, "io server disconnect");
        if (gen == cl->eio.gen) sio__mgr_check_idle(cl);
        return;
    case SIO_PKT_EVENT:
    case SIO_PKT_BINARY_EVENT:
        if (s->state == SIO__CS_CONNECTING) sio__csock_keep_early(s, p, bins, nbins);
        else if (s->state == SIO__CS_CONNECTED) sio__csock_event(s, p, bins, nbins);
        return;
    default: /* ACK, BINARY_ACK */
        sio__acks_answer(&s->acks, p, bins, nbins);
        return;
    }
}

static void sio__mgr_fail(void *conn, const char *reason, const char *why) {
    sio_client *cl = (sio_client *)conn;
    SIO__CLOG(cl, SIO_LOG_INFO, "%s", why);
    sio__eioc_lost(&cl->eio, reason);
}

/* ---- what the Engine.IO connection tells ---- */

static void sio__mgr_opened(sio__eioc *x, void *user) {
    sio_client *cl = (sio_client *)user;
    sio_client_socket *s;
    unsigned gen = x->gen;
    if (cl->reconnecting) {
        int tries = cl->attempts;
        cl->reconnecting = 0;
        cl->attempts = 0;
        if (cl->desc.on_reconnect) cl->desc.on_reconnect(cl, tries, cl->desc.user);
        if (!sio__mgr_open(cl)) return;
    }
    cl->attempts = 0;
    /* every socket that wants to be connected asks to */
    for (s = cl->sockets; s && gen == x->gen; s = s->next)
        if (s->active && s->state == SIO__CS_OFF) sio__csock_send_connect(s);
}

static void sio__mgr_message(sio__eioc *x, char *data, size_t len, int binary, void *user) {
    sio_client *cl = (sio_client *)user;
    (void)x;
    sio__receive(&sio__cl_rx, cl, cl->b.loop.alloc, &cl->bin, data, len, binary, SIO_MAX_ATTACHMENTS,
                 SIO_JSON_MAX_DEPTH, cl->desc.parser, &cl->b.logger);
}

static void sio__mgr_closed(sio__eioc *x, const char *reason, int was_open, void *user) {
    sio_client *cl = (sio_client *)user;
    sio_client_socket *s;
    sio__binpend_free(cl->b.loop.alloc, cl->bin);   /* a packet being dispatched is not here */
    cl->bin = NULL;
    if (!reason) {
        /* closed as asked; a socket opened meanwhile wants a new link */
        cl->closed = 1;
        for (s = cl->sockets; s && !cl->destroying; s = s->next)
            if (s->active) {
                cl->skip_reconnect = 0;
                cl->closed = 0;
                sio__eioc_open(x);
                return;
            }
        return;
    }
    sio__mgr_sockets_down(cl, reason, was_open);
    if (x->state != SIO__EC_IDLE || cl->destroying) return;   /* a handler closed or reopened it */
    cl->reconnecting = 0;                                     /* an attempt that failed: the next one */
    sio__mgr_reconnect(cl);
}

static const sio__eioc_handlers sio__mgr_eioc = {sio__mgr_opened, sio__mgr_message, sio__mgr_closed};

/* ---- public API ---- */

static char *sio__mgr_strdup(sio_client *cl, const char *s) {
    return s ? sio__strndup(cl->b.loop.alloc, s, strlen(s)) : NULL;
}

/* The URL: scheme (TLS), host, port, and its path as the namespace, as
   io("http://host/admin") does. */
static int sio__mgr_url(sio_client *cl) {
    sio__url *u = &cl->eio.url;
    const char *tr = cl->desc.transports;
    int rc;
    cl->url_copy = sio__mgr_strdup(cl, cl->desc.url);
    rc = cl->url_copy ? sio__url_parse(cl->url_copy, u) : SIO_ERR_NOMEM;
    if (rc == SIO_ERR_UNSUPPORTED)
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: https:// and wss:// need TLS, which this build does not have", cl->desc.url);
    else if (rc == SIO_ERR_INVALID)
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: not a http://, https://, ws:// or wss:// URL with a valid host and port",
                  cl->desc.url);
#ifdef SIO_TLS_BEARSSL
    if (rc == SIO_OK && u->tls) {
        char why[256];
        sio__tls_ctx *ctx = NULL;
        rc = sio__tls_ctx_new(cl->b.loop.alloc, &cl->desc.tls, 0, &ctx, why, sizeof why);
        if (rc != SIO_OK) SIO__CLOG(cl, SIO_LOG_ERROR, "TLS: %s", why);
        cl->tls_ctx = cl->eio.tls_ctx = cl->eio.get.tls_ctx = cl->eio.post.tls_ctx = ctx;
        cl->eio.get.tls_host = cl->eio.post.tls_host = u->host;
        if (rc == SIO_OK && cl->desc.tls.insecure_skip_verify)
            SIO__CLOG(cl, SIO_LOG_WARN, "TLS certificate verification is OFF: anyone on the path can read and "
                                        "change this connection");
    }
#endif
    if (rc != SIO_OK) return rc;
    if (!tr || !*tr || strcmp(tr, "auto") == 0) cl->eio.allow_polling = cl->eio.allow_ws = 1;
    else if (strcmp(tr, "polling") == 0) cl->eio.allow_polling = 1;
    else if (strcmp(tr, "websocket") == 0) cl->eio.allow_ws = 1;
    else {
        SIO__CLOG(cl, SIO_LOG_ERROR, "transports: \"%s\" is not auto, polling or websocket", tr);
        return SIO_ERR_INVALID;
    }
    if (!u->path || u->path_len <= 1) {
        strcpy(cl->default_nsp, "/");
    } else if (u->path_len > SIO_MAX_NSP_LEN) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: the namespace in the URL is over SIO_MAX_NSP_LEN", cl->desc.url);
        return SIO_ERR_INVALID;
    } else {
        memcpy(cl->default_nsp, u->path, u->path_len);
    }
    return SIO_OK;
}

/* Path, query and extra headers, owned: they go into every request, so
   nothing in them may end a line or the head. */
static int sio__mgr_request_parts(sio_client *cl) {
    const char *hdr = cl->desc.headers ? cl->desc.headers : "", *qs = cl->desc.query;
    size_t hl = strlen(hdr);
    sio_buf q;
    if (hl && (hl < 2 || hdr[hl - 2] != '\r' || hdr[hl - 1] != '\n' || strstr(hdr, "\r\n\r\n") || hdr[0] == '\r')) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "headers: not whole \"K: V\\r\\n\" lines");
        return SIO_ERR_INVALID;
    }
    cl->headers = sio__mgr_strdup(cl, hdr);
    cl->path = sio__mgr_strdup(cl, cl->desc.path ? cl->desc.path : "/socket.io/");
    memset(&q, 0, sizeof q);
    q.alloc = cl->b.loop.alloc;
    if (qs && *qs) {
        sio_buf_appendc(&q, '&');
        sio_buf_appends(&q, qs[0] == '?' || qs[0] == '&' ? qs + 1 : qs);
    }
    if (cl->eio.url.query && cl->eio.url.query_len) {
        sio_buf_appendc(&q, '&');
        sio_buf_append(&q, cl->eio.url.query, cl->eio.url.query_len);
    }
    sio_buf_appendc(&q, 0);
    cl->query = q.err ? NULL : q.data;
    if (q.err) sio_buf_free(&q);
    if (!cl->headers || !cl->path || !cl->query) return SIO_ERR_NOMEM;
    if (strpbrk(cl->path, " \r\n") || strpbrk(cl->query, " \r\n#")) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "path or query: no spaces, CR, LF or '#' allowed");
        return SIO_ERR_INVALID;
    }
    cl->eio.path = cl->path;
    cl->eio.query = cl->query;
    cl->eio.headers = cl->headers;
    return SIO_OK;
}

/* The Host header, and whether the host could ever resolve: it is
   resolved on each attempt, here only checked. */
static int sio__mgr_host(sio_client *cl) {
    sio__eioc *x = &cl->eio;
    unsigned char qb[SIO__DNS_MAX_QUERY];
    sio__addrs probe;
    int lit;
    if (x->url.v6) snprintf(x->hosthdr, sizeof x->hosthdr, "[%s]:%d", x->url.host, x->url.port);
    else snprintf(x->hosthdr, sizeof x->hosthdr, "%s:%d", x->url.host, x->url.port);
    probe.n = 0;
    lit = sio__addr_literal(x->url.host, x->url.port, &probe);
    if (x->url.v6 ? lit != 1 : (lit == 0 && sio__dns_query(qb, sizeof qb, 0, x->url.host, 1) < 0)) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "%s: not a valid host name or address", x->url.host);
        return SIO_ERR_INVALID;
    }
    if (cl->desc.dns_server && sio__hostport_parse(cl->desc.dns_server, &x->res.server) != SIO_OK) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "dns_server \"%s\": not ip:port or [ipv6]:port", cl->desc.dns_server);
        return SIO_ERR_INVALID;
    }
    return SIO_OK;
}

SIO_API sio_client *sio_client_create(const sio_client_desc *desc, int *err) {
    sio_client *cl;
    int rc = SIO_ERR_INVALID;
    if (!desc || !desc->url ||
        !(cl = (sio_client *)(void *)sio__base_new(sizeof *cl, &desc->allocator, &desc->logger, desc->max_output, &rc))) {
        if (err) *err = rc;
        return NULL;
    }
    cl->desc = *desc;
    cl->tmp.alloc = cl->mp.alloc = cl->b.loop.alloc;
    cl->reconnect_timer.fn = sio__mgr_reconnect_due;
    if (cl->desc.reconnection_delay_ms <= 0) cl->desc.reconnection_delay_ms = SIO_CLIENT_RECONNECT_DELAY_MS;
    if (cl->desc.reconnection_delay_max_ms <= 0) cl->desc.reconnection_delay_max_ms = SIO_CLIENT_RECONNECT_DELAY_MAX_MS;
    if (cl->desc.randomization_factor == 0) cl->desc.randomization_factor = 0.5;
    if (cl->desc.timeout_ms <= 0) cl->desc.timeout_ms = SIO_CLIENT_TIMEOUT_MS;
    if (cl->desc.resolve_timeout_ms <= 0) cl->desc.resolve_timeout_ms = SIO_CLIENT_RESOLVE_TIMEOUT_MS;
    if (cl->desc.max_buffered == 0) cl->desc.max_buffered = SIO_CLIENT_MAX_BUFFERED;
    sio__eioc_init(&cl->eio, &cl->b.loop, &cl->b.rng, &cl->b.logger, &sio__mgr_eioc, cl);
    cl->eio.protocol = cl->desc.eio_version == 3 ? 3 : 4;
    cl->eio.timeout_ms = cl->desc.timeout_ms;
    cl->eio.res.timeout_ms = cl->desc.resolve_timeout_ms;
    rc = sio__parser_check(&cl->b.logger, cl->desc.parser);
    if (rc == SIO_OK) rc = sio__mgr_url(cl);
    if (rc == SIO_OK) rc = sio__mgr_request_parts(cl);
    if (rc == SIO_OK) rc = sio__mgr_host(cl);
    if (rc != SIO_OK) {
        sio_client_destroy(cl);
        if (err) *err = rc;
        return NULL;
    }
    /* a socket.io 2 server joins "/" at the handshake, which must carry
       its connect data: the link waits for the first socket */
    if (cl->eio.protocol == 3) cl->closed = 1;
    else sio__eioc_open(&cl->eio);
    if (err) *err = SIO_OK;
    return cl;
}

SIO_API void *sio_client_user(const sio_client *c) { return c ? c->desc.user : NULL; }

/* v3: the handshake's query with the connect data of "/" added. */
static int sio__mgr_query3(sio_client *cl) {
    sio_client_socket *root = sio__mgr_socket(cl, "/", 1);
    sio_buf q;
    memset(&q, 0, sizeof q);
    q.alloc = cl->b.loop.alloc;
    sio_buf_appends(&q, cl->query);
    if (root && root->auth && strcmp(root->auth, "{}") != 0) {
        sio_buf_appendc(&q, '&');
        sio__auth_query(&q, root->auth);
    }
    sio_buf_appendc(&q, 0);
    if (q.err) {
        sio_buf_free(&q);
        return SIO_ERR_NOMEM;
    }
    sio__free(cl->b.loop.alloc, cl->query3);
    cl->query3 = q.data;
    cl->eio.query = cl->query3;
    return SIO_OK;
}

SIO_API sio_client_socket *sio_client_socket_open(sio_client *cl, const char *nsp, const char *auth_json) {
    sio_client_socket *s, **pp;
    const sio_allocator *a;
    char *auth = NULL;
    if (!cl) return NULL;
    a = cl->b.loop.alloc;
    if (!nsp) nsp = cl->default_nsp;
    if (nsp[0] != '/' || strlen(nsp) > SIO_MAX_NSP_LEN || strchr(nsp, ',')) {
        SIO__CLOG(cl, SIO_LOG_ERROR, "sio_client_socket_open: \"%.40s\" is not a namespace (\"/name\", no ',')", nsp);
        return NULL;
    }
    if (auth_json) {
        sio_json j;
        if (sio_json_parse(auth_json, strlen(auth_json), &j) != SIO_OK || j.type != SIO_JSON_OBJECT) {
            SIO__CLOG(cl, SIO_LOG_ERROR, "sio_client_socket_open: auth is not a JSON object");
            return NULL;
        }
        if (!(auth = sio__strndup(a, auth_json, strlen(auth_json)))) return NULL;
    }
    if (!(s = sio__mgr_socket(cl, nsp, strlen(nsp)))) {
        if (!(s = (sio_client_socket *)sio__malloc(a, sizeof *s))) {
            sio__free(a, auth);
            return NULL;
        }
        memset(s, 0, sizeof *s);
        s->cl = cl;
        s->held.alloc = a;
        sio__acks_init(&s->acks, &cl->b.loop);
        if (!(s->nsp = sio__strndup(a, nsp, strlen(nsp)))) {
            sio__free(a, auth);
            sio__free(a, s);
            return NULL;
        }
        /* appended, so namespaces are joined in the order they were opened */
        for (pp = &cl->sockets; *pp; pp = &(*pp)->next) {}
        *pp = s;
    }
    sio__free(a, s->auth);
    s->auth = auth;
    if (cl->eio.protocol == 3 && strcmp(nsp, "/") == 0 && sio__mgr_query3(cl) != SIO_OK) return NULL;
    if (s->active) return s;
    s->active = 1;
    if (sio__mgr_open(cl)) {
        sio__csock_send_connect(s);
    } else if (cl->closed) {
        cl->skip_reconnect = 0;
        cl->attempts = 0;
        cl->closed = 0;
        sio__eioc_open(&cl->eio);
    }
    return s;
}

SIO_API void sio_client_socket_close(sio_client_socket *s) {
    sio_client *cl;
    int was;
    if (!s || !s->active) return;
    cl = s->cl;
    was = s->state;
    if (was == SIO__CS_CONNECTED && sio__mgr_open(cl)) {
        sio_buf_reset(&cl->tmp);
        sio_packet_write(&cl->tmp, SIO_PKT_DISCONNECT, 0, s->nsp, strlen(s->nsp), -1, NULL, 0);
        sio__mgr_send(cl, cl->tmp.data, cl->tmp.len, NULL, 0);
    }
    s->active = 0;
    s->state = SIO__CS_OFF;
    s->id[0] = 0;
    sio_buf_free(&s->held);
    sio_buf_free(&s->early);
    sio__acks_clear(&s->acks, SIO_ERR_CLOSED, NULL);
    if (was == SIO__CS_CONNECTED) sio__csock_tell_disconnect(s, "io client disconnect");
    sio__mgr_check_idle(cl);
}

SIO_API sio_client *sio_client_socket_client(const sio_client_socket *s) { return s ? s->cl : NULL; }
SIO_API const char *sio_client_socket_id(const sio_client_socket *s) { return s ? s->id : ""; }
SIO_API int sio_client_connected(const sio_client_socket *s) {
    return s && s->state == SIO__CS_CONNECTED && sio__mgr_open(s->cl);
}
SIO_API int sio_client_socket_recovered(const sio_client_socket *s) { return s ? s->recovered : 0; }

SIO__DEFINE_ON_EVENT(sio_client_on, sio_client_socket, sio_client_event_fn, o->cl->b.loop.alloc)
SIO__DEFINE_ON(sio_client_on_connect, sio_client_socket, sio_client_socket_fn, listeners, "connect", o->cl->b.loop.alloc)
SIO__DEFINE_ON(sio_client_on_disconnect, sio_client_socket, sio_client_disconnect_fn, listeners, "disconnect",
               o->cl->b.loop.alloc)
SIO__DEFINE_ON(sio_client_on_connect_error, sio_client_socket, sio_client_error_fn, listeners, "connect_error",
               o->cl->b.loop.alloc)

static void sio__cl_ack_done(sio__pending *p, int err, const sio_args *args) {
    sio__cl_ack *a = (sio__cl_ack *)(void *)p;
    sio_client_socket *s = a->s;
    a->fn(s, err, args, a->user);
    sio__free(s->cl->b.loop.alloc, a);
}

static int sio__csock_emit(sio_client_socket *s, const char *event, const sio_msg *args, int timeout_ms,
                           sio_client_ack_fn fn, void *user, int is_volatile) {
    sio_client *cl;
    sio__cl_ack *a = NULL;
    int rc;
    if (!s || !sio__event_name_ok(event)) return SIO_ERR_INVALID;
    if (!s->active) return SIO_ERR_STATE;
    cl = s->cl;
    if (fn) {
        if (!(a = (sio__cl_ack *)sio__malloc(cl->b.loop.alloc, sizeof *a))) return SIO_ERR_NOMEM;
        memset(a, 0, sizeof *a);
        a->p.id = s->next_ack++;
        a->p.done = sio__cl_ack_done;
        a->s = s;
        a->fn = fn;
        a->user = user;
        a->sent = s->state == SIO__CS_CONNECTED;
        /* the deadline runs from the emit, held or not, as in Node */
        if ((rc = sio__ack_wait(&s->acks, &a->p, timeout_ms)) != SIO_OK) {
            sio__free(cl->b.loop.alloc, a);
            return rc;
        }
    }
    rc = sio__packet_build(&cl->tmp, SIO_PKT_EVENT, s->nsp, a ? a->p.id : -1, event, args);
    if (rc == SIO_OK) rc = sio__csock_out(s, args, !is_volatile);
    if (rc != SIO_OK && a) {
        sio__acks_del(&a->p);
        sio__free(cl->b.loop.alloc, a);
    }
    return rc;
}

SIO_API int sio_client_emit(sio_client_socket *s, const char *event, const sio_msg *args) {
    return sio__csock_emit(s, event, args, 0, NULL, NULL, 0);
}

SIO_API int sio_client_emit_ack(sio_client_socket *s, const char *event, const sio_msg *args, int timeout_ms,
                                sio_client_ack_fn fn, void *user) {
    if (!fn) return SIO_ERR_INVALID;
    return sio__csock_emit(s, event, args, timeout_ms, fn, user, 0);
}

SIO_API int sio_client_emit_volatile(sio_client_socket *s, const char *event, const sio_msg *args) {
    return sio__csock_emit(s, event, args, 0, NULL, NULL, 1);
}

SIO_API int sio_client_ack(sio_client_socket *s, long long ack_id, const sio_msg *args) {
    sio_client *cl;
    int rc;
    if (!s || ack_id < 0) return SIO_ERR_INVALID;
    cl = s->cl;
    if (s->state != SIO__CS_CONNECTED || !sio__mgr_open(cl)) return SIO_ERR_CLOSED;
    rc = sio__packet_build(&cl->tmp, SIO_PKT_ACK, s->nsp, ack_id, NULL, args);
    if (rc != SIO_OK) return rc;
    return sio__csock_out(s, args, 0);
}

SIO__DEFINE_JSON(sio_client_emit_json, sio_client_socket, const char *, sio_client_emit)
SIO__DEFINE_JSON(sio_client_ack_json, sio_client_socket, long long, sio_client_ack)

SIO_API const char *sio_client_transport(const sio_client *c) {
    if (!c || c->eio.state != SIO__EC_OPEN) return "";
    return c->eio.transport == SIO__T_WEBSOCKET ? "websocket" : "polling";
}

SIO_API int sio_client_closed(const sio_client *c) { return !c || c->closed; }

SIO_API sio_timer *sio_client_timer(sio_client *c, int ms, int every_ms, sio_timer_fn fn, void *user) {
    return c ? sio__utimer_new(&c->b, ms, every_ms, fn, user) : NULL;
}

SIO_API int sio_client_poll(sio_client *c, int timeout_ms) {
    if (!c) return SIO_ERR_INVALID;
    return sio__loop_poll(&c->b.loop, timeout_ms);
}

SIO_API int sio_client_fds(sio_client *c, struct pollfd *fds, int max, int *timeout_ms) {
    if (!c || (!fds && max > 0) || !timeout_ms) return SIO_ERR_INVALID;
    return sio__loop_fds(&c->b.loop, fds, max, timeout_ms);
}

SIO_API int sio_client_process(sio_client *c, const struct pollfd *fds, int n) {
    if (!c || (!fds && n > 0)) return SIO_ERR_INVALID;
    return sio__loop_process_fds(&c->b.loop, fds, n);
}

SIO_API int sio_client_run(sio_client *c) {
    int rc = SIO_OK;
    if (!c) return SIO_ERR_INVALID;
    c->stop = 0;
    while (!c->stop && !c->closed && rc == SIO_OK) rc = sio_client_poll(c, 1000);
    /* let the last packets (DISCONNECT, close) leave */
    sio__loop_flush(&c->b.loop);
    return rc;
}

SIO_API void sio_client_stop(sio_client *c) {
    if (c) {
        c->stop = 1;
        c->b.loop.stop = 1;
    }
}

SIO_API void sio_client_disconnect(sio_client *cl) {
    sio_client_socket *s;
    if (!cl) return;
    cl->skip_reconnect = 1;
    for (s = cl->sockets; s; s = s->next) sio_client_socket_close(s);
    if (!cl->closed) sio__mgr_shutdown(cl);
}

SIO_API void sio_client_destroy(sio_client *cl) {
    const sio_allocator *a;
    if (!cl) return;
    a = cl->b.loop.alloc;
    if (cl->b.loop.scratch) {
        sio_client_disconnect(cl);
        sio__loop_flush(&cl->b.loop);
    }
    cl->destroying = 1;
    while (cl->sockets) {
        sio_client_socket *s = cl->sockets;
        cl->sockets = s->next;
        sio__acks_clear(&s->acks, SIO_ERR_CLOSED, NULL);
        sio__acks_free(&s->acks);
        sio__handlers_free(&s->handlers, a);
        sio__handlers_free(&s->listeners, a);
        sio_buf_free(&s->held);
        sio_buf_free(&s->early);
        sio__free(a, s->auth);
        sio__free(a, s->nsp);
        sio__free(a, s);
    }
    sio__eioc_free(&cl->eio);
    sio__loop_close_all(&cl->b.loop);
#ifdef SIO_TLS_BEARSSL
    if (cl->tls_ctx) sio__tls_ctx_free((sio__tls_ctx *)cl->tls_ctx);
#endif
    sio_buf_free(&cl->tmp);
    sio_buf_free(&cl->mp);
    sio__binpend_free(a, cl->bin);
    sio__free(a, cl->path);
    sio__free(a, cl->query);
    sio__free(a, cl->query3);
    sio__free(a, cl->headers);
    sio__free(a, cl->url_copy);
    sio__base_free(&cl->b);
}
#endif /* SIO_NO_CLIENT */

/* =====================================================================
   >>stream: byte streams, wire-compatible with socket.io-stream 0.9.x
   =====================================================================
   What the npm package puts on the wire, learnt by logging its packets
   between socket.io 4.8 peers (the words below are ours):

   * Opening. ss(socket).emit("upload", stream, {name: "a"}) is an
     ordinary event named "$stream" whose first argument is the user's
     event name; every stream argument is replaced by an object holding a
     random UUID (plus "options" when the stream was created with some):
         42["$stream","upload",{"$stream":"c977d60a-...-4ef708fa8e17"},{"name":"a"}]
     Both ends then know the stream by that id, in one map per socket
     holding the streams of both directions.
   * Pulling. The side that reads asks for one chunk at a time; the size
     is Node's highWaterMark and nobody looks at it:
         42["$stream-read","c977...",16384]
   * Writing. One chunk per request, as a binary attachment with the
     encoding name, and with an ack:
         451-["$stream-write","c977...",{"_placeholder":true,"num":0},"buffer"] + <bytes>
     The reader acks with no arguments (43[] ) when it hands the chunk on,
     so a slow consumer delays the ack; an unknown id is acked with
     ["invalid stream id: <id>"]. A Node writer sends a chunk only when it
     holds an unanswered read AND its previous chunk was acked: that pair
     is the whole back-pressure scheme. Chunks are strings when the sender
     forces base64 (encoding "base64").
   * Ending. The writer sends 42["$stream-end","c977..."] after its last
     ack. Node streams are not half-open by default, so the reader answers
     with a $stream-end of its own once it has consumed everything; either
     end may ignore a $stream-end for an id it already forgot.
   * Errors. 42["$stream-error","c977...","message"]: the receiver's stream
     emits 'error' and is dropped. A lost connection drops every stream of
     the socket ("Connection aborted") without any packet.

   Our side follows the same rules: a reader keeps one read request
   outstanding and acks each chunk once it has been handed to on_data; a
   writer sends one chunk per request, with at most SIO_STREAM_MAX_UNACKED
   chunks unacked, from a queue of at most SIO_STREAM_HIGH_WATER bytes.
   Handlers of the library and the user's calls may close a stream while
   some function up the call stack still holds it, so closed streams sit on
   a dead list until the outermost entry into the hub returns. */

typedef struct sio__stream_ackrec {
    sio_stream_hub *hub;
    sio_stream *st;                    /* NULL once the stream is gone */
    struct sio__stream_ackrec *prev, *next;
} sio__stream_ackrec;

typedef struct sio__stream_held {      /* a chunk not yet handed to the user */
    struct sio__stream_held *next;
    long long ack_id;
    size_t len;
} sio__stream_held;                     /* the bytes follow the header */

typedef struct sio__stream_ops {
    int (*emit)(void *sock, const char *event, const sio_msg *m);
    int (*emit_ack)(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec);
    int (*ack)(void *sock, long long id, const sio_msg *m);
} sio__stream_ops;

struct sio_stream {
    sio_stream_hub *hub;
    void *sock;
    char id[SIO_STREAM_MAX_ID + 1];
    sio_stream_handlers h;
    sio_stream *prev, *next;           /* the hub's live or dead list */
    int dead;
    /* reading */
    int reading, read_req, paused, peer_ended, end_delivered;
    sio__stream_held *held, **held_tail;
    size_t held_bytes;
    int dst_fd, dst_close;
    /* writing */
    int want, unacked, ending, end_sent, need_drain, pumping;
    sio_buf wq;
    int src_fd, src_close;
    unsigned long long in, out;
};

struct sio_stream_hub {
    const sio__stream_ops *ops;
    const sio_allocator *alloc;
    sio_namespace *nsp;                /* server hubs */
#ifndef SIO_NO_CLIENT
    sio_client_socket *cs;             /* client hubs */
#endif
    sio__handler *handlers;            /* sio_stream_event_fn */
    sio_stream *live, *dead;
    sio__stream_ackrec *acks;
    int depth;
    sio__rng *rng;                     /* its server's or client's */
    sio_buf tmp;                       /* string chunks, decoded */
};

static const char *const sio__stream_events[] = {"$stream", "$stream-read", "$stream-write", "$stream-end",
                                                 "$stream-error"};

/* ---- hub bookkeeping ---- */

static void sio__stream_free(sio_stream *st) {
    const sio_allocator *a = st->hub->alloc;
    while (st->held) {
        sio__stream_held *c = st->held;
        st->held = c->next;
        sio__free(a, c);
    }
    sio_buf_free(&st->wq);
    sio__free(a, st);
}

static void sio__stream_enter(sio_stream_hub *hub) { hub->depth++; }

static void sio__stream_leave(sio_stream_hub *hub) {
    if (--hub->depth > 0) return;
    while (hub->dead) {
        sio_stream *st = hub->dead;
        hub->dead = st->next;
        sio__stream_free(st);
    }
}

static void sio__stream_unlink(sio_stream *st) {
    if (st->prev) st->prev->next = st->next;
    else st->hub->live = st->next;
    if (st->next) st->next->prev = st->prev;
    st->prev = st->next = NULL;
}

static void sio__stream_close_fds(sio_stream *st) {
    if (st->src_fd >= 0 && st->src_close) close(st->src_fd);
    if (st->dst_fd >= 0 && st->dst_close) close(st->dst_fd);
    st->src_fd = st->dst_fd = -1;
}

/* ---- packets ---- */

/* [id] or [id, text] or [id, number]: read, end and error requests. */
static int sio__stream_send(sio_stream *st, const char *event, const char *text, long long num) {
    sio_msg m;
    int rc;
    sio_msg_init(&m);
    sio_json_str(&m.w, st->id);
    if (text) sio_json_str(&m.w, text);
    if (num >= 0) sio_json_int(&m.w, num);
    rc = m.w.err ? m.w.err : m.buf.err;
    if (rc == SIO_OK) rc = st->hub->ops->emit(st->sock, event, &m);
    sio_msg_free(&m);
    return rc;
}

/* Closes st: optionally tells the peer ($stream-error) and the user
   (on_close). The memory goes when the hub is left. */
static void sio__stream_close(sio_stream *st, int err, const char *message, int tell_peer, int tell_user) {
    sio_stream_hub *hub = st->hub;
    sio__stream_ackrec *r;
    if (st->dead) return;
    if (tell_peer) sio__stream_send(st, "$stream-error", message ? message : sio_strerror(err), -1);
    st->dead = 1;
    sio__stream_unlink(st);
    st->next = hub->dead;
    hub->dead = st;
    for (r = hub->acks; r; r = r->next)
        if (r->st == st) r->st = NULL;
    sio__stream_close_fds(st);
    if (tell_user && st->h.on_close) st->h.on_close(st, err, message, st->h.user);
}

static void sio__stream_fail_errno(sio_stream *st, int e) {
    sio__stream_close(st, SIO_ERR_IO, strerror(e), 1, 1);
}

static int sio__stream_count(sio_stream_hub *hub, void *sock) {
    sio_stream *st;
    int n = 0;
    for (st = hub->live; st; st = st->next)
        if (st->sock == sock) n++;
    return n;
}

static sio_stream *sio__stream_find(sio_stream_hub *hub, void *sock, const char *id) {
    sio_stream *st;
    for (st = hub->live; st; st = st->next)
        if (st->sock == sock && strcmp(st->id, id) == 0) return st;
    return NULL;
}

static sio_stream *sio__stream_new(sio_stream_hub *hub, void *sock, const char *id) {
    sio_stream *st = (sio_stream *)sio__malloc(hub->alloc, sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->hub = hub;
    st->sock = sock;
    snprintf(st->id, sizeof st->id, "%s", id);
    st->held_tail = &st->held;
    st->dst_fd = st->src_fd = -1;
    st->wq.alloc = hub->alloc;
    st->next = hub->live;
    if (hub->live) hub->live->prev = st;
    hub->live = st;
    return st;
}

/* A version-4 UUID as socket.io-stream makes them: 8-4-4-4-12 hex. */
static void sio__stream_uuid(sio_stream_hub *hub, char out[37]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    int i, k = 0;
    sio__rng_bytes(hub->rng, r, sizeof r);
    for (i = 0; i < 36; i++) {
        unsigned v;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            out[i] = '-';
            continue;
        }
        v = (unsigned)(r[k / 2] >> (4 * (k & 1))) & 15u;
        k++;
        if (i == 14) v = 4;
        if (i == 19) v = 8 | (v & 3);
        out[i] = hex[v];
    }
    out[36] = 0;
}

/* ---- writing side ---- */

static int sio__stream_send_chunk(sio_stream *st, size_t n) {
    sio_stream_hub *hub = st->hub;
    sio__stream_ackrec *rec = (sio__stream_ackrec *)sio__malloc(hub->alloc, sizeof *rec);
    sio_msg m;
    int rc;
    if (!rec) return SIO_ERR_NOMEM;
    rec->hub = hub;
    rec->st = st;
    rec->prev = NULL;
    rec->next = hub->acks;
    if (hub->acks) hub->acks->prev = rec;
    hub->acks = rec;
    sio_msg_init(&m);
    sio_json_str(&m.w, st->id);
    sio_msg_bin(&m, st->wq.data, n);
    sio_json_str(&m.w, "buffer");
    rc = m.err ? m.err : (m.w.err ? m.w.err : m.buf.err);
    /* counted first: a connection that dies inside the emit answers the
       ack (SIO_ERR_CLOSED) before the emit returns */
    st->unacked++;
    if (rc == SIO_OK) rc = hub->ops->emit_ack(st->sock, "$stream-write", &m, rec);
    sio_msg_free(&m);
    if (rc != SIO_OK) {
        st->unacked--;
        if (rec->prev) rec->prev->next = rec->next;
        else hub->acks = rec->next;
        if (rec->next) rec->next->prev = rec->prev;
        sio__free(hub->alloc, rec);
    }
    return rc;
}

/* Tops the queue up from the source descriptor: one chunk ahead at most. */
static void sio__stream_fill(sio_stream *st) {
    while (!st->dead && st->src_fd >= 0 && st->wq.len < SIO_STREAM_CHUNK) {
        ssize_t r;
        if (sio_buf_reserve(&st->wq, SIO_STREAM_CHUNK) != SIO_OK) {
            sio__stream_close(st, SIO_ERR_NOMEM, NULL, 1, 1);
            return;
        }
        r = read(st->src_fd, st->wq.data + st->wq.len, SIO_STREAM_CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r < 0) {
            sio__stream_fail_errno(st, errno);
            return;
        }
        if (r == 0) {
            if (st->src_close) close(st->src_fd);
            st->src_fd = -1;
            st->ending = 1;
            return;
        }
        st->wq.len += (size_t)r;
        st->out += (unsigned long long)r;
    }
}

static void sio__stream_check_done(sio_stream *st) {
    if (!st->dead && st->end_sent && st->unacked == 0 && !st->held && (st->peer_ended || !st->reading))
        sio__stream_close(st, SIO_OK, NULL, 0, 1);
}

/* Sends what the peer asked for, ends when everything is out and acked,
   and, when `drain` is set, tells the user there is room. Only packets
   from the peer pass drain = 1: an on_drain fired from inside the user's
   own sio_stream_write would hand them a second write before the first
   returned. Re-entered from on_drain (via sio_stream_write): the inner
   call only queues, the outer loop sends. */
static void sio__stream_pump(sio_stream *st, int drain) {
    int again = 1;
    if (st->pumping) return;
    st->pumping = 1;
    while (again && !st->dead) {
        again = 0;
        sio__stream_fill(st);
        while (!st->dead && st->want && st->unacked < SIO_STREAM_MAX_UNACKED && st->wq.len > 0) {
            size_t n = st->wq.len < SIO_STREAM_CHUNK ? st->wq.len : SIO_STREAM_CHUNK;
            int rc = sio__stream_send_chunk(st, n);
            if (rc != SIO_OK) {
                sio__stream_close(st, rc, NULL, 0, 1);
                break;
            }
            sio_buf_consume(&st->wq, n);
            st->want = 0;
            sio__stream_fill(st);
        }
        if (st->dead) break;
        if (drain && st->need_drain && !st->ending && SIO_STREAM_HIGH_WATER - st->wq.len >= SIO_STREAM_CHUNK) {
            st->need_drain = 0;
            if (st->h.on_drain) {
                st->h.on_drain(st, st->h.user);
                again = 1;
            }
        }
    }
    st->pumping = 0;
    if (st->dead) return;
    if (st->ending && !st->end_sent && st->wq.len == 0 && st->unacked == 0 && st->src_fd < 0) {
        int rc = sio__stream_send(st, "$stream-end", NULL, -1);
        if (rc != SIO_OK) {
            sio__stream_close(st, rc, NULL, 0, 1);
            return;
        }
        st->end_sent = 1;
    }
    sio__stream_check_done(st);
}

static void sio__stream_acked(sio__stream_ackrec *rec, int err, const sio_args *args) {
    sio_stream_hub *hub = rec->hub;
    sio_stream *st = rec->st;
    sio_json v;
    if (rec->prev) rec->prev->next = rec->next;
    else hub->acks = rec->next;
    if (rec->next) rec->next->prev = rec->prev;
    sio__free(hub->alloc, rec);
    if (!st || st->dead) return;
    sio__stream_enter(hub);
    st->unacked--;
    if (err != SIO_OK) {
        sio__stream_close(st, err, "Connection aborted", 0, 1);
    } else if (args && sio_args_get(args, 0, &v) == SIO_OK && v.type != SIO_JSON_NULL &&
               v.type != SIO_JSON_FALSE) {
        /* the reader refused the chunk, e.g. ["invalid stream id: ..."] */
        char msg[256];
        if (v.type == SIO_JSON_STRING) sio_json_strcpy(v, msg, sizeof msg);
        else snprintf(msg, sizeof msg, "%.*s", (int)(v.len < 200 ? v.len : 200), v.ptr);
        sio__stream_close(st, SIO_ERR_REFUSED, msg, 1, 1);
    } else {
        sio__stream_pump(st, 1);
    }
    sio__stream_leave(hub);
}

/* ---- reading side ---- */

static void sio__stream_request(sio_stream *st) {
    if (st->dead || !st->reading || st->read_req || st->paused || st->peer_ended || st->held) return;
    st->read_req = 1;
    if (sio__stream_send(st, "$stream-read", NULL, SIO_STREAM_CHUNK) != SIO_OK)
        sio__stream_close(st, SIO_ERR_CLOSED, "Connection aborted", 0, 1);
}

static void sio__stream_ack_chunk(sio_stream *st, long long ack_id) {
    sio_msg m;
    if (ack_id < 0 || st->dead) return;
    sio_msg_init(&m);
    st->hub->ops->ack(st->sock, ack_id, &m);
    sio_msg_free(&m);
}

static void sio__stream_deliver(sio_stream *st, const char *p, size_t len) {
    size_t off = 0;
    st->in += len;
    while (st->dst_fd >= 0 && off < len) {
        ssize_t w = write(st->dst_fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
#ifdef _WIN32
            Sleep(1);   /* a C runtime descriptor, which nothing polls there */
#else
            struct pollfd pf;
            pf.fd = st->dst_fd;
            pf.events = POLLOUT;
            pf.revents = 0;
            poll(&pf, 1, -1);
#endif
            continue;
        }
        if (w < 0) {
            sio__stream_fail_errno(st, errno);
            return;
        }
        off += (size_t)w;
    }
    if (st->h.on_data) st->h.on_data(st, p, len, st->h.user);
}

/* The peer ended and nothing is held: end of data for the user, then our
   own end, because a socket.io-stream peer is not half-open either. */
static void sio__stream_finish_read(sio_stream *st) {
    if (st->dead || !st->reading || st->end_delivered) return;
    st->end_delivered = 1;
    if (st->dst_fd >= 0 && st->dst_close) {
        if (close(st->dst_fd) != 0) {
            st->dst_fd = -1;
            sio__stream_fail_errno(st, errno);
            return;
        }
        st->dst_fd = -1;
    }
    if (st->h.on_end) st->h.on_end(st, st->h.user);
    if (st->dead) return;
    st->ending = 1;
    sio__stream_pump(st, 0);
}

/* Hands held chunks over while the user takes them. */
static SIO__UNUSED void sio__stream_flush_held(sio_stream *st) {
    while (!st->dead && st->held && st->reading && !st->paused) {
        sio__stream_held *c = st->held;
        st->held = c->next;
        if (!st->held) st->held_tail = &st->held;
        st->held_bytes -= c->len;
        sio__stream_deliver(st, (const char *)(c + 1), c->len);
        sio__stream_ack_chunk(st, c->ack_id);
        sio__free(st->hub->alloc, c);
    }
    if (st->dead || st->held || !st->reading || st->paused) return;
    if (st->peer_ended) sio__stream_finish_read(st);
    else sio__stream_request(st);
}

static void sio__stream_on_write(sio_stream *st, const char *p, size_t len, long long ack_id) {
    st->read_req = 0;
    if (st->held || !st->reading || st->paused) {
        sio__stream_held *c;
        /* a Node writer sends only what was asked for; more than a high
           water mark of unasked-for data is a peer ignoring the rules */
        if (len > SIO_STREAM_HIGH_WATER || st->held_bytes + len > SIO_STREAM_HIGH_WATER) {
            sio__stream_close(st, SIO_ERR_TOO_BIG, "too much data not asked for", 1, 1);
            return;
        }
        c = (sio__stream_held *)sio__malloc(st->hub->alloc, sizeof *c + (len ? len : 1));
        if (!c) {
            sio__stream_close(st, SIO_ERR_NOMEM, NULL, 1, 1);
            return;
        }
        c->next = NULL;
        c->ack_id = ack_id;
        c->len = len;
        if (len) memcpy(c + 1, p, len);
        *st->held_tail = c;
        st->held_tail = &c->next;
        st->held_bytes += len;
        return;
    }
    sio__stream_deliver(st, p, len);
    sio__stream_ack_chunk(st, ack_id);
    sio__stream_request(st);
}

/* ---- incoming events ---- */

static int sio__stream_id_of(sio_json v, char *id) {
    if (v.type != SIO_JSON_STRING) return 0;
    if (sio_json_strcpy(v, id, SIO_STREAM_MAX_ID + 1) > SIO_STREAM_MAX_ID) return 0;
    return id[0] != 0 && strlen(id) == sio_json_strcpy(v, NULL, 0);
}

static void sio__stream_ack_text(sio_stream_hub *hub, void *sock, long long ack_id, const char *text, const char *id) {
    sio_msg m;
    sio_buf b;
    if (ack_id < 0) return;
    memset(&b, 0, sizeof b);
    b.alloc = hub->alloc;
    sio_buf_appends(&b, text);
    sio_buf_appends(&b, id);
    sio_buf_appendc(&b, 0);
    sio_msg_init(&m);
    if (!b.err) sio_json_str(&m.w, b.data);
    hub->ops->ack(sock, ack_id, &m);
    sio_msg_free(&m);
    sio_buf_free(&b);
}

/* $stream-error for a stream that never was. */
static void sio__stream_refuse(sio_stream_hub *hub, void *sock, const char *id, const char *why) {
    sio_stream tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.hub = hub;
    tmp.sock = sock;
    snprintf(tmp.id, sizeof tmp.id, "%s", id);
    sio__stream_send(&tmp, "$stream-error", why, -1);
}

static void sio__stream_on_open(sio_stream_hub *hub, void *sock, sio_socket *ssock,
                                struct sio_client_socket *csock, const sio_args *a, long long ack_id) {
    sio_stream *streams[SIO_STREAM_MAX_PER_EVENT];
    sio_stream_event ev;
    const sio__handler *h;
    sio_json name, v, idv;
    char type[SIO_MAX_EVENT_LEN + 1], id[SIO_STREAM_MAX_ID + 1];
    size_t i, n = 0;
    if (sio_args_get(a, 0, &name) != SIO_OK || name.type != SIO_JSON_STRING) return;
    if (sio_json_strcpy(name, type, sizeof type) >= sizeof type) return;
    if (!sio__handler_next(hub->handlers, type)) return; /* as in Node: no listener, no streams decoded */
    for (i = 1; i < a->count && n < SIO_STREAM_MAX_PER_EVENT; i++) {
        sio_stream *st;
        if (sio_args_get(a, i, &v) != SIO_OK || v.type != SIO_JSON_OBJECT) continue;
        if (sio_json_get(v, "$stream", &idv) != SIO_OK || !sio__stream_id_of(idv, id)) continue;
        /* a live id reused: the newcomer is refused, the old one kept */
        if (sio__stream_find(hub, sock, id)) {
            sio__stream_refuse(hub, sock, id, "Decoded stream already exists");
            continue;
        }
        if (sio__stream_count(hub, sock) >= SIO_STREAM_MAX_PER_SOCKET) {
            sio__stream_refuse(hub, sock, id, "too many streams");
            continue;
        }
        st = sio__stream_new(hub, sock, id);
        if (!st) break;
        streams[n++] = st;
    }
    memset(&ev, 0, sizeof ev);
    ev.hub = hub;
    ev.socket = ssock;
    ev.client = csock;
    ev.name.ptr = type;
    ev.name.len = strlen(type);
    ev.stream = n ? streams[0] : NULL;
    ev.streams = streams;
    ev.nstreams = n;
    ev.args = *a;
    sio__args_shift(&ev.args);
    ev.ack_id = ack_id;
    for (h = sio__handler_next(hub->handlers, type); h; h = sio__handler_next(h->next, type))
        ((sio_stream_event_fn)h->fn)(&ev, h->user);
}

/* Chunk bytes from the $stream-write arguments: a binary attachment, a
   base64 string (forceBase64 senders), any other string as its UTF-8, or
   null for an empty chunk. */
static int sio__stream_chunk(sio_stream_hub *hub, const sio_args *a, const char **p, size_t *len) {
    sio_json v, enc;
    sio_str bin;
    if (sio_args_get(a, 1, &v) != SIO_OK || v.type == SIO_JSON_NULL) {
        *p = "";
        *len = 0;
        return SIO_OK;
    }
    if (sio_args_bin(a, v, &bin)) {
        *p = bin.ptr;
        *len = bin.len;
        return SIO_OK;
    }
    if (v.type != SIO_JSON_STRING) return SIO_ERR_PROTOCOL;
    sio_buf_reset(&hub->tmp);
    if (sio_buf_reserve(&hub->tmp, v.len + 1) != SIO_OK) return SIO_ERR_NOMEM;
    if (sio_args_get(a, 2, &enc) == SIO_OK && sio_json_str_eq(enc, "base64")) {
        sio_str raw = sio_json_raw_str(v);
        size_t n = 0;
        if (sio_base64_decode(raw.ptr, raw.len, (unsigned char *)hub->tmp.data, hub->tmp.cap, &n) != SIO_OK)
            return SIO_ERR_PROTOCOL;
        *len = n;
    } else {
        *len = sio_json_strcpy(v, hub->tmp.data, hub->tmp.cap);
    }
    *p = hub->tmp.data;
    return SIO_OK;
}

static void sio__stream_incoming(sio_stream_hub *hub, void *sock, sio_socket *ssock,
                                 struct sio_client_socket *csock, sio_str name, const sio_args *args,
                                 long long ack_id) {
    sio_stream *st;
    sio_json v;
    char id[SIO_STREAM_MAX_ID + 1];
    sio__stream_enter(hub);
    if (name.len == 7) { /* "$stream" */
        sio__stream_on_open(hub, sock, ssock, csock, args, ack_id);
        sio__stream_leave(hub);
        return;
    }
    if (sio_args_get(args, 0, &v) != SIO_OK || !sio__stream_id_of(v, id)) {
        sio__stream_leave(hub);
        return;
    }
    st = sio__stream_find(hub, sock, id);
    if (name.len == 13 && memcmp(name.ptr, "$stream-write", 13) == 0) {
        const char *p = NULL;
        size_t len = 0;
        int rc;
        if (!st) {
            sio__stream_ack_text(hub, sock, ack_id, "invalid stream id: ", id);
        } else if ((rc = sio__stream_chunk(hub, args, &p, &len)) != SIO_OK) {
            sio__stream_close(st, rc, "bad chunk", 1, 1);
        } else {
            sio__stream_on_write(st, p, len, ack_id);
        }
    } else if (!st) {
        /* read, end or error for a stream already forgotten: Node ignores them too */
    } else if (name.len == 12 && memcmp(name.ptr, "$stream-read", 12) == 0) {
        st->want = 1;
        sio__stream_pump(st, 1);
    } else if (name.len == 11 && memcmp(name.ptr, "$stream-end", 11) == 0) {
        st->peer_ended = 1;
        st->read_req = 0;
        if (st->reading && !st->paused && !st->held) sio__stream_finish_read(st);
        else sio__stream_check_done(st);
    } else if (name.len == 13 && memcmp(name.ptr, "$stream-error", 13) == 0) {
        char msg[256];
        msg[0] = 0;
        if (sio_args_get(args, 1, &v) == SIO_OK) {
            if (v.type == SIO_JSON_STRING) sio_json_strcpy(v, msg, sizeof msg);
            else snprintf(msg, sizeof msg, "%.*s", (int)(v.len < 200 ? v.len : 200), v.ptr);
        }
        sio__stream_close(st, SIO_ERR_REFUSED, msg, 0, 1);
    }
    sio__stream_leave(hub);
}

static void sio__stream_drop_socket(sio_stream_hub *hub, void *sock) {
    sio_stream *st, *next;
    sio__stream_enter(hub);
    for (st = hub->live; st; st = next) {
        next = st->next;
        if (st->sock == sock) {
            sio__stream_close(st, SIO_ERR_CLOSED, "Connection aborted", 0, 1);
            next = hub->live; /* on_close may have closed others: start over */
        }
    }
    sio__stream_leave(hub);
}

static sio_stream_hub *sio__stream_hub_new(const sio_allocator *a, sio__rng *rng, const sio__stream_ops *ops) {
    sio_stream_hub *hub = (sio_stream_hub *)sio__malloc(a, sizeof *hub);
    if (!hub) return NULL;
    memset(hub, 0, sizeof *hub);
    hub->ops = ops;
    hub->alloc = a;
    hub->tmp.alloc = a;
    hub->rng = rng;
    return hub;
}

/* A hub on a namespace's or a client socket's lists: the $stream-*
   events, and a "disconnect" listener that runs before the
   application's, whatever it adds before or after. */
static sio_stream_hub *sio__stream_hub_attach(void **slot, sio__handler **events, sio__handler **listeners,
                                              const sio_allocator *a, sio__rng *rng, const sio__stream_ops *ops,
                                              void (*on_event)(void), void (*on_disc)(void), int *err) {
    sio_stream_hub *hub;
    size_t i;
    int rc = SIO_OK;
    if (*slot) {
        *err = SIO_ERR_STATE;   /* one hub per namespace or client socket */
        return NULL;
    }
    if (!(hub = sio__stream_hub_new(a, rng, ops))) {
        *err = SIO_ERR_NOMEM;
        return NULL;
    }
    for (i = 0; i < sizeof sio__stream_events / sizeof sio__stream_events[0] && rc == SIO_OK; i++)
        rc = sio__handler_add(events, a, sio__stream_events[i], on_event, hub, 0);
    if (rc == SIO_OK) rc = sio__handler_add(listeners, a, "disconnect", on_disc, hub, 1);
    /* handlers already added cannot be removed: on failure the hub stays
       alive but unusable rather than leave them pointing at freed memory */
    *err = rc;
    if (rc != SIO_OK) return NULL;
    *slot = hub;
    return hub;
}

/* ---- server glue ---- */
#ifndef SIO_NO_SERVER

static int sio__stream_srv_emit(void *sock, const char *event, const sio_msg *m) {
    return sio_emit((sio_socket *)sock, event, m);
}
static void sio__stream_srv_acked(sio_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    sio__stream_acked((sio__stream_ackrec *)user, err, args);
}
static int sio__stream_srv_emit_ack(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec) {
    return sio_emit_ack((sio_socket *)sock, event, m, 0, sio__stream_srv_acked, rec);
}
static int sio__stream_srv_ack(void *sock, long long id, const sio_msg *m) {
    return sio_ack((sio_socket *)sock, id, m);
}
static const sio__stream_ops sio__stream_srv_ops = {sio__stream_srv_emit, sio__stream_srv_emit_ack,
                                                    sio__stream_srv_ack};

static void sio__stream_srv_event(const sio_event *ev, void *user) {
    sio__stream_incoming((sio_stream_hub *)user, ev->socket, ev->socket, NULL, ev->name, &ev->args, ev->ack_id);
}

static void sio__stream_srv_disc(sio_socket *s, const char *reason, void *user) {
    (void)reason;
    sio__stream_drop_socket((sio_stream_hub *)user, s);
}

SIO_API sio_stream_hub *sio_stream_attach(sio_namespace *nsp, int *err) {
    int e = SIO_ERR_INVALID;
    sio_stream_hub *hub = NULL;
    if (nsp)
        hub = sio__stream_hub_attach(&nsp->hub, &nsp->handlers, &nsp->listeners, nsp->srv->b.loop.alloc,
                                     &nsp->srv->b.rng, &sio__stream_srv_ops, (void (*)(void))sio__stream_srv_event,
                                     (void (*)(void))sio__stream_srv_disc, &e);
    if (hub) hub->nsp = nsp;
    if (err) *err = e;
    return hub;
}
#endif

/* ---- client glue ---- */
#ifndef SIO_NO_CLIENT
static int sio__stream_cl_emit(void *sock, const char *event, const sio_msg *m) {
    sio_client_socket *s = (sio_client_socket *)sock;
    /* a stream must not outlive its connection: no holding while offline */
    if (!sio_client_connected(s)) return SIO_ERR_CLOSED;
    return sio_client_emit(s, event, m);
}
static void sio__stream_cl_acked(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s;
    sio__stream_acked((sio__stream_ackrec *)user, err, args);
}
static int sio__stream_cl_emit_ack(void *sock, const char *event, const sio_msg *m, sio__stream_ackrec *rec) {
    sio_client_socket *s = (sio_client_socket *)sock;
    if (!sio_client_connected(s)) return SIO_ERR_CLOSED;
    return sio_client_emit_ack(s, event, m, 0, sio__stream_cl_acked, rec);
}
static int sio__stream_cl_ack(void *sock, long long id, const sio_msg *m) {
    return sio_client_ack((sio_client_socket *)sock, id, m);
}
static const sio__stream_ops sio__stream_cl_ops = {sio__stream_cl_emit, sio__stream_cl_emit_ack, sio__stream_cl_ack};

static void sio__stream_cl_event(const sio_client_event *ev, void *user) {
    sio__stream_incoming((sio_stream_hub *)user, ev->socket, NULL, ev->socket, ev->name, &ev->args, ev->ack_id);
}

static void sio__stream_cl_disc(sio_client_socket *s, const char *reason, void *user) {
    (void)reason;
    sio__stream_drop_socket((sio_stream_hub *)user, s);
}

SIO_API sio_stream_hub *sio_stream_attach_client(sio_client_socket *s, int *err) {
    int e = SIO_ERR_INVALID;
    sio_stream_hub *hub = NULL;
    if (s)
        hub = sio__stream_hub_attach(&s->hub, &s->handlers, &s->listeners, s->cl->b.loop.alloc, &s->cl->b.rng,
                                     &sio__stream_cl_ops,
                                     (void (*)(void))sio__stream_cl_event, (void (*)(void))sio__stream_cl_disc, &e);
    if (hub) hub->cs = s;
    if (err) *err = e;
    return hub;
}
#endif

/* ---- public API ---- */

SIO_API void sio_stream_hub_destroy(sio_stream_hub *hub) {
    const sio_allocator *a;
    if (!hub) return;
    a = hub->alloc;
    while (hub->live) {
        sio_stream *st = hub->live;
        hub->live = st->next;
        sio__stream_close_fds(st);
        sio__stream_free(st);
    }
    while (hub->dead) {
        sio_stream *st = hub->dead;
        hub->dead = st->next;
        sio__stream_free(st);
    }
    while (hub->acks) {
        sio__stream_ackrec *r = hub->acks;
        hub->acks = r->next;
        sio__free(a, r);
    }
    sio__handlers_free(&hub->handlers, a);
    sio_buf_free(&hub->tmp);
    sio__free(a, hub);
}

SIO_API int sio_stream_on(sio_stream_hub *hub, const char *event, sio_stream_event_fn fn, void *user) {
    if (!hub || !event) return SIO_ERR_INVALID;
    if (strlen(event) > SIO_MAX_EVENT_LEN) return SIO_ERR_TOO_BIG;
    return sio__handler_add(&hub->handlers, hub->alloc, event, (void (*)(void))fn, user, 0);
}

static SIO__UNUSED sio_stream *sio__stream_open(sio_stream_hub *hub, void *sock, const char *event, const char *json_args,
                                    int *err) {
    sio_json root, v;
    sio_json_iter it;
    sio_stream *st;
    sio_msg m;
    char id[37];
    int rc, tries = 0;
    if (err) *err = SIO_ERR_INVALID;
    if (!hub || !sock || !event || !*event || strlen(event) > SIO_MAX_EVENT_LEN) return NULL;
    if (json_args && (sio_json_parse(json_args, strlen(json_args), &root) != SIO_OK || root.type != SIO_JSON_ARRAY))
        return NULL;
    if (sio__stream_count(hub, sock) >= SIO_STREAM_MAX_PER_SOCKET) {
        if (err) *err = SIO_ERR_TOO_BIG;
        return NULL;
    }
    do sio__stream_uuid(hub, id);
    while (sio__stream_find(hub, sock, id) && ++tries < 8);
    sio_msg_init(&m);
    sio_json_str(&m.w, event);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "$stream");
    sio_json_str(&m.w, id);
    sio_json_obj_end(&m.w);
    if (json_args) {
        sio_json_iter_init(&it, root);
        while (sio_json_iter_next(&it, NULL, &v)) sio_json_raw(&m.w, v.ptr, v.len);
    }
    rc = m.w.err ? m.w.err : m.buf.err;
    st = NULL;
    if (rc == SIO_OK) {
        st = sio__stream_new(hub, sock, id);
        if (!st) rc = SIO_ERR_NOMEM;
    }
    if (rc == SIO_OK) {
        rc = hub->ops->emit(sock, "$stream", &m);
        if (rc != SIO_OK) {
            sio__stream_unlink(st);
            sio__stream_free(st);
            st = NULL;
        }
    }
    sio_msg_free(&m);
    if (err) *err = rc;
    return st;
}

#ifndef SIO_NO_SERVER
SIO_API sio_stream *sio_stream_open(sio_stream_hub *hub, sio_socket *s, const char *event, const char *json_args,
                                    int *err) {
    if (hub && hub->ops != &sio__stream_srv_ops) {
        if (err) *err = SIO_ERR_INVALID;
        return NULL;
    }
    return sio__stream_open(hub, s, event, json_args, err);
}

#endif
#ifndef SIO_NO_CLIENT
SIO_API sio_stream *sio_stream_open_client(sio_stream_hub *hub, const char *event, const char *json_args,
                                           int *err) {
    if (!hub || hub->ops != &sio__stream_cl_ops) {
        if (err) *err = SIO_ERR_INVALID;
        return NULL;
    }
    if (!sio_client_connected(hub->cs)) {
        if (err) *err = SIO_ERR_CLOSED;
        return NULL;
    }
    return sio__stream_open(hub, hub->cs, event, json_args, err);
}

SIO_API sio_client_socket *sio_stream_client_socket(const sio_stream *st) {
    return st && st->hub->ops == &sio__stream_cl_ops ? (sio_client_socket *)st->sock : NULL;
}
#endif

SIO_API const char *sio_stream_id(const sio_stream *st) { return st ? st->id : ""; }
#ifndef SIO_NO_SERVER
SIO_API sio_socket *sio_stream_socket(const sio_stream *st) {
    return st && st->hub->ops == &sio__stream_srv_ops ? (sio_socket *)st->sock : NULL;
}
#endif
SIO_API unsigned long long sio_stream_bytes_in(const sio_stream *st) { return st ? st->in : 0; }
SIO_API unsigned long long sio_stream_bytes_out(const sio_stream *st) { return st ? st->out : 0; }

/* Reading starts (or goes on) if there is somewhere for the data to go. */
static void sio__stream_update_reading(sio_stream *st) {
    int was = st->reading;
    st->reading = st->h.on_data != NULL || st->dst_fd >= 0;
    if (st->reading && !was) sio__stream_flush_held(st);
}

SIO_API void sio_stream_set_handlers(sio_stream *st, const sio_stream_handlers *h) {
    sio_stream_hub *hub;
    if (!st || st->dead) return;
    hub = st->hub;
    sio__stream_enter(hub);
    if (h) st->h = *h;
    else memset(&st->h, 0, sizeof st->h);
    sio__stream_update_reading(st);
    sio__stream_leave(hub);
}

SIO_API size_t sio_stream_writable(const sio_stream *st) {
    if (!st || st->dead || st->ending || st->src_fd >= 0) return 0;
    return st->wq.len >= SIO_STREAM_HIGH_WATER ? 0 : SIO_STREAM_HIGH_WATER - st->wq.len;
}

SIO_API int sio_stream_write(sio_stream *st, const void *data, size_t len) {
    sio_stream_hub *hub;
    size_t room, n;
    if (!st || (!data && len)) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    room = sio_stream_writable(st);
    n = len < room ? len : room;
    if (n && sio_buf_append(&st->wq, data, n) != SIO_OK) return SIO_ERR_NOMEM;
    st->out += n;
    if (n < len || st->wq.len >= SIO_STREAM_CHUNK) st->need_drain = 1;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return (int)n;
}

SIO_API int sio_stream_end(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st) return SIO_ERR_INVALID;
    if (st->dead) return SIO_ERR_STATE;
    if (st->ending) return SIO_OK;
    st->ending = 1;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API void sio_stream_pause(sio_stream *st) {
    if (st && !st->dead) st->paused = 1;
}

SIO_API void sio_stream_resume(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st || st->dead || !st->paused) return;
    st->paused = 0;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_flush_held(st);
    sio__stream_leave(hub);
}

SIO_API int sio_stream_error(sio_stream *st, const char *message) {
    sio_stream_hub *hub;
    if (!st) return SIO_ERR_INVALID;
    if (st->dead) return SIO_ERR_STATE;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_close(st, SIO_ERR_REFUSED, message ? message : "error", 1, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API void sio_stream_destroy(sio_stream *st) {
    sio_stream_hub *hub;
    if (!st || st->dead) return;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_close(st, SIO_OK, NULL, 0, 0);
    sio__stream_leave(hub);
}

SIO_API int sio_stream_send_fd(sio_stream *st, int fd, int close_fd) {
    sio_stream_hub *hub;
    if (!st || fd < 0) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    st->src_fd = fd;
    st->src_close = close_fd;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_pump(st, 0);
    sio__stream_leave(hub);
    return SIO_OK;
}

SIO_API int sio_stream_send_file(sio_stream *st, const char *path) {
    struct stat sb;
    int fd;
    if (!st || !path) return SIO_ERR_INVALID;
    if (st->dead || st->ending || st->src_fd >= 0) return SIO_ERR_STATE;
    /* not blocking: a FIFO would otherwise stall the whole loop here */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? SIO_ERR_NOT_FOUND : SIO_ERR_IO;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return SIO_ERR_INVALID;   /* not a regular file */
    }
    return sio_stream_send_fd(st, fd, 1);
}

SIO_API int sio_stream_save_fd(sio_stream *st, int fd, int close_fd) {
    sio_stream_hub *hub;
    if (!st || fd < 0) return SIO_ERR_INVALID;
    if (st->dead || st->dst_fd >= 0 || st->end_delivered) return SIO_ERR_STATE;
    st->dst_fd = fd;
    st->dst_close = close_fd;
    hub = st->hub;
    sio__stream_enter(hub);
    sio__stream_update_reading(st);
    sio__stream_request(st);
    sio__stream_leave(hub);
    return SIO_OK;
}

#if !defined(SIO_NO_CLIENT_JS) && !defined(SIO_NO_SERVER)
/* >>client-js begin */
/* Generated by tools/embed-client.mjs from tools/client/socket.io.js: do not
   edit here. Change the .js file, then run
   node tools/embed-client.mjs --update socketio.h
   The script is split into parts because C99 only guarantees 4095
   characters per string literal; serve them back to back. */
SIO__CLIENT_JS_DEF const char *const sio__client_js[SIO__CLIENT_JS_PARTS] = {
    /* part 0 */
    ("/* socket.io.js - a compact Socket.IO client (Socket.IO protocol v5 over\n * Engine.IO v4) "
     "for browsers, shipped with socketio.h and served by its\n * server at /socket.io/socket.io."
     "js. No dependencies. Plain script: defines\n * the global `io`; under Node (>= 18, with a W"
     "ebSocket implementation put in\n * globalThis.WebSocket) it is `module.exports`.\n *\n * Th"
     "e API follows the official client so application code can switch:\n *\n *   const socket = "
     "io(\"/chat\", { auth: { token: \"t\" } });\n *   socket.on(\"connect\", () => socket.emit("
     "\"hello\", \"world\", (reply) => {}));\n *   socket.timeout(5000).emit(\"slow\", (err, repl"
     "y) => {});\n *\n * Layers, bottom up: Engine.IO transports (Polling, WS) -> Engine (handsha"
     "ke,\n * heartbeat, upgrade, write buffer) -> Manager (Socket.IO packet codec,\n * reconnect"
     "ion, one Engine shared by many namespaces) -> Socket (one\n * namespace: events, acks, buff"
     "ering). Wire format notes: PROTOCOL.md.\n * Keep this file ASCII-only: it is embedded into "
     "socketio.h as a C string.\n */\n(function (root) {\n  'use strict';\n\n  /* ---------------"
     "------------------------------------------------- util */\n\n  class Emitter {\n    on(ev, "
     "fn) { ((this._ev || (this._ev = {}))[ev] || (this._ev[ev] = [])).push(fn); return this; }\n"
     "    once(ev, fn) {\n      const w = (...a) => { this.off(ev, w); fn.apply(this, a); };\n   "
     "   w.fn = fn;\n      return this.on(ev, w);\n    }\n    off(ev, fn) {\n      if (!this._ev)"
     " return this;\n      if (ev === undefined) { this._ev = {}; return this; }\n      if (fn =="
     "= undefined) { delete this._ev[ev]; return this; }\n      const l = this._ev[ev];\n      if"
     " (l) {\n        const i = l.findIndex((f) => f === fn || f.fn === fn);\n        if (i >= 0)"
     " l.splice(i, 1);\n      }\n      return this;\n    }\n    listeners(ev) { return (this._ev "
     "&& this._ev[ev]) ? this._ev[ev].slice() : []; }\n    hasListeners(ev) { return this.listene"
     "rs(ev).length > 0; }\n    // Socket overrides emit() to send to the server, so local delive"
     "ry has\n    // its own name everywhere.\n    emitReserved(ev, ...args) {\n      for (const "
     "fn of this.listeners(ev)) fn.apply(this, args);\n      return this;\n    }\n  }\n  Emitter."
     "prototype.addEventListener = Emitter.prototype.on;\n  Emitter.prototype.removeListener = Em"
     "itter.prototype.off;\n  Emitter.prototype.removeAllListeners = function (ev) { return this."
     "off(ev); };\n\n  // Subscribe and return the matching unsubscribe, so owners can drop all\n"
     "  // their listeners on another object in one go.\n  function sub(obj, ev, fn) { obj.on(ev,"
     " fn); return () => obj.off(ev, fn); }\n\n  const hasBlob = typeof Blob !== 'undefined';\n  "
     "function isBinary(x) {\n    return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (ha"
     "sBlob && x instanceof Blob);\n  }\n  function bytesOf(x) {\n    return x instanceof ArrayBu"
     "ffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);\n  }\n  fu"
     "nction b64encode(x) {\n    const u = bytesOf(x);\n    let s = '';\n    for (let i = 0; i < "
     "u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));\n  "
     "  return btoa(s);\n  }\n  function b64decode(s) {\n    const bin = atob(s);\n    const u = "
     "new Uint8Array(bin.length);\n    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt"
     "(i);\n    return u.buffer;\n  }\n  function utf8Len(s) {\n    let n = 0;\n    for (let i = "
     "0; i < s.length; i++) {\n      const c = s.charCodeAt(i);\n      if (c < 0x80) n += 1;\n   "
     "   else if (c < 0x800) n += 2;\n      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.lengt"
     "h) { n += 4; i++; } // surrogate pair\n      else n += 3;\n    }\n    return n;\n  }\n  fun"
     "ction qs(obj) {\n    return Object.keys(obj).filter((k) => obj[k] !== undefined)\n      .ma"
     "p((k) => encodeURIComponent(k) + '=' + encodeURIComponent(obj[k])).join('&');\n  }\n  let s"
     "tamp = 0;\n  // Cache buster for polling requests; proxies must not answer a GET twice.\n  "
     "function cacheBuster() { return Date.now().toString(36) + (stamp++).toString(36); }\n\n"),
    /* part 1 */
    ("  /* ----------------------------------------------- Engine.IO packet codec */\n\n  const E"
     "IO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];\n\n  // One pac"
     "ket as text for a polling payload, or as text/binary frame data\n  // for a WebSocket. Bina"
     "ry messages have no type digit in v4: WS sends the\n  // raw bytes, polling sends \"b\" + b"
     "ase64 (e.g. bAQID for bytes 1,2,3).\n  function eioEncode(p, forWs) {\n    if (isBinary(p.d"
     "ata)) return forWs ? p.data : 'b' + b64encode(p.data);\n    return EIO_TYPES.indexOf(p.type"
     ") + (p.data === undefined ? '' : String(p.data));\n  }\n  function eioDecode(d) {\n    try "
     "{ return eioDecode1(d); } catch (e) { return { type: 'error', data: 'parser error' }; }\n  "
     "}\n  function eioDecode1(d) {\n    if (typeof d !== 'string') return { type: 'message', dat"
     "a: d instanceof ArrayBuffer ? d : bytesOf(d).slice().buffer };\n    if (d[0] === 'b') retur"
     "n { type: 'message', data: b64decode(d.slice(1)) };\n    const type = EIO_TYPES[d.charCodeA"
     "t(0) - 48];\n    if (!type) return { type: 'error', data: 'parser error' };\n    return d.l"
     "ength > 1 ? { type, data: d.slice(1) } : { type };\n  }\n  // Bytes a packet takes in a pol"
     "ling body, to keep each POST <= maxPayload.\n  function eioSize(p) {\n    if (isBinary(p.da"
     "ta)) return 1 + Math.ceil(bytesOf(p.data).length / 3) * 4;\n    return 1 + (p.data === unde"
     "fined ? 0 : utf8Len(String(p.data)));\n  }\n\n  /* ----------------------------------------"
     "------------------- transports */\n  // Both transports emit: open, packet(p), drain, error"
     "(msg, cause), close(reason).\n\n  class Transport extends Emitter {\n    constructor(engine"
     ", name, query) {\n      super();\n      this.engine = engine;\n      this.name = name;\n   "
     "   this.query = query;\n      this.readyState = 'closed';\n      this.writable = false;\n  "
     "  }\n    uri(scheme, extra) {\n      const e = this.engine;\n      return scheme + (e.secur"
     "e ? 's' : '') + '://' + e.host + e.path + '?' + qs(Object.assign({}, this.query, extra));\n"
     "    }\n    _error(msg, cause) {\n      const err = new Error(msg);\n      err.type = 'Trans"
     "portError';\n      err.description = cause;\n      this.emitReserved('error', err);\n    }"
     "\n    _closed(reason) {\n      if (this.readyState === 'closed') return;\n      this.readyS"
     "tate = 'closed';\n      this.writable = false;\n      this.emitReserved('close', reason);\n"
     "    }\n  }\n\n  // Long-polling: one GET outstanding to receive, POSTs strictly one after\n"
     "  // another to send. pause() lets both finish so an upgrade loses nothing.\n  class Pollin"
     "g extends Transport {\n    constructor(engine, query) { super(engine, 'polling', query); th"
     "is.polling = false; }\n    open() { this.readyState = 'opening'; this._poll(); }\n    _req("
     "method, body) {\n      const url = this.uri('http', { t: cacheBuster() });\n      const ctl"
     " = typeof AbortController !== 'undefined' ? new AbortController() : null;\n      if (ctl) ("
     "this._aborts || (this._aborts = new Set())).add(ctl);\n      const init = {\n        method"
     ", cache: 'no-store',\n        credentials: this.engine.opts.withCredentials ? 'include' : '"
     "same-origin',\n        headers: Object.assign(body === undefined ? {} : { 'Content-Type': '"
     "text/plain;charset=UTF-8' },\n          this.engine.opts.extraHeaders || {}),\n        body"
     ", signal: ctl ? ctl.signal : undefined,\n      };\n      return fetch(url, init).then((res)"
     " => {\n        if (res.status !== 200) throw new Error('HTTP ' + res.status);\n        retu"
     "rn res.text();\n      }).finally(() => { if (ctl) this._aborts.delete(ctl); });\n    }\n   "
     " _poll() {\n      this.polling = true;\n      this._req('GET').then((text) => {\n        if"
     " (this.readyState === 'closed') return;\n        this.polling = false;\n        this._onPay"
     "load(text);\n      }, (e) => { if (this.readyState !== 'closed') this._error('xhr poll erro"
     "r', e); });\n    }\n    _onPayload(text) {\n      // v4 payload: packets joined by \\x1e, e"
     ".g. 4hello\\x1ebAQID\\x1e2\n      for (const part of text.split('\\x1e')) {\n"),
    /* part 2 */
    ("        const p = eioDecode(part);\n        if (this.readyState === 'opening' && p.type ==="
     " 'open') {\n          this.readyState = 'open';\n          this.writable = true;\n         "
     " this.emitReserved('open');\n        }\n        if (p.type === 'close') { this._closed('tra"
     "nsport close'); return; }\n        // A throwing application handler must not kill the poll"
     " loop.\n        try { this.emitReserved('packet', p); } catch (e) { setTimeout(() => { thro"
     "w e; }, 0); }\n        if (this.readyState === 'closed') return;\n      }\n      if (this.r"
     "eadyState === 'pausing' || this.readyState === 'paused') this.emitReserved('pollComplete');"
     "\n      else if (this.readyState === 'open') this._poll();\n    }\n    send(packets) {\n   "
     "   this.writable = false;\n      this._req('POST', packets.map((p) => eioEncode(p, false))."
     "join('\\x1e')).then(() => {\n        if (this.readyState === 'closed') return;\n        thi"
     "s.writable = true;\n        this.emitReserved('drain');\n      }, (e) => { if (this.readySt"
     "ate !== 'closed') this._error('xhr post error', e); });\n    }\n    pause(onPaused) {\n    "
     "  this.readyState = 'pausing';\n      let waiting = 0;\n      const done = () => { if (--wa"
     "iting === 0) { this.readyState = 'paused'; onPaused(); } };\n      if (this.polling) { wait"
     "ing++; this.once('pollComplete', done); }\n      if (!this.writable) { waiting++; this.once"
     "('drain', done); }\n      if (waiting === 0) { waiting = 1; done(); }\n    }\n    resume() "
     "{\n      if (this.readyState !== 'pausing' && this.readyState !== 'paused') return;\n      "
     "this.off('pollComplete'); this.off('drain');\n      this.readyState = 'open';\n      if (!t"
     "his.polling) this._poll();\n    }\n    close() {\n      // Say goodbye with POST \"1\" and "
     "only then drop the pending GET: the\n      // server answers that GET with a noop. Aborting"
     " it first would look\n      // like a broken transport to the server, which (Node) then kee"
     "ps the\n      // session around for its closeTimeout.\n      const wasOpen = ['open', 'paus"
     "ing', 'paused'].indexOf(this.readyState) >= 0;\n      this.readyState = 'closed';\n      th"
     "is.writable = false;\n      const abort = () => { if (this._aborts) for (const c of this._a"
     "borts) c.abort(); };\n      if (!wasOpen) { abort(); return; }\n      this._req('POST', '1'"
     ").catch(() => {}).finally(abort);\n    }\n  }\n\n  class WS extends Transport {\n    constr"
     "uctor(engine, query) { super(engine, 'websocket', query); }\n    open() {\n      const Impl"
     " = this.engine.opts.WebSocket || root.WebSocket;\n      this.readyState = 'opening';\n     "
     " try {\n        this.ws = new Impl(this.uri('ws'));\n      } catch (e) {\n        setTimeou"
     "t(() => this._error('websocket error', e), 0);\n        return;\n      }\n      this.ws.bin"
     "aryType = 'arraybuffer';\n      this.ws.onopen = () => {\n        this.readyState = 'open';"
     "\n        this.writable = true;\n        this.emitReserved('open');\n      };\n      // The"
     " server may pack several frames into one TCP segment; the\n      // WebSocket API hands the"
     "m to us one message at a time anyway.\n      this.ws.onmessage = (e) => { if (this.readySta"
     "te !== 'closed') this.emitReserved('packet', eioDecode(e.data)); };\n      this.ws.onerror "
     "= (e) => { if (this.readyState !== 'closed') this._error('websocket error', e); };\n      t"
     "his.ws.onclose = () => this._closed('transport close');\n    }\n    send(packets) {\n      "
     "for (const p of packets) this.ws.send(eioEncode(p, true));\n      // WebSocket.send only qu"
     "eues, so we are writable again at once; the\n      // drain is still async so the engine's "
     "flush loop cannot recurse.\n      this.writable = false;\n      setTimeout(() => {\n       "
     " if (this.readyState === 'closed') return;\n        this.writable = true;\n        this.emi"
     "tReserved('drain');\n      }, 0);\n    }\n    close() {\n      this.readyState = 'closed';"
     "\n      this.writable = false;\n      if (this.ws) {\n        // A no-op onerror, not null:"
     " Node's ws reports closing a still\n"),
    /* part 3 */
    ("        // connecting socket as an error event and throws if nobody listens.\n        const"
     " nop = () => {};\n        this.ws.onopen = this.ws.onmessage = this.ws.onerror = this.ws.on"
     "close = nop;\n        try { this.ws.close(); } catch (e) { /* already closed */ }\n      }"
     "\n    }\n  }\n\n  /* -------------------------------------------------------------- Engine "
     "*/\n  // One Engine.IO session. Events: open, message(data), upgrading, upgrade,\n  // upgr"
     "adeError, ping, drain, error(err), close(reason, description).\n\n  class Engine extends Em"
     "itter {\n    constructor(url, opts) {\n      super();\n      this.opts = opts;\n      this."
     "secure = url.protocol === 'https:' || url.protocol === 'wss:';\n      this.host = url.host;"
     "\n      this.path = opts.path;\n      this.query = Object.assign({}, opts.query);\n      th"
     "is.transports = opts.transports || ['polling', 'websocket'];\n      this.readyState = 'open"
     "ing';\n      this.writeBuffer = [];\n      this.upgrading = false;\n      this.id = null;\n"
     "      this.maxPayload = 0;\n      this._setTransport(this._create(this.transports[0]));\n  "
     "    this.transport.open();\n    }\n    _create(name) {\n      const q = Object.assign({}, t"
     "his.query, { EIO: 4, transport: name });\n      if (this.id) q.sid = this.id;\n      if (na"
     "me === 'websocket') return new WS(this, q);\n      if (name === 'polling') return new Polli"
     "ng(this, q);\n      throw new Error('unknown transport ' + name);\n    }\n    _setTransport"
     "(t) {\n      if (this.transport) this.transport.off();\n      this.transport = t;\n      t."
     "on('packet', (p) => this._onPacket(p));\n      t.on('drain', () => this._onDrain());\n     "
     " t.on('error', (e) => this._onError(e));\n      t.on('close', (r) => this._onClose(r));\n  "
     "  }\n    _onPacket(p) {\n      if (this.readyState === 'closed') return;\n      switch (p.t"
     "ype) {\n        case 'open': this._onHandshake(p.data); break;\n        case 'ping':\n     "
     "     // v4: only the server pings; answer 2 with 3 and re-arm the\n          // dead-server"
     " timer.\n          this._resetPingTimer();\n          this._sendPacket('pong');\n          "
     "this.emitReserved('ping');\n          break;\n        case 'message': this.emitReserved('me"
     "ssage', p.data); break;\n        case 'close': this._onClose('transport close'); break; // "
     "Node just drops the WS; others may say \"1\"\n        case 'error': this._onError(new Error"
     "('parse error')); break;\n        default: break; // noop, pong (probe replies arrive on th"
     "e probe transport)\n      }\n    }\n    _onHandshake(json) {\n      let h;\n      try { h ="
     " JSON.parse(json); } catch (e) { h = null; }\n      if (!h || typeof h.sid !== 'string') { "
     "this._onError(new Error('bad handshake')); return; }\n      this.id = h.sid;\n      this.tr"
     "ansport.query.sid = h.sid;\n      this.pingInterval = h.pingInterval;\n      this.pingTimeo"
     "ut = h.pingTimeout;\n      this.maxPayload = h.maxPayload || 0;\n      this.readyState = 'o"
     "pen';\n      this.emitReserved('open');\n      this.flush();\n      this._resetPingTimer();"
     "\n      if (this.readyState === 'open' && this.opts.upgrade !== false && this.transport.nam"
     "e === 'polling') {\n        for (const u of h.upgrades || []) if (u === 'websocket' && this"
     ".transports.indexOf(u) >= 0) this._probe(u);\n      }\n    }\n    _resetPingTimer() {\n    "
     "  clearTimeout(this._pingTimer);\n      this._pingTimer = setTimeout(() => this._onClose('p"
     "ing timeout'), this.pingInterval + this.pingTimeout);\n    }\n    // Upgrade polling -> Web"
     "Socket: probe the new transport with 2probe,\n    // and only once 3probe came back, drain "
     "polling (the server answers the\n    // pending GET with a noop) and switch with 5. Writes "
     "made meanwhile wait\n    // in writeBuffer, so nothing is lost or reordered.\n    _probe(na"
     "me) {\n      const t = this._create(name);\n      let failed = false;\n      const cleanup "
     "= () => { t.off(); this.off('close', onEngineClose); };\n      const fail = (err) => {\n   "
     "     if (failed) return;\n        failed = true;\n        cleanup();\n"),
    /* part 4 */
    ("        t.close();\n        if (this.upgrading) { this.upgrading = false; this.transport.re"
     "sume(); this.flush(); }\n        this.emitReserved('upgradeError', err instanceof Error ? e"
     "rr : new Error('probe error'));\n      };\n      const onEngineClose = () => fail(new Error"
     "('engine closed'));\n      t.once('open', () => { if (!failed) t.send([{ type: 'ping', data"
     ": 'probe' }]); });\n      t.on('packet', (p) => {\n        if (failed) return;\n        if "
     "(p.type !== 'pong' || p.data !== 'probe') { fail(new Error('probe error')); return; }\n    "
     "    this.upgrading = true;\n        this.emitReserved('upgrading', t);\n        this.transp"
     "ort.pause(() => {\n          if (failed || this.readyState === 'closed') return;\n         "
     " cleanup();\n          this._setTransport(t);\n          t.send([{ type: 'upgrade' }]);\n  "
     "        this.upgrading = false;\n          this.emitReserved('upgrade', t);\n          this"
     ".flush();\n        });\n      });\n      t.once('error', fail);\n      t.once('close', () ="
     "> fail(new Error('probe transport closed')));\n      this.on('close', onEngineClose);\n    "
     "  t.open();\n    }\n    _onDrain() {\n      if (this.writeBuffer.length === 0) this.emitRes"
     "erved('drain');\n      else this.flush();\n    }\n    flush() {\n      if (this.readyState "
     "=== 'closed' || this.upgrading || !this.transport.writable || !this.writeBuffer.length) ret"
     "urn;\n      let n = this.writeBuffer.length;\n      if (this.transport.name === 'polling' &"
     "& this.maxPayload) {\n        // Several packets per POST, but the body stays below maxPayl"
     "oad\n        // (a single larger packet still goes out alone).\n        let size = 0;\n    "
     "    for (n = 0; n < this.writeBuffer.length; n++) {\n          size += eioSize(this.writeBu"
     "ffer[n]) + (n ? 1 : 0);\n          if (n && size > this.maxPayload) break;\n        }\n    "
     "  }\n      this.transport.send(this.writeBuffer.splice(0, n));\n    }\n    _sendPacket(type"
     ", data) {\n      if (this.readyState === 'closing' || this.readyState === 'closed') return;"
     "\n      this.writeBuffer.push({ type, data });\n      this.flush();\n    }\n    write(data)"
     " { this._sendPacket('message', data); return this; }\n    send(data) { return this.write(da"
     "ta); }\n    close() {\n      if (this.readyState !== 'opening' && this.readyState !== 'open"
     "') return this;\n      this.readyState = 'closing';\n      // Let queued packets (e.g. a na"
     "mespace DISCONNECT) out first.\n      const finish = () => this._onClose('forced close');\n"
     "      if (this.writeBuffer.length || (this.transport.name === 'polling' && !this.transport."
     "writable && this.id)) {\n        this.once('drain', finish);\n        setTimeout(finish, 10"
     "00);\n      } else finish();\n      return this;\n    }\n    _onError(err) {\n      this.em"
     "itReserved('error', err);\n      this._onClose('transport error', err);\n    }\n    _onClos"
     "e(reason, desc) {\n      if (this.readyState === 'closed') return;\n      clearTimeout(this"
     "._pingTimer);\n      this.transport.off();\n      this.transport.close();\n      this.ready"
     "State = 'closed';\n      this.id = null;\n      this.writeBuffer = [];\n      this.emitRese"
     "rved('close', reason, desc);\n    }\n  }\n\n  /* ------------------------------------------"
     "--- Socket.IO packet codec */\n\n  const T = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3,"
     " CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 };\n  const RESERVED = ['connect', 'conne"
     "ct_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];\n\n  function p"
     "lainObject(x) { return x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x"
     ".toJSON !== 'function'; }\n  function hasBinaryIn(x) {\n    if (isBinary(x)) return true;\n"
     "    if (Array.isArray(x)) return x.some(hasBinaryIn);\n    if (plainObject(x)) return Objec"
     "t.keys(x).some((k) => hasBinaryIn(x[k]));\n    return false;\n  }\n  // Replace every binar"
     "y value by {\"_placeholder\":true,\"num\":N}, N counting\n  // attachments depth-first, so "
     "the JSON can travel as text and the bytes\n  // follow as separate binary messages.\n"),
    /* part 5 */
    ("  function deconstruct(x, out) {\n    if (isBinary(x)) { out.push(x); return { _placeholder"
     ": true, num: out.length - 1 }; }\n    if (Array.isArray(x)) return x.map((v) => deconstruct"
     "(v, out));\n    if (plainObject(x)) {\n      const o = {};\n      for (const k of Object.ke"
     "ys(x)) o[k] = deconstruct(x[k], out);\n      return o;\n    }\n    return x;\n  }\n  functi"
     "on reconstruct(x, bufs) {\n    if (Array.isArray(x)) return x.map((v) => reconstruct(v, buf"
     "s));\n    if (x !== null && typeof x === 'object') {\n      if (x._placeholder === true) {"
     "\n        if (!(Number.isInteger(x.num) && x.num >= 0 && x.num < bufs.length)) throw new Er"
     "ror('illegal attachment');\n        return bufs[x.num];\n      }\n      for (const k of Obj"
     "ect.keys(x)) x[k] = reconstruct(x[k], bufs);\n    }\n    return x;\n  }\n  // Packet -> lis"
     "t of Engine.IO messages: the text header, then attachments.\n  // e.g. {type:EVENT, nsp:\"/"
     "a\", id:7, data:[\"up\", <2 bytes>]} ->\n  //   '51-/a,7[\"up\",{\"_placeholder\":true,\"nu"
     "m\":0}]', <2 bytes>\n  function sioEncode(p) {\n    const atts = [];\n    let type = p.type"
     ";\n    let data = p.data;\n    if ((type === T.EVENT || type === T.ACK) && hasBinaryIn(data"
     ")) {\n      data = deconstruct(data, atts);\n      type = type === T.EVENT ? T.BINARY_EVENT"
     " : T.BINARY_ACK;\n    }\n    let s = String(type);\n    if (atts.length) s += atts.length +"
     " '-';\n    if (p.nsp && p.nsp !== '/') s += p.nsp + ',';\n    if (p.id !== undefined) s += "
     "p.id;\n    if (data !== undefined) s += JSON.stringify(data);\n    return [s].concat(atts);"
     "\n  }\n  function sioDecode(s) {\n    const type = s.charCodeAt(0) - 48;\n    if (!(type >="
     " 0 && type <= 6)) throw new Error('unknown packet type');\n    const p = { type, nsp: '/', "
     "attachments: 0 };\n    let i = 1;\n    if (type === T.BINARY_EVENT || type === T.BINARY_ACK"
     ") {\n      const dash = s.indexOf('-', i);\n      const n = s.slice(i, dash);\n      if (da"
     "sh < 0 || !/^[0-9]+$/.test(n) || +n < 1) throw new Error('illegal attachments');\n      p.a"
     "ttachments = +n;\n      i = dash + 1;\n    }\n    if (s[i] === '/') { // namespace runs to "
     "the first comma or the end: 40/admin is valid\n      const c = s.indexOf(',', i);\n      p."
     "nsp = c < 0 ? s.slice(i) : s.slice(i, c);\n      i = c < 0 ? s.length : c + 1;\n    }\n    "
     "const m = /^[0-9]+/.exec(s.slice(i));\n    if (m) { p.id = +m[0]; i += m[0].length; }\n    "
     "if (i < s.length) p.data = JSON.parse(s.slice(i));\n    const d = p.data;\n    const ok = ["
     "\n      plainObject(d), // CONNECT reply {\"sid\":...}\n      d === undefined,\n      Array"
     ".isArray(d) && d.length > 0 && (typeof d[0] === 'string' || typeof d[0] === 'number'),\n   "
     "   Array.isArray(d),\n      typeof d === 'string' || plainObject(d),\n    ][type <= 4 ? typ"
     "e : type - 3];\n    if (!ok) throw new Error('invalid payload');\n    return p;\n  }\n\n\n "
     " /* ------------------------------------------ msgpack packet codec */\n  // With { parser:"
     " 'msgpack' }, packets travel as the npm\n  // socket.io-msgpack-parser writes them: one Mes"
     "sagePack map\n  // {type, nsp, data, id} per binary message, binary values inline (they\n  "
     "// go out as bin and come back as ArrayBuffers). Values as notepack.io\n  // writes them: i"
     "ntegers in the smallest form, other numbers float64,\n  // undefined d4 00 00, a Date d7 00"
     " + int64 ms.\n  const utf8 = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;"
     "\n  const unutf8 = typeof TextDecoder !== 'undefined' ? new TextDecoder('utf-8', { fatal: t"
     "rue }) : null;\n  class MpOut {\n    constructor() { this.b = new Uint8Array(64); this.n = "
     "0; }\n    room(k) {\n      if (this.n + k > this.b.length) {\n        const nb = new Uint8A"
     "rray(Math.max(this.b.length * 2, this.n + k));\n        nb.set(this.b.subarray(0, this.n));"
     "\n        this.b = nb;\n      }\n      return new DataView(this.b.buffer, this.n, k);\n    "
     "}\n    // tag, then k bytes: unsigned (k <= 4) or a 64-bit hi/lo pair\n    put(tag, x, k) {"
     "\n      const dv = this.room(1 + k);\n      dv.setUint8(0, tag);\n"),
    /* part 6 */
    ("      if (k === 1) dv.setUint8(1, x & 255);\n      else if (k === 2) dv.setUint16(1, x & 0x"
     "ffff);\n      else if (k === 4) dv.setUint32(1, x >>> 0);\n      else if (k === 8) { const "
     "hi = Math.floor(x / 4294967296); dv.setInt32(1, hi); dv.setUint32(5, x - hi * 4294967296); "
     "}\n      this.n += 1 + k;\n    }\n    raw(u8) { this.room(u8.length); this.b.set(u8, this.n"
     "); this.n += u8.length; }\n    len(n, fix, fixMax, t8, t16) {\n      if (fix !== null && n "
     "<= fixMax) this.put(fix | n, 0, 0);\n      else if (t8 !== null && n < 256) this.put(t8, n,"
     " 1);\n      else if (n < 65536) this.put(t16, n, 2);\n      else this.put(t16 + 1, n, 4);\n"
     "    }\n    value(v) {\n      if (v === null) return this.put(0xc0, 0, 0);\n      if (v === "
     "undefined) return this.raw(Uint8Array.of(0xd4, 0, 0));\n      if (v === true || v === false"
     ") return this.put(v ? 0xc3 : 0xc2, 0, 0);\n      if (typeof v === 'number') {\n        if ("
     "!Number.isInteger(v)) { const dv = this.room(9); dv.setUint8(0, 0xcb); dv.setFloat64(1, v);"
     " this.n += 9; return; }\n        if (v >= 0) {\n          if (v < 128) return this.put(v, 0"
     ", 0);\n          if (v < 256) return this.put(0xcc, v, 1);\n          if (v < 65536) return"
     " this.put(0xcd, v, 2);\n          if (v < 4294967296) return this.put(0xce, v, 4);\n       "
     "   return this.put(0xcf, v, 8);\n        }\n        if (v >= -32) return this.put(v & 255, "
     "0, 0);\n        if (v >= -128) return this.put(0xd0, v, 1);\n        if (v >= -32768) retur"
     "n this.put(0xd1, v, 2);\n        if (v >= -2147483648) return this.put(0xd2, v, 4);\n      "
     "  return this.put(0xd3, v, 8);\n      }\n      if (typeof v === 'string') { const u = utf8."
     "encode(v); this.len(u.length, 0xa0, 31, 0xd9, 0xda); return this.raw(u); }\n      if (hasBl"
     "ob && v instanceof Blob) throw new Error('msgpack: a Blob cannot be written at once; send i"
     "ts ArrayBuffer');\n      if (isBinary(v)) { const u = bytesOf(v); this.len(u.length, null, "
     "0, 0xc4, 0xc5); return this.raw(u); }\n      if (v instanceof Date) { this.put(0xd7, 0, 0);"
     " return this.put(0, v.getTime(), 8); }   // ext 0 + int64 ms\n      if (Array.isArray(v)) {"
     " this.len(v.length, 0x90, 15, null, 0xdc); for (const x of v) this.value(x); return; }\n   "
     "   if (typeof v === 'object') {\n        if (typeof v.toJSON === 'function') return this.va"
     "lue(v.toJSON());\n        const keys = Object.keys(v).filter((k) => typeof v[k] !== 'functi"
     "on');\n        this.len(keys.length, 0x80, 15, null, 0xde);\n        for (const k of keys) "
     "{ this.value(k); this.value(v[k]); }\n        return;\n      }\n      throw new Error('msgp"
     "ack: cannot write a ' + typeof v);\n    }\n  }\n  function mpEncode(p) {\n    const o = new"
     " MpOut();\n    const pkt = { type: p.type === T.BINARY_EVENT ? T.EVENT : p.type === T.BINAR"
     "Y_ACK ? T.ACK : p.type, nsp: p.nsp || '/' };\n    if (p.data !== undefined) pkt.data = p.da"
     "ta;\n    if (p.id !== undefined) pkt.id = p.id;\n    o.value(pkt);\n    return [o.b.slice(0"
     ", o.n).buffer];\n  }\n  function mpDecode(buf) {\n    const u = bytesOf(buf), dv = new Data"
     "View(u.buffer, u.byteOffset, u.byteLength);\n    let i = 0;\n    const need = (k) => { if ("
     "i + k > u.length) throw new Error('msgpack: cut short'); const at = i; i += k; return at; }"
     ";\n    const bytes = (k) => { const at = need(k); return u.slice(at, at + k).buffer; };\n  "
     "  const str = (k) => { const at = need(k); return unutf8.decode(u.subarray(at, at + k)); };"
     "\n    const big = (at, signed) => (signed ? dv.getInt32(at) : dv.getUint32(at)) * 429496729"
     "6 + dv.getUint32(at + 4);\n    const ext = (k, t, header) => {\n      if (t === 0 && header"
     " === 0xd4 && k === 1) { need(1); return undefined; }\n      if (t === 0 && header === 0xd7)"
     " { const at = need(8); return new Date(big(at, true)); }\n      if (t === 0 && header >= 0x"
     "c7) return bytes(k);\n      return [t, bytes(k)];\n    };\n    function value(depth) {\n   "
     "   if (depth > 64) throw new Error('msgpack: nested too deep');\n      const c = u[need(1)]"
     ";\n      if (c < 0x80) return c;\n      if (c >= 0xe0) return c - 256;\n"),
    /* part 7 */
    ("      if (c >= 0xa0 && c <= 0xbf) return str(c & 31);\n      if ((c & 0xf0) === 0x90 || c ="
     "== 0xdc || c === 0xdd) {\n        const n = c === 0xdc ? dv.getUint16(need(2)) : c === 0xdd"
     " ? dv.getUint32(need(4)) : c & 15;\n        if (n > u.length - i) throw new Error('msgpack:"
     " cut short');\n        const a = [];\n        for (let k = 0; k < n; k++) a.push(value(dept"
     "h + 1));\n        return a;\n      }\n      if ((c & 0xf0) === 0x80 || c === 0xde || c === "
     "0xdf) {\n        const n = c === 0xde ? dv.getUint16(need(2)) : c === 0xdf ? dv.getUint32(n"
     "eed(4)) : c & 15;\n        if (n > u.length - i) throw new Error('msgpack: cut short');\n  "
     "      const o = {};\n        for (let k = 0; k < n; k++) { const key = value(depth + 1); o["
     "String(key)] = value(depth + 1); }\n        return o;\n      }\n      switch (c) {\n       "
     " case 0xc0: return null;\n        case 0xc2: return false;\n        case 0xc3: return true;"
     "\n        case 0xc4: return bytes(u[need(1)]);\n        case 0xc5: return bytes(dv.getUint1"
     "6(need(2)));\n        case 0xc6: return bytes(dv.getUint32(need(4)));\n        case 0xc7: {"
     " const k = u[need(1)]; return ext(k, dv.getInt8(need(1)), c); }\n        case 0xc8: { const"
     " k = dv.getUint16(need(2)); return ext(k, dv.getInt8(need(1)), c); }\n        case 0xc9: { "
     "const k = dv.getUint32(need(4)); return ext(k, dv.getInt8(need(1)), c); }\n        case 0xc"
     "a: return dv.getFloat32(need(4));\n        case 0xcb: return dv.getFloat64(need(8));\n     "
     "   case 0xcc: return u[need(1)];\n        case 0xcd: return dv.getUint16(need(2));\n       "
     " case 0xce: return dv.getUint32(need(4));\n        case 0xcf: return big(need(8), false);\n"
     "        case 0xd0: return dv.getInt8(need(1));\n        case 0xd1: return dv.getInt16(need("
     "2));\n        case 0xd2: return dv.getInt32(need(4));\n        case 0xd3: return big(need(8"
     "), true);\n        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return ext(1 << ("
     "c - 0xd4), dv.getInt8(need(1)), c);\n        case 0xd9: return str(u[need(1)]);\n        ca"
     "se 0xda: return str(dv.getUint16(need(2)));\n        case 0xdb: return str(dv.getUint32(nee"
     "d(4)));\n        default: throw new Error('msgpack: unknown byte ' + c);\n      }\n    }\n "
     "   const v = value(0);\n    if (i !== u.length) throw new Error('msgpack: bytes after the p"
     "acket');\n    return v;\n  }\n  // The decoded map, checked as the npm parser checks it.\n "
     " function mpPacket(buf) {\n    const p = mpDecode(buf);\n    if (!plainObject(p) || !Number"
     ".isInteger(p.type) || p.type < T.CONNECT || p.type > T.CONNECT_ERROR ||\n        typeof p.n"
     "sp !== 'string' || !(p.id === undefined || Number.isInteger(p.id))) throw new Error('invali"
     "d packet');\n    const d = p.data;\n    const ok = [d === undefined || plainObject(d), d =="
     "= undefined, Array.isArray(d) && d.length > 0, Array.isArray(d),\n      typeof d === 'strin"
     "g' || plainObject(d)][p.type];\n    if (!ok) throw new Error('invalid payload');\n    retur"
     "n { type: p.type, nsp: p.nsp, id: p.id, data: d, attachments: 0 };\n  }\n\n  /* -----------"
     "-------------------------------------------------- Manager */\n  // Owns the Engine for one"
     " origin+path, encodes/decodes Socket.IO packets\n  // and reconnects with exponential backo"
     "ff. Events: open, close(reason),\n  // packet, error, reconnect_attempt(n), reconnect(n), r"
     "econnect_error,\n  // reconnect_failed.\n\n  class Manager extends Emitter {\n    construct"
     "or(uri, opts) {\n      super();\n      if (uri && typeof uri === 'object') { opts = uri; ur"
     "i = undefined; }\n      opts = Object.assign({}, opts);\n      this.url = new URL(uri || '/"
     "', typeof location !== 'undefined' ? location.href : undefined);\n      opts.path = (opts.p"
     "ath || '/socket.io').replace(/\\/$/, '') + '/';\n      if (typeof opts.query === 'string') "
     "opts.query = Object.fromEntries(new URLSearchParams(opts.query));\n      opts.query = Objec"
     "t.assign(Object.fromEntries(this.url.searchParams), opts.query);\n      this.opts = opts;\n"
     "      this._mp = opts.parser === 'msgpack';   // see the msgpack packet codec\n"),
    /* part 8 */
    ("      this.nsps = {};\n      this.subs = [];\n      this._readyState = 'closed';\n      thi"
     "s._reconnection = opts.reconnection !== false;\n      this._attemptsMax = opts.reconnection"
     "Attempts === undefined ? Infinity : opts.reconnectionAttempts;\n      this._delay = opts.re"
     "connectionDelay === undefined ? 1000 : opts.reconnectionDelay;\n      this._delayMax = opts"
     ".reconnectionDelayMax === undefined ? 5000 : opts.reconnectionDelayMax;\n      this._jitter"
     " = opts.randomizationFactor === undefined ? 0.5 : opts.randomizationFactor;\n      this._ti"
     "meout = opts.timeout === undefined ? 20000 : opts.timeout;\n      this.attempts = 0;\n     "
     " this._reconnecting = false;\n      this.skipReconnect = false;\n      this._outq = [];\n  "
     "    if (opts.autoConnect !== false) this.open();\n    }\n    reconnection(v) { if (v === un"
     "defined) return this._reconnection; this._reconnection = !!v; return this; }\n\n    open(fn"
     ") {\n      if (this._readyState === 'open' || this._readyState === 'opening') return this;"
     "\n      this.skipReconnect = false;\n      this._readyState = 'opening';\n      const engin"
     "e = this.engine = new Engine(this.url, this.opts);\n      let timer = null;\n      const fa"
     "iled = (err) => {\n        clearTimeout(timer);\n        this._cleanup();\n        this._re"
     "adyState = 'closed';\n        this.emitReserved('error', err);\n        if (fn) fn(err);\n "
     "       else if (!this._reconnecting && this._reconnection && this.attempts === 0) this._rec"
     "onnect();\n      };\n      this.subs.push(sub(engine, 'open', () => {\n        clearTimeout"
     "(timer);\n        this._onopen();\n        if (fn) fn();\n      }));\n      this.subs.push("
     "sub(engine, 'error', failed));\n      this.subs.push(sub(engine, 'close', (reason) => faile"
     "d(new Error(reason))));\n      if (this._timeout) {\n        timer = setTimeout(() => { fai"
     "led(new Error('timeout')); engine.close(); }, this._timeout);\n        this.subs.push(() =>"
     " clearTimeout(timer));\n      }\n      return this;\n    }\n    connect(fn) { return this.o"
     "pen(fn); }\n\n    _onopen() {\n      this._cleanup();\n      this._readyState = 'open';\n  "
     "    this._partial = null;\n      const e = this.engine;\n      this.subs.push(\n        sub"
     "(e, 'message', (d) => this._ondata(d)),\n        sub(e, 'ping', () => this.emitReserved('pi"
     "ng')),\n        sub(e, 'error', (err) => this.emitReserved('error', err)),\n        sub(e, "
     "'close', (reason, desc) => this._onclose(reason, desc)));\n      this.emitReserved('open');"
     "\n    }\n    // A binary packet arrives as its text header followed by exactly\n    // `att"
     "achments` binary messages; anything else in between is an error.\n    _ondata(d) {\n      l"
     "et p;\n      try {\n        if (this._mp) {\n          if (typeof d === 'string') throw new"
     " Error('text, where the msgpack parser sends binary');\n          p = mpPacket(d);\n       "
     " } else if (typeof d === 'string') {\n          if (this._partial) throw new Error('text wh"
     "ile expecting attachments');\n          p = sioDecode(d);\n          if (p.attachments) { t"
     "his._partial = { p, bufs: [] }; return; }\n        } else {\n          if (!this._partial) "
     "throw new Error('unexpected binary');\n          const part = this._partial;\n          par"
     "t.bufs.push(d);\n          if (part.bufs.length < part.p.attachments) return;\n          th"
     "is._partial = null;\n          p = part.p;\n          p.data = reconstruct(p.data, part.buf"
     "s);\n        }\n      } catch (err) {\n        this._onclose('parse error', err);\n        "
     "return;\n      }\n      this.emitReserved('packet', p);\n    }\n    // Packets leave in emi"
     "t order even when an earlier one holds a Blob that\n    // must first be read asynchronousl"
     "y.\n    _packet(p) {\n      // Remember the engine: a packet whose Blob is read after a rec"
     "onnect\n      // must not leak into the new session ahead of its CONNECT.\n      this._outq"
     ".push({ engine: this.engine, msgs: this._mp ? mpEncode(p) : sioEncode(p) });\n      if (!th"
     "is._pumping) this._pump();\n    }\n    async _pump() {\n      this._pumping = true;\n"),
    /* part 9 */
    ("      try {\n        while (this._outq.length) {\n          const { engine, msgs } = this._"
     "outq[0];\n          for (let i = 1; i < msgs.length; i++) {\n            if (hasBlob && msg"
     "s[i] instanceof Blob) msgs[i] = await msgs[i].arrayBuffer();\n          }\n          this._"
     "outq.shift();\n          if (engine) for (const m of msgs) engine.write(m);\n        }\n   "
     "   } finally {\n        this._pumping = false;\n      }\n    }\n    _cleanup() {\n      for"
     " (const u of this.subs) u();\n      this.subs = [];\n      this._partial = null;\n    }\n  "
     "  socket(nsp, opts) {\n      let s = this.nsps[nsp];\n      if (!s) {\n        s = this.nsp"
     "s[nsp] = new Socket(this, nsp, opts);\n        if (!opts || opts.autoConnect !== false) s.c"
     "onnect();\n      } else if (!s.active && (!opts || opts.autoConnect !== false)) s.connect()"
     ";\n      return s;\n    }\n    // A socket left for good; close the Engine when none is lef"
     "t.\n    _destroy(socket) {\n      for (const k of Object.keys(this.nsps)) if (this.nsps[k]."
     "active) return;\n      this._close();\n    }\n    _close() {\n      this.skipReconnect = tr"
     "ue;\n      this._reconnecting = false;\n      clearTimeout(this._reconnectTimer);\n      co"
     "nst e = this.engine;\n      this._onclose('forced close');\n      if (e) e.close();\n    }"
     "\n    disconnect() { this._close(); }\n    close() { this._close(); }\n    _onclose(reason,"
     " desc) {\n      this._cleanup();\n      if (this.engine && reason !== 'forced close') this."
     "engine.close();\n      this._readyState = 'closed';\n      this.emitReserved('close', reaso"
     "n, desc);\n      if (this._reconnection && !this.skipReconnect) this._reconnect();\n    }\n"
     "    _backoff() {\n      const base = Math.min(this._delay * Math.pow(2, this.attempts - 1),"
     " this._delayMax);\n      const ms = base * (1 + this._jitter * (2 * Math.random() - 1));\n "
     "     return Math.max(0, Math.min(ms, this._delayMax));\n    }\n    _reconnect() {\n      if"
     " (this._reconnecting || this.skipReconnect) return;\n      if (this.attempts >= this._attem"
     "ptsMax) {\n        this.attempts = 0;\n        this.emitReserved('reconnect_failed');\n    "
     "    return;\n      }\n      this.attempts++;\n      this._reconnecting = true;\n      this."
     "_reconnectTimer = setTimeout(() => {\n        if (this.skipReconnect) return;\n        this"
     ".emitReserved('reconnect_attempt', this.attempts);\n        if (this.skipReconnect) return;"
     "\n        this.open((err) => {\n          this._reconnecting = false;\n          if (err) {"
     "\n            this.emitReserved('reconnect_error', err);\n            this._reconnect();\n "
     "         } else {\n            const n = this.attempts;\n            this.attempts = 0;\n  "
     "          this.emitReserved('reconnect', n);\n          }\n        });\n      }, this._back"
     "off());\n    }\n  }\n\n  /* -------------------------------------------------------------- "
     "Socket */\n  // One namespace. Events: connect, connect_error(err), disconnect(reason)\n  /"
     "/ plus whatever the server emits.\n\n  class Socket extends Emitter {\n    constructor(io, "
     "nsp, opts) {\n      super();\n      this.io = io;\n      this.nsp = nsp;\n      this.auth ="
     " opts && opts.auth;\n      this._opts = Object.assign({}, opts);\n      this.connected = fa"
     "lse;\n      this.recovered = false;\n      this.id = undefined;\n      this.ids = 0;\n     "
     " this.acks = {};\n      this.receiveBuffer = [];\n      this.sendBuffer = [];\n      this._"
     "flags = {};\n      this._any = [];\n      this.subs = null;\n    }\n    get disconnected() "
     "{ return !this.connected; }\n    get active() { return !!this.subs; }\n    get volatile() {"
     " this._flags.volatile = true; return this; }\n    timeout(ms) { this._flags.timeout = ms; r"
     "eturn this; }\n    compress() { return this; }\n\n    connect() {\n      if (this.connected"
     ") return this;\n      if (!this.subs) {\n        const io = this.io;\n        this.subs = ["
     "\n          sub(io, 'open', () => this._onopen()),\n          sub(io, 'packet', (p) => { if"
     " (p.nsp === this.nsp) this._onpacket(p); }),\n"),
    /* part 10 */
    ("          sub(io, 'error', (err) => { if (!this.connected) this.emitReserved('connect_error"
     "', err); }),\n          sub(io, 'close', (reason, desc) => this._onclose(reason, desc)),\n "
     "       ];\n      }\n      if (this.io._readyState === 'open') this._onopen();\n      else i"
     "f (!this.io._reconnecting) this.io.open();\n      return this;\n    }\n    open() { return "
     "this.connect(); }\n\n    _onopen() {\n      const send = (data) => {\n        // With conne"
     "ction state recovery the server gave us a private id\n        // and stamps events with off"
     "sets; hand both back to resume.\n        if (this._pid) data = Object.assign({ pid: this._p"
     "id, offset: this._lastOffset }, data);\n        this._packet({ type: T.CONNECT, data });\n "
     "     };\n      if (typeof this.auth === 'function') this.auth((d) => send(d || {}));\n     "
     " else send(this.auth ? Object.assign({}, this.auth) : undefined);\n    }\n\n    emit(ev, .."
     ".args) {\n      if (RESERVED.indexOf(ev) >= 0) throw new Error('\"' + ev + '\" is a reserve"
     "d event name');\n      const flags = this._flags;\n      this._flags = {};\n      const p ="
     " { type: T.EVENT, data: [ev].concat(args) };\n      if (typeof args[args.length - 1] === 'f"
     "unction') {\n        const id = this.ids++;\n        const fn = p.data.pop();\n        this"
     "._registerAck(id, fn, flags.timeout === undefined ? this._opts.ackTimeout : flags.timeout);"
     "\n        p.id = id;\n      }\n      if (this.connected && !(flags.volatile && !(this.io.en"
     "gine && this.io.engine.transport.writable))) this._packet(p);\n      else if (!flags.volati"
     "le) this.sendBuffer.push(p);\n      return this;\n    }\n    send(...args) { return this.em"
     "it('message', ...args); }\n    emitWithAck(ev, ...args) {\n      const withErr = this._flag"
     "s.timeout !== undefined || this._opts.ackTimeout !== undefined;\n      return new Promise(("
     "resolve, reject) => {\n        const fn = (a, b) => { if (!withErr) resolve(a); else if (a)"
     " reject(a); else resolve(b); };\n        this.emit(ev, ...args, fn);\n      });\n    }\n   "
     " // With a timeout the callback gets (err, ...args); err is set when no\n    // ack came in"
     " time (or the socket disconnected first).\n    _registerAck(id, fn, ms) {\n      if (ms ==="
     " undefined) { this.acks[id] = fn; return; }\n      const timer = setTimeout(() => {\n      "
     "  delete this.acks[id];\n        this.sendBuffer = this.sendBuffer.filter((p) => p.id !== i"
     "d);\n        fn.call(this, new Error('operation has timed out'));\n      }, ms);\n      con"
     "st wrapped = (...args) => { clearTimeout(timer); fn.call(this, null, ...args); };\n      wr"
     "apped.fail = (err) => { clearTimeout(timer); fn.call(this, err); };\n      this.acks[id] = "
     "wrapped;\n    }\n    _packet(p) { p.nsp = this.nsp; this.io._packet(p); }\n\n    _onpacket("
     "p) {\n      switch (p.type) {\n        case T.CONNECT:\n          if (p.data && typeof p.da"
     "ta.sid === 'string') this._onconnect(p.data.sid, p.data.pid);\n          else this.emitRese"
     "rved('connect_error', new Error('invalid CONNECT packet'));\n          break;\n        case"
     " T.EVENT:\n        case T.BINARY_EVENT: {\n          const args = p.data.slice();\n        "
     "  if (p.id !== undefined) args.push(this._ack(p.id));\n          if (this.connected) this._"
     "dispatch(args);\n          else this.receiveBuffer.push(args);\n          break;\n        }"
     "\n        case T.ACK:\n        case T.BINARY_ACK: {\n          const fn = this.acks[p.id];"
     "\n          if (typeof fn === 'function') {\n            delete this.acks[p.id];\n         "
     "   fn.apply(this, p.data);\n          }\n          break;\n        }\n        case T.DISCON"
     "NECT:\n          this._destroy();\n          this._onclose('io server disconnect');\n      "
     "    break;\n        case T.CONNECT_ERROR: {\n          this._destroy();\n          const d "
     "= p.data;\n          const err = new Error(typeof d === 'string' ? d : d.message);\n       "
     "   if (typeof d === 'object') err.data = d.data;\n          this.emitReserved('connect_erro"
     "r', err);\n          break;\n        }\n        default: break;\n      }\n    }\n"),
    /* part 11 */
    ("    _dispatch(args) {\n      for (const fn of this._any.slice()) fn.apply(this, args);\n   "
     "   if (this._pid && args.length && typeof args[args.length - 1] === 'string') this._lastOff"
     "set = args[args.length - 1];\n      this.emitReserved(...args);\n    }\n    // Ack for an e"
     "vent the server sent with an id: 21[\"ask\"] -> 31[answer].\n    _ack(id) {\n      let sent"
     " = false;\n      return (...args) => {\n        if (sent) return;\n        sent = true;\n  "
     "      this._packet({ type: T.ACK, id, data: args });\n      };\n    }\n    _onconnect(id, p"
     "id) {\n      this.id = id;\n      this.recovered = !!(pid && this._pid === pid);\n      thi"
     "s._pid = pid;\n      this.connected = true;\n      for (const args of this.receiveBuffer) t"
     "his._dispatch(args);\n      this.receiveBuffer = [];\n      this.emitReserved('connect');\n"
     "      for (const p of this.sendBuffer) this._packet(p);\n      this.sendBuffer = [];\n    }"
     "\n    _onclose(reason, desc) {\n      const was = this.connected;\n      this.connected = f"
     "alse;\n      this.id = undefined;\n      if (was || reason !== 'forced close') this.emitRes"
     "erved('disconnect', reason, desc);\n      // Callbacks that can report an error learn that "
     "no ack will come.\n      for (const id of Object.keys(this.acks)) {\n        const fn = thi"
     "s.acks[id];\n        if (fn.fail) {\n          delete this.acks[id];\n          fn.fail(new"
     " Error('socket has been disconnected'));\n        }\n      }\n    }\n    _destroy() {\n    "
     "  if (!this.subs) return;\n      for (const u of this.subs) u();\n      this.subs = null;\n"
     "      this.io._destroy(this);\n    }\n    disconnect() {\n      const was = this.connected;"
     "\n      if (was) this._packet({ type: T.DISCONNECT });\n      this._destroy();\n      if (w"
     "as) this._onclose('io client disconnect');\n      return this;\n    }\n    close() { return"
     " this.disconnect(); }\n\n    onAny(fn) { this._any.push(fn); return this; }\n    prependAny"
     "(fn) { this._any.unshift(fn); return this; }\n    offAny(fn) {\n      if (!fn) this._any = "
     "[];\n      else this._any = this._any.filter((f) => f !== fn);\n      return this;\n    }\n"
     "    listenersAny() { return this._any.slice(); }\n  }\n\n  /* -----------------------------"
     "------------------------------------- io */\n\n  const cache = {};\n  function lookup(uri, "
     "opts) {\n    if (uri && typeof uri === 'object') { opts = uri; uri = undefined; }\n    opts"
     " = opts || {};\n    const url = new URL(uri || '/', typeof location !== 'undefined' ? locat"
     "ion.href : undefined);\n    const path = (opts.path || '/socket.io').replace(/\\/$/, '') + "
     "'/';\n    const key = url.protocol + '//' + url.host + path;\n    const nsp = url.pathname "
     "|| '/';\n    // Like the official client: a second io() for an already used\n    // namespa"
     "ce gets its own connection instead of the cached socket.\n    const fresh = opts.forceNew |"
     "| opts['force new connection'] || opts.multiplex === false ||\n      (cache[key] && nsp in "
     "cache[key].nsps);\n    let io;\n    if (fresh) io = new Manager(url.href, opts);\n    else "
     "io = cache[key] || (cache[key] = new Manager(url.href, opts));\n    return io.socket(nsp, o"
     "pts);\n  }\n  Object.assign(lookup, { io: lookup, connect: lookup, Manager, Socket, protoco"
     "l: 5 });\n\n  if (typeof module === 'object' && module && module.exports) module.exports = "
     "lookup;\n  else root.io = lookup;\n})(typeof globalThis !== 'undefined' ? globalThis : this"
     ");\n")
};
/* >>client-js end */
#endif

#endif /* SOCKETIO_IMPLEMENTATION_DONE */
#endif /* SOCKETIO_IMPLEMENTATION */

/* ---------------------------------------------------------------------
   MIT License

   Copyright (c) 2026 The socketio.h authors

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

   The above copyright notice and this permission notice shall be included in all
   copies or substantial portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
   SOFTWARE.
   --------------------------------------------------------------------- */
