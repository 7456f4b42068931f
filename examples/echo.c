/* echo.c - the reference echo server the interop tests and benchmarks use.

   /socket.io/ (namespaces "/" and "/custom"): the events of echo_events.h
   (auth, deny, acks, E-back, rooms, ask, ask-all, disconnect-me).
   /engine.io/: a bare Engine.IO endpoint sending every message back.

   Build: cc -std=c99 -O2 -I.. echo.c -o echo
   Run:   ./echo --port 3000 */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include "echo_events.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                    "            [--log] [-v]\n"
                    "            [--tls-cert PEM --tls-key PEM]   (TLS builds: build/tls/echo)\n");
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_server *srv;
    struct sigaction sa;
    int i, err, print_disconnects = 0;

    memset(&d, 0, sizeof d);
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

    srv = sio_server_create(&d, &err);
    if (!srv) {
        fprintf(stderr, "echo: cannot start: %s\n", sio_strerror(err));
        return 1;
    }
    if ((err = echo_install(srv, print_disconnects ? print_disconnect : NULL)) != SIO_OK) {
        fprintf(stderr, "echo: %s\n", sio_strerror(err));
        sio_server_destroy(srv);
        return 1;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("listening on port %d\n", sio_server_port(srv));
    fflush(stdout);
    while (!stop_requested) sio_server_poll(srv, 1000);
    sio_server_destroy(srv);
    return 0;
}
