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
    /// The incidents each agent took lately: their counters and the policy's welfare rules.
    var agents: AgentLedger
    /// The first error of the last refused reload, until a reload succeeds.
    var lastRejection: String?
    /// The id the next entry gets: the record's next id, set before each command by the engine.
    var nextID: Int64
    /// Set while the record cannot be written; cleared by the next commit that lands.
    var degraded: Degraded?
    /// Set while write requests are refused, with the reason they are told (`Engine.refuseWrites`).
    var writesRefused: String?
    /// Per node of a cluster, the highest origin id of its entries folded into memory. Each node's
    /// entries reach the shared record in id order, so one at or below this is one memory holds
    /// already (`applyPeerEntries`).
    var peerThrough: [Int: Int64] = [:]
    /// Supervisor requests waiting for a verdict, by call.
    var supervision: PendingSupervision
    /// The last entry id the record has committed: notices wait until what caused them is past it.
    private(set) var committedThrough: Int64
    /// The last entry id handed to the record and not refused: a notice with no entry of its own
    /// (a timeout) follows it.
    private(set) var queuedThrough: Int64
    /// Notices waiting for the entry that caused them (`after`) to be committed, in id order.
    private(set) var waitingNotices: [(after: Int64, notice: EngineNotice)] = []
    /// Notices whose cause is durable, in order, for the engine to send once it lets go of the lock.
    private var readyNotices: [EngineNotice] = []
    /// How to take back each uncommitted entry's effect on memory, in id order.
    private(set) var uncommitted: [UndoRecord] = []
    /// Counts decisions and incidents under `policy`; replaced with it. Taken out under the lock
    /// and used after it is released.
    var policyMeter: any PolicyMeter = NoMeter()

    init(
        policy: LoadedPolicy, histories: [String: CallerHistory], incidentCount: Int, calls: OpenCalls, nextID: Int64,
        exemptions: ExemptionRegister = ExemptionRegister(), agents: AgentLedger = AgentLedger(),
        supervision: PendingSupervision = PendingSupervision()
    ) {
        self.policy = policy
        self.exemptions = exemptions
        self.agents = agents
        self.histories = histories
        self.incidentCount = incidentCount
        self.calls = calls
        self.nextID = nextID
        self.supervision = supervision
        committedThrough = nextID - 1
        queuedThrough = nextID - 1
    }

    func history(of caller: Caller) -> CallerHistory {
        caller.key.flatMap { histories[$0] } ?? CallerHistory()
    }

    /// Gives `entries` their ids, from `nextID` on; returns the first.
    mutating func number(_ count: Int) -> Int64 {
        let first = nextID
        nextID += Int64(count)
        if count > 0 { queuedThrough = nextID - 1 }
        return first
    }

    /// Notes how to take back an effect of the entry `id`, should it not be committed.
    mutating func remember(_ undo: Undo, for id: Int64) {
        uncommitted.append(UndoRecord(id: id, undo: undo))
    }

    /// Everything up to `id` is in the record: its effects on memory are final, and the notices
    /// that waited for it are ready.
    mutating func committed(through id: Int64) {
        let kept = uncommitted.firstIndex { $0.id > id } ?? uncommitted.endIndex
        uncommitted.removeFirst(kept)
        degraded = nil
        committedThrough = max(committedThrough, id)
        let released = waitingNotices.firstIndex { $0.after > id } ?? waitingNotices.endIndex
        readyNotices += waitingNotices[..<released].map(\.notice)
        waitingNotices.removeFirst(released)
    }

    /// Nothing from `id` on was recorded: takes back its effects on memory, newest first, so that
    /// memory again holds exactly what the record holds. Notices of what was taken back are never sent.
    mutating func rollBack(from id: Int64) {
        while let last = uncommitted.last, last.id >= id {
            uncommitted.removeLast()
            undo(last.undo)
        }
        waitingNotices.removeAll { $0.after >= id }
        queuedThrough = min(queuedThrough, id - 1)
    }

    /// A peer's `entry` is about to be folded into memory while this node's own writes are not
    /// all committed. Their undo records that would put back how something stood before them (a
    /// call, a caller's review marks or grace window, a supervisor request) get the peer's entry
    /// folded in too, and those that would take back what the peer's entry also does (forgiving
    /// an incident, ending an exemption) are dropped: taking back an own write that failed must
    /// leave a peer's entry, final in the shared record, in place.
    mutating func keepOnRollBack(_ entry: NewEntry, now: Double) {
        guard !uncommitted.isEmpty else { return }
        uncommitted = uncommitted.compactMap { record in
            var record = record
            switch record.undo {
            case .call(let id, let previous) where id == entry.call:
                record.undo = .call(id: id, previous: Self.foldingPeer(entry, into: previous, now: now))
            case .review(let caller, let previous) where caller == entry.caller && entry.type == .review:
                var marks = CallerHistory(review: previous)
                marks.applyMarks(of: entry)
                record.undo = .review(caller: caller, previous: marks.review)
            case .grace(let caller, let previous) where caller == entry.caller && entry.type == .forgiveness:
                var marks = CallerHistory(grace: previous)
                marks.applyMarks(of: entry)
                record.undo = .grace(caller: caller, previous: marks.grace)
            case .supervision(let call, _) where call == entry.call && Self.closesSupervision(entry):
                record.undo = .supervision(call: call, previous: nil)
            case .forgiveness(let caller, let incident) where caller == entry.caller && entry.type == .forgiveness && entry.ref == incident:
                return nil
            case .exemptionRemoved(let exemption) where entry.type == .exemptionEnd && entry.ref == exemption.id:
                return nil
            default:
                break
            }
            return record
        }
    }

    /// Holds `notice` until the entry `id` is committed; it is ready at once when that entry
    /// already is.
    mutating func announce(_ notice: EngineNotice, after id: Int64) {
        if id > committedThrough {
            waitingNotices.append((id, notice))
        } else {
            readyNotices.append(notice)
        }
    }

    /// The notices ready to send, in order; the engine sends them once it lets go of the lock.
    mutating func takeReadyNotices() -> [EngineNotice] {
        // Asked after every decision: nearly always nothing, and then nothing is touched.
        guard !readyNotices.isEmpty else { return [] }
        defer { readyNotices.removeAll() }
        return readyNotices
    }

    /// Takes an incident out of memory: out of its caller's history (dropped once empty) and out
    /// of the count. Used when a write is taken back and when a purge deleted the incident.
    ///
    /// A history with a grace window is kept though empty: the record keeps the forgiveness that
    /// opened it (purges do not delete it), and a start-up rebuilds it from there.
    mutating func remove(incident id: Int64, of caller: String?) {
        incidentCount = max(0, incidentCount - 1)
        guard let caller, var history = histories[caller] else { return }
        history.incidents.removeAll { $0.id == id }
        histories[caller] = history.isEmpty && history.grace == nil ? nil : history
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
        case .agent(let change):
            agents.undo(change)
        case .supervision(let call, let previous):
            supervision[call] = previous
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
    /// An incident an agent took: what it changed in their counters and welfare marks.
    case agent(AgentLedger.Change)
    /// A call's supervisor request asked for, answered or timed out: `previous` is how it stood.
    case supervision(call: String, previous: SupervisorRequest?)
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
