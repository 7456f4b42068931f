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
   must not call sio_client_destroy().

       sio_client_desc d; memset(&d, 0, sizeof d);
       d.url = "http://127.0.0.1:3000";
       sio_client *c = sio_client_create(&d, &err);
       sio_client_socket *s = sio_client_socket_open(c, "/", "{\"token\":\"x\"}");
       sio_client_on(s, "chat", on_chat, NULL);
       sio_client_emit_json(s, "chat", "[\"hi\"]");
       sio_client_run(c);                                               */

#ifndef SIO_CLIENT_MAX_BUFFERED
#define SIO_CLIENT_MAX_BUFFERED (1u << 20)  /* default bytes of emits held per socket while offline */
#endif
#ifndef SIO_CLIENT_MAX_BODY
#define SIO_CLIENT_MAX_BODY (64u << 20)     /* bytes of one polling response */
#endif
#ifndef SIO_CLIENT_MAX_ADDRS
#define SIO_CLIENT_MAX_ADDRS 8              /* resolved addresses tried in turn */
#endif
#ifndef SIO_CLIENT_MAX_HOST
#define SIO_CLIENT_MAX_HOST 256             /* bytes of the host name in the URL */
#endif

typedef struct sio_client sio_client;               /* a manager: one Engine.IO connection */
typedef struct sio_client_socket sio_client_socket; /* one namespace on it */

/* An incoming event. name and args are views valid until the handler
   returns. */
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
    int reconnection_delay_ms;   /* 0 = 1000: first delay */
    int reconnection_delay_max_ms; /* 0 = 5000 */
    double randomization_factor; /* 0 = 0.5; < 0 = no jitter */
    int timeout_ms;              /* 0 = 20000: Engine.IO handshake deadline */
    size_t max_buffered;         /* 0 = SIO_CLIENT_MAX_BUFFERED: emits held per socket while offline */
    int resolve_timeout_ms;      /* reserved: name resolution (getaddrinfo) is synchronous */
    void (*on_reconnect_attempt)(sio_client *c, int attempt, void *user);
    void (*on_reconnect)(sio_client *c, int attempt, void *user);
    void (*on_reconnect_failed)(sio_client *c, void *user);
    void *user;
    sio_allocator allocator;
    sio_logger logger;           /* debug level: handshake, upgrade, every packet both ways */
} sio_client_desc;

/* Parses the URL, resolves the host and starts connecting. NULL on error
   with *err (may be NULL) set: SIO_ERR_INVALID (bad URL or transports),
   SIO_ERR_UNSUPPORTED (TLS), SIO_ERR_RESOLVE, SIO_ERR_NOMEM. */
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

SIO_API int  sio_client_on(sio_client_socket *s, const char *event, sio_client_event_fn fn, void *user); /* "*" = any */
SIO_API void sio_client_on_connect(sio_client_socket *s, sio_client_socket_fn fn, void *user);
SIO_API void sio_client_on_disconnect(sio_client_socket *s, sio_client_disconnect_fn fn, void *user);
SIO_API void sio_client_on_connect_error(sio_client_socket *s, sio_client_error_fn fn, void *user);

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

SIO_API const char *sio_client_transport(const sio_client *c);  /* "polling", "websocket", or "" when down */
/* 1 once the client stopped for good: closed by the user, every namespace
   left or refused, or reconnection given up. */
SIO_API int  sio_client_closed(const sio_client *c);
SIO_API int  sio_client_poll(sio_client *c, int timeout_ms);      /* one loop turn */
SIO_API int  sio_client_run(sio_client *c);                       /* until stopped or closed */
SIO_API void sio_client_stop(sio_client *c);
/* Leaves every namespace and closes the connection; no reconnection. */
SIO_API void sio_client_disconnect(sio_client *c);
