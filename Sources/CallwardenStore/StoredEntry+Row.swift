import GRDB

extension StoredEntry {
    static let columns = "id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash"

    /// Reads a row selected with `columns`. A row whose type this version does not know is read
    /// as nil rather than trusted.
    init?(row: Row) {
        guard let type = EntryType(rawValue: row["type"]) else { return nil }
        let entry = NewEntry(
            type: type, at: Self.seconds(row["at_us"]), caller: row["caller"], call: row["call"], kind: row["kind"],
            agent: row["agent"], supervisor: row["supervisor"], note: row["note"], ref: row["ref"], rule: row["rule"],
            by: row["by"], outcome: row["outcome"]
        )
        self.init(id: row["id"], recordedAt: Self.seconds(row["recorded_at_us"]), entry: entry, hash: row["hash"])
    }

    static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }
    static func seconds(_ micros: Int64) -> Double { Double(micros) / 1_000_000 }
}
