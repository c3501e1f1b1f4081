/// What the decisions need to know of one caller's record, kept in memory so that routing never
/// reads the disk. The store holds the full record (notes, agents, calls); this is its summary.
public struct CallerHistory: Sendable, Equatable {
    public var incidents: [IncidentSummary]
    /// Times of calls that ended `resolved` after an incident: they count in the caller's favour.
    public var resolvedCalls: [Double]

    public init(incidents: [IncidentSummary] = [], resolvedCalls: [Double] = []) {
        self.incidents = incidents
        self.resolvedCalls = resolvedCalls
    }

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

    public init(id: Int64, kind: String, at: Double, forgiven: Bool = false) {
        self.id = id
        self.kind = kind
        self.at = at
        self.forgiven = forgiven
    }
}
