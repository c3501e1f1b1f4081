import CallwardenStore

/// One call of a caller, told from the record step by step: that the ladder (docs/ladder.md) was
/// followed, with each step's time, agent and supervisor. Every step names its entry, so the
/// story can be checked against an export of the record.
public struct CallStory: Sendable, Equatable {
    /// A step's word in `history`, one per type of entry a call is told with.
    public enum StepType: String, Sendable, CaseIterable {
        /// The call's `call_start`: when the call was offered (recorded once its ladder began).
        case offered
        /// An incident in the call.
        case abuse
        case warning
        /// A supervisor's verdict (`outcome`: approve or deny).
        case verdict
        /// The agent asked to end the call; `outcome` is the answer, `rule` the ladder rule.
        case hangupRequest = "hangup_request"
        /// The call's `call_end`: `by` who, `outcome` how.
        case end

        init?(_ type: EntryType) {
            switch type {
            case .callStart: self = .offered
            case .incident: self = .abuse
            case .warning: self = .warning
            case .verdict: self = .verdict
            case .hangupRequest: self = .hangupRequest
            case .callEnd: self = .end
            case .forgiveness, .purge, .exemption, .exemptionEnd, .review: return nil
            }
        }
    }

    public struct Step: Sendable, Equatable {
        /// The entry's id in the record.
        public var entry: Int64
        public var type: StepType
        public var at: Double
        /// The incident's kind, on `abuse`.
        public var kind: String?
        public var agent: String?
        public var supervisor: String?
        /// Who ended the call, or who sent the incident.
        public var by: String?
        public var outcome: String?
        public var rule: String?
        public var note: String?
    }

    public var call: String
    /// In record order: the order callwarden took the steps in.
    public var steps: [Step]

    /// The stories told by `entries` (one caller's call entries, in record order) whose first
    /// entry lies in `span`, oldest first. A call id may come back after its call ended, so a
    /// `call_start` begins a new story, as does an entry of a call with no story open; a
    /// `call_end` closes one. With `asOf`, steps dated after it are left out. A story is told
    /// only when it holds a ladder step besides abuse: an incident with a call id the daemon did
    /// not follow is in the incidents already.
    static func stories(in entries: [StoredEntry], beginningIn span: ClosedRange<Int64>, asOf: Double?) -> [CallStory] {
        var stories: [(first: Int64, story: CallStory)] = []
        var open: [String: Int] = [:]
        for stored in entries {
            let entry = stored.entry
            guard let call = entry.call, let type = StepType(entry.type) else { continue }
            let place: Int
            if type != .offered, let existing = open[call] {
                place = existing
            } else {
                place = stories.count
                stories.append((stored.id, CallStory(call: call, steps: [])))
                open[call] = place
            }
            if asOf.map({ entry.at <= $0 }) ?? true {
                stories[place].story.steps.append(Step(
                    entry: stored.id, type: type, at: entry.at, kind: entry.kind, agent: entry.agent, supervisor: entry.supervisor,
                    by: entry.by, outcome: entry.outcome, rule: entry.rule, note: entry.note))
            }
            if type == .end { open[call] = nil }
        }
        return stories.filter { first, story in
            span.contains(first) && story.steps.contains { $0.type != .abuse }
        }.map(\.story)
    }
}
