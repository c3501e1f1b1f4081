import CSystemd
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A swift-log handler that writes each entry to the systemd journal as structured fields
/// (`sd_journal_sendv(3)`), so admins can query them: `journalctl CALLWARDEN_CALLER=+44...`,
/// `journalctl MESSAGE_ID=...`. The mapping is ``JournalFields``.
///
/// The journal's native protocol keeps each field apart, unlike stderr, where journald would see
/// one line of text. Note that `sd_journal_sendv` reports success even when no journald listens
/// (the entry is lost): choose this handler only when a journal is there, see ``LoggingSetup``.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let syslogIdentifier: String?

    /// - Parameters:
    ///   - label: The logger's label.
    ///   - syslogIdentifier: `SYSLOG_IDENTIFIER` for every entry (`journalctl -t`); defaults to the
    ///     label. Give the program's name so all its loggers share one identifier.
    ///   - logLevel: The lowest level written.
    ///   - metadataProvider: Contextual metadata, as for any swift-log handler.
    public init(
        label: String,
        syslogIdentifier: String? = nil,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.syslogIdentifier = syslogIdentifier
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = JournalFields.fields(
            level: event.level,
            message: event.message.description,
            metadata: LogMetadataMerge.merged(
                handler: metadata,
                provider: metadataProvider,
                event: event.metadata,
                error: event.error
            ),
            label: label,
            syslogIdentifier: syslogIdentifier,
            file: event.file,
            function: event.function,
            line: event.line
        )
        Self.send(fields)
    }

    /// Sends the fields as one entry. Values may hold newlines or any bytes: libsystemd switches to
    /// the journal's binary-safe encoding for them.
    static func send(_ fields: [(name: String, value: String)]) {
        // One buffer for all fields, so every iovec points into memory that lives for the call.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: field.value.utf8)
            ranges.append(start..<bytes.count)
        }
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var vectors = ranges.map { range in
                iovec(iov_base: UnsafeMutableRawPointer(base + range.lowerBound), iov_len: range.count)
            }
            _ = sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
