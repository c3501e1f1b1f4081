/// Walks a chain entry by entry, in id order, and finds the first thing wrong with it: an entry
/// changed, removed or reordered, a purge that does not match, or a head that does not name the
/// last entry. Used by the daemon on its own record and by callwardenctl on an export, so both
/// judge a chain the same way.
///
/// Entries are fed one at a time, so a record of any size is walked in constant memory. When an
/// entry fails, the verifier keeps reading to say why: if the next entry still chains from the
/// failed one's stored hash, that entry was changed; if an entry further on would fit the failed
/// place, entries were reordered; if ids are missing before it, entries were removed.
public struct ChainVerifier: Sendable {
    /// Where the walk begins.
    public enum Start: Sendable, Equatable {
        /// The whole chain, from its first entry.
        case genesis
        /// A suffix: the first entry chains from this hash (an export made `--since` a time).
        case after(hash: String)
    }

    private struct Survivor {
        var id: Int64
        var hash: String
    }

    /// An entry that failed its check, while the verifier reads on to say why.
    private struct Suspect {
        var link: ChainLink
        /// The hash it should have chained from.
        var expected: String
        var survivor: Survivor?
        /// The last id accounted for before it (a surviving entry or the end of a purged run);
        /// nil at the start of a suffix.
        var position: Int64?
        var nextChecked = false
    }

    private let purges: PurgeIndex
    private let start: Start
    private let head: ChainHeadMark?
    private let checksHead: Bool
    private var previous: Survivor?
    private var entries = 0
    private var suspect: Suspect?
    private var problem: ChainProblem?

    /// - Parameters:
    ///   - purges: every purge entry of the chain (read before the walk: a purge entry comes after
    ///     the gap it explains).
    ///   - head: where the chain claims to end; nil when it keeps no head.
    ///   - checksHead: false for a walk that has no head to compare with.
    public init(purges: PurgeIndex = PurgeIndex(), start: Start = .genesis, head: ChainHeadMark?, checksHead: Bool = true) {
        self.purges = purges
        self.start = start
        self.head = head
        self.checksHead = checksHead
    }

    /// Whether the outcome is known: feeding more entries changes nothing.
    public var isDecided: Bool { problem != nil }

    public mutating func feed(_ link: ChainLink) {
        guard problem == nil else { return }
        if suspect != nil {
            examine(link)
            return
        }
        if let previous, link.id <= previous.id {
            problem = ChainProblem(.reordered, entry: link.id, "entry \(link.id) comes after entry \(previous.id); entries are out of order")
            return
        }
        if let purge = purges.purge(covering: link.id) {
            problem = ChainProblem(.purgeMismatch, entry: link.id, "entry \(link.id) is present, but purge entry \(purge) records it as deleted")
            return
        }
        guard let (expected, position) = expectedPrevious(before: link.id) else { return }
        guard link.computedHash(previous: expected) == link.hash else {
            suspect = Suspect(link: link, expected: expected, survivor: previous, position: position)
            return
        }
        if let stated = link.previousHash, stated != expected {
            problem = ChainProblem(.changed, entry: link.id, "its stated previous hash \(stated.prefix(12))… is not the hash it chains from (\(expected.prefix(12))…)")
            return
        }
        previous = Survivor(id: link.id, hash: link.hash)
        entries += 1
    }

    public mutating func finish() -> ChainReport {
        if problem == nil, let suspect {
            if !suspect.nextChecked, let head, head.id == suspect.link.id, head.hash == suspect.link.hash {
                // The newest entry: the head still names its stored hash, so its fields changed.
                problem = changedOrRemoved(suspect, confirmed: true)
            } else {
                problem = changedOrRemoved(suspect, confirmed: false)
            }
        }
        if problem == nil, checksHead {
            problem = headProblem()
        }
        return ChainReport(entries: entries, purged: purges.purgedCount, lastID: previous?.id, lastHash: previous?.hash, head: head, problem: problem)
    }

    /// The hash an entry at `id` must chain from, and the last id accounted for before it: the
    /// previous surviving entry's, or across purged runs the last run's, once each run is checked
    /// to begin where the chain had got to. Nil (with `problem` set) when one does not: entries
    /// next to a purged run were removed.
    private mutating func expectedPrevious(before id: Int64) -> (String, Int64?)? {
        if previous == nil, case .after(let hash) = start { return (hash, nil) }
        var expected = previous?.hash ?? ChainDigest.genesis
        var position = previous?.id ?? 0
        for run in purges.runs(after: previous?.id, before: id) {
            guard run.previousHash == expected else {
                if let missing = Self.gap(after: position, before: run.first) {
                    problem = ChainProblem(.removed, entry: id, "the chain does not reach the entries purge entry \(run.purge) deleted (from \(run.first)): \(Self.describe(missing))")
                } else {
                    problem = ChainProblem(.purgeMismatch, entry: id, "purge entry \(run.purge) says the entries it deleted from \(run.first) on followed another hash than the chain has there: the purge entry or an entry before \(run.first) was changed")
                }
                return nil
            }
            expected = run.lastHash
            position = run.last
        }
        return (expected, position)
    }

    /// The ids strictly between `after` and `before`, or nil when there are none. Ids come from
    /// the record or an export and may be any Int64: nothing here can overflow.
    static func gap(after: Int64, before: Int64) -> ClosedRange<Int64>? {
        guard after < before else { return nil }
        // after < before: after + 1 and before - 1 are both representable.
        let low = after + 1
        let high = before - 1
        return low <= high ? low...high : nil
    }

    private static func describe(_ missing: ClosedRange<Int64>) -> String {
        missing.lowerBound == missing.upperBound ? "entry \(missing.lowerBound) was removed" : "entries \(missing.lowerBound) to \(missing.upperBound) (or some of them) were removed"
    }

    /// An entry after a failed one: does it still chain from the failed one (that one was
    /// changed), or does it belong at the failed one's place (entries were reordered)?
    private mutating func examine(_ link: ChainLink) {
        guard var suspect else { return }
        if !suspect.nextChecked {
            suspect.nextChecked = true
            self.suspect = suspect
            if chainsOn(from: suspect.link, to: link) {
                problem = changedOrRemoved(suspect, confirmed: true)
                return
            }
        }
        if link.computedHash(previous: suspect.expected, asID: suspect.link.id) == link.hash {
            problem = ChainProblem(.reordered, entry: suspect.link.id, "the entry recorded as \(suspect.link.id) is now at \(link.id), and entry \(suspect.link.id) holds another one: entries were reordered")
        }
    }

    /// Whether the chain goes on from `failed`'s stored hash to `next`: directly, or across the
    /// purged runs between them, the first of which must begin from that hash. (`next` chains
    /// from the last run's end whatever `failed` holds, so it alone would confirm nothing.)
    private func chainsOn(from failed: ChainLink, to next: ChainLink) -> Bool {
        let between = purges.runs(after: failed.id, before: next.id)
        guard let first = between.first, let last = between.last else {
            return next.computedHash(previous: failed.hash) == next.hash
        }
        return first.previousHash == failed.hash && next.computedHash(previous: last.lastHash) == next.hash
    }

    /// The verdict on a failed entry when no reordering explains it: ids missing before it mean
    /// entries were removed; otherwise it was changed.
    private func changedOrRemoved(_ suspect: Suspect, confirmed: Bool) -> ChainProblem {
        let id = suspect.link.id
        if let after = suspect.position, let missing = Self.gap(after: after, before: id) {
            let from = after == 0 ? "the start of the record" : "entry \(after)"
            // Ids a failed commit left unused look the same as removed entries: if these were
            // never used, it is this entry that changed.
            return ChainProblem(.removed, entry: id, "it no longer chains from \(from): \(Self.describe(missing)), or entry \(id) was changed")
        }
        if confirmed {
            return ChainProblem(.changed, entry: id, "its fields no longer match its hash, and the entry after it still chains from that hash: entry \(id) was changed")
        }
        let from = suspect.survivor.map { "entry \($0.id)" } ?? "the start of the record"
        return ChainProblem(.changed, entry: id, "it does not chain from \(from): entry \(id) was changed, or \(from) was changed and its hash rewritten")
    }

    private func headProblem() -> ChainProblem? {
        switch (head, previous) {
        case (nil, nil):
            return nil
        case (nil, let last?):
            return ChainProblem(.headMismatch, entry: last.id, "the record has entries but no chain head")
        case (let head?, nil):
            guard head.id > 0 else { return nil }
            return ChainProblem(.headMismatch, entry: head.id, "the chain head names entry \(head.id), but no entries remain: they were removed")
        case (let head?, let last?):
            if head.id > last.id {
                return ChainProblem(.headMismatch, entry: head.id, "the chain head names entry \(head.id), but the last entry is \(last.id): the newest entries were removed")
            }
            if head.id < last.id {
                return ChainProblem(.headMismatch, entry: last.id, "entries after \(head.id) are not covered by the chain head: they were added outside callwarden")
            }
            if head.hash != last.hash {
                return ChainProblem(.headMismatch, entry: last.id, "the chain head's hash differs from entry \(last.id)'s: the head or the entry was changed")
            }
            return nil
        }
    }
}
