import CallwardenCore
import CallwardenStore
import Logging
import Synchronization

/// The ladder inside a call (docs/ladder.md): warnings, supervisors' verdicts, hang-up requests
/// and the call's end. Every step is recorded with its time, agent and supervisor, so the record
/// shows that the ladder was followed.
extension Engine {
    public func warning(call id: String, agent: String?, at: Double?) throws(EngineError) -> Recorded<Bool> {
        let now = time(at)
        let ticket = try state.withLock { state throws(EngineError) -> CommitTicket in
            var call = try state.openCall(id)
            call.ladder.recordWarning(at: now)
            let step = NewEntry(type: .warning, at: now, caller: call.caller.key, call: id, agent: agent)
            return store.enqueue(state.record(step, in: &call))
        }
        return Recorded(value: true, ticket: ticket)
    }

    public func verdict(call id: String, approve: Bool, supervisor: String?, at: Double?) throws(EngineError) -> Recorded<Bool> {
        let now = time(at)
        let ticket = try state.withLock { state throws(EngineError) -> CommitTicket in
            var call = try state.openCall(id)
            call.ladder.recordVerdict(at: now, approve ? .approve : .deny)
            let step = NewEntry(type: .verdict, at: now, caller: call.caller.key, call: id, supervisor: supervisor, outcome: approve ? "approve" : "deny")
            return store.enqueue(state.record(step, in: &call))
        }
        return Recorded(value: true, ticket: ticket)
    }

    /// Whether the agent may end the call now; the request and its answer are recorded.
    public func hangupRequest(call id: String, agent: String?, at: Double?) throws(EngineError) -> Recorded<HangupDecision> {
        let now = time(at)
        let (decision, caller, ticket) = try state.withLock { state throws(EngineError) -> (HangupDecision, Caller, CommitTicket) in
            var call = try state.openCall(id)
            let decision = call.ladder.decide(at: now, policy: state.policy.policy)
            if decision.answer == .supervisorRequired { call.ladder.recordSupervisorAsked(at: now) }
            let step = NewEntry(
                type: .hangupRequest, at: now, caller: call.caller.key, call: id, agent: agent, note: decision.reason,
                rule: decision.rule, outcome: decision.answer.rawValue)
            return (decision, call.caller, store.enqueue(state.record(step, in: &call)))
        }
        return Recorded(value: decision, ticket: ticket) { [logger] in
            logger.notice("Hang-up \(decision.answer.rawValue) by ladder rule \(decision.rule)", metadata: [
                LogEvent.metadataKey: LogEvent.hangupDecided.metadataValue, "caller": .string(caller.display), "call": .string(id),
                "rule": .string(decision.rule), "agent": .string(agent ?? ""),
            ])
        }
    }

    /// Ends a call. Recorded when it is part of the story: its ladder had begun, it ended
    /// `abusive`, or it ended `resolved` for a caller with a history (a calm call counts in their
    /// favour). Short calls feed nuisance detection.
    public func callEnded(call id: String, by: String?, outcome: String?, at: Double?) throws(EngineError) -> Recorded<[Int64]> {
        let now = time(at)
        let (ticket, detected) = try state.withLock { state throws(EngineError) -> (CommitTicket?, [(Int64, DetectionRule, Caller)]) in
            guard var call = state.calls.remove(id) else { throw .unknownCall(id) }
            let policy = state.policy.policy
            var entries: [NewEntry] = []
            let hasHistory = call.caller.key.map { state.histories[$0] != nil } ?? false
            if call.startRecorded || call.ladder.hasActivity || outcome == "abusive" || (outcome == "resolved" && hasHistory) {
                let end = NewEntry(type: .callEnd, at: now, caller: call.caller.key, call: id, by: by, outcome: outcome)
                entries += state.record(end, in: &call, keepOpen: false)
            }
            if outcome == "resolved", hasHistory, let key = call.caller.key {
                state.histories[key]?.resolvedCalls.append(now)
            }
            var detections: [(NewEntry, DetectionRule)] = []
            if let key = call.caller.key {
                let fired = state.detector.callEnded(caller: key, startedAt: call.offeredAt, endedAt: now, endedBy: by, rules: policy.detection)
                for rule in fired {
                    let note = "\(rule.calls) calls shorter than \(Policy.durationText(rule.shorterThan)) within \(Policy.durationText(rule.within))"
                    detections.append((NewEntry(type: .incident, at: now, caller: key, call: id, kind: rule.kind, agent: "system", note: note, rule: rule.name, by: "system"), rule))
                }
            }
            guard !entries.isEmpty || !detections.isEmpty else { return (nil, []) }
            let ticket = store.enqueue(entries + detections.map(\.0))
            var detected: [(Int64, DetectionRule, Caller)] = []
            for ((entry, rule), id) in zip(detections, ticket.ids.suffix(detections.count)) {
                state.apply(incident: id, entry: entry)
                detected.append((id, rule, call.caller))
            }
            return (ticket, detected)
        }
        return Recorded(value: detected.map { $0.0 }, ticket: ticket) { [logger] in
            for (incident, rule, caller) in detected {
                logger.notice("Incident \(incident) recorded by detection rule \(rule.name): \(rule.kind)", metadata: [
                    LogEvent.metadataKey: LogEvent.incidentRecorded.metadataValue, "caller": .string(caller.display),
                    "kind": .string(rule.kind), "incident": .string(String(incident)), "rule": .string(rule.name), "agent": "system",
                ])
            }
        }
    }

    /// Closes calls older than the policy's maximum call length (`by: system`); returns how many.
    @discardableResult
    public func closeExpiredCalls() -> Int {
        let now = clock()
        return state.withLock { state in
            let expired = state.calls.expire(offeredBefore: now - state.policy.policy.ladder.maxCallLength)
            state.detector.prune(now: now, rules: state.policy.policy.detection)
            closeBySystem(expired, at: now, note: "no call.ended within the policy's maximum call length", state: &state)
            return expired.count
        }
    }

    /// Records the end of calls that leave without a `call.ended`, when their ladder had begun.
    func closeBySystem(_ calls: [OpenCalls.Call], at now: Double, note: String, state: inout EngineState) {
        var entries: [NewEntry] = []
        for var call in calls where call.startRecorded || call.ladder.hasActivity {
            let end = NewEntry(type: .callEnd, at: now, caller: call.caller.key, call: call.id, note: note, by: "system")
            entries += state.record(end, in: &call, keepOpen: false)
        }
        if !entries.isEmpty {
            _ = store.enqueue(entries)
            logger.info("Closed \(entries.count) call(s) by system: \(note)")
        }
    }
}

extension EngineState {
    func openCall(_ id: String) throws(EngineError) -> OpenCalls.Call {
        guard let call = calls[id] else { throw .unknownCall(id) }
        return call
    }

    /// The entries for one ladder step: preceded by the call's `call_start` the first time, so
    /// the record ties every step to its caller and a restart can resume the call.
    mutating func record(_ step: NewEntry, in call: inout OpenCalls.Call, keepOpen: Bool = true) -> [NewEntry] {
        var entries: [NewEntry] = []
        if !call.startRecorded {
            entries.append(NewEntry(type: .callStart, at: call.offeredAt, caller: call.caller.key, call: call.id))
            call.startRecorded = true
        }
        entries.append(step)
        if keepOpen { calls[call.id] = call }
        return entries
    }

    /// An incident queued for the record, applied to memory at once.
    mutating func apply(incident id: Int64, entry: NewEntry) {
        incidentCount += 1
        histories.addIncident(id: id, entry)
    }
}
