import CallwardenCore
import CallwardenStore
import Foundation

/// Replays the recorded history through a candidate policy beside the live one (`Replayer`),
/// reading the record through the store's streaming reader: one read transaction on a read
/// connection, so it never blocks the writer, and a snapshot, so entries committed meanwhile are
/// not half seen. Nothing is written and neither policy is changed.
public enum PolicyReplay {
    /// Runs the whole replay on the calling thread and times it.
    /// - Throws: `StoreError.corrupt` at the first value of the record callwarden could not have
    ///   written (as every reader of the record does).
    public static func run(store: RecordStore, live: Policy, candidate: Policy, since: Double?, now: Double) throws -> ReplayReport {
        let started = ContinuousClock.now
        var replayer = Replayer(live: live, candidate: candidate, since: since, now: now)
        try store.forEachEntry(ofTypes: Replayer.entryTypes) { replayer.apply($0) }
        var report = replayer.finish()
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
