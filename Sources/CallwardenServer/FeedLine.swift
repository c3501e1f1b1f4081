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
