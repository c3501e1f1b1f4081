import CallwardenRecord
import CallwardenStore
import PostgresNIO

extension SharedRecord {
    /// Walks the whole shared chain in shared-id order with `ChainVerifier`, in one read-only
    /// snapshot (nodes may ship meanwhile), and checks the chain head against its last entry.
    /// Every column is read as the text the chain hashes, so that a row edited into anything at
    /// all fails its hash (a report naming the entry) rather than its decoding.
    ///
    /// The shared record is never purged: a purge entry a node ships is an entry like any other
    /// here (purges delete from the node's local record only).
    public func verify() async throws -> ChainReport {
        try await reporting {
            try await withTransaction(timeout: nil) { [logger] connection in
                _ = try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger).collect()
                let headRows = try await connection.query("SELECT last_id, last_hash::text FROM callwarden_chain_head WHERE single = 1", logger: logger).collect()
                var head: ChainHeadMark?
                if let row = headRows.first {
                    let mark = SharedRow(row)
                    head = ChainHeadMark(id: try mark.integer(0, "callwarden_chain_head: last_id", in: Int64.min...Int64.max), hash: try mark.optionalText(1, "callwarden_chain_head: last_hash") ?? "")
                }
                var verifier = ChainVerifier(head: head)
                let rows = try await connection.query(
                    """
                    SELECT id, \(unescaped: Self.chainColumns) FROM callwarden_entries ORDER BY id
                    """,
                    logger: logger
                )
                for try await row in rows {
                    guard !verifier.isDecided else { continue }
                    verifier.feed(try Self.link(row))
                }
                return verifier.finish()
            }
        }
    }

    /// Every column the chain hashes, in chain order (`ChainDigest.fieldNames`, its optional
    /// fields, then `SharedEntryDigest.appendedFieldNames`), then the hash: each cast to text, so
    /// that whatever a column was altered to hold is hashed as text rather than failing to decode.
    static let chainColumns = [
        "id", "recorded_at_us", "type", "at_us", "caller", "\"call\"", "kind", "agent", "supervisor", "note", "ref", "rule", "\"by\"", "outcome",
        "attestation", "until_us", "node", "origin", "hash",
    ].enumerated().map { index, column in "\(column)::text AS chain_\(index)" }.joined(separator: ", ")

    /// A row as the chain sees it: the fields of `ChainDigest.fieldNames`, the optional ones
    /// when not NULL, then `node` and `origin` (`SharedEntryDigest`).
    static func link(_ postgresRow: PostgresRow) throws(SharedRecordError) -> ChainLink {
        var row = SharedRow(postgresRow)
        let id = try row.integer(0, "id", in: Int64.min...Int64.max)
        row.sharedID = id
        var fields: [ChainField] = []
        for (offset, name) in ChainDigest.fieldNames.enumerated() {
            fields.append(ChainField(name, try row.chainText(1 + offset, name)))
        }
        var index = 1 + ChainDigest.fieldNames.count
        for name in ChainDigest.optionalFieldNames {
            if let value = try row.chainText(index, name) { fields.append(ChainField(name, value)) }
            index += 1
        }
        for name in SharedEntryDigest.appendedFieldNames {
            fields.append(ChainField(name, try row.chainText(index, name)))
            index += 1
        }
        return ChainLink(id: id, fields: fields, hash: try row.chainText(index, "hash") ?? "")
    }

    /// Where the shared chain ends: the last shared id (0 for an empty record) and its hash.
    public func head() async throws -> (id: Int64, hash: String) {
        try await reporting {
            let rows = try await withConnection(timeout: timeout) { [logger] connection in
                try await connection.query("SELECT last_id, last_hash FROM callwarden_chain_head WHERE single = 1", logger: logger).collect()
            }
            return try Self.head(rows)
        }
    }

    /// How many entries the shared record holds, for status.
    public func entryCount() async throws -> Int64 {
        try await reporting {
            let rows = try await withConnection(timeout: timeout) { [logger] connection in
                try await connection.query("SELECT count(*) FROM callwarden_entries", logger: logger).collect()
            }
            guard let row = rows.first else { return 0 }
            return try SharedRow(row).integer(0, "count", in: 0...Int64.max)
        }
    }
}
