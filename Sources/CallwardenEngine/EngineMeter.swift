import CallwardenCore

/// What the engine tells a meter (callwardend's metrics endpoint) as it works.
///
/// Counting must never slow a decision: the engine calls a meter only after its lock is released,
/// never while holding it, and a meter must not take a lock the engine holds or read the engine's
/// state. Every value it is given comes from the policy in force or from a fixed set, never from
/// the wire, so what a meter labels with them stays bounded.
public protocol EngineMeter: Sendable {
    /// A policy has come into force (at start, then at each reload that is applied). The meter
    /// returns what counts decisions and incidents under it: made here, once per policy, so that
    /// counting a decision is a lookup in what this returns, not in a registry.
    func meter(for policy: Policy) -> any PolicyMeter
    /// A hang-up request was answered (counted once the answer is durable).
    func hangupAnswered(_ answer: HangupDecision.Answer)
    /// An alert command ended, or was dropped because too many were running and waiting.
    func alertCommand(_ outcome: AlertCommandOutcome)
    /// A reload ended: its file applied, or refused (the previous policy kept).
    func policyReloaded(applied: Bool)
}

/// Counts decisions and incidents under one policy (see `EngineMeter.meter(for:)`).
public protocol PolicyMeter: Sendable {
    /// A call was routed; `decision.rule` is one of the policy's rules (or `built-in`).
    func routed(_ decision: RouteDecision)
    /// An incident of a kind of this policy is on record.
    func incidentRecorded(kind: String)
}

/// How an alert command ended.
public enum AlertCommandOutcome: String, Sendable, CaseIterable {
    /// It ran and exited 0.
    case succeeded
    /// It could not start, exited non-zero, or was killed after the policy's time limit.
    case failed
    /// It was not run: the runner's queue was full.
    case dropped
}

/// The meter when nothing is measured (no `--metrics`): counts nothing, costs a call that returns.
struct NoMeter: EngineMeter, PolicyMeter {
    func meter(for policy: Policy) -> any PolicyMeter { self }
    func hangupAnswered(_ answer: HangupDecision.Answer) {}
    func alertCommand(_ outcome: AlertCommandOutcome) {}
    func policyReloaded(applied: Bool) {}
    func routed(_ decision: RouteDecision) {}
    func incidentRecorded(kind: String) {}
}
