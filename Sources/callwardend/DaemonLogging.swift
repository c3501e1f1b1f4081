import Logging

/// Chooses where log entries go: the journal, with fields, under systemd; plain lines on stderr
/// otherwise.
enum DaemonLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "callwardend")
    }
}
