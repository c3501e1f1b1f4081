import Yams

/// Reads a policy file's text into a `Policy`, or every error in it with file, line and key.
///
/// The format is YAML (see docs/policy.md and the shipped `Config/policy.yaml`). The parser does no
/// I/O: the daemon reads the file and hands over its text.
public enum PolicyParser {
    static let topLevelKeys = [
        "policy", "numbering", "categories", "standing", "caller_id", "forgiveness", "rules", "floor", "ladder", "alert",
        "detection", "retention", "limits", "welfare", "words",
    ]

    public static func parse(_ text: String, file: String = "<policy>") throws(PolicyErrors) -> Policy {
        let reader = PolicyReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PolicyErrors([syntaxError(error, file: file)])
        } catch {
            throw PolicyErrors([PolicyError(file: file, line: 0, key: "", message: "cannot read: \(error)")])
        }
        guard let root else {
            throw PolicyErrors([PolicyError(file: file, line: 0, key: "", message: "the file is empty; a policy needs at least categories and rules")])
        }
        let policy = PolicyBuilder(reader: reader).build(root)
        guard reader.errors.isEmpty, let policy else { throw PolicyErrors(reader.errors) }
        return policy
    }

    private static func syntaxError(_ error: YamlError, file: String) -> PolicyError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PolicyError(file: file, line: mark.line, key: "", message: "syntax error: \(problem) (column \(mark.column))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams's own description repeats the whole file as context: name the key and the line.
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PolicyError(file: file, line: context.mark.line, key: "", message: "a key appears twice in one mapping: \(keys); each key may be given once")
        default:
            return PolicyError(file: file, line: 0, key: "", message: "syntax error: \(error)")
        }
    }
}

/// Builds each section of a policy from its node; sections that fail leave errors in the reader.
struct PolicyBuilder {
    let reader: PolicyReader

    func build(_ root: Node) -> Policy? {
        guard let top = reader.mapping(root, "", allowed: PolicyParser.topLevelKeys, required: ["numbering", "categories", "rules"]) else { return nil }
        let name = top["policy"].flatMap { reader.string($0, "policy") } ?? "unnamed"
        let numbering = top["numbering"].flatMap(numberingPlan)
        let categories = top["categories"].map(categories) ?? [:]
        // Every kind the file names, even one whose own keys have errors: a rule that names it is
        // not wrong, so one misspelt key gives one error, not one more per rule that uses the kind.
        let kinds = top["categories"].map(declaredKinds) ?? []
        let standing = top["standing"].map(standingRules) ?? StandingRules(resolvedCallCredit: 0, creditHalfLife: 30 * 86_400)
        let rules = top["rules"].map { routingRules($0, kinds: kinds) } ?? []
        let ladder = top["ladder"].map(ladderRules) ?? LadderRules.defaults
        let alert = top["alert"].flatMap(alertAction)
        let detection = top["detection"].map { detectionRules($0, kinds: kinds) } ?? []
        let retention = top["retention"].map(retentionRules) ?? RetentionRules()
        let limits = top["limits"].map(limitsRules) ?? PolicyLimits()
        let callerID = top["caller_id"].map(callerIDRules) ?? CallerIDRules()
        let forgiveness = top["forgiveness"].map(forgivenessRules) ?? ForgivenessRules()
        let floor = top["floor"].map(floorRules) ?? []
        let welfare = top["welfare"].map { welfareRules($0, kinds: kinds) } ?? []
        let words = top["words"].map(agentWords) ?? AgentWords.defaults
        guard let numbering, let standing, let ladder, let retention, let limits, let callerID, let forgiveness, let words else { return nil }
        let policy = Policy(
            name: name, numbering: numbering, categories: categories, standing: standing, rules: rules,
            ladder: ladder, alert: alert, detection: detection, retention: retention, limits: limits,
            callerID: callerID, forgiveness: forgiveness, floor: floor, welfare: welfare, words: words
        )
        // Only a policy whose rules and floor were read whole can be checked against its floor.
        if reader.errors.isEmpty {
            for breach in policy.floorBreaches() {
                reader.fail(line: breach.rule.line, "rules[\(breach.index)]", breach.message)
            }
        }
        return policy
    }

    private func numberingPlan(_ node: Node) -> NumberingPlan? {
        let path = "numbering"
        guard let map = reader.mapping(node, path, allowed: ["country_code", "trunk_prefix", "international_prefix", "withheld"], required: ["country_code"]) else { return nil }
        let countryCode = map["country_code"].flatMap { digits($0, "numbering.country_code", allowEmpty: false) }
        let trunk = map["trunk_prefix"].map { digits($0, "numbering.trunk_prefix", allowEmpty: true) } ?? ""
        let international = map["international_prefix"].map { digits($0, "numbering.international_prefix", allowEmpty: true) } ?? ""
        let withheld = map["withheld"].flatMap { reader.strings($0, "numbering.withheld") } ?? NumberingPlan.defaultWithheldWords
        guard let countryCode, let trunk, let international else { return nil }
        return NumberingPlan(countryCode: countryCode, trunkPrefix: trunk, internationalPrefix: international, withheldWords: Set(withheld))
    }

    private func digits(_ node: Node, _ path: String, allowEmpty: Bool) -> String? {
        let text = node.scalar?.string ?? ""
        if text.isEmpty && allowEmpty { return "" }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            reader.fail(node, path, "expected digits only, quoted (e.g. \"44\"), not '\(text)'")
            return nil
        }
        return text
    }

    /// The kinds `categories` names (valid names other than anger), whatever their keys hold.
    private func declaredKinds(_ node: Node) -> Set<String> {
        Set((node.mapping ?? [:]).compactMap { key, _ in key.scalar?.string }.filter { Self.isName($0) && $0 != "anger" })
    }

    private func categories(_ node: Node) -> [String: AbuseCategory] {
        guard let mapping = node.mapping, !mapping.isEmpty else {
            reader.fail(node, "categories", "expected a mapping of kinds of abuse (verbal, threat, ...), each with a weight and half_life")
            return [:]
        }
        var result: [String: AbuseCategory] = [:]
        for (keyNode, value) in mapping {
            guard let kind = keyNode.scalar?.string, Self.isName(kind) else {
                reader.fail(keyNode, "categories", "a kind's name is lower-case letters, digits and _ (e.g. verbal, physical_threat)")
                continue
            }
            let path = "categories.\(kind)"
            if kind == "anger" {
                reader.fail(keyNode, path, "anger is not abuse: an angry caller is never an incident")
                continue
            }
            if result[kind] != nil {
                reader.fail(keyNode, path, "'\(kind)' is given twice")
                continue
            }
            guard let map = reader.mapping(value, path, allowed: ["weight", "half_life", "alert", "hangup", "ladder", "threat", "words"], required: ["weight", "half_life"]) else { continue }
            let weight = map["weight"].flatMap { reader.double($0, "\(path).weight", in: PolicyBounds.weight) }
            let halfLife = map["half_life"].flatMap { reader.duration($0, "\(path).half_life", in: PolicyBounds.halfLife) }
            let alert = map["alert"].flatMap { reader.bool($0, "\(path).alert") } ?? false
            var skipsLadder = false
            if let hangup = map["hangup"] {
                switch hangup.scalar?.string {
                case "immediate": skipsLadder = true
                case "ladder": skipsLadder = false
                default: reader.fail(hangup, "\(path).hangup", "expected 'immediate' (skip the ladder) or 'ladder'")
                }
            }
            let ladder = map["ladder"].flatMap { ladderOverride($0, "\(path).ladder") } ?? LadderOverride()
            let threat = map["threat"].flatMap { reader.bool($0, "\(path).threat") }
            let words = map["words"].flatMap { wordsOverride($0, "\(path).words") } ?? WordsOverride()
            guard let weight, let halfLife else { continue }
            result[kind] = AbuseCategory(
                name: kind, weight: weight, halfLife: halfLife, alert: alert, skipsLadder: skipsLadder, ladder: ladder, threat: threat, words: words)
        }
        return result
    }

    private func standingRules(_ node: Node) -> StandingRules? {
        guard let map = reader.mapping(node, "standing", allowed: ["resolved_call_credit", "credit_half_life"]) else { return nil }
        let credit = map["resolved_call_credit"].map { reader.double($0, "standing.resolved_call_credit", in: PolicyBounds.weight) } ?? 0
        let halfLife = map["credit_half_life"].map { reader.duration($0, "standing.credit_half_life", in: PolicyBounds.halfLife) } ?? 30 * 86_400
        guard let credit, let halfLife else { return nil }
        return StandingRules(resolvedCallCredit: credit, creditHalfLife: halfLife)
    }

    private func routingRules(_ node: Node, kinds: Set<String>) -> [RoutingRule] {
        guard let sequence = node.sequence, !sequence.isEmpty else {
            reader.fail(node, "rules", "expected a list of rules, the last one without 'when' (the default)")
            return []
        }
        var rules: [RoutingRule] = []
        var names: Set<String> = []
        for (index, item) in sequence.enumerated() {
            let path = "rules[\(index)]"
            guard let map = reader.mapping(item, path, allowed: Self.ruleKeys, required: ["name", "route", "queue"]) else { continue }
            let name = map["name"].flatMap { reader.string($0, "\(path).name") }
            if let name, !names.insert(name).inserted {
                reader.fail(map["name"], "\(path).name", "another rule is already named '\(name)'")
            }
            let condition = map["when"].flatMap { ruleCondition($0, "\(path).when", kinds: kinds) }
            let unless = map["unless"].flatMap { ruleCondition($0, "\(path).unless", kinds: kinds) }
            let isLast = index == sequence.count - 1
            if isLast && map["when"] != nil {
                reader.fail(map["when"], "\(path).when", "the last rule is the default for everyone else: it takes no 'when'")
            } else if !isLast && map["when"] == nil {
                reader.fail(item, path, "only the last rule may have no 'when': rules after this one could never apply")
            }
            let route = map["route"].flatMap { routeValue($0, "\(path).route") }
            let queue = map["queue"].flatMap { reader.string($0, "\(path).queue") }
            let priority = map["priority"].map { reader.int($0, "\(path).priority", in: PolicyBounds.priority) } ?? 0
            let reason = map["reason"].flatMap { reader.string($0, "\(path).reason") } ?? name
            let shadow = map["shadow"].map { reader.bool($0, "\(path).shadow") } ?? false
            let review = map["review"].flatMap { reader.duration($0, "\(path).review", in: PolicyBounds.review) }
            if isLast {
                checkDefaultRule(map, path, route: route, shadow: shadow)
            }
            if let route, route == .normal, map["review"] != nil {
                reader.fail(map["review"], "\(path).review", "only a restriction (supervisor or nuisance) is reviewed; this rule routes normal")
            }
            guard let name, let route, let queue, let priority, let reason, let shadow else { continue }
            rules.append(RoutingRule(
                name: name, condition: condition, route: route, queue: queue, priority: priority, reason: reason,
                unless: unless, shadow: shadow, review: review, line: item.mark?.line ?? 0
            ))
        }
        return rules
    }

    static let ruleKeys = ["name", "when", "unless", "route", "queue", "priority", "reason", "shadow", "review"]

    /// The last rule serves everyone no other rule decided for, always: it routes `normal` (which
    /// no floor or exemption forbids), acts, and has no exception.
    private func checkDefaultRule(_ map: [String: Node], _ path: String, route: Route?, shadow: Bool?) {
        if let route, route != .normal {
            reader.fail(map["route"], "\(path).route", "the last rule serves everyone else and must route normal, not \(route.rawValue)")
        }
        if shadow == true {
            reader.fail(map["shadow"], "\(path).shadow", "the last rule must decide: it cannot be a shadow")
        }
        if let unless = map["unless"] {
            reader.fail(unless, "\(path).unless", "the last rule is the default for everyone else: it takes no 'unless'")
        }
    }

    func routeValue(_ node: Node, _ path: String) -> Route? {
        guard let text = node.scalar?.string, let route = Route(rawValue: text) else {
            reader.fail(node, path, "unknown route '\(node.scalar?.string ?? "")'; valid: \(Route.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return route
    }

    private func ruleCondition(_ node: Node, _ path: String, kinds: Set<String>) -> RuleCondition? {
        guard let map = reader.mapping(node, path, allowed: ["score", "incidents", "anonymous", "dialed", "callers", "attestation"]) else { return nil }
        if map.isEmpty {
            reader.fail(node, path, "an empty condition always holds; give score, incidents, anonymous, dialed, callers or attestation")
            return nil
        }
        var condition = RuleCondition()
        if let score = map["score"], let clause = reader.mapping(score, "\(path).score", allowed: ["at_least", "kinds"], required: ["at_least"]) {
            let atLeast = clause["at_least"].flatMap { reader.double($0, "\(path).score.at_least", in: PolicyBounds.scoreThreshold) }
            let scoreKinds = clause["kinds"].flatMap { kindSet($0, "\(path).score.kinds", kinds: kinds) }
            if let atLeast { condition.score = ScoreClause(atLeast: atLeast, kinds: scoreKinds) }
        }
        if let incidents = map["incidents"], let clause = reader.mapping(incidents, "\(path).incidents", allowed: ["at_least", "within", "kinds"], required: ["at_least"]) {
            let atLeast = clause["at_least"].flatMap { reader.int($0, "\(path).incidents.at_least", in: PolicyBounds.incidentCount) }
            let within = clause["within"].flatMap { reader.duration($0, "\(path).incidents.within", in: PolicyBounds.incidentWindow) }
            let incidentKinds = clause["kinds"].flatMap { kindSet($0, "\(path).incidents.kinds", kinds: kinds) }
            if let atLeast { condition.incidents = IncidentsClause(atLeast: atLeast, within: within, kinds: incidentKinds) }
        }
        condition.anonymous = map["anonymous"].flatMap { reader.bool($0, "\(path).anonymous") }
        condition.dialed = map["dialed"].flatMap { reader.strings($0, "\(path).dialed") }
        condition.callers = map["callers"].flatMap { numberPatterns($0, "\(path).callers") }
        condition.attestation = map["attestation"].flatMap { trustLevels($0, "\(path).attestation") }
        return condition
    }

    private func kindSet(_ node: Node, _ path: String, kinds: Set<String>) -> Set<String>? {
        guard let names = reader.strings(node, path) else { return nil }
        var valid = true
        for (index, name) in names.enumerated() where !kinds.contains(name) {
            let item = node.sequence.map { $0[index] } ?? node
            reader.fail(item, path, "unknown kind '\(name)'; kinds in this policy: \(kinds.sorted().joined(separator: ", "))")
            valid = false
        }
        return valid ? Set(names) : nil
    }

    private func ladderRules(_ node: Node) -> LadderRules? {
        guard let map = reader.mapping(node, "ladder", allowed: ["vent", "warning_required", "supervisor_required", "supervisor_timeout", "max_call_length"]) else { return nil }
        let defaults = LadderRules.defaults
        let vent = map["vent"].map { reader.duration($0, "ladder.vent", in: PolicyBounds.vent) } ?? defaults.vent
        let warning = map["warning_required"].map { reader.bool($0, "ladder.warning_required") } ?? defaults.warningRequired
        let supervisor = map["supervisor_required"].map { reader.bool($0, "ladder.supervisor_required") } ?? defaults.supervisorRequired
        let timeout = map["supervisor_timeout"].map { reader.duration($0, "ladder.supervisor_timeout", in: PolicyBounds.supervisorTimeout) } ?? defaults.supervisorTimeout
        let maxLength = map["max_call_length"].map { reader.duration($0, "ladder.max_call_length", in: PolicyBounds.maxCallLength) } ?? defaults.maxCallLength
        guard let vent, let warning, let supervisor, let timeout, let maxLength else { return nil }
        return LadderRules(vent: vent, warningRequired: warning, supervisorRequired: supervisor, supervisorTimeout: timeout, maxCallLength: maxLength)
    }

    private func ladderOverride(_ node: Node, _ path: String) -> LadderOverride? {
        guard let map = reader.mapping(node, path, allowed: ["vent", "warning_required", "supervisor_required"]) else { return nil }
        return LadderOverride(
            vent: map["vent"].flatMap { reader.duration($0, "\(path).vent", in: PolicyBounds.vent) },
            warningRequired: map["warning_required"].flatMap { reader.bool($0, "\(path).warning_required") },
            supervisorRequired: map["supervisor_required"].flatMap { reader.bool($0, "\(path).supervisor_required") }
        )
    }

    private func alertAction(_ node: Node) -> AlertAction? {
        guard let map = reader.mapping(node, "alert", allowed: ["command", "timeout"], required: ["command"]) else { return nil }
        let command = map["command"].flatMap { reader.strings($0, "alert.command") }
        if let command, let program = command.first, !program.hasPrefix("/") {
            reader.fail(map["command"], "alert.command", "the program must be an absolute path, not '\(program)'")
        }
        let timeout = map["timeout"].map { reader.duration($0, "alert.timeout", in: PolicyBounds.alertTimeout) } ?? 10
        guard let command, !command.isEmpty, let timeout else { return nil }
        return AlertAction(command: command, timeout: timeout)
    }

    private func detectionRules(_ node: Node, kinds: Set<String>) -> [DetectionRule] {
        guard let sequence = node.sequence else {
            reader.fail(node, "detection", "expected a list of detection rules")
            return []
        }
        var rules: [DetectionRule] = []
        for (index, item) in sequence.enumerated() {
            let path = "detection[\(index)]"
            guard let map = reader.mapping(item, path, allowed: ["name", "calls", "within", "shorter_than", "ended_by", "kind"], required: ["name", "calls", "within", "shorter_than"]) else { continue }
            let name = map["name"].flatMap { reader.string($0, "\(path).name") }
            let calls = map["calls"].flatMap { reader.int($0, "\(path).calls", in: PolicyBounds.detectionCalls) }
            let within = map["within"].flatMap { reader.duration($0, "\(path).within", in: PolicyBounds.detectionWindow) }
            let shorter = map["shorter_than"].flatMap { reader.duration($0, "\(path).shorter_than", in: PolicyBounds.shortCall) }
            var endedBy: String?
            if let node = map["ended_by"] {
                endedBy = node.scalar?.string
                if !["caller", "agent", "system", "anyone"].contains(endedBy ?? "") {
                    reader.fail(node, "\(path).ended_by", "expected caller, agent, system or anyone")
                }
                if endedBy == "anyone" { endedBy = nil }
            }
            let kind = map["kind"].flatMap { reader.string($0, "\(path).kind") } ?? "nuisance"
            if !kinds.contains(kind) {
                reader.fail(map["kind"] ?? item, "\(path).kind", "unknown kind '\(kind)'; kinds in this policy: \(kinds.sorted().joined(separator: ", "))")
            }
            guard let name, let calls, let within, let shorter, kinds.contains(kind) else { continue }
            rules.append(DetectionRule(name: name, calls: calls, within: within, shorterThan: shorter, endedBy: endedBy, kind: kind))
        }
        return rules
    }

    private func retentionRules(_ node: Node) -> RetentionRules? {
        guard let map = reader.mapping(node, "retention", allowed: ["forgiven", "faded", "faded_below"]) else { return nil }
        let forgiven = map["forgiven"].flatMap { reader.duration($0, "retention.forgiven", in: PolicyBounds.retention) }
        let faded = map["faded"].flatMap { reader.duration($0, "retention.faded", in: PolicyBounds.retention) }
        let below = map["faded_below"].map { reader.double($0, "retention.faded_below", in: PolicyBounds.weight) } ?? 0.01
        guard let below else { return nil }
        return RetentionRules(forgiven: forgiven, faded: faded, fadedBelow: below)
    }

    private func limitsRules(_ node: Node) -> PolicyLimits? {
        guard let map = reader.mapping(node, "limits", allowed: ["clock_skew"]) else { return nil }
        let skew = map["clock_skew"].map { reader.duration($0, "limits.clock_skew", in: PolicyBounds.clockSkew) } ?? PolicyLimits().clockSkew
        guard let skew else { return nil }
        return PolicyLimits(clockSkew: skew)
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

extension NumberingPlan {
    static let defaultWithheldWords = ["anonymous", "withheld", "restricted", "private", "unknown", "unavailable"]
}

extension LadderRules {
    /// The guidance's ladder: a minute to vent, a warning and a supervisor's approval before hang-up.
    static let defaults = LadderRules(vent: 60, warningRequired: true, supervisorRequired: true, supervisorTimeout: 0, maxCallLength: 4 * 3600)
}
