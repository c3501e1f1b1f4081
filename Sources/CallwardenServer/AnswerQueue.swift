import NIOCore

/// One connection's answers not yet written, in request order. Confined to the connection's event
/// loop: no locks.
///
/// An answer known at once (a routing decision) is queued ready; one that waits for a durable
/// write or a read of the record is queued as a numbered placeholder, filled when its result comes
/// back. Answers leave from the front only, and only once ready, so a fast answer never overtakes
/// a slow one queued before it.
struct AnswerQueue {
    private struct Slot {
        var text: String?
        /// Set on the answer to `tail`: once it is written, the connection carries this feed.
        var subscription: FeedSubscription?
    }

    private var slots = CircularBuffer<Slot>(initialCapacity: 16)
    /// The number of the answer at the front (answers are numbered from 0 in request order).
    private var front = 0

    /// Answers queued and not yet written, ready or not.
    var count: Int { slots.count }

    var isEmpty: Bool { slots.isEmpty }

    mutating func append(ready text: String, subscription: FeedSubscription? = nil) {
        slots.append(Slot(text: text, subscription: subscription))
    }

    /// Queues a placeholder; returns its number, for `fill`.
    mutating func appendPending() -> Int {
        slots.append(Slot(text: nil))
        return front + slots.count - 1
    }

    mutating func fill(_ number: Int, with text: String) {
        let index = number - front
        guard index >= 0, index < slots.count, slots[slots.index(slots.startIndex, offsetBy: index)].text == nil else { return }
        slots[slots.index(slots.startIndex, offsetBy: index)].text = text
    }

    /// The front answer if it is ready, removed from the queue.
    mutating func popReady() -> (text: String, subscription: FeedSubscription?)? {
        guard let first = slots.first, let text = first.text else { return nil }
        slots.removeFirst()
        front += 1
        return (text, first.subscription)
    }
}
