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
}

extension EngineNotice {
    /// The event's name on the feeds, in the journal and in `CALLWARDEN_EVENT`.
    public var event: String? {
        if case .supervisorNeeded = self { return "supervisor.needed" }
        if case .supervisorAnswered = self { return "supervisor.answered" }
        if case .supervisorTimedOut = self { return "supervisor.timeout" }
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
