#if canImport(Glibc)
import Glibc
#endif

/// A blocking client end of a Unix stream socket, as a telephony connector holds one.
///
/// Plain system calls rather than NIO: the load generator shares the machine's two cores with the
/// server under test, so each request must cost the client as little as possible, and a thread
/// blocked in `read` costs nothing.
final class UnixSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32

    /// Connects to `path`; throws at once if nothing listens there (no retry: see `waitForServer`).
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            close(fd)
            throw Failure(description: "socket path longer than \(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            throw Failure(description: "connect \(path): \(String(cString: strerror(error)))")
        }
    }

    deinit { close(fd) }

    /// Writes every byte, however many `write` calls that takes.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Reads what is available (blocking until something is); 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw Failure(description: "read: \(String(cString: strerror(errno)))")
        }
    }

    /// Sends one line and returns the answer line (without its newline). For probes and set-up,
    /// not for load.
    func request(_ line: String, timeoutSeconds: Int = 30) throws -> String {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try writeAll(Array((line + "\n").utf8))
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !answer.contains(UInt8(ascii: "\n")) {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            guard count > 0 else { throw Failure(description: "the server closed the connection before answering") }
            answer.append(contentsOf: chunk[..<count])
        }
        return String(decoding: answer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }

    /// Connects to `path` as soon as something listens there, polling every `interval` ns.
    static func waitForServer(at path: String, until deadline: UInt64, interval: UInt64 = 1_000_000, alive: () -> Bool) throws -> UnixSocket {
        while true {
            if let socket = try? UnixSocket(path: path) { return socket }
            guard alive() else { throw Failure(description: "the server exited before listening on \(path)") }
            guard Monotonic.nanoseconds() < deadline else { throw Failure(description: "nothing listening on \(path) in time") }
            Monotonic.sleep(until: Monotonic.nanoseconds() + interval)
        }
    }
}
