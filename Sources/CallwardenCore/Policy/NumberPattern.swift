/// Number patterns in a policy: an exact E.164 number (`+442071234567`) or a prefix ending in `*`
/// (`+44800*`), as `floor` and `when.callers` take them.
///
/// Besides matching one number, the floor check asks questions of patterns as sets of numbers:
/// can two patterns match the same number, and does a list of patterns match every number another
/// pattern does. Both are answered exactly for single patterns; a list covers a pattern only when
/// one of its patterns does, so a prefix split across many patterns (`+1*` as `+10*` ... `+19*`)
/// is not seen as covered: the check errs towards refusing.
enum NumberPattern {
    /// `+`, then 1 to 20 digits, then an optional `*`.
    static func isValid(_ text: String) -> Bool {
        var digits = text.utf8.dropFirst()
        guard text.utf8.first == UInt8(ascii: "+") else { return false }
        if digits.last == UInt8(ascii: "*") { digits = digits.dropLast() }
        return (1...20).contains(digits.count) && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func matches(_ pattern: String, _ number: String) -> Bool {
        pattern.hasSuffix("*") ? number.hasPrefix(pattern.dropLast()) : number == pattern
    }

    static func matchesAny(_ patterns: [String], _ number: String) -> Bool {
        patterns.contains { matches($0, number) }
    }

    /// The pattern matching exactly the numbers both match, or nil if none does.
    static func intersection(_ left: String, _ right: String) -> String? {
        switch (left.hasSuffix("*"), right.hasSuffix("*")) {
        case (false, false): return left == right ? left : nil
        case (false, true): return matches(right, left) ? left : nil
        case (true, false): return matches(left, right) ? right : nil
        case (true, true):
            let (leftStem, rightStem) = (left.dropLast(), right.dropLast())
            if leftStem.hasPrefix(rightStem) { return left }
            if rightStem.hasPrefix(leftStem) { return right }
            return nil
        }
    }

    /// Every pattern matching what some pattern of `left` and some pattern of `right` both match,
    /// each once, in the order first met. Each pairwise intersection is one of the two patterns,
    /// so there are at most `left.count + right.count` of them: kept as pairs, two long lists
    /// (a register of numbers beside a list of prefixes) made millions, and an error message
    /// naming every one of them.
    static func intersection(_ left: [String], _ right: [String]) -> [String] {
        var seen = Set<String>()
        var patterns: [String] = []
        let right = unique(right)
        for one in unique(left) {
            for other in right {
                if let both = intersection(one, other), seen.insert(both).inserted { patterns.append(both) }
            }
        }
        return patterns
    }

    /// The patterns, each once, in the order first met: a list that repeats a pattern costs the
    /// pairwise comparisons no more than one that does not.
    static func unique(_ patterns: [String]) -> [String] {
        var seen = Set<String>()
        return patterns.filter { seen.insert($0).inserted }
    }

    /// Whether every number `pattern` matches is matched by one of `patterns`.
    static func covers(_ patterns: [String], _ pattern: String) -> Bool {
        patterns.contains { candidate in
            candidate.hasSuffix("*") ? pattern.hasPrefix(candidate.dropLast()) : candidate == pattern
        }
    }

    static func covers(_ patterns: [String], all others: [String]) -> Bool {
        others.allSatisfy { covers(patterns, $0) }
    }
}
