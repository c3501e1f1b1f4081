import Logging

/// Chooses where the daemon's logs go and bootstraps swift-log once.
public enum LoggingSetup {
    /// Where log entries are written.
    public enum Destination: String, Sendable, Equatable {
        /// The systemd journal, as structured fields (``JournalLogHandler``).
        case journal
        /// Plain lines on standard error (``StderrLogHandler``).
        case standardError
    }

    /// The journal when forced or when stderr is already a journal stream (the daemon runs as a
    /// systemd service), standard error otherwise. Run by hand, the daemon then prints to the
    /// terminal instead of writing to a journal nobody is watching.
    public static func destination(forceJournal: Bool, stderrIsJournal: Bool) -> Destination {
        forceJournal || stderrIsJournal ? .journal : .standardError
    }

    /// Calls `LoggingSystem.bootstrap` with the chosen handler. Call it once, first thing in
    /// `main`: swift-log allows a single bootstrap per process.
    ///
    /// - Parameters:
    ///   - syslogIdentifier: The program's name, such as `callwardend`; every journal entry carries
    ///     it as `SYSLOG_IDENTIFIER`, whichever logger wrote it.
    ///   - logLevel: The lowest level written by every logger.
    ///   - forceJournal: Write to the journal even when stderr is not a journal stream.
    ///   - metadataProvider: Contextual metadata added to every entry, if the daemon has any.
    /// - Returns: Where logs go, for the daemon to mention in its first log line.
    @discardableResult
    public static func bootstrap(
        syslogIdentifier: String,
        logLevel: Logger.Level = .info,
        forceJournal: Bool = false,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Destination {
        let destination = destination(
            forceJournal: forceJournal,
            stderrIsJournal: JournalDetection.isStderrConnectedToJournal()
        )
        switch destination {
        case .journal:
            LoggingSystem.bootstrap(
                { label, provider in
                    JournalLogHandler(
                        label: label,
                        syslogIdentifier: syslogIdentifier,
                        logLevel: logLevel,
                        metadataProvider: provider
                    )
                },
                metadataProvider: metadataProvider
            )
        case .standardError:
            LoggingSystem.bootstrap(
                { _, provider in StderrLogHandler(logLevel: logLevel, metadataProvider: provider) },
                metadataProvider: metadataProvider
            )
        }
        return destination
    }
}
