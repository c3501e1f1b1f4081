import CallwardenCore
import Testing

@Suite("The ladder inside a call")
struct LadderTests {
    static let policy = RoutingTests.policy

    enum Step {
        case abuse(Double, String)
        case warning(Double)
        case approve(Double)
        case deny(Double)
        case asked(Double)
    }

    static func ladder(_ steps: [Step]) -> CallLadder {
        var ladder = CallLadder()
        for step in steps {
            switch step {
            case .abuse(let at, let kind): ladder.recordAbuse(at: at, kind: kind)
            case .warning(let at): ladder.recordWarning(at: at)
            case .approve(let at): ladder.recordVerdict(at: at, .approve)
            case .deny(let at): ladder.recordVerdict(at: at, .deny)
            case .asked(let at): ladder.recordSupervisorAsked(at: at)
            }
        }
        return ladder
    }

    @Test("Each path of the ladder, with the shipped policy", arguments: [
        ([], 100.0, HangupDecision.Answer.denied, "no-abuse"),
        ([.abuse(0, "verbal")], 30, .denied, "vent"),
        ([.abuse(0, "verbal")], 61, .denied, "warning-required"),
        ([.abuse(0, "verbal"), .warning(70)], 80, .denied, "abuse-after-warning"),
        ([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal")], 80, .supervisorRequired, "supervisor-required"),
        ([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal"), .approve(78)], 80, .authorised, "supervisor-approved"),
        ([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal"), .deny(78)], 80, .denied, "supervisor-denied"),
        // Abuse goes on after the supervisor said no: they must be asked again.
        ([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal"), .deny(78), .abuse(79, "verbal")], 80, .supervisorRequired, "supervisor-required"),
        // The supervisor was asked and never answered: after the policy's 2 minutes, authorised.
        ([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal"), .asked(80)], 200, .authorised, "supervisor-timeout"),
        // A physical threat skips everything, even in the first second.
        ([.abuse(0, "physical_threat")], 0.5, .authorised, "immediate"),
        // A non-physical threat alone does not end the call.
        ([.abuse(0, "threat")], 61, .denied, "warning-required"),
        // Nuisance has no vent time in the shipped policy.
        ([.abuse(0, "nuisance")], 1, .denied, "warning-required"),
    ] as [([Step], Double, HangupDecision.Answer, String)])
    func paths(steps: [Step], at: Double, answer: HangupDecision.Answer, rule: String) {
        let decision = Self.ladder(steps).decide(at: at, policy: Self.policy)
        #expect(decision.answer == answer)
        #expect(decision.rule == rule)
        #expect(!decision.reason.isEmpty)
    }

    @Test("Events are placed by their own time: abuse stamped before the warning does not count after it")
    func outOfOrder() {
        // The abuse arrives after the warning but happened before it.
        let ladder = Self.ladder([.abuse(0, "verbal"), .warning(70), .abuse(65, "verbal")])
        #expect(ladder.decide(at: 80, policy: Self.policy).rule == "abuse-after-warning")
        // A warning that arrives late but was given before the abuse still counts.
        let late = Self.ladder([.abuse(0, "verbal"), .abuse(75, "verbal"), .warning(70)])
        #expect(late.decide(at: 80, policy: Self.policy).answer == .supervisorRequired)
        // A request is judged on what had happened by its own time.
        #expect(late.decide(at: 72, policy: Self.policy).rule == "abuse-after-warning")
    }

    @Test("Without a supervisor requirement, abuse after a warning authorises")
    func noSupervisor() throws {
        var policy = Self.policy
        policy.ladder.supervisorRequired = false
        let decision = Self.ladder([.abuse(0, "verbal"), .warning(70), .abuse(75, "verbal")]).decide(at: 80, policy: policy)
        #expect(decision.answer == .authorised)
        #expect(decision.rule == "warned-and-continued")
    }

    @Test("Short-call detection fires once per run of N short calls")
    func detection() {
        let rule = DetectionRule(name: "short", calls: 3, within: 600, shorterThan: 15, endedBy: "agent", kind: "nuisance")
        var detector = ShortCallDetector()
        var fired: [Int] = []
        for index in 0..<7 {
            let start = Double(index * 30)
            if !detector.callEnded(caller: "+1", startedAt: start, endedAt: start + 5, endedBy: "agent", rules: [rule]).isEmpty {
                fired.append(index)
            }
        }
        #expect(fired == [2, 5])
        // Long calls, calls ended by the caller, and calls spread beyond the window do not count.
        var other = ShortCallDetector()
        #expect(other.callEnded(caller: "+2", startedAt: 0, endedAt: 60, endedBy: "agent", rules: [rule]).isEmpty)
        #expect(other.callEnded(caller: "+2", startedAt: 0, endedAt: 5, endedBy: "caller", rules: [rule]).isEmpty)
        for index in 0..<5 {
            let start = Double(index) * 400
            #expect(other.callEnded(caller: "+3", startedAt: start, endedAt: start + 1, endedBy: "agent", rules: [rule]).isEmpty)
        }
        other.prune(now: 100_000, rules: [rule])
        #expect(other.trackedCallers == 0)
    }
}
