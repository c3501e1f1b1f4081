#define _GNU_SOURCE
#include "CLinuxShims.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

int callwarden_release_free_memory(void) {
#if defined(__GLIBC__)
    // glibc keeps memory freed in its per-thread arenas for reuse and returns only the top of the
    // main heap by itself; malloc_trim(0) walks every arena and gives back each free page.
    return malloc_trim(0);
#else
    return 0;
#endif
}

int callwarden_lower_thread_priority(int nice) {
#if defined(__linux__)
    // On Linux a nice value belongs to each thread (its tid), not to the whole process.
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    return -1;
#endif
}
