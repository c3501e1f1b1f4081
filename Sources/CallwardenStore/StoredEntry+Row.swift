import GRDB

extension StoredEntry {
    static let columns = "id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash"

    /// Reads a row selected with `columns`, by position: start-up reads every entry once, and
    /// looking columns up by name was a third of its time. A row whose type this version does
    /// not know is read as nil rather than trusted.
    init?(row: Row) {
        guard let type = EntryType(rawValue: row[2]) else { return nil }
        let entry = NewEntry(
            type: type, at: Self.seconds(row[3]), caller: row[4], call: row[5], kind: row[6],
            agent: row[7], supervisor: row[8], note: row[9], ref: row[10], rule: row[11],
            by: row[12], outcome: row[13]
        )
        self.init(id: row[0], recordedAt: Self.seconds(row[1]), entry: entry, hash: row[14])
    }

    static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }
    static func seconds(_ micros: Int64) -> Double { Double(micros) / 1_000_000 }
}
