import CallwardenRecord
import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

/// A record written before schema v4, opened by this version: the table is rebuilt for the new
/// entry types and columns, and nothing already recorded changes.
@Suite("Schema v4")
struct SchemaV4Tests {
    /// The schema exactly as v1-v3 created it, written out here rather than taken from `Schema`,
    /// so that the test stands for a file an earlier version wrote.
    static let v3SQL = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        INSERT INTO grdb_migrations VALUES ('v1: the record'), ('v2: purge entries indexed'),
            ('v3: forgiveness entries indexed by the incident they forgive');
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at_us INTEGER NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('incident', 'forgiveness', 'call_start', 'warning', 'hangup_request', 'verdict', 'call_end', 'purge')),
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
        CREATE INDEX entries_purges ON entries(id) WHERE type = 'purge';
        CREATE INDEX entries_forgiveness_ref ON entries(ref) WHERE type = 'forgiveness';
        """

    /// The v3 chain form: the fourteen fields, nothing after `outcome`.
    static let v3Fields = ["id", "recorded_at", "type", "at", "caller", "call", "kind", "agent", "supervisor", "note", "ref", "rule", "by", "outcome"]

    /// A v3 record: incidents 1, 2, 4 and a forgiveness 5 of incident 2 (id 3 left unused by a
    /// failed commit), with AUTOINCREMENT's mark at 7 (ids 6 and 7 likewise unused).
    static func v3Record() throws -> String {
        let directory = RecordStoreTests.temporaryDirectory()
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        try queue.write { db in
            try db.execute(sql: v3SQL)
            let rows: [[String: String?]] = [
                ["id": "1", "type": "incident", "caller": "+441", "call": "c1", "kind": "verbal", "note": "swore"],
                ["id": "2", "type": "incident", "caller": "+442", "kind": "threat", "agent": "a7"],
                ["id": "4", "type": "incident", "caller": "+441", "kind": "verbal", "rule": "repeat"],
                ["id": "5", "type": "forgiveness", "caller": "+442", "note": "apologised", "ref": "2", "by": "uid 0"],
            ]
            var previous = ChainDigest.genesis
            for row in rows {
                let id = Int64(row["id"]!!)!
                var values = row
                values["recorded_at"] = String(1_800_000_000_000_000 + id)
                values["at"] = String(1_790_000_000_000_000 + id)
                let fields = v3Fields.map { ChainField($0, values[$0] ?? nil) }
                let hash = ChainDigest.hash(previous: previous, fields: fields)
                try db.execute(
                    sql: """
                        INSERT INTO entries (id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: StatementArguments(fields.map(\.value) + [hash]))
                previous = hash
            }
            try db.execute(sql: "INSERT INTO chain_head (single, last_id, last_hash) VALUES (1, 5, ?)", arguments: [previous])
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = 7 WHERE name = 'entries'")
        }
        return directory
    }

    struct FileState: Equatable {
        var rows: [[String?]]
        var sequence: Int64?
        var indexes: [String: String]
        var head: [String?]
    }

    /// A row's values as text, whatever their type.
    static func texts(_ row: Row) -> [String?] {
        Array(row.databaseValues.map { String.fromDatabaseValue($0) ?? Int64.fromDatabaseValue($0).map(String.init) })
    }

    static func state(_ directory: String) throws -> FileState {
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        return try queue.read { db in
            let columns = "id, recorded_at_us, type, at_us, caller, call, kind, agent, supervisor, note, ref, rule, by, outcome, hash"
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM entries ORDER BY id").map(Self.texts)
            var indexes: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL") {
                indexes[row["name"]] = row["sql"]
            }
            let head = try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM chain_head").map(Self.texts) ?? []
            return FileState(
                rows: rows, sequence: try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'entries'"),
                indexes: indexes, head: head)
        }
    }

    @Test("A v3 record migrates with its ids, hashes, head, AUTOINCREMENT mark and indexes unchanged, and verifies")
    func migratesUnchanged() async throws {
        let directory = try Self.v3Record()
        let before = try Self.state(directory)
        #expect(before.indexes.count == 4)
        let report = try await RecordStoreTests.withStore(directory) { store in try await store.verify() }
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.entries == 4)
        #expect(try Self.state(directory) == before)

        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        let (columns, migrations) = try await queue.read { db in
            (try db.columns(in: "entries").map(\.name), try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(columns.contains("attestation") && columns.contains("until_us"))
        #expect(migrations.contains { $0.hasPrefix("v4") })
    }

    @Test("After migrating, the new entry types and fields are recorded, continue the chain, and read back")
    func writesAfterMigrating() async throws {
        let directory = try Self.v3Record()
        let (written, report) = try await RecordStoreTests.withStore(directory) { store in
            let written = try await store.append([
                NewEntry(type: .exemption, at: 1_800_000_100, caller: "+44800*", note: "crisis line", by: "uid 0", outcome: "nuisance", until: 1_900_000_000.25),
                NewEntry(type: .incident, at: 1_800_000_101, caller: "+441", kind: "verbal", attestation: "C"),
                NewEntry(type: .exemptionEnd, at: 1_800_000_102, note: "no longer needed", ref: 6, by: "uid 0"),
                NewEntry(type: .review, at: 1_800_000_103, caller: "+441", note: "still abusive", by: "uid 0", outcome: "renew"),
            ])
            return (written, try await store.verify())
        }
        // The writer goes on from the chain head; the AUTOINCREMENT mark never held it back.
        #expect(written.map(\.id) == [6, 7, 8, 9])
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.entries == 8)
        let read = try await RecordStoreTests.withStore(directory) { store in
            var read: [StoredEntry] = []
            try store.forEachEntry(ofTypes: [.exemption, .exemptionEnd, .review, .incident]) { read.append($0) }
            return read
        }
        #expect(read.map(\.id) == [1, 2, 4, 6, 7, 8, 9])
        #expect(Array(read.suffix(4)) == written)
        #expect(read[3].entry.until == 1_900_000_000.25)
        #expect(read[4].entry.attestation == "C")
        #expect(read[0].entry.attestation == nil && read[0].entry.until == nil)
    }

    @Test("A new entry type is refused by the v3 table and accepted once migrated")
    func checkConstraintRebuilt() async throws {
        let directory = try Self.v3Record()
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        let insert = "INSERT INTO entries (id, recorded_at_us, type, at_us, hash) VALUES (99, 0, 'review', 0, '\(String(repeating: "0", count: 64))')"
        #expect(throws: DatabaseError.self) { try queue.write { db in try db.execute(sql: insert) } }
        try queue.close()
        _ = try RecordStore(directory: directory, logger: Logger(label: "test"))
        let migrated = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        try await migrated.write { db in try db.execute(sql: insert) }
        #expect(try await migrated.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE type = 'review'") } == 1)
    }
}
