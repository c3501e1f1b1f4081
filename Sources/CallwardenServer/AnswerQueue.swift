import NIOCore

/// One connection's answers not yet written, in request order, with what they weigh.
///
/// An answer known at once (a routing decision) is queued ready; one that waits for a durable
/// write or a read of the record is queued as a numbered placeholder, filled when its result comes
/// back. Answers leave from the front only, and only once ready, so a fast answer never overtakes
/// a slow one queued before it. `readyBytes` counts the text waiting, so a client that does not
/// read is held to a budget in bytes, not only in answers.
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

    /// UTF-8 bytes of the ready answers still queued.
    private(set) var readyBytes = 0

    /// Placeholders not yet filled.
    private(set) var pendingCount = 0

    mutating func append(ready text: String, subscription: FeedSubscription? = nil) {
        slots.append(Slot(text: text, subscription: subscription))
        readyBytes += text.utf8.count
    }

    /// Queues a placeholder; returns its number, for `fill`.
    mutating func appendPending() -> Int {
        slots.append(Slot(text: nil))
        pendingCount += 1
        return front + slots.count - 1
    }

    /// Fills a placeholder; false if there is none of that number waiting (already filled, or
    /// written and gone).
    @discardableResult
    mutating func fill(_ number: Int, with text: String) -> Bool {
        let offset = number - front
        guard offset >= 0, offset < slots.count else { return false }
        let index = slots.index(slots.startIndex, offsetBy: offset)
        guard slots[index].text == nil else { return false }
        slots[index].text = text
        readyBytes += text.utf8.count
        pendingCount -= 1
        return true
    }

    /// The front answer if it is ready, removed from the queue.
    mutating func popReady() -> (text: String, subscription: FeedSubscription?)? {
        guard let first = slots.first, let text = first.text else { return nil }
        slots.removeFirst()
        front += 1
        readyBytes -= text.utf8.count
        return (text, first.subscription)
    }
}
