import CallwardenRecord
import CallwardenStore
import PostgresNIO

extension SharedRecord {
    /// The most entries one export page holds, whatever is asked.
    public static let largestExportPage = 1000

    /// One page of the whole shared chain, for `export --shared`: the entries after shared id
    /// `after` (from the first when nil), each with the hash it chains from and every chain field
    /// as stored (read as text, like `verify`, so an edited row is exported as it is and fails its
    /// hash offline), and the chain head, all from one snapshot.
    public func exportPage(after: Int64?, limit: Int) async throws -> ExportPage {
        let after = max(0, after ?? 0)
        let limit = min(max(1, limit), Self.largestExportPage)
        return try await reporting {
            try await withTransaction(timeout: timeout) { [logger] connection in
                _ = try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger).collect()
                let headRows = try await connection.query("SELECT last_id, last_hash FROM callwarden_chain_head WHERE single = 1", logger: logger).collect()
                let head = try Self.head(headRows)
                // The hash the page's first entry chains from: the entry before it, or the genesis.
                let before = try await connection.query(
                    "SELECT hash::text FROM callwarden_entries WHERE id <= \(after) ORDER BY id DESC LIMIT 1", logger: logger
                ).collect()
                var previous = try before.first.map { try SharedRow($0).hash(0, "hash") } ?? ChainDigest.genesis
                let rows = try await connection.query(
                    "SELECT id, \(unescaped: Self.chainColumns) FROM callwarden_entries WHERE id > \(after) ORDER BY id LIMIT \(limit + 1)",
                    logger: logger
                ).collect()
                var links: [ChainLink] = []
                for row in rows.prefix(limit) {
                    var link = try Self.link(row)
                    link.previousHash = previous
                    previous = link.hash
                    links.append(link)
                }
                return ExportPage(
                    entries: links, next: rows.count > limit ? links.last?.id : nil,
                    head: ChainHeadMark(id: head.id, hash: head.hash), contiguous: true)
            }
        }
    }
}
