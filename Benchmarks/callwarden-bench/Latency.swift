/// Latency samples of one run, in nanoseconds, by request kind.
///
/// Every sample is kept and sorted at the end, rather than bucketed in a histogram: a run holds at
/// most a few million samples, and exact percentiles leave no doubt about bucket widths when two
/// commits are compared.
struct LatencySamples {
    private(set) var byKind: [[UInt64]] = Array(repeating: [], count: RequestKind.allCases.count)

    mutating func reserve(_ count: Int, for kind: RequestKind) {
        byKind[Int(kind.rawValue)].reserveCapacity(count)
    }

    mutating func record(_ nanoseconds: UInt64, kind: RequestKind) {
        byKind[Int(kind.rawValue)].append(nanoseconds)
    }

    mutating func merge(_ other: LatencySamples) {
        for kind in RequestKind.allCases {
            byKind[Int(kind.rawValue)].append(contentsOf: other.byKind[Int(kind.rawValue)])
        }
    }

    func summary(of kind: RequestKind) -> LatencySummary? {
        LatencySummary(byKind[Int(kind.rawValue)])
    }

    func summaryOfAll() -> LatencySummary? {
        LatencySummary(byKind.flatMap { $0 })
    }
}

/// Percentiles of a set of latencies, in microseconds.
struct LatencySummary {
    var count: Int
    var p50: Double
    var p99: Double
    var p999: Double
    var max: Double

    init?(_ samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(_ quantile: Double) -> Double {
            // Nearest rank: the smallest sample with at least `quantile` of all at or below it.
            let rank = Int((quantile * Double(sorted.count)).rounded(.up))
            return Double(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]) / 1000
        }
        count = sorted.count
        p50 = at(0.50)
        p99 = at(0.99)
        p999 = at(0.999)
        max = Double(sorted[sorted.count - 1]) / 1000
    }
}
