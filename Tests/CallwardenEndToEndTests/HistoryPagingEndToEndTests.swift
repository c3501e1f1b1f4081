import Foundation
import Testing

/// `history` in pages, `at` on history, explain and forgive, and blank lines.
@Suite("History pages and as-of times, end to end")
struct HistoryPagingEndToEndTests {
    static let caller = "+447700900777"

    @Test("history answers 100 incidents a page with next; following next reads each incident once; callwardenctl reads every page")
    func paging() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        let batch = (0..<250).map { #"{"type":"abuse","caller":"\#(Self.caller)","kind":"verbal","id":\#($0)}"# }
        try client.send(raw: batch.joined(separator: "\n") + "\n")
        for _ in batch { #expect(try client.readResponse().ok) }

        var ids: [Int] = []
        var after: Int?
        var pages = 0
        repeat {
            var request: [String: Any] = ["type": "history", "caller": Self.caller]
            if let after { request["after"] = after }
            let page = try client.request(request)
            let incidents = page["incidents"] as? [[String: Any]] ?? []
            #expect(incidents.count == (pages < 2 ? 100 : 50))
            #expect(page.standing["incidents"] as? Int == 250)
            ids += incidents.compactMap { $0["id"] as? Int }
            after = page["next"] as? Int
            #expect(page.keys.contains("next"))
            pages += 1
        } while after != nil && pages < 10
        #expect(pages == 3)
        #expect(ids == Array(1...250))

        let small = try client.request(["type": "history", "caller": Self.caller, "limit": 7, "after": 240])
        #expect((small["incidents"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == Array(241...247))
        #expect(small["next"] as? Int == 247)
        #expect(try client.request(["type": "history", "caller": Self.caller, "limit": 1001]).errorCode == "bad_request")

        let table = try Command.ctl(daemon, ["history", Self.caller])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("250 unforgiven incidents"))
        let rows = table.stdout.split(separator: "\n").filter { $0.contains(" verbal ") }
        #expect(rows.count == 250)
    }

    @Test("history and explain with at leave out later incidents and decay weights to that time")
    func asOf() throws {
        let daemon = try Daemon().start()
        let now = Date().timeIntervalSince1970
        let day = 86_400.0
        let early = try daemon.request(["type": "abuse", "caller": Self.caller, "kind": "verbal", "at": now - 100 * day])
        let late = try daemon.request(["type": "abuse", "caller": Self.caller, "kind": "verbal", "at": now - day])
        #expect(early.ok && late.ok)

        // 90d half-life: one half-life after the early incident, before the late one.
        let then = now - 10 * day
        let history = try daemon.request(["type": "history", "caller": Self.caller, "at": then])
        let incidents = history["incidents"] as? [[String: Any]] ?? []
        #expect(incidents.compactMap { $0["id"] as? Int } == [early.int("incident")])
        #expect(incidents.first?["weight"] as? Double == 0.5)
        #expect(history.standing["incidents"] as? Int == 1)
        #expect(history.standing["score"] as? Double == 0.5)
        #expect((try daemon.request(["type": "history", "caller": Self.caller])["incidents"] as? [Any])?.count == 2)

        let explained = try daemon.request(["type": "explain", "caller": Self.caller, "at": then])
        #expect((explained["incidents"] as? [Any])?.count == 1)
        #expect(explained.standing["score"] as? Double == 0.5)
        #expect(explained.string("rule") == "abusive")
        let before = try daemon.request(["type": "explain", "caller": Self.caller, "at": now - 200 * day])
        #expect(before.string("rule") == "default")
        #expect((before["incidents"] as? [Any])?.count == 0)
    }

    @Test("forgive with at records the forgiveness at that time")
    func forgiveAt() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": Self.caller, "kind": "verbal", "at": 1_768_464_000 - 86_400]).ok)
        let forgiven = try daemon.request(["type": "forgive", "caller": Self.caller, "reason": "apologised", "at": "2026-01-15T08:00:00Z"])
        #expect(forgiven.ok, "\(forgiven)")
        let history = try daemon.request(["type": "history", "caller": Self.caller])
        let forgiveness = (history["incidents"] as? [[String: Any]])?.first?["forgiveness"] as? [String: Any]
        #expect(forgiveness?["at"] as? String == "2026-01-15T08:00:00Z")
    }

    @Test("at on history, explain and forgive is held to the same window as events")
    func queryWindow() throws {
        let daemon = try Daemon().start()
        let future = Date().timeIntervalSince1970 + 86_400
        for type in ["history", "explain"] {
            #expect(try daemon.request(["type": type, "caller": Self.caller, "at": future]).errorCode == "bad_request")
        }
        #expect(try daemon.request(["type": "forgive", "caller": Self.caller, "reason": "r", "at": future]).errorCode == "bad_request")
        #expect(try daemon.request(["type": "history", "caller": Self.caller, "at": -1]).errorCode == "bad_request")
    }

    @Test("Whitespace-only lines get no answer")
    func blankLines() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: "   \n\t\n \r\n\n" + #"{"type":"status","id":"after-blanks"}"# + "\n")
        let answer = try client.readResponse()
        #expect(answer["id"] as? String == "after-blanks")
        #expect(answer.ok)
    }
}
