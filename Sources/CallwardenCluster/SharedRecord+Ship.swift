import CallwardenRecord
import CallwardenStore
import PostgresNIO

extension SharedRecord {
    /// Ships entries node `node` committed locally to the shared record, in one PostgreSQL
    /// transaction that extends the shared chain: the chain head row is locked (so nodes take
    /// turns), entries this node already shipped are skipped (so a retry after a crash or a lost
    /// answer ships nothing twice), the rest get the next shared ids and their hashes, the head
    /// moves, and listeners are notified on commit.
    ///
    /// - Parameter entries: the node's own entries in id order, as its local record holds them.
    /// - Parameter held: how far the node knows the shared record holds its entries, when it
    ///   knows (it has shipped through there). Should the shared record hold less, a PostgreSQL
    ///   failover lost its last transactions: nothing is shipped and `.behind` is thrown, so that
    ///   the node ships again from where the shared record stands rather than leaving a gap that
    ///   the skip by highest origin id would never fill.
    /// - Returns: the highest origin id of this node in the shared record once committed (0 if
    ///   none): everything up to it is shipped.
    /// - Throws: `SharedRecordError.refused` before anything is sent for entries this node may not
    ///   ship; `.database` when PostgreSQL could not be reached or the transaction failed (nothing
    ///   of it is in the shared record unless the failure was the commit's answer being lost, which
    ///   the next ship's skip absorbs).
    @discardableResult
    public func ship(_ entries: [StoredEntry], node: Int, expecting held: Int64? = nil) async throws -> Int64 {
        try Self.checkShippable(entries, node: node)
        guard !entries.isEmpty else { return try await shippedThrough(node: node) }
        return try await reporting {
            do {
                return try await withTransaction(timeout: timeout, on: shippingLine) { [self] connection in
                    try await ship(entries, node: node, expecting: held, on: connection)
                }
            } catch where SharedRecordError.sqlState(error) == "23505" {
                // unique_violation: the head is locked, so a taken shared id means the head was
                // edited; a taken origin id is another node's (two records that were standalone
                // before they joined both hold ids below 1 << 40).
                throw SharedRecordError.refused("node \(node)'s entries \(entries.first!.id) to \(entries.last!.id): an origin id among them is already in the shared record from another node, or the shared chain's head is behind its entries; nothing was shipped")
            }
        }
    }

    private func ship(_ entries: [StoredEntry], node: Int, expecting held: Int64?, on connection: PostgresConnection) async throws -> Int64 {
        let head = try await lockedHead(on: connection)
        let through = try await shippedThrough(node: node, on: connection)
        if let held, through < held { throw SharedRecordError.behind(node: node, holds: through, shipped: held) }
        let pending = entries.drop(while: { $0.id <= through })
        guard let last = pending.last else { return through }

        var rows: [(sharedID: Int64, hash: String, stored: StoredEntry)] = []
        rows.reserveCapacity(pending.count)
        var sharedID = head.id
        var previous = head.hash
        for stored in pending {
            guard sharedID < RecordLimits.ids.upperBound else {
                throw SharedRecordError.refused("the shared record's ids are exhausted at \(sharedID)")
            }
            sharedID += 1
            do {
                previous = try SharedEntryDigest.hash(previous: previous, sharedID: sharedID, node: node, stored: stored)
            } catch {
                throw SharedRecordError.refused("node \(node)'s entry \(stored.id): \(error.message)")
            }
            rows.append((sharedID, previous, stored))
        }
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + Self.rowsPerInsert, rows.endIndex)
            _ = try await connection.query(try Self.insert(rows[start..<end], node: node), logger: logger).collect()
            start = end
        }
        _ = try await connection.query(
            "UPDATE callwarden_chain_head SET last_id = \(sharedID), last_hash = \(previous) WHERE single = 1", logger: logger
        ).collect()
        // Delivered when the transaction commits, to every node listening.
        _ = try await connection.query("SELECT pg_notify(\(SharedSchema.channel), \(String(sharedID)))", logger: logger).collect()
        return last.id
    }

    /// The chain head, locked until the transaction ends: every ship is serialised on it.
    private func lockedHead(on connection: PostgresConnection) async throws -> (id: Int64, hash: String) {
        let rows = try await connection.query("SELECT last_id, last_hash FROM callwarden_chain_head WHERE single = 1 FOR UPDATE", logger: logger).collect()
        return try Self.head(rows)
    }

    static func head(_ rows: [PostgresRow]) throws(SharedRecordError) -> (id: Int64, hash: String) {
        guard let row = rows.first else { throw SharedRecordError.notPrepared }
        let head = SharedRow(row)
        return (
            try head.integer(0, "callwarden_chain_head: last_id", in: 0...RecordLimits.ids.upperBound),
            try head.hash(1, "callwarden_chain_head: last_hash")
        )
    }

    /// One multi-row INSERT for `rows`, every value bound (never spliced into the text).
    private static func insert(_ rows: ArraySlice<(sharedID: Int64, hash: String, stored: StoredEntry)>, node: Int) throws -> PostgresQuery {
        var sql = "INSERT INTO callwarden_entries (\(SharedSchema.insertColumns)) VALUES "
        var binds = PostgresBindings(capacity: rows.count * SharedSchema.insertColumnCount)
        var parameter = 0
        for (index, row) in rows.enumerated() {
            let entry = row.stored.entry
            binds.append(row.sharedID)
            binds.append(Int32(node))
            binds.append(row.stored.id)
            binds.append(try StoredEntry.micros(row.stored.recordedAt, field: "recorded_at"))
            binds.append(entry.type.rawValue)
            binds.append(try StoredEntry.micros(entry.at))
            for text in [entry.caller, entry.call, entry.kind, entry.agent, entry.supervisor, entry.note] { binds.append(text) }
            binds.append(entry.ref)
            for text in [entry.rule, entry.by, entry.outcome, entry.attestation] { binds.append(text) }
            binds.append(try entry.until.map { seconds throws(EntryProblem) in try StoredEntry.micros(seconds, field: "until") })
            binds.append(row.hash)
            let placeholders = (1...SharedSchema.insertColumnCount).map { offset in "$\(parameter + offset)" }
            parameter += SharedSchema.insertColumnCount
            sql += (index == 0 ? "" : ", ") + "(" + placeholders.joined(separator: ", ") + ")"
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Entries node `node` may ship: its own origin ids (or ids from before it joined), in
    /// strictly increasing order, each one the record can hold. Checked before anything is sent.
    static func checkShippable(_ entries: [StoredEntry], node: Int) throws(SharedRecordError) {
        guard ClusterNode.numbers.contains(node) else {
            throw SharedRecordError.refused("node \(node) is not a node number (\(ClusterNode.numbers.lowerBound) to \(ClusterNode.numbers.upperBound))")
        }
        var previous: Int64?
        for stored in entries {
            guard ClusterNode.accepts(origin: stored.id, from: node) else {
                throw SharedRecordError.refused("entry \(stored.id) is not node \(node)'s: its ids run from \(ClusterNode.idFloor(of: node)) (or below \(ClusterNode.idFloor(of: 1)) for entries from before it joined)")
            }
            if let previous, stored.id <= previous {
                throw SharedRecordError.refused("node \(node)'s entry \(stored.id) comes after entry \(previous): entries are shipped in id order")
            }
            if let problem = stored.entry.problem {
                throw SharedRecordError.refused("node \(node)'s entry \(stored.id): \(problem.message)")
            }
            guard stored.recordedAt.isFinite, RecordLimits.seconds.contains(stored.recordedAt) else {
                throw SharedRecordError.refused("node \(node)'s entry \(stored.id): recorded_at \(stored.recordedAt) is outside \(RecordLimits.secondsDescription)")
            }
            previous = stored.id
        }
    }
}
