@testable import CallwardenServer
import CallwardenCore
import CallwardenEngine
import CallwardenProtocol
import Testing

/// The supervisors' side of the live feed: the snapshot a `supervise` subscriber starts with, the
/// notices after it, and the bounds on both.
@Suite("The supervisor feed")
struct SupervisorFeedTests {
    func request(_ call: String, asked: Double = 1_800_000_000, reason: String = "Abuse went on after the warning.") -> SupervisorRequest {
        SupervisorRequest(
            call: call, caller: .known("+447700900123"), agent: "a1", standing: Standing(score: 2, incidents: 2),
            rule: "supervisor-required", reason: reason, askedAt: asked, deadline: asked + 120, entry: 7)
    }

    func parse(_ line: String?) throws -> JSONValue { try JSONParser.parse((line ?? "").utf8) }

    @Test("A subscriber's first line lists what was announced before it joined; later notices follow, once each")
    func snapshotThenNotices() async throws {
        let feed = EventFeed()
        feed.resume([request("r0", asked: 1_799_999_000)])
        feed.publish(.supervisorNeeded(request("c1")))
        feed.publish(.supervisorNeeded(request("c2")))
        feed.publish(.supervisorAnswered(request("c2"), verdict: "deny", by: "s1"))
        let subscription = feed.subscribeSupervisor()
        feed.publish(.supervisorTimedOut(request("c1")))

        let snapshot = try parse(await subscription.next())
        #expect(snapshot["event"]?.string == "pending")
        #expect(snapshot["requests"]?.array?.map { $0["call"]?.string } == ["r0", "c1"])
        let timedOut = try parse(await subscription.next())
        #expect(timedOut["event"]?.string == "supervisor.timeout")
        #expect(timedOut["notice"]?["call"]?.string == "c1")
        #expect(timedOut["notice"]?["deadline"]?.string == EventTime.format(1_800_000_120))
        feed.unsubscribe(subscription)
    }

    @Test("A supervise subscriber gets only the supervisor notices; a tail subscriber gets them among the rest")
    func filtered() async throws {
        let feed = EventFeed()
        let supervisor = feed.subscribeSupervisor()
        let tail = feed.subscribe()
        #expect(feed.carries("call.offered"))
        feed.publish(#"{"event":"purge"}"#)
        feed.publish(.supervisorAnswered(request("c1"), verdict: "approve", by: "s1"))

        #expect(try parse(await supervisor.next())["event"]?.string == "pending")
        let answered = try parse(await supervisor.next())
        #expect(answered["event"]?.string == "supervisor.answered")
        #expect(answered["notice"]?["verdict"]?.string == "approve")
        #expect(answered["notice"]?["by"]?.string == "s1")
        #expect(try parse(await tail.next())["event"]?.string == "purge")
        #expect(try parse(await tail.next())["event"]?.string == "supervisor.answered")
        feed.unsubscribe(supervisor)
        feed.unsubscribe(tail)
    }

    @Test("Only supervise subscribers: no request's line is built for the tail feed")
    func superviseAloneDoesNotWatchRequests() {
        let feed = EventFeed()
        let supervisor = feed.subscribeSupervisor()
        #expect(feed.isWatched)
        #expect(!feed.carries("call.offered"))
        feed.unsubscribe(supervisor)
    }

    @Test("A snapshot of many long requests is cut to a bounded line and says how many were left out")
    func boundedSnapshot() throws {
        let long = String(repeating: "x", count: 4000)
        let requests = (0..<1000).map { request("call-\($0)", asked: 1_800_000_000 + Double($0), reason: long) }
        let line = FeedLine.pending(requests, omitted: 25)
        #expect(line.utf8.count < 256 * 1024)
        let parsed = try parse(line)
        let shown = parsed["requests"]?.array?.count ?? 0
        #expect(shown > 0)
        #expect(Int(parsed["omitted"]?.int64 ?? 0) == 1025 - shown)
        #expect(parsed["requests"]?.array?.first?["call"]?.string == "call-0")
    }
}
