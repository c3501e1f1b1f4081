import CallwardenProtocol

/// One connection's life, as a value: which lines it may take, which answers may leave, when it may
/// read more, and when it is done. `ConnectionHandler` tells it what happened on the channel and
/// carries out the actions it returns; nothing here touches a socket or an event loop, so every
/// transition is tested on its own (Tests/CallwardenServerTests).
///
///     awaitingRole ──► serving ──► draining ──► closing
///                         │                        ▲
///                         └──► following ──────────┘
struct ConnectionState {
    enum Phase {
        /// Accepted; the peer's role is not known yet, so nothing is read or answered. `then`
        /// keeps an end of input or a shutdown that came first.
        case awaitingRole(then: Drain?)
        /// Reading lines and answering each, in order.
        case serving(Role)
        /// Reading no more: answers what it has taken (and, by `Drain`, what it has received), then closes.
        case draining(Role, Drain)
        /// `tail` was taken: no more requests; once its answer is written the connection carries
        /// the feed until the feed ends.
        case following(FeedSubscription)
        /// Done: closed, or closing once the last write has gone.
        case closing
    }

    /// Why a connection reads no more, and which of the lines it already holds it still answers.
    enum Drain: Equatable {
        /// The client half-closed: every line it sent is answered, the last even without its newline.
        case inputEnded
        /// The daemon is stopping: the complete lines already received are answered.
        case shuttingDown
        /// A line was refused (over-long, or left unfinished too long): nothing after it is taken.
        case lineRefused
    }

    /// What a client may leave unanswered or unread before the daemon stops reading from it.
    struct Budget: Equatable {
        /// Answers outstanding, ready or still waiting for the record.
        var answers: Int
        /// Answers still waiting for the record (each is a task in flight, which costs memory too).
        var pendingAnswers: Int
        /// Bytes of ready answers queued (beyond what the channel itself buffers).
        var answerBytes: Int

        static let standard = Budget(answers: 1024, pendingAnswers: 64, answerBytes: 64 * 1024)
    }

    /// What the handler does next.
    enum Action {
        /// Write the answers that are ready at the next turn of the event loop (so that answers of
        /// one group commit that come back together leave together).
        case scheduleWrite
        /// The answer to `tail` has been written: start sending this feed.
        case follow(FeedSubscription)
        /// Stop this feed (the client left, or the daemon is stopping); the connection closes when
        /// it has ended.
        case endFeed(FeedSubscription)
        /// Close once the writes already made have gone.
        case close
    }

    private(set) var phase: Phase = .awaitingRole(then: nil)
    private var answers = AnswerQueue()
    private let budget: Budget
    /// Whether the channel takes more writes without passing its high-water mark.
    private var writable = true
    /// The pipeline asked for a read while reading was paused.
    private var readHeld = false
    private var writeScheduled = false

    init(budget: Budget = .standard) {
        self.budget = budget
    }

    // MARK: The peer and the connection's life

    mutating func roleKnown(_ role: Role) {
        guard case .awaitingRole(let then) = phase else { return }
        phase = then.map { .draining(role, $0) } ?? .serving(role)
    }

    /// The client half-closed (or the channel reported end of input).
    mutating func inputEnded() -> Action? {
        switch phase {
        case .awaitingRole:
            phase = .awaitingRole(then: .inputEnded)
        case .serving(let role):
            phase = .draining(role, .inputEnded)
        case .draining(let role, .shuttingDown):
            // Everything received is answered now, the last line even without its newline.
            phase = .draining(role, .inputEnded)
        case .draining, .closing:
            break
        case .following(let feed):
            return .endFeed(feed)
        }
        return nil
    }

    /// Graceful shutdown: lines already received are answered; nothing more is read.
    mutating func shutDown() -> Action? {
        switch phase {
        case .awaitingRole(nil):
            phase = .awaitingRole(then: .shuttingDown)
        case .serving(let role):
            phase = .draining(role, .shuttingDown)
        case .awaitingRole, .draining, .closing:
            break
        case .following(let feed):
            return .endFeed(feed)
        }
        return nil
    }

    /// The channel is gone: nothing more can be written.
    mutating func connectionLost() -> Action? {
        defer { phase = .closing }
        if case .following(let feed) = phase { return .endFeed(feed) }
        return nil
    }

    /// The feed of a `tail` connection ended.
    mutating func feedEnded() -> Action? {
        guard case .following = phase else { return nil }
        phase = .closing
        return .close
    }

    // MARK: Taking lines

    /// The role to answer the next received line with, or nil while no line may be taken: the
    /// phase takes none, or the client has left its budget's worth unread.
    var roleForNextLine: Role? {
        guard hasRoom else { return nil }
        switch phase {
        case .serving(let role), .draining(let role, .inputEnded), .draining(let role, .shuttingDown):
            return role
        case .awaitingRole, .draining(_, .lineRefused), .following, .closing:
            return nil
        }
    }

    /// After end of input, bytes left without a newline are a last line (some clients omit it).
    var takesUnterminatedLastLine: Bool {
        if case .draining(_, .inputEnded) = phase { return true }
        return false
    }

    /// Whatever the client sends now is not a request, and is dropped as it comes.
    var discardsInput: Bool {
        switch phase {
        case .following, .draining(_, .lineRefused), .closing: true
        case .awaitingRole, .serving, .draining: false
        }
    }

    mutating func answered(_ text: String) {
        answers.append(ready: text)
    }

    /// A line whose answer comes later; returns the number to fill it by.
    mutating func answerLater() -> Int {
        answers.appendPending()
    }

    mutating func filled(_ number: Int, with text: String) -> Action? {
        guard answers.fill(number, with: text), !writeScheduled else { return nil }
        writeScheduled = true
        return .scheduleWrite
    }

    /// The scheduled write is running.
    mutating func writeStarted() {
        writeScheduled = false
    }

    /// `tail` was answered. While serving, the connection turns into a feed once the answer is
    /// written; a connection already draining only answers it, and the feed is ended at once.
    mutating func tailAnswered(_ text: String, feed: FeedSubscription) -> Action? {
        guard case .serving = phase else {
            answers.append(ready: text)
            return .endFeed(feed)
        }
        answers.append(ready: text, subscription: feed)
        phase = .following(feed)
        return nil
    }

    /// A line was refused with `text` (over-long, or unfinished too long): it is answered after the
    /// lines before it, and nothing after it is taken.
    mutating func lineRefused(_ text: String) {
        switch phase {
        case .serving(let role), .draining(let role, _):
            answers.append(ready: text)
            phase = .draining(role, .lineRefused)
        case .awaitingRole, .following, .closing:
            break
        }
    }

    // MARK: Writing

    mutating func writabilityChanged(_ writable: Bool) {
        self.writable = writable
    }

    /// The front answer, if it is ready and the channel takes more; `then` is set on `tail`'s answer.
    mutating func nextAnswer() -> (text: String, then: Action?)? {
        if case .closing = phase { return nil }
        guard writable, let (text, subscription) = answers.popReady() else { return nil }
        return (text, subscription.map { .follow($0) })
    }

    // MARK: Reading

    /// The pipeline asks for more input. `inputCaughtUp`: every complete line received has been
    /// taken (what is left, if anything, is part of a line). Returns whether to read now; if not,
    /// the read is held until `resumeHeldRead` allows it.
    mutating func readRequested(inputCaughtUp: Bool) -> Bool {
        if mayRead(inputCaughtUp: inputCaughtUp) { return true }
        readHeld = true
        return false
    }

    /// Whether a held read may go ahead now.
    mutating func resumeHeldRead(inputCaughtUp: Bool) -> Bool {
        guard readHeld, mayRead(inputCaughtUp: inputCaughtUp) else { return false }
        readHeld = false
        return true
    }

    /// Whether the daemon is waiting for the rest of a partial line: it would read, and all it
    /// holds is the start of a line. The partial-line time limit runs only then, never while the
    /// daemon itself holds back (a client that does not read its answers is bounded by the budget).
    func waitsForRestOfLine(inputHoldsPartialLine: Bool) -> Bool {
        guard inputHoldsPartialLine, case .serving = phase else { return false }
        return hasRoom
    }

    private func mayRead(inputCaughtUp: Bool) -> Bool {
        switch phase {
        case .serving: hasRoom && inputCaughtUp
        // A feed keeps reading (and dropping) what comes, to notice when the client leaves.
        case .following: true
        case .awaitingRole, .draining, .closing: false
        }
    }

    private var hasRoom: Bool {
        writable && answers.count < budget.answers && answers.pendingCount < budget.pendingAnswers && answers.readyBytes < budget.answerBytes
    }

    // MARK: Closing

    /// Closes a draining connection once every answer has been written and, unless a line was
    /// refused, every line it still had to take has been taken (`inputExhausted`).
    mutating func closeIfDone(inputExhausted: Bool) -> Action? {
        guard case .draining(_, let drain) = phase, answers.isEmpty, drain == .lineRefused || inputExhausted else { return nil }
        phase = .closing
        return .close
    }
}

// A feed is the same feed only if it is the same subscription.
extension ConnectionState.Phase: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.awaitingRole(let a), .awaitingRole(let b)): a == b
        case (.serving(let a), .serving(let b)): a == b
        case (.draining(let a, let x), .draining(let b, let y)): a == b && x == y
        case (.following(let a), .following(let b)): a === b
        case (.closing, .closing): true
        default: false
        }
    }
}

extension ConnectionState.Action: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.scheduleWrite, .scheduleWrite), (.close, .close): true
        case (.follow(let a), .follow(let b)), (.endFeed(let a), .endFeed(let b)): a === b
        default: false
        }
    }
}
