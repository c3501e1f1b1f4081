@testable import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

@Suite("The record")
struct RecordStoreTests {
    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-store-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `body` with a store whose writer is running, then stops the writer.
    static func withStore<T>(_ directory: String, _ body: (RecordStore) async throws -> T) async throws -> T {
        let store = try RecordStore(directory: directory, logger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            return try await body(store)
        }
    }

    @Test("Entries survive reopening, in order, with their ids and hashes")
    func reopen() async throws {
        let directory = Self.temporaryDirectory()
        let written = try await Self.withStore(directory) { store in
            try await store.append([
                NewEntry(type: .incident, at: 1_800_000_000.123456, caller: "+447700900123", call: "c1", kind: "verbal", agent: "a1", note: "swore"),
                NewEntry(type: .forgiveness, at: 1_800_000_100, caller: "+447700900123", note: "apologised", ref: 1, by: "uid 0"),
            ])
        }
        #expect(written.map(\.id) == [1, 2])
        let read = try await Self.withStore(directory) { store in try await store.entries(caller: "+447700900123") }
        #expect(read == written)
        #expect(read[0].entry.at == 1_800_000_000.123456)
    }

    @Test("Each hash chains to the one before")
    func chain() async throws {
        let directory = Self.temporaryDirectory()
        let written = try await Self.withStore(directory) { store in
            var all: [StoredEntry] = []
            for index in 0..<5 {
                all += try await store.append([NewEntry(type: .incident, at: Double(index), caller: "+1", kind: "verbal")])
            }
            return all
        }
        var previous = EntryDigest.genesis
        for stored in written {
            #expect(try stored.hash == EntryDigest.hash(previous: previous, id: stored.id, recordedAt: stored.recordedAt, entry: stored.entry))
            previous = stored.hash
        }
    }

    @Test("Concurrent appends are grouped and each gets its own ids")
    func groupCommit() async throws {
        let directory = Self.temporaryDirectory()
        let ids = try await Self.withStore(directory) { store in
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<200 {
                    group.addTask { try await store.append(NewEntry(type: .incident, at: Double(index), caller: "+\(index)", kind: "verbal")).id }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(Set(ids) == Set(1...200))
    }

    @Test("The record is durable: WAL and synchronous=FULL")
    func durability() async throws {
        let directory = Self.temporaryDirectory()
        // synchronous is a setting of each connection, not of the file: read it on the store's
        // own writer connection, the one that commits.
        let synchronous = try await Self.withStore(directory) { store in
            try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        }
        #expect(synchronous == 2, "synchronous=\(String(describing: synchronous)); 2 is FULL")
        let queue = try DatabaseQueue(path: directory + "/" + RecordStore.fileName)
        let mode = try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("A damaged file is refused, not overwritten")
    func corrupt() throws {
        let directory = Self.temporaryDirectory()
        let path = directory + "/" + RecordStore.fileName
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try RecordStore(directory: directory, logger: Logger(label: "test")) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }
}
