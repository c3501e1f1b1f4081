import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a test that needs something from the machine (a tool, root, a second user) runs.
///
/// Where the thing is there, the test runs. Where it is not, the test is skipped on a developer's
/// machine, but under `CI=true` it runs anyway and fails saying what is missing, unless
/// `CALLWARDEN_ALLOW_SKIP` (comma-separated) names it: CI must never pass with a check quietly
/// not run.
enum Prerequisite {
    static func runs(_ name: String, available: Bool) -> Bool {
        available || mustRun(name)
    }

    static func mustRun(_ name: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        guard environment["CI"] == "true" else { return false }
        let allowed = (environment["CALLWARDEN_ALLOW_SKIP"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return !allowed.contains(name)
    }

    static var isRoot: Bool { getuid() == 0 }
}
