import Foundation
import Testing

/// Exemptions, reviews, grace, shadow rules and caller-id trust as an operator meets them:
/// through callwardenctl and across restarts of the real daemon.
@Suite("Fair decisions through callwardenctl, end to end")
struct FairnessControlEndToEndTests {
    /// The shipped policy with a shadow rule first, holding for any caller with a verbal incident.
    static func policyWithShadow() throws -> String {
        let rule = """
              - name: watch-verbal
                shadow: true
                when:
                  incidents: {at_least: 1, kinds: [verbal]}
                route: nuisance
                queue: nuisance
                priority: 0

            """
        return try Daemon.shippedPolicyText().replacingOccurrences(of: "\nrules:\n", with: "\nrules:\n" + rule)
    }

    @Test("explain of a caller an exemption kept from a route is one JSON object naming the exemption once, and callwardenctl explain shows it")
    func explainOfAnExemptCaller() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900901", "kind": "nuisance"]).ok)
        let added = try daemon.request(["type": "exempt.add", "target": "+447700900901", "reason": "on the vulnerable-callers register"])
        let id = try #require((added["exemption"] as? [String: Any])?.int("id"))

        let client = try daemon.client()
        try client.send(raw: #"{"type":"explain","caller":"+447700900901"}"# + "\n")
        let line = try #require(try client.readLine())
        #expect(line.components(separatedBy: "\"exemption\":").count == 2, "\(line)")

        let explained = try Command.ctl(daemon, ["explain", "+447700900901"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("skipped"))
        #expect(explained.stdout.contains("skipped: exemption \(id)"))
        #expect(explained.stdout.contains("Exemption \(id) (+447700900901): never routed nuisance, until removed"))
        #expect(explained.stdout.contains("CALLER ID"))
    }

    @Test("callwardenctl explain shows review decisions, grace and each incident's caller-id trust")
    func explainShowsReviewGraceAndTrust() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try FairnessEndToEndTests.policy(extra: "forgiveness:\n  grace: 30d\n  grace_below: 2\n"))
        try daemon.start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900902", "kind": "verbal", "attestation": "B"]).ok)
        #expect(try daemon.request(["type": "review.end", "caller": "+447700900902", "reason": "spoke with the caller"]).ok)
        #expect(try daemon.request(["type": "forgive", "caller": "+447700900902", "reason": "apologised"]).ok)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900902", "kind": "verbal"]).ok)

        let explained = try Command.ctl(daemon, ["explain", "+447700900902"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("Restriction ended by a person"))
        #expect(explained.stdout.contains("Grace after forgiveness until"))
        #expect(explained.stdout.contains("in grace"))
        let rows = explained.stdout.split(separator: "\n").filter { $0.contains(" verbal ") }
        #expect(rows.count == 2)
        #expect(rows.first?.contains(" B ") == true, "\(explained.stdout)")
        #expect(rows.last?.contains(" none ") == true, "\(explained.stdout)")
    }

    @Test("An incident in a call resumed after a restart carries the caller-id trust the call was offered with")
    func resumedCallKeepsItsTrust() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "call.offered", "call": "r1", "caller": "+447700900903", "attestation": "C"]).ok)
        #expect(try daemon.request(["type": "abuse", "call": "r1", "kind": "verbal"]).ok)
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "abuse", "call": "r1", "kind": "verbal"]).ok)

        let export = try daemon.request(["type": "export", "caller": "+447700900903"])
        let incidents = (export["entries"] as? [[String: Any]] ?? []).filter { $0.string("type") == "incident" }
        #expect(incidents.count == 2)
        #expect(incidents.map { $0.string("attestation") } == ["C", "C"])
        #expect(try daemon.request(["type": "verify"]).ok)
    }

    @Test("callwardenctl status shows shadow rules' matches and the exemptions in force; exempt list says when each lapses")
    func statusAndExemptList() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try Self.policyWithShadow())
        try daemon.start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900904", "kind": "verbal"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "s1", "caller": "+447700900904"]).ok)
        #expect(try daemon.request(["type": "exempt.add", "target": "+447700900905", "reason": "partner"]).ok)

        let status = try Command.ctl(daemon, ["status"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("shadow  watch-verbal 1"))
        #expect(status.stdout.contains("1 exemption in force"))

        let listed = try Command.ctl(daemon, ["exempt", "list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("until removed"))
        #expect(!listed.stdout.contains("removed by hand"))
    }

    @Test("policy test counts a shadow rule that held once as one time")
    func policyTestShadowCount() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900906", "kind": "verbal"]).ok)
        let file = daemon.directory.appendingPathComponent("candidate.yaml")
        try Self.policyWithShadow().write(to: file, atomically: true, encoding: .utf8)
        let tested = try Command.ctl(daemon, ["policy", "test", file.path])
        #expect(tested.status == 0, "\(tested.stdout)\(tested.stderr)")
        #expect(tested.stdout.contains("watch-verbal (line"))
        #expect(tested.stdout.contains("held 1 time"))
        #expect(!tested.stdout.contains("1 times"))
    }

    @Test("explain weighs a rule on caller-id trust with the attestation or verification it is given, through the wire and callwardenctl")
    func explainWithTrust() throws {
        let rule = """
              - name: unverified
                when:
                  attestation: [failed]
                route: normal
                queue: verify-caller
                priority: 5

            """
        let daemon = try Daemon()
        try daemon.usePolicy(try Daemon.shippedPolicyText().replacingOccurrences(of: "\nrules:\n", with: "\nrules:\n" + rule))
        try daemon.start()
        #expect(try daemon.request(["type": "explain", "caller": "+447700900907"]).string("rule") == "default")
        #expect(try daemon.request(["type": "explain", "caller": "+447700900907", "verification": "TN-Validation-Failed"]).string("rule") == "unverified")
        #expect(try daemon.request(["type": "explain", "caller": "+447700900907", "attestation": "D"]).errorCode == "bad_request")

        let failed = try Command.ctl(daemon, ["explain", "+447700900907", "--verification", "TN-Validation-Failed"])
        #expect(failed.status == 0, "\(failed.stderr)")
        #expect(failed.stdout.contains("Decided by rule unverified"))
        let attested = try Command.ctl(daemon, ["explain", "+447700900907", "--attestation", "A"])
        #expect(attested.stdout.contains("Decided by rule default"))
        #expect(try Command.ctl(daemon, ["explain", "+447700900907", "--attestation", "a"]).status == 64)
    }

    @Test("A time or period JSON cannot hold (inf, 1e400, beyond 9999) is a usage error, never sent as if the option were absent")
    func unrepresentableTimes() throws {
        let daemon = try Daemon().start()
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900908", "kind": "verbal"]).ok)
        let file = daemon.directory.appendingPathComponent("candidate.yaml")
        try Daemon.shippedPolicyText().write(to: file, atomically: true, encoding: .utf8)
        for since in ["inf", "1e400", "-5", "1e300y"] {
            #expect(try Command.ctl(daemon, ["policy", "test", file.path, "--since", since]).status == 64, "--since \(since)")
            #expect(try Command.ctl(daemon, ["export", "--since", since]).status == 64, "--since \(since)")
        }
        #expect(try Command.ctl(daemon, ["forgive", "+447700900908", "--reason", "r", "--grace", "1e308y"]).status == 64)
        #expect(try Command.ctl(daemon, ["exempt", "add", "+447700900908", "--reason", "r", "--until", "1e300y"]).status == 64)
        #expect(try Command.ctl(daemon, ["review", "list", "--within", "1e308y"]).status == 64)
        // Nothing reached the record.
        #expect(try daemon.request(["type": "explain", "caller": "+447700900908"]).standing["incidents"] as? Int == 1)
        #expect((try daemon.request(["type": "exempt.list"])["exemptions"] as? [Any])?.isEmpty == true)
    }

    /// The shipped policy with a 30-day grace and forgiven incidents purged a second after.
    static func policyWithGraceAndQuickRetention() throws -> String {
        try FairnessEndToEndTests.policy(extra: "forgiveness:\n  grace: 30d\n  grace_below: 2\nretention:\n  forgiven: 1s\n")
    }

    @Test("A grace period outlives the purge of the incidents it followed, before and after a restart")
    func gracePeriodOutlivesThePurge() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try Self.policyWithGraceAndQuickRetention())
        try daemon.start()
        let then = Date().timeIntervalSince1970 - 10
        // One caller keeps a light incident from the grace period; the other has none left.
        for caller in ["+447700900909", "+447700900910"] {
            #expect(try daemon.request(["type": "abuse", "caller": caller, "kind": "verbal", "at": then - 10]).ok)
            #expect(try daemon.request(["type": "forgive", "caller": caller, "reason": "apologised", "at": then]).string("grace_until") != nil)
        }
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900909", "kind": "verbal"]).ok)
        let purged = try daemon.request(["type": "purge"])
        #expect(purged["purged"] as? [Int] == [1, 3], "\(purged)")

        #expect(try daemon.request(["type": "call.offered", "call": "g1", "caller": "+447700900909"]).string("route") == "normal")
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900910", "kind": "verbal"]).ok)
        #expect(try daemon.request(["type": "call.offered", "call": "g2", "caller": "+447700900910"]).string("route") == "normal")

        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "g3", "caller": "+447700900909"]).string("route") == "normal")
        #expect(try daemon.request(["type": "call.offered", "call": "g4", "caller": "+447700900910"]).string("route") == "normal")
        let export = try daemon.request(["type": "export", "caller": "+447700900909"])
        let kept = (export["entries"] as? [[String: Any]] ?? []).filter { $0.string("type") == "forgiveness" }
        #expect(kept.count == 1 && kept.first?.int("ref") == 1)
        #expect(try daemon.request(["type": "verify"])["verified"] as? Bool == true)
    }

    @Test("review list says where a caller past review goes now: the next rule's route, not always normal")
    func reviewListSaysTheRouteNow() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try FairnessEndToEndTests.policy(nuisanceReview: "1d"))
        try daemon.start()
        let then = Date().timeIntervalSince1970 - 2 * 86_400
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900911", "kind": "nuisance", "at": then]).ok)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900911", "kind": "verbal", "at": then]).ok)

        let listed = try daemon.request(["type": "review.list"])
        let item = try #require((listed["reviews"] as? [[String: Any]])?.first)
        #expect(item.string("rule") == "nuisance" && item["lapsed"] as? Bool == true)
        #expect(item.string("route_now") == "supervisor" && item.string("rule_now") == "abusive")
        let shown = try Command.ctl(daemon, ["review", "list"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("past review: now supervisor (rule abusive)"), "\(shown.stdout)")
    }

    @Test("A review of something that is not one caller's number says so, naming what was typed")
    func reviewOfAPattern() throws {
        let daemon = try Daemon().start()
        let answer = try daemon.request(["type": "review.renew", "caller": "+44*", "reason": "typed a pattern"])
        #expect(answer.errorCode == "bad_request")
        let message = (answer["error"] as? [String: Any])?.string("message") ?? ""
        #expect(message.contains("'+44*' is not one caller's number"), "\(message)")
    }

    @Test("Forgiving one incident within a grace period keeps the light incidents the period graced from counting again, before and after a restart")
    func forgivingWithinAGracePeriod() throws {
        let daemon = try Daemon()
        try daemon.usePolicy(try FairnessEndToEndTests.policy(extra: "forgiveness:\n  grace: 30d\n  grace_below: 2\n"))
        try daemon.start()
        let now = Date().timeIntervalSince1970
        let caller = "+447700900912"
        #expect(try daemon.request(["type": "abuse", "caller": caller, "kind": "verbal", "at": now - 100]).ok)
        #expect(try daemon.request(["type": "forgive", "caller": caller, "reason": "apologised", "at": now - 90]).ok)
        #expect(try daemon.request(["type": "abuse", "caller": caller, "kind": "verbal", "at": now - 80]).ok)
        let threat = try daemon.request(["type": "abuse", "caller": caller, "kind": "threat", "at": now - 70])
        let id = try #require(threat.int("incident"))
        #expect(try daemon.request(["type": "call.offered", "call": "w1", "caller": caller]).string("route") == "supervisor")

        let forgiven = try daemon.request(["type": "forgive", "caller": caller, "reason": "the threat was withdrawn", "incident": id])
        #expect(forgiven.standing["score"] as? Double == 0, "\(forgiven)")
        #expect(try daemon.request(["type": "call.offered", "call": "w2", "caller": caller]).string("route") == "normal")
        #expect(daemon.stop() == 0)
        try daemon.start()
        #expect(try daemon.request(["type": "call.offered", "call": "w3", "caller": caller]).string("route") == "normal")
    }
}
