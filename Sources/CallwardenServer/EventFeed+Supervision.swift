import CallwardenLocking
import CallwardenEngine

/// The supervisors' side of the feed (`supervise`): the supervisor notices, after a snapshot of
/// the requests pending when the subscriber joined. `tail` subscribers get the notices too.
extension EventFeed {
    /// The events a `supervise` subscriber takes.
    static let supervisorEvents: Set<String> = ["supervisor.needed", "supervisor.answered", "supervisor.timeout"]

    /// Most requests a snapshot lists, earliest asked first; the rest are counted (`omitted`). A
    /// contact centre has a handful pending at once: this bounds the line, not the people.
    static let maximumSnapshot = 500

    /// The requests pending when the daemon starts (rebuilt from the record), before any notice.
    public func resume(_ pending: [SupervisorRequest]) {
        announced.withLock { announced in
            for request in pending { announced[request.call] = request }
        }
    }

    /// Publishes a notice to every subscriber that takes it, and keeps the snapshot in step.
    public func publish(_ notice: EngineNotice) {
        guard let event = notice.event else { return }
        announced.withLock { announced in
            if let request = notice.supervisorRequest {
                if case .supervisorNeeded = notice { announced[request.call] = request } else { announced[request.call] = nil }
            }
            // Built and offered under the lock (offering never waits), so that a subscriber who
            // joins meanwhile sees this notice either in its snapshot or after it, never both.
            guard isWatched else { return }
            publish(FeedLine.notice(notice), event: event)
        }
    }

    /// A `supervise` subscriber: its first line is the snapshot of what is pending.
    func subscribeSupervisor() -> FeedSubscription {
        announced.withLock { announced in
            let pending = announced.values.sorted { ($0.askedAt, $0.call) < ($1.askedAt, $1.call) }
            let shown = Array(pending.prefix(Self.maximumSnapshot))
            return subscribe(events: Self.supervisorEvents, first: FeedLine.pending(shown, omitted: pending.count - shown.count))
        }
    }
}
