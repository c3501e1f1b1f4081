@testable import CallwardenStore
import CallwardenLocking
import CallwardenRecord
import Foundation
import GRDB
import Logging
import Testing

/// A node of a cluster's own record: ids from the node's floor, the hook awaited after each
/// commit, its own entries read back for shipping, and the id it has committed through.
@Suite("The record of a cluster node")
struct ClusterNodeRecordTests {
    static let node3Floor: Int64 = 3 << 40

    static func incident(_ at: Double, caller: String = "+447700900123") -> NewEntry {
        NewEntry(type: .incident, at: at, caller: caller, kind: "verbal", note: "swore")
    }

    @Test("A new record numbers its first entry from the id floor")
    func newRecordStartsAtTheFloor() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (before, written, after) = try await RecordStoreTests.withStore(directory, idFloor: Self.node3Floor) { store in
            let before = store.lastCommittedID
            let written = try await store.append([Self.incident(1_800_000_000), Self.incident(1_800_000_001)])
            return (before, written, store.lastCommittedID)
        }
        #expect(before == 0)
        #expect(written.map(\.id) == [Self.node3Floor, Self.node3Floor + 1])
        #expect(after == Self.node3Floor + 1)
    }

    @Test("A standalone record that joins a cluster jumps to the floor, and the gap verifies")
    func joiningJumpsToTheFloor_andVerifies() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        _ = try await RecordStoreTests.withStore(directory) { store in
            try await store.append([Self.incident(1_800_000_000), Self.incident(1_800_000_001)])
        }
        let (written, report) = try await RecordStoreTests.withStore(directory, idFloor: Self.node3Floor) { store in
            (try await store.append(Self.incident(1_800_000_002)), try await store.verify())
        }
        #expect(written.id == Self.node3Floor)
        #expect(report.verified, "\(String(describing: report.problem))")
        #expect(report.entries == 3)
    }

    @Test("Past the floor, a reopened record goes on from its last id")
    func pastTheFloor_goesOnFromTheLastID() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        _ = try await RecordStoreTests.withStore(directory, idFloor: Self.node3Floor) { store in
            try await store.append([Self.incident(1_800_000_000), Self.incident(1_800_000_001)])
        }
        let next = try await RecordStoreTests.withStore(directory, idFloor: Self.node3Floor) { store in
            (store.lastCommittedID, try await store.append(Self.incident(1_800_000_002)).id)
        }
        #expect(next.0 == Self.node3Floor + 1)
        #expect(next.1 == Self.node3Floor + 2)
    }

    @Test("An id floor outside the record's ids is refused", arguments: [Int64(0), -1, RecordLimits.ids.upperBound + 1])
    func floorOutsideTheIDs_isRefused(floor: Int64) throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let error = #expect(throws: StoreError.self) {
            _ = try RecordStore(directory: directory, logger: Logger(label: "test"), idFloor: floor)
        }
        guard case .badIDFloor(let refused)? = error else {
            Issue.record("not refused as a bad id floor: \(String(describing: error))")
            return
        }
        #expect(refused == floor)
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + RecordStore.fileName))
    }

    @Test("The hook hears each committed batch, in commit order, before the batch's writes are answered")
    func hookHearsBatchesBeforeTheirAnswers() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let store = try RecordStore(directory: directory, logger: Logger(label: "test"))
        // Queued before the writer runs, so that both are in its first batch.
        let first = store.enqueue([Self.incident(1_800_000_000)])
        let second = store.enqueue([Self.incident(1_800_000_001), Self.incident(1_800_000_002)])
        let tickets = Locked([first, second])
        let heard = Locked<[(ids: [Int64], answered: Bool, committedThrough: Int64)]>([])
        store.onCommitted { entries in
            let answered = tickets.withLock { $0.contains(where: \.isComplete) }
            heard.withLock { $0.append((entries.map(\.id), answered, store.lastCommittedID)) }
        }
        let later = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            _ = try await first.wait()
            _ = try await second.wait()
            // A barrier commits no entry: the hook does not hear it.
            await store.barrier()
            // Queued under the tickets' lock, so the hook cannot look before the ticket is there.
            let third = tickets.withLock { tickets -> CommitTicket in
                let third = store.enqueue([Self.incident(1_800_000_003)])
                tickets = [third]
                return third
            }
            return try await third.wait()
        }
        let batches = heard.withLock { $0 }
        #expect(batches.map(\.ids) == [[1, 2, 3], [4]])
        #expect(batches.allSatisfy { !$0.answered })
        #expect(batches.map(\.committedThrough) == [3, 4])
        #expect(later.map(\.id) == [4])
    }

    @Test("A slow hook holds the batch's answer until it returns")
    func slowHookHoldsTheAnswer() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let (release, letGo) = AsyncStream.makeStream(of: Void.self)
        let answeredEarly = Locked(false)
        try await RecordStoreTests.withStore(directory) { store in
            let ticket = Locked<CommitTicket?>(nil)
            store.onCommitted { _ in
                enter.yield()
                for await _ in release { break }
                // Checked just before the hook returns: the ticket must still wait for it.
                if ticket.withLock({ $0?.isComplete }) == true { answeredEarly.withLock { $0 = true } }
            }
            let queued = store.enqueue([Self.incident(1_800_000_000)])
            // Noted before the hook is let go, which is when it looks.
            ticket.withLock { $0 = queued }
            for await _ in entered { break }
            #expect(!queued.isComplete)
            letGo.yield()
            _ = try await queued.wait()
        }
        #expect(!answeredEarly.withLock { $0 })
    }

    @Test("Own entries after an id come in id order, at most the limit, and never a peer's")
    func entriesAfterAnID() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        let (all, after, none, past) = try await RecordStoreTests.withStore(directory, idFloor: Self.node3Floor) { store in
            let all = try await store.append((0..<5).map { Self.incident(1_800_000_000 + Double($0)) })
            try await store.storePeerEntries([PeerRecordTests.peer(1, node: 2, id: (2 << 40) + 1, Self.incident(1_800_000_000))])
            return (
                all, try await store.entries(after: all[1].id, limit: 2), try await store.entries(after: 0, limit: 0),
                try await store.entries(after: all[4].id, limit: 10)
            )
        }
        #expect(after == Array(all[2...3]))
        #expect(none.isEmpty)
        #expect(past.isEmpty)
    }
}

extension RecordStoreTests {
    /// `withStore` for a node whose ids start at `idFloor`.
    static func withStore<T>(_ directory: String, idFloor: Int64, _ body: (RecordStore) async throws -> T) async throws -> T {
        let store = try RecordStore(directory: directory, logger: Logger(label: "test"), idFloor: idFloor)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runWriter() }
            defer { store.stopWriter() }
            return try await body(store)
        }
    }
}
