import CallwardenProtocol
import Foundation

/// The supervisor requests a `supervise` client knows of, kept from the feed's lines: the
/// snapshot replaces everything, `supervisor.needed` adds a row, an answer or a timeout takes it
/// away. Keyed by call, so a line that repeats what is known changes nothing.
struct SupervisorTable {
    private(set) var requests: [String: JSONValue] = [:]
    /// The last answer or timeout, as a sentence, for the line under the table.
    private(set) var lastChange: String?

    /// Applies one feed line; returns whether it was one of the supervisor lines.
    @discardableResult
    mutating func apply(_ event: JSONValue) -> Bool {
        switch event["event"]?.string {
        case "pending":
            requests = [:]
            for request in event["requests"]?.array ?? [] {
                if let call = request["call"]?.string { requests[call] = request }
            }
        case "supervisor.needed":
            guard let notice = event["notice"], let call = notice["call"]?.string else { return false }
            requests[call] = notice
            lastChange = "\(Self.clock(event["at"]?.string)) call \(call): the agent needs a supervisor"
        case "supervisor.answered", "supervisor.timeout":
            guard let notice = event["notice"], let call = notice["call"]?.string else { return false }
            requests[call] = nil
            lastChange = "\(Self.clock(event["at"]?.string)) call \(call): \(Self.outcome(event))"
        default:
            return false
        }
        return true
    }

    /// Pending requests, the earliest asked first.
    var rows: [JSONValue] {
        requests.values.sorted { ($0["asked_at"]?.string ?? "", $0["call"]?.string ?? "") < ($1["asked_at"]?.string ?? "", $1["call"]?.string ?? "") }
    }

    /// The table as a person reads it, with each request's time left at `now`.
    func lines(now: Double) -> [String] {
        guard !requests.isEmpty else { return ["  No supervisor request is pending."] }
        var table = TextTable([
            .init(title: "CALL"), .init(title: "CALLER"), .init(title: "AGENT"), .init(title: "SCORE", rightAligned: true),
            .init(title: "INCIDENTS", rightAligned: true), .init(title: "ASKED"), .init(title: "TIME LEFT"), .init(title: "WHY", maximumWidth: 50),
        ])
        for request in rows {
            table.add([
                request["call"].text, request["caller"].text, request["agent"].text, HumanTime.number(request["standing"]["score"]),
                request["standing"]["incidents"].text, Self.clock(request["asked_at"]?.string),
                Self.timeLeft(request["deadline"]?.string, now: now), request["reason"].text,
            ])
        }
        return table.lines()
    }

    /// One line per feed event, for output that is not a terminal (a log, a pipe).
    static func plain(_ event: JSONValue, now: Double) -> [String] {
        let at = clock(event["at"]?.string)
        switch event["event"]?.string {
        case "pending":
            let requests = event["requests"]?.array ?? []
            var lines = ["\(at) pending   \(requests.count) request\(requests.count == 1 ? "" : "s")"]
            if let omitted = event["omitted"]?.int64 { lines[0] += " (and \(omitted) more not listed)" }
            lines += requests.map { "\(at) pending   \(describe($0, now: now))" }
            return lines
        case "supervisor.needed":
            return ["\(at) needed    \(summary(event, now: now))"]
        case "supervisor.answered":
            return ["\(at) answered  \(summary(event, now: now))"]
        case "supervisor.timeout":
            return ["\(at) timeout   \(summary(event, now: now))"]
        case "dropped":
            let count = event["count"]?.int64 ?? 0
            return ["\(at) !! \(count) event\(count == 1 ? "" : "s") skipped: this client fell behind; asking again for what is pending"]
        default:
            return []
        }
    }

    /// What a supervisor notice says, without its time (`tail` shows the time and event itself).
    static func summary(_ event: JSONValue, now: Double) -> String {
        guard event["event"]?.string != "supervisor.needed" else { return describe(event["notice"], now: now) }
        return "call \(event["notice"]["call"].text): \(outcome(event))"
    }

    private static func describe(_ request: JSONValue?, now: Double) -> String {
        var line = "call \(request["call"].text) caller \(request["caller"].text)"
        if let agent = request["agent"]?.string { line += " agent \(agent)" }
        let incidents = request["standing"]["incidents"]?.int64 ?? 0
        line += ", score \(HumanTime.number(request["standing"]["score"])), \(incidents) incident\(incidents == 1 ? "" : "s")"
        line += ", time left \(timeLeft(request["deadline"]?.string, now: now))"
        return line
    }

    private static func outcome(_ event: JSONValue) -> String {
        let notice = event["notice"]
        if event["event"]?.string == "supervisor.timeout" { return "no verdict in time; the agent may end the call" }
        let by = notice["by"]?.string
        switch notice["verdict"]?.string {
        case "approve": return "approved" + (by.map { " by \($0)" } ?? "") + "; the agent may end the call"
        case "deny": return "denied" + (by.map { " by \($0)" } ?? "") + "; the call goes on"
        case "ended": return "the call ended before a verdict" + (by.map { " (by \($0))" } ?? "")
        default: return notice["verdict"].text
        }
    }

    /// `14:03:05` from RFC 3339 text (UTC, as the daemon writes it).
    static func clock(_ text: String?) -> String {
        guard let text, text.count >= 19 else { return "--:--:--" }
        return String(text.dropFirst(11).prefix(8))
    }

    /// Time until `deadline`: `1m 05s`, `45s`, `due` once passed, `no deadline` when the policy
    /// waits for ever.
    static func timeLeft(_ deadline: String?, now: Double) -> String {
        guard let deadline else { return "no deadline" }
        guard let seconds = EventTime.parse(deadline) else { return deadline }
        let left = (seconds - now).rounded(.up)
        guard left > 0 else { return "due" }
        // Within a day by the policy's bounds; held there before becoming an Int all the same.
        let whole = Int(min(left, 86_400 * 365))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, whole % 3600 / 60)
    }
}
