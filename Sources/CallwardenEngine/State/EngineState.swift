import CallwardenCore
import CallwardenStore

/// Everything the engine keeps in memory, as a value: the policy in force, every tracked caller's
/// history summary, the calls in progress, and what has been applied to memory but not yet
/// committed to the record.
///
/// Each write command is a method that takes the request and `now` and returns a `Step`: the
/// outcome for the client and the entries to record, numbered from `nextID`. The method applies
/// the step to memory at once (so the next request, on any connection, sees it) and keeps how to
/// undo it until the record says the entries were committed (`committed(through:)`) or not
/// (`rollBack(from:)`). `Engine` is only the lock around this value and the hand-over of each
/// step's entries to the record; everything else is tested on the value itself.
struct EngineState {
    var policy: LoadedPolicy
    /// Tracked callers' history summaries by normalised number. Callers with no history are absent.
    var histories: [String: CallerHistory]
    var incidentCount: Int
    var counters = Counters()
    var calls: OpenCalls
    var detector = ShortCallDetector()
    /// Callers and number patterns kept from restricting routes, lapsed ones too.
    var exemptions: ExemptionRegister
    /// The first error of the last refused reload, until a reload succeeds.
    var lastRejection: String?
    /// The id the next entry gets: the record's next id, set before each command by the engine.
    var nextID: Int64
    /// Set while the record cannot be written; cleared by the next commit that lands.
    var degraded: Degraded?
    /// How to take back each uncommitted entry's effect on memory, in id order.
    private(set) var uncommitted: [UndoRecord] = []
    /// Counts decisions and incidents under `policy`; replaced with it. Taken out under the lock
    /// and used after it is released.
    var policyMeter: any PolicyMeter = NoMeter()

    init(
        policy: LoadedPolicy, histories: [String: CallerHistory], incidentCount: Int, calls: OpenCalls, nextID: Int64,
        exemptions: ExemptionRegister = ExemptionRegister()
    ) {
        self.policy = policy
        self.exemptions = exemptions
        self.histories = histories
        self.incidentCount = incidentCount
        self.calls = calls
        self.nextID = nextID
    }

    func history(of caller: Caller) -> CallerHistory {
        caller.key.flatMap { histories[$0] } ?? CallerHistory()
    }

    /// Gives `entries` their ids, from `nextID` on; returns the first.
    mutating func number(_ count: Int) -> Int64 {
        let first = nextID
        nextID += Int64(count)
        return first
    }

    /// Notes how to take back an effect of the entry `id`, should it not be committed.
    mutating func remember(_ undo: Undo, for id: Int64) {
        uncommitted.append(UndoRecord(id: id, undo: undo))
    }

    /// Everything up to `id` is in the record: its effects on memory are final.
    mutating func committed(through id: Int64) {
        let kept = uncommitted.firstIndex { $0.id > id } ?? uncommitted.endIndex
        uncommitted.removeFirst(kept)
        degraded = nil
    }

    /// Nothing from `id` on was recorded: takes back its effects on memory, newest first, so that
    /// memory again holds exactly what the record holds.
    mutating func rollBack(from id: Int64) {
        while let last = uncommitted.last, last.id >= id {
            uncommitted.removeLast()
            undo(last.undo)
        }
    }

    /// Takes an incident out of memory: out of its caller's history (dropped once empty) and out
    /// of the count. Used when a write is taken back and when a purge deleted the incident.
    mutating func remove(incident id: Int64, of caller: String?) {
        incidentCount = max(0, incidentCount - 1)
        guard let caller, var history = histories[caller] else { return }
        history.incidents.removeAll { $0.id == id }
        histories[caller] = history.isEmpty ? nil : history
    }

    private mutating func undo(_ undo: Undo) {
        switch undo {
        case .incident(let id, let caller):
            remove(incident: id, of: caller)
        case .forgiveness(let caller, let incident):
            guard let index = histories[caller]?.incidents.firstIndex(where: { $0.id == incident }) else { return }
            histories[caller]?.incidents[index].forgiven = false
        case .resolvedCall(let caller, let at):
            guard let index = histories[caller]?.resolvedCalls.lastIndex(of: at) else { return }
            histories[caller]?.resolvedCalls.remove(at: index)
        case .call(let id, let previous):
            calls[id] = previous
        case .exemptionAdded(let id):
            exemptions.remove(id: id)
        case .exemptionRemoved(let exemption):
            exemptions.add(exemption)
        case .review(let caller, let previous):
            histories[caller]?.review = previous
        case .grace(let caller, let previous):
            histories[caller]?.grace = previous
        }
    }
}

/// An effect on memory of an entry not yet committed, and how to take it back.
enum Undo {
    /// An incident added to its caller's history (nil: the anonymous class, only counted).
    case incident(id: Int64, caller: String?)
    /// An incident marked forgiven.
    case forgiveness(caller: String, incident: Int64)
    /// A calm call credited to the caller.
    case resolvedCall(caller: String, at: Double)
    /// A call's ladder moved on, or the call ended: `previous` is how it stood before.
    case call(id: String, previous: OpenCalls.Call?)
    case exemptionAdded(id: Int64)
    case exemptionRemoved(Exemption)
    /// A review renewed or ended: `previous` is how the marks stood.
    case review(caller: String, previous: ReviewMarks)
    /// A forgiveness's grace window set: `previous` is the window it replaced.
    case grace(caller: String, previous: GraceWindow?)
}

struct UndoRecord {
    /// The entry the effect belongs to.
    var id: Int64
    var undo: Undo
}

/// The record could not be written: writes are refused until one commits again.
struct Degraded: Equatable {
    /// When the first failure of this episode happened (seconds since 1970).
    var since: Double
    /// Writes that failed during this episode.
    var failedWrites: Int
}

/// What a write command decided: the answer for the client and the entries to record, numbered
/// from `firstID`. No entries: nothing to record, the outcome is final at once.
struct Step<Outcome> {
    var outcome: Outcome
    var entries: [NewEntry]
    var firstID: Int64

    var ids: ClosedRange<Int64>? {
        entries.isEmpty ? nil : firstID...(firstID + Int64(entries.count) - 1)
    }

    /// The same step, its outcome paired with `extra` (what the engine takes out of the state with
    /// it, to use once the lock is released).
    func with<Extra>(_ extra: Extra) -> Step<(Outcome, Extra)> {
        Step<(Outcome, Extra)>(outcome: (outcome, extra), entries: entries, firstID: firstID)
    }
}

/// What `status` reports of the traffic since start.
struct Counters {
    var requests: [String: Int] = [:]
    var routes: [String: Int] = [:]
    var errors: [String: Int] = [:]
    /// Shadow rules' matches by rule: what each would have decided had it not been a shadow.
    var shadowMatches: [String: Int] = [:]
}
