import CallwardenCore
import CallwardenReplay
import CallwardenStore
import Foundation
import GRDB
import Logging
import Testing

@Suite("Replaying through the record store")
struct StoreReplayTests {
    /// 3,000 callers, enough for the "now" decision points to be shared out over two threads:
    /// each with a nuisance, verbal or time-wasting call, some with a calm call or a forgiveness.
    static func history() -> RecordedHistory {
        var record = RecordedHistory()
        let kinds = ["nuisance", "verbal", "time_wasting"]
        for index in 0..<3000 {
            let caller = "+4474000\(String(format: "%05d", index))"
            let call = record.abusiveCall(caller, kind: kinds[index % 3], daysAgo: Double(index % 40) + 1)
            if index % 7 == 0 { record.resolvedCall(caller, daysAgo: Double(index % 40) / 2) }
            if index % 11 == 0 { record.forgive(caller, incident: call.incident, daysAgo: 0.5) }
            if index % 13 == 0 { record.ladderCall(caller, daysAgo: 0.25) }
        }
        return record
    }

    static func withStore<T>(_ body: (RecordStore, String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callwarden-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RecordStore(directory: directory, logger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            return try await body(store, store.path)
        }
    }

    @Test("The store's reader, two threads and the pure replay give the same report")
    func sameReportThroughTheStore() async throws {
        let record = Self.history()
        let live = try Policies.shipped()
        let candidate = try Policies.nuisanceToCallback()
        var replayer = Replayer(live: live, candidate: candidate, since: nil, now: RecordedHistory.now)
        for entry in record.entries { replayer.apply(entry) }
        let pure = replayer.finish()
        #expect(pure.atNow.changed > 0 && pure.atCalls.changed > 0 && pure.hangups.requests > 0)

        var stored = try await Self.withStore { store, _ in
            _ = try await store.append(record.entries.map(\.entry))
            return try PolicyReplay.run(store: store, live: live, candidate: candidate, since: nil, now: RecordedHistory.now)
        }
        #expect(stored.seconds > 0)
        stored.seconds = 0
        #expect(stored == pure)
    }

    @Test("A record edited by hand is refused as damaged, naming the entry, rather than replayed")
    func damagedRecord() async throws {
        let record = Self.history()
        let live = try Policies.shipped()
        let error = try await Self.withStore { store, path -> (any Error)? in
            _ = try await store.append(record.entries.map(\.entry))
            try await DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE entries SET caller = x'00ff' WHERE id = 2") }
            do {
                _ = try PolicyReplay.run(store: store, live: live, candidate: live, since: nil, now: RecordedHistory.now)
                return nil
            } catch {
                return error
            }
        }
        guard case StoreError.corrupt(_, let detail)? = error else {
            Issue.record("expected StoreError.corrupt, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("entry 2: caller"), "\(detail)")
    }

    @Test("A caller-id trust level edited by hand is refused as damaged, as at start-up, rather than replayed as none")
    func damagedAttestation() async throws {
        let record = Self.history()
        let live = try Policies.shipped()
        let error = try await Self.withStore { store, path -> (any Error)? in
            _ = try await store.append(record.entries.map(\.entry))
            let incident = try #require(record.entries.first { $0.entry.type == .incident }).id
            try await DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE entries SET attestation = 'D' WHERE id = ?", arguments: [incident]) }
            do {
                _ = try PolicyReplay.run(store: store, live: live, candidate: live, since: nil, now: RecordedHistory.now)
                return nil
            } catch {
                return error
            }
        }
        guard case StoreError.corrupt(_, let detail)? = error else {
            Issue.record("expected StoreError.corrupt, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("attestation holds 'D'"), "\(detail)")
    }
}
