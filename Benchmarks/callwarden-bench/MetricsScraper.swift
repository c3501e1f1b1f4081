import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scrapes the daemon's metrics endpoint (`--metrics unix:PATH`) on a thread of its own at a fixed
/// interval while the loads run, far more often than Prometheus would (every 15 s), to show that
/// serving metrics does not slow routing.
final class MetricsScraper: @unchecked Sendable {
    struct Figures {
        var scrapes = 0
        var failures = 0
        var interval: Double
        /// Bytes of the last exposition.
        var bytes = 0
        /// The longest scrape, connection to close, in seconds.
        var slowest = 0.0
    }

    private let path: String
    private let interval: Double
    private let lock = NSLock()
    private var figures: Figures
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String, interval: Double = 0.1) {
        self.path = path
        self.interval = interval
        figures = Figures(interval: interval)
    }

    func start() {
        let thread = Thread { [self] in
            while !lock.withLock({ stopping }) {
                let started = Monotonic.nanoseconds()
                let bytes = Self.scrape(path)
                let took = Monotonic.seconds(since: started)
                lock.withLock {
                    figures.scrapes += 1
                    if let bytes { figures.bytes = bytes } else { figures.failures += 1 }
                    figures.slowest = max(figures.slowest, took)
                }
                Monotonic.sleep(until: started + UInt64(interval * 1e9))
            }
            done.signal()
        }
        thread.start()
    }

    func stop() -> Figures {
        lock.withLock { stopping = true }
        done.wait()
        return lock.withLock { figures }
    }

    /// One `GET /metrics`; the size of a 200 answer's body, or nil.
    static func scrape(_ path: String) -> Int? {
        guard let fd = try? UnixSocketAddress.connect(path) else { return nil }
        defer { close(fd) }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[..<count])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let end = text.range(of: "\r\n\r\n") else { return nil }
        return text[end.upperBound...].utf8.count
    }
}
