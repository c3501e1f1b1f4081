import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A swift-log handler writing one plain line per entry to standard error:
/// `<level> <message> key=value ...`, metadata sorted by key.
///
/// For running callwardend by hand, in tests and anywhere without a journal. There is no
/// timestamp: whoever collects stderr (a terminal, journald's stream, a container runtime) adds
/// its own. Each line goes out in one `write(2)`, so lines from concurrent tasks do not interleave.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadataMerge.merged(
            handler: metadata,
            provider: metadataProvider,
            event: event.metadata,
            error: event.error
        )
        Self.emit(Self.line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// The text of one entry, newline included.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(level) \(escaped(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(quotedIfNeeded(escaped("\(value)")))"
        }
        return line + "\n"
    }

    /// Keeps an entry on one line: a newline inside a message would look like a second entry.
    private static func escaped(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var result = ""
        for character in text {
            switch character {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\r\n": result += "\\r\\n"
            default: result.append(character.isNewline ? " " : character)
            }
        }
        return result
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else {
            return value
        }
        return "\"" + value.replacingQuotes() + "\""
    }

    private static func emit(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    // stderr is closed or full: there is nowhere left to report that.
                    return
                }
            }
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for character in self {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
