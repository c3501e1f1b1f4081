import CallwardenCore
import Testing

@Suite("Exemptions")
struct ExemptionTests {
    static let day = 86_400.0
    static let now = 1_800_000_000.0
    static let policy = RoutingTests.policy
    static let caller = Caller.known("+447700900123")

    static func nuisanceHistory(count: Int, at time: Double) -> CallerHistory {
        CallerHistory(incidents: (0..<count).map { IncidentSummary(id: Int64($0 + 1), kind: "nuisance", at: time - Double($0) * 60) })
    }

    static let vulnerable = Exemption(id: 7, target: "+447700900123", routes: [.nuisance], reason: "on the vulnerable callers register", until: now + 10 * day, by: "admin", at: now)

    @Test("Before its expiry an exempt caller never reaches the nuisance queue, whatever their history", arguments: [1, 5, 50])
    func beforeExpiry(count: Int) {
        let history = Self.nuisanceHistory(count: count, at: Self.now)
        #expect(Self.policy.route(CallContext(caller: Self.caller), history: history, at: Self.now).route == .nuisance)
        let decision = Self.policy.route(CallContext(caller: Self.caller), history: history, at: Self.now, exemption: Self.vulnerable)
        #expect(decision.route != .nuisance)
        #expect(decision.rule == "default")
        #expect(decision.exemption == 7)
        #expect(decision.trail.map(\.outcome).contains(.skipped("exemption 7: on the vulnerable callers register")))
    }

    @Test("After its expiry the same history routes to nuisance again")
    func afterExpiry() {
        let later = Self.now + 11 * Self.day
        let decision = Self.policy.route(CallContext(caller: Self.caller), history: Self.nuisanceHistory(count: 5, at: later), at: later, exemption: Self.vulnerable)
        #expect(decision.route == .nuisance)
        #expect(decision.exemption == nil)
    }

    @Test("An exemption from nuisance leaves the supervisor route for abuse of staff")
    func otherRoutesStay() {
        let history = CallerHistory(incidents: [IncidentSummary(id: 1, kind: "verbal", at: Self.now)])
        let decision = Self.policy.route(CallContext(caller: Self.caller), history: history, at: Self.now, exemption: Self.vulnerable)
        #expect(decision.route == .supervisor)
        #expect(decision.exemption == nil)
    }

    @Test("The register finds an exact exemption before a pattern, and lapsed ones not at all")
    func register() {
        var register = ExemptionRegister()
        #expect(register.exemption(for: Self.caller, at: Self.now) == nil)
        let partner = Exemption(id: 1, target: "+4477009*", routes: [.nuisance, .supervisor], reason: "partner switchboard", at: Self.now)
        let wider = Exemption(id: 2, target: "+44*", routes: [.nuisance], reason: "wide", at: Self.now)
        register.add(wider)
        register.add(partner)
        #expect(register.exemption(for: Self.caller, at: Self.now)?.id == 1)
        register.add(Self.vulnerable)
        #expect(register.exemption(for: Self.caller, at: Self.now)?.id == 7)
        // Lapsed: the longest pattern in force applies instead.
        #expect(register.exemption(for: Self.caller, at: Self.now + 10 * Self.day)?.id == 1)
        #expect(register.exemption(for: .known("+447800000000"), at: Self.now)?.id == 2)
        #expect(register.exemption(for: .known("+12025550100"), at: Self.now) == nil)
        #expect(register.exemption(for: .anonymous, at: Self.now) == nil)
        #expect(register.remove(id: 1)?.target == "+4477009*")
        #expect(register.remove(id: 1) == nil)
        #expect(register.exemption(for: Self.caller, at: Self.now + 10 * Self.day)?.id == 2)
        #expect(register.all.map(\.id) == [2, 7])
    }

    @Test("An exemption never holds the normal route")
    func neverNormal() {
        var register = ExemptionRegister()
        register.add(Exemption(id: 3, target: "+447700900123", routes: [.normal, .nuisance], reason: "r", at: 0))
        #expect(register.all.first?.routes == [.nuisance])
    }

    @Test("Prefix patterns are + and digits ending in *", arguments: [
        ("+4477009*", true), ("+1*", true), ("+44", false), ("4477*", false), ("+*", false), ("+44*1*", false), ("+44 77*", false),
    ])
    func patterns(target: String, valid: Bool) {
        #expect(Exemption.isValidPattern(target) == valid)
    }
}
