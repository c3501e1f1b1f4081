import Logging

/// How one log entry becomes journal fields. Pure, so it is tested without a journal.
///
/// The journal drops fields whose names are not uppercase ASCII letters, digits and `_` (and not
/// starting with `_`), silently. Names are therefore made valid here rather than trusted:
///
/// - `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC` come from the
///   entry itself.
/// - Metadata `message_id` becomes `MESSAGE_ID` when it is an id the journal accepts (32 lowercase
///   hex digits), so `journalctl MESSAGE_ID=...` and the catalog work; otherwise it is kept as
///   `CALLWARDEN_MESSAGE_ID` rather than lost.
/// - Metadata `priority` = `alert` raises `PRIORITY` to 1, above anything swift-log's levels reach;
///   any other `priority` value is kept as `CALLWARDEN_PRIORITY`.
/// - Every other key becomes `CALLWARDEN_<KEY>`: upper-cased, each character outside `A-Z0-9_`
///   replaced by `_` (`incident.id` is `CALLWARDEN_INCIDENT_ID`), cut to the journal's 64
///   characters. Empty keys are dropped.
public enum JournalFields {
    /// Prefix of every field made from metadata, so callwarden's fields never shadow the journal's.
    public static let metadataPrefix = "CALLWARDEN_"

    /// The journal's limit on a field name's length.
    public static let maximumNameLength = 64

    /// The fields for one entry, in a stable order (fixed fields first, then metadata by key).
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - syslogIdentifier: `SYSLOG_IDENTIFIER`; defaults to `label`. When given and different,
    ///     the label goes in `CALLWARDEN_LOGGER` so entries still say which logger wrote them.
    ///   - metadata: Already merged (handler, provider, then the entry's own).
    public static func fields(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        label: String,
        syslogIdentifier: String? = nil,
        file: String,
        function: String,
        line: UInt
    ) -> [(name: String, value: String)] {
        var priority = self.priority(for: level)
        var extra: [(name: String, value: String)] = []
        var messageID: String?

        if let identifier = syslogIdentifier, identifier != label {
            extra.append((metadataPrefix + "LOGGER", label))
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            switch key {
            case "message_id" where isValidMessageID(text):
                messageID = text
            case "priority" where text == "alert":
                priority = 1
            default:
                if let name = fieldName(forMetadataKey: key) {
                    extra.append((name, text))
                }
            }
        }

        var fields: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(priority)),
            ("SYSLOG_IDENTIFIER", syslogIdentifier ?? label),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
        ]
        if let messageID {
            fields.append(("MESSAGE_ID", messageID))
        }
        return fields + extra
    }

    /// The syslog priority (0-7) of a swift-log level.
    public static func priority(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `CALLWARDEN_<KEY>` for a metadata key, or `nil` for an empty key.
    public static func fieldName(forMetadataKey key: String) -> String? {
        guard !key.isEmpty else { return nil }
        var name = metadataPrefix
        for scalar in key.unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9", "_":
                name.unicodeScalars.append(scalar)
            case "a"..."z":
                name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            default:
                name.unicodeScalars.append("_")
            }
        }
        return String(name.prefix(maximumNameLength))
    }

    /// Whether `text` is an id the journal and its catalog accept: 32 lowercase hex digits.
    public static func isValidMessageID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
