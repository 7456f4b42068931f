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
   last disconnects, which close every stream). A hub installs its own
   disconnect handler in front of the namespace's (or client socket's)
   one: call sio_on_disconnect / sio_client_on_disconnect BEFORE
   sio_stream_attach*, not after, or the hub will not see disconnects. */

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

SIO_API void sio_stream_set_handlers(sio_stream *st, const sio_stream_handlers *h);
SIO_API const char *sio_stream_id(const sio_stream *st);
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
   cannot, the stream then stays untouched), sends its bytes as the peer
   asks for them and ends the stream at the end of the file; send_fd does
   the same from an open descriptor. save_fd writes every chunk received
   to fd (blocking writes) and starts reading. close_fd = 1: the stream
   closes fd when it is closed. A read or write failure closes the stream
   with SIO_ERR_IO and tells the peer. The on_* handlers still run. */
SIO_API int sio_stream_send_file(sio_stream *st, const char *path);
SIO_API int sio_stream_send_fd(sio_stream *st, int fd, int close_fd);
SIO_API int sio_stream_save_fd(sio_stream *st, int fd, int close_fd);
