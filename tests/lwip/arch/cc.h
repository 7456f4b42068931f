/* arch/cc.h - compiler and libc glue for lwIP on a bare-metal Cortex-M
   with newlib (arm-none-eabi): what the Debian package's copy (the
   Unix port's) says for Linux, said for this target. */
#ifndef SIO_TEST_LWIP_ARCH_CC_H
#define SIO_TEST_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>         /* struct timeval: LWIP_TIMEVAL_PRIVATE 0 */

/* errno values from newlib's <errno.h>, the one the application uses */
#define LWIP_ERRNO_STDINCLUDE 1

#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) abort()

/* lwIP's own random numbers (ports, ids), not for keys */
uint32_t board_rand32(void);
#define LWIP_RAND() board_rand32()

typedef uint32_t sys_prot_t;

#endif
