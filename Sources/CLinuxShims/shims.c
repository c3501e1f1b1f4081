#include "CLinuxShims.h"

#if defined(__GLIBC__)
#include <malloc.h>
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
