/// The supervisor requests waiting for a verdict, one per call at most, as a value.
///
/// A request is added when a `hangup.request` is answered `supervisor_required` and the call has
/// none pending (an agent who asks again keeps the first request and its deadline). It leaves when
/// a verdict arrives (answered), the call ends, or its deadline passes (timed out). Bounded by the
/// open calls: a request never outlives its call.
///
/// A call whose request timed out is not asked for again until a verdict or its end: a switch
/// whose `at` runs behind the daemon's clock gets `supervisor_required` until its own time reaches
/// the deadline, and each such answer would otherwise announce the request, and its timeout, anew.
struct PendingSupervision {
    private var byCall: [String: SupervisorRequest] = [:]
    /// Calls whose request timed out (by the daemon's clock): bounded by the open calls, as a
    /// call's end closes its entry here too.
    private var timedOut: Set<String> = []

    var count: Int { byCall.count }
    var isEmpty: Bool { byCall.isEmpty }

    subscript(call: String) -> SupervisorRequest? {
        get { byCall[call] }
        set {
            byCall[call] = newValue
            // A request taken back into waiting (its timeout undone) is no longer timed out.
            if newValue != nil { timedOut.remove(call) }
        }
    }

    /// Every pending request, the earliest asked first (then by call, so the order is stable).
    var all: [SupervisorRequest] {
        byCall.values.sorted { ($0.askedAt, $0.call) < ($1.askedAt, $1.call) }
    }

    /// Adds `request` unless its call already has one pending; returns whether it was added.
    mutating func ask(_ request: SupervisorRequest) -> Bool {
        guard byCall[request.call] == nil, !timedOut.contains(request.call) else { return false }
        byCall[request.call] = request
        return true
    }

    /// Takes the call's request out (a verdict came, or the call ended); nil when none was pending.
    mutating func close(call: String) -> SupervisorRequest? {
        timedOut.remove(call)
        return byCall.removeValue(forKey: call)
    }

    /// Takes out every request whose deadline is at or before `now`, earliest deadline first.
    mutating func due(at now: Double) -> [SupervisorRequest] {
        let due = byCall.values.filter { $0.deadline.map { $0 <= now } ?? false }
            .sorted { ($0.deadline ?? 0, $0.call) < ($1.deadline ?? 0, $1.call) }
        for request in due {
            byCall[request.call] = nil
            timedOut.insert(request.call)
        }
        return due
    }

    /// The earliest deadline among pending requests; nil when none has one.
    var nextDeadline: Double? {
        byCall.values.compactMap(\.deadline).min()
    }

    /// Sets each request's deadline anew (the policy's `supervisor_timeout` changed): `deadline`
    /// gives it from the call.
    mutating func retime(_ deadline: (SupervisorRequest) -> Double?) {
        // Under a longer timeout a call that timed out may need a supervisor again: it may be asked.
        timedOut.removeAll()
        for (call, request) in byCall {
            byCall[call]?.deadline = deadline(request)
        }
    }
}
