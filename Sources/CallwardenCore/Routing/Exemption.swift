/// An admin's exemption: a caller, or every number under a prefix, that is never given some routes
/// (a register of vulnerable callers, a partner's switchboard). Their incidents are still recorded
/// and the ladder still protects the agent; only routing changes.
public struct Exemption: Sendable, Equatable {
    /// The exemption's id: that of its entry in the record.
    public var id: Int64
    /// A normalised caller (`+447700900123`, `sip:user@host`) or a prefix pattern ending in `*`.
    public var target: String
    /// Routes never given to the target; never `normal`.
    public var routes: Set<Route>
    public var reason: String
    /// Seconds since 1970 when it lapses; nil: until removed.
    public var until: Double?
    /// Who added it.
    public var by: String?
    /// When it was added.
    public var at: Double

    public init(id: Int64, target: String, routes: Set<Route> = [.nuisance], reason: String, until: Double? = nil, by: String? = nil, at: Double) {
        self.id = id
        self.target = target
        self.routes = routes
        self.reason = reason
        self.until = until
        self.by = by
        self.at = at
    }

    /// In force at `now`.
    public func isActive(at now: Double) -> Bool { until.map { now < $0 } ?? true }

    /// Whether the target is a prefix pattern rather than one caller.
    public var isPattern: Bool { target.hasSuffix("*") }

    /// Whether `target` is a prefix pattern an exemption can take: `+`, 1 to 20 digits, `*`.
    public static func isValidPattern(_ target: String) -> Bool {
        target.hasSuffix("*") && NumberPattern.isValid(target)
    }
}

/// Every exemption in force or lapsed, found by caller for each call.
public struct ExemptionRegister: Sendable {
    private var byID: [Int64: Exemption] = [:]
    /// Ids of exemptions for exactly this caller.
    private var exact: [String: [Int64]] = [:]
    /// Ids of exemptions by prefix pattern.
    private var patterns: [Int64] = []

    public init() {}

    /// Adds or replaces (by id) an exemption. `normal` is dropped from its routes: an exemption
    /// can only keep a caller out of a restriction.
    public mutating func add(_ exemption: Exemption) {
        _ = remove(id: exemption.id)
        var exemption = exemption
        exemption.routes.remove(.normal)
        byID[exemption.id] = exemption
        if exemption.isPattern {
            patterns.append(exemption.id)
        } else {
            exact[exemption.target, default: []].append(exemption.id)
        }
    }

    @discardableResult
    public mutating func remove(id: Int64) -> Exemption? {
        guard let exemption = byID.removeValue(forKey: id) else { return nil }
        if exemption.isPattern {
            patterns.removeAll { $0 == id }
        } else {
            exact[exemption.target]?.removeAll { $0 == id }
            if exact[exemption.target]?.isEmpty == true { exact[exemption.target] = nil }
        }
        return exemption
    }

    public var isEmpty: Bool { byID.isEmpty }

    /// The exemption in force for this caller at `now`, if any: one for exactly this caller before
    /// one by pattern, a longer pattern before a shorter. Where several tie, the one that
    /// exempts from more routes, then the one that lasts longer, then the oldest.
    /// The anonymous class is never exempt: it is not one person.
    public func exemption(for caller: Caller, at now: Double) -> Exemption? {
        guard !byID.isEmpty, let key = caller.key else { return nil }
        var found: Exemption?
        for id in exact[key] ?? [] {
            guard let candidate = byID[id], candidate.isActive(at: now) else { continue }
            if found.map({ Self.ranksBefore(candidate, $0) }) ?? true { found = candidate }
        }
        if found != nil { return found }
        for id in patterns {
            guard let candidate = byID[id], candidate.isActive(at: now), key.hasPrefix(candidate.target.dropLast()) else { continue }
            let better = found.map { current in
                candidate.target.count != current.target.count
                    ? candidate.target.count > current.target.count
                    : Self.ranksBefore(candidate, current)
            }
            if better ?? true { found = candidate }
        }
        return found
    }

    private static func ranksBefore(_ left: Exemption, _ right: Exemption) -> Bool {
        if left.routes.count != right.routes.count { return left.routes.count > right.routes.count }
        let leftEnd = left.until ?? .infinity, rightEnd = right.until ?? .infinity
        if leftEnd != rightEnd { return leftEnd > rightEnd }
        return left.id < right.id
    }

    /// Every exemption, lapsed ones too, by id.
    public var all: [Exemption] { byID.values.sorted { $0.id < $1.id } }
}
