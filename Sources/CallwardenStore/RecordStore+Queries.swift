import GRDB

extension RecordStore {
    /// Every entry about one caller, oldest first.
    public func entries(caller: String) async throws -> [StoredEntry] {
        let path = path
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                try Row.fetchAll(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE caller = ? ORDER BY id", arguments: [caller])
                    .compactMap(StoredEntry.init(row:))
            }
        }
    }

    /// Every entry about one call, oldest first.
    public func entries(call: String) async throws -> [StoredEntry] {
        let path = path
        return try await pool.read { db in
            try Self.reportingDamage(path) {
                try Row.fetchAll(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE call = ? ORDER BY id", arguments: [call])
                    .compactMap(StoredEntry.init(row:))
            }
        }
    }

    /// Calls every `body` with each entry of the given types, in record order, without holding the
    /// whole record in memory (used once at start-up to build the in-memory index). Throws
    /// `StoreError.corrupt` at the first value callwarden could not have written.
    public func forEachEntry(ofTypes types: [EntryType], _ body: (StoredEntry) throws -> Void) throws {
        let list = types.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try reportingDamage {
            try pool.read { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT \(StoredEntry.columns) FROM entries WHERE type IN (\(list)) ORDER BY id")
                while let row = try rows.next() {
                    if let entry = try StoredEntry(row: row) { try body(entry) }
                }
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
