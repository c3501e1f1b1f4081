import CallwardenLocking
import CallwardenStore

/// A node of a cluster: other nodes' entries folded into memory as they arrive, and write
/// requests refused while what they record could not be shared.
extension Engine {
    /// Folds other nodes' entries into memory, under the lock, in the order given, as start-up
    /// folds recorded entries (`EngineState.applyPeerEntries`): the next decision sees them.
    /// Never records anything; entries memory holds already change nothing. Call it with each
    /// batch once the local record has stored it (`RecordStore.storePeerEntries`), so that a
    /// restart folds in the same.
    public func applyPeerEntries(_ peers: [PeerEntry]) {
        guard !peers.isEmpty else { return }
        let now = clock()
        let notices = state.withLock { state in
            state.applyPeerEntries(peers, now: now)
            return state.takeReadyNotices()
        }
        send(notices)
    }

    /// While `reason` is set, write requests (abuse, forgive, exemptions added and removed,
    /// reviews, the ladder's steps, verdicts and call ends) are answered
    /// `EngineError.unavailable(reason)` before anything is applied or queued. Routing
    /// (`offerCall`) is never refused, nor what the daemon records by itself (calls closed by
    /// expiry or eviction, retention's purges). nil lets writes through again.
    public func refuseWrites(_ reason: String?) {
        state.withLock { $0.writesRefused = reason }
    }

    /// Why write requests are refused now; nil while they are let through.
    public var writesRefused: String? {
        state.withLock { $0.writesRefused }
    }

    /// Runs a write request's command as `perform` does, refused at once while writes are
    /// refused: the check and the command share one hold of the lock.
    func performWrite<Outcome>(_ command: (inout EngineState) throws(EngineError) -> Step<Outcome>) throws(EngineError) -> (Outcome, CommitTicket?) {
        try perform { state throws(EngineError) in
            try state.requireWritable()
            return try command(&state)
        }
    }
}
