import Foundation

/// What a `purge` entry's `note` holds: which entries were deleted, and for each run of
/// consecutive deleted entries the hash its first one chained from and the hash of its last one,
/// from which the next surviving entry chains. With both ends of every run, the chain can still
/// be walked link by link across the gap, so that removing anything next to a purged run is
/// still noticed. The purge entry is itself in the chain, so this description cannot be altered
/// without breaking it. docs/record.md documents the format.
public struct PurgeNote: Sendable, Equatable, Codable {
    /// A run of deleted entries with no surviving entry between them.
    public struct Run: Sendable, Equatable, Codable {
        public var first: Int64
        public var last: Int64
        /// The hash the entry `first` chained from.
        public var previousHash: String
        /// The hash the entry `last` had: the next surviving entry chains from it.
        public var lastHash: String

        public init(first: Int64, last: Int64, previousHash: String, lastHash: String) {
            self.first = first
            self.last = last
            self.previousHash = previousHash
            self.lastHash = lastHash
        }

        enum CodingKeys: String, CodingKey {
            case first, last
            case previousHash = "prev_hash"
            case lastHash = "last_hash"
        }
    }

    /// Why: the retention rules applied, or who asked.
    public var reason: String
    /// Every deleted entry's id, ascending.
    public var purged: [Int64]
    public var runs: [Run]

    public init(reason: String, purged: [Int64], runs: [Run]) {
        self.reason = reason
        self.purged = purged
        self.runs = runs
    }

    /// The note's text: compact JSON with sorted keys.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a purge entry's note; nil if it is not one.
    public init?(text: String) {
        guard let note = try? JSONDecoder().decode(PurgeNote.self, from: Data(text.utf8)) else { return nil }
        self = note
    }

    /// Groups ascending `ids` into runs: `adjacent(a, b)` says whether no surviving entry lies
    /// between a and b; `hash(id)` gives an entry's hash, `previous(id)` the hash it chained from.
    public static func runs(
        of ids: [Int64], adjacent: (Int64, Int64) throws -> Bool, hash: (Int64) throws -> String, previous: (Int64) throws -> String
    ) rethrows -> [Run] {
        var runs: [Run] = []
        var index = 0
        while index < ids.count {
            let first = ids[index]
            while index + 1 < ids.count, try adjacent(ids[index], ids[index + 1]) { index += 1 }
            let last = ids[index]
            runs.append(Run(first: first, last: last, previousHash: try previous(first), lastHash: try hash(last)))
            index += 1
        }
        return runs
    }
}
