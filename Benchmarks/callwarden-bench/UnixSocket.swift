import CallwardenProtocol
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
        do {
            fd = try UnixSocketAddress.connect(path)
        } catch {
            throw Failure(description: "connect \(error)")
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
