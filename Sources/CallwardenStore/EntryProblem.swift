import CallwardenRecord

/// Why an entry cannot be recorded as it is. The message is meant for whoever sent the value: it
/// names the field and what would be valid.
public struct EntryProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, as the record names it (`at`, `note`, ...).
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }

    static func time(_ field: String, _ seconds: Double) -> EntryProblem {
        EntryProblem(field: field, "\(field) must be a time from \(RecordLimits.secondsDescription); got \(seconds)")
    }
}
