#ifndef CALLWARDEN_CLINUXSHIMS_H
#define CALLWARDEN_CLINUXSHIMS_H

#include <sys/types.h>

/// Same layout as Linux's `struct ucred` (SO_PEERCRED), which Glibc only declares under
/// _GNU_SOURCE and Swift therefore cannot see.
typedef struct {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} callwarden_ucred;

#endif
