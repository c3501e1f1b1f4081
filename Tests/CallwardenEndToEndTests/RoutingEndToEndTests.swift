import Foundation
import Testing

@Suite("Routing, end to end")
struct RoutingEndToEndTests {
    @Test("Abuse routes the next call; forgiveness restores the normal queue and keeps the record")
    func routeAndForgive() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()

        let nuisance = try client.request(["type": "abuse", "caller": "07700 900111", "kind": "nuisance", "agent": "a1", "id": 1])
        #expect(nuisance.ok && nuisance.int("id") == 1)
        let verbal = try client.request(["type": "abuse", "caller": "+447700900222", "kind": "verbal", "agent": "a2", "note": "swore at the agent", "id": 2])
        #expect(verbal.ok)
        let incident = try #require(verbal.int("incident"))

        let first = try client.request(["type": "call.offered", "call": "c1", "caller": "sip:+447700900111@carrier;user=phone", "id": 3])
        #expect(first.string("route") == "nuisance" && first.string("queue") == "nuisance" && first.string("rule") == "nuisance")
        let second = try client.request(["type": "call.offered", "call": "c2", "caller": "00447700900222", "id": 4])
        #expect(second.string("route") == "supervisor" && second.string("queue") == "supervisor")
        #expect(second.standing["incidents"] as? Int == 1)
        let third = try client.request(["type": "call.offered", "call": "c3", "caller": "+447700900333", "id": 5])
        #expect(third.string("route") == "normal" && third.string("queue") == "support" && third.string("rule") == "default")
        let withheld = try client.request(["type": "call.offered", "call": "c4", "caller": "anonymous", "id": 6])
        #expect(withheld.string("route") == "normal" && withheld.string("queue") == "support")

        let forgiven = try client.request(["type": "forgive", "caller": "07700900222", "reason": "apologised in writing", "id": 7])
        #expect(forgiven.ok)
        let again = try client.request(["type": "call.offered", "call": "c5", "caller": "+447700900222", "id": 8])
        #expect(again.string("route") == "normal")

        let history = try client.request(["type": "history", "caller": "+44 7700 900222", "id": 9])
        let incidents = try #require(history["incidents"] as? [[String: Any]])
        #expect(incidents.count == 1)
        #expect(incidents.first?.int("id") == incident)
        #expect(incidents.first?["forgiven"] as? Bool == true)
        #expect(incidents.first?.string("note") == "swore at the agent")
        #expect(incidents.first?.string("agent") == "a2")
        #expect((incidents.first?["forgiveness"] as? [String: Any])?["reason"] as? String == "apologised in writing")
        #expect(daemon.stop() == 0)
    }

    @Test("A physical threat routes to a supervisor at high priority and answers with alert and hang-up")
    func physicalThreat() throws {
        let daemon = try Daemon().start()
        let threat = try daemon.request(["type": "abuse", "caller": "+447700900444", "kind": "physical_threat", "id": 1])
        #expect(threat.string("hangup") == "authorised")
        #expect(threat["alert"] as? Bool == true)
        let next = try daemon.request(["type": "call.offered", "call": "c", "caller": "+447700900444"])
        #expect(next.string("route") == "supervisor" && next.string("rule") == "physical-threat")
        #expect((next.int("priority") ?? 0) > 5)
        #expect(daemon.log.contains("ALERT"))
    }

    @Test("explain shows the rule trail and changes nothing")
    func explain() throws {
        let daemon = try Daemon().start()
        _ = try daemon.request(["type": "abuse", "caller": "+447700900555", "kind": "threat"])
        let explained = try daemon.request(["type": "explain", "caller": "+447700900555"])
        let trail = try #require(explained["trail"] as? [[String: Any]])
        #expect(trail.map { $0["rule"] as? String } == ["physical-threat", "nuisance", "abusive"])
        #expect(trail.last?["matched"] as? Bool == true)
        #expect(explained.string("route") == "supervisor")
        let status = try daemon.request(["type": "status"])
        #expect((status["routes"] as? [String: Any])?["supervisor"] as? Int == 0)
    }

    @Test("Unknown kinds and calls are refused without recording anything")
    func unknownKindAndCall() throws {
        let daemon = try Daemon().start()
        let anger = try daemon.request(["type": "abuse", "caller": "+447700900666", "kind": "anger", "id": "k"])
        #expect(anger.errorCode == "unknown_kind")
        #expect((anger["error"] as? [String: Any])?["message"] as? String ?? "" != "")
        let noCall = try daemon.request(["type": "abuse", "call": "never-offered", "kind": "verbal"])
        #expect(noCall.errorCode == "unknown_call")
        let history = try daemon.request(["type": "history", "caller": "+447700900666"])
        #expect((history["incidents"] as? [Any])?.isEmpty == true)
    }

    @Test("abuse by call id is tied to the offered call's caller")
    func abuseByCall() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        _ = try client.request(["type": "call.offered", "call": "SIP-1234@pbx", "caller": "07700 900777"])
        let abuse = try client.request(["type": "abuse", "call": "SIP-1234@pbx", "kind": "verbal", "agent": "a9"])
        #expect(abuse.ok)
        let history = try client.request(["type": "history", "caller": "+447700900777"])
        let incidents = try #require(history["incidents"] as? [[String: Any]])
        #expect(incidents.first?.string("call") == "SIP-1234@pbx")
    }
}
