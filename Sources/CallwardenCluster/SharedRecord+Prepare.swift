import CallwardenRecord
import PostgresNIO

extension SharedRecord {
    /// Creates the shared record's tables and its empty chain head where they are missing, and
    /// refuses a record whose schema a newer callwarden made. Nodes starting together each call
    /// it: a transaction-scoped advisory lock makes them take turns.
    public func prepare() async throws {
        try await reporting {
            try await withTransaction(timeout: timeout, on: shippingLine) { [logger] connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(SharedSchema.prepareLock))", logger: logger).collect()
                _ = try await connection.query(PostgresQuery(unsafeSQL: SharedSchema.statements[0]), logger: logger).collect()
                let rows = try await connection.query("SELECT version FROM callwarden_schema WHERE single = 1", logger: logger).collect()
                if let row = rows.first {
                    let version = try SharedRow(row).integer(0, "callwarden_schema: version", in: 1...Int64.max)
                    guard version <= SharedSchema.version else {
                        throw SharedRecordError.newerSchema(version: version, known: SharedSchema.version)
                    }
                }
                for statement in SharedSchema.statements.dropFirst() {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
                }
                _ = try await connection.query(
                    "INSERT INTO callwarden_schema (single, version) VALUES (1, \(SharedSchema.version)) ON CONFLICT (single) DO NOTHING",
                    logger: logger
                ).collect()
                _ = try await connection.query(
                    "INSERT INTO callwarden_chain_head (single, last_id, last_hash) VALUES (1, 0, \(ChainDigest.genesis)) ON CONFLICT (single) DO NOTHING",
                    logger: logger
                ).collect()
            }
        }
    }
}
