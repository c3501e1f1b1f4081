import CallwardenCore
import Testing

/// The policy's `welfare` rules and `words`: read with bounds and file:line like the rest, and
/// the words each ladder answer gives the agent.
@Suite("Welfare rules and the agent's words in the policy")
struct WelfareAndWordsPolicyTests {
    static let shipped = RoutingTests.policy

    static func parse(_ extra: String, categories: String = "") throws -> Policy {
        try PolicyParser.parse(PolicyBoundsTests.policy(extra: extra).replacingOccurrences(
            of: "  verbal: {weight: 1, half_life: 90d}", with: "  verbal: {weight: 1, half_life: 90d}\n" + categories), file: "p.yaml")
    }

    @Test("The shipped policy words every text from the guidance and looks after agents after a threat and a hard hour")
    func shipped() {
        let policy = Self.shipped
        #expect(policy.words == AgentWords.defaults)
        #expect(policy.welfare.map(\.name) == ["threat-debrief", "abusive-hour"])
        #expect(policy.welfare[0].kinds == ["threat", "physical_threat"] && policy.welfare[0].incidents == 1)
        #expect(policy.welfare[1].kinds == nil && policy.welfare[1].incidents == 3 && policy.welfare[1].within == 3600)
        #expect(policy.words(for: "physical_threat").endCall == "Excuse me.")
        #expect(policy.words(for: "physical_threat").warning == policy.words.warning)
        #expect(policy.words(for: "verbal") == policy.words)
        #expect(policy.words(for: nil) == policy.words)
        #expect(policy.isThreat("threat") && policy.isThreat("physical_threat") && !policy.isThreat("verbal"))
    }

    @Test("A policy without words gets the guidance's; one key given replaces only that text")
    func partialWords() throws {
        #expect(try Self.parse("").words == AgentWords.defaults)
        #expect(try Self.parse("").welfare.isEmpty)
        let policy = try Self.parse("words:\n  warning: \"Mind your language or I end the call.\"")
        #expect(policy.words.warning == "Mind your language or I end the call.")
        #expect(policy.words.endCall == AgentWords.defaults.endCall)
    }

    @Test("A kind's own words win over the policy's for that kind only")
    func perKindOverride() throws {
        let policy = try Self.parse(
            "words:\n  end_call: \"Goodbye.\"",
            categories: "  nuisance:\n    weight: 1\n    half_life: 30d\n    words:\n      end_call: \"This line is for genuine calls. Goodbye.\"")
        #expect(policy.words(for: "nuisance").endCall == "This line is for genuine calls. Goodbye.")
        #expect(policy.words(for: "verbal").endCall == "Goodbye.")
    }

    @Test("Welfare and words values out of bounds or unknown are refused with file, line, key and what is valid", arguments: [
        ("welfare:\n  - {name: w, incidents: 0, within: 1h, say: rest}", 14, "welfare[0].incidents", "must be from 1 to 1000, not 0"),
        ("welfare:\n  - {name: w, incidents: 1001, within: 1h, say: rest}", 14, "welfare[0].incidents", "must be from 1 to 1000, not 1001"),
        ("welfare:\n  - {name: w, incidents: 3, within: 30s, say: rest}", 14, "welfare[0].within", "must be from 1m to 30d, not 30s"),
        ("welfare:\n  - {name: w, incidents: 3, within: 31d, say: rest}", 14, "welfare[0].within", "must be from 1m to 30d, not 31d"),
        ("welfare:\n  - {name: w, incidents: 3, within: 1h, say: rest, kinds: [anger]}", 14, "welfare[0].kinds", "unknown kind 'anger'; kinds in this policy: verbal"),
        ("welfare:\n  - {name: w, incidents: 3, within: 1h}", 14, "welfare[0].say", "missing; it is required here"),
        ("welfare:\n  - {name: w, incidents: 3, within: 1h, say: \"   \"}", 14, "welfare[0].say", "expected text for the agent, not only blanks"),
        ("welfare:\n  - {name: w, incidents: 3, within: 1h, say: \"\(String(repeating: "x", count: 1001))\"}", 14, "welfare[0].say", "must be text of 1 to 1000 bytes, not 1001"),
        ("welfare:\n  - {name: w, incidents: 1, within: 1h, say: a}\n  - {name: w, incidents: 2, within: 1h, say: b}", 15, "welfare[1].name", "another welfare rule is already named 'w'"),
        ("words:\n  goodbye: \"Bye.\"", 14, "words.goodbye", "unknown key 'goodbye'; valid keys here: warning, end_call, after_threat"),
        ("words:\n  end_call: \"\(String(repeating: "é", count: 501))\"", 14, "words.end_call", "must be text of 1 to 1000 bytes, not 1002"),
    ])
    func outOfBounds(extra: String, line: Int, key: String, message: String) throws {
        let errors = PolicyBoundsTests.errors(PolicyBoundsTests.policy(extra: extra))
        let error = try #require(errors.first, "accepted: \(extra)")
        #expect(errors.count == 1, "\(errors)")
        #expect(error.description == "p.yaml:\(line): \(key): \(message)")
    }

    @Test("The ends of each welfare bound are accepted")
    func boundsEnds() throws {
        let long = String(repeating: "x", count: 1000)
        let policy = try Self.parse("welfare:\n  - {name: a, incidents: 1, within: 1m, say: \"\(long)\"}\n  - {name: b, incidents: 1000, within: 30d, say: b}")
        #expect(policy.welfare.map(\.incidents) == [1, 1000])
        #expect(policy.welfare.map(\.within) == [60, 30 * 86_400])
        #expect(policy.welfare[0].say.utf8.count == 1000)
        #expect(policy.welfareHorizon == 30 * 86_400)
    }

    @Test("A kind's words with an unknown key are refused at the kind's line")
    func kindWordsUnknownKey() throws {
        let text = PolicyBoundsTests.policy().replacingOccurrences(
            of: "  verbal: {weight: 1, half_life: 90d}", with: "  verbal:\n    weight: 1\n    half_life: 90d\n    words: {ending: Bye}")
        let errors = PolicyBoundsTests.errors(text)
        #expect(errors.map(\.description) == ["p.yaml:6: categories.verbal.words.ending: unknown key 'ending'; valid keys here: warning, end_call, after_threat"])
    }
}

@Suite("The words on ladder answers")
struct LadderWordsTests {
    static let policy = RoutingTests.policy

    @Test("While the ladder wants a warning the answer carries the warning script; authorised carries the end-call text; otherwise nothing")
    func sayFollowsTheAnswer() {
        let words = Self.policy.words
        #expect(LadderTests.ladder([.abuse(0, "verbal")]).decide(at: 61, policy: Self.policy).say == words.warning)
        #expect(LadderTests.ladder([.abuse(0, "verbal")]).decide(at: 30, policy: Self.policy).say == nil)
        #expect(LadderTests.ladder([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal")]).decide(at: 80, policy: Self.policy).say == nil)
        let approved = LadderTests.ladder([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal"), .approve(78)]).decide(at: 80, policy: Self.policy)
        #expect(approved.answer == .authorised && approved.say == words.endCall)
    }

    @Test("A physical threat's own end-call text wins over the policy's")
    func immediateUsesTheKindsWords() {
        let decision = LadderTests.ladder([.abuse(0, "verbal"), .abuse(5, "physical_threat"), .abuse(6, "verbal")]).decide(at: 7, policy: Self.policy)
        #expect(decision.rule == "immediate")
        #expect(decision.say == "Excuse me.")
    }

    @Test("A policy with its own warning script changes what the answer says")
    func ownWarningScript() {
        var policy = Self.policy
        policy.words.warning = "Please stop swearing, or I will end this call."
        let decision = LadderTests.ladder([.abuse(0, "verbal")]).decide(at: 61, policy: policy)
        #expect(decision.rule == "warning-required")
        #expect(decision.say == "Please stop swearing, or I will end this call.")
    }
}
