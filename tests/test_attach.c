/* A server attached to a host (desc.no_listen): requests handed in with
   sio_server_request are answered once, at once or later; a WebSocket
   answered 101 runs on the socket handed over after it and is given back
   through release; sio_server_adopt takes a socket with bytes already
   read. Sockets are socketpairs (on Windows, a loopback pair): no peer
   but this file. (The real hosts, libmicrohttpd and an accept() loop, are driven by
   tests/interop/attach.test.mjs.) */
#define _DEFAULT_SOURCE
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#ifdef _WIN32
/* Windows has no socketpair(): a connected pair over the loopback (made
   while a server exists, which has started Winsock). sv[1], the test's
   end, is non-blocking, for Winsock has no MSG_DONTWAIT either. */
#define MSG_DONTWAIT 0
static int socketpair(int domain, int type, int protocol, int sv[2]) {
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    u_long on = 1;
    int lfd = (int)socket(AF_INET, SOCK_STREAM, 0);
    (void)domain, (void)type, (void)protocol;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sv[0] = sv[1] = -1;
    if (lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1) == 0 &&
        getsockname(lfd, (struct sockaddr *)&a, &n) == 0) {
        sv[1] = (int)socket(AF_INET, SOCK_STREAM, 0);
        if (sv[1] >= 0 && connect(sv[1], (struct sockaddr *)&a, sizeof a) == 0) {
            sv[0] = (int)accept(lfd, NULL, NULL);
            ioctlsocket(sv[1], FIONBIO, &on);
        }
    }
    if (lfd >= 0) sio__closesocket(lfd);
    return sv[0] >= 0 ? 0 : -1;
}
#else
#include <sys/socket.h>
#endif

static int passes, fails, checks_failed;
#define CHECK(c) do { if (!(c)) { checks_failed++; fprintf(stderr, "  check failed line %d: %s\n", __LINE__, #c); } } while (0)
static void group(const char *name) {
    if (checks_failed) { fails++; printf("not ok %d - attach: %s\n", passes + fails, name); }
    else { passes++; printf("ok %d - attach: %s\n", passes + fails, name); }
    checks_failed = 0;
}

/* What the host saw of one exchange. */
typedef struct answer {
    int calls, status, released_fd;
    char headers[1024];
    char body[2048];
    size_t len;
} answer;

static void respond(void *user, int status, const char *headers, const void *body, size_t len) {
    answer *a = (answer *)user;
    a->calls++;
    a->status = status;
    snprintf(a->headers, sizeof a->headers, "%s", headers);
    a->len = len;
    if (len >= sizeof a->body) len = sizeof a->body - 1;
    memcpy(a->body, body, len);
    a->body[len] = 0;
}

static void release(void *user, int fd) {
    answer *a = (answer *)user;
    a->released_fd = fd;
    sio__closesocket(fd);
}

static sio_exchange *ask(sio_server *srv, answer *a, const char *method, const char *target, const char *headers,
                         const char *body, int *err) {
    sio_host_request r;
    memset(a, 0, sizeof *a);
    a->released_fd = -1;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.target = target;
    r.headers = headers;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    r.respond = respond;
    r.release = release;
    r.user = a;
    return sio_server_request(srv, &r, err);
}

/* A polling session: its sid, the CONNECT to "/" sent and answered. */
static void session(sio_server *srv, char *sid, size_t n) {
    answer a;
    char t[200];
    int err;
    sio_json open, v;
    ask(srv, &a, "GET", "/socket.io/?EIO=4&transport=polling", "Host: x\r\n", NULL, &err);
    sid[0] = 0;
    if (a.calls == 1 && a.body[0] == '0' && sio_json_parse(a.body + 1, a.len - 1, &open) == SIO_OK &&
        sio_json_get(open, "sid", &v) == SIO_OK)
        sio_json_strcpy(v, sid, n);
    snprintf(t, sizeof t, "/socket.io/?EIO=4&transport=polling&sid=%s", sid);
    ask(srv, &a, "POST", t, "Host: x\r\nContent-Type: text/plain\r\n", "40", &err);
    ask(srv, &a, "GET", t, "Host: x\r\n", NULL, &err);   /* 40{"sid":...} */
}

static sio_server *attached(void) {
    sio_server_desc d;
    int err;
    memset(&d, 0, sizeof d);
    d.no_listen = 1;
    return sio_server_create(&d, &err);
}

/* Turns of the server until the peer end of a socketpair has bytes. */
static ssize_t read_some(sio_server *srv, int fd, char *buf, size_t n) {
    int i;
    for (i = 0; i < 200; i++) {
        ssize_t r = recv(fd, buf, n, MSG_DONTWAIT);
        if (r > 0) return r;
        sio_server_poll(srv, 5);
    }
    return -1;
}

static void turns(sio_server *srv, int k) {
    while (k-- > 0) sio_server_poll(srv, 5);
}

int main(void) {
    sio_server *srv = attached();
    sio_exchange *x;
    answer a, b;
    char sid[64], t[200], buf[4096];
    int err, sv[2];
    ssize_t n;

    CHECK(srv != NULL && sio_server_port(srv) == 0);
    group("no_listen: a server with no port of its own");

    x = ask(srv, &a, "GET", "/socket.io/?EIO=4&transport=polling", "Host: x\r\nOrigin: http://o\r\n", NULL, &err);
    CHECK(x == NULL && err == SIO_OK && a.calls == 1 && a.status == 200);
    CHECK(a.body[0] == '0' && strstr(a.body, "\"sid\""));
    CHECK(strstr(a.headers, "Content-Type: text/plain") != NULL);
    CHECK(strstr(a.headers, "Content-Length") == NULL && strstr(a.headers, "Connection") == NULL);
    x = ask(srv, &a, "HEAD", "/socket.io/socket.io.js", "Host: x\r\n", NULL, &err);
    CHECK(x == NULL && a.calls == 1 && a.status == 200 && a.len == 0);
    x = ask(srv, &a, "GET", "/elsewhere", "Host: x\r\n", NULL, &err);
    CHECK(x == NULL && a.calls == 1 && a.status == 404);
    /* a Content-Length of the host's own is not trusted over body_len */
    x = ask(srv, &a, "POST", "/socket.io/?EIO=4&transport=polling&sid=nope", "Content-Length: 99\r\n", "40", &err);
    CHECK(x == NULL && a.calls == 1 && a.status == 400);
    group("answers ready at once come inside the call, once, without the host's own headers");

    x = ask(srv, &a, NULL, "/socket.io/", NULL, NULL, &err);
    CHECK(x == NULL && err == SIO_ERR_INVALID && a.calls == 0);
    x = ask(srv, &a, "GET", "socket.io/", NULL, NULL, &err);
    CHECK(x == NULL && err == SIO_ERR_INVALID && a.calls == 0);
    x = ask(srv, &a, "GET", "/socket.io/ HTTP/1.1\r\nX: y", NULL, NULL, &err);
    CHECK(x == NULL && err == SIO_ERR_INVALID && a.calls == 0);
    CHECK(sio_server_request(NULL, NULL, &err) == NULL && err == SIO_ERR_INVALID);
    CHECK(sio_server_upgraded(NULL, 3, NULL, 0) == SIO_ERR_INVALID);
    sio_server_request_gone(NULL);
    group("bad requests are refused before anything is answered");

    session(srv, sid, sizeof sid);
    CHECK(sid[0] != 0);
    snprintf(t, sizeof t, "/socket.io/?EIO=4&transport=polling&sid=%s", sid);
    x = ask(srv, &a, "GET", t, "Host: x\r\n", NULL, &err);
    CHECK(x != NULL && err == SIO_OK && a.calls == 0);   /* held: nothing to send */
    ask(srv, &b, "POST", t, "Host: x\r\n", "42[\"hello\"]", &err);
    CHECK(b.calls == 1 && b.status == 200);
    sio_server_poll(srv, 0);
    CHECK(a.calls == 0);                                 /* no handler sends anything back */
    sio_server_request_gone(x);                          /* the host's connection went */
    sio_server_poll(srv, 0);
    CHECK(a.calls == 0);
    group("a long-poll is held; gone before its answer, it is never answered");

    session(srv, sid, sizeof sid);
    snprintf(t, sizeof t, "/socket.io/?EIO=4&transport=polling&sid=%s", sid);
    x = ask(srv, &a, "GET", t, "Host: x\r\n", NULL, &err);
    CHECK(x != NULL && a.calls == 0);
    {
        sio_msg m;
        sio_msg_init(&m);
        sio_json_int(&m.w, 1);
        sio_broadcast(sio_of(srv, "/"), NULL, "news", &m);
        sio_msg_free(&m);
    }
    CHECK(a.calls == 0);                                 /* queued, out at the end of the turn */
    sio_server_poll(srv, 0);
    CHECK(a.calls == 1 && a.status == 200 && strcmp(a.body, "42[\"news\",1]") == 0);
    x = ask(srv, &a, "GET", t, "Host: x\r\n", NULL, &err);
    CHECK(x != NULL && a.calls == 0);
    group("a held GET is answered from a later turn, through respond");

    memset(&b, 0, sizeof b);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    x = ask(srv, &b, "GET", "/socket.io/?EIO=4&transport=websocket",
            "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n", NULL, &err);
    CHECK(x != NULL && b.calls == 1 && b.status == 101);
    CHECK(strstr(b.headers, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != NULL);
    CHECK(strstr(b.headers, "Upgrade: websocket") != NULL && strstr(b.headers, "Connection: Upgrade") != NULL);
    CHECK(sio_server_upgraded(x, sv[0], "\x81\x82\x01\x02\x03\x04", 6) == SIO_OK);  /* half of "40", masked */
    n = read_some(srv, sv[1], buf, sizeof buf);
    CHECK(n > 2 && (unsigned char)buf[0] == 0x81 && buf[2] == '0');   /* the open packet, queued before the socket */
    {
        const unsigned char rest[2] = {'4' ^ 0x01, '0' ^ 0x02};
        CHECK(send(sv[1], rest, 2, 0) == 2);
    }
    n = read_some(srv, sv[1], buf, sizeof buf);
    CHECK(n > 4 && (unsigned char)buf[0] == 0x81 && buf[2] == '4' && buf[3] == '0');   /* the CONNECT reply */
    sio__closesocket(sv[1]);
    turns(srv, 20);   /* the library sees the end */
    CHECK(b.released_fd == sv[0] && b.calls == 1);
    group("WebSocket: 101 to the host, then the host's socket, given back through release");

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    {
        static const char req[] = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\nGET /socket";
        CHECK(sio_server_adopt(srv, sv[0], req, sizeof req - 1) == SIO_OK);
    }
    n = read_some(srv, sv[1], buf, sizeof buf - 1);
    CHECK(n > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0);
    CHECK(sio_server_adopt(srv, -1, NULL, 0) == SIO_ERR_INVALID);
    CHECK(sio_server_adopt(NULL, sv[1], NULL, 0) == SIO_ERR_INVALID);
    sio__closesocket(sv[1]);   /* the library closes sv[0] when it sees the end */
    group("adopt: a socket with a request already read, and the start of the next");

    /* the held GET of the earlier session is still waiting */
    sio_server_destroy(srv);
    CHECK(a.calls == 1 && a.status == 200 && strcmp(a.body, "1") == 0);
    group("a server destroyed with a long-poll pending answers it: the close packet");

    printf("# pass %d\n# fail %d\n", passes, fails);
    return fails ? 1 : 0;
}
