import CallwardenCore
import CallwardenEngine
import CallwardenMetrics
import Testing

@Suite("The metrics the daemon exports")
struct DaemonMetricsTests {
    static let policy = """
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: 1, half_life: 90d}
          threat: {weight: 3, half_life: 365d}
        rules:
          - name: watch "closely"
            shadow: true
            when:
              incidents: {at_least: 1}
            route: supervisor
            queue: supervisor
          - name: abusive
            when:
              score: {at_least: 1}
            route: supervisor
            queue: supervisor
          - {name: default, route: normal, queue: support}
        """

    static func sample() -> MetricsSample {
        MetricsSample(openCalls: 3, recordDegraded: true, connections: 2, waitingWrites: 5)
    }

    @Test("Each rule and kind of the policy is exported at zero from the start, with help and type lines")
    func seriesFromThePolicy() throws {
        let metrics = DaemonMetrics(startedAt: 1_700_000_000)
        _ = metrics.meter(for: try PolicyParser.parse(Self.policy))
        let samples = Exposition(metrics.render(Self.sample()))
        #expect(samples[#"callwarden_decisions_total{route="supervisor",rule="abusive"}"#] == 0)
        #expect(samples[#"callwarden_decisions_total{route="normal",rule="default"}"#] == 0)
        // A quote in a rule's name is escaped, not a broken line.
        #expect(samples[#"callwarden_shadow_matches_total{rule="watch \"closely\""}"#] == 0)
        #expect(samples[#"callwarden_incidents_total{kind="threat"}"#] == 0)
        #expect(samples[#"callwarden_hangup_answers_total{answer="supervisor_required"}"#] == 0)
        #expect(samples[#"callwarden_alert_commands_total{outcome="dropped"}"#] == 0)
        #expect(samples["callwarden_open_calls"] == 3)
        #expect(samples["callwarden_record_degraded"] == 1)
        #expect(samples["callwarden_connections"] == 2)
        #expect(samples["callwarden_record_queue_depth"] == 5)
        #expect(samples["callwarden_start_time_seconds"] == 1_700_000_000)
        for definition in MetricCatalog.all {
            #expect(samples.text.contains("# HELP \(definition.name) "), "\(definition.name)")
            #expect(samples.text.contains("# TYPE \(definition.name) \(definition.kind.rawValue)\n"), "\(definition.name)")
        }
    }

    @Test("Decisions, shadow matches, incidents, hang-up answers, alert outcomes, reloads and commit times are counted")
    func counting() throws {
        let metrics = DaemonMetrics(startedAt: 0)
        let policy = try PolicyParser.parse(Self.policy)
        let meter = metrics.meter(for: policy)
        let call = CallContext(caller: .known("+447700900123"))
        let history = CallerHistory(incidents: [IncidentSummary(id: 1, kind: "verbal", at: 0)])
        meter.routed(policy.route(call, history: history, at: 0))
        meter.routed(policy.route(call, history: history, at: 0))
        meter.routed(policy.route(call, history: CallerHistory(), at: 0))
        meter.incidentRecorded(kind: "threat")
        metrics.hangupAnswered(.authorised)
        metrics.alertCommand(.failed)
        metrics.policyReloaded(applied: false)
        metrics.commitTimed(.milliseconds(3))
        let samples = Exposition(metrics.render(Self.sample()))
        #expect(samples[#"callwarden_decisions_total{route="supervisor",rule="abusive"}"#] == 2)
        #expect(samples[#"callwarden_shadow_matches_total{rule="watch \"closely\""}"#] == 2)
        #expect(samples[#"callwarden_decisions_total{route="normal",rule="default"}"#] == 1)
        #expect(samples[#"callwarden_incidents_total{kind="threat"}"#] == 1)
        #expect(samples[#"callwarden_incidents_total{kind="verbal"}"#] == 0)
        #expect(samples[#"callwarden_hangup_answers_total{answer="authorised"}"#] == 1)
        #expect(samples[#"callwarden_alert_commands_total{outcome="failed"}"#] == 1)
        #expect(samples[#"callwarden_policy_reloads_total{outcome="refused"}"#] == 1)
        #expect(samples["callwarden_record_commit_seconds_count"] == 1)
        #expect(samples[#"callwarden_record_commit_seconds_bucket{le="0.005"}"#] == 1)
        #expect(samples[#"callwarden_record_commit_seconds_bucket{le="0.002"}"#] == 0)
    }

    @Test("A rule or kind the policy does not have adds no series: label values come from the policy only")
    func boundedLabels() throws {
        let metrics = DaemonMetrics(startedAt: 0)
        let meter = metrics.meter(for: try PolicyParser.parse(Self.policy))
        let before = Exposition(metrics.render(Self.sample())).series
        let forged = RouteDecision(route: .nuisance, queue: "q", priority: 0, rule: "sent-by-a-switch", reason: "", standing: .clean, trail: [], shadowMatches: ["also-forged"])
        meter.routed(forged)
        meter.incidentRecorded(kind: "not-a-kind")
        let after = Exposition(metrics.render(Self.sample())).series
        #expect(after == before)
    }

    @Test("A reloaded policy's new rules are counted under their names; the old rules' counts stay")
    func reloadedPolicy() throws {
        let metrics = DaemonMetrics(startedAt: 0)
        let first = try PolicyParser.parse(Self.policy)
        metrics.meter(for: first).routed(first.route(CallContext(caller: .known("+447700900123")), history: CallerHistory(), at: 0))
        let second = try PolicyParser.parse(Self.policy.replacingOccurrences(of: "name: default", with: "name: everyone-else"))
        metrics.meter(for: second).routed(second.route(CallContext(caller: .known("+447700900123")), history: CallerHistory(), at: 0))
        let samples = Exposition(metrics.render(Self.sample()))
        #expect(samples[#"callwarden_decisions_total{route="normal",rule="default"}"#] == 1)
        #expect(samples[#"callwarden_decisions_total{route="normal",rule="everyone-else"}"#] == 1)
    }
}

/// A text exposition's samples by series (`name{labels}`).
struct Exposition {
    let text: String
    let samples: [String: Double]

    init(_ bytes: [UInt8]) {
        text = String(decoding: bytes, as: UTF8.self)
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    subscript(series: String) -> Double? { samples[series] }
    var series: Set<String> { Set(samples.keys) }
}
