import CallwardenLocking
import CallwardenProtocol
import Foundation
import NIOCore
import Synchronization

/// The live feed behind `tail`: every decision and incident, as each is answered, goes to every
/// subscriber's own bounded queue.
///
/// Publishing is one atomic load when nobody subscribes, so the feed costs routing nothing in
/// normal operation; with subscribers, each line is built once and offered to each queue without
/// waiting.
public final class EventFeed: Sendable {
    /// Request types whose successful answers are published: the decisions and what the record gains.
    static let published: Set<String> = [
        "call.offered", "abuse", "warning", "supervisor", "hangup.request", "call.ended", "forgive", "reload", "purge",
        "exempt.add", "exempt.remove", "review.renew", "review.end",
    ]

    /// Lines a subscriber may have waiting before further ones are dropped.
    public static let defaultCapacity = 1024

    private let subscribers = Locked<[ObjectIdentifier: FeedSubscription]>([:])
    private let count = Atomic<Int>(0)
    private let capacity: Int

    public init(capacity: Int = EventFeed.defaultCapacity) {
        self.capacity = capacity
    }

    /// Whether anyone is listening.
    public var isWatched: Bool { count.load(ordering: .relaxed) > 0 }

    func subscribe() -> FeedSubscription {
        let subscription = FeedSubscription(capacity: capacity)
        subscribers.withLock { $0[ObjectIdentifier(subscription)] = subscription }
        count.add(1, ordering: .relaxed)
        return subscription
    }

    func unsubscribe(_ subscription: FeedSubscription) {
        subscription.cancel()
        let removed = subscribers.withLock { $0.removeValue(forKey: ObjectIdentifier(subscription)) }
        if removed != nil { count.subtract(1, ordering: .relaxed) }
    }

    /// Sends a ready-made line (no newline) to every subscriber.
    public func publish(_ line: String) {
        guard isWatched else { return }
        for subscription in subscribers.withLock({ Array($0.values) }) {
            subscription.offer(line)
        }
    }

    /// Whether a request of this type, if it succeeds, would be published now.
    func carries(_ type: String?) -> Bool {
        guard isWatched, let type else { return false }
        return Self.published.contains(type)
    }

    /// Publishes a request and its answer if the type is one the feed carries and it succeeded.
    func offer(type: String?, request: [UInt8], answer: String) {
        guard carries(type), let type else { return }
        guard let line = FeedLine.event(type: type, request: request, answer: answer) else { return }
        publish(line)
    }
}
