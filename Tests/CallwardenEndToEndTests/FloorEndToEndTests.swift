import Foundation
import Testing

@Suite("The duty-of-care floor, end to end")
struct FloorEndToEndTests {
    static let floor = """

        floor:
          - name: crisis-line
            dialed: ["+44808*"]
            never: [nuisance]

        """

    /// The line of the shipped nuisance rule's `- name:`.
    static func nuisanceRuleLine(_ text: String) throws -> Int {
        try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "  - name: nuisance")) + 1
    }

    @Test("--check-policy refuses a policy whose rule could break its floor, naming the rule's line and the floor rule")
    func checkRefuses() throws {
        let shipped = try Daemon.shippedPolicyText()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("floor-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try (shipped + Self.floor).write(to: file, atomically: true, encoding: .utf8)
        let result = try runDaemonCommand(["--check-policy", file.path])
        #expect(result.status == 1)
        let line = try Self.nuisanceRuleLine(shipped)
        #expect(result.output.contains("\(file.path):\(line): rules[1]: rule 'nuisance'"), "\(result.output)")
        #expect(result.output.contains("floor 'crisis-line'"))
    }

    @Test("A reload to a floor-breaking policy keeps the old one; a floor-safe one takes effect")
    func reload() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let policy = try daemon.usePolicy(shipped)
        try daemon.start()
        let caller = "+447700900123"
        #expect(try daemon.request(["type": "abuse", "caller": caller, "kind": "nuisance"]).ok)
        let crisisCall: [String: Any] = ["type": "call.offered", "call": "c1", "caller": caller, "dialed": "+448081570000"]
        #expect(try daemon.request(crisisCall).string("route") == "nuisance")

        try (shipped + Self.floor).write(to: policy, atomically: true, encoding: .utf8)
        let refused = try daemon.request(["type": "reload"])
        #expect(refused.ok == false)
        let errors = (refused["error"] as? [String: Any])?["errors"] as? [String] ?? []
        let line = try Self.nuisanceRuleLine(shipped)
        #expect(errors.contains { $0.contains(":\(line): rules[1]") && $0.contains("floor 'crisis-line'") }, "\(refused)")
        var again = crisisCall
        again["call"] = "c2"
        #expect(try daemon.request(again).string("route") == "nuisance")

        let safe = shipped.replacingOccurrences(of: "    # unless: {dialed: [\"+44808*\"]}", with: "    unless: {dialed: [\"+44808*\"]}") + Self.floor
        #expect(safe != shipped + Self.floor)
        try safe.write(to: policy, atomically: true, encoding: .utf8)
        #expect(try daemon.request(["type": "reload"]).ok)
        again["call"] = "c3"
        #expect(try daemon.request(again).string("route") == "normal")
        #expect(try daemon.request(["type": "call.offered", "call": "c4", "caller": caller]).string("route") == "nuisance")
    }
}
