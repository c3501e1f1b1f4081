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
        migrator.registerMigration("v4: exemption, exemption_end and review entries; attestation and until") { db in
            try rebuildEntriesForV4(db)
        }
        migrator.registerMigration("v5: entries other nodes recorded, from the shared record") { db in
            try createPeerEntries(db)
        }
        return migrator
    }

    /// The entry types v4 allows, written out like v1's.
    static let v4Types = v1Types + ", 'exemption', 'exemption_end', 'review'"

    /// SQLite cannot change a table's CHECK constraint, so v4 builds the table anew (SQLite's
    /// documented procedure: create, copy, drop, rename) and copies every row as it is: ids and
    /// hashes are unchanged, so the chain verifies as before. AUTOINCREMENT's high-water mark in
    /// `sqlite_sequence` goes with the dropped table and is put back, and the indexes of v1-v3
    /// are made again under their names. One transaction: a failure leaves the v3 table.
    static func rebuildEntriesForV4(_ db: Database) throws {
        // Read as the value it is, not through a typed fetch: the file is outside input. Only a
        // whole number is kept; the writer hands out ids from the chain head, not from this mark.
        let mark = try DatabaseValue.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'entries'")
        var sequence: Int64?
        if case .int64(let number)? = mark?.storage, number > 0 { sequence = number }
        try db.execute(sql: """
            CREATE TABLE entries_v4 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                recorded_at_us INTEGER NOT NULL,
                type TEXT NOT NULL CHECK (type IN (\(v4Types))),
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
                attestation TEXT,
                until_us INTEGER,
                hash TEXT NOT NULL CHECK (length(hash) = 64)
            );
            INSERT INTO entries_v4 (id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash)
                SELECT id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash FROM entries ORDER BY id;
            DROP TABLE entries;
            ALTER TABLE entries_v4 RENAME TO entries;
            CREATE INDEX entries_by_caller ON entries(caller, id);
            CREATE INDEX entries_by_call ON entries(call, id);
            CREATE INDEX entries_purges ON entries(id) WHERE type = 'purge';
            CREATE INDEX entries_forgiveness_ref ON entries(ref) WHERE type = 'forgiveness';
            """)
        // The copy set the mark to the highest id still present; the record's may be higher
        // (its newest rows purged, or ids a failed commit left unused).
        if let sequence {
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'entries'", arguments: [sequence])
            if db.changesCount == 0 {
                try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('entries', ?)", arguments: [sequence])
            }
        }
    }

    /// Entries other nodes of a cluster recorded, as this node learned them from the shared
    /// record (`PeerEntry`). Not part of this node's chain: verify, export and purge read only
    /// `entries`. `id` is the entry's origin id (unique across the cluster), `hash` its hash in
    /// the shared chain, `shared_id` its place there; `received_at_us` is when this node stored
    /// it, by its own clock, so that start-up folds each peer entry among this node's own entries
    /// in the order this node came to know them, whatever the other node's clock said.
    /// No AUTOINCREMENT: ids come from the other nodes. Types as v4 allows them.
    static func createPeerEntries(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE peer_entries (
                id INTEGER PRIMARY KEY,
                recorded_at_us INTEGER NOT NULL,
                type TEXT NOT NULL CHECK (type IN (\(v4Types))),
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
                attestation TEXT,
                until_us INTEGER,
                hash TEXT NOT NULL CHECK (length(hash) = 64),
                shared_id INTEGER NOT NULL UNIQUE,
                node INTEGER NOT NULL,
                received_at_us INTEGER NOT NULL
            );
            CREATE INDEX peer_entries_by_caller ON peer_entries(caller, id);
            CREATE INDEX peer_entries_by_call ON peer_entries(call, id);
            CREATE INDEX peer_entries_forgiveness_ref ON peer_entries(ref) WHERE type = 'forgiveness';
            """)
    }
}
