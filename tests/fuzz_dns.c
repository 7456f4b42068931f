/* libFuzzer harness for the client's resolver input: the first byte picks
   the target, the rest is the input.
     0: a DNS answer (sio__dns_answer). The id, name and type it is checked
        against are read from the input's own question, so the fuzzer gets
        past the checks into the records, CNAME chains and compression.
     1: /etc/hosts text (sio__hosts_find), the name looked up being the
        last word of the input's first line
     2: resolv.conf text (sio__resolv_parse)
   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz_dns.c -o build/fuzz_dns */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *m;
    size_t n;
    sio__addrs a;
    if (size < 1) return 0;
    n = size - 1;
    m = (unsigned char *)malloc(n ? n : 1);
    if (!m) return 0;
    memcpy(m, data + 1, n);
    a.n = 0;
    if (data[0] % 3 == 0) {
        char name[256];
        size_t off = 12;
        int qtype = SIO__DNS_A, rc;
        unsigned id = n >= 2 ? ((unsigned)m[0] << 8 | m[1]) : 0;
        if (n >= 12 && sio__dns_name(m, n, &off, name, sizeof name) > 0) {
            if (off + 2 <= n) qtype = ((unsigned)m[off] << 8 | m[off + 1]) == SIO__DNS_AAAA ? SIO__DNS_AAAA : SIO__DNS_A;
        } else {
            strcpy(name, "myhost.test");
        }
        rc = sio__dns_answer(m, n, id, name, qtype, 80, &a);
        if (rc >= 0 && rc != a.n) abort();
        if (rc < 0 && a.n != 0) abort();
        if (a.n > SIO_CLIENT_MAX_ADDRS) abort();
    } else if (data[0] % 3 == 1) {
        char host[256];
        size_t e = 0, s;
        while (e < n && m[e] != '\n') e++;
        s = e;
        while (s > 0 && m[s - 1] != ' ' && m[s - 1] != '\t') s--;
        if (e - s >= sizeof host) e = s + sizeof host - 1;
        memcpy(host, m + s, e - s);
        host[e - s] = 0;
        if (sio__hosts_find((const char *)m, n, host, 80, &a) != a.n || a.n > SIO_CLIENT_MAX_ADDRS) abort();
    } else {
        if (sio__resolv_parse((const char *)m, n, &a) > SIO_DNS_MAX_SERVERS) abort();
    }
    free(m);
    return 0;
}
