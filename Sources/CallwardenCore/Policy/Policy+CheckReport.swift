extension Policy {
    /// What `callwardend --check-policy` and `callwardenctl check-policy` print for a valid
    /// policy, line by line: a summary, then a warning for each rule that can never decide.
    /// - Parameter hash: the short hash `status` shows (the first 12 hex digits of the file's SHA-256).
    public func checkReport(file: String, hash: some StringProtocol) -> [String] {
        let shadows = rules.count { $0.shadow }
        var counts = [Self.count(categories.count, "kind"), Self.count(rules.count, "rule") + (shadows > 0 ? " (\(shadows) shadow)" : "")]
        counts.append(Self.count(detection.count, "detection rule"))
        if !floor.isEmpty { counts.append(Self.count(floor.count, "floor rule")) }
        var lines = ["\(file): policy \(name) (\(hash)) is valid: \(counts.joined(separator: ", "))"]
        // Valid, but worth a look: a rule an earlier one always catches first never decides.
        for unreachable in unreachableRules() {
            lines.append("\(file):\(unreachable.line): warning: rule '\(unreachable.rule)' never decides: rule '\(unreachable.coveredBy)' before it holds for every call it would")
        }
        return lines
    }

    /// `1 kind`, `5 kinds`.
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
