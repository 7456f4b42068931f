/* socketio.h - Socket.IO server and client in one C header.

   Realtime, event-based, bi-directional messaging with browsers and any
   Socket.IO v4 peer (Engine.IO protocol v4, Socket.IO protocol v5), using
   nothing but libc and POSIX sockets.

   QUICK START
   ===========
   In exactly one C file:

       #define SOCKETIO_IMPLEMENTATION
       #include "socketio.h"

   Everywhere else just #include "socketio.h".

   CONFIGURATION MACROS (define before the implementation include)
   ================================================================
   SIO_API               decoration of public functions (default: extern)
   SIO_STATIC            make every public function static
   SIO_MALLOC(n)         \
   SIO_REALLOC(p,n)       > allocator; define all three or none
   SIO_FREE(p)           /
   SIO_ASSERT(c)         assertion (default: assert from <assert.h>)
   (limits: see the "Limits" block below; every one is #ifndef-guarded)

   THREADS
   =======
   The library creates no threads and has no global mutable state. A
   context belongs to the thread that polls it.
*/
#ifndef SOCKETIO_H
#define SOCKETIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef SIO_STATIC
#define SIO_API static
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
    X(SIO_ERR_UNSUPPORTED,-14,"not supported by this build")

typedef enum sio_result {
#define SIO__ENUM(name, value, text) name = value,
    SIO_ERRORS(SIO__ENUM)
#undef SIO__ENUM
    SIO__ERR_LAST = -15
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

#if defined(SIO_MALLOC) && defined(SIO_REALLOC) && defined(SIO_FREE)
/* all three given */
#elif !defined(SIO_MALLOC) && !defined(SIO_REALLOC) && !defined(SIO_FREE)
#define SIO_MALLOC(n) malloc(n)
#define SIO_REALLOC(p, n) realloc(p, n)
#define SIO_FREE(p) free(p)
#else
#error "define all of SIO_MALLOC, SIO_REALLOC and SIO_FREE, or none"
#endif

/* Internal helpers some builds (SIO_NO_*) leave unused. */
#if defined(__GNUC__) || defined(__clang__)
#define SIO__UNUSED __attribute__((unused))
#else
#define SIO__UNUSED
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

#endif /* SOCKETIO_IMPLEMENTATION_DONE */
#endif /* SOCKETIO_IMPLEMENTATION */
