/// Every purge recorded in a chain, indexed for the walk: which ids are gone, and the runs of
/// deleted entries the walk must cross, each with the hash it begins from and ends with.
public struct PurgeIndex: Sendable {
    public struct Run: Sendable, Equatable {
        public var first: Int64
        public var last: Int64
        public var previousHash: String
        public var lastHash: String
        /// The purge entry that describes it.
        public var purge: Int64
    }

    /// Runs ascending by their last id.
    private var runs: [Run] = []
    private var purgedBy: [Int64: Int64] = [:]

    public init() {}

    /// - Parameter purges: each purge entry's id and its note.
    public init(_ purges: [(entry: Int64, note: PurgeNote)]) {
        for (entry, note) in purges {
            for run in note.runs {
                runs.append(Run(first: run.first, last: run.last, previousHash: run.previousHash, lastHash: run.lastHash, purge: entry))
            }
            for id in note.purged { purgedBy[id] = entry }
        }
        runs.sort { $0.last < $1.last }
    }

    public var isEmpty: Bool { runs.isEmpty && purgedBy.isEmpty }

    /// How many entries the purges deleted.
    public var purgedCount: Int { purgedBy.count }

    /// The purge entry that lists `id` as deleted, or whose runs cover it.
    public func purge(covering id: Int64) -> Int64? {
        if let entry = purgedBy[id] { return entry }
        return runs.first { $0.first <= id && id <= $0.last }?.purge
    }

    /// The runs that lie after `survivor` (the previous entry still present; nil: the start of
    /// the chain) and before `id`, in chain order.
    public func runs(after survivor: Int64?, before id: Int64) -> ArraySlice<Run> {
        let end = index(afterLast: id - 1)
        let start = survivor.map { index(afterLast: $0) } ?? 0
        return start < end ? runs[start..<end] : []
    }

    /// The hash an entry at `id` chains from when purged runs lie between it and `survivor`: the
    /// last run's last hash. Nil when no purge lies between them.
    public func boundary(after survivor: Int64?, before id: Int64) -> String? {
        runs(after: survivor, before: id).last?.lastHash
    }

    /// The position of the first run whose last id is greater than `id`.
    private func index(afterLast id: Int64) -> Int {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].last <= id { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
