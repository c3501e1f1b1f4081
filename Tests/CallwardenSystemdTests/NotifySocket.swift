#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's notification socket: binds a temporary path,
/// points `NOTIFY_SOCKET` at it, and reads what `sd_notify` sends.
///
/// Tests that use it change the process environment, so they run in the serialized
/// ``ProcessEnvironmentTests`` suite.
final class NotifySocket {
    let path: String
    private let directory: String
    private let fd: Int32

    init() throws {
        var template = Array("/tmp/callwarden-notify-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError("mkdtemp", errno) }
        directory = String(cString: made)
        path = directory + "/notify.sock"

        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", errno) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw SystemError("bind", errno) }
        setenv("NOTIFY_SOCKET", path, 1)
    }

    deinit {
        unsetenv("NOTIFY_SOCKET")
        close(fd)
        unlink(path)
        rmdir(directory)
    }

    /// The next datagram, or `nil` if none arrives within `timeout`.
    func receive(timeout: Duration = .seconds(2)) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Every datagram already waiting, without blocking.
    func drain() -> [String] {
        var messages: [String] = []
        while let message = receive(timeout: .zero) {
            messages.append(message)
        }
        return messages
    }
}

struct SystemError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}
