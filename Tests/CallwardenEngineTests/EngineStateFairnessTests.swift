@testable import CallwardenEngine
import CallwardenCore
import CallwardenStore
import Testing

@Suite("Exemptions, reviews, grace and trust on the engine state")
struct EngineStateFairnessTests {
    let now = Fixture.now
    let key = Fixture.caller

    private func route(_ state: EngineState, trust: CallerIDTrust? = nil) -> Route {
        var state = state
        return state.offerCall(call: "probe", caller: .known(key), dialed: nil, trust: trust, now: now, opened: now).outcome.decision.route
    }

    @Test func exemption_isOneEntryWithItsRoutesAndExpiry_andTakesEffectAtOnce() throws {
        var state = try Fixture.state()
        _ = try state.recordAbuse(Fixture.abuse("nuisance"), now: now)
        #expect(route(state) == .nuisance)
        let step = try state.addExemption(ExemptionRequest(target: "07700 900123", reason: "register", until: now + 60, routes: []), by: "uid 0", now: now)
        #expect(step.entries.map(\.type) == [.exemption])
        #expect(step.entries.first?.caller == key)
        #expect(step.entries.first?.outcome == "nuisance")
        #expect(step.entries.first?.until == now + 60)
        #expect(route(state) == .normal)
    }

    @Test func rollBack_takesBackAnExemptionAndItsRemoval() throws {
        var state = try Fixture.state()
        _ = try state.recordAbuse(Fixture.abuse("nuisance"), now: now)
        let added = try state.addExemption(ExemptionRequest(target: key, reason: "register", until: nil, routes: [.nuisance]), by: "uid 0", now: now)
        state.rollBack(from: added.firstID)
        #expect(state.exemptions.isEmpty)
        #expect(route(state) == .nuisance)

        let kept = try state.addExemption(ExemptionRequest(target: key, reason: "register", until: nil, routes: [.nuisance]), by: "uid 0", now: now)
        state.committed(through: kept.firstID)
        let removed = try state.removeExemption(id: kept.outcome.id, reason: "left the register", by: "uid 0", now: now)
        #expect(removed.entries.first?.ref == kept.outcome.id)
        #expect(route(state) == .nuisance)
        state.rollBack(from: removed.firstID)
        #expect(route(state) == .normal)
    }

    @Test func exemption_refusesAPastExpiryAndAMalformedPattern() throws {
        var state = try Fixture.state()
        #expect(throws: EngineError.self) { try state.addExemption(ExemptionRequest(target: key, reason: "r", until: now, routes: []), by: "uid 0", now: now) }
        #expect(throws: EngineError.self) { try state.addExemption(ExemptionRequest(target: "+44x*", reason: "r", until: nil, routes: []), by: "uid 0", now: now) }
        #expect(state.exemptions.isEmpty)
        #expect(state.nextID == 1)
    }

    @Test func rollBack_restoresTheReviewMarks() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse("nuisance"), now: now)
        state.committed(through: abuse.firstID)
        let ended = try state.review(caller: key, decision: .end, reason: "apologised", by: "uid 0", now: now + 1)
        #expect(ended.entries.first?.outcome == "end")
        #expect(ended.outcome.routeNow == .normal)
        state.rollBack(from: ended.firstID)
        #expect(state.histories[key]?.review == ReviewMarks())
    }

    @Test func review_ofACallerWithoutIncidentsIsRefused() throws {
        var state = try Fixture.state()
        #expect(throws: EngineError.self) { try state.review(caller: key, decision: .renew, reason: "r", by: "uid 0", now: now) }
    }

    @Test func forgivenessWithGrace_recordsItsEnd_andRollBackRemovesTheWindow() throws {
        var state = try Fixture.state()
        let abuse = try state.recordAbuse(Fixture.abuse(), now: now)
        state.committed(through: abuse.firstID)
        let forgiven = try state.forgive(caller: key, reason: "apologised", incident: nil, grace: 86_400, by: "uid 0", now: now)
        #expect(forgiven.entries.first?.until == now + 86_400)
        #expect(state.histories[key]?.grace == GraceWindow(from: now, until: now + 86_400))
        state.rollBack(from: forgiven.firstID)
        #expect(state.histories[key]?.grace == nil)
        #expect(state.histories[key]?.incidents.first?.forgiven == false)
    }

    @Test func incidentInAnAttestedCall_carriesTheCallsTrust_andAnUnattestedOneNone() throws {
        var state = try Fixture.state()
        _ = state.offerCall(call: "c1", caller: .known(key), dialed: nil, trust: .c, now: now, opened: now)
        let attested = try state.recordAbuse(Fixture.abuse(call: "c1", caller: nil), now: now)
        #expect(attested.entries.first { $0.type == .callStart }?.attestation == "C")
        #expect(attested.entries.first { $0.type == .incident }?.attestation == "C")
        #expect(state.histories[key]?.incidents.last?.trust == .c)
        let plain = try state.recordAbuse(Fixture.abuse(), now: now)
        #expect(plain.entries.first?.attestation == nil)
        #expect(state.histories[key]?.incidents.last?.trust == CallerIDTrust.none)
    }
}
