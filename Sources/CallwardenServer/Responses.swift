import CallwardenCore
import CallwardenEngine
import CallwardenProtocol

/// The success fields of each response, as protocol v1 (docs/protocol.md) names them.
enum Responses {
    static func failure(_ error: ProtocolError, id: String?) -> String {
        var writer = JSONWriter()
        if let id { writer.field("id", raw: id) }
        writer.field("ok", false)
        writer.object("error") { object in
            object.field("code", error.code.rawValue)
            object.field("message", error.message)
        }
        return writer.line()
    }

    static func write(_ standing: Standing, to writer: inout JSONWriter) {
        writer.object("standing") { object in
            object.field("score", standing.score)
            object.field("incidents", standing.incidents)
        }
    }

    static func write(_ routed: RoutedCall, to writer: inout JSONWriter) {
        write(routed.decision, to: &writer)
        // The caller as callwarden knows them (normalised), for logs and the feed.
        writer.field("caller", routed.caller.display)
        if let exemption = routed.decision.exemption { writer.field("exemption", exemption) }
    }

    /// A decision's fields, as `call.offered` answers them and `explain` shows them. The
    /// exemption that kept the call from a route is not among them: `call.offered` names it by id,
    /// `explain` describes it whole under the same key.
    static func write(_ decision: RouteDecision, to writer: inout JSONWriter) {
        writer.field("route", decision.route.rawValue)
        writer.field("queue", decision.queue)
        writer.field("priority", decision.priority)
        writer.field("rule", decision.rule)
        writer.field("reason", decision.reason)
        write(decision.standing, to: &writer)
    }

    static func write(_ outcome: AbuseOutcome, to writer: inout JSONWriter) {
        writer.field("incident", outcome.incident)
        writer.field("caller", outcome.caller.display)
        write(outcome.standing, to: &writer)
        if outcome.hangupAuthorised { writer.field("hangup", "authorised") }
        if outcome.alert { writer.field("alert", true) }
        if let say = outcome.say { writer.field("say", say) }
    }

    static func write(_ decision: HangupDecision, to writer: inout JSONWriter) {
        writer.field("hangup", decision.answer.rawValue)
        writer.field("rule", decision.rule)
        writer.field("reason", decision.reason)
        if let say = decision.say { writer.field("say", say) }
    }

    static func write(_ outcome: ForgiveOutcome, to writer: inout JSONWriter) {
        writer.field("caller", outcome.caller.display)
        writer.array("forgiven", outcome.forgiven) { $0.field("incident", $1) }
        if let until = outcome.graceUntil { writer.field("grace_until", EventTime.format(until)) }
        write(outcome.standing, to: &writer)
    }

    static func write(_ report: HistoryReport, to writer: inout JSONWriter) {
        writer.field("caller", report.caller.display)
        write(report.standing, to: &writer)
        writer.array("incidents", report.incidents) { object, incident in
            object.field("id", incident.id)
            object.field("at", EventTime.format(incident.at))
            object.field("kind", incident.kind)
            object.field("call", incident.call)
            object.field("agent", incident.agent)
            object.field("note", incident.note)
            if let rule = incident.rule { object.field("rule", rule) }
            if let by = incident.recordedBy { object.field("by", by) }
            object.field("weight", incident.weightNow)
            object.field("forgiven", incident.forgiveness != nil)
            if let forgiveness = incident.forgiveness {
                object.object("forgiveness") { detail in
                    detail.field("at", EventTime.format(forgiveness.at))
                    detail.field("reason", forgiveness.reason)
                    detail.field("by", forgiveness.by)
                }
            }
        }
        writeCalls(report.calls, to: &writer)
        if let next = report.next { writer.field("next", next) } else { writer.field("next", nil as String?) }
    }

    static func write(_ explanation: Explanation, to writer: inout JSONWriter) {
        let decision = explanation.decision
        writer.field("caller", explanation.caller.display)
        writer.field("anonymous", explanation.caller.key == nil)
        write(decision, to: &writer)
        writer.array("trail", decision.trail) { object, step in
            object.field("rule", step.rule)
            object.field("matched", step.matched)
            object.field("detail", step.detail)
            write(step.outcome, to: &object)
        }
        writeFairness(explanation, to: &writer)
        writer.array("incidents", explanation.incidents) { object, incident in
            object.field("id", incident.id)
            object.field("at", EventTime.format(incident.at))
            object.field("kind", incident.kind)
            object.field("forgiven", incident.forgiven)
            object.field("attestation", incident.trust.rawValue)
            if incident.inGrace { object.field("in_grace", true) }
            object.field("weight", incident.weightNow)
        }
        writer.object("ladder") { ladder in
            let rules = explanation.ladder
            ladder.field("vent", rules.vent)
            ladder.field("warning_required", rules.warningRequired)
            ladder.field("supervisor_required", rules.supervisorRequired)
            ladder.field("supervisor_timeout", rules.supervisorTimeout)
            ladder.field("max_call_length", rules.maxCallLength)
            ladder.strings("immediate", explanation.immediateKinds)
            ladder.strings("alert", explanation.alertKinds)
        }
        writeWords(explanation, to: &writer)
        writer.field("policy", explanation.policyName)
        writer.field("policy_hash", explanation.policyHash)
    }

    static func write(_ report: StatusReport, to writer: inout JSONWriter) {
        writer.field("uptime", report.uptime)
        writer.object("requests") { object in
            for (type, count) in report.requests.sorted(by: { $0.key < $1.key }) { object.field(type, count) }
        }
        writer.object("routes") { object in
            for route in Route.allCases { object.field(route.rawValue, report.routes[route.rawValue] ?? 0) }
        }
        writer.object("errors") { object in
            for (code, count) in report.errors.sorted(by: { $0.key < $1.key }) { object.field(code, count) }
        }
        // Shadow rules' matches since start: what each would have decided had it been live.
        writer.object("shadow") { object in
            for (rule, count) in report.shadowMatches.sorted(by: { $0.key < $1.key }) { object.field(rule, count) }
        }
        writer.field("exemptions", report.exemptions)
        writer.field("open_calls", report.openCalls)
        writer.object("policy") { object in
            object.field("name", report.policyName)
            object.field("hash", report.policyHash)
            object.field("path", report.policyPath)
        }
        writer.object("store") { object in
            object.field("path", report.storePath)
            object.field("bytes", report.storeBytes)
            object.field("callers", report.trackedCallers)
            object.field("incidents", report.incidents)
            // "ok", or "degraded" while the record cannot be written (writes answer unavailable).
            object.field("state", report.recordDegraded == nil ? "ok" : "degraded")
            if let degraded = report.recordDegraded {
                object.field("degraded_since", EventTime.format(degraded.since))
                object.field("refused_writes", degraded.failedWrites)
            }
        }
        if let shared = report.sharedRecord { write(shared, to: &writer) }
    }

    /// A node of a cluster: the shared record it ships to and learns from.
    static func write(_ shared: SharedRecordReport, to writer: inout JSONWriter) {
        writer.object("shared_record") { object in
            object.field("address", shared.address)
            object.field("node", shared.node)
            // "connected", or "unreachable" while writes are spooled (or refused, spool off).
            object.field("state", shared.unreachable == nil ? "connected" : "unreachable")
            if let unreachable = shared.unreachable {
                object.field("unreachable_since", EventTime.format(unreachable.since))
                object.field("reason", unreachable.reason)
            }
            object.field("spool", shared.spools)
            object.field("committed_through", shared.committedThrough)
            object.field("shipped_through", shared.shippedThrough)
            object.field("peers_through", shared.peersThrough)
            object.field("peer_entries", shared.peerEntriesApplied)
        }
    }

    static func write(_ alerts: AlertRunner.Figures, to writer: inout JSONWriter) {
        writer.object("alerts") { object in
            object.field("ran", alerts.ran)
            object.field("running", alerts.running)
            object.field("waiting", alerts.waiting)
            object.field("dropped", alerts.dropped)
        }
    }

    static func writePolicy(_ loaded: LoadedPolicy, to writer: inout JSONWriter) {
        writer.field("name", loaded.policy.name)
        writer.field("hash", loaded.hash)
        writer.field("path", loaded.path)
    }
}
