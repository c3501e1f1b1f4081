import CallwardenCore
import CallwardenReplay
import CallwardenStore
import Testing

/// The replay honours what the record says of exemptions and caller-id trust, and counts a
/// candidate's shadow rules, as the daemon would have.
@Suite("Replaying exemptions, caller-id trust and shadow rules")
struct ReplayFairnessTests {
    static let exempt = "+447700900701"
    static let gateway = "+447700900702"

    static func replay(_ record: RecordedHistory, candidate: Policy) throws -> ReplayReport {
        var replayer = Replayer(live: try Policies.shipped(), candidate: candidate, since: nil, now: RecordedHistory.now)
        for entry in record.entries { replayer.apply(entry) }
        return replayer.finish()
    }

    @Test("A caller exempt from both restrictions is not reported as moved to a supervisor until the exemption ends")
    func exemptionHonoured() throws {
        let toSupervisor = try Policies.shipped(
            replacing: "    route: nuisance\n    queue: nuisance\n    priority: 0\n", with: "    route: supervisor\n    queue: supervisor\n    priority: 0\n")
        var record = RecordedHistory()
        record.abusiveCall(Self.exempt, kind: "nuisance", daysAgo: 3)
        let exemption = record.append(NewEntry(
            type: .exemption, at: RecordedHistory.ago(2), caller: Self.exempt, note: "register", by: "uid 0", outcome: "nuisance,supervisor"))
        #expect(try Self.replay(record, candidate: toSupervisor).atNow.changed == 0)

        record.append(NewEntry(type: .exemptionEnd, at: RecordedHistory.ago(1), caller: Self.exempt, note: "left", ref: exemption, by: "uid 0"))
        let ended = try Self.replay(record, candidate: toSupervisor)
        #expect(ended.atNow.changed == 1)
        #expect(ended.atNow.transitions.first?.examples == [Self.exempt])
    }

    @Test("A candidate that weighs gateway-attested incidents less moves exactly the caller whose incident was C-attested")
    func attestationWeighted() throws {
        var record = RecordedHistory()
        record.abusiveCall("+447700900703", kind: "verbal", daysAgo: 3)
        let call = "attested"
        let at = RecordedHistory.ago(3)
        record.append(NewEntry(type: .callStart, at: at, caller: Self.gateway, call: call, attestation: "C"))
        record.append(NewEntry(type: .incident, at: at + 30, caller: Self.gateway, call: call, kind: "verbal", agent: "a", attestation: "C"))
        record.append(NewEntry(type: .callEnd, at: at + 60, caller: Self.gateway, call: call, by: "agent", outcome: "abusive"))
        let text = try Policies.shippedText().replacingOccurrences(of: "\nrules:\n", with: "\ncaller_id:\n  weights: {C: 0.25}\n\nrules:\n")
        let report = try Self.replay(record, candidate: try PolicyParser.parse(text, file: "candidate"))
        #expect(report.atNow.transitions.count == 1)
        #expect(report.atNow.transitions.first?.examples == [Self.gateway])
    }

    @Test("A candidate's shadow rule is counted where it held and changes no decision")
    func shadowCounted() throws {
        var record = RecordedHistory()
        record.abusiveCall("+447700900704", kind: "verbal", daysAgo: 3)
        let shadow = """
              - name: watch
                shadow: true
                when:
                  incidents: {at_least: 1}
                route: nuisance
                queue: nuisance
                priority: 0
                reason: Watching.

            """
        let text = try Policies.shippedText().replacingOccurrences(of: "\nrules:\n", with: "\nrules:\n" + shadow)
        let report = try Self.replay(record, candidate: try PolicyParser.parse(text, file: "candidate"))
        #expect(!report.changed)
        #expect(report.shadowMatches.map(\.rule.name) == ["watch"])
        #expect(report.shadowMatches.first?.matches == 1)
    }

    @Test("A call is replayed with the review decisions made before it was offered, not one made while it was under way")
    func reviewDuringACall() throws {
        let caller = "+447700900705"
        var record = RecordedHistory()
        record.abusiveCall(caller, kind: "nuisance", daysAgo: 3)
        // Offered a day ago and routed to the nuisance queue; while it was under way a supervisor
        // ended the restriction, recorded before the call's start (written with its first abuse).
        let offered = RecordedHistory.ago(1)
        record.append(NewEntry(type: .review, at: offered + 5, caller: caller, note: "spoke with the caller", by: "uid 0", outcome: "end"))
        record.append(NewEntry(type: .callStart, at: offered, caller: caller, call: "during"))
        record.append(NewEntry(type: .incident, at: offered + 30, caller: caller, call: "during", kind: "verbal", agent: "a"))
        record.append(NewEntry(type: .callEnd, at: offered + 60, caller: caller, call: "during", by: "agent", outcome: "abusive"))
        let report = try Self.replay(record, candidate: try Policies.nuisanceToCallback())
        let moved = report.atCalls.transitions.filter { $0.from.route == .nuisance }
        #expect(moved.map(\.decisions).reduce(0, +) == 1, "\(report.atCalls.transitions)")
    }
}
