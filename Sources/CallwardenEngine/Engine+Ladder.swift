import CallwardenCore
import CallwardenStore
import Logging

/// The ladder inside a call (docs/ladder.md): warnings, supervisors' verdicts, hang-up requests
/// and the call's end. Every step is recorded with its time, agent and supervisor, so the record
/// shows that the ladder was followed. The decisions are `EngineState`'s; this adds the lock, the
/// record and the journal.
extension Engine {
    public func warning(call id: String, agent: String?, at: Double?) throws(EngineError) -> Recorded<Bool> {
        let now = time(at)
        let (done, ticket) = try performWrite { state throws(EngineError) in try state.warning(call: id, agent: agent, now: now) }
        return Recorded(value: done, ticket: ticket)
    }

    /// A supervisor's verdict; answers the call's pending supervisor request, if any.
    /// - Parameter reason: the supervisor's words, kept in the record with the verdict.
    public func verdict(call id: String, approve: Bool, supervisor: String?, reason: String? = nil, at: Double?) throws(EngineError) -> Recorded<Bool> {
        let now = time(at)
        let (done, ticket) = try performWrite { state throws(EngineError) in
            try state.verdict(call: id, approve: approve, supervisor: supervisor, reason: reason, now: now)
        }
        return Recorded(value: done, ticket: ticket)
    }

    /// Whether the agent may end the call now; the request and its answer are recorded.
    public func hangupRequest(call id: String, agent: String?, at: Double?) throws(EngineError) -> Recorded<HangupDecision> {
        let now = time(at)
        let ((decision, caller), ticket) = try performWrite { state throws(EngineError) in
            try state.hangupRequest(call: id, agent: agent, now: now)
        }
        // A new supervisor request may have a deadline sooner than the timeout service's next look.
        if decision.answer == .supervisorRequired { deadlines.ring() }
        return Recorded(value: decision, ticket: ticket) { [logger, meter] in
            meter.hangupAnswered(decision.answer)
            logger.notice("Hang-up \(decision.answer.rawValue) by ladder rule \(decision.rule)", metadata: [
                LogEvent.metadataKey: LogEvent.hangupDecided.metadataValue, "caller": .string(caller.display), "call": .string(id),
                "rule": .string(decision.rule), "agent": .string(agent ?? ""),
            ])
        }
    }

    /// Ends a call; answers the incidents nuisance detection recorded because of it.
    public func callEnded(call id: String, by: String?, outcome: String?, at: Double?) throws(EngineError) -> Recorded<[Int64]> {
        let now = time(at)
        let ((detected, policyMeter), ticket) = try performWrite { state throws(EngineError) in
            try state.callEnded(call: id, by: by, outcome: outcome, now: now).with(state.policyMeter)
        }
        return Recorded(value: detected.map(\.incident), ticket: ticket) { [logger] in
            for detection in detected {
                policyMeter.incidentRecorded(kind: detection.rule.kind)
                logger.notice("Incident \(detection.incident) recorded by detection rule \(detection.rule.name): \(detection.rule.kind)", metadata: [
                    LogEvent.metadataKey: LogEvent.incidentRecorded.metadataValue, "caller": .string(detection.caller.display),
                    "kind": .string(detection.rule.kind), "incident": .string(String(detection.incident)),
                    "rule": .string(detection.rule.name), "agent": "system",
                ])
            }
        }
    }

    /// Closes calls the daemon has followed for longer than the policy's maximum call length
    /// (`by: system`); returns how many.
    @discardableResult
    public func closeExpiredCalls() -> Int {
        let now = clock()
        let (close, _) = perform { state in state.closeExpiredCalls(now: now) }
        if close.recorded > 0 {
            logger.info("Closed \(close.recorded) call(s) by system: no call.ended within the policy's maximum call length")
        }
        return close.calls
    }
}
