import CallwardenCore
import CallwardenEngine
import CallwardenProtocol
import CallwardenReplay

/// `policy.test`'s answer (docs/protocol.md).
extension Responses {
    static func write(_ outcome: PolicyTester.Outcome, to writer: inout JSONWriter) {
        let report = outcome.report
        writer.field("changed", report.changed)
        writer.object("live") { live in
            live.field("name", outcome.live.policy.name)
            live.field("hash", outcome.live.hash)
        }
        writer.object("candidate") { $0.field("name", outcome.candidate) }
        writer.field("since", report.since.map(EventTime.format))
        writer.field("now", EventTime.format(report.now))
        writer.field("entries", report.entries)
        writer.field("calls", report.calls)
        writer.field("callers", report.callersNow)
        writer.field("callers_changed", report.callersChanged)
        writer.field("seconds", report.seconds)
        writer.object("routes") { routes in
            write(report.atCalls, named: "calls", to: &routes)
            write(report.atNow, named: "now", to: &routes)
        }
        writer.object("hangups") { hangups in
            hangups.field("requests", report.hangups.requests)
            hangups.field("changed", report.hangups.changed)
            hangups.array("transitions", report.hangups.transitions) { object, moved in
                object.field("from", moved.from.rawValue)
                object.field("to", moved.to.rawValue)
                object.field("requests", moved.requests)
                object.array("examples", moved.examples) { example, request in
                    example.field("call", request.call)
                    example.field("caller", request.caller)
                    example.field("at", EventTime.format(request.at))
                    example.field("from_rule", request.fromRule)
                    example.field("to_rule", request.toRule)
                }
            }
        }
        writer.array("never_decided", report.neverDecided) { write($1, to: &$0) }
        writer.array("shadow", report.shadowMatches) { object, shadow in
            write(shadow.rule, to: &object)
            object.field("matches", shadow.matches)
        }
        writer.array("unreachable", report.unreachable) { object, covered in
            write(covered.rule, to: &object)
            object.field("covered_by", covered.coveredBy)
        }
    }

    private static func write(_ changes: DecisionChanges, named name: String, to writer: inout JSONWriter) {
        writer.object(name) { object in
            object.field("decisions", changes.decisions)
            object.field("changed", changes.changed)
            object.field("callers", changes.callers)
            object.field("other_rule_same_answer", changes.otherRuleSameAnswer)
            object.array("transitions", changes.transitions) { entry, moved in
                entry.object("from") { write(moved.from, to: &$0) }
                entry.object("to") { write(moved.to, to: &$0) }
                entry.field("decisions", moved.decisions)
                entry.field("callers", moved.callers)
                entry.strings("examples", moved.examples)
            }
        }
    }

    private static func write(_ outcome: RouteOutcome, to writer: inout JSONWriter) {
        writer.field("route", outcome.route.rawValue)
        writer.field("queue", outcome.queue)
        writer.field("priority", outcome.priority)
        writer.field("rule", outcome.rule)
    }

    private static func write(_ rule: RuleName, to writer: inout JSONWriter) {
        writer.field("rule", rule.name)
        if let line = rule.line { writer.field("line", line) }
    }
}
