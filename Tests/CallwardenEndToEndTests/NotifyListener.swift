import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plays systemd's part for `sd_notify`: a datagram socket the daemon is pointed at with
/// NOTIFY_SOCKET, collecting each message with the time it arrived.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32

    struct Message {
        var fields: [String]
        var receivedAt: Date
        func has(_ assignment: String) -> Bool { fields.contains(assignment) }
        func value(_ key: String) -> String? {
            fields.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
    }

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        fd = try UnixSocketAddress.bindDatagram(path)
    }

    deinit { close(fd) }

    /// The next message, or nil after `timeout` seconds.
    func next(timeout: Double) -> Message? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return Message(fields: text.split(separator: "\n").map(String.init), receivedAt: Date())
    }

    /// Messages until one satisfies `predicate` (returned last), or nil after `timeout`.
    func waitFor(timeout: Double, _ predicate: (Message) -> Bool) -> [Message]? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [Message] = []
        while Date() < deadline {
            guard let message = next(timeout: deadline.timeIntervalSinceNow) else { break }
            seen.append(message)
            if predicate(message) { return seen }
        }
        return nil
    }
}
