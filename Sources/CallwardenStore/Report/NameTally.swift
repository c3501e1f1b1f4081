import Foundation

/// Counts by a name taken from the record (a kind, an agent, a rule): at most `limit` distinct
/// names, so that an edited or hostile record (a million invented agent ids) cannot grow the
/// report without bound; what comes past the limit is counted as `others`.
///
/// Names are kept as the record's bytes, in a table of their own hashed with Swift's seeded
/// hasher: a report counts millions of names, and making a Swift string of each only to look it
/// up was a good part of its time. Strings are made once per distinct name, for `rows`.
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

    /// Open addressing: each slot holds an index into `names`, or -1. Never more than half full.
    private var slots = [Int32](repeating: -1, count: 16)
    private var names: [[UInt8]] = []
    private var hashes: [Int] = []
    private var counts: [Int] = []
    /// A small cache in front of the table, indexed by a cheap hash of the name and checked
    /// against its bytes: most tallies hold a few names (kinds, outcomes, who ended a call) met
    /// millions of times, and the seeded hasher is the table's cost. A name the cache misses
    /// (a collision, crafted or not) only goes on to the table.
    private var recent = [Int32](repeating: -1, count: Self.recentSize)
    private static let recentSize = 256
    private var unnamed = 0
    /// Entries whose name came after `limit` distinct ones.
    public private(set) var others = 0

    public init() {}

    public mutating func add(_ name: String?) {
        guard var name else { return add(nil as UnsafeBufferPointer<UInt8>?) }
        name.withUTF8 { add($0) }
    }

    mutating func add(_ name: UnsafeBufferPointer<UInt8>?) {
        guard let name else {
            unnamed += 1
            return
        }
        let quick = Self.quickHash(name) & (Self.recentSize - 1)
        let cached = Int(recent[quick])
        if cached >= 0, Self.same(names[cached], name) {
            counts[cached] += 1
            return
        }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(name))
        let hash = hasher.finalize()
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let index = Int(slots[slot])
            guard index >= 0 else { break }
            if hashes[index] == hash, Self.same(names[index], name) {
                counts[index] += 1
                recent[quick] = Int32(index)
                return
            }
            slot = (slot + 1) & mask
        }
        guard names.count < Self.limit else {
            others += 1
            return
        }
        slots[slot] = Int32(names.count)
        recent[quick] = Int32(names.count)
        names.append(Array(name))
        hashes.append(hash)
        counts.append(1)
        if names.count * 2 > slots.count { grow() }
    }

    /// FNV-1a over the name's bytes: cheap, and only ever a cache's index.
    private static func quickHash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    private static func same(_ kept: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        kept.count == name.count && kept.withUnsafeBufferPointer { ReportTally.sameBytes($0, name) }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = hash & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// Most first, then by name; the unnamed last.
    public var rows: [Row] {
        var rows = zip(names, counts).map { Row(name: String(decoding: $0, as: UTF8.self), count: $1) }
            .sorted { ($1.count, $0.name ?? "") < ($0.count, $1.name ?? "") }
        if unnamed > 0 { rows.append(Row(name: nil, count: unnamed)) }
        return rows
    }

    public func count(of name: String?) -> Int {
        guard let name else { return unnamed }
        return rows.first { $0.name == name }?.count ?? 0
    }

    public static func == (lhs: NameTally, rhs: NameTally) -> Bool {
        lhs.rows == rhs.rows && lhs.others == rhs.others
    }
}
