import GRDB

/// The record's schema, as append-only named migrations: never edit a shipped one, add the next.
enum Schema {
    /// The entry types v1 shipped with, written out: a shipped migration must create the same
    /// table whatever types later versions add (v4 adds its own).
    static let v1Types = "'incident', 'forgiveness', 'call_start', 'warning', 'hangup_request', 'verdict', 'call_end', 'purge'"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: the record") { db in
            // One table for every kind of entry keeps one hash chain in one order (`id`).
            // AUTOINCREMENT: an id is never reused, even after a purge of the newest rows.
            try db.execute(sql: """
                CREATE TABLE entries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recorded_at_us INTEGER NOT NULL,
                    type TEXT NOT NULL CHECK (type IN (\(v1Types))),
                    at_us INTEGER NOT NULL,
                    caller TEXT,
                    call TEXT,
                    kind TEXT CHECK (type <> 'incident' OR kind IS NOT NULL),
                    agent TEXT,
                    supervisor TEXT,
                    note TEXT,
                    ref INTEGER,
                    rule TEXT,
                    by TEXT,
                    outcome TEXT,
                    hash TEXT NOT NULL CHECK (length(hash) = 64)
                );
                CREATE INDEX entries_by_caller ON entries(caller, id);
                CREATE INDEX entries_by_call ON entries(call, id);
                CREATE TABLE chain_head (
                    single INTEGER PRIMARY KEY CHECK (single = 1),
                    last_id INTEGER NOT NULL,
                    last_hash TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: purge entries indexed") { db in
            // Every export page and every purge reads all purge entries (their notes explain the
            // record's gaps); without this they scanned the whole table each time. Partial: only
            // purge rows are in it, so appends of other entries do not maintain it.
            try db.execute(sql: "CREATE INDEX entries_purges ON entries(id) WHERE type = 'purge'")
        }
        migrator.registerMigration("v3: forgiveness entries indexed by the incident they forgive") { db in
            // A purge deletes each incident's forgiveness entries with it; without this each
            // batch of a purge scanned the whole table for them. Partial, like v2.
            try db.execute(sql: "CREATE INDEX entries_forgiveness_ref ON entries(ref) WHERE type = 'forgiveness'")
        }
        return migrator
    }
}
