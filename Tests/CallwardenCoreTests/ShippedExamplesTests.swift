import CallwardenCore
import Foundation
import Testing

/// The shipped policy teaches each feature with an example: live where it keeps the guidance's
/// behaviour, commented where it would change it. Both must stay valid.
@Suite("The shipped policy's examples")
struct ShippedExamplesTests {
    static let text = try! String(contentsOfFile: PolicyParserTests.shippedPolicyPath, encoding: .utf8)

    /// The shipped text with the commented examples of caller_id, forgiveness, floor, the
    /// nuisance rule's `unless` and the example rules made live.
    static func uncommented(keepUnless: Bool = true) -> String {
        var lines: [String] = []
        var block: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if ["# caller_id:", "# forgiveness:", "# floor:"].contains(line) {
                block = "# "
            } else if line.hasPrefix("  # - name:") {
                block = "  # "
            } else if let prefix = block, !line.hasPrefix(prefix + "  ") {
                block = nil
            }
            if let prefix = block {
                lines.append(String(line.prefix(prefix.count - 2)) + line.dropFirst(prefix.count))
            } else if keepUnless, line == "    # unless: {dialed: [\"+44808*\"]}" {
                lines.append("    unless: {dialed: [\"+44808*\"]}")
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test("The live examples: reviews on the restricting rules, nothing that changes other routes")
    func live() throws {
        let policy = try PolicyParser.parse(Self.text)
        let day = 86_400.0
        let reviews: [Double?] = [365 * day, 180 * day, 180 * day, nil]
        #expect(policy.rules.map(\.review) == reviews)
        #expect(policy.rules.allSatisfy { !$0.shadow && $0.unless == nil })
        #expect(policy.floor.isEmpty)
        #expect(policy.callerID.isNeutral)
        #expect(policy.forgiveness.grace == 0)
        #expect(policy.unreachableRules().isEmpty)
    }

    @Test("The commented examples are valid when made live")
    func commented() throws {
        let policy = try PolicyParser.parse(Self.uncommented(), file: "policy.yaml")
        #expect(policy.callerID.weight(.c) == 0.5 && policy.callerID.weight(.failed) == 0.25)
        #expect(policy.forgiveness == ForgivenessRules(grace: 30 * 86_400, graceBelow: 2))
        #expect(policy.floor.map(\.name) == ["crisis-line"])
        #expect(policy.rules.first { $0.name == "nuisance" }?.unless?.dialed == ["+44808*"])
        #expect(policy.rules.filter(\.shadow).map(\.name) == ["two-incidents-a-month"])
        #expect(policy.rules.map(\.name) == ["physical-threat", "nuisance", "abusive", "withheld", "two-incidents-a-month", "unverified", "partner", "default"])
    }

    @Test("Without the nuisance rule's unless, the example floor refuses the policy at that rule's line")
    func floorNeedsUnless() throws {
        let text = Self.uncommented(keepUnless: false)
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(text, file: "policy.yaml") }
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "  - name: nuisance")) + 1
        #expect(errors.errors.map(\.line) == [line])
        #expect(errors.errors.first?.message.contains("floor 'crisis-line'") == true)
    }
}
