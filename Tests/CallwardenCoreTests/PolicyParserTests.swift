import CallwardenCore
import Foundation
import Testing

@Suite("Policy files")
struct PolicyParserTests {
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Fixtures/policies"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static var shippedPolicyPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/policy.yaml").path
    }

    @Test("The shipped policy encodes the guidance's defaults")
    func shippedPolicy() throws {
        let text = try String(contentsOfFile: Self.shippedPolicyPath, encoding: .utf8)
        let policy = try PolicyParser.parse(text, file: "policy.yaml")
        #expect(Set(policy.categories.keys) == ["verbal", "threat", "physical_threat", "nuisance", "time_wasting"])
        #expect(policy.categories["anger"] == nil)
        let physical = try #require(policy.categories["physical_threat"])
        #expect(physical.alert && physical.skipsLadder)
        #expect(policy.categories["threat"]?.skipsLadder == false)
        #expect(policy.rules.map(\.name) == ["physical-threat", "nuisance", "abusive", "default"])
        #expect(policy.rules.map(\.route) == [.supervisor, .nuisance, .supervisor, .normal])
        #expect(policy.rules.last?.queue == "support")
        #expect(policy.rules.last?.condition == nil)
        #expect(policy.rules[0].priority > policy.rules[2].priority)
        #expect(policy.ladder.vent == 60 && policy.ladder.warningRequired && policy.ladder.supervisorRequired)
        #expect(policy.numbering.countryCode == "44")
        #expect(policy.detection.first?.calls == 5)
    }

    /// Each broken file, and the line and key its first error must name.
    @Test("Broken files fail with file, line and key", arguments: [
        ("syntax-error", 10, ""),
        ("unknown-key", 12, "categories.verbal.wieght"),
        ("unknown-kind-in-rule", 19, "rules[0].when.incidents.kinds"),
        ("negative-half-life", 8, "categories.verbal.half_life"),
        ("default-not-last", 14, "rules[0]"),
        ("unknown-route", 17, "rules[0].route"),
    ])
    func brokenFiles(name: String, line: Int, key: String) throws {
        let text = try Self.fixture(name)
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text, file: "\(name).yaml") }
        let first = try #require(errors.errors.first)
        #expect(first.file == "\(name).yaml")
        #expect(first.line == line, "\(errors)")
        #expect(first.key == key, "\(errors)")
        #expect(first.description.hasPrefix("\(name).yaml:\(line):"))
    }

    @Test("An unknown key lists the valid ones")
    func unknownKeyMessage() throws {
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(try Self.fixture("unknown-key"), file: "p.yaml") }
        #expect(errors.description.contains("valid keys here: weight, half_life, alert, hangup, ladder"))
    }

    @Test("Every error in a file is reported, not just the first")
    func allErrors() throws {
        let text = """
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: -1, half_life: 0s}
            rules:
              - {name: r, route: vip, queue: q}
            """
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text) }
        #expect(errors.errors.count == 3)
        #expect(errors.errors.map(\.key) == ["categories.verbal.weight", "categories.verbal.half_life", "rules[0].route"])
    }

    @Test("Anger cannot be made a kind of abuse")
    func angerIsNotAbuse() throws {
        let text = """
            numbering: {country_code: "44"}
            categories:
              anger: {weight: 1, half_life: 1d}
            rules:
              - {name: default, route: normal, queue: support}
            """
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text) }
        #expect(errors.description.contains("anger is not abuse"))
    }

    @Test("Values are read as written, never by YAML's implicit typing")
    func noImplicitTyping() throws {
        let text = """
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: 90d}
            rules:
              - {name: default, route: normal, queue: no, priority: 3}
            """
        let policy = try PolicyParser.parse(text)
        #expect(policy.rules[0].queue == "no")
        let yesNo = """
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: 90d, alert: yes}
            rules:
              - {name: default, route: normal, queue: q}
            """
        #expect(throws: PolicyErrors.self) { try PolicyParser.parse(yesNo) }
    }

    @Test("Durations", arguments: [("60s", 60.0), ("10m", 600), ("12h", 43_200), ("90d", 7_776_000), ("2w", 1_209_600), ("1y", 31_536_000), ("45", 45), ("1.5h", 5400)])
    func durations(text: String, seconds: Double) throws {
        let policy = try PolicyParser.parse("""
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: \(text)}
            rules:
              - {name: default, route: normal, queue: q}
            """)
        #expect(policy.categories["verbal"]?.halfLife == seconds)
    }
}

@Suite("A key given twice")
struct DuplicateKeyTests {
    @Test("names the key and its mapping's line, without repeating the file")
    func duplicateKey() throws {
        let shipped = try String(contentsOfFile: PolicyParserTests.shippedPolicyPath, encoding: .utf8)
        let text = shipped.replacingOccurrences(of: "    review: 180d\n    route: nuisance\n", with: "    review: 180d\n    route: nuisance\n    review: 1d\n")
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text, file: "p.yaml") }
        #expect(errors.errors.count == 1)
        let error = try #require(errors.errors.first)
        #expect(error.message.contains("'review'"))
        #expect(error.line > 0)
        #expect(!error.description.contains("# callwarden policy"))
    }
}

@Suite("One mistake, one error")
struct MisspeltKeyTests {
    @Test("weight misspelt in all five shipped categories gives five errors, each naming the key meant")
    func misspeltInEveryCategory() throws {
        let shipped = try String(contentsOfFile: PolicyParserTests.shippedPolicyPath, encoding: .utf8)
        let text = shipped.replacingOccurrences(of: "    weight: ", with: "    wieght: ")
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text, file: "p.yaml") }
        #expect(errors.errors.count == 5, "\(errors)")
        #expect(errors.errors.allSatisfy { $0.message.contains("did you mean 'weight'?") })
    }

    @Test("A key far from any valid one is unknown, and a required key left out is still missing")
    func unknownAndMissing() throws {
        let shipped = try String(contentsOfFile: PolicyParserTests.shippedPolicyPath, encoding: .utf8)
        let text = shipped.replacingOccurrences(of: "  verbal:\n    weight: 1\n", with: "  verbal:\n    colour: 1\n")
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text, file: "p.yaml") }
        #expect(errors.errors.count == 2, "\(errors)")
        #expect(errors.errors.contains { $0.message.contains("unknown key 'colour'") && !$0.message.contains("did you mean") })
        #expect(errors.errors.contains { $0.key == "categories.verbal.weight" && $0.message.contains("missing") })
    }
}
