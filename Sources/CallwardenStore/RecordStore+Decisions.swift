import CallwardenRecord
import GRDB

extension RecordStore {
    /// The columns decisions are made on, in the order `decisionEntry(row:)` reads them.
    static let decisionColumns = "id, recorded_at_us, type, at_us, caller, call, kind, ref, outcome, attestation, until_us"

    /// Calls `body` with each entry of the given types, in record order, holding only what
    /// callwarden's decisions are made on: its type, time, caller, call, kind, `ref`, `outcome`,
    /// `attestation` and `until`. Agents, supervisors, notes, rules, `by` and the hash are left out (nil, and an
    /// empty hash): replaying decisions over millions of entries, reading and checking every
    /// column was most of the time. Like `forEachEntry`, one read transaction, never blocking
    /// the writer; throws `StoreError.corrupt` at the first value callwarden could not have written.
    public func forEachDecisionEntry(ofTypes types: [EntryType], _ body: (StoredEntry) throws -> Void) throws {
        let list = types.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try reportingDamage {
            try pool.read { db in
                let statement = try db.makeStatement(sql: "SELECT \(Self.decisionColumns) FROM entries WHERE type IN (\(list)) ORDER BY id")
                let rows = try Row.fetchCursor(statement)
                while let row = try rows.next() {
                    let columns = DecisionColumns(row: row, statement: statement.sqliteStatement)
                    if let entry = try Self.decisionEntry(columns) { try body(entry) }
                }
            }
        }
    }

    private static func decisionEntry(_ row: DecisionColumns) throws(RecordDamage) -> StoredEntry? {
        // The row's rowid: a whole number, but only ids callwarden hands out are trusted.
        guard let id = try row.integer(0, "id", entry: nil, in: RecordLimits.ids) else { throw RecordDamage("id is NULL") }
        guard let typeName = try row.text(2, "type", entry: id) else {
            throw RecordDamage("\(RecordDamage.place(id, "type")) is NULL where text belongs")
        }
        guard let type = EntryType(rawValue: typeName) else { return nil }
        guard let at = try row.integer(3, "at_us", entry: id, in: RecordLimits.micros),
              let recorded = try row.integer(1, "recorded_at_us", entry: id, in: RecordLimits.micros) else {
            throw RecordDamage("\(RecordDamage.place(id, "at_us or recorded_at_us")) is NULL where a whole number belongs")
        }
        let entry = NewEntry(
            type: type, at: Double(at) / 1_000_000,
            caller: try row.text(4, "caller", entry: id), call: try row.text(5, "call", entry: id),
            kind: try row.text(6, "kind", entry: id), ref: try row.integer(7, "ref", entry: id, in: RecordLimits.ids),
            outcome: try row.text(8, "outcome", entry: id),
            attestation: try row.attestation(9, entry: id),
            until: try row.integer(10, "until_us", entry: id, in: RecordLimits.micros).map { Double($0) / 1_000_000 })
        return StoredEntry(id: id, recordedAt: Double(recorded) / 1_000_000, entry: entry, hash: "")
    }
}

/// One row's columns, read as the values SQLite holds (`DatabaseValue` straight from the
/// statement): `Row`'s typed subscripts look generic metadata up for every value, which was a
/// fifth of a replay's time. The checks are `Row+Checked`'s, which also word the damage: a value
/// of another type than callwarden writes is damage, never converted.
private struct DecisionColumns {
    let row: Row
    let statement: SQLiteStatement

    func integer(_ index: Int, _ column: String, entry: Int64?, in range: ClosedRange<Int64>) throws(RecordDamage) -> Int64? {
        switch DatabaseValue(sqliteStatement: statement, index: CInt(index)).storage {
        case .null:
            return nil
        case .int64(let number) where range.contains(number):
            return number
        default:
            return try row.optionalInteger(index, column, entry: entry, in: range)
        }
    }

    /// A caller-ID trust level, checked as every reader of the record checks it: a level
    /// callwarden does not write is damage, not a call without trust.
    func attestation(_ index: Int, entry: Int64) throws(RecordDamage) -> String? {
        guard let text = try text(index, "attestation", entry: entry) else { return nil }
        guard RecordLimits.attestations.contains(text) else { return try row.attestation(index, "attestation", entry: entry) }
        return text
    }

    func text(_ index: Int, _ column: String, entry: Int64) throws(RecordDamage) -> String? {
        switch DatabaseValue(sqliteStatement: statement, index: CInt(index)).storage {
        case .null:
            return nil
        case .string(let text):
            return text
        default:
            return try row.optionalText(index, column, entry: entry)
        }
    }
}
