/// What the decisions need to know of one caller's record, kept in memory so that routing never
/// reads the disk. The store holds the full record (notes, agents, calls); this is its summary.
public struct CallerHistory: Sendable, Equatable {
    public var incidents: [IncidentSummary]
    /// Times of calls that ended `resolved` after an incident: they count in the caller's favour.
    public var resolvedCalls: [Double]
    /// Review decisions and a grace window, which few callers ever have: kept behind one
    /// reference, nil for everyone else, so that a million callers' summaries do not each carry
    /// 56 bytes of empty marks (the daemon keeps every caller's summary in memory).
    private var marks: Marks?

    /// What people decided when the caller's restriction came up for review.
    public var review: ReviewMarks {
        get { marks?.review ?? ReviewMarks() }
        set { marks = Marks.make(review: newValue, grace: grace) }
    }

    /// After a forgiveness with a grace period: light incidents in this window do not restore a
    /// restriction (`forgiveness.grace_below`).
    public var grace: GraceWindow? {
        get { marks?.grace }
        set { marks = Marks.make(review: review, grace: newValue) }
    }

    public init(incidents: [IncidentSummary] = [], resolvedCalls: [Double] = [], review: ReviewMarks = ReviewMarks(), grace: GraceWindow? = nil) {
        self.incidents = incidents
        self.resolvedCalls = resolvedCalls
        self.marks = Marks.make(review: review, grace: grace)
    }

    public static func == (lhs: CallerHistory, rhs: CallerHistory) -> Bool {
        lhs.incidents == rhs.incidents && lhs.resolvedCalls == rhs.resolvedCalls && lhs.review == rhs.review && lhs.grace == rhs.grace
    }

    /// Immutable, so sharing it between copies of a history is safe: a change makes a new one.
    private final class Marks: Sendable {
        let review: ReviewMarks
        let grace: GraceWindow?

        private init(review: ReviewMarks, grace: GraceWindow?) {
            self.review = review
            self.grace = grace
        }

        static func make(review: ReviewMarks, grace: GraceWindow?) -> Marks? {
            review.isEmpty && grace == nil ? nil : Marks(review: review, grace: grace)
        }
    }

    /// No incidents and no resolved calls. Review marks and a grace window mean something only
    /// beside incidents, so a history with nothing else is not worth keeping.
    public var isEmpty: Bool { incidents.isEmpty && resolvedCalls.isEmpty }

    public mutating func forgive(incident id: Int64) {
        if let index = incidents.firstIndex(where: { $0.id == id }) { incidents[index].forgiven = true }
    }
}

/// One incident as the decisions see it.
public struct IncidentSummary: Sendable, Equatable {
    /// The incident's id in the record.
    public var id: Int64
    public var kind: String
    /// When it happened, seconds since 1970.
    public var at: Double
    public var forgiven: Bool
    /// How far the caller id of the call it happened on could be trusted.
    public var trust: CallerIDTrust

    public init(id: Int64, kind: String, at: Double, forgiven: Bool = false, trust: CallerIDTrust = .none) {
        self.id = id
        self.kind = kind
        self.at = at
        self.forgiven = forgiven
        self.trust = trust
    }
}

/// A person's last word on a caller's restriction (`callwardenctl review renew|end`).
public struct ReviewMarks: Sendable, Equatable {
    /// When the restriction was last renewed: it counts from then, as if an incident happened.
    public var renewedAt: Double?
    /// When the restriction was last ended: incidents up to then no longer restrict; a new one does.
    public var endedAt: Double?

    public init(renewedAt: Double? = nil, endedAt: Double? = nil) {
        self.renewedAt = renewedAt
        self.endedAt = endedAt
    }

    public var isEmpty: Bool { renewedAt == nil && endedAt == nil }
}

/// The grace period a forgiveness carries: `from` (the forgiveness) up to, not including, `until`.
public struct GraceWindow: Sendable, Equatable {
    public var from: Double
    public var until: Double

    public init(from: Double, until: Double) {
        self.from = from
        self.until = until
    }

    public func contains(_ time: Double) -> Bool { time >= from && time < until }

    /// The window after another forgiveness opens `next`. While this one is still open when
    /// `next` begins (they overlap or touch), the two make one window from the earlier start to
    /// the later end: a light incident this window graced stays graced. Replaced outright, it
    /// would count again, and forgiving one incident would restore a restriction. Disjoint
    /// windows are not joined (the days between them were never graced): `next` replaces this one.
    public func extended(by next: GraceWindow) -> GraceWindow {
        guard next.from <= until, from <= next.until else { return next }
        return GraceWindow(from: min(from, next.from), until: max(until, next.until))
    }
}
