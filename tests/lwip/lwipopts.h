/* lwipopts.h - the lwIP configuration the device build is compiled
   against (tests/lwip/client.c, make's build/lwip/client.o): an RTOS
   board with lwIP's socket API, as socketio.h's SIO_LWIP expects it.
   Written for this test; a real board has its own, with the same
   settings where these matter (marked). */
#ifndef SIO_TEST_LWIPOPTS_H
#define SIO_TEST_LWIPOPTS_H

#define NO_SYS                      0   /* an RTOS: lwIP's thread, sockets */
#define LWIP_SOCKET                 1   /* needed */
#define LWIP_NETCONN                1   /* the socket API sits on it */
#define LWIP_COMPAT_SOCKETS         1   /* needed: socket(), connect(), ... */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0   /* needed: read/write/close stay the libc's */
#define LWIP_SOCKET_POLL            1   /* needed: lwip_poll */
#define LWIP_SOCKET_SELECT          1
#define LWIP_TCPIP_CORE_LOCKING     1
#define SYS_LIGHTWEIGHT_PROT        1   /* SYS_ARCH_PROTECT, used by the lookup */
#define LWIP_IPV4                   1   /* needed, both families */
#define LWIP_IPV6                   1
#define LWIP_TCP                    1
#define LWIP_UDP                    1
#define LWIP_DNS                    1   /* needed: names resolve through lwIP */
#define LWIP_DHCP                   1
#define LWIP_SO_RCVTIMEO            1
#define LWIP_TIMEVAL_PRIVATE        0   /* newlib's struct timeval (arch/cc.h) */
#define MEM_LIBC_MALLOC             1
#define MEM_ALIGNMENT               4
#define TCP_MSS                     1460
#define TCP_WND                     (4 * TCP_MSS)
#define TCP_SND_BUF                 (4 * TCP_MSS)
#define MEMP_NUM_NETCONN            8
#define LWIP_STATS                  0

#endif
