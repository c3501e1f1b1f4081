import CallwardenSystemd
import Logging

/// Chooses where log entries go: the journal, with fields, under systemd; plain lines on stderr
/// otherwise.
enum DaemonLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSetup.bootstrap(syslogIdentifier: "callwardend", logLevel: level)
        return Logger(label: "callwardend")
    }
}
