import CallwardenLocking
import CallwardenCore

/// What the engine tells whoever listens (the daemon: the journal, the `tail` feed, the alert
/// command), once the entry that caused it is durable.
public enum EngineNotice: Sendable {
    /// A welfare rule spoke for an agent.
    case agentWelfare(WelfareAlert)
}

extension Engine {
    /// Adds an observer of notices. Each is called after the engine's lock is let go and after the
    /// entry that caused the notice is in the record, on whatever task acknowledged the write: it
    /// must not block.
    public func observeNotices(_ body: @escaping @Sendable (EngineNotice) -> Void) {
        noticeObservers.withLock { $0.append(body) }
    }

    func notify(_ notice: EngineNotice) {
        for observer in noticeObservers.withLock({ $0 }) { observer(notice) }
    }

    /// Runs the policy's alert command, if it has one, with `fields` in its environment
    /// (`CALLWARDEN_EVENT` names the event). Never waits for it.
    public func runAlertCommand(fields: [String: String]) {
        guard let action = policy.policy.alert else { return }
        alerts.run(action, fields: fields)
    }

    /// Every tracked agent's counters as of `at` (default: now), the most recently abused first.
    /// Counted on a copy, outside the lock: routing does not wait for it.
    public func agents(at: Double?) -> [AgentCounters] {
        let now = time(at)
        let ledger = state.withLock { $0.agents }
        return ledger.counters(at: now)
    }
}
