import CallwardenCore
import CallwardenEngine
import CoreMetrics
import Metrics
import Prometheus

/// What the metrics endpoint reads at each scrape, besides the counters the engine feeds.
public struct MetricsSample: Sendable {
    public var openCalls: Int
    public var recordDegraded: Bool
    public var connections: Int
    public var waitingWrites: Int

    public init(openCalls: Int, recordDegraded: Bool, connections: Int, waitingWrites: Int) {
        self.openCalls = openCalls
        self.recordDegraded = recordDegraded
        self.connections = connections
        self.waitingWrites = waitingWrites
    }
}

/// callwardend's metrics: swift-metrics counters, gauges and a timer, backed by a Prometheus
/// registry of their own (not the process-wide `MetricsSystem`, so nothing else in the process
/// can add to or take from what is served).
///
/// Everything a request counts is made in advance: the fixed sets here, and each policy's rule
/// and kind counters when the policy comes into force (`meter(for:)`). Counting is then a
/// dictionary lookup in an immutable table and an atomic add: no lock, no allocation, nothing
/// shared with the engine.
public final class DaemonMetrics: EngineMeter {
    private let registry: PrometheusCollectorRegistry
    private let factory: DescribedPrometheusFactory

    private let authorised: CoreMetrics.Counter
    private let denied: CoreMetrics.Counter
    private let supervisorRequired: CoreMetrics.Counter
    private let alertOutcomes: [AlertCommandOutcome: CoreMetrics.Counter]
    private let reloadsApplied: CoreMetrics.Counter
    private let reloadsRefused: CoreMetrics.Counter
    private let commitTime: CoreMetrics.Timer
    private let queueDepth: CoreMetrics.Gauge
    private let recordDegraded: CoreMetrics.Gauge
    private let openCalls: CoreMetrics.Gauge
    private let connections: CoreMetrics.Gauge

    /// - Parameter startedAt: when the daemon started (seconds since 1970).
    public init(startedAt: Double) {
        let registry = PrometheusCollectorRegistry()
        let factory = DescribedPrometheusFactory(registry: registry)
        self.registry = registry
        self.factory = factory
        func counter(_ definition: MetricCatalog.Definition, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: definition.name, dimensions: dimensions, factory: factory)
        }
        func gauge(_ definition: MetricCatalog.Definition) -> CoreMetrics.Gauge {
            CoreMetrics.Gauge(label: definition.name, dimensions: [], factory: factory)
        }
        let answers = MetricCatalog.hangupAnswers
        authorised = counter(answers, [("answer", HangupDecision.Answer.authorised.rawValue)])
        denied = counter(answers, [("answer", HangupDecision.Answer.denied.rawValue)])
        supervisorRequired = counter(answers, [("answer", HangupDecision.Answer.supervisorRequired.rawValue)])
        var alertOutcomes: [AlertCommandOutcome: CoreMetrics.Counter] = [:]
        for outcome in AlertCommandOutcome.allCases {
            alertOutcomes[outcome] = counter(MetricCatalog.alertCommands, [("outcome", outcome.rawValue)])
        }
        self.alertOutcomes = alertOutcomes
        reloadsApplied = counter(MetricCatalog.policyReloads, [("outcome", "applied")])
        reloadsRefused = counter(MetricCatalog.policyReloads, [("outcome", "refused")])
        commitTime = CoreMetrics.Timer(label: MetricCatalog.commitSeconds.name, dimensions: [], factory: factory)
        queueDepth = gauge(MetricCatalog.queueDepth)
        recordDegraded = gauge(MetricCatalog.recordDegraded)
        openCalls = gauge(MetricCatalog.openCalls)
        connections = gauge(MetricCatalog.connections)
        gauge(MetricCatalog.startTime).record(startedAt)
    }

    // MARK: EngineMeter

    public func meter(for policy: Policy) -> any PolicyMeter {
        PolicyCounters(policy: policy, factory: factory)
    }

    public func hangupAnswered(_ answer: HangupDecision.Answer) {
        switch answer {
        case .authorised: authorised.increment()
        case .denied: denied.increment()
        case .supervisorRequired: supervisorRequired.increment()
        }
    }

    public func alertCommand(_ outcome: AlertCommandOutcome) {
        alertOutcomes[outcome]?.increment()
    }

    public func policyReloaded(applied: Bool) {
        (applied ? reloadsApplied : reloadsRefused).increment()
    }

    // MARK: From the rest of the daemon

    /// A batch of entries was committed to the record in `took`.
    public func commitTimed(_ took: Duration) {
        commitTime.record(duration: took)
    }

    /// The exposition in Prometheus text format 0.0.4, with the gauges set from `sample` first.
    /// Called on the metrics server's one thread, so two renders never interleave their gauges.
    public func render(_ sample: MetricsSample) -> [UInt8] {
        openCalls.record(sample.openCalls)
        recordDegraded.record(sample.recordDegraded ? 1 : 0)
        connections.record(sample.connections)
        queueDepth.record(sample.waitingWrites)
        return registry.emitToBuffer()
    }
}

/// One policy's counters: decisions by rule (each rule has one route), shadow matches by rule,
/// incidents by kind. Made when the policy comes into force and never changed, so the engine's
/// threads read them without a lock. Counters of an earlier policy stay registered, so a rule
/// renamed by a reload keeps its count under its old name (a policy has at most a few hundred
/// rules and kinds, and only an operator's edits add names).
final class PolicyCounters: PolicyMeter {
    private let decisions: [String: CoreMetrics.Counter]
    private let shadowMatches: [String: CoreMetrics.Counter]
    private let incidents: [String: CoreMetrics.Counter]

    init(policy: Policy, factory: some MetricsFactory) {
        func counter(_ definition: MetricCatalog.Definition, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: definition.name, dimensions: dimensions, factory: factory)
        }
        var decisions: [String: CoreMetrics.Counter] = [:]
        var shadowMatches: [String: CoreMetrics.Counter] = [:]
        for rule in policy.rules {
            if rule.shadow {
                shadowMatches[rule.name] = counter(MetricCatalog.shadowMatches, [("rule", rule.name)])
            } else {
                decisions[rule.name] = counter(MetricCatalog.decisions, [("route", rule.route.rawValue), ("rule", rule.name)])
            }
        }
        // What `Policy.route` decides when no rule does (only a hand-built policy can get there).
        decisions[Self.builtIn] = decisions[Self.builtIn]
            ?? counter(MetricCatalog.decisions, [("route", Route.normal.rawValue), ("rule", Self.builtIn)])
        var incidents: [String: CoreMetrics.Counter] = [:]
        for kind in policy.kindNames {
            incidents[kind] = counter(MetricCatalog.incidents, [("kind", kind)])
        }
        self.decisions = decisions
        self.shadowMatches = shadowMatches
        self.incidents = incidents
    }

    static let builtIn = "built-in"

    func routed(_ decision: RouteDecision) {
        // Every rule that can decide has its counter; a name not found counts nowhere rather than
        // under a label made at run time.
        decisions[decision.rule]?.increment()
        for rule in decision.shadowMatches {
            shadowMatches[rule]?.increment()
        }
    }

    func incidentRecorded(kind: String) {
        incidents[kind]?.increment()
    }
}
