import CallwardenProtocol
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
        guard let fd = try? UnixSocketAddress.connect(path) else { return false }
        close(fd)
        return true
    }
}
