import Yams

/// Walks a YAML node tree for `PolicyParser`, reading typed values and collecting every error with
/// its line, so that an operator sees all of a file's mistakes at once.
///
/// Values are read from the scalar's text, never through YAML's implicit typing: a queue named `no`
/// stays the string "no", and `on` is not a boolean.
final class PolicyReader {
    let file: String
    private(set) var errors: [PolicyError] = []

    init(file: String) {
        self.file = file
    }

    func fail(_ node: Node?, _ path: String, _ message: String) {
        fail(line: node?.mark?.line ?? 0, path, message)
    }

    /// For checks of the policy as a whole, made after its nodes were read.
    func fail(line: Int, _ path: String, _ message: String) {
        errors.append(PolicyError(file: file, line: line, key: path, message: message))
    }

    /// The mapping's values by key; unknown and repeated keys are errors.
    func mapping(_ node: Node, _ path: String, allowed: [String], required: [String] = []) -> [String: Node]? {
        guard let mapping = node.mapping else {
            fail(node, path, "expected a mapping of \(allowed.joined(separator: ", "))")
            return nil
        }
        var values: [String: Node] = [:]
        var unknown: [(key: String, node: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                fail(keyNode, path, "keys must be plain words")
                continue
            }
            if !allowed.contains(key) {
                unknown.append((key, keyNode))
            } else if values[key] != nil {
                fail(keyNode, join(path, key), "'\(key)' is given twice")
            } else {
                values[key] = value
            }
        }
        // A misspelt key is one mistake: said once, with the key it was probably meant to be,
        // rather than as an unknown key and again as a missing one. Short keys (A, B, C) are too
        // close to each other for a guess to mean anything.
        var meant: Set<String> = []
        for (key, keyNode) in unknown {
            let guess = allowed.filter { values[$0] == nil && !meant.contains($0) }.min { Self.distance(key, $0) < Self.distance(key, $1) }
            if let guess, key.count >= 4, Self.distance(key, guess) <= 2 {
                meant.insert(guess)
                fail(keyNode, join(path, key), "unknown key '\(key)'; did you mean '\(guess)'? valid keys here: \(allowed.joined(separator: ", "))")
            } else {
                fail(keyNode, join(path, key), "unknown key '\(key)'; valid keys here: \(allowed.joined(separator: ", "))")
            }
        }
        for key in required where values[key] == nil && !meant.contains(key) {
            fail(node, join(path, key), "missing; it is required here")
        }
        return values
    }

    /// Edits (insert, delete, replace, swap of neighbours) between two short keys. Written here: a
    /// dozen lines for a hint in an error message are not worth a dependency.
    static func distance(_ left: String, _ right: String) -> Int {
        let a = Array(left), b = Array(right)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1) }
            }
        }
        return rows[a.count][b.count]
    }

    func string(_ node: Node, _ path: String) -> String? {
        guard let text = node.scalar?.string, !text.isEmpty else {
            fail(node, path, "expected a non-empty text value")
            return nil
        }
        return text
    }

    /// A decimal number within `bounds`.
    func double(_ node: Node, _ path: String, in bounds: ClosedRange<Double>) -> Double? {
        guard let text = node.scalar?.string, let value = PolicyNumber.decimal(text) else {
            fail(node, path, "expected a number from \(bounds.lowerBound.policyText) to \(bounds.upperBound.policyText)")
            return nil
        }
        guard bounds.contains(value) else {
            fail(node, path, "must be from \(bounds.lowerBound.policyText) to \(bounds.upperBound.policyText), not \(text)")
            return nil
        }
        return value
    }

    /// A whole number within `bounds`.
    func int(_ node: Node, _ path: String, in bounds: ClosedRange<Int>) -> Int? {
        guard let text = node.scalar?.string, let value = Int(text) else {
            fail(node, path, "expected a whole number from \(bounds.lowerBound) to \(bounds.upperBound)")
            return nil
        }
        guard bounds.contains(value) else {
            fail(node, path, "must be from \(bounds.lowerBound) to \(bounds.upperBound), not \(text)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            fail(node, path, "expected true or false")
            return nil
        }
    }

    /// A duration such as `60s`, `10m`, `90d`, within `bounds` (seconds).
    func duration(_ node: Node, _ path: String, in bounds: ClosedRange<Double>) -> Double? {
        let range = "from \(Policy.durationText(bounds.lowerBound)) to \(Policy.durationText(bounds.upperBound))"
        guard let text = node.scalar?.string, let seconds = PolicyDuration.seconds(text) else {
            fail(node, path, "expected a duration \(range), such as 60s, 10m, 12h, 90d or 1y")
            return nil
        }
        guard bounds.contains(seconds) else {
            fail(node, path, "must be \(range), not \(text)")
            return nil
        }
        return seconds
    }

    /// A list of text values; a single value is read as a list of one.
    func strings(_ node: Node, _ path: String) -> [String]? {
        if node.scalar != nil { return string(node, path).map { [$0] } }
        guard let sequence = node.sequence else {
            fail(node, path, "expected a list")
            return nil
        }
        var values: [String] = []
        for (index, item) in sequence.enumerated() {
            if let value = string(item, "\(path)[\(index)]") { values.append(value) }
        }
        return values
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

extension Double {
    /// `5` rather than `5.0` in messages for operators.
    var policyText: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
