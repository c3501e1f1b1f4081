extension Policy {
    /// What `callwardend --check-policy` and `callwardenctl check-policy` print for a valid
    /// policy, line by line: a summary, then a warning for each rule that can never decide.
    /// - Parameter hash: the short hash `status` shows (the first 12 hex digits of the file's SHA-256).
    public func checkReport(file: String, hash: some StringProtocol) -> [String] {
        var lines = ["\(file): policy \(name) (\(hash)) is valid: \(categories.count) kinds, \(rules.count) rules, \(detection.count) detection rules"]
        // Valid, but worth a look: a rule an earlier one always catches first never decides.
        for unreachable in unreachableRules() {
            lines.append("\(file):\(unreachable.line): warning: rule '\(unreachable.rule)' never decides: rule '\(unreachable.coveredBy)' before it holds for every call it would")
        }
        return lines
    }
}
