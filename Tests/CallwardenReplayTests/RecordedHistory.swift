import CallwardenCore
import CallwardenStore
import Foundation

/// A record built in the test, entry by entry, as the engine writes one: ids in order, each
/// ladder step of a call after its `call_start`. Hashes are not part of the replay: left blank.
struct RecordedHistory {
    static let day = 86_400.0
    static let now = 1_800_000_000.0

    private(set) var entries: [StoredEntry] = []
    private var callNumber = 0

    /// `days` before `RecordedHistory.now`.
    static func ago(_ days: Double) -> Double { now - days * day }

    @discardableResult
    mutating func append(_ entry: NewEntry) -> Int64 {
        let id = Int64(entries.count + 1)
        entries.append(StoredEntry(id: id, recordedAt: entry.at, entry: entry, hash: ""))
        return id
    }

    /// A call in which the agent recorded abuse of `kind` (the engine's `call_start`, then the
    /// incident); returns the call id and the incident's id.
    @discardableResult
    mutating func abusiveCall(_ caller: String?, kind: String, daysAgo: Double, ended outcome: String = "abusive") -> (call: String, incident: Int64) {
        let call = nextCall()
        let at = Self.ago(daysAgo)
        append(NewEntry(type: .callStart, at: at, caller: caller, call: call))
        let incident = append(NewEntry(type: .incident, at: at + 30, caller: caller, call: call, kind: kind, agent: "agent-1"))
        append(NewEntry(type: .callEnd, at: at + 120, caller: caller, call: call, by: "agent", outcome: outcome))
        return (call, incident)
    }

    /// A calm call that ended `resolved` (recorded because the caller has a history).
    @discardableResult
    mutating func resolvedCall(_ caller: String, daysAgo: Double) -> String {
        let call = nextCall()
        let at = Self.ago(daysAgo)
        append(NewEntry(type: .callStart, at: at, caller: caller, call: call))
        append(NewEntry(type: .callEnd, at: at + 300, caller: caller, call: call, by: "caller", outcome: "resolved"))
        return call
    }

    mutating func forgive(_ caller: String, incident: Int64, daysAgo: Double) {
        append(NewEntry(type: .forgiveness, at: Self.ago(daysAgo), caller: caller, note: "apologised", ref: incident, by: "uid 0"))
    }

    /// A call that climbed the ladder: abuse, a warning, abuse again, and a hang-up request whose
    /// answer under the shipped ladder is `supervisor_required`.
    @discardableResult
    mutating func ladderCall(_ caller: String, daysAgo: Double) -> String {
        let call = nextCall()
        let at = Self.ago(daysAgo)
        append(NewEntry(type: .callStart, at: at, caller: caller, call: call))
        append(NewEntry(type: .incident, at: at + 10, caller: caller, call: call, kind: "verbal", agent: "agent-2"))
        append(NewEntry(type: .warning, at: at + 100, caller: caller, call: call, agent: "agent-2"))
        append(NewEntry(type: .incident, at: at + 110, caller: caller, call: call, kind: "verbal", agent: "agent-2"))
        append(NewEntry(type: .hangupRequest, at: at + 120, caller: caller, call: call, agent: "agent-2", rule: "supervisor-required", outcome: "supervisor_required"))
        append(NewEntry(type: .callEnd, at: at + 400, caller: caller, call: call, by: "agent", outcome: "abusive"))
        return call
    }

    private mutating func nextCall() -> String {
        callNumber += 1
        return "call-\(callNumber)"
    }
}

enum Policies {
    static var shippedPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/policy.yaml").path
    }

    static func shippedText() throws -> String {
        try String(contentsOfFile: shippedPath, encoding: .utf8)
    }

    static func shipped() throws -> Policy {
        try PolicyParser.parse(try shippedText(), file: shippedPath)
    }

    /// The shipped policy with `old` replaced by `new` (which must occur exactly once).
    static func shipped(replacing old: String, with new: String) throws -> Policy {
        let text = try shippedText()
        guard text.components(separatedBy: old).count == 2 else { throw Missing(text: old) }
        return try PolicyParser.parse(text.replacingOccurrences(of: old, with: new), file: "candidate")
    }

    struct Missing: Error { var text: String }

    /// The shipped policy with its nuisance rule sending callers to a callback queue instead of
    /// the nuisance queue.
    static func nuisanceToCallback() throws -> Policy {
        try shipped(replacing: "    review: 180d\n    route: nuisance\n    queue: nuisance\n    priority: 0\n", with: "    route: normal\n    queue: callback\n    priority: 2\n")
    }
}
