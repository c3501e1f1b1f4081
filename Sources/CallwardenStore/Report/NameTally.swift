/// Counts by a name taken from the record (a kind, an agent, a rule): at most `limit` distinct
/// names, so that an edited or hostile record (a million invented agent ids) cannot grow the
/// report without bound; what comes past the limit is counted as `others`.
public struct NameTally: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// nil: the entry named none.
        public var name: String?
        public var count: Int

        public init(name: String?, count: Int) {
            self.name = name
            self.count = count
        }
    }

    /// Distinct names kept per tally.
    public static let limit = 10_000

    private var counts: [String: Int] = [:]
    private var unnamed = 0
    /// Entries whose name came after `limit` distinct ones.
    public private(set) var others = 0

    public init() {}

    public mutating func add(_ name: String?) {
        guard let name else {
            unnamed += 1
            return
        }
        if let index = counts.index(forKey: name) {
            counts.values[index] += 1
        } else if counts.count < Self.limit {
            counts[name] = 1
        } else {
            others += 1
        }
    }

    /// Most first, then by name; the unnamed last.
    public var rows: [Row] {
        var rows = counts.map { Row(name: $0.key, count: $0.value) }.sorted { ($1.count, $0.name ?? "") < ($0.count, $1.name ?? "") }
        if unnamed > 0 { rows.append(Row(name: nil, count: unnamed)) }
        return rows
    }

    public func count(of name: String?) -> Int {
        name.map { counts[$0] ?? 0 } ?? unnamed
    }
}
