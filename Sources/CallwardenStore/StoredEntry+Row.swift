import CallwardenRecord
import GRDB

extension StoredEntry {
    /// The chain's fields in chain order (`ChainDigest.fieldNames`, then its optional fields),
    /// then the hash: `ChainLink(row:)` reads them by position too.
    static let columns = "id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, attestation, until_us, hash"

    /// Reads a row selected with `columns`, by position: start-up reads every entry once, and
    /// looking columns up by name was a third of its time. A row whose type this version does
    /// not know is read as nil rather than trusted; a value callwarden could not have written
    /// (a NULL in a NOT NULL column, text in a number column, a time or id out of range, a bad
    /// hash) is `RecordDamage`.
    init?(row: Row) throws(RecordDamage) {
        let id = try row.entryID(0)
        guard let type = EntryType(rawValue: try row.text(2, "type", entry: id)) else { return nil }
        let entry = NewEntry(
            type: type, at: try Self.seconds(row, 3, "at_us", entry: id),
            caller: try row.optionalText(4, "caller", entry: id), call: try row.optionalText(5, "call", entry: id),
            kind: try row.optionalText(6, "kind", entry: id), agent: try row.optionalText(7, "agent", entry: id),
            supervisor: try row.optionalText(8, "supervisor", entry: id), note: try row.optionalText(9, "note", entry: id),
            ref: try row.optionalInteger(10, "ref", entry: id, in: RecordLimits.ids), rule: try row.optionalText(11, "rule", entry: id),
            by: try row.optionalText(12, "by", entry: id), outcome: try row.optionalText(13, "outcome", entry: id),
            attestation: try row.attestation(14, "attestation", entry: id),
            until: try row.optionalInteger(15, "until_us", entry: id, in: RecordLimits.micros).map { Double($0) / 1_000_000 }
        )
        self.init(id: id, recordedAt: try Self.seconds(row, 1, "recorded_at_us", entry: id), entry: entry, hash: try row.hash(16, "hash", entry: id))
    }

    private static func seconds(_ row: Row, _ index: Int, _ column: String, entry: Int64) throws(RecordDamage) -> Double {
        // In the window, so the conversion below is exact to the microsecond and cannot fail.
        Double(try row.integer(index, column, entry: entry, in: RecordLimits.micros)) / 1_000_000
    }

    /// A time as the record stores it: whole microseconds since 1970. Throws for a time outside
    /// `RecordLimits.seconds` (or not a number), which the record cannot hold.
    public static func micros(_ seconds: Double, field: String = "at") throws(EntryProblem) -> Int64 {
        guard seconds.isFinite, RecordLimits.seconds.contains(seconds) else { throw .time(field, seconds) }
        // At most 2.6e17 after scaling: far inside Int64, so the conversion cannot trap.
        return Int64((seconds * 1_000_000).rounded())
    }

    /// Seconds since 1970 from the record's microseconds. Throws outside `RecordLimits.micros`.
    public static func seconds(_ micros: Int64, field: String = "at") throws(EntryProblem) -> Double {
        guard RecordLimits.micros.contains(micros) else {
            throw EntryProblem(field: field, "\(field) must be from \(RecordLimits.micros.lowerBound) to \(RecordLimits.micros.upperBound) microseconds since 1970; got \(micros)")
        }
        return Double(micros) / 1_000_000
    }
}
