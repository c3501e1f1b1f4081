import CallwardenCore

/// Supervisor requests (docs/ladder.md, "When a supervisor is needed"), as steps on the engine's
/// state: each change is undone with the entry that caused it, and its notice waits for that entry.
extension EngineState {
    /// A `hangup.request` (record entry `entry`) was answered `supervisor_required`: the call's
    /// supervisor is asked, unless a request is pending already.
    mutating func askSupervisor(call: OpenCalls.Call, agent: String?, decision: HangupDecision, at now: Double, entry: Int64) {
        let request = SupervisorRequest(
            call: call.id, caller: call.caller, agent: agent, standing: policy.policy.standing(of: history(of: call.caller), at: now),
            rule: decision.rule, reason: decision.reason, askedAt: now,
            deadline: SupervisorRequest.deadline(firstAsked: call.ladder.supervisorAskedAt, timeout: policy.policy.ladder.supervisorTimeout),
            entry: entry)
        guard supervision.ask(request) else { return }
        remember(.supervision(call: call.id, previous: nil), for: entry)
        announce(.supervisorNeeded(request), after: entry)
    }

    /// Closes the call's pending request, if any, because of the entry `entry` (a verdict, the
    /// call's end, a hang-up the ladder authorised at the deadline); `notice` says how.
    mutating func closeSupervision(call: String, entry: Int64, _ notice: (SupervisorRequest) -> EngineNotice) {
        guard let request = supervision.close(call: call) else { return }
        remember(.supervision(call: call, previous: request), for: entry)
        announce(notice(request), after: entry)
    }

    /// Takes out the requests whose deadline has passed by `now` (the daemon's clock), each with a
    /// `supervisorTimedOut` notice. Nothing is recorded: the ladder authorises the hang-up at the
    /// next request by itself. The notices follow every entry queued so far, so a timeout is never
    /// told before the request it ends. Returns how many timed out.
    @discardableResult
    mutating func timeOutSupervisorRequests(now: Double) -> Int {
        let due = supervision.due(at: now)
        let last = queuedThrough
        for request in due {
            // Should the entries queued before it fail, the request comes back with them and
            // times out again at the next look.
            if last > committedThrough { remember(.supervision(call: request.call, previous: request), for: last) }
            announce(.supervisorTimedOut(request), after: last)
        }
        return due.count
    }

    /// The policy's `supervisor_timeout` may have changed: every pending request's deadline is
    /// the first time its call's supervisor was asked plus the timeout in force.
    mutating func retimeSupervision() {
        let timeout = policy.policy.ladder.supervisorTimeout
        let calls = self.calls
        supervision.retime { request in
            SupervisorRequest.deadline(firstAsked: calls[request.call]?.ladder.supervisorAskedAt ?? request.askedAt, timeout: timeout)
        }
    }
}
