import CallwardenStore
import CallwardenSystemd
import Foundation

/// Exit codes that mean something to an admin and to systemd (as daemon(7) and sysexits.h).
enum DaemonExit {
    static let configuration: Int32 = 78  // EX_CONFIG: the policy is invalid
    static let cannotCreate: Int32 = 73  // EX_CANTCREAT: the socket or the record
    static let software: Int32 = 70  // EX_SOFTWARE

    static func code(for error: any Error) -> Int32 {
        switch error {
        case is StartupError.PolicyInvalid: configuration
        case is StoreError: cannotCreate
        case is ListenFDsError: configuration
        default: cannotCreate
        }
    }
}

/// Why the daemon did not start.
enum StartupError {
    struct PolicyInvalid: Error, CustomStringConvertible {
        var description: String
    }
}
