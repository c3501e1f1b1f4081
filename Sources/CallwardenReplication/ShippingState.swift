/// Where this node's own entries stand against the shared record, and how a newly committed
/// batch is to be shipped: a value, so every transition is plain to test.
///
/// Two parties ship, never at once for the same entries in a way that matters (the shared record
/// skips what a node already shipped): the record's writer, right after each local commit, while
/// the link is `direct`; and the drain, while it is not, which reads the local record from the
/// last shipped id on. The drain hands shipping back to the writer only once it has shipped
/// everything the writer has reported committed, under the same lock as those reports, so no
/// batch is left between the two.
struct ShippingState: Sendable, Equatable {
    enum Link: Sendable, Equatable {
        /// Shipping in the writer: acknowledgements wait for the shared record.
        case direct
        /// The shared record is not answering (or not yet reached since start): entries are
        /// acknowledged once committed locally and the drain ships them when it answers again.
        case spooling(since: Double, reason: String)
    }

    var link: Link
    /// The highest own id committed to the local record, as the writer reported it.
    var committedThrough: Int64
    /// The highest own id the shared record holds.
    var shippedThrough: Int64

    init(committedThrough: Int64, now: Double) {
        link = .spooling(since: now, reason: "not reached yet since start")
        self.committedThrough = committedThrough
        shippedThrough = 0
    }

    /// What the writer does with a batch that committed locally through `last`.
    enum BatchRoute: Equatable {
        /// Ship it now and wait: the client's acknowledgement follows the shared commit.
        case ship
        /// Leave it to the drain: it is durable locally and is acknowledged from there.
        case spool
    }

    mutating func committed(through last: Int64) -> BatchRoute {
        committedThrough = max(committedThrough, last)
        return link == .direct ? .ship : .spool
    }

    /// A ship (by either party) landed: the shared record holds this node's entries through `id`.
    mutating func shipped(through id: Int64) {
        shippedThrough = max(shippedThrough, id)
    }

    /// The shared record says how far it holds this node's entries: the authority, even below
    /// what was shipped before (a PostgreSQL failover without synchronous replication can lose
    /// the last transactions; the drain then ships them again).
    mutating func sharedHolds(through id: Int64) {
        shippedThrough = id
    }

    /// A ship failed: spool from now on. Returns whether this began an episode (to log it once).
    mutating func failed(_ reason: String, now: Double) -> Bool {
        if case .spooling = link {
            link = .spooling(since: Self.since(link) ?? now, reason: reason)
            return false
        }
        link = .spooling(since: now, reason: reason)
        return true
    }

    /// The drain found nothing left to ship past `shippedThrough`: hands shipping back to the
    /// writer if nothing the writer reported is still unshipped. Returns when the episode began
    /// (to log how long it lasted), or nil if it did not end.
    mutating func drained() -> Double? {
        guard case .spooling(let since, _) = link, shippedThrough >= committedThrough else { return nil }
        link = .direct
        return since
    }

    /// Whether own entries committed locally may still be missing from the shared record.
    var hasUnshipped: Bool { committedThrough > shippedThrough }

    private static func since(_ link: Link) -> Double? {
        if case .spooling(let since, _) = link { return since }
        return nil
    }
}
