// LLVMFuzzerRunDriver is defined by libFuzzer itself; this target only declares it for Swift.
#include "CLibFuzzer.h"
