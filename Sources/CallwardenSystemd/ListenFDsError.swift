/// Why the sockets systemd passed cannot be used.
public enum ListenFDsError: Error, Equatable, CustomStringConvertible {
    /// systemd passed this many descriptors; callwarden serves exactly one socket.
    case unexpectedCount(Int)
    /// The descriptor is not a listening Unix stream socket.
    case notAListeningUnixStreamSocket(fd: Int32)

    public var description: String {
        switch self {
        case .unexpectedCount(let count):
            "systemd passed \(count) sockets; callwarden.socket must have exactly one ListenStream= line"
        case .notAListeningUnixStreamSocket(let fd):
            "systemd passed file descriptor \(fd), which is not a listening Unix stream socket; "
                + "callwarden.socket must use ListenStream= with a path"
        }
    }
}
