/// Every metric callwardend exports: its name, type, labels and help text. The factory takes the
/// help text from here (`# HELP` lines), docs/metrics.md lists the same, and a test checks that
/// the sample alerting rules in Config/prometheus/ name only these.
public enum MetricCatalog {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public struct Definition: Sendable {
        public var name: String
        public var kind: Kind
        /// Label names. Their values come from the policy (rule and kind names) or a fixed set.
        public var labels: [String]
        public var help: String
    }

    public static let decisions = Definition(
        name: "callwarden_decisions_total", kind: .counter, labels: ["route", "rule"],
        help: "Calls routed, by route and by the policy rule that decided (built-in: no rule matched).")
    public static let shadowMatches = Definition(
        name: "callwarden_shadow_matches_total", kind: .counter, labels: ["rule"],
        help: "Calls a shadow rule held for (counted, never acted on), by rule.")
    public static let incidents = Definition(
        name: "callwarden_incidents_total", kind: .counter, labels: ["kind"],
        help: "Incidents recorded (durable), by the policy's kind of abuse.")
    public static let hangupAnswers = Definition(
        name: "callwarden_hangup_answers_total", kind: .counter, labels: ["answer"],
        help: "Hang-up requests answered (durable), by answer: authorised, denied or supervisor_required.")
    public static let commitSeconds = Definition(
        name: "callwarden_record_commit_seconds", kind: .histogram, labels: [],
        help: "Time to commit one batch of entries to the record, transaction and sync included.")
    public static let queueDepth = Definition(
        name: "callwarden_record_queue_depth", kind: .gauge, labels: [],
        help: "Writes waiting for the record's writer behind the batch it is committing.")
    public static let recordDegraded = Definition(
        name: "callwarden_record_degraded", kind: .gauge, labels: [],
        help: "1 while the record cannot be written (writes are refused, routing goes on from memory), else 0.")
    public static let openCalls = Definition(
        name: "callwarden_open_calls", kind: .gauge, labels: [],
        help: "Calls being followed (offered and not yet ended).")
    public static let connections = Definition(
        name: "callwarden_connections", kind: .gauge, labels: [],
        help: "Connections open on the protocol socket.")
    public static let alertCommands = Definition(
        name: "callwarden_alert_commands_total", kind: .counter, labels: ["outcome"],
        help: "Alert commands by outcome: succeeded (exit 0), failed (did not start, exited non-zero or timed out), dropped (queue full, not run).")
    public static let policyReloads = Definition(
        name: "callwarden_policy_reloads_total", kind: .counter, labels: ["outcome"],
        help: "Policy reloads by outcome: applied, or refused (the previous policy kept serving).")
    public static let startTime = Definition(
        name: "callwarden_start_time_seconds", kind: .gauge, labels: [],
        help: "When callwardend started, in seconds since 1970.")

    public static let all: [Definition] = [
        decisions, shadowMatches, incidents, hangupAnswers, commitSeconds, queueDepth, recordDegraded, openCalls,
        connections, alertCommands, policyReloads, startTime,
    ]

    /// The names a query may use: each metric's own, and a histogram's `_bucket`, `_sum` and
    /// `_count` series.
    public static var seriesNames: Set<String> {
        var names = Set<String>()
        for definition in all {
            names.insert(definition.name)
            if definition.kind == .histogram {
                for suffix in ["_bucket", "_sum", "_count"] { names.insert(definition.name + suffix) }
            }
        }
        return names
    }

    /// The commit histogram's buckets: a commit is a transaction and an fsync, normally a few
    /// milliseconds; the upper buckets catch a disk that stalls.
    public static let commitBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5),
    ]

    static let help: [String: String] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })
}
