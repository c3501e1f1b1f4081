import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking JSON-lines client over a Unix socket, as a telephony connector would be.
final class LineClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String, timeoutSeconds: Int = 20) throws {
        fd = try Self.connected(to: path)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A socket connected to `path`. Made before `self` exists: a throwing init of a fully
    /// initialised object still runs deinit, which would close the descriptor a second time and
    /// could close another thread's file that reused the number in between.
    private static func connected(to path: String) throws -> Int32 {
        do {
            return try UnixSocketAddress.connect(path)
        } catch {
            throw Failure(description: "connect \(path): \(error)")
        }
    }

    deinit { close(fd) }

    func send(raw text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { throw Failure(description: "write: errno \(errno)") }
            offset += written
        }
    }

    func send(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try send(raw: String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The next line, or nil at end of stream.
    func readLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count == 0 { return nil }
            guard count > 0 else { throw Failure(description: "read: errno \(errno) (timed out?)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    func readResponse() throws -> [String: Any] {
        guard let line = try readLine() else { throw Failure(description: "connection closed before a response") }
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure(description: "not a JSON object: \(line)")
        }
        return object
    }

    func request(_ object: [String: Any]) throws -> [String: Any] {
        try send(object)
        return try readResponse()
    }
}

extension Dictionary where Key == String, Value == Any {
    var ok: Bool { self["ok"] as? Bool ?? false }
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
    var standing: [String: Any] { self["standing"] as? [String: Any] ?? [:] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}
