import CallwardenEngine
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
    /// Subscribers that take every line (`tail`): only they need each request's line built.
    private let followers = Atomic<Int>(0)
    private let capacity: Int
    /// The supervisor requests announced as needed and not yet answered or timed out: what a new
    /// `supervise` subscriber is shown first. Its lock also orders each announcement against
    /// each new subscription, so the snapshot and the lines after it never miss or repeat one.
    let announced = Locked<[String: SupervisorRequest]>([:])

    public init(capacity: Int = EventFeed.defaultCapacity) {
        self.capacity = capacity
    }

    /// Whether anyone is listening.
    public var isWatched: Bool { count.load(ordering: .relaxed) > 0 }

    /// A new subscriber: of every line, or only of `events`; `first` is sent before anything else.
    func subscribe(events: Set<String>? = nil, first: String? = nil) -> FeedSubscription {
        let subscription = FeedSubscription(capacity: capacity, events: events, first: first)
        subscribers.withLock { $0[ObjectIdentifier(subscription)] = subscription }
        count.add(1, ordering: .relaxed)
        if events == nil { followers.add(1, ordering: .relaxed) }
        return subscription
    }

    func unsubscribe(_ subscription: FeedSubscription) {
        subscription.cancel()
        let removed = subscribers.withLock { $0.removeValue(forKey: ObjectIdentifier(subscription)) }
        if removed != nil {
            count.subtract(1, ordering: .relaxed)
            if subscription.events == nil { followers.subtract(1, ordering: .relaxed) }
        }
    }

    /// Sends a ready-made line (no newline) of `event` to every subscriber that takes it (nil:
    /// a line only the `tail` subscribers take).
    public func publish(_ line: String, event: String? = nil) {
        guard isWatched else { return }
        for subscription in subscribers.withLock({ Array($0.values) }) where subscription.takes(event) {
            subscription.offer(line)
        }
    }

    /// Whether a request of this type, if it succeeds, would be published now.
    func carries(_ type: String?) -> Bool {
        guard followers.load(ordering: .relaxed) > 0, let type else { return false }
        return Self.published.contains(type)
    }
}
