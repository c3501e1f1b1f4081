import CallwardenCore

/// One recorded call followed through its ladder twice: once under each policy. The two ladders
/// part where a hang-up request is answered `supervisor_required` under one policy and not the
/// other (the supervisor is then asked under that policy only).
struct ReplayedCall {
    var caller: Caller
    /// Its hang-up requests are compared: the call is dated at or after `since`.
    var compared: Bool
    var live = CallLadder()
    var candidate = CallLadder()

    init(caller: Caller, compared: Bool) {
        self.caller = caller
        self.compared = compared
    }

    mutating func recordAbuse(at: Double, kind: String) {
        live.recordAbuse(at: at, kind: kind)
        candidate.recordAbuse(at: at, kind: kind)
    }

    mutating func recordWarning(at: Double) {
        live.recordWarning(at: at)
        candidate.recordWarning(at: at)
    }

    mutating func recordVerdict(at: Double, _ verdict: CallLadder.Verdict) {
        live.recordVerdict(at: at, verdict)
        candidate.recordVerdict(at: at, verdict)
    }

    /// Answers a hang-up request under each policy, as the engine does.
    mutating func hangupRequest(at: Double, live livePolicy: Policy, candidate candidatePolicy: Policy) -> (HangupDecision, HangupDecision) {
        let old = live.decide(at: at, policy: livePolicy)
        if old.answer == .supervisorRequired { live.recordSupervisorAsked(at: at) }
        let new = candidate.decide(at: at, policy: candidatePolicy)
        if new.answer == .supervisorRequired { candidate.recordSupervisorAsked(at: at) }
        return (old, new)
    }
}
