import Foundation
import Testing

/// Exemptions, reviews, grace, shadow rules and caller-id trust through the real daemon and record.
@Suite("Fair decisions, end to end")
struct FairnessEndToEndTests {
    /// The shipped policy with `extra` inserted before `rules:` and, when given, the nuisance
    /// rule's review period replaced.
    static func policy(extra: String = "", nuisanceReview: String? = nil) throws -> String {
        var text = try Daemon.shippedPolicyText()
        text = text.replacingOccurrences(of: "\nrules:\n", with: "\n\(extra)\nrules:\n")
        if let nuisanceReview {
            let shipped = "    review: 180d\n    route: nuisance\n"
            precondition(text.contains(shipped), "the shipped nuisance rule no longer has a 180d review")
            text = text.replacingOccurrences(of: shipped, with: "    review: \(nuisanceReview)\n    route: nuisance\n")
        }
        return text
    }

    static func started(_ policy: String) throws -> Daemon {
        let daemon = try Daemon()
        try daemon.usePolicy(policy)
        return try daemon.start()
    }

    @Test("An exemption keeps a nuisance caller out of the nuisance queue until it lapses, and is in the record")
    func exemptionWithExpiry() throws {
        let daemon = try Daemon().start()
        let now = Date().timeIntervalSince1970
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900801", "kind": "nuisance"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "c0", "caller": "+447700900801"]).string("route") == "nuisance")

        let added = try daemon.request(["type": "exempt.add", "target": "07700 900801", "reason": "on the vulnerable-callers register", "until": now + 60])
        #expect(added.ok)
        let exemption = try #require((added["exemption"] as? [String: Any])?.int("id"))
        let during = try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900801", "at": now + 30])
        #expect(during.string("route") == "normal")
        #expect(during.int("exemption") == exemption)
        // Dated after the expiry (within the clock skew the shipped policy allows).
        let after = try daemon.request(["type": "call.offered", "call": "c2", "caller": "+447700900801", "at": now + 120])
        #expect(after.string("route") == "nuisance")

        let export = try daemon.request(["type": "export", "caller": "+447700900801"])
        let types = (export["entries"] as? [[String: Any]] ?? []).map { $0.string("type") }
        #expect(types.contains("exemption"))
        #expect(try daemon.request(["type": "verify"]).ok)
    }

    @Test("An exemption survives a restart and ends when removed")
    func exemptionAcrossRestart() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900802", "kind": "nuisance"]).ok)
        let added = try daemon.request(["type": "exempt.add", "target": "+4477009008*", "reason": "partner switchboard", "routes": ["nuisance", "supervisor"]])
        let id = try #require((added["exemption"] as? [String: Any])?.int("id"))
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900802"]).string("route") == "normal")
        let listed = try daemon.request(["type": "exempt.list"])
        #expect((listed["exemptions"] as? [[String: Any]])?.map { $0.int("id") } == [id])

        #expect(try daemon.request(["type": "exempt.remove", "exemption": id, "reason": "partnership ended"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "c2", "caller": "+447700900802"]).string("route") == "nuisance")
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "c3", "caller": "+447700900802"]).string("route") == "nuisance")
        #expect(try daemon.request(["type": "verify"]).ok)
    }

    @Test("The anonymous class cannot be exempted, and an exemption needs a reason")
    func exemptionRefusals() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "exempt.add", "target": "withheld", "reason": "r"]).errorCode == "bad_request")
        #expect(try daemon.request(["type": "exempt.add", "target": "+44*7", "reason": "r"]).errorCode == "bad_request")
        #expect(try daemon.request(["type": "exempt.add", "target": "+447700900803", "reason": "  "]).errorCode == "bad_request")
        #expect((try daemon.request(["type": "exempt.list"])["exemptions"] as? [Any])?.isEmpty == true)
    }

    @Test("A restriction past its review date routes normal until renewed; the renewal is in the record")
    func review() throws {
        let daemon = try Self.started(try Self.policy(nuisanceReview: "1d"))
        let now = Date().timeIntervalSince1970
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900811", "kind": "nuisance", "at": now - 2 * 86_400]).ok)
        let lapsed = try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900811"])
        #expect(lapsed.string("route") == "normal")
        let due = try daemon.request(["type": "review.list"])
        let item = try #require((due["reviews"] as? [[String: Any]])?.first)
        #expect(item.string("caller") == "+447700900811" && item["lapsed"] as? Bool == true)

        let renewed = try daemon.request(["type": "review.renew", "caller": "+447700900811", "reason": "called again about the same prank"])
        #expect(renewed.string("route_now") == "nuisance")
        #expect(try daemon.request(["type": "call.offered", "call": "c2", "caller": "+447700900811"]).string("route") == "nuisance")
        let export = try daemon.request(["type": "export", "caller": "+447700900811"])
        let review = (export["entries"] as? [[String: Any]] ?? []).first { $0.string("type") == "review" }
        #expect(review?.string("outcome") == "renew")

        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "c3", "caller": "+447700900811"]).string("route") == "nuisance")
        #expect(try daemon.request(["type": "review.end", "caller": "+447700900811", "reason": "apologised"]).string("route_now") == "normal")
        #expect(try daemon.request(["type": "call.offered", "call": "c4", "caller": "+447700900811"]).string("route") == "normal")
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900811", "kind": "nuisance"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "c5", "caller": "+447700900811"]).string("route") == "nuisance")
    }

    @Test("A shadow rule is counted in status, explain and the journal but never changes the route")
    func shadow() throws {
        let shadowRule = """
            - name: watch-verbal
              shadow: true
              when:
                incidents: {at_least: 1, kinds: [verbal]}
              route: nuisance
              queue: nuisance
              priority: 0
              reason: Trying out nuisance routing for verbal abuse.

            """
        let text = try Daemon.shippedPolicyText().replacingOccurrences(of: "\nrules:\n", with: "\nrules:\n" + shadowRule.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n"))
        let daemon = try Self.started(text)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900821", "kind": "verbal"]).ok)
        let routed = try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900821"])
        #expect(routed.string("route") == "supervisor" && routed.string("rule") == "abusive")
        let status = try daemon.request(["type": "status"])
        #expect((status["shadow"] as? [String: Any])?["watch-verbal"] as? Int == 1)
        let explained = try daemon.request(["type": "explain", "caller": "+447700900821"])
        #expect(explained["shadow"] as? [String] == ["watch-verbal"])
        let step = (explained["trail"] as? [[String: Any]])?.first { $0.string("rule") == "watch-verbal" }
        #expect(step?.string("outcome") == "shadow")
        #expect(daemon.log.contains("Shadow rule watch-verbal matched"))
    }

    @Test("Attestation weighting changes standing as the policy says, and is kept with each incident")
    func attestation() throws {
        let daemon = try Self.started(try Self.policy(extra: "caller_id:\n  weights: {A: 1, B: 1, C: 0.25, failed: 0.1, none: 1}\n"))
        let gateway = try daemon.request(["type": "abuse", "caller": "+447700900831", "kind": "verbal", "attestation": "C"])
        #expect((gateway["standing"] as? [String: Any])?["score"] as? Double ?? 1 < 0.3)
        #expect(try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900831"]).string("route") == "normal")

        #expect(try daemon.request(["type": "call.offered", "call": "c2", "caller": "+447700900832", "attestation": "A", "verification": "TN-Validation-Passed"]).ok)
        let full = try daemon.request(["type": "abuse", "call": "c2", "kind": "verbal"])
        #expect((full["standing"] as? [String: Any])?["score"] as? Double ?? 0 > 0.9)
        #expect(try daemon.request(["type": "call.offered", "call": "c3", "caller": "+447700900832"]).string("route") == "supervisor")

        #expect(daemon.stop() == 0)
        try daemon.start()
        let explained = try daemon.request(["type": "explain", "caller": "+447700900831"])
        #expect((explained["incidents"] as? [[String: Any]])?.first?.string("attestation") == "C")
        #expect(try daemon.request(["type": "call.offered", "call": "c4", "caller": "+447700900831"]).string("route") == "normal")
        let trusted = try daemon.request(["type": "explain", "caller": "+447700900832"])
        #expect((trusted["incidents"] as? [[String: Any]])?.first?.string("attestation") == "A")
    }

    @Test("After forgiveness with grace a light incident does not restore the restriction; a heavy one does")
    func grace() throws {
        let daemon = try Self.started(try Self.policy(extra: "forgiveness:\n  grace: 30d\n  grace_below: 2\n"))
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900841", "kind": "verbal"]).ok)
        let forgiven = try daemon.request(["type": "forgive", "caller": "+447700900841", "reason": "apologised"])
        #expect(forgiven.string("grace_until") != nil)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900841", "kind": "verbal"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "c1", "caller": "+447700900841"]).string("route") == "normal")
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "c2", "caller": "+447700900841"]).string("route") == "normal")
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900841", "kind": "threat"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "c3", "caller": "+447700900841"]).string("route") == "supervisor")
    }
}
