import CallwardenCore

/// Counts how the answers to recorded hang-up requests compare under the two policies.
struct HangupTally {
    static let examplesPerTransition = 5

    private struct Key: Hashable {
        var from: HangupDecision.Answer
        var to: HangupDecision.Answer
    }

    private struct Moved {
        var requests = 0
        var examples: [HangupExample] = []
    }

    private var requests = 0
    private var moved: [Key: Moved] = [:]

    mutating func add(_ old: HangupDecision, _ new: HangupDecision, call: String, caller: String, at: Double) {
        requests += 1
        guard old.answer != new.answer else { return }
        let key = Key(from: old.answer, to: new.answer)
        var entry = moved[key] ?? Moved()
        entry.requests += 1
        if entry.examples.count < Self.examplesPerTransition {
            entry.examples.append(HangupExample(call: call, caller: caller, at: at, fromRule: old.rule, toRule: new.rule))
        }
        moved[key] = entry
    }

    var changes: HangupChanges {
        let transitions = moved.map { key, entry in
            HangupTransition(from: key.from, to: key.to, requests: entry.requests, examples: entry.examples)
        }.sorted { a, b in
            a.requests != b.requests ? a.requests > b.requests : (a.from.rawValue, a.to.rawValue) < (b.from.rawValue, b.to.rawValue)
        }
        return HangupChanges(requests: requests, changed: transitions.reduce(0) { $0 + $1.requests }, transitions: transitions)
    }
}
