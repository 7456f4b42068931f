/* arch/sys_arch.h - the RTOS types lwIP's NO_SYS 0 build names: opaque
   handles here, which is all a compile of code that uses lwIP's API
   needs. A board's port defines them as its RTOS's semaphores, mutexes,
   queues and threads. */
#ifndef SIO_TEST_LWIP_ARCH_SYS_ARCH_H
#define SIO_TEST_LWIP_ARCH_SYS_ARCH_H

typedef struct sio_test_rtos_obj *sys_sem_t, *sys_mutex_t, *sys_mbox_t, *sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL
#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s) do { if (s) *(s) = NULL; } while (0)
#define sys_mutex_valid(m) sys_sem_valid(m)
#define sys_mutex_set_invalid(m) sys_sem_set_invalid(m)
#define sys_mbox_valid(m) sys_sem_valid(m)
#define sys_mbox_set_invalid(m) sys_sem_set_invalid(m)

#endif
