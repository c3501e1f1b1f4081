import CallwardenCore
import CallwardenStore

/// Incidents and forgiveness, as steps on the engine's state.
extension EngineState {
    /// Records an incident: applied to the caller's history (and the call's ladder) now, to be
    /// acknowledged once durable.
    mutating func recordAbuse(_ report: AbuseReport, now: Double) throws(EngineError) -> Step<AbuseOutcome> {
        let policy = policy.policy
        guard let category = policy.categories[report.kind] else {
            throw .unknownKind(report.kind, valid: policy.kindNames)
        }
        let call = report.call.flatMap { calls[$0] }
        let caller: Caller
        if let presented = report.caller {
            caller = policy.numbering.normalise(presented)
        } else if let call {
            caller = call.caller
        } else {
            throw .unknownCall(report.call ?? "")
        }
        // The event's own word on the caller id, else the call's from its offer; absent when the
        // switch said nothing, so the record holds only what was reported.
        let trust = report.trust ?? call.flatMap { $0.trustReported ? $0.trust : nil }
        let incident = NewEntry(
            type: .incident, at: now, caller: caller.key, call: report.call, kind: report.kind, agent: report.agent, note: report.note,
            by: report.by, attestation: trust?.rawValue)
        var entries = [incident]
        var updated: OpenCalls.Call?
        if var open = call {
            // Abuse in a call the daemon follows is a ladder step too.
            open.ladder.recordAbuse(at: now, kind: report.kind)
            entries = ladderEntries(for: incident, in: &open)
            updated = open
        }
        let first = number(entries.count)
        let id = first + Int64(entries.count) - 1
        if let updated {
            remember(.call(id: updated.id, previous: call), for: first)
            calls[updated.id] = updated
        }
        let welfare = add(incident: id, incident)
        let standing = caller.key.flatMap { histories[$0] }.map { policy.standing(of: $0, at: now) } ?? .clean
        // A kind that ends the call at once or alerts is a threat to the agent: what to do now.
        let say = category.skipsLadder || category.alert ? policy.words(for: report.kind).afterThreat : nil
        let outcome = AbuseOutcome(
            incident: id, caller: caller, standing: standing, hangupAuthorised: category.skipsLadder, alert: category.alert, category: category,
            say: say, welfare: welfare)
        return Step(outcome: outcome, entries: entries, firstID: first)
    }

    /// Marks a caller's incidents forgiven (all unforgiven ones, or one), keeping the record.
    mutating func forgive(caller presented: String, reason: String, incident: Int64?, grace: Double? = nil, by: String, now: Double) throws(EngineError) -> Step<ForgiveOutcome> {
        try Self.requireReason(reason)
        let policy = policy.policy
        let caller = policy.numbering.normalise(presented)
        guard let key = caller.key else { throw .badRequest("the anonymous class has no history to forgive") }
        let unforgiven = (histories[key]?.incidents ?? []).filter { !$0.forgiven }.map(\.id)
        var targets = unforgiven
        if let incident {
            guard unforgiven.contains(incident) else {
                throw .badRequest("incident \(incident) is not an unforgiven incident of \(key)")
            }
            targets = [incident]
        }
        let period = grace ?? policy.forgiveness.grace
        let graceUntil = period > 0 && !targets.isEmpty ? now + period : nil
        let entries = targets.map { NewEntry(type: .forgiveness, at: now, caller: key, note: reason, ref: $0, by: by, until: graceUntil) }
        let first = number(entries.count)
        var window: GraceWindow?
        if let graceUntil {
            let previous = histories[key]?.grace
            let opened = GraceWindow(from: now, until: graceUntil)
            window = previous.map { $0.extended(by: opened) } ?? opened
            remember(.grace(caller: key, previous: previous), for: first)
            histories[key]?.grace = window
        }
        for (offset, target) in targets.enumerated() {
            histories[key]?.forgive(incident: target)
            remember(.forgiveness(caller: key, incident: target), for: first + Int64(offset))
        }
        let standing = histories[key].map { policy.standing(of: $0, at: now) } ?? .clean
        let outcome = ForgiveOutcome(caller: caller, forgiven: targets, standing: standing, graceUntil: window?.until)
        return Step(outcome: outcome, entries: entries, firstID: first)
    }

    /// An incident about to be recorded as `id`, applied to memory with its undo; returns the
    /// welfare rules it raises for the agent who took it (sent once it is durable).
    @discardableResult
    mutating func add(incident id: Int64, _ entry: NewEntry) -> [WelfareAlert] {
        incidentCount += 1
        histories.addIncident(id: id, entry)
        remember(.incident(id: id, caller: entry.caller), for: id)
        guard let agent = entry.agent, AgentLedger.isAgent(agent), let kind = entry.kind else { return [] }
        var change = AgentLedger.Change(agent: agent, incident: id)
        let alerts = agents.record(incident: id, agent: agent, at: entry.at, kind: kind, call: entry.call, policy: policy.policy, change: &change)
        remember(.agent(change), for: id)
        return alerts
    }

    /// Drops purged incidents from memory: each from its own caller's history, so that a purge
    /// costs what it deletes, not a walk over every caller.
    mutating func forget(_ purged: [PurgeCandidate]) {
        for incident in purged {
            remove(incident: incident.id, of: incident.caller)
        }
        agents.forget(incidents: Set(purged.map(\.id)))
    }
}
