import CallwardenRecord
import CallwardenStore
import PostgresNIO

extension SharedRecord {
    /// The highest origin id node `node` has in the shared record, 0 if none: where its next
    /// ship begins (a node drains its local record from here after an outage or a restart).
    public func shippedThrough(node: Int) async throws -> Int64 {
        guard ClusterNode.numbers.contains(node) else {
            throw SharedRecordError.refused("node \(node) is not a node number (\(ClusterNode.numbers.lowerBound) to \(ClusterNode.numbers.upperBound))")
        }
        return try await reporting {
            try await withConnection(timeout: timeout, on: shippingLine) { [self] connection in
                try await shippedThrough(node: node, on: connection)
            }
        }
    }

    func shippedThrough(node: Int, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query("SELECT max(origin) FROM callwarden_entries WHERE node = \(Int32(node))", logger: logger).collect()
        guard let row = rows.first else { return 0 }
        guard let origin = try SharedRow(row).optionalInteger(0, "node \(node)'s highest origin", in: RecordLimits.ids) else { return 0 }
        guard ClusterNode.accepts(origin: origin, from: node) else {
            throw SharedRecordError.damaged(sharedID: nil, detail: "node \(node) holds origin id \(origin), outside its ids")
        }
        return origin
    }

    /// Entries other nodes shipped, with shared ids above `sharedID`, in shared order: at most
    /// `limit` (capped at `largestPage`), none for a limit below 1.
    ///
    /// Every value is range-checked before it is converted (`RecordLimits`): a row callwarden
    /// could not have written (a node number out of range, an origin id outside its node's ids,
    /// an unknown type, a time outside the record's window, a bad hash, an entry the local record
    /// would refuse) throws `SharedRecordError.damaged` naming its shared id, rather than being
    /// skipped: skipping it would lose it for good once later entries were stored.
    public func peerEntries(after sharedID: Int64, excludingNode node: Int, limit: Int) async throws -> [PeerEntry] {
        guard ClusterNode.numbers.contains(node) else {
            throw SharedRecordError.refused("node \(node) is not a node number (\(ClusterNode.numbers.lowerBound) to \(ClusterNode.numbers.upperBound))")
        }
        guard limit >= 1 else { return [] }
        let page = Int64(min(limit, Self.largestPage))
        let after = max(sharedID, 0)
        return try await reporting {
            let rows = try await withConnection(timeout: timeout, on: readingLine) { [logger] connection in
                try await connection.query(
                    """
                    SELECT id, node, origin, \(unescaped: SharedSchema.entryColumns) FROM callwarden_entries
                    WHERE id > \(after) AND node <> \(Int32(node)) ORDER BY id LIMIT \(page)
                    """,
                    logger: logger
                ).collect()
            }
            var peers: [PeerEntry] = []
            peers.reserveCapacity(rows.count)
            for row in rows {
                let peer = try Self.peerEntry(row)
                // ORDER BY id says so; checked, since everything after is stored in this order.
                if let last = peers.last, peer.sharedID <= last.sharedID {
                    throw SharedRecordError.damaged(sharedID: peer.sharedID, detail: "it came after shared entry \(last.sharedID)")
                }
                peers.append(peer)
            }
            return peers
        }
    }

    /// One row selected as `peerEntries` selects them: id, node, origin, then
    /// `SharedSchema.entryColumns` by position.
    static func peerEntry(_ postgresRow: PostgresRow) throws(SharedRecordError) -> PeerEntry {
        var row = SharedRow(postgresRow)
        let sharedID = try row.integer(0, "id", in: RecordLimits.ids)
        row.sharedID = sharedID
        let node = Int(try row.integer(1, "node", in: Int64(ClusterNode.numbers.lowerBound)...Int64(ClusterNode.numbers.upperBound)))
        let origin = try row.integer(2, "origin", in: RecordLimits.ids)
        guard ClusterNode.accepts(origin: origin, from: node) else {
            throw SharedRecordError.damaged(sharedID: sharedID, detail: "origin \(origin) is not one of node \(node)'s ids")
        }
        let typeText = try row.text(4, "type")
        guard let type = EntryType(rawValue: typeText) else {
            throw SharedRecordError.damaged(sharedID: sharedID, detail: "type holds \(SharedRow.quoted(typeText)), which this callwarden does not know")
        }
        let attestation = try row.optionalText(16, "attestation")
        if let value = attestation, !RecordLimits.attestations.contains(value) {
            throw SharedRecordError.damaged(sharedID: sharedID, detail: "attestation holds \(SharedRow.quoted(value)), which is not a caller-ID trust level (\(RecordLimits.attestationList))")
        }
        let entry = NewEntry(
            type: type, at: seconds(try row.integer(5, "at_us", in: RecordLimits.micros)),
            caller: try row.optionalText(6, "caller"), call: try row.optionalText(7, "call"),
            kind: try row.optionalText(8, "kind"), agent: try row.optionalText(9, "agent"),
            supervisor: try row.optionalText(10, "supervisor"), note: try row.optionalText(11, "note"),
            ref: try row.optionalInteger(12, "ref", in: RecordLimits.ids), rule: try row.optionalText(13, "rule"),
            by: try row.optionalText(14, "by"), outcome: try row.optionalText(15, "outcome"),
            attestation: attestation,
            until: try row.optionalInteger(17, "until_us", in: RecordLimits.micros).map(seconds)
        )
        if let problem = entry.problem {
            throw SharedRecordError.damaged(sharedID: sharedID, detail: problem.message)
        }
        let stored = StoredEntry(id: origin, recordedAt: seconds(try row.integer(3, "recorded_at_us", in: RecordLimits.micros)), entry: entry, hash: try row.hash(18, "hash"))
        return PeerEntry(sharedID: sharedID, node: node, stored: stored)
    }

    /// Microseconds already checked to lie in `RecordLimits.micros`: exact, and cannot fail.
    private static func seconds(_ micros: Int64) -> Double {
        Double(micros) / 1_000_000
    }
}
