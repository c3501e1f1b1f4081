// LLVMFuzzerRunDriver is defined by libFuzzer itself; this target only declares it for Swift.
#include "CLibFuzzer.h"

// In an unoptimised build the linker also pulls in libFuzzer's own main (FuzzerMain.o), which
// names LLVMFuzzerTestOneInput. Each target's main.swift runs the driver with its own callback,
// so this one is never called; weak, so that nothing else is displaced by it.
__attribute__((weak)) int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)data;
    (void)size;
    return 0;
}
