import CallwardenExport
import CallwardenRecord
@testable import CallwardenStore
import Foundation
import GRDB
import Testing

/// Random sequences of writes, forgiveness, failed commits and many purges through the real
/// store, on a real SQLite file: an untouched record always verifies (the store's verifier, and
/// the Python program of docs/record.md on its export), and any single entry changed, removed
/// or reordered, or the newest entries cut off, is always found and named.
///
/// The cases are fixed by a seed (`PropertySettings`): a failure names the seed and the case,
/// and `CALLWARDEN_PROPERTY_SEED=<seed>` replays the run.
@Suite("Retention never falsifies the record (property)")
struct RetentionPropertyTests {
    /// Edits tried on each record.
    static let tamperingsPerCase = 4

    @Test("Untouched records verify; every single edit is found and named")
    func property() async throws {
        let seed = PropertySettings.seed
        let cases = PropertySettings.cases
        var checked = (records: 0, purges: 0, tamperings: 0, python: 0)
        for index in 0..<cases {
            let caseSeed = PropertySettings.caseSeed(index, of: seed)
            let replay = "replay: CALLWARDEN_PROPERTY_SEED=\(seed) (case \(index) of \(cases), case seed \(caseSeed))"
            var random = SeededGenerator(seed: caseSeed)
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let record = try await RandomRecord.write(using: &random, into: directory)
            checked.records += 1
            checked.purges += record.purges

            let export = try await RecordStoreTests.withStore(directory) { store in
                let report = try await store.verify()
                #expect(report.verified, "untouched record: \(String(describing: report.problem)); \(replay)")
                return try await ExportFile.read(store, limit: Int.random(in: 1...40, using: &random))
            }
            let exported = try ExportVerification.verify(bytes: [UInt8](export.bytes))
            #expect((try? exported.get())?.verified == true, "export verifier on an untouched export: \(exported); \(replay)")
            if PythonVerifier.python != nil {
                let file = directory + "/export.json"
                try export.write(to: file)
                let (verified, printed) = try PythonVerifier.verifies(file)
                #expect(verified, "Python verifier on an untouched export: \(printed); \(replay)")
                checked.python += 1
            }
            // The export edited: both verifiers find it, and the export verifier names it.
            if let tampering = ExportTampering.random(record, using: &random) {
                var edited = export
                tampering.apply(&edited.entries)
                let problem = try? ExportVerification.verify(bytes: [UInt8](edited.bytes)).get().problem
                #expect(problem?.kind == tampering.expected.0 && problem?.entry == tampering.expected.1,
                        "\(tampering): expected \(tampering.expected.0) at \(tampering.expected.1), got \(String(describing: problem)); \(replay)")
                if PythonVerifier.python != nil {
                    let file = directory + "/edited.json"
                    try edited.write(to: file)
                    let (verified, printed) = try PythonVerifier.verifies(file)
                    #expect(!verified, "Python verifier: \(tampering) not found (\(printed)); \(replay)")
                    checked.python += 1
                }
                checked.tamperings += 1
            }

            let queue = try DatabaseQueue(path: record.path)
            for _ in 0..<Self.tamperingsPerCase {
                guard let tampering = Tampering.random(record, using: &random) else { break }
                let problem = try Self.verify(queue, record, after: tampering.sql)
                #expect(problem?.kind == tampering.expected.0 && problem?.entry == tampering.expected.1,
                        "\(tampering): expected \(tampering.expected.0) at \(tampering.expected.1), got \(String(describing: problem)); \(replay)")
                checked.tamperings += 1
            }
            // A purge entry's note changed: it is read before the walk, so the change may show at
            // the gap it described rather than at the purge entry; but it is always found.
            if let purge = record.present.last(where: { $0.type == "purge" && !(record.runs[$0.id] ?? []).isEmpty }) {
                let problem = try Self.verify(queue, record, after: "UPDATE entries SET note = replace(note, '\"prev_hash\":\"', '\"prev_hash\":\"0') WHERE id = \(purge.id)")
                #expect(problem != nil, "purge entry \(purge.id)'s note changed, not found; \(replay)")
            }
        }
        print("Retention property: \(checked.records) records, \(checked.purges) purges, \(checked.tamperings) edits, \(checked.python) exports checked by Python (seed \(seed))")
    }

    /// A new directory for one case's record: in memory-backed /dev/shm when there is one. The
    /// property is about the chain, not the disk (durability has tests of its own), and there
    /// each commit's fsync costs nothing, so a few hundred records take seconds.
    static func temporaryDirectory() -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue else {
            return RecordStoreTests.temporaryDirectory()
        }
        let path = "/dev/shm/callwarden-property-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `sql` on the record, verifies what it then holds with the store's own walk, and
    /// undoes the edit.
    static func verify(_ queue: DatabaseQueue, _ record: RandomRecord, after sql: String) throws -> ChainProblem? {
        var problem: ChainProblem?
        try queue.inDatabase { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.inTransaction {
                try db.execute(sql: sql)
                problem = try RecordStore.verify(db, path: record.path).problem
                return .rollback
            }
        }
        return problem
    }
}
