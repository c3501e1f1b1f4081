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

/// SO_PEERGROUPS (Linux 4.13), which Glibc's headers may predate.
#define CALLWARDEN_SO_PEERGROUPS 59

/// Fixed-size buffers for SO_PEERGROUPS: NIO's socket-option call reads an option into a value of
/// a fixed type, so each size the server asks for is a type of its own.
typedef struct {
    gid_t gids[64];
} callwarden_peer_groups_64;

typedef struct {
    gid_t gids[1024];
} callwarden_peer_groups_1024;

/// Gives memory that was freed back to the system (glibc's malloc_trim(0)); a no-op elsewhere.
/// Returns whether any memory was released.
int callwarden_release_free_memory(void);

/// Sets the calling thread's nice value (0 to 19: higher yields to the other threads), so that
/// long background work gives way to the threads that answer calls. Returns 0 on success.
int callwarden_lower_thread_priority(int nice);

#endif
