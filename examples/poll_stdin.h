/* poll_stdin.h - one wait for standard input and the library's sockets,
   shared by the programs that read typed lines beside the step API
   (client.c, own_loop.c, tools/siocat.c). Include it after socketio.h.

   POSIX does it in one poll(): a terminal, a pipe or a file is polled
   like a socket. Windows cannot: WSAPoll takes sockets only. There the
   sockets are polled for at most 20 ms at a time and standard input is
   looked at in between, so a line waits 20 ms at most. (A console says
   "ready" at the first key; read() then waits for the whole line.) */
#ifndef POLL_STDIN_H
#define POLL_STDIN_H

#ifdef _WIN32
#include <io.h>        /* read */
#include <windows.h>
#else
#include <poll.h>
#include <unistd.h>    /* read */
#endif

#ifdef _WIN32
/* 1: a read() of standard input will not block (or will see the end). */
static int stdin_ready(void) {
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    DWORD avail = 0;
    switch (GetFileType(h)) {
    case FILE_TYPE_PIPE:   /* a failed peek: the writer is gone, read() sees the end */
        return !PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL) || avail > 0;
    case FILE_TYPE_CHAR:
        return WaitForSingleObject(h, 0) == WAIT_OBJECT_0;
    default:               /* a file */
        return 1;
    }
}
#endif

/* Waits up to timeout ms (-1: no limit) for the n sockets in fds[1..n]
   and, when stdin_open, for standard input, whose slot is fds[0] (filled
   in here). Returns what poll() does: < 0 when a signal came, say. */
static int poll_stdin(struct pollfd *fds, int n, int timeout, int stdin_open) {
    fds[0].fd = stdin_open ? 0 : -1;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
#ifdef _WIN32
    {
        int rc = 0;
        if (stdin_open && (timeout < 0 || timeout > 20)) timeout = 20;
        if (n > 0) rc = WSAPoll(fds + 1, (ULONG)n, timeout);
        else Sleep(timeout < 0 ? INFINITE : (DWORD)timeout);   /* WSAPoll refuses an empty set */
        if (rc < 0 || !stdin_open || !stdin_ready()) return rc;
        fds[0].revents = POLLIN;
        return rc + 1;
    }
#else
    return poll(fds, (nfds_t)n + 1, timeout);
#endif
}

#endif
