/// callwardenctl's exit statuses, as sysexits.h names them, so that scripts can tell "the daemon
/// is down" from "you may not" from "the record is damaged".
enum ExitStatus {
    static let verifyFailed: Int32 = 1
    static let dataError: Int32 = 65  // EX_DATAERR: the daemon refused the input
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE: no socket, nothing listening
    static let software: Int32 = 70  // EX_SOFTWARE: the daemon failed internally
    static let cannotCreate: Int32 = 73  // EX_CANTCREAT: an output file
    static let protocolError: Int32 = 76  // EX_PROTOCOL: an answer this version cannot read
    static let noPermission: Int32 = 77  // EX_NOPERM: the socket's permissions, or the role

    /// The status for an error code of protocol v1.
    static func of(code: String) -> Int32 {
        switch code {
        case "forbidden": noPermission
        case "unavailable": unavailable
        case "unknown_type": protocolError
        case "internal": software
        default: dataError
        }
    }
}
