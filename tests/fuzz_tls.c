/* libFuzzer harness for the TLS layer: the PEM/key/certificate loaders
   and the BearSSL engines fed hostile ciphertext.
       clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -DSIO_TLS_BEARSSL \
           tests/fuzz_tls.c -lbearssl -o fuzz_tls
       ./fuzz_tls -max_total_time=60 tests/fuzz/corpus/tls
   Byte 0 picks the target (bits 0-1), a chunk size (bits 2-4) and, in
   mode 2, the insecure client (bit 5):
     mode 0: the rest is split at NUL bytes into cert, key and CA PEM text
             for a server context, a client context and a client with a
             client certificate;
     mode 1: the rest is what a client sends to our server;
     mode 2: the rest is what a server sends to our client (verifying
             and insecure), after the client's ClientHello.
   Besides memory errors it checks that an engine never reports open
   from bytes no real peer produced, and that failures have words.
   Build with -DFUZZ_TLS_MAIN for a main() that writes seed files (a
   real ClientHello and a real server flight) into the directory given. */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#define FZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "fuzz_tls: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

/* A self-signed P-256 certificate for "localhost", valid until 2126; it
   is also the client's trust anchor. Test material only. */
static const char fz_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBlTCCATugAwIBAgIUFPPi75UrozZB2qGUar7gx/vUTjIwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTA0MDMxNloYDzIxMjYxMTAx\n"
    "MDQwMzE2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAARAU8xslYTw9BnAAAx92+mJxbEv2454Hg/7joFxL/RsjW4DorerM8bi\n"
    "yr+VbsYCP4vfo4lTxZ3eyYpEOp6Lr6ndo2kwZzAdBgNVHQ4EFgQUOSPhp0MxbVxo\n"
    "89gj4qmBpXlae9YwHwYDVR0jBBgwFoAUOSPhp0MxbVxo89gj4qmBpXlae9YwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID\n"
    "SAAwRQIgb3XW3F1tRQYLB+fL83DIzpk6QojkRnHyncvc6wRr6x8CIQCEGNKfmDjj\n"
    "gq4gOOGWfLPiINmBrII7nLsW9tKc1tobfQ==\n"
    "-----END CERTIFICATE-----\n";
static const char fz_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgX45ah7MLdGZ58zf2\n"
    "cllSZ/vEaMPefG+RWYQwwctdZq+hRANCAARAU8xslYTw9BnAAAx92+mJxbEv2454\n"
    "Hg/7joFxL/RsjW4DorerM8biyr+VbsYCP4vfo4lTxZ3eyYpEOp6Lr6nd\n"
    "-----END PRIVATE KEY-----\n";

static sio__tls_ctx *fz_server, *fz_client, *fz_insecure;

static void fz_init(void) {
    sio_tls_config cfg;
    char err[200];
    if (fz_server) return;
    memset(&cfg, 0, sizeof cfg);
    cfg.cert_pem = fz_cert;
    cfg.key_pem = fz_key;
    FZ_ASSERT(sio__tls_ctx_new(NULL, &cfg, 1, &fz_server, err, sizeof err) == SIO_OK);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = fz_cert;
    FZ_ASSERT(sio__tls_ctx_new(NULL, &cfg, 0, &fz_client, err, sizeof err) == SIO_OK);
    cfg.insecure_skip_verify = 1;
    FZ_ASSERT(sio__tls_ctx_new(NULL, &cfg, 0, &fz_insecure, err, sizeof err) == SIO_OK);
}

/* Pushes data in chunks of at most `chunk`, draining whatever the engine
   wants to say or decrypts, until it takes no more. */
static void fz_feed(sio__tls *t, const unsigned char *p, size_t n, size_t chunk) {
    size_t done = 0;
    for (;;) {
        unsigned char *in, tmp[512];
        const unsigned char *out;
        size_t k, o;
        while ((o = sio__tls_have_out(t, &out)) > 0) sio__tls_sent_out(t, o);
        while (sio__tls_read(t, tmp, sizeof tmp) > 0) {}
        if (done == n) break;
        k = sio__tls_want_in(t, &in);
        if (!k) break;
        if (k > chunk) k = chunk;
        if (k > n - done) k = n - done;
        memcpy(in, p + done, k);
        sio__tls_got_in(t, k);
        done += k;
    }
    FZ_ASSERT(sio__tls_error(t) != NULL && sio__tls_error(t)[0] != '\0');
    (void)sio__tls_write(t, (const unsigned char *)"x", 1);
    sio__tls_flush(t);
    sio__tls_close(t);
}

static void fz_pem(const unsigned char *data, size_t size) {
    char *parts[3] = {NULL, NULL, NULL};
    size_t start = 0, i, np = 0;
    sio_tls_config cfg;
    sio__tls_ctx *c = NULL;
    char err[200];
    for (i = 0; i <= size && np < 3; i++) {
        if (i == size || data[i] == 0) {
            parts[np] = (char *)malloc(i - start + 1);
            memcpy(parts[np], data + start, i - start);
            parts[np][i - start] = '\0';
            np++;
            start = i + 1;
        }
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.cert_pem = parts[0] ? parts[0] : "";
    cfg.key_pem = parts[1] ? parts[1] : "";
    if (sio__tls_ctx_new(NULL, &cfg, 1, &c, err, sizeof err) == SIO_OK) {
        sio__tls *t = sio__tls_new(c, NULL);
        FZ_ASSERT(c->chain_len > 0 && c->key_type != 0);
        sio__tls_free(t);
        sio__tls_ctx_free(c);
    } else {
        FZ_ASSERT(!c && err[0]);
    }
    c = NULL;
    cfg.ca_pem = parts[2] ? parts[2] : (parts[0] ? parts[0] : "");
    if (sio__tls_ctx_new(NULL, &cfg, 0, &c, err, sizeof err) == SIO_OK) {
        sio__tls *t = sio__tls_new(c, "localhost");
        FZ_ASSERT(c->ntas > 0);
        sio__tls_free(t);
        sio__tls_ctx_free(c);
    }
    for (i = 0; i < 3; i++) free(parts[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t chunks[8] = {1, 2, 5, 13, 100, 1000, 20000, 70000};
    unsigned mode, insecure;
    size_t chunk;
    sio__tls *t;
    if (size < 1) return 0;
    fz_init();
    mode = (data[0] & 3u) % 3u;
    chunk = chunks[(data[0] >> 2) & 7];
    insecure = (data[0] >> 5) & 1u;
    data++;
    size--;
    if (mode == 0) {
        fz_pem(data, size);
        return 0;
    }
    if (mode == 1) {
        t = sio__tls_new(fz_server, NULL);
        FZ_ASSERT(t);
        fz_feed(t, data, size, chunk);
        /* without our Finished seen by a real client, no data may flow */
        FZ_ASSERT(sio__tls_state(t) != 1);
        sio__tls_free(t);
        return 0;
    }
    t = sio__tls_new(insecure ? fz_insecure : fz_client, "localhost");
    FZ_ASSERT(t);
    fz_feed(t, data, size, chunk);
    /* the server's Finished depends on our random: replayed bytes never open */
    FZ_ASSERT(sio__tls_state(t) != 1);
    sio__tls_free(t);
    return 0;
}

#ifdef FUZZ_TLS_MAIN
/* Writes seeds: a ClientHello (mode 1), a server flight (mode 2) and the
   PEM triple (mode 0). */
static void fz_write(const char *dir, const char *name, unsigned char mode, const unsigned char *p, size_t n) {
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) return;
    fputc(mode, f);
    fwrite(p, 1, n, f);
    fclose(f);
}

int main(int argc, char **argv) {
    sio__tls *c, *s;
    const unsigned char *out;
    unsigned char *in;
    sio_buf hello, flight, pem;
    size_t n, k;
    if (argc < 2) return 2;
    fz_init();
    memset(&hello, 0, sizeof hello);
    memset(&flight, 0, sizeof flight);
    memset(&pem, 0, sizeof pem);
    c = sio__tls_new(fz_client, "localhost");
    s = sio__tls_new(fz_server, NULL);
    n = sio__tls_have_out(c, &out);
    sio_buf_append(&hello, out, n);
    while (n) {
        k = sio__tls_want_in(s, &in);
        if (k > n) k = n;
        memcpy(in, out, k);
        sio__tls_got_in(s, k);
        sio__tls_sent_out(c, k);
        n = sio__tls_have_out(c, &out);
    }
    while ((n = sio__tls_have_out(s, &out)) > 0) {
        sio_buf_append(&flight, out, n);
        sio__tls_sent_out(s, n);
    }
    fz_write(argv[1], "client_hello", 1 | (7 << 2), (const unsigned char *)hello.data, hello.len);
    fz_write(argv[1], "client_hello_bytewise", 1 | (0 << 2), (const unsigned char *)hello.data, hello.len);
    fz_write(argv[1], "server_flight", 2, (const unsigned char *)flight.data, flight.len);
    fz_write(argv[1], "server_flight_insecure_13", 2 | (3 << 2) | (1 << 5), (const unsigned char *)flight.data, flight.len);
    sio_buf_appends(&pem, fz_cert);
    sio_buf_appendc(&pem, '\0');
    sio_buf_appends(&pem, fz_key);
    sio_buf_appendc(&pem, '\0');
    sio_buf_appends(&pem, fz_cert);
    fz_write(argv[1], "pem_triple", 0, (const unsigned char *)pem.data, pem.len);
    fz_write(argv[1], "pem_junk", 0, (const unsigned char *)"-----BEGIN CERTIFICATE-----\nMIIB\n", 32);
    fz_write(argv[1], "http", 1 | (4 << 2), (const unsigned char *)"GET / HTTP/1.1\r\n\r\n", 18);
    sio_buf_free(&hello);
    sio_buf_free(&flight);
    sio_buf_free(&pem);
    sio__tls_free(c);
    sio__tls_free(s);
    sio__tls_ctx_free(fz_server);
    sio__tls_ctx_free(fz_client);
    sio__tls_ctx_free(fz_insecure);
    return 0;
}
#endif
