import Yams

/// The sections for the people callwarden protects: `welfare` (when an agent needs looking after)
/// and `words` (what an agent is given to say and do), with a kind's own `words`.
extension PolicyBuilder {
    static let wordKeys = ["warning", "end_call", "after_threat"]

    /// `words:` over the guidance's defaults: a key left out keeps its default.
    func agentWords(_ node: Node) -> AgentWords? {
        guard let override = wordsOverride(node, "words") else { return nil }
        return AgentWords.defaults.applying(override)
    }

    /// A mapping of `warning`, `end_call` and `after_threat`, each a text for a screen.
    func wordsOverride(_ node: Node, _ path: String) -> WordsOverride? {
        guard let map = reader.mapping(node, path, allowed: Self.wordKeys) else { return nil }
        var valid = true
        func text(_ key: String) -> String? {
            guard let node = map[key] else { return nil }
            let value = self.text(node, "\(path).\(key)")
            if value == nil { valid = false }
            return value
        }
        let words = WordsOverride(warning: text("warning"), endCall: text("end_call"), afterThreat: text("after_threat"))
        return valid ? words : nil
    }

    /// Text for the agent: non-empty, within `PolicyBounds.textBytes`.
    func text(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        let bounds = PolicyBounds.textBytes
        guard !text.allSatisfy(\.isWhitespace) else {
            reader.fail(node, path, "expected text for the agent, not only blanks")
            return nil
        }
        guard bounds.contains(text.utf8.count) else {
            reader.fail(node, path, "must be text of \(bounds.lowerBound) to \(bounds.upperBound) bytes, not \(text.utf8.count)")
            return nil
        }
        return text
    }

    func welfareRules(_ node: Node, kinds: Set<String>) -> [WelfareRule] {
        guard let sequence = node.sequence else {
            reader.fail(node, "welfare", "expected a list of welfare rules, each with a name, incidents, within and say")
            return []
        }
        var rules: [WelfareRule] = []
        var names: Set<String> = []
        for (index, item) in sequence.enumerated() {
            let path = "welfare[\(index)]"
            guard let map = reader.mapping(item, path, allowed: ["name", "kinds", "incidents", "within", "say"], required: ["name", "incidents", "within", "say"]) else { continue }
            let name = map["name"].flatMap { reader.string($0, "\(path).name") }
            if let name, !names.insert(name).inserted {
                reader.fail(map["name"], "\(path).name", "another welfare rule is already named '\(name)'")
            }
            let ruleKinds = map["kinds"].map { welfareKinds($0, "\(path).kinds", kinds: kinds) }
            let incidents = map["incidents"].flatMap { reader.int($0, "\(path).incidents", in: PolicyBounds.welfareIncidents) }
            let within = map["within"].flatMap { reader.duration($0, "\(path).within", in: PolicyBounds.welfareWindow) }
            let say = map["say"].flatMap { text($0, "\(path).say") }
            // `kinds` given but wrong is an error already reported: the rule is left out.
            if case .some(.none) = ruleKinds { continue }
            guard let name, let incidents, let within, let say else { continue }
            rules.append(WelfareRule(name: name, kinds: ruleKinds ?? nil, incidents: incidents, within: within, say: say, line: item.mark?.line ?? 0))
        }
        return rules
    }

    /// A welfare rule's `kinds`: a non-empty list of this policy's kinds.
    private func welfareKinds(_ node: Node, _ path: String, kinds: Set<String>) -> Set<String>? {
        guard let names = reader.strings(node, path) else { return nil }
        guard !names.isEmpty else {
            reader.fail(node, path, "expected at least one kind; leave kinds out to count every kind")
            return nil
        }
        var valid = true
        for (index, name) in names.enumerated() where !kinds.contains(name) {
            let item = node.sequence.map { $0[index] } ?? node
            reader.fail(item, path, "unknown kind '\(name)'; kinds in this policy: \(kinds.sorted().joined(separator: ", "))")
            valid = false
        }
        return valid ? Set(names) : nil
    }
}
