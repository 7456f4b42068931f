/* board.h - what a board gives socketio.h under lwIP, force-included
   (-include) into the device build of tools/bench/client_heap.c, the
   same client-only program make size measures on Linux:
     SIO_LWIP              lwIP's sockets, its DNS, sys_now()
     SIO_RANDOM_BYTES      the hardware RNG (ids and WebSocket keys)
   See the Makefile's build/lwip/client.o. */
#ifndef SIO_TEST_BOARD_H
#define SIO_TEST_BOARD_H
#include <stddef.h>

#define SIO_LWIP 1
/* Fills n bytes from the board's true random number generator (on an
   STM32F4, the RNG peripheral); 0 on success. */
int board_random(void *buf, size_t n);
#define SIO_RANDOM_BYTES(buf, n) board_random(buf, n)

#endif
