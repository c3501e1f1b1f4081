import Foundation

/// A shell script for a policy's `alert.command`, run through `/bin/sh` rather than executed
/// directly.
///
/// Executing a file the tests just wrote can fail with "Text file busy": while the file is open
/// for writing, a process forked at that moment by another test running in parallel inherits the
/// descriptor and keeps it for as long as it lives, and the kernel refuses to execute a file
/// anyone has open for writing. Handing the script to `/bin/sh` reads it instead, which no open
/// descriptor prevents.
enum AlertScript {
    /// Writes `body` (without the `#!` line) to `path` and returns the policy's command list.
    static func write(_ body: String, to path: String) throws -> String {
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return "[/bin/sh, \(path)]"
    }
}
