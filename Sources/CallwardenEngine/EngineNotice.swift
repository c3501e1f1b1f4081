import CallwardenCore
import CallwardenLocking

/// Something the people callwarden protects, or those who look after them, must be told of as it
/// happens, beyond the answer to the request that caused it.
///
/// Each is sent to the engine's observers (the journal, the live feeds, the alert command) after
/// the entry that caused it is durable, in the record's order, and outside the engine's lock.
public enum EngineNotice: Sendable {
    /// An agent's hang-up request needs a supervisor's verdict.
    case supervisorNeeded(SupervisorRequest)
    /// The request was closed: `verdict` is `approve` or `deny` (`by`: the supervisor, when the
    /// verdict named one), or `ended` when the call ended first (`by`: who ended it).
    case supervisorAnswered(SupervisorRequest, verdict: String, by: String?)
    /// No verdict came before the deadline: the ladder now authorises the hang-up.
    case supervisorTimedOut(SupervisorRequest)
    /// A welfare rule spoke for an agent.
    case agentWelfare(WelfareAlert)
}

extension EngineNotice {
    /// The event's name on the feeds, in the journal and in `CALLWARDEN_EVENT`.
    public var event: String? {
        if case .supervisorNeeded = self { return "supervisor.needed" }
        if case .supervisorAnswered = self { return "supervisor.answered" }
        if case .supervisorTimedOut = self { return "supervisor.timeout" }
        if case .agentWelfare = self { return "agent.welfare" }
        return nil
    }

    /// The supervisor request a notice is about, whatever befell it; nil for other notices.
    public var supervisorRequest: SupervisorRequest? {
        if case .supervisorNeeded(let request) = self { return request }
        if case .supervisorAnswered(let request, _, _) = self { return request }
        if case .supervisorTimedOut(let request) = self { return request }
        return nil
    }
}

extension Engine {
    /// Tells of a notice whose cause is already durable (a welfare rule that spoke once its
    /// incident was committed): to the journal, the alert command and the observers.
    func notify(_ notice: EngineNotice) {
        send([notice])
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
