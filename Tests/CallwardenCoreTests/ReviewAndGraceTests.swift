import CallwardenCore
import Testing

@Suite("Reviews and grace")
struct ReviewAndGraceTests {
    static let day = 86_400.0
    static let now = 1_800_000_000.0
    static let call = CallContext(caller: .known("+447700900123"))

    /// Verbal abuse fades slowly (a year's half-life), so only the review ends the restriction.
    static let policy = try! PolicyParser.parse("""
        numbering: {country_code: "44"}
        categories:
          verbal: {weight: 1, half_life: 365d}
          threat: {weight: 2, half_life: 365d}
        forgiveness:
          grace: 30d
          grace_below: 2
        rules:
          - name: abusive
            when:
              score: {at_least: 0.5}
            review: 30d
            route: supervisor
            queue: supervisor
          - {name: default, route: normal, queue: support}
        """)

    static func history(_ incidents: [(String, Double)], review: ReviewMarks = ReviewMarks(), grace: GraceWindow? = nil, forgiven: Set<Int> = []) -> CallerHistory {
        CallerHistory(
            incidents: incidents.enumerated().map { IncidentSummary(id: Int64($0.offset + 1), kind: $0.element.0, at: now - $0.element.1 * day, forgiven: forgiven.contains($0.offset)) },
            review: review, grace: grace)
    }

    func route(_ history: CallerHistory) -> RouteDecision {
        Self.policy.route(Self.call, history: history, at: Self.now, explain: true)
    }

    @Test("A restriction past its review date routes normal")
    func pastReview() {
        #expect(Self.policy.rules[0].review == 30 * Self.day)
        #expect(route(Self.history([("verbal", 10)])).route == .supervisor)
        let lapsed = route(Self.history([("verbal", 40)]))
        #expect(lapsed.route == .normal)
        #expect(lapsed.trail[0].outcome == .skipped("past review: 30d ran out 40d after the last incident"))
    }

    @Test("A renewal restricts again for another review period, then lapses again")
    func renewed() {
        let renewed = ReviewMarks(renewedAt: Self.now - 5 * Self.day)
        #expect(route(Self.history([("verbal", 40)], review: renewed)).route == .supervisor)
        let renewedLongAgo = ReviewMarks(renewedAt: Self.now - 31 * Self.day)
        #expect(route(Self.history([("verbal", 40)], review: renewedLongAgo)).route == .normal)
    }

    @Test("An ended restriction routes normal until a new incident")
    func ended() {
        let ended = ReviewMarks(renewedAt: Self.now - 5 * Self.day, endedAt: Self.now - 2 * Self.day)
        let afterEnd = route(Self.history([("verbal", 3)], review: ended))
        #expect(afterEnd.route == .normal)
        #expect(afterEnd.trail[0].outcome == .skipped("review ended; no incident since"))
        #expect(route(Self.history([("verbal", 3), ("verbal", 1)], review: ended)).route == .supervisor)
    }

    static let grace = GraceWindow(from: now - 10 * day, until: now + 20 * day)

    @Test("A light incident in the grace window does not restore the restriction; a heavy one does")
    func graceWindow() {
        // Forgiven 10 days ago, with 30 days' grace.
        let light = Self.history([("verbal", 20), ("verbal", 1)], grace: Self.grace, forgiven: [0])
        let lightDecision = route(light)
        #expect(lightDecision.route == .normal)
        #expect(lightDecision.standing.incidents == 1)
        #expect(lightDecision.trail[0].detail.contains("1 light incident(s) in the grace period not counted"))
        #expect(Self.policy.weightNow(of: light.incidents[1], in: light, at: Self.now) == 0)
        let heavy = Self.history([("verbal", 20), ("threat", 1)], grace: Self.grace, forgiven: [0])
        #expect(route(heavy).route == .supervisor)
    }

    @Test("Grace ends with its window, and graced incidents do not anchor a review")
    func graceBounds() {
        let afterWindow = GraceWindow(from: Self.now - 40 * Self.day, until: Self.now - 10 * Self.day)
        #expect(route(Self.history([("verbal", 1)], grace: afterWindow)).route == .supervisor)
        // The threat restores the restriction; the light incident after it does not move the
        // review date on, so 35 days after the threat the restriction is up for review.
        let graced = Self.history([("threat", 35), ("verbal", 1)], grace: GraceWindow(from: Self.now - 36 * Self.day, until: Self.now))
        #expect(route(graced).route == .normal)
    }

    @Test("Review and grace are checked like every key", arguments: [
        ("review: 30d", "review: 12h", "rules[0].review", "must be from 1d to 10y, not 12h"),
        ("grace: 30d", "grace: 2y", "forgiveness.grace", "must be from 0s to 1y, not 2y"),
        ("grace_below: 2", "grace_below: 1001", "forgiveness.grace_below", "must be from 0 to 1000, not 1001"),
        ("route: supervisor", "route: normal", "rules[0].review", "only a restriction (supervisor or nuisance) is reviewed; this rule routes normal"),
    ])
    func keys(original: String, replacement: String, key: String, message: String) throws {
        let text = """
            numbering: {country_code: "44"}
            categories:
              verbal: {weight: 1, half_life: 365d}
            forgiveness:
              grace: 30d
              grace_below: 2
            rules:
              - name: abusive
                when:
                  score: {at_least: 0.5}
                review: 30d
                route: supervisor
                queue: supervisor
              - {name: default, route: normal, queue: support}
            """
        let changed = text.replacingOccurrences(of: original, with: replacement)
        #expect(changed != text)
        let errors = try #require(throws: PolicyErrors.self) { try PolicyParser.parse(changed) }
        #expect(errors.errors.map(\.key) == [key])
        #expect(errors.errors.first?.message == message)
    }

    @Test("A grace window still open when another forgiveness opens one becomes one window; disjoint ones do not join")
    func graceWindowsExtend() {
        let first = GraceWindow(from: 100, until: 200)
        #expect(first.extended(by: GraceWindow(from: 150, until: 300)) == GraceWindow(from: 100, until: 300))
        #expect(first.extended(by: GraceWindow(from: 200, until: 300)) == GraceWindow(from: 100, until: 300))
        #expect(first.extended(by: GraceWindow(from: 120, until: 180)) == GraceWindow(from: 100, until: 200))
        #expect(first.extended(by: GraceWindow(from: 50, until: 120)) == GraceWindow(from: 50, until: 200))
        #expect(first.extended(by: GraceWindow(from: 201, until: 300)) == GraceWindow(from: 201, until: 300))
    }
}
