import CallwardenStore
import Foundation
import Testing

/// `report`'s reading and counting through the real store (a temporary SQLite file).
@Suite("The record's report")
struct RecordReportTests {
    static let start = 1_800_000_000.0

    /// Two calls that needed a supervisor, one period boundary, and the rest of what is counted.
    static func scripted() -> [NewEntry] {
        let t = { (offset: Double) in start + offset }
        return [
            // Before the period.
            NewEntry(type: .incident, at: t(-100), caller: "+441", kind: "verbal", agent: "a9"),
            NewEntry(type: .callStart, at: t(0), caller: "+441", call: "c1"),
            NewEntry(type: .incident, at: t(10), caller: "+441", call: "c1", kind: "verbal", agent: "a1"),
            NewEntry(type: .hangupRequest, at: t(20), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-required", outcome: "supervisor_required"),
            // Asked again while waiting: the same request.
            NewEntry(type: .hangupRequest, at: t(25), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-required", outcome: "supervisor_required"),
            NewEntry(type: .verdict, at: t(30), caller: "+441", call: "c1", supervisor: "s1", outcome: "approve"),
            NewEntry(type: .hangupRequest, at: t(31), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-approved", outcome: "authorised"),
            NewEntry(type: .callEnd, at: t(32), caller: "+441", call: "c1", by: "agent", outcome: "abusive"),
            NewEntry(type: .callStart, at: t(100), caller: "+442", call: "c2"),
            NewEntry(type: .incident, at: t(110), caller: "+442", call: "c2", kind: "threat", agent: "a2"),
            NewEntry(type: .hangupRequest, at: t(120), caller: "+442", call: "c2", rule: "supervisor-required", outcome: "supervisor_required"),
            NewEntry(type: .verdict, at: t(210), caller: "+442", call: "c2", supervisor: "s1", outcome: "deny"),
            NewEntry(type: .callEnd, at: t(220), caller: "+442", call: "c2", outcome: "unresolved"),
            // Asked, and the call ended unanswered: a later verdict on the id answers nothing.
            NewEntry(type: .callStart, at: t(300), caller: "+443", call: "c3"),
            NewEntry(type: .hangupRequest, at: t(310), caller: "+443", call: "c3", rule: "supervisor-required", outcome: "supervisor_required"),
            NewEntry(type: .callEnd, at: t(320), caller: "+443", call: "c3", by: "system"),
            NewEntry(type: .incident, at: t(400), caller: "+444", call: "c4", kind: "nuisance", agent: "system", rule: "repeated-short-calls", by: "system"),
            NewEntry(type: .forgiveness, at: t(500), caller: "+442", note: "sorry", ref: 10, by: "uid 0"),
            NewEntry(type: .exemption, at: t(600), caller: "+445", note: "carer", by: "uid 0", outcome: "nuisance"),
            NewEntry(type: .exemptionEnd, at: t(610), caller: "+445", note: "done", ref: 19, by: "uid 0"),
            NewEntry(type: .review, at: t(700), caller: "+441", note: "still", by: "uid 0", outcome: "renew"),
            NewEntry(type: .review, at: t(710), caller: "+444", note: "over", by: "uid 0", outcome: "end"),
        ]
    }

    static func report(since: Double?) async throws -> RecordReport {
        let directory = RecordStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append(scripted())
            return try RecordReport.read(store: store, since: since, now: start + 1000)
        }
    }

    @Test("Counts of the period: incidents by kind, agent and rule; hang-ups; verdicts with response times; the rest")
    func counts() async throws {
        let report = try await Self.report(since: Self.start)
        #expect(report.incidents == 3)
        #expect(report.incidentsByKind.rows == [.init(name: "nuisance", count: 1), .init(name: "threat", count: 1), .init(name: "verbal", count: 1)])
        #expect(report.incidentsByAgent.count(of: "a1") == 1 && report.incidentsByAgent.count(of: "a9") == 0)
        #expect(report.incidentsByRule.rows == [.init(name: "repeated-short-calls", count: 1)])
        #expect(report.hangups.requests == 5)
        #expect(report.hangups.answers.count(of: "supervisor_required") == 4)
        #expect(report.hangups.answers.count(of: "authorised") == 1)
        #expect(report.hangups.rules["authorised"]?.rows == [.init(name: "supervisor-approved", count: 1)])
        #expect(report.supervisors.requests == 3)
        #expect(report.supervisors.approved == 1 && report.supervisors.denied == 1)
        #expect(report.supervisors.approvalRate == 0.5)
        // From the first request of each: 30 - 20 and 210 - 120.
        #expect(report.supervisors.responseTimes == [10, 90])
        #expect(report.supervisors.medianResponse == 10)
        #expect(report.supervisors.p90Response == 90)
        #expect(report.forgiven == 1)
        #expect(report.exemptionsAdded == 1 && report.exemptionsEnded == 1)
        #expect(report.reviewsRenewed == 1 && report.reviewsEnded == 1)
        #expect(report.callsEnded == 3)
        #expect(report.callOutcomes.rows == [.init(name: "abusive", count: 1), .init(name: "unresolved", count: 1), .init(name: nil, count: 1)])
        #expect(report.callEnders.count(of: "agent") == 1 && report.callEnders.count(of: "system") == 1 && report.callEnders.count(of: nil) == 1)
    }

    @Test("A request that timed out counts once, however often the agent asks after it, and a verdict after it has no response time")
    func timeoutCountsOnce() async throws {
        let t = { (offset: Double) in Self.start + offset }
        let directory = RecordStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append([
                NewEntry(type: .callStart, at: t(0), caller: "+441", call: "c1"),
                NewEntry(type: .hangupRequest, at: t(20), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-required", outcome: "supervisor_required"),
                NewEntry(type: .hangupRequest, at: t(200), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-timeout", outcome: "authorised"),
                NewEntry(type: .hangupRequest, at: t(201), caller: "+441", call: "c1", agent: "a1", rule: "supervisor-timeout", outcome: "authorised"),
                NewEntry(type: .verdict, at: t(300), caller: "+441", call: "c1", supervisor: "s1", outcome: "approve"),
                NewEntry(type: .callEnd, at: t(310), caller: "+441", call: "c1", by: "agent", outcome: "abusive"),
            ])
            return try RecordReport.read(store: store, since: nil, now: t(1000))
        }
        #expect(report.hangups.requests == 3)
        #expect(report.supervisors.requests == 1)
        #expect(report.supervisors.timedOut == 1)
        #expect(report.supervisors.approved == 1)
        #expect(report.supervisors.responseTimes.isEmpty)
    }

    @Test("Without since the whole record is counted")
    func wholeRecord() async throws {
        let report = try await Self.report(since: nil)
        #expect(report.incidents == 4)
        #expect(report.incidentsByAgent.count(of: "a9") == 1)
        #expect(report.since == nil)
    }

    @Test("Percentiles are nearest-rank")
    func percentiles() {
        var supervisors = RecordReport.Supervisors()
        supervisors.responseTimes = [10, 30, 60]
        #expect(supervisors.medianResponse == 30)
        #expect(supervisors.p90Response == 60)
        supervisors.responseTimes = Array(1...10).map(Double.init)
        #expect(supervisors.medianResponse == 5)
        #expect(supervisors.p90Response == 9)
        supervisors.responseTimes = []
        #expect(supervisors.medianResponse == nil && supervisors.approvalRate == nil)
    }

    @Test("A tally keeps at most its limit of distinct names and counts the rest as others")
    func tallyLimit() {
        var tally = NameTally()
        for index in 0..<(NameTally.limit + 5) { tally.add("agent-\(index)") }
        tally.add("agent-0")
        #expect(tally.rows.count == NameTally.limit)
        #expect(tally.others == 5)
        #expect(tally.count(of: "agent-0") == 2)
    }

    @Test("An outcome the record holds that is not one of callwarden's words is counted as it says")
    func otherOutcome() async throws {
        let directory = RecordStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await RecordStoreTests.withStore(directory) { store in
            _ = try await store.append([NewEntry(type: .callEnd, at: Self.start, caller: "+441", call: "c1", outcome: "transferred")])
            return try RecordReport.read(store: store, since: nil, now: Self.start)
        }
        #expect(report.callOutcomes.rows == [.init(name: "transferred", count: 1)])
    }

    @Test("A time outside the record's window or missing, a blob where text belongs, a missing type: damage, never counted")
    func damage() async throws {
        for edit in [
            "UPDATE entries SET at_us = -5 WHERE id = 3",
            "UPDATE entries SET outcome = X'01' WHERE id = 4",
            "UPDATE entries SET agent = X'01' WHERE id = 3",
            "UPDATE entries SET at_us = NULL WHERE id = 3",
            "UPDATE entries SET at_us = 'soon' WHERE id = 3",
            "UPDATE entries SET type = NULL WHERE id = 3",
        ] {
            let directory = RecordStoreTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await RecordStoreTests.withStore(directory) { store in _ = try await store.append(Self.scripted()) }
            try DamagedRecordTests.edit(directory, edit, unchecked: true)
            let store = try DamagedRecordTests.open(directory)
            #expect(throws: (any Error).self, "\(edit)") { try RecordReport.read(store: store, since: nil, now: Self.start) }
            do {
                _ = try RecordReport.read(store: store, since: nil, now: Self.start)
            } catch {
                #expect(DamagedRecordTests.detail(error) != nil, "\(edit): \(error)")
            }
        }
    }
}
