import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tail`: the live feed of decisions and incidents.
@Suite("The live feed, end to end")
struct FeedEndToEndTests {
    static func json(_ line: String?) -> [String: Any] {
        guard let line else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("A subscriber sees each decision and incident as it happens, and nothing else")
    func follows() throws {
        let daemon = try Daemon().start()
        let feed = try daemon.client()
        #expect(try feed.request(["type": "tail", "id": "t"])["tail"] as? Bool == true)
        let client = try daemon.client()
        #expect(try client.request(["type": "call.offered", "call": "f1", "caller": "+447700900501"]).ok)
        #expect(try client.request(["type": "status"]).ok)
        #expect(try client.request(["type": "abuse", "call": "f1", "kind": "verbal", "agent": "a1"]).ok)
        #expect(try client.request(["type": "abuse", "call": "f1", "kind": "anger"]).errorCode == "unknown_kind")
        #expect(try client.request(["type": "call.ended", "call": "f1", "by": "agent"]).ok)

        let offered = Self.json(try feed.readLine())
        #expect(offered.string("event") == "call.offered")
        #expect((offered["request"] as? [String: Any])?.string("caller") == "+447700900501")
        #expect((offered["answer"] as? [String: Any])?.string("route") == "normal")
        let abuse = Self.json(try feed.readLine())
        #expect(abuse.string("event") == "abuse")
        #expect((abuse["answer"] as? [String: Any])?.int("incident") == 2)
        #expect(Self.json(try feed.readLine()).string("event") == "call.ended")
    }

    @Test("Pipelined on one connection, an incident reaches the feed before the decision it caused, with the caller normalised")
    func incidentBeforeItsDecision() throws {
        let daemon = try Daemon().start()
        let feed = try daemon.client()
        #expect(try feed.request(["type": "tail"]).ok)
        let client = try daemon.client()
        // Sent without waiting: the abuse waits for its commit, the decision is answered at once.
        try client.send(["type": "abuse", "caller": "07700 900502", "kind": "verbal", "id": 1])
        try client.send(["type": "call.offered", "call": "f2", "caller": "07700 900502", "id": 2])
        _ = try client.readLine()
        _ = try client.readLine()
        let first = Self.json(try feed.readLine())
        let second = Self.json(try feed.readLine())
        #expect(first.string("event") == "abuse")
        #expect(second.string("event") == "call.offered")
        #expect((first["answer"] as? [String: Any])?.string("caller") == "+447700900502")
        #expect((second["answer"] as? [String: Any])?.string("route") == "supervisor")
        #expect((second["answer"] as? [String: Any])?.string("caller") == "+447700900502")
    }

    @Test("A subscriber sees each exemption added or ended and each review decision, as the record gains them")
    func followsExemptionsAndReviews() throws {
        let daemon = try Daemon().start()
        let feed = try daemon.client()
        #expect(try feed.request(["type": "tail"]).ok)
        let client = try daemon.client()
        #expect(try client.request(["type": "abuse", "caller": "+447700900502", "kind": "nuisance"]).ok)
        let added = try client.request(["type": "exempt.add", "target": "+447700900502", "reason": "register"])
        let id = try #require((added["exemption"] as? [String: Any])?.int("id"))
        #expect(try client.request(["type": "review.end", "caller": "+447700900502", "reason": "spoke with the caller"]).ok)
        #expect(try client.request(["type": "exempt.remove", "exemption": id, "reason": "left the register"]).ok)

        #expect(Self.json(try feed.readLine()).string("event") == "abuse")
        let exempted = Self.json(try feed.readLine())
        #expect(exempted.string("event") == "exempt.add")
        #expect(((exempted["answer"] as? [String: Any])?["exemption"] as? [String: Any])?.int("id") == id)
        let reviewed = Self.json(try feed.readLine())
        #expect(reviewed.string("event") == "review.end")
        #expect((reviewed["request"] as? [String: Any])?.string("reason") == "spoke with the caller")
        #expect(Self.json(try feed.readLine()).string("event") == "exempt.remove")
    }

    @Test("A subscriber that does not read never slows the daemon; it is told what it missed")
    func slowSubscriber() throws {
        let daemon = try Daemon().start()
        let stalled = try daemon.client()
        #expect(try stalled.request(["type": "tail"]).ok)
        // The stalled subscriber reads nothing while thousands of decisions are made.
        let client = try daemon.client()
        // Each answer arriving is the check: a daemon slowed by the subscriber would hit the
        // client's read time limit.
        for chunk in 0..<40 {
            for index in 0..<100 {
                try client.send(["type": "call.offered", "call": "s\(chunk)-\(index)", "caller": "+4477009006\(String(format: "%02d", index))"])
            }
            for _ in 0..<100 { #expect(try client.readResponse().ok) }
        }
        // Now it reads: the lines it had room for, then a notice of how many it missed.
        var dropped = 0
        var lines = 0
        while dropped == 0, let line = try stalled.readLine() {
            lines += 1
            let event = Self.json(line)
            if event.string("event") == "dropped" { dropped = event.int("count") ?? 0 }
        }
        #expect(dropped > 0)
        #expect(lines + dropped <= 4000 + 1)
    }
}
