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
        try store.forEachReportEntry(since: since) { tally.add($0) }
        var report = tally.finish()
        let elapsed = (ContinuousClock.now - started).components
        report.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return report
    }
}

/// Folds report entries, in record order, into a `RecordReport`. Pure.
public struct ReportTally: Sendable {
    private var report: RecordReport
    /// Calls waiting for a supervisor: when they first asked.
    private var waiting: [String: Double] = [:]

    public init(report: RecordReport) {
        self.report = report
    }

    public mutating func add(_ entry: ReportEntry) {
        report.entries += 1
        switch entry.kind {
        case .incident:
            report.incidents += 1
            report.incidentsByKind.add(entry.incidentKind)
            report.incidentsByAgent.add(entry.agent)
            if let rule = entry.rule { report.incidentsByRule.add(rule) }
        case .forgiveness:
            report.forgiven += 1
        case .hangupRequest:
            addHangup(entry)
        case .verdict:
            addVerdict(entry)
        case .callEnd:
            report.callsEnded += 1
            report.callOutcomes.add(entry.outcome.text)
            report.callEnders.add(entry.by)
            // A request still waiting when its call ended was never answered.
            if let call = entry.call, !waiting.isEmpty { waiting[call] = nil }
        case .exemption:
            report.exemptionsAdded += 1
        case .exemptionEnd:
            report.exemptionsEnded += 1
        case .review:
            if entry.outcome == .word(.renew) { report.reviewsRenewed += 1 }
            if entry.outcome == .word(.end) { report.reviewsEnded += 1 }
        }
    }

    private mutating func addHangup(_ entry: ReportEntry) {
        report.hangups.requests += 1
        let answer = entry.outcome.text
        report.hangups.answers.add(answer)
        report.hangups.rules[answer ?? "", default: NameTally()].add(entry.rule)
        if entry.outcome == .word(.supervisorRequired), let call = entry.call, waiting[call] == nil {
            report.supervisors.requests += 1
            waiting[call] = entry.at
        }
        if entry.rule == "supervisor-timeout" { report.supervisors.timedOut += 1 }
    }

    private mutating func addVerdict(_ entry: ReportEntry) {
        switch entry.outcome {
        case .word(.approve): report.supervisors.approved += 1
        case .word(.deny): report.supervisors.denied += 1
        default: return
        }
        // A verdict with no request in the period (given unasked, or asked before the period
        // began) counts as a verdict without a response time.
        guard let call = entry.call, let asked = waiting.removeValue(forKey: call) else { return }
        let response = entry.at - asked
        if response >= 0 { report.supervisors.responseTimes.append(response) }
    }

    public func finish() -> RecordReport {
        var report = report
        report.supervisors.responseTimes.sort()
        return report
    }
}

extension ReportEntry.Outcome {
    /// The outcome's text; nil when none.
    public var text: String? {
        switch self {
        case .word(let word): word.text
        case .other(let text): text
        case .none: nil
        }
    }
}
