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
