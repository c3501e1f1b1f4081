// The annotations are all inline in the header; this file gives the target a source.
#include "CThreadSanitizer.h"
