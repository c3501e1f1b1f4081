import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking HTTP/1.1 client for the metrics endpoint, as a scraper would use it: one
/// request per connection, the whole response read until the server closes.
enum MetricsClient {
    struct Response {
        var status: Int
        /// Header names in lower case.
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A TCP connection to 127.0.0.1:`port`, or nil if refused.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        setTimeout(fd)
        return fd
    }

    static func connect(unix path: String) -> Int32? {
        guard let fd = try? UnixSocketAddress.connect(path) else { return nil }
        setTimeout(fd)
        return fd
    }

    private static func setTimeout(_ fd: Int32) {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A port on 127.0.0.1 that nothing listens on now (the kernel's choice of a free one).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends all of `text`; MSG_NOSIGNAL: a server that closes mid-request must fail the send,
    /// not kill the test process with SIGPIPE.
    static func write(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "write: errno \(errno)") }
            offset += written
        }
    }

    /// Everything the server sends until it closes (nil if the connection was reset or timed out
    /// before anything came).
    static func readAll(_ fd: Int32) -> String? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count > 0 {
                received.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                return String(decoding: received, as: UTF8.self)
            } else {
                return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
            }
        }
    }

    /// Sends `request` on `fd` (closed afterwards) and parses the response.
    static func exchange(_ fd: Int32, _ request: String) throws -> Response {
        defer { close(fd) }
        try write(fd, request)
        guard let text = readAll(fd) else { throw Failure(description: "no response") }
        return try parse(text)
    }

    static func get(_ path: String = "/metrics", port: Int) throws -> Response {
        guard let fd = connect(port: port) else { throw Failure(description: "nothing listens on 127.0.0.1:\(port)") }
        return try exchange(fd, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n")
    }

    static func get(_ path: String = "/metrics", unix socket: String) throws -> Response {
        guard let fd = connect(unix: socket) else { throw Failure(description: "nothing listens at \(socket)") }
        return try exchange(fd, "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
    }

    static func parse(_ text: String) throws -> Response {
        guard let end = text.range(of: "\r\n\r\n") else { throw Failure(description: "no end of headers in: \(text.prefix(200))") }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line: \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[end.upperBound...]))
    }

    /// The samples of a text exposition, by series (`name{labels}`), comments left out.
    static func samples(_ body: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
