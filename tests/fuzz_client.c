/* libFuzzer harness for what the client parses from the network: the
   first input byte picks the target, the rest is the input.
     0: a URL (sio__url_parse)
     1: a polling payload as a GET answer while connecting (open packet first)
     2: a polling payload on an open connection with "/" and "/a" joined
        (Engine.IO packets, Socket.IO packets, binary reassembly, acks)
   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz_client.c -o build/fuzz_client */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

static sio_client *cl;
static sio_client_socket *s1, *s2;

static void on_ev(const sio_client_event *ev, void *user) {
    sio_json v;
    size_t i;
    (void)user;
    for (i = 0; i < ev->args.count; i++)
        if (sio_args_get(&ev->args, i, &v) == SIO_OK) sio_args_bin(&ev->args, v, NULL);
    if (ev->ack_id >= 0) sio_client_ack(ev->socket, ev->ack_id, NULL);
}

static void on_ack(sio_client_socket *s, int err, const sio_args *args, void *user) {
    (void)s, (void)err, (void)args, (void)user;
}

static void setup(void) {
    sio_client_desc d;
    memset(&d, 0, sizeof d);
    d.url = "http://127.0.0.1:9";   /* discard port: nothing answers */
    d.no_reconnection = 1;
    d.transports = "polling";
    cl = sio_client_create(&d, NULL);
    s1 = sio_client_socket_open(cl, "/", "{\"t\":1}");
    s2 = sio_client_socket_open(cl, "/a", NULL);
    sio_client_on(s1, "*", on_ev, NULL);
    sio_client_on(s2, "x", on_ev, NULL);
}

/* Back to "connecting", every socket wanted again. */
static void reset(int open) {
    sio__eioc_teardown(&cl->eio);
    sio__loop_reap(&cl->b.loop);
    cl->skip_reconnect = 0;
    cl->reconnecting = 0;
    cl->closed = 0;
    s1->active = s2->active = 1;
    s1->state = s2->state = SIO__CS_OFF;
    cl->eio.state = SIO__EC_OPENING;
    cl->eio.transport = SIO__T_POLLING;
    if (open) {
        static char hs[] = "0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                           "\"maxPayload\":1000}\x1e" "40{\"sid\":\"s1\"}\x1e" "40/a,{\"sid\":\"s2\"}";
        char copy[sizeof hs];
        memcpy(copy, hs, sizeof hs);
        sio__eioc_payload(&cl->eio, copy, sizeof hs - 1);
        sio_client_emit_ack(s1, "q", NULL, 1000, on_ack, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf;
    if (!cl) setup();
    if (!cl || size < 1) return 0;
    buf = (char *)malloc(size);
    if (!buf) return 0;
    memcpy(buf, data + 1, size - 1);
    if (data[0] % 3 == 0) {
        sio__url u;
        char *z = (char *)malloc(size);
        if (z) {
            memcpy(z, data + 1, size - 1);
            z[size - 1] = 0;
            sio__url_parse(z, &u);
            free(z);
        }
    } else {
        reset(data[0] % 3 == 2);
        sio__eioc_payload(&cl->eio, buf, size - 1);
    }
    free(buf);
    return 0;
}
