#if canImport(Glibc)
import Glibc
#endif

/// Plain POSIX Unix sockets by path, for the blocking clients of callwarden's socket (callwardenctl,
/// the benchmark, the tests) and the server's check for a live daemon before it binds.
public enum UnixSocketAddress {
    /// Why a socket could not be made, connected or bound.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The path does not fit in `sockaddr_un`.
        case pathTooLong(String)
        /// `socket(2)` failed with this errno.
        case socket(Int32)
        /// `connect(2)` or `bind(2)` failed with this errno.
        case address(Int32, path: String)

        public var errno: Int32? {
            switch self {
            case .pathTooLong: nil
            case .socket(let code), .address(let code, _): code
            }
        }

        public var description: String {
            switch self {
            case .pathTooLong(let path): "socket path longer than \(UnixSocketAddress.maximumPathLength) bytes: \(path)"
            case .socket(let code): "cannot create a socket: \(String(cString: strerror(code)))"
            case .address(let code, let path): "\(path): \(String(cString: strerror(code)))"
            }
        }
    }

    public static var maximumPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// Calls `body` with the address of `path`.
    public static func with<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws(Failure) -> T {
        guard path.utf8.count <= maximumPathLength else { throw .pathTooLong(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A new blocking stream socket connected to `path`; the caller owns (and closes) it.
    public static func connect(_ path: String) throws(Failure) -> Int32 {
        try open(path, type: Int32(SOCK_STREAM.rawValue)) { fd, address, length in Glibc.connect(fd, address, length) }
    }

    /// A new datagram socket bound to `path` (a stand-in for a service manager's notify socket).
    public static func bindDatagram(_ path: String) throws(Failure) -> Int32 {
        try open(path, type: Int32(SOCK_DGRAM.rawValue)) { fd, address, length in Glibc.bind(fd, address, length) }
    }

    private static func open(_ path: String, type: Int32, _ attach: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw .socket(errno) }
        let result: Int32
        do {
            result = try with(path) { attach(fd, $0, $1) }
        } catch {
            close(fd)
            throw error
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw .address(code, path: path)
        }
        return fd
    }
}
