import Foundation

/// `report`'s answer: what the record says of a period, for managers (docs/protocol.md,
/// "report"). Only what the record holds: calls offered are not recorded, so routes are not
/// counted here (`status` and the metrics count them since start-up).
public struct RecordReport: Sendable, Equatable {
    /// The period's start (nil: the whole record) and the time the report was made.
    public var since: Double?
    public var now: Double
    /// Entries read: those of the types counted, dated in the period.
    public var entries = 0
    /// How long reading and counting took; set by whoever timed it.
    public var seconds = 0.0

    public var incidents = 0
    public var incidentsByKind = NameTally()
    public var incidentsByAgent = NameTally()
    /// Incidents recorded by a detection rule, by rule (the rest were reported by people).
    public var incidentsByRule = NameTally()

    public var hangups = Hangups()
    public var supervisors = Supervisors()
    /// Forgiveness entries: one per incident forgiven.
    public var forgiven = 0
    public var exemptionsAdded = 0
    public var exemptionsEnded = 0
    public var reviewsRenewed = 0
    public var reviewsEnded = 0
    public var callsEnded = 0
    /// Recorded call ends by outcome (resolved, unresolved, abusive; none when not said).
    public var callOutcomes = NameTally()
    /// Recorded call ends by who ended them (caller, agent, system).
    public var callEnders = NameTally()

    public struct Hangups: Sendable, Equatable {
        /// Hang-up requests.
        public var requests = 0
        /// By answer (authorised, denied, supervisor_required).
        public var answers = NameTally()
        /// By ladder rule, one tally per answer.
        public var rules: [String: NameTally] = [:]

        public init() {}
    }

    public struct Supervisors: Sendable, Equatable {
        /// Times a call needed a supervisor: its first `supervisor_required` answer, and again
        /// after each verdict. Repeated requests while waiting are one.
        public var requests = 0
        public var approved = 0
        public var denied = 0
        /// Hang-ups authorised because no supervisor answered in time (rule supervisor-timeout).
        public var timedOut = 0
        /// Seconds from the request to the verdict, for each verdict that answered one in the
        /// period (sorted once the report is done).
        public var responseTimes: [Double] = []

        public init() {}

        public var verdicts: Int { approved + denied }
        /// Approvals among verdicts; nil without verdicts.
        public var approvalRate: Double? { verdicts == 0 ? nil : Double(approved) / Double(verdicts) }
        public var medianResponse: Double? { Self.percentile(0.5, of: responseTimes) }
        public var p90Response: Double? { Self.percentile(0.9, of: responseTimes) }

        /// The nearest-rank percentile of sorted values: the smallest value at or below which
        /// at least `fraction` of them lie.
        static func percentile(_ fraction: Double, of sorted: [Double]) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
    }

    public init(since: Double?, now: Double) {
        self.since = since
        self.now = now
    }
}

extension RecordReport {
    /// Reads the record's entries dated from `since` on, in one streaming pass, and counts them.
    /// Runs on the caller's thread (the daemon's is one of its own, at a low priority); throws
    /// `StoreError.corrupt` at the first value callwarden could not have written.
    public static func read(store: RecordStore, since: Double?, now: Double) throws -> RecordReport {
        let started = ContinuousClock.now
        var tally = ReportTally(report: RecordReport(since: since, now: now))
        try store.tallyReport(since: since, into: &tally)
        var report = tally.finish()
        let elapsed = (ContinuousClock.now - started).components
        report.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return report
    }
}

/// Folds the record's entries, in record order, into a `RecordReport`; fed by the report's
/// reader with each value as the bytes the record holds.
struct ReportTally {
    private var report: RecordReport
    /// Calls waiting for a supervisor: when they first asked, or that the wait timed out (the
    /// request is over, but the call's further timed-out hang-ups are the same timeout).
    private var waiting: [String: Waiting] = [:]

    private enum Waiting: Equatable {
        case asked(at: Double)
        case timedOut
    }

    init(report: RecordReport) {
        self.report = report
    }

    /// Whether any call waits for a supervisor (a call's end then needs its id).
    var isWaiting: Bool { !waiting.isEmpty }

    mutating func incident(kind: RowText?, agent: RowText?, rule: RowText?) {
        count()
        report.incidents += 1
        report.incidentsByKind.add(kind)
        report.incidentsByAgent.add(agent)
        if let rule { report.incidentsByRule.add(rule) }
    }

    mutating func forgiveness() {
        count()
        report.forgiven += 1
    }

    /// A hang-up request; `call` only when it was answered `supervisor_required` or authorised
    /// `supervisor-timeout`.
    mutating func hangup(at: Double, answer: RowText?, rule: RowText?, call: String?) {
        count()
        report.hangups.requests += 1
        report.hangups.answers.add(answer)
        let word = answer.map { String(decoding: $0, as: UTF8.self) } ?? ""
        report.hangups.rules[word, default: NameTally()].add(rule)
        if let rule, Self.equals(rule, "supervisor-timeout") {
            // One timeout per request: an agent who asks again after the deadline is authorised
            // again by the same timeout, and a verdict given after it answered nothing.
            guard let call else { return report.supervisors.timedOut += 1 }
            if waiting[call] != .timedOut { report.supervisors.timedOut += 1 }
            waiting[call] = .timedOut
        } else if let call, waiting[call] == nil {
            report.supervisors.requests += 1
            waiting[call] = .asked(at: at)
        }
    }

    mutating func verdict(at: Double, outcome: RowText?, call: String?) {
        count()
        if let outcome, Self.equals(outcome, "approve") {
            report.supervisors.approved += 1
        } else if let outcome, Self.equals(outcome, "deny") {
            report.supervisors.denied += 1
        } else {
            return
        }
        // A verdict with no request in the period (given unasked, or asked before the period
        // began) counts as a verdict without a response time.
        guard let call, case .asked(let asked) = waiting.removeValue(forKey: call) else { return }
        let response = at - asked
        if response >= 0 { report.supervisors.responseTimes.append(response) }
    }

    /// A call's end; `call` only while some call waits for a supervisor.
    mutating func callEnd(outcome: RowText?, by: RowText?, call: String?) {
        count()
        report.callsEnded += 1
        report.callOutcomes.add(outcome)
        report.callEnders.add(by)
        // A request still waiting when its call ended was never answered.
        if let call { waiting[call] = nil }
    }

    mutating func exemption() {
        count()
        report.exemptionsAdded += 1
    }

    mutating func exemptionEnd() {
        count()
        report.exemptionsEnded += 1
    }

    mutating func review(outcome: RowText?) {
        count()
        guard let outcome else { return }
        if Self.equals(outcome, "renew") { report.reviewsRenewed += 1 }
        if Self.equals(outcome, "end") { report.reviewsEnded += 1 }
    }

    private mutating func count() {
        report.entries += 1
    }

    func finish() -> RecordReport {
        var report = report
        report.supervisors.responseTimes.sort()
        return report
    }

    /// Whether the bytes are exactly `word`.
    static func equals(_ bytes: RowText, _ word: StaticString) -> Bool {
        bytes.count == word.utf8CodeUnitCount && sameBytes(bytes, RowText(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    /// Whether two runs of bytes are the same.
    static func sameBytes(_ one: RowText, _ other: RowText) -> Bool {
        guard one.count == other.count else { return false }
        guard let first = one.baseAddress, let second = other.baseAddress else { return one.count == 0 }
        return memcmp(first, second, one.count) == 0
    }
}
