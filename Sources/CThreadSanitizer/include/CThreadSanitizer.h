#ifndef CALLWARDEN_THREAD_SANITIZER_H
#define CALLWARDEN_THREAD_SANITIZER_H

// ThreadSanitizer's annotations for a lock it cannot see. Declared weak: in a build without the
// thread sanitizer they are absent (null) and the calls below do nothing but test a pointer.
void __tsan_acquire(void *address) __attribute__((weak));
void __tsan_release(void *address) __attribute__((weak));

static inline void callwarden_tsan_acquire(void *address) {
    if (__tsan_acquire) __tsan_acquire(address);
}

static inline void callwarden_tsan_release(void *address) {
    if (__tsan_release) __tsan_release(address);
}

#endif
