import CallwardenCore
import CallwardenStore
import Foundation

/// Replays the recorded history through a candidate policy beside the live one (`Replayer`),
/// reading the record through the store's streaming reader: one read transaction on a read
/// connection, so it never blocks the writer, and a snapshot, so entries committed meanwhile are
/// not half seen. Nothing is written and neither policy is changed.
///
/// Two threads share the work: one reads the record (only the fields decisions are made on)
/// while this one replays what has been read; then both route the callers "now".
public enum PolicyReplay {
    /// Entries the reader hands over at a time, and how many such chunks it may be ahead.
    static let chunk = 4096
    static let chunksAhead = 8

    /// Runs the whole replay and times it.
    /// - Parameter threadSetup: run first on each thread the replay starts (to lower its priority).
    /// - Throws: `StoreError.corrupt` at the first value of the record callwarden could not have
    ///   written (as every reader of the record does).
    public static func run(
        store: RecordStore, live: Policy, candidate: Policy, since: Double?, now: Double,
        threadSetup: @escaping @Sendable () -> Void = {}
    ) throws -> ReplayReport {
        let started = ContinuousClock.now
        let handoff = Handoff<[StoredEntry]>(capacity: chunksAhead)
        let reader = Thread {
            threadSetup()
            do {
                var entries: [StoredEntry] = []
                entries.reserveCapacity(chunk)
                try store.forEachDecisionEntry(ofTypes: Replayer.entryTypes) { entry in
                    entries.append(entry)
                    if entries.count == chunk {
                        handoff.put(entries)
                        entries.removeAll(keepingCapacity: true)
                    }
                }
                if !entries.isEmpty { handoff.put(entries) }
                handoff.finish(nil)
            } catch {
                handoff.finish(error)
            }
        }
        reader.name = "callwarden replay reader"
        reader.start()
        var replayer = Replayer(live: live, candidate: candidate, since: since, now: now)
        while let entries = try handoff.take() {
            for entry in entries { replayer.apply(entry) }
        }
        var report = replayer.finish(workers: 2, threadSetup: threadSetup)
        report.seconds = (ContinuousClock.now - started).seconds
        return report
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
