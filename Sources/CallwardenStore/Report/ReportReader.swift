import CallwardenRecord
import GRDB
import GRDBSQLite

/// A text value of the row a statement is on: its UTF-8 bytes, valid until the statement steps.
typealias RowText = UnsafeBufferPointer<UInt8>

extension RecordStore {
    /// Every column the report may read, as it is stored; each row's type says which it reads.
    /// The commonest entries it does not count (a call's start, a warning) are left out by SQLite
    /// before their columns are read: two comparisons of the type cost less than the rest. A
    /// NULL where the schema forbids one is let through, to be refused as damage.
    static let reportSQL = """
        SELECT id, type, at_us, call, kind, agent, rule, outcome, by FROM entries
        WHERE (at_us >= ? OR at_us IS NULL) AND type IS NOT 'call_start' AND type IS NOT 'warning' ORDER BY id
        """

    /// Folds every entry dated at or after `since` (all when nil) into `tally`, in record order:
    /// one read transaction on a read connection, so it never blocks the writer, and a snapshot,
    /// so entries committed meanwhile are not half seen. Throws `StoreError.corrupt` at the first
    /// value callwarden could not have written.
    ///
    /// The statement is stepped and its columns read with SQLite's own functions rather than
    /// through GRDB's rows: the report reads millions of entries, and a value is looked at as the
    /// bytes SQLite holds (a type compared, an agent counted) without becoming a Swift string or a
    /// `DatabaseValue` first. Columns an entry's type does not count are never read.
    func tallyReport(since: Double?, into tally: inout ReportTally) throws {
        // Without a start every entry is read, so that one dated outside the record's window is
        // refused as damage rather than left out unseen.
        let earliest = since.map(Self.earliestMicros) ?? Int64.min
        try reportingDamage {
            try pool.read { db in
                let statement = try db.makeStatement(sql: Self.reportSQL)
                try statement.setArguments([earliest])
                let row = ReportRow(handle: statement.sqliteStatement)
                while true {
                    let code = sqlite3_step(statement.sqliteStatement)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else {
                        throw DatabaseError(
                            resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                            sql: Self.reportSQL)
                    }
                    try row.fold(into: &tally)
                }
            }
        }
    }

    /// The first time in microseconds an entry dated at or after `seconds` may have, clamped to
    /// the record's window.
    static func earliestMicros(_ seconds: Double) -> Int64 {
        guard !seconds.isNaN, seconds > RecordLimits.seconds.lowerBound else { return RecordLimits.micros.lowerBound }
        if seconds > RecordLimits.seconds.upperBound { return Int64.max }
        return (try? StoredEntry.micros(seconds)) ?? Int64.max
    }
}

/// The row the report's statement is on, read column by column as SQLite holds it. Every value
/// is checked: a value of another type than callwarden writes, or a time outside the record's
/// window, is damage.
private struct ReportRow {
    let handle: SQLiteStatement

    static let id: CInt = 0, type: CInt = 1, at: CInt = 2, call: CInt = 3, kind: CInt = 4, agent: CInt = 5, rule: CInt = 6,
        outcome: CInt = 7, by: CInt = 8

    func fold(into tally: inout ReportTally) throws(RecordDamage) {
        guard let type = try text(Self.type, "type") else {
            throw RecordDamage("\(RecordDamage.place(sqlite3_column_int64(handle, Self.id), "type")) is NULL where text belongs")
        }
        // A ladder step the report does not count, a purge, or a type of a later version.
        guard let counted = CountedType(type) else { return }
        let id = try entryID()
        let micros = sqlite3_column_int64(handle, Self.at)
        guard sqlite3_column_type(handle, Self.at) == SQLITE_INTEGER, RecordLimits.micros.contains(micros) else {
            throw RecordDamage("\(RecordDamage.place(id, "at_us")) is not a time from \(RecordLimits.micros.lowerBound) to \(RecordLimits.micros.upperBound) microseconds")
        }
        let at = Double(micros) / 1_000_000
        switch counted {
        case .incident:
            tally.incident(kind: try text(Self.kind, "kind", id), agent: try text(Self.agent, "agent", id), rule: try text(Self.rule, "rule", id))
        case .forgiveness:
            tally.forgiveness()
        case .hangupRequest:
            let outcome = try text(Self.outcome, "outcome", id)
            let rule = try text(Self.rule, "rule", id)
            // The call matters when it asks a supervisor or stops waiting for one.
            let supervisorRequired = outcome.map { ReportTally.equals($0, "supervisor_required") } ?? false
            let timedOut = rule.map { ReportTally.equals($0, "supervisor-timeout") } ?? false
            tally.hangup(
                at: at, answer: outcome, rule: rule,
                call: supervisorRequired || timedOut ? try text(Self.call, "call", id).map(Self.string) : nil)
        case .verdict:
            tally.verdict(at: at, outcome: try text(Self.outcome, "outcome", id), call: try text(Self.call, "call", id).map(Self.string))
        case .callEnd:
            // The call only matters to a request still waiting for a supervisor.
            let call = tally.isWaiting ? try text(Self.call, "call", id).map(Self.string) : nil
            tally.callEnd(outcome: try text(Self.outcome, "outcome", id), by: try text(Self.by, "by", id), call: call)
        case .exemption:
            tally.exemption()
        case .exemptionEnd:
            tally.exemptionEnd()
        case .review:
            tally.review(outcome: try text(Self.outcome, "outcome", id))
        }
    }

    private static func string(_ text: RowText) -> String {
        String(decoding: text, as: UTF8.self)
    }

    private func entryID() throws(RecordDamage) -> Int64 {
        let id = sqlite3_column_int64(handle, Self.id)
        // The rowid: always a whole number, but only ids callwarden hands out are trusted.
        guard RecordLimits.ids.contains(id) else {
            throw RecordDamage("an entry's id (\(id)) is outside \(RecordLimits.ids.lowerBound) to \(RecordLimits.ids.upperBound)")
        }
        return id
    }

    /// The column's bytes; nil for NULL. callwarden binds every text as text: a number or a blob
    /// here was put there by someone else.
    private func text(_ column: CInt, _ name: String, _ id: Int64? = nil) throws(RecordDamage) -> RowText? {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL:
            return nil
        case SQLITE_TEXT:
            // The pointer first, then the length (SQLite's documented order).
            let bytes = sqlite3_column_text(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            return RowText(start: bytes, count: count)
        default:
            let place = RecordDamage.place(id ?? sqlite3_column_int64(handle, Self.id), name)
            throw RecordDamage("\(place) holds a number or a blob where text belongs")
        }
    }
}

/// The types of entry the report counts (not `call_start`, `warning` or `purge`), told from the
/// type's bytes.
private enum CountedType {
    case incident, forgiveness, hangupRequest, verdict, callEnd, exemption, exemptionEnd, review

    init?(_ type: RowText) {
        // By length first: two comparisons at most.
        switch type.count {
        case 8:
            if ReportTally.equals(type, "incident") { self = .incident } else if ReportTally.equals(type, "call_end") { self = .callEnd } else { return nil }
        case 14 where ReportTally.equals(type, "hangup_request"): self = .hangupRequest
        case 7 where ReportTally.equals(type, "verdict"): self = .verdict
        case 11 where ReportTally.equals(type, "forgiveness"): self = .forgiveness
        case 9 where ReportTally.equals(type, "exemption"): self = .exemption
        case 13 where ReportTally.equals(type, "exemption_end"): self = .exemptionEnd
        case 6 where ReportTally.equals(type, "review"): self = .review
        default: return nil
        }
    }
}
