import Logging
import Synchronization

/// Keeps log entries in memory so tests can assert what was logged.
final class LogRecorder: Sendable {
    private let storage = Mutex<[(level: Logger.Level, message: String)]>([])

    var entries: [(level: Logger.Level, message: String)] {
        storage.withLock { $0 }
    }

    func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }

    fileprivate func append(_ level: Logger.Level, _ message: String) {
        storage.withLock { $0.append((level, message)) }
    }
}

private struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(event.level, event.message.description)
    }
}

extension Logger {
    /// Discards everything, so tests that do not look at logs print nothing.
    static let silent = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
