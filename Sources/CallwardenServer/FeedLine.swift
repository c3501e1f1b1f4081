import CallwardenCore
import CallwardenEngine
import CallwardenProtocol
import Foundation

/// The lines of the `tail` feed, one JSON object each (docs/record.md):
/// `{"event":TYPE,"at":TIME,"request":{...},"answer":{...}}` for a request that succeeded,
/// `{"event":"purge",...}` for the daily purge, `{"event":"dropped","count":N}` when lines were lost.
public enum FeedLine {
    /// A request and its successful answer, without their `id`s; nil if the answer is a failure.
    static func event(type: String, request: [UInt8], answer: String) -> String? {
        guard case .object(var answered) = try? JSONParser.parse(answer.utf8), answered["ok"] == .bool(true),
              case .object(var asked) = try? JSONParser.parse(request) else { return nil }
        answered["id"] = nil
        answered["ok"] = nil
        asked["id"] = nil
        asked["type"] = nil
        var writer = JSONWriter()
        writer.field("event", type)
        writer.field("at", EventTime.format(now()))
        writer.field("request", .object(asked))
        writer.field("answer", .object(answered))
        return String(writer.line().dropLast())
    }

    /// A purge that the daily retention run made.
    public static func purge(_ outcome: PurgeOutcome) -> String {
        var writer = JSONWriter()
        writer.field("event", "purge")
        writer.field("at", EventTime.format(now()))
        writer.object("answer") { Responses.write(outcome, to: &$0) }
        return String(writer.line().dropLast())
    }

    /// A notice: `{"event":"supervisor.needed","at":...,"notice":{...}}`.
    public static func notice(_ notice: EngineNotice) -> String {
        var writer = JSONWriter()
        writer.field("event", notice.event)
        writer.field("at", EventTime.format(now()))
        writer.object("notice") { Responses.write(notice, to: &$0) }
        return String(writer.line().dropLast())
    }

    /// What a `supervise` subscriber sees first: the requests pending as it joined, earliest asked
    /// first, as many as fit in `maximumBytes`; `omitted` counts the rest (and those the caller
    /// left out).
    static func pending(_ requests: [SupervisorRequest], omitted: Int, maximumBytes: Int = 192 * 1024) -> String {
        var size = 0
        let shown = requests.prefix { request in
            // Generous for the fixed fields; the free texts as they are.
            size += 256 + request.call.utf8.count + (request.agent?.utf8.count ?? 0) + request.reason.utf8.count + request.caller.display.utf8.count
            return size <= maximumBytes
        }
        var writer = JSONWriter()
        writer.field("event", "pending")
        writer.field("at", EventTime.format(now()))
        writer.array("requests", shown) { Responses.write($1, to: &$0) }
        let left = omitted + requests.count - shown.count
        if left > 0 { writer.field("omitted", left) }
        return String(writer.line().dropLast())
    }

    static func dropped(_ count: Int) -> String {
        var writer = JSONWriter()
        writer.field("event", "dropped")
        writer.field("at", EventTime.format(now()))
        writer.field("count", count)
        writer.field("message", "\(count) event(s) not sent: this subscriber read more slowly than they happened")
        return String(writer.line().dropLast())
    }

    static func now() -> Double {
        (Date().timeIntervalSince1970 * 1000).rounded() / 1000
    }
}
