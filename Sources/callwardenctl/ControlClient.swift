import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connection to callwardend: one request line out, one answer line back.
///
/// Plain blocking POSIX sockets rather than SwiftNIO: a command sends a handful of requests one
/// after another and waits for each answer, so an event loop would add threads, futures and a
/// shutdown dance for nothing. `tail` is a blocking read loop too.
final class ControlClient {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(path: String, timeoutSeconds: Int) throws(ControlFailure) {
        self.path = path
        fd = try Self.connected(to: path)
        setTimeout(timeoutSeconds)
    }

    /// A socket connected to `path`, made before `self` exists so that a failure closes it once
    /// (a throwing init of a fully initialised object would also run deinit).
    private static func connected(to path: String) throws(ControlFailure) -> Int32 {
        do {
            return try UnixSocketAddress.connect(path)
        } catch {
            switch error {
            case .pathTooLong: throw ControlFailure(ExitStatus.unavailable, "\(error)")
            case .socket(let code): throw ControlFailure(ExitStatus.unavailable, "cannot create a socket: \(Self.reason(code))")
            case .address(let code, _): throw Self.connectFailure(code, path: path)
            }
        }
    }

    deinit { close(fd) }

    /// Zero waits for ever (`tail`).
    func setTimeout(_ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends one request (`type` and the fields `body` writes, plus an `id`) and returns the
    /// answer line as received.
    func request(_ type: String, _ body: (inout JSONWriter) -> Void = { _ in }) throws(ControlFailure) -> String {
        var writer = JSONWriter()
        writer.field("type", type)
        writer.field("id", nextID)
        nextID += 1
        body(&writer)
        try write(writer.line())
        guard let line = try readLine() else {
            throw ControlFailure(ExitStatus.unavailable, "callwardend closed the connection without answering")
        }
        return line
    }

    /// The next line from the daemon, or nil when it closed the connection.
    func readLine() throws(ControlFailure) -> String? {
        switch try read() {
        case .line(let line): return line
        case .closed: return nil
        case .timedOut: throw ControlFailure(ExitStatus.unavailable, "callwardend did not answer in time (see --timeout)")
        }
    }

    enum Reading {
        case line(String)
        /// Nothing came within the socket's time limit (`setTimeout`): `supervise` redraws then.
        case timedOut
        case closed
    }

    /// The next line, or that none came in time, or that the daemon closed the connection.
    func read() throws(ControlFailure) -> Reading {
        var searched = 0
        while true {
            if let newline = buffer[searched...].firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            searched = buffer.count
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count == 0 { return .closed }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return .timedOut }
                throw ControlFailure(ExitStatus.unavailable, "reading from \(path): \(Self.reason(error))")
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    private func write(_ text: String) throws(ControlFailure) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw ControlFailure(ExitStatus.unavailable, "writing to \(path): \(Self.reason(errno))") }
            offset += written
        }
    }

    private static func connectFailure(_ error: Int32, path: String) -> ControlFailure {
        switch error {
        case ENOENT:
            return ControlFailure(ExitStatus.unavailable, "no socket at \(path): is callwardend running? (see --socket)")
        case ECONNREFUSED:
            return ControlFailure(ExitStatus.unavailable, "nothing is listening on \(path): callwardend is not running")
        case EACCES, EPERM:
            return ControlFailure(ExitStatus.noPermission, "permission denied opening \(path): run as root (sudo), or as a member of the socket's group")
        default:
            return ControlFailure(ExitStatus.unavailable, "cannot connect to \(path): \(reason(error))")
        }
    }

    static func reason(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}
