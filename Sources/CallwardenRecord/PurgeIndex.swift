/// Every purge recorded in a chain, indexed for the walk: which ids are gone, and the runs of
/// deleted entries the walk must cross, each with the hash it begins from and ends with.
///
/// Purge notes come from the record or an export, so their numbers are not trusted: any Int64
/// is handled without arithmetic that could overflow.
public struct PurgeIndex: Sendable {
    public struct Run: Sendable, Equatable {
        public var first: Int64
        public var last: Int64
        public var previousHash: String
        public var lastHash: String
        /// The purge entry that describes it.
        public var purge: Int64
    }

    /// Runs ascending by their last id, none lying inside another.
    private var runs: [Run] = []
    private var purgedBy: [Int64: Int64] = [:]

    public init() {}

    /// - Parameter purges: each purge entry's id and its note.
    public init(_ purges: [(entry: Int64, note: PurgeNote)]) {
        var all: [Run] = []
        for (entry, note) in purges {
            for run in note.runs {
                all.append(Run(first: run.first, last: run.last, previousHash: run.previousHash, lastHash: run.lastHash, purge: entry))
            }
            for id in note.purged { purgedBy[id] = entry }
        }
        runs = Self.outermost(all)
    }

    /// The runs left once every run lying wholly inside another is dropped, ascending.
    ///
    /// Earlier versions of callwarden merged a purge's run across an earlier purge's gap (the gap
    /// held no surviving entry), so one run can lie inside a later, larger one. The larger run's
    /// ends are still true checkpoints and it accounts for every entry inside it, so the inner run
    /// is covered by it; keeping both would make the walk cross the inner run's start after the
    /// outer run had already taken it past it, and accuse a genuine record of a removal.
    /// Purges now split their runs at earlier gaps, so new records have no nested runs.
    static func outermost(_ runs: [Run]) -> [Run] {
        let byStart = runs.sorted { $0.first != $1.first ? $0.first < $1.first : $0.last > $1.last }
        var kept: [Run] = []
        // Every kept run begins at or before this one: it lies inside one of them exactly when it
        // ends at or before the furthest end so far.
        var furthest: Int64?
        for run in byStart {
            if let furthest, run.last <= furthest { continue }
            kept.append(run)
            furthest = run.last
        }
        return kept.sorted { $0.last < $1.last }
    }

    public var isEmpty: Bool { runs.isEmpty && purgedBy.isEmpty }

    /// How many entries the purges deleted.
    public var purgedCount: Int { purgedBy.count }

    /// The purge entry that lists `id` as deleted, or whose runs cover it.
    public func purge(covering id: Int64) -> Int64? {
        if let entry = purgedBy[id] { return entry }
        let candidate = firstIndex { $0.last >= id }
        guard candidate < runs.count, runs[candidate].first <= id else { return nil }
        return runs[candidate].purge
    }

    /// The runs that end after `survivor` (the previous entry still present; nil: the start of
    /// the chain) and before `id`, in chain order.
    public func runs(after survivor: Int64?, before id: Int64) -> ArraySlice<Run> {
        let end = firstIndex { $0.last >= id }
        let start = survivor.map { survivor in firstIndex { $0.last > survivor } } ?? 0
        return start < end ? runs[start..<end] : []
    }

    /// The hash an entry at `id` chains from when purged runs lie between it and `survivor`: the
    /// last run's last hash. Nil when no purge lies between them.
    public func boundary(after survivor: Int64?, before id: Int64) -> String? {
        runs(after: survivor, before: id).last?.lastHash
    }

    /// The position of the first run for which `isAtOrPast` holds (runs.count if none); it must
    /// be false for a prefix of the runs and true for the rest.
    private func firstIndex(where isAtOrPast: (Run) -> Bool) -> Int {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = low + (high - low) / 2
            if isAtOrPast(runs[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
