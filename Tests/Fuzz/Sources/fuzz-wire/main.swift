import CLibFuzzer
import Foundation

// libFuzzer's driver reads its options (-max_total_time=, corpus directories, ...) from the
// command line and calls fuzzWire with each input.
var arguments = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argv) { data, size in fuzzWire(data, size) })
