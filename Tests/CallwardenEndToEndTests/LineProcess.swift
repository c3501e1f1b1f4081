import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program that keeps running and prints lines (`callwardenctl supervise`), read line by line
/// as they come; killed when the test lets go of it.
final class LineProcess {
    private let process = Process()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CALLWARDEN_SOCKET")
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The next line, waiting at most `timeout` seconds (a guard, not a measure); nil if none came
    /// or the program ended.
    func readLine(timeout: Double = 30) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000))
            if ready < 0, errno != EINTR { return nil }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Lines until one for which `match` holds (returned), skipping the others; nil if none came.
    func readLine(timeout: Double = 30, until match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while let line = readLine(timeout: max(0.1, deadline.timeIntervalSinceNow)) {
            if match(line) { return line }
        }
        return nil
    }
}
