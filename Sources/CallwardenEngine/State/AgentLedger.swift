import CallwardenCore

/// What the daemon knows of each agent: the incidents they took lately, to count their abusive
/// calls and threats and to raise the policy's welfare rules (docs/policy.md, `welfare`).
///
/// Agents are the switch's ids and nothing more: no name, no schedule, nothing kept but the
/// incidents' times, kinds and calls, all already in the record, from which this is rebuilt at
/// start. `system` (nuisance detection) is not an agent.
///
/// Bounded: an agent's incidents older than the horizon (a day, or the longest welfare window)
/// are let go as new ones arrive; an agent with none left within it is dropped; at most
/// `capacity` agents are tracked (past it those idle longest go) and `maximumKept`
/// incidents per agent, which is as many as a welfare rule can ask for.
struct AgentLedger: Equatable {
    /// One incident an agent took.
    struct Taken: Equatable {
        var incident: Int64
        var at: Double
        /// The kind, as the policy names it.
        var kind: String
        /// The call it happened in, hashed (a call id may be kilobytes long; only sameness
        /// matters), or the incident's own id when it had no call: it counts as a call of its own.
        var callKey: Int
        /// The kind counted as a threat when it was recorded.
        var threat: Bool
    }

    struct Agent: Equatable {
        /// In the order recorded, which is nearly the order of `at`.
        var taken: [Taken] = []
        /// Welfare rules that have spoken and whose count has not yet fallen below their number.
        var raised: Set<String> = []
        /// The latest `at` among `taken`.
        var latest: Double = -.infinity
    }

    static let maximumKept = PolicyBounds.welfareIncidents.upperBound
    static let defaultCapacity = 10_000

    let capacity: Int
    private(set) var agents: [String: Agent] = [:]

    init(capacity: Int = AgentLedger.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Whether `agent` names a person the ledger follows.
    static func isAgent(_ agent: String?) -> Bool {
        guard let agent, !agent.isEmpty else { return false }
        return agent != "system"
    }

    /// One agent's entry, as it stands (for taking an effect back).
    subscript(agent: String) -> Agent? {
        get { agents[agent] }
        set { agents[agent] = newValue }
    }

    /// What recording one incident changed in an agent's entry, to take it back should the
    /// record refuse the incident. Only the change is kept, not the agent's whole list: a copy of
    /// the list held for undoing would make every incident copy it under the engine's lock.
    struct Change {
        var agent: String
        var incident: Int64
        /// Incidents let go to make room or because they left the horizon.
        var trimmed: [Taken] = []
        var raised: Set<String> = []
        var latest: Double = -.infinity
        var wasTracked = false
    }

    /// Takes back what `record` changed (only the latest change of an agent, newest first).
    mutating func undo(_ change: Change) {
        guard var entry = agents.removeValue(forKey: change.agent) else { return }
        if let last = entry.taken.last, last.incident == change.incident { entry.taken.removeLast() }
        if !change.trimmed.isEmpty {
            // Both lists are in id order; so is their union.
            entry.taken = (change.trimmed + entry.taken).sorted { $0.incident < $1.incident }
        }
        entry.raised = change.raised
        entry.latest = change.latest
        if change.wasTracked || !entry.taken.isEmpty { agents[change.agent] = entry }
    }

    /// Notes an incident the agent took and returns the welfare rules it raises.
    mutating func record(
        incident: Int64, agent: String, at: Double, kind: String, call: String?, policy: Policy
    ) -> [WelfareAlert] {
        var change = Change(agent: agent, incident: incident)
        return record(incident: incident, agent: agent, at: at, kind: kind, call: call, policy: policy, change: &change)
    }

    /// `record`, noting in `change` how to take it back.
    mutating func record(
        incident: Int64, agent: String, at: Double, kind: String, call: String?, policy: Policy, change: inout Change
    ) -> [WelfareAlert] {
        guard Self.isAgent(agent) else { return [] }
        if agents[agent] == nil, agents.count >= capacity { dropIdlest() }
        // Taken out while it changes, so that its list is changed in place, not copied.
        let tracked = agents.removeValue(forKey: agent)
        var entry = tracked ?? Agent()
        change.wasTracked = tracked != nil
        change.raised = entry.raised
        change.latest = entry.latest
        let horizon = policy.welfareHorizon
        let newest = max(entry.latest, at)
        if let oldest = entry.taken.first?.at, oldest < newest - horizon {
            change.trimmed += entry.taken.filter { $0.at < newest - horizon }
            entry.taken.removeAll { $0.at < newest - horizon }
        }
        // A rule whose count has fallen below its number since it spoke may speak again.
        for rule in policy.welfare where entry.raised.contains(rule.name) {
            if Self.calls(in: entry.taken, rule: rule, endingAt: at, upTo: rule.incidents) < rule.incidents { entry.raised.remove(rule.name) }
        }
        var hasher = Hasher()
        hasher.combine(call ?? "")
        let callKey = call == nil ? Int(truncatingIfNeeded: incident) : hasher.finalize()
        entry.taken.append(Taken(incident: incident, at: at, kind: policy.categories[kind]?.name ?? kind, callKey: callKey, threat: policy.isThreat(kind)))
        if entry.taken.count > Self.maximumKept {
            let excess = entry.taken.count - Self.maximumKept
            change.trimmed += entry.taken.prefix(excess)
            entry.taken.removeFirst(excess)
        }
        entry.latest = newest
        var raised: [WelfareAlert] = []
        for rule in policy.welfare where rule.counts(kind) && !entry.raised.contains(rule.name) {
            guard Self.calls(in: entry.taken, rule: rule, endingAt: at, upTo: rule.incidents) >= rule.incidents else { continue }
            // Counted whole only when the rule speaks, which is rare.
            let calls = Self.calls(in: entry.taken, rule: rule, endingAt: at)
            entry.raised.insert(rule.name)
            raised.append(WelfareAlert(
                rule: rule.name, agent: agent, calls: calls, threshold: rule.incidents, within: rule.within,
                kinds: rule.kinds.map { $0.sorted() }, say: rule.say, at: at, incident: incident, call: call, kind: kind,
                counters: Self.counters(of: agent, entry, at: at)))
        }
        agents[agent] = entry
        return raised
    }

    /// Every agent's counters as of `now`, the most recently abused first; agents with nothing
    /// by `now` are left out.
    func counters(at now: Double) -> [AgentCounters] {
        agents.compactMap { name, agent in
            let counters = Self.counters(of: name, agent, at: now)
            return counters.lastIncident == nil ? nil : counters
        }.sorted { a, b in
            a.lastIncident != b.lastIncident ? (a.lastIncident ?? 0) > (b.lastIncident ?? 0) : a.agent < b.agent
        }
    }

    /// Drops agents with no incident within `horizon` of `now`, and the rules' marks of rules the
    /// policy no longer has.
    mutating func prune(now: Double, policy: Policy) {
        let since = now - policy.welfareHorizon
        let rules = Set(policy.welfare.map(\.name))
        // Runs every half minute: rebuilds the table only when someone is to go.
        if agents.values.contains(where: { $0.latest < since }) {
            agents = agents.filter { $0.value.latest >= since }
        }
        for (name, agent) in agents where !agent.raised.isSubset(of: rules) {
            agents[name]?.raised.formIntersection(rules)
        }
    }

    /// Takes purged incidents out: the record no longer holds them, so a restart would not count them.
    ///
    /// Runs under the engine's lock for each slice of a purge, so it must cost little: an agent's
    /// incidents are in id order (the record's), so each purged id is found by binary search
    /// rather than by scanning every agent's incidents against the slice.
    mutating func forget(incidents: Set<Int64>) {
        let purged = incidents.sorted()
        guard let lowest = purged.first, let highest = purged.last else { return }
        for (name, agent) in agents {
            guard let first = agent.taken.first?.incident, let last = agent.taken.last?.incident,
                  first <= highest, lowest <= last else { continue }
            let doomed = purged.compactMap { Self.index(of: $0, in: agent.taken) }
            guard !doomed.isEmpty else { continue }
            var entry = agent
            for index in doomed.reversed() { entry.taken.remove(at: index) }
            entry.latest = entry.taken.map(\.at).max() ?? -.infinity
            agents[name] = entry.taken.isEmpty ? nil : entry
        }
    }

    /// Where incident `id` is among `taken` (in id order), if it is there.
    static func index(of id: Int64, in taken: [Taken]) -> Int? {
        var low = 0, high = taken.count
        while low < high {
            let middle = (low + high) / 2
            if taken[middle].incident < id { low = middle + 1 } else { high = middle }
        }
        return low < taken.count && taken[low].incident == id ? low : nil
    }

    /// Makes room: drops the tenth of agents idle longest at once, so that a flood of new agent
    /// ids costs one sort per many agents rather than a search per agent.
    private mutating func dropIdlest() {
        let count = max(1, agents.count / 10)
        for (name, _) in agents.sorted(by: { $0.value.latest < $1.value.latest }).prefix(count) {
            agents[name] = nil
        }
    }

    /// The agent's abusive calls counted by `rule` in its window ending at `end`, counting no
    /// further than `limit`. Each incident an agent takes asks whether a rule's number is reached:
    /// counting newest first and stopping there keeps that to a few steps for an agent who takes
    /// many, where counting every call in a full day (up to `maximumKept`) into a set made each
    /// incident, and a start-up over a busy record, many times dearer.
    static func calls(in taken: [Taken], rule: WelfareRule, endingAt end: Double, upTo limit: Int = .max) -> Int {
        let start = end - rule.within
        // Distinct calls so far: a short list while the limit is small, a set beyond.
        var few: [Int] = []
        var many = Set<Int>()
        let useSet = limit > 32
        for item in taken.reversed() where item.at > start && item.at <= end && rule.counts(item.kind) {
            if useSet {
                many.insert(item.callKey)
                if many.count >= limit { return limit }
            } else if !few.contains(item.callKey) {
                few.append(item.callKey)
                if few.count >= limit { return limit }
            }
        }
        return useSet ? many.count : few.count
    }

    static let hour = 3600.0
    static let day = 86_400.0

    static func counters(of name: String, _ agent: Agent, at now: Double) -> AgentCounters {
        var hour = Set<Int>()
        var day = Set<Int>()
        var threats = 0
        var last: Double?
        for item in agent.taken where item.at <= now {
            last = max(last ?? item.at, item.at)
            guard item.at > now - Self.day else { continue }
            day.insert(item.callKey)
            if item.at > now - Self.hour { hour.insert(item.callKey) }
            if item.threat { threats += 1 }
        }
        return AgentCounters(agent: name, lastHour: hour.count, lastDay: day.count, threats: threats, lastIncident: last)
    }
}

/// One agent's counters (`agents`, and each `agent.welfare` event).
public struct AgentCounters: Sendable, Equatable {
    /// The switch's id for the agent.
    public var agent: String
    /// Abusive calls the agent took in the hour before, each call once.
    public var lastHour: Int
    /// Abusive calls in the day before.
    public var lastDay: Int
    /// Incidents of a threatening kind in the day before.
    public var threats: Int
    /// When the agent's latest incident happened.
    public var lastIncident: Double?
}

/// A welfare rule spoke: the agent took its number of abusive calls within its window.
public struct WelfareAlert: Sendable, Equatable {
    /// The policy's name for the rule.
    public var rule: String
    public var agent: String
    /// The agent's abusive calls the rule counted in its window, this one included.
    public var calls: Int
    /// The rule's number (`incidents`).
    public var threshold: Int
    /// The rule's window, in seconds.
    public var within: Double
    /// The kinds the rule counts; nil: every kind.
    public var kinds: [String]?
    /// The policy's text for the agent and whoever looks after them.
    public var say: String
    /// When the incident that raised it happened.
    public var at: Double
    public var incident: Int64
    public var call: String?
    public var kind: String
    /// The agent's counters as of the incident.
    public var counters: AgentCounters
}
