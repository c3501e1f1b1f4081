import GRDB

extension RecordStore {
    /// Every entry about one caller, oldest first: with a peer's entries, when any are stored, in
    /// the order this node came to know them (`KnownEntry.merge`).
    public func entries(caller: String) async throws -> [StoredEntry] {
        try await entries(where: "caller", is: caller)
    }

    /// Every entry about one call, oldest first, peers' entries merged in like `entries(caller:)`.
    public func entries(call: String) async throws -> [StoredEntry] {
        try await entries(where: "call", is: call)
    }

    /// Entries whose `column` (caller or call: both indexed in each table) holds `value`.
    private func entries(where column: String, is value: String) async throws -> [StoredEntry] {
        let path = path
        let peers = mergesPeers
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                guard peers else {
                    return try Row.fetchAll(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE \(column) = ? ORDER BY id", arguments: [value])
                        .compactMap(StoredEntry.init(row:))
                }
                let own = try KnownEntry.fetchAll(db, "SELECT \(StoredEntry.columns) FROM entries WHERE \(column) = ? ORDER BY id", [value], KnownEntry.init(ownRow:))
                let theirs = try KnownEntry.fetchAll(db, "SELECT \(KnownEntry.peerColumns) FROM peer_entries WHERE \(column) = ? ORDER BY shared_id", [value], KnownEntry.init(peerRow:))
                return KnownEntry.merged(own: own, peers: theirs)
            }
        }
    }

    /// Calls every `body` with each entry of the given types, in record order, without holding the
    /// whole record in memory (used once at start-up to build the in-memory index). Throws
    /// `StoreError.corrupt` at the first value callwarden could not have written. Peers' entries,
    /// when any are stored, come merged in as `forEachEntryAndOrigin` gives them.
    public func forEachEntry(ofTypes types: [EntryType], _ body: (StoredEntry) throws -> Void) throws {
        try forEachEntryAndOrigin(ofTypes: types) { stored, _ in try body(stored) }
    }

    /// `forEachEntry`, telling where each entry came from. With no peer entries stored (every
    /// standalone node) this reads `entries` alone, exactly as before there were peers. With
    /// some, this node's entries (in id order) and its peers' (in shared-id order) are merged in
    /// the order this node came to know them (`KnownEntry.merge`), both read in one snapshot, so
    /// that a forgiveness follows the incident it forgives whichever node recorded each.
    public func forEachEntryAndOrigin(ofTypes types: [EntryType], _ body: (StoredEntry, EntryOrigin) throws -> Void) throws {
        let list = types.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let peers = mergesPeers
        try reportingDamage {
            try pool.read { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE type IN (\(list)) ORDER BY id")
                guard peers else {
                    while let row = try rows.next() {
                        if let entry = try StoredEntry(row: row) { try body(entry, .own) }
                    }
                    return
                }
                let peerRows = try Row.fetchCursor(db, sql: "SELECT \(KnownEntry.peerColumns) FROM peer_entries WHERE type IN (\(list)) ORDER BY shared_id")
                try KnownEntry.merge(
                    own: {
                        while let row = try rows.next() { if let entry = try KnownEntry(ownRow: row) { return entry } }
                        return nil
                    },
                    peers: {
                        while let row = try peerRows.next() { if let entry = try KnownEntry(peerRow: row) { return entry } }
                        return nil
                    },
                    { try body($0.stored, $0.origin) })
            }
        }
    }

    /// Figures for `status`: the file's size. Cheap on any size of record (two pragmas, no scan):
    /// counts of callers and incidents come from the engine's memory instead.
    public func figures() async throws -> StoreFigures {
        try await pool.read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return StoreFigures(bytes: pages * pageSize)
        }
    }
}

public struct StoreFigures: Sendable, Equatable {
    public var bytes: Int
}
