import CallwardenRecord
import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

/// A record edited by hand into values callwarden could not have written: opening it, reading it
/// at start-up, verifying and exporting it refuse it as damaged (or report the chain broken),
/// and never trap.
@Suite("A damaged record")
struct DamagedRecordTests {
    /// Three incidents and a forgiveness of the second.
    static func filled() async throws -> String {
        let directory = RecordStoreTests.temporaryDirectory()
        try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append([
                NewEntry(type: .incident, at: 1_800_000_000, caller: "+441", kind: "verbal"),
                NewEntry(type: .incident, at: 1_800_000_001, caller: "+442", kind: "verbal"),
                NewEntry(type: .incident, at: 1_800_000_002, caller: "+441", kind: "verbal"),
                NewEntry(type: .forgiveness, at: 1_800_000_003, caller: "+442", note: "sorry", ref: 2, by: "uid 0"),
            ])
        }
        return directory
    }

    /// Edits the record outside callwarden; `unchecked` lifts the schema's NOT NULL and CHECK
    /// constraints first, as a determined editor can.
    static func edit(_ directory: String, _ sql: String, unchecked: Bool = false) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            if unchecked {
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "PRAGMA writable_schema = ON")
                try db.execute(sql: """
                    UPDATE sqlite_schema SET sql = replace(replace(sql, 'INTEGER NOT NULL', 'INTEGER'), 'TEXT NOT NULL', 'TEXT')
                    WHERE name IN ('entries', 'chain_head')
                    """)
                try db.execute(sql: "PRAGMA writable_schema = OFF")
            }
        }
        // A new connection reads the edited schema.
        let edited = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        try edited.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql)
        }
    }

    static func open(_ directory: String) throws -> RecordStore {
        try RecordStore(directory: directory, logger: Logger(label: "test"))
    }

    static func detail(_ error: any Error) -> String? {
        if case StoreError.corrupt(_, let detail) = error { return detail }
        return nil
    }

    @Test("A chain head callwarden could not have written is refused on opening", arguments: [
        ("UPDATE chain_head SET last_id = -1", "last_id holds -1"),
        ("UPDATE chain_head SET last_id = 9223372036854775807", "last_id holds 9223372036854775807"),
        ("UPDATE chain_head SET last_id = 'four'", "last_id holds the text 'four'"),
        ("UPDATE chain_head SET last_id = 4.5", "last_id holds the real number 4.5"),
        ("UPDATE chain_head SET last_id = 2", "holds entry 4, past the entry chain_head names (2)"),
        ("UPDATE chain_head SET last_hash = 'abc'", "last_hash holds 'abc', which is not a hash"),
        ("DELETE FROM chain_head", "holds entry 4, past the entry chain_head names (0)"),
    ])
    func damagedHead(sql: String, expected: String) async throws {
        let directory = try await Self.filled()
        try Self.edit(directory, sql)
        let error = #expect(throws: StoreError.self) { try Self.open(directory) }
        let detail = error.flatMap(Self.detail)
        #expect(detail?.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.contains(RecordStore.fileName) == true)
    }

    @Test("A NULL in a NOT NULL column is refused on opening")
    func nullHead() async throws {
        let directory = try await Self.filled()
        try Self.edit(directory, "UPDATE chain_head SET last_id = NULL", unchecked: true)
        let error = #expect(throws: StoreError.self) { try Self.open(directory) }
        #expect(error.flatMap(Self.detail)?.contains("last_id is NULL") == true, "\(String(describing: error))")
    }

    @Test("An entry callwarden could not have written is refused when the record is read in", arguments: [
        ("UPDATE entries SET at_us = 'yesterday' WHERE id = 2", false, "entry 2: at_us holds the text 'yesterday'"),
        ("UPDATE entries SET at_us = 9223372036854775807 WHERE id = 2", false, "entry 2: at_us holds 9223372036854775807, outside"),
        ("UPDATE entries SET at_us = -1 WHERE id = 2", false, "entry 2: at_us holds -1, outside"),
        ("UPDATE entries SET recorded_at_us = 1e300 WHERE id = 3", false, "entry 3: recorded_at_us holds the real number"),
        ("UPDATE entries SET at_us = NULL WHERE id = 3", true, "entry 3: at_us is NULL"),
        ("UPDATE entries SET ref = -7 WHERE id = 4", false, "entry 4: ref holds -7, outside"),
        ("UPDATE entries SET ref = 'two' WHERE id = 4", false, "entry 4: ref holds the text 'two'"),
        ("UPDATE entries SET caller = x'2b3400ff' WHERE id = 1", false, "entry 1: caller holds a blob of 4 bytes"),
        ("UPDATE entries SET hash = 'not a hash' WHERE id = 1", false, "entry 1: hash holds 'not a hash', which is not a hash"),
        ("UPDATE entries SET hash = NULL WHERE id = 1", true, "entry 1: hash is NULL"),
        ("UPDATE entries SET id = -5 WHERE id = 1", false, "id holds -5, outside"),
        ("UPDATE entries SET attestation = 'Z' WHERE id = 1", false, "entry 1: attestation holds 'Z', which is not a caller-ID trust level"),
        ("UPDATE entries SET attestation = x'41' WHERE id = 1", false, "entry 1: attestation holds a blob of 1 bytes"),
        ("UPDATE entries SET until_us = 'tomorrow' WHERE id = 4", false, "entry 4: until_us holds the text 'tomorrow'"),
        ("UPDATE entries SET until_us = 9223372036854775807 WHERE id = 4", false, "entry 4: until_us holds 9223372036854775807, outside"),
        ("UPDATE entries SET until_us = -1 WHERE id = 4", false, "entry 4: until_us holds -1, outside"),
        ("UPDATE entries SET until_us = 2.5 WHERE id = 4", false, "entry 4: until_us holds the real number 2.5"),
    ])
    func damagedEntry(sql: String, unchecked: Bool, expected: String) async throws {
        let directory = try await Self.filled()
        try Self.edit(directory, sql, unchecked: unchecked)
        let store = try Self.open(directory)
        let error = #expect(throws: StoreError.self) { try store.forEachEntry(ofTypes: EntryType.allCases) { _ in } }
        #expect(error.flatMap(Self.detail)?.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.contains(store.path) == true)
    }

    @Test("An entry without a type is refused when a caller's entries are read")
    func nullType() async throws {
        let directory = try await Self.filled()
        try Self.edit(directory, "UPDATE entries SET type = NULL WHERE id = 1", unchecked: true)
        try await RecordStoreTests.withStore(directory) { store in
            let error = await #expect(throws: StoreError.self) { try await store.entries(caller: "+441") }
            #expect(error.flatMap(Self.detail)?.contains("entry 1: type is NULL") == true, "\(String(describing: error))")
        }
    }

    @Test("Verifying a record with impossible values reports the entry, without trapping", arguments: [
        ("UPDATE entries SET at_us = 'yesterday' WHERE id = 2", false, Int64(2)),
        ("UPDATE entries SET at_us = 9223372036854775807 WHERE id = 2", false, 2),
        ("UPDATE entries SET at_us = NULL WHERE id = 3", true, 3),
        ("UPDATE entries SET ref = -7 WHERE id = 4", false, 4),
        ("UPDATE entries SET hash = NULL WHERE id = 1", true, 1),
        ("UPDATE entries SET id = 9223372036854775807 WHERE id = 4", false, 9_223_372_036_854_775_807),
        ("UPDATE entries SET until_us = 9223372036854775807 WHERE id = 4", false, 4),
        ("UPDATE entries SET attestation = x'00ff' WHERE id = 2", false, 2),
    ])
    func verifyImpossible(sql: String, unchecked: Bool, entry: Int64) async throws {
        let directory = try await Self.filled()
        // Opened before the edit, which could stop it opening: the file changes under a running
        // daemon.
        let problem = try await RecordStoreTests.withStore(directory) { store in
            try Self.edit(directory, sql, unchecked: unchecked)
            return try await store.verify().problem
        }
        #expect(problem != nil)
        #expect(problem?.entry == entry, "\(String(describing: problem))")
    }

    @Test("A chain head edited under a running store makes verify and export report damage")
    func headEditedWhileOpen() async throws {
        let directory = try await Self.filled()
        try await RecordStoreTests.withStore(directory) { store in
            try Self.edit(directory, "UPDATE chain_head SET last_id = 'x'")
            let verifyError = await #expect(throws: StoreError.self) { try await store.verify() }
            #expect(verifyError.flatMap(Self.detail)?.contains("last_id holds the text 'x'") == true)
            await #expect(throws: StoreError.self) { try await store.exportPage(caller: nil, since: nil, after: nil, limit: 10) }
        }
    }
}
