import CallwardenCore

/// Calls in progress, from `call.offered` to `call.ended`, with where each stands on the ladder.
///
/// Bounded two ways, so that a switch that never sends `call.ended` cannot grow the daemon: calls
/// older than the policy's maximum call length are closed by the reaper, and past `capacity` the
/// oldest calls are evicted at once. Calls whose ladder has begun are part of the record; the
/// engine closes those `by: system` when they leave.
struct OpenCalls {
    struct Call {
        var id: String
        var caller: Caller
        /// How far the caller id could be trusted when the call was offered: incidents in the call
        /// carry it unless their own event says otherwise.
        var trust: CallerIDTrust = .none
        /// Whether the switch said anything of the caller id (else the record leaves it absent).
        var trustReported = false
        /// When the call was offered, as its events say: the ladder's times are measured from it.
        var offeredAt: Double
        /// When the daemon began following it, by its own clock: expiry and eviction go by this,
        /// so that no `at` a peer sends can keep a call, or the calls after it, open.
        var openedAt: Double
        var ladder = CallLadder()
        /// Whether a `call_start` entry is in the record (written with the call's first ladder step).
        var startRecorded = false
    }

    let capacity: Int
    private var byID: [String: Call] = [:]
    /// Call ids in the order they were opened, for eviction and expiry without a sort. Entries of
    /// calls already gone are skipped when reached; `head` avoids shifting the array on each pop.
    private var order: [(id: String, openedAt: Double)] = []
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { byID.count }

    subscript(id: String) -> Call? {
        get { byID[id] }
        set {
            guard let newValue else {
                byID[id] = nil
                return
            }
            if byID.updateValue(newValue, forKey: id) == nil { order.append((id, newValue.openedAt)) }
        }
    }

    /// Opens a call (a call offered again, as on a transfer, keeps its ladder). Returns the calls
    /// evicted to stay within capacity.
    mutating func open(id: String, caller: Caller, trust: CallerIDTrust? = nil, at: Double, openedAt: Double) -> [Call] {
        if byID[id] == nil {
            self[id] = Call(id: id, caller: caller, trust: trust ?? .none, trustReported: trust != nil, offeredAt: at, openedAt: openedAt)
        }
        var evicted: [Call] = []
        while byID.count > capacity, let oldest = popOldest() {
            evicted.append(oldest)
        }
        // Calls that ended normally leave their place in `order` behind: drop those places once
        // they outnumber the live calls, so `order` stays proportional to what is open.
        if order.count - head > 2 * byID.count + 4096 {
            order = order[head...].filter { byID[$0.id]?.openedAt == $0.openedAt }
            head = 0
        }
        return evicted
    }

    mutating func remove(_ id: String) -> Call? {
        byID.removeValue(forKey: id)
    }

    /// Removes and returns calls the daemon began following before `cutoff`.
    mutating func expire(openedBefore cutoff: Double) -> [Call] {
        var expired: [Call] = []
        while head < order.count, order[head].openedAt < cutoff {
            if let call = popOldest() { expired.append(call) }
        }
        compact()
        return expired
    }

    private mutating func popOldest() -> Call? {
        while head < order.count {
            let (id, openedAt) = order[head]
            head += 1
            if let call = byID[id], call.openedAt == openedAt {
                byID[id] = nil
                compact()
                return call
            }
        }
        return nil
    }

    private mutating func compact() {
        if head > 4096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
