/* echo.c - the reference echo server the interop tests and benchmarks use.

   /socket.io/ (namespaces "/" and "/custom"): the events of echo_events.h
   (auth, deny, acks, E-back, rooms, ask, ask-all, disconnect-me).
   /engine.io/: a bare Engine.IO endpoint sending every message back.
   --redis HOST:PORT (or a redis:// URL) joins a cluster of servers, C or
   Node (@socket.io/redis-adapter), through Redis; --workers N (with it)
   runs N processes on one port (SO_REUSEPORT), one per core, for
   WebSocket clients (a long-polling session must stay on one process).
   --admin USER:PASS shows it in the Socket.IO Admin UI (sio_server_admin).

   Build: cc -std=c99 -O2 -I.. echo.c -o echo
   Run:   ./echo --port 3000 */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "echo_events.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32   /* --workers: fork, pipes and SO_REUSEPORT, POSIX only */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>   /* workers go when their parent does, even if it is killed */
#endif
#endif

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* The bare Engine.IO endpoint: every message goes back as it came. */
static void engine_echo(sio_engine_conn *c, const void *data, size_t len, int binary, void *user) {
    (void)user;
    sio_engine_send(c, data, len, binary);
}

/* --print-disconnects: one line per socket that goes, with Node's reason */
static void print_disconnect(sio_socket *s, const char *reason, void *user) {
    printf("disconnect %s %s %s\n", sio_namespace_name(sio_socket_nsp(s)), sio_socket_id(s), reason);
    fflush(stdout);
    (void)user;
}

static void log_stderr(sio_log_level level, const char *msg, void *user) {
    (void)user;
    fprintf(stderr, "echo: %s: %s\n", sio_log_level_name(level), msg);
}

static void usage(void) {
    fprintf(stderr, "usage: echo [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]\n"
                    "            [--max-payload BYTES] [--connect-timeout MS] [--recovery-ms MS] [--cors ORIGIN]\n"
                    "            [--max-connections N] [--http-timeout MS] [--max-output BYTES] [--max-packets N]\n"
                    "            [--max-headers N] [--max-header-bytes N] [--max-request-line N]\n"
                    "            [--max-attachments N] [--max-json-depth N]\n"
                    "            [--allow-eio3] [--parser default|msgpack] [--cors-credentials] [--print-disconnects]\n"
                    "            [--redis HOST:PORT|redis://[[USER]:PASS@]HOST[:PORT][/DB] [--workers N]]\n"
                    "            [--admin USER:PASS | --admin-no-auth] [--admin-mode development|production]\n"
                    "            [--admin-server-id ID] [--admin-namespace NAME]\n"
                    "            [--log] [-v]\n"
                    "            [--tls-cert PEM --tls-key PEM]   (TLS builds: build/tls/echo)\n");
}

/* --cors with --admin: the list (or "*") and the Admin UI's origin. */
static int admin_cors(const char *origin, void *user) {
    const char *list = (const char *)user, *p = list;
    size_t n = strlen(origin);
    if (strcmp(list, "*") == 0 || strcmp(origin, "https://admin.socket.io") == 0) return 1;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, origin, n) == 0) return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

#ifndef _WIN32
/* A free port for the workers to share: bound here with SO_REUSEPORT
   (so nobody else takes it) until they all listen on it. */
static int reserve_port(const char *host, int port, int *fd) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int one = 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host ? host : "0.0.0.0", &a.sin_addr) != 1) return -1;
    if ((*fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) return -1;
    setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#ifdef SO_REUSEPORT
    setsockopt(*fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#endif
    if (bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(*fd, (struct sockaddr *)&a, &al) != 0) {
        close(*fd);
        return -1;
    }
    return ntohs(a.sin_port);
}

/* --workers: n children each run a server on the port (SO_REUSEPORT) and
   say "ready" on a pipe; then this process says "listening" once, waits
   for a signal and stops them all. 0 in a child (go on as a worker), else
   the exit status. */
static int run_workers(int n, sio_server_desc *d, int *ready_fd) {
    pid_t pids[64];
    int p[2], i, got = 0, fd = -1, port;
    char c;
    if (n > 64) n = 64;
    if ((port = reserve_port(d->host, d->port, &fd)) < 0) {
        fprintf(stderr, "echo: --workers: cannot bind port %d\n", d->port);
        return 1;
    }
    d->port = port;
    d->reuse_port = 1;
    if (pipe(p) != 0) return 1;
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
            close(p[0]);
            close(fd);
            *ready_fd = p[1];
            return 0;
        }
        if (pids[i] < 0) n = i;
    }
    close(p[1]);
    while (got < n && read(p[0], &c, 1) == 1) got++;   /* each worker listens, or exits (EOF) */
    close(p[0]);
    close(fd);
    if (got == n) {
        printf("listening on port %d\n", port);
        fflush(stdout);
        while (!stop_requested) pause();
    } else {
        fprintf(stderr, "echo: %d of %d workers started\n", got, n);
    }
    for (i = 0; i < n; i++) kill(pids[i], SIGTERM);
    for (i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
    return got == n ? 0 : 1;
}
#endif

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_cluster_desc cd;
    sio_admin_desc ad;
    int admin = 0;
    sio_server *srv;
#ifndef _WIN32
    struct sigaction sa;
#endif
    int i, err, print_disconnects = 0, workers = 0;
#ifndef _WIN32
    int ready_fd = -1;
#endif

    memset(&d, 0, sizeof d);
    memset(&cd, 0, sizeof cd);
    memset(&ad, 0, sizeof ad);
    d.port = 3000;
    d.engine_path = "/engine.io/";
    d.engine.on_message = engine_echo;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--cors-credentials") == 0) {
            d.cors_credentials = 1;
            continue;
        }
        if (strcmp(a, "--allow-eio3") == 0) {   /* socket.io 2 clients too */
            d.allow_eio3 = 1;
            continue;
        }
        if (strcmp(a, "--admin-no-auth") == 0) {   /* the Admin UI, open to anyone */
            admin = ad.no_auth = 1;
            continue;
        }
        if (strcmp(a, "--print-disconnects") == 0) {
            print_disconnects = 1;
            continue;
        }
        if (strcmp(a, "-v") == 0) {   /* every packet both ways, raw and decoded */
            d.logger.fn = log_stderr;
            d.logger.level = SIO_LOG_TRACE;
            continue;
        }
        if (strcmp(a, "--log") == 0) {   /* the library's default level: refusals of bad input */
            d.logger.fn = log_stderr;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(a, "--port") == 0) d.port = atoi(v);
        else if (strcmp(a, "--host") == 0) d.host = v;
        else if (strcmp(a, "--ping-interval") == 0) d.ping_interval_ms = atoi(v);
        else if (strcmp(a, "--ping-timeout") == 0) d.ping_timeout_ms = atoi(v);
        else if (strcmp(a, "--max-payload") == 0) d.max_payload = atol(v);
        else if (strcmp(a, "--connect-timeout") == 0) d.connect_timeout_ms = atoi(v);
        else if (strcmp(a, "--recovery-ms") == 0) d.recovery_ms = atoi(v);
        else if (strcmp(a, "--cors") == 0) d.cors_origin = v;
        else if (strcmp(a, "--max-connections") == 0) d.max_connections = atoi(v);
        else if (strcmp(a, "--http-timeout") == 0) d.http_timeout_ms = atoi(v);
        else if (strcmp(a, "--max-output") == 0) d.max_output = (size_t)atol(v);
        else if (strcmp(a, "--max-packets") == 0) d.max_packets_per_payload = atoi(v);
        else if (strcmp(a, "--max-headers") == 0) d.max_http_headers = atoi(v);
        else if (strcmp(a, "--max-header-bytes") == 0) d.max_http_header_bytes = atoi(v);
        else if (strcmp(a, "--max-request-line") == 0) d.max_request_line = atoi(v);
        else if (strcmp(a, "--max-attachments") == 0) d.max_attachments = atoi(v);
        else if (strcmp(a, "--max-json-depth") == 0) d.max_json_depth = atoi(v);
        else if (strcmp(a, "--parser") == 0 && (strcmp(v, "msgpack") == 0 || strcmp(v, "default") == 0))
            d.parser = v[0] == 'm' ? SIO_PARSER_MSGPACK : SIO_PARSER_DEFAULT;   /* socket.io-msgpack-parser */
        else if (strcmp(a, "--redis") == 0) cd.redis = v;
        else if (strcmp(a, "--admin") == 0 && strchr(v, ':')) {   /* USER:PASS, the password plain */
            static char user[256];
            size_t n = (size_t)(strchr(v, ':') - v);
            if (n >= sizeof user) {
                usage();
                return 2;
            }
            memcpy(user, v, n);
            user[n] = '\0';
            ad.username = user;
            ad.password = v + n + 1;
            admin = 1;
        } else if (strcmp(a, "--admin-mode") == 0 && (strcmp(v, "development") == 0 || strcmp(v, "production") == 0))
            ad.production = v[0] == 'p';
        else if (strcmp(a, "--admin-server-id") == 0) ad.server_id = v;
        else if (strcmp(a, "--admin-namespace") == 0) ad.nsp = v;
        else if (strcmp(a, "--workers") == 0 && atoi(v) > 0) workers = atoi(v);
        else if (strcmp(a, "--tls-cert") == 0) d.tls.cert_file = v;   /* needs SIO_TLS_BEARSSL */
        else if (strcmp(a, "--tls-key") == 0) d.tls.key_file = v;
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (!d.logger.fn) {
        d.logger.fn = log_stderr;
        d.logger.level = SIO_LOG_WARN;
    }
    if (admin && d.cors_origin) {
        /* the UI polls with credentials: --cors ORIGIN[,ORIGIN] and its own
           origin are named back with them, and "*" names back any origin */
        d.cors_allow = admin_cors;
        d.cors_user = (void *)d.cors_origin;
        d.cors_credentials = 1;
    }
#ifdef _WIN32
    /* Windows has no fork() and no SO_REUSEPORT to share one port between
       processes: one process per port there, joined through --redis. */
    if (workers) {
        fprintf(stderr, "echo: --workers is not available on Windows (no fork, no SO_REUSEPORT)\n");
        return 2;
    }
#endif
    if (workers && !cd.redis) {
        fprintf(stderr, "echo: --workers needs --redis: the workers share their sockets through it\n");
        return 2;
    }

#ifdef _WIN32
    /* no sigaction() and no SIGPIPE there: C's signal() for the stop */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
#else
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (workers && (err = run_workers(workers, &d, &ready_fd)) != 0) return err;
    if (workers && stop_requested) return 0;   /* the parent, once stopped */
#endif

    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "echo: cannot start: %s\n", sio_strerror(err));
        return 1;
    }
    if ((err = echo_install(srv, print_disconnects ? print_disconnect : NULL)) != SIO_OK ||
        (cd.redis && (err = sio_server_cluster(srv, &cd)) != SIO_OK) ||
        (admin && (err = sio_server_admin(srv, &ad)) != SIO_OK)) {
        fprintf(stderr, "echo: %s\n", sio_strerror(err));
        sio_server_destroy(srv);
        return err == SIO_ERR_INVALID ? 2 : 1;
    }

#ifndef _WIN32
    if (ready_fd >= 0) {   /* a worker: the parent says "listening" for all */
        if (write(ready_fd, "r", 1) != 1) return 1;
        close(ready_fd);
    } else
#endif
    {
        printf("listening on port %d\n", sio_server_port(srv));
        fflush(stdout);
    }
    while (!stop_requested) sio_server_poll(srv, 1000);
    sio_server_destroy(srv);
    return 0;
}
