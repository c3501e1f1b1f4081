import CallwardenStore
import Foundation

/// A year of history for K callers, written straight into a record through the store's group
/// commit (the daemon's own write path, without the socket: seeding millions of entries over the
/// socket would take most of the benchmark's time and measure nothing new).
///
/// Each caller's story is drawn from a generator seeded by the caller's number, so a record is the
/// same on every run: 1 to 3 incidents (as the daemon's seeding), each in a recorded call dated
/// anywhere in the year (`call_start`, the incident, `call_end`); in three calls of ten the agent
/// warned and asked to hang up, and a supervisor answered (approving two times in three); one
/// incident in ten is forgiven a week later; three callers in ten
/// made a calm call afterwards, ended `resolved`. Entries are written in time order across callers,
/// as the daemon would have recorded them.
struct ReplayRecord {
    static let year = 365 * 86_400.0

    let population: Population
    /// The end of the year the record covers.
    let now: Double

    /// One call or forgiveness of one caller, in time order: time (25 bits of seconds into the
    /// year), caller (24 bits), which of its events (4 bits). Sorting these numbers sorts events.
    private static func key(second: UInt64, caller: Int, event: Int) -> UInt64 {
        second << 28 | UInt64(caller) << 4 | UInt64(event)
    }

    static let maximumCallers = 1 << 24

    private struct Story {
        struct Incident {
            var second: UInt64
            var kind: StaticString
            var ladder: Bool
            /// Seconds after the incident at which it is forgiven, if it is.
            var forgivenAfter: UInt64?
        }

        var incidents: [Incident] = []
        var calmCall: UInt64?
    }

    private func story(of k: Int) -> Story {
        var random = SplitMix64(state: 0x5EED_0000_0000 &+ UInt64(k))
        var story = Story()
        let yearSeconds = UInt64(Self.year) - 3600
        for _ in 0..<SeedHistory.incidents(ofCaller: k) {
            let roll = random.next()
            let forgiven = roll % 10 == 0 ? UInt64(7 * 86_400) : nil
            story.incidents.append(Story.Incident(second: random.next() % yearSeconds, kind: AbuseKinds.pick(roll >> 8), ladder: (roll >> 16) % 10 < 3, forgivenAfter: forgiven))
        }
        if random.next() % 10 < 3, let first = story.incidents.map(\.second).min() {
            let calm = first + 3600 + random.next() % 86_400
            if calm < yearSeconds { story.calmCall = calm }
        }
        return story
    }

    func caller(_ k: Int) -> String { "+44\(population.nationalNumber(population.indexWithHistory(k)))" }

    /// Writes the record into `store` (which must be empty); returns the entries written.
    func write(into store: RecordStore) throws -> Int {
        var keys: [UInt64] = []
        keys.reserveCapacity(population.withHistory * 3)
        let yearSeconds = UInt64(Self.year) - 3600
        for k in 0..<population.withHistory {
            let story = story(of: k)
            for (index, incident) in story.incidents.enumerated() {
                keys.append(Self.key(second: incident.second, caller: k, event: index))
                if let after = incident.forgivenAfter, incident.second + after < yearSeconds {
                    keys.append(Self.key(second: incident.second + after, caller: k, event: 4 + index))
                }
            }
            if let calm = story.calmCall { keys.append(Self.key(second: calm, caller: k, event: 7)) }
        }
        keys.sort()

        let start = now - Self.year
        let writer = BatchWriter(store: store)
        // Incident ids of the incidents that will be forgiven, by caller and incident.
        var forgivable: [Int: Int64] = [:]
        var cachedCaller = -1
        var cachedStory = Story()
        for key in keys {
            let k = Int((key >> 4) & 0xFF_FFFF)
            let event = Int(key & 0xF)
            if k != cachedCaller {
                cachedStory = story(of: k)
                cachedCaller = k
            }
            let at = start + Double(key >> 28)
            let number = caller(k)
            switch event {
            case 0..<4:
                let incident = cachedStory.incidents[event]
                let call = "bench-\(k)-\(event)"
                writer.add(NewEntry(type: .callStart, at: at, caller: number, call: call))
                let id = writer.add(NewEntry(type: .incident, at: at + 30, caller: number, call: call, kind: String(describing: incident.kind), agent: "agent-\(k % 500)"))
                if incident.forgivenAfter != nil { forgivable[k << 4 | event] = id }
                if incident.ladder {
                    writer.add(NewEntry(type: .warning, at: at + 90, caller: number, call: call, agent: "agent-\(k % 500)"))
                    writer.add(NewEntry(type: .hangupRequest, at: at + 150, caller: number, call: call, agent: "agent-\(k % 500)", rule: "supervisor-required", outcome: "supervisor_required"))
                    // A supervisor answers within 10 to 90 s: two in three approve.
                    writer.add(NewEntry(
                        type: .verdict, at: at + 160 + Double(k % 80), caller: number, call: call, supervisor: "supervisor-\(k % 40)",
                        outcome: k % 3 == 0 ? "deny" : "approve"))
                }
                writer.add(NewEntry(type: .callEnd, at: at + 240, caller: number, call: call, by: "agent", outcome: "abusive"))
            case 4..<7:
                guard let incident = forgivable.removeValue(forKey: k << 4 | (event - 4)) else { continue }
                writer.add(NewEntry(type: .forgiveness, at: at, caller: number, note: "apologised", ref: incident, by: "uid 0"))
            default:
                let call = "bench-\(k)-calm"
                writer.add(NewEntry(type: .callStart, at: at, caller: number, call: call))
                writer.add(NewEntry(type: .callEnd, at: at + 300, caller: number, call: call, by: "caller", outcome: "resolved"))
            }
            try writer.flushIfFull()
        }
        try writer.finish()
        return writer.written
    }
}

/// Queues entries in batches of the writer's maximum, with a few batches in flight so the writer
/// always has the next one while it commits, and waits for every commit before returning.
private final class BatchWriter {
    static let batch = 4096
    static let inFlight = 4

    let store: RecordStore
    private var pending: [NewEntry] = []
    private var tickets: [CommitTicket] = []
    private var nextID: Int64
    private(set) var written = 0

    init(store: RecordStore) {
        self.store = store
        nextID = store.nextID
        pending.reserveCapacity(Self.batch)
    }

    /// Adds an entry to the batch; returns the id it will have.
    @discardableResult
    func add(_ entry: NewEntry) -> Int64 {
        pending.append(entry)
        defer { nextID += 1 }
        return nextID
    }

    func flushIfFull() throws {
        if pending.count >= Self.batch { try flush() }
    }

    func finish() throws {
        try flush()
        while !tickets.isEmpty { try wait(tickets.removeFirst()) }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        let first = nextID - Int64(pending.count)
        let ticket = store.enqueue(pending, firstID: first)
        if ticket.isRefused { try wait(ticket) }
        written += pending.count
        pending.removeAll(keepingCapacity: true)
        tickets.append(ticket)
        if tickets.count > Self.inFlight { try wait(tickets.removeFirst()) }
    }

    private func wait(_ ticket: CommitTicket) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do { _ = try await ticket.wait() } catch { outcome.error = "\(error)" }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw BenchFailure("writing the replay record: \(error)") }
    }

    private final class Outcome: @unchecked Sendable {
        var error: String?
    }
}
