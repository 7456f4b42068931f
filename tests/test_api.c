/* The public API against the traps a new user falls into: sio_of()
   without the leading slash (Node's io.of("admin") is "/admin"), and every
   call given a NULL that another call can return (a failed create, a
   namespace or socket open that was refused, a stream or timer that could
   not be made): an error or nothing, never a crash. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static int passes, fails, checks_failed;
#define CHECK(c) do { if (!(c)) { checks_failed++; fprintf(stderr, "  check failed line %d: %s\n", __LINE__, #c); } } while (0)
static void group(const char *name) {
    if (checks_failed) { fails++; printf("not ok %d - api: %s\n", passes + fails, name); }
    else { passes++; printf("ok %d - api: %s\n", passes + fails, name); }
    checks_failed = 0;
}

static void on_ev(const sio_event *ev, void *user) { (void)ev, (void)user; }
static void on_cev(const sio_client_event *ev, void *user) { (void)ev, (void)user; }
static void on_sock(sio_socket *s, void *user) { (void)s, (void)user; }
static void on_disc(sio_socket *s, const char *r, void *user) { (void)s, (void)r, (void)user; }
static int on_mw(sio_socket *s, sio_json a, const char **m, const char **d, void *u) {
    (void)s, (void)a, (void)m, (void)d, (void)u;
    return 0;
}
static void on_ack(sio_socket *s, int err, const sio_args *a, void *u) { (void)s, (void)err, (void)a, (void)u; }
static void on_cack(sio_client_socket *s, int err, const sio_args *a, void *u) { (void)s, (void)err, (void)a, (void)u; }
static void on_bcast(sio_namespace *n, int err, const sio_bcast_reply *r, size_t k, void *u) {
    (void)n, (void)err, (void)r, (void)k, (void)u;
}
static void on_stream(const sio_stream_event *ev, void *user) { (void)ev, (void)user; }
static void on_tick(sio_timer *t, void *user) { (void)t, (void)user; }

static void of_without_slash(void) {
    sio_server_desc d;
    sio_server *srv;
    memset(&d, 0, sizeof d);
    d.host = "127.0.0.1";
    srv = sio_server_create(&d, NULL);
    CHECK(srv != NULL);
    if (!srv) return;
    CHECK(sio_of(srv, "admin") != NULL && sio_of(srv, "admin") == sio_of(srv, "/admin"));
    CHECK(strcmp(sio_namespace_name(sio_of(srv, "admin")), "/admin") == 0);
    CHECK(sio_on(sio_of(srv, "admin"), "x", on_ev, NULL) == SIO_OK);
    CHECK(sio_of(srv, "") == sio_of(srv, "/"));
    CHECK(sio_of(srv, "a,b") == NULL);   /* a ',' ends the name on the wire */
    sio_server_destroy(srv);
}

static void nulls(void) {
    struct pollfd fds[1];
    int timeout = -1;
    char buf[8];
    /* server side */
    CHECK(sio_of(NULL, "/") == NULL && sio_server_port(NULL) == 0 && sio_server_timer(NULL, 1, 0, on_tick, NULL) == NULL);
    CHECK(sio_server_poll(NULL, 0) < 0 && sio_server_run(NULL) < 0);
    CHECK(sio_server_fds(NULL, fds, 1, &timeout) < 0 && sio_server_process(NULL, fds, 1) < 0);
    sio_server_stop(NULL);
    sio_server_destroy(NULL);
    CHECK(sio_on_connection(NULL, on_sock, NULL) < 0 && sio_on_disconnect(NULL, on_disc, NULL) < 0);
    CHECK(sio_use(NULL, on_mw, NULL) < 0 && sio_on(NULL, "x", on_ev, NULL) < 0);
    CHECK(strcmp(sio_socket_id(NULL), "") == 0 && strcmp(sio_namespace_name(NULL), "") == 0);
    CHECK(sio_socket_nsp(NULL) == NULL && sio_socket_data(NULL) == NULL && sio_socket_recovered(NULL) == 0);
    CHECK(sio_socket_auth(NULL).type == SIO_JSON_OBJECT);
    sio_socket_set_data(NULL, buf);
    CHECK(sio_emit(NULL, "x", NULL) < 0 && sio_emit_json(NULL, "x", "[1]") < 0);
    CHECK(sio_emit_ack(NULL, "x", NULL, 10, on_ack, NULL) < 0);
    CHECK(sio_ack(NULL, 1, NULL) < 0 && sio_ack_json(NULL, 1, "[]") < 0);
    CHECK(sio_join(NULL, "r") < 0 && sio_leave(NULL, "r") < 0 && sio_in_room(NULL, "r") == 0);
    sio_disconnect(NULL);
    CHECK(sio_broadcast(NULL, NULL, "x", NULL) < 0 && sio_broadcast_all(NULL, "x", NULL) < 0);
    CHECK(sio_broadcast_ack(NULL, NULL, "x", NULL, 10, on_bcast, NULL) < 0);
    CHECK(sio_nsp_count(NULL) == 0 && sio_room_size(NULL, "r") == 0);
    CHECK(sio_engine_send(NULL, "x", 1, 0) < 0 && strcmp(sio_engine_conn_id(NULL), "") == 0);
    CHECK(sio_engine_conn_user(NULL) == NULL);
    sio_engine_conn_set_user(NULL, buf);
    sio_engine_close(NULL);
    CHECK(sio_http_respond(NULL, 200, NULL, NULL, 0, NULL) < 0);
    sio_timer_cancel(NULL);
    /* client side */
    CHECK(sio_client_create(NULL, NULL) == NULL);
    CHECK(sio_client_socket_open(NULL, "/", NULL) == NULL && sio_client_user(NULL) == NULL);
    sio_client_socket_close(NULL);
    CHECK(sio_client_socket_client(NULL) == NULL && strcmp(sio_client_socket_id(NULL), "") == 0);
    CHECK(sio_client_connected(NULL) == 0 && sio_client_socket_recovered(NULL) == 0);
    CHECK(sio_client_on(NULL, "x", on_cev, NULL) < 0 && sio_client_on_connect(NULL, NULL, NULL) < 0);
    CHECK(sio_client_on_disconnect(NULL, NULL, NULL) < 0 && sio_client_on_connect_error(NULL, NULL, NULL) < 0);
    CHECK(sio_client_emit(NULL, "x", NULL) < 0 && sio_client_emit_json(NULL, "x", "[]") < 0);
    CHECK(sio_client_emit_ack(NULL, "x", NULL, 10, on_cack, NULL) < 0 && sio_client_emit_volatile(NULL, "x", NULL) < 0);
    CHECK(sio_client_ack(NULL, 1, NULL) < 0 && sio_client_ack_json(NULL, 1, "[]") < 0);
    CHECK(strcmp(sio_client_transport(NULL), "") == 0 && sio_client_closed(NULL) == 1);
    CHECK(sio_client_timer(NULL, 1, 0, on_tick, NULL) == NULL);
    CHECK(sio_client_poll(NULL, 0) < 0 && sio_client_run(NULL) < 0);
    CHECK(sio_client_fds(NULL, fds, 1, &timeout) < 0 && sio_client_process(NULL, fds, 1) < 0);
    sio_client_stop(NULL);
    sio_client_disconnect(NULL);
    sio_client_destroy(NULL);
    /* streams */
    CHECK(sio_stream_attach(NULL, NULL) == NULL && sio_stream_attach_client(NULL, NULL) == NULL);
    sio_stream_hub_destroy(NULL);
    CHECK(sio_stream_on(NULL, "x", on_stream, NULL) < 0);
    CHECK(sio_stream_open(NULL, NULL, "x", NULL, NULL) == NULL && sio_stream_open_client(NULL, "x", NULL, NULL) == NULL);
    sio_stream_set_handlers(NULL, NULL);
    CHECK(strcmp(sio_stream_id(NULL), "") == 0 && sio_stream_socket(NULL) == NULL);
    CHECK(sio_stream_client_socket(NULL) == NULL && sio_stream_bytes_in(NULL) == 0 && sio_stream_bytes_out(NULL) == 0);
    CHECK(sio_stream_write(NULL, "x", 1) < 0 && sio_stream_writable(NULL) == 0 && sio_stream_end(NULL) < 0);
    sio_stream_pause(NULL);
    sio_stream_resume(NULL);
    CHECK(sio_stream_error(NULL, "x") < 0);
    sio_stream_destroy(NULL);
    CHECK(sio_stream_send_file(NULL, "x") < 0 && sio_stream_send_fd(NULL, 0, 0) < 0 && sio_stream_save_fd(NULL, 0, 0) < 0);
}

int main(void) {
    of_without_slash();
    group("sio_of(\"admin\") is \"/admin\", as Node's io.of()");
    nulls();
    group("every call with a NULL another call can return: an error, never a crash");
    printf("# pass %d\n# fail %d\n", passes, fails);
    return fails ? 1 : 0;
}
