import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks the socket path before binding: a stale socket file may be replaced, a live daemon's
/// may not, and anything that is not a socket is left alone.
enum SocketPath {
    struct InUse: Error, CustomStringConvertible {
        var path: String
        var description: String { "another callwardend is answering on \(path); stop it first (or pick another --socket)" }
    }

    struct NotASocket: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) exists and is not a socket; refusing to replace it" }
    }

    static func prepare(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw NotASocket(path: path) }
        if isAnswering(path) { throw InUse(path: path) }
    }

    /// Whether something accepts connections on the socket at `path`.
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
