import CallwardenCore
import Testing

@Suite("The duty-of-care floor")
struct FloorTests {
    static let now = 1_800_000_000.0

    /// A nuisance rule (line 5) and a floor for a crisis line (line 12, or 13 with an `unless`);
    /// `when` and `unless` replace the rule's condition and exception.
    static func policy(when: String = "score: {at_least: 0.5}", unless: String = "{}") -> String {
        """
        numbering: {country_code: "44"}
        categories:
          nuisance: {weight: 1, half_life: 30d}
        rules:
          - name: nuisance
            when: {\(when)}
            unless: \(unless)
            route: nuisance
            queue: long
            priority: 0
          - {name: default, route: normal, queue: support}
        floor:
          - name: crisis-line
            dialed: ["+44808*"]
            never: [nuisance]
        """.replacingOccurrences(of: "    unless: {}\n", with: "")
    }

    static func errors(_ text: String) -> [PolicyError] {
        do {
            _ = try PolicyParser.parse(text, file: "p.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test("A rule that could break the floor is refused at its own line, naming the floor rule")
    func refused() throws {
        let errors = Self.errors(Self.policy())
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.line == 5)
        #expect(error.key == "rules[0]")
        #expect(error.description == "p.yaml:5: rules[0]: rule 'nuisance' could give the nuisance route to calls to +44808*, which floor 'crisis-line' (line 12) never allows; narrow its 'when' or add an 'unless' covering those calls")
    }

    @Test("Rules that cannot reach the floor's scope, or except it, are accepted", arguments: [
        ("score: {at_least: 0.5}", "{dialed: [\"+44808*\"]}"),
        ("score: {at_least: 0.5}", "{dialed: [\"+44*\"]}"),
        ("score: {at_least: 0.5}, dialed: [\"+44207*\"]", "{}"),
        ("score: {at_least: 0.5}, dialed: [\"+448081*\"]", "{dialed: [\"+448081*\"]}"),
    ])
    func accepted(when: String, unless: String) throws {
        #expect(Self.errors(Self.policy(when: when, unless: unless)).isEmpty)
    }

    @Test("An exception narrower than the scope, or one that may not hold, is refused", arguments: [
        ("score: {at_least: 0.5}", "{dialed: [\"+448081*\"]}"),
        ("score: {at_least: 0.5}", "{dialed: [\"+44808*\"], anonymous: true}"),
        ("score: {at_least: 0.5}", "{attestation: [A]}"),
        ("score: {at_least: 0.5}, dialed: [\"+44*\"]", "{dialed: [\"+448080*\"]}"),
    ])
    func stillRefused(when: String, unless: String) throws {
        #expect(Self.errors(Self.policy(when: when, unless: unless)).map(\.line) == [5])
    }

    @Test("A floor by caller protects those callers; a shadow rule cannot break a floor")
    func callersAndShadows() throws {
        let byCaller = Self.policy().replacingOccurrences(of: "dialed: [\"+44808*\"]", with: "callers: [\"+447700900*\"]")
        #expect(Self.errors(byCaller).first?.message.contains("to calls from +447700900*") == true)
        let anonymousOnly = byCaller.replacingOccurrences(of: "when: {score: {at_least: 0.5}}", with: "when: {anonymous: true}")
        #expect(Self.errors(anonymousOnly).isEmpty)
        let shadow = Self.policy().replacingOccurrences(of: "    route: nuisance\n", with: "    shadow: true\n    route: nuisance\n")
        #expect(Self.errors(shadow).isEmpty)
    }

    @Test("The router enforces the floor at decision time as well")
    func enforcedAtDecision() throws {
        var policy = try PolicyParser.parse(Self.policy(unless: "{dialed: [\"+44808*\"]}"))
        let history = CallerHistory(incidents: [IncidentSummary(id: 1, kind: "nuisance", at: Self.now)])
        let helpline = CallContext(caller: .known("+447700900123"), dialed: "+448001111")
        #expect(policy.route(helpline, history: history, at: Self.now).route == .nuisance)
        // A floor added in code bypasses the parser's check; the decision still keeps to it.
        policy.floor.append(FloorRule(name: "helpline", dialed: ["+44800*"], never: [.nuisance]))
        let decision = policy.route(helpline, history: history, at: Self.now)
        #expect(decision.route == .normal)
        #expect(decision.trail.first?.outcome == .skipped("floor 'helpline' never routes these calls nuisance"))
    }

    @Test("Floor rules are checked like every key", arguments: [
        ("  - {name: f, never: [nuisance]}", "floor[0]", "give dialed or callers (or both): the calls this floor protects"),
        ("  - {name: f, dialed: [\"+44808*\"], never: [normal]}", "floor[0].never", "'normal' cannot be forbidden; a floor forbids supervisor or nuisance"),
        ("  - {name: f, dialed: [\"0808*\"], never: [nuisance]}", "floor[0].dialed", "'0808*' is not a number pattern: + and 1 to 20 digits, optionally ending in * (\"+44800*\")"),
        ("  - {name: f, callers: [\"+44*8\"], never: [nuisance]}", "floor[0].callers", "'+44*8' is not a number pattern: + and 1 to 20 digits, optionally ending in * (\"+44800*\")"),
    ])
    func floorKeys(item: String, key: String, message: String) throws {
        let text = Self.policy(unless: "{dialed: [\"+44808*\"]}")
            .replacingOccurrences(of: "  - name: crisis-line\n    dialed: [\"+44808*\"]\n    never: [nuisance]", with: item)
        let errors = Self.errors(text)
        #expect(errors.map(\.key) == [key], "\(errors)")
        #expect(errors.first?.message == message)
        #expect(errors.first?.line == 13)
    }

    @Test("A rule over nested prefixes beside a floor over a long register is refused in one short message, each number named once")
    func longRegister() throws {
        // Every prefix of +447700900 matches every number of the register: 9 x 200 overlaps, 200 numbers.
        let prefixes = (2...10).map { "\"\(String("+447700900".prefix($0)))*\"" }.joined(separator: ", ")
        let register = (0..<200).map { "\"+447700900\(String(format: "%03d", $0))\"" }.joined(separator: ", ")
        let text = """
            numbering: {country_code: "44"}
            categories:
              nuisance: {weight: 1, half_life: 30d}
            rules:
              - name: nuisance
                when: {score: {at_least: 0.5}, callers: [\(prefixes)]}
                route: nuisance
                queue: long
              - {name: default, route: normal, queue: support}
            floor:
              - name: register
                callers: [\(register)]
                never: [nuisance]
            """
        let errors = Self.errors(text)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.description.contains("from +447700900000, +447700900001, +447700900002, +447700900003, +447700900004 and 195 more, which floor 'register'"))
        #expect(error.description.utf8.count < 400)
    }

    @Test("check-policy's summary counts each part in words that agree with the number, shadow and floor rules included")
    func checkReportSummary() throws {
        let text = Self.policy(unless: "{dialed: [\"+44808*\"]}").replacingOccurrences(of: "rules:\n", with: """
            rules:
              - name: watch
                shadow: true
                when: {score: {at_least: 1}}
                route: supervisor
                queue: senior

            """)
        let policy = try PolicyParser.parse(text, file: "p.yaml")
        #expect(policy.checkReport(file: "p.yaml", hash: "abc").first == "p.yaml: policy unnamed (abc) is valid: 1 kind, 3 rules (1 shadow), 0 detection rules, 1 floor rule")
    }
}
