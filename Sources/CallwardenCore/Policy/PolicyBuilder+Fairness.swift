import Yams

/// The sections and clauses that keep decisions fair: caller-id trust, forgiveness's grace and the
/// duty-of-care floor.
extension PolicyBuilder {
    func callerIDRules(_ node: Node) -> CallerIDRules? {
        guard let map = reader.mapping(node, "caller_id", allowed: ["weights"], required: ["weights"]),
              let weights = map["weights"],
              let levels = reader.mapping(weights, "caller_id.weights", allowed: CallerIDTrust.allCases.map(\.rawValue))
        else { return nil }
        var rules = CallerIDRules()
        var valid = true
        for trust in CallerIDTrust.allCases {
            guard let value = levels[trust.rawValue] else { continue }
            if let weight = reader.double(value, "caller_id.weights.\(trust.rawValue)", in: PolicyBounds.callerIDWeight) {
                rules[trust] = weight
            } else {
                valid = false
            }
        }
        return valid ? rules : nil
    }

    func forgivenessRules(_ node: Node) -> ForgivenessRules? {
        guard let map = reader.mapping(node, "forgiveness", allowed: ["grace", "grace_below"]) else { return nil }
        let defaults = ForgivenessRules()
        let grace = map["grace"].map { reader.duration($0, "forgiveness.grace", in: PolicyBounds.grace) } ?? defaults.grace
        let below = map["grace_below"].map { reader.double($0, "forgiveness.grace_below", in: PolicyBounds.weight) } ?? defaults.graceBelow
        guard let grace, let below else { return nil }
        return ForgivenessRules(grace: grace, graceBelow: below)
    }

    func floorRules(_ node: Node) -> [FloorRule] {
        guard let sequence = node.sequence else {
            reader.fail(node, "floor", "expected a list of floor rules, each with a name, dialed or callers, and never")
            return []
        }
        var rules: [FloorRule] = []
        var names: Set<String> = []
        for (index, item) in sequence.enumerated() {
            let path = "floor[\(index)]"
            guard let map = reader.mapping(item, path, allowed: ["name", "dialed", "callers", "never"], required: ["name", "never"]) else { continue }
            let name = map["name"].flatMap { reader.string($0, "\(path).name") }
            if let name, !names.insert(name).inserted {
                reader.fail(map["name"], "\(path).name", "another floor rule is already named '\(name)'")
            }
            let dialed = map["dialed"].flatMap { numberPatterns($0, "\(path).dialed") }
            let callers = map["callers"].flatMap { numberPatterns($0, "\(path).callers") }
            if map["dialed"] == nil && map["callers"] == nil {
                reader.fail(item, path, "give dialed or callers (or both): the calls this floor protects")
            }
            let never = map["never"].flatMap { restrictions($0, "\(path).never") }
            guard let name, let never, dialed != nil || callers != nil else { continue }
            rules.append(FloorRule(name: name, dialed: dialed, callers: callers, never: never, line: item.mark?.line ?? 0))
        }
        return rules
    }

    /// A floor's `never`: restrictions only, since `normal` is what a floor falls back to.
    private func restrictions(_ node: Node, _ path: String) -> Set<Route>? {
        guard let names = reader.strings(node, path), !names.isEmpty else {
            if node.sequence?.isEmpty == true { reader.fail(node, path, "expected supervisor, nuisance or both") }
            return nil
        }
        var routes: Set<Route> = []
        for (index, name) in names.enumerated() {
            let item = node.sequence.map { $0[index] } ?? node
            guard let route = Route(rawValue: name), route != .normal else {
                reader.fail(item, path, "'\(name)' cannot be forbidden; a floor forbids supervisor or nuisance")
                return nil
            }
            routes.insert(route)
        }
        return routes
    }

    /// A non-empty list of E.164 numbers or prefixes ending in `*`.
    func numberPatterns(_ node: Node, _ path: String) -> [String]? {
        guard let patterns = reader.strings(node, path) else { return nil }
        guard !patterns.isEmpty else {
            reader.fail(node, path, "expected at least one number, such as \"+442071234567\" or \"+44800*\"")
            return nil
        }
        var valid = true
        for (index, pattern) in patterns.enumerated() where !NumberPattern.isValid(pattern) {
            let item = node.sequence.map { $0[index] } ?? node
            reader.fail(item, path, "'\(pattern)' is not a number pattern: + and 1 to 20 digits, optionally ending in * (\"+44800*\")")
            valid = false
        }
        return valid ? patterns : nil
    }

    /// `when.attestation`: caller-id trust levels.
    func trustLevels(_ node: Node, _ path: String) -> Set<CallerIDTrust>? {
        guard let names = reader.strings(node, path) else { return nil }
        let valid = CallerIDTrust.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else {
            reader.fail(node, path, "expected at least one of \(valid)")
            return nil
        }
        var levels: Set<CallerIDTrust> = []
        for (index, name) in names.enumerated() {
            guard let trust = CallerIDTrust(rawValue: name) else {
                reader.fail(node.sequence.map { $0[index] } ?? node, path, "unknown attestation '\(name)'; valid: \(valid)")
                return nil
            }
            levels.insert(trust)
        }
        return levels
    }
}
