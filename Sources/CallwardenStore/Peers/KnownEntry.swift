import CallwardenRecord
import GRDB

/// An entry read for a merged walk over this node's own entries and its peers': with where it
/// came from and when this node came to know it.
struct KnownEntry {
    var stored: StoredEntry
    var origin: EntryOrigin
    /// When this node came to know the entry, in microseconds by this node's own clock: when it
    /// committed it (its own), or when it stored it (a peer's).
    var knownAt: Int64

    /// `StoredEntry.columns`, then the peer's place in the shared record and when it was stored.
    static let peerColumns = StoredEntry.columns + ", shared_id, node, received_at_us"

    /// An own entry, selected with `StoredEntry.columns`; nil for a type this version does not know.
    init?(ownRow row: Row) throws(RecordDamage) {
        guard let stored = try StoredEntry(row: row) else { return nil }
        self.stored = stored
        origin = .own
        knownAt = try row.integer(1, "recorded_at_us", entry: stored.id, in: RecordLimits.micros)
    }

    /// A peer's entry, selected with `peerColumns`. Damage names the table: the id alone would
    /// not tell the administrator which of the two to look in.
    init?(peerRow row: Row) throws(RecordDamage) {
        do {
            guard let stored = try StoredEntry(row: row) else { return nil }
            self.stored = stored
            let sharedID = try row.integer(17, "shared_id", entry: stored.id, in: RecordLimits.ids)
            let node = try row.integer(18, "node", entry: stored.id, in: Int64(PeerEntry.nodes.lowerBound)...Int64(PeerEntry.nodes.upperBound))
            origin = .peer(node: Int(node), sharedID: sharedID)
            knownAt = try row.integer(19, "received_at_us", entry: stored.id, in: RecordLimits.micros)
        } catch {
            throw RecordDamage("peer_entries, \(error)")
        }
    }

    /// Whether this goes before `other` in a merged walk: known earlier, then the lower id.
    func precedes(_ other: KnownEntry) -> Bool {
        (knownAt, stored.id) <= (other.knownAt, other.stored.id)
    }

    /// Interleaves this node's entries with its peers' in the order this node came to know them.
    /// Each side keeps its own order (own entries by id, peers' by shared id: the order each was
    /// committed in), so a clock that stepped back cannot reorder either; between them, the one
    /// known earlier goes first. Comparing times of one clock only, a peer's forgiveness of an own
    /// incident follows it (the peer could not have seen it before it was shipped), and an own
    /// forgiveness of a peer's incident follows that (it was stored here before it was forgiven),
    /// however far the nodes' clocks disagree.
    static func merge(own: () throws -> KnownEntry?, peers: () throws -> KnownEntry?, _ body: (KnownEntry) throws -> Void) throws {
        var nextOwn = try own()
        var nextPeer = try peers()
        while true {
            switch (nextOwn, nextPeer) {
            case (let mine?, let theirs?):
                if mine.precedes(theirs) {
                    try body(mine)
                    nextOwn = try own()
                } else {
                    try body(theirs)
                    nextPeer = try peers()
                }
            case (let mine?, nil):
                try body(mine)
                nextOwn = try own()
            case (nil, let theirs?):
                try body(theirs)
                nextPeer = try peers()
            case (nil, nil):
                return
            }
        }
    }

    /// `merge` over two lists already read.
    static func merged(own: [KnownEntry], peers: [KnownEntry]) -> [StoredEntry] {
        var result: [StoredEntry] = []
        result.reserveCapacity(own.count + peers.count)
        var ownLeft = own[...]
        var peersLeft = peers[...]
        // Nothing here throws; `merge` is written for cursors, which may.
        try? merge(own: { ownLeft.popFirst() }, peers: { peersLeft.popFirst() }) { result.append($0.stored) }
        return result
    }

    /// Reads every entry a statement selects, as `read` makes them (nil rows skipped).
    static func fetchAll(_ db: Database, _ sql: String, _ arguments: StatementArguments, _ read: (Row) throws -> KnownEntry?) throws -> [KnownEntry] {
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var entries: [KnownEntry] = []
        while let row = try rows.next() {
            if let entry = try read(row) { entries.append(entry) }
        }
        return entries
    }
}
