/// Where one call stands on the ladder (docs/ladder.md): what has happened in it, placed by each
/// event's own time (`at`), so that events arriving a little out of order are judged as they
/// happened, not as they arrived.
///
/// A value type with no clock of its own: the engine feeds it events and asks `decide(at:)`.
public struct CallLadder: Sendable, Equatable {
    public struct Abuse: Sendable, Equatable {
        public var at: Double
        public var kind: String
    }

    public enum Verdict: String, Sendable, Equatable {
        case approve, deny
    }

    public private(set) var abuse: [Abuse] = []
    public private(set) var warnings: [Double] = []
    public private(set) var verdicts: [(at: Double, verdict: Verdict)] = []
    /// When a hang-up request was first answered `supervisor_required` (the supervisor was asked).
    public private(set) var supervisorAskedAt: Double?

    public init() {}

    public static func == (lhs: CallLadder, rhs: CallLadder) -> Bool {
        lhs.abuse == rhs.abuse && lhs.warnings == rhs.warnings && lhs.supervisorAskedAt == rhs.supervisorAskedAt
            && lhs.verdicts.map(\.at) == rhs.verdicts.map(\.at) && lhs.verdicts.map(\.verdict) == rhs.verdicts.map(\.verdict)
    }

    public var hasActivity: Bool { !abuse.isEmpty || !warnings.isEmpty || !verdicts.isEmpty || supervisorAskedAt != nil }

    public mutating func recordAbuse(at: Double, kind: String) {
        abuse.append(Abuse(at: at, kind: kind))
    }

    public mutating func recordWarning(at: Double) {
        warnings.append(at)
    }

    public mutating func recordVerdict(at: Double, _ verdict: Verdict) {
        verdicts.append((at, verdict))
    }

    public mutating func recordSupervisorAsked(at: Double) {
        if supervisorAskedAt == nil || at < supervisorAskedAt! { supervisorAskedAt = at }
    }
}

/// The answer to a hang-up request.
public struct HangupDecision: Sendable, Equatable {
    public enum Answer: String, Sendable {
        case authorised
        case denied
        case supervisorRequired = "supervisor_required"
    }

    public var answer: Answer
    /// The ladder rule that decided, e.g. `vent`, `warning-required`, `supervisor-approved`.
    public var rule: String
    public var reason: String
    /// What the agent says now, from the policy's words: the warning script while the ladder
    /// wants a warning, the end-call text once hang-up is authorised; nil otherwise.
    public var say: String?

    public init(answer: Answer, rule: String, reason: String, say: String? = nil) {
        self.answer = answer
        self.rule = rule
        self.reason = reason
        self.say = say
    }
}
