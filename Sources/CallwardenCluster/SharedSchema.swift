/// The shared record's tables in PostgreSQL. The entries hold the same columns as the local
/// record's SQLite table (times as whole microseconds since 1970), plus whose entry each is.
/// Nothing is ever updated or deleted but the single chain head row.
enum SharedSchema {
    /// The version this callwarden writes; a record at a higher one is refused.
    static let version: Int64 = 1

    /// Serialises `prepare` across nodes starting together: `CREATE TABLE IF NOT EXISTS` is not
    /// safe against itself in concurrent transactions. "callward" in ASCII.
    static let prepareLock: Int64 = 0x63616c6c_77617264

    /// The channel every commit to the shared chain notifies, with the last shared id as payload.
    static let channel = "callwarden_entries"

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS callwarden_schema (
            single INTEGER PRIMARY KEY CHECK (single = 1),
            version BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS callwarden_entries (
            id BIGINT PRIMARY KEY,
            node INTEGER NOT NULL,
            origin BIGINT NOT NULL UNIQUE,
            recorded_at_us BIGINT NOT NULL,
            type TEXT NOT NULL,
            at_us BIGINT NOT NULL,
            caller TEXT,
            "call" TEXT,
            kind TEXT,
            agent TEXT,
            supervisor TEXT,
            note TEXT,
            ref BIGINT,
            rule TEXT,
            "by" TEXT,
            outcome TEXT,
            attestation TEXT,
            until_us BIGINT,
            hash TEXT NOT NULL
        )
        """,
        // What each node has shipped (`ship`'s skip, `shippedThrough`) without a scan.
        "CREATE INDEX IF NOT EXISTS callwarden_entries_node_origin ON callwarden_entries (node, origin)",
        """
        CREATE TABLE IF NOT EXISTS callwarden_chain_head (
            single INTEGER PRIMARY KEY CHECK (single = 1),
            last_id BIGINT NOT NULL,
            last_hash TEXT NOT NULL
        )
        """,
    ]

    /// The entry columns in chain order (`ChainDigest.fieldNames`, then the optional fields),
    /// the hash, then whose entry it is: `peerEntries` reads them by position after `id`.
    static let entryColumns = #"recorded_at_us, type, at_us, caller, "call", kind, agent, supervisor, note, ref, rule, "by", outcome, attestation, until_us, hash"#

    /// The columns an insert fills, in this order.
    static let insertColumns = #"id, node, origin, recorded_at_us, type, at_us, caller, "call", kind, agent, supervisor, note, ref, rule, "by", outcome, attestation, until_us, hash"#
    static let insertColumnCount = 19
}
