@testable import CallwardenServer
import CallwardenProtocol
import Testing

/// A connection's life, transition by transition, without a socket.
@Suite("Connection state")
struct ConnectionStateTests {
    static let small = ConnectionState.Budget(answers: 4, pendingAnswers: 2, answerBytes: 100)

    func serving(_ budget: ConnectionState.Budget = ConnectionStateTests.small) -> ConnectionState {
        var state = ConnectionState(budget: budget)
        state.roleKnown(.telephony)
        return state
    }

    func feed() -> FeedSubscription { FeedSubscription(capacity: 8) }

    @Test("Nothing is read or taken before the role is known")
    func awaitingRole() {
        var state = ConnectionState(budget: Self.small)
        #expect(state.roleForNextLine == nil)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        state.roleKnown(.admin)
        #expect(state.phase == .serving(.admin))
        #expect(state.roleForNextLine == .admin)
        let resumes = state.resumeHeldRead(inputCaughtUp: true)
        #expect(resumes)
    }

    @Test("A shutdown before the role is known drains, once the role is known, without reading")
    func shutdownBeforeRole() {
        var state = ConnectionState(budget: Self.small)
        let action = state.shutDown()
        #expect(action == nil)
        state.roleKnown(.telephony)
        #expect(state.phase == .draining(.telephony, .shuttingDown))
        #expect(state.roleForNextLine == .telephony)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
    }

    @Test("A slow answer holds back the answers after it; they leave in request order")
    func order() {
        var state = serving()
        let slow = state.answerLater()
        state.answered("fast")
        let answer = state.nextAnswer()
        #expect(answer == nil)
        let scheduled = state.filled(slow, with: "slow")
        #expect(scheduled == .scheduleWrite)
        let answer2 = state.nextAnswer()
        #expect(answer2?.text == "slow")
        let answer3 = state.nextAnswer()
        #expect(answer3?.text == "fast")
        let answer4 = state.nextAnswer()
        #expect(answer4 == nil)
    }

    @Test("Answers filled together schedule one write")
    func coalescedWrites() {
        var state = serving()
        let first = state.answerLater()
        let second = state.answerLater()
        let scheduled = state.filled(first, with: "a")
        #expect(scheduled == .scheduleWrite)
        let scheduled2 = state.filled(second, with: "b")
        #expect(scheduled2 == nil)
        state.writeStarted()
        let answer = state.nextAnswer()
        #expect(answer?.text == "a")
        let third = state.answerLater()
        let scheduled3 = state.filled(third, with: "c")
        #expect(scheduled3 == .scheduleWrite)
    }

    @Test("A placeholder is filled once; a second fill of the same number is ignored")
    func fillOnce() {
        var state = serving()
        let number = state.answerLater()
        _ = state.filled(number, with: "first")
        state.writeStarted()
        let scheduled = state.filled(number, with: "second")
        #expect(scheduled == nil)
        let answer = state.nextAnswer()
        #expect(answer?.text == "first")
    }

    @Test("Unread answers past the byte budget stop taking and reading until they are written")
    func byteBudget() {
        var state = serving()
        state.answered(String(repeating: "x", count: 100))
        #expect(state.roleForNextLine == nil)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        #expect(state.waitsForRestOfLine(inputHoldsPartialLine: true) == false)
        let answer = state.nextAnswer()
        #expect(answer != nil)
        #expect(state.roleForNextLine == .telephony)
        let resumes = state.resumeHeldRead(inputCaughtUp: true)
        #expect(resumes)
    }

    @Test("Answers past the count budget stop taking lines")
    func countBudget() {
        var state = serving()
        for index in 0..<4 { state.answered("\(index)") }
        #expect(state.roleForNextLine == nil)
        _ = state.nextAnswer()
        #expect(state.roleForNextLine == .telephony)
    }

    @Test("Answers waiting for the record past their own budget stop taking lines")
    func pendingBudget() {
        var state = serving()
        let first = state.answerLater()
        _ = state.answerLater()
        #expect(state.roleForNextLine == nil)
        _ = state.filled(first, with: "done")
        #expect(state.roleForNextLine == .telephony)
    }

    @Test("A channel past its high-water mark gets no writes and no lines until it drains")
    func writability() {
        var state = serving()
        state.answered("a")
        state.writabilityChanged(false)
        let answer = state.nextAnswer()
        #expect(answer == nil)
        #expect(state.roleForNextLine == nil)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        state.writabilityChanged(true)
        let resumes = state.resumeHeldRead(inputCaughtUp: true)
        #expect(resumes)
        let answer2 = state.nextAnswer()
        #expect(answer2?.text == "a")
    }

    @Test("No read while complete lines received are still to be taken")
    func readAfterCatchingUp() {
        var state = serving()
        let reads = state.readRequested(inputCaughtUp: false)
        #expect(!reads)
        let resumes = state.resumeHeldRead(inputCaughtUp: false)
        #expect(!resumes)
        let resumes2 = state.resumeHeldRead(inputCaughtUp: true)
        #expect(resumes2)
        let resumes3 = state.resumeHeldRead(inputCaughtUp: true)
        #expect(!resumes3)
    }

    @Test("After a refused line nothing more is taken; it closes once the answers before it and its own are written")
    func refusedLine() {
        var state = serving()
        state.answered("before")
        state.lineRefused("too long")
        #expect(state.phase == .draining(.telephony, .lineRefused))
        #expect(state.roleForNextLine == nil)
        #expect(state.discardsInput)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        let closing = state.closeIfDone(inputExhausted: false)
        #expect(closing == nil)
        let answer = state.nextAnswer()
        #expect(answer?.text == "before")
        let answer2 = state.nextAnswer()
        #expect(answer2?.text == "too long")
        let closing2 = state.closeIfDone(inputExhausted: false)
        #expect(closing2 == .close)
        #expect(state.phase == .closing)
    }

    @Test("End of input: every line received is taken, the last even unterminated, then it closes")
    func inputEnded() {
        var state = serving()
        let action = state.inputEnded()
        #expect(action == nil)
        #expect(state.phase == .draining(.telephony, .inputEnded))
        #expect(state.takesUnterminatedLastLine)
        #expect(state.roleForNextLine == .telephony)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        state.answered("last")
        let closing = state.closeIfDone(inputExhausted: true)
        #expect(closing == nil)
        _ = state.nextAnswer()
        let closing2 = state.closeIfDone(inputExhausted: false)
        #expect(closing2 == nil)
        let closing3 = state.closeIfDone(inputExhausted: true)
        #expect(closing3 == .close)
    }

    @Test("Shutdown: complete lines received are answered, nothing more is read; an end of input then adds the unterminated line")
    func shutdown() {
        var state = serving()
        let action = state.shutDown()
        #expect(action == nil)
        #expect(state.phase == .draining(.telephony, .shuttingDown))
        #expect(!state.takesUnterminatedLastLine)
        #expect(state.roleForNextLine == .telephony)
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(!reads)
        _ = state.inputEnded()
        #expect(state.takesUnterminatedLastLine)
        let closing = state.closeIfDone(inputExhausted: true)
        #expect(closing == .close)
    }

    @Test("tail: the feed starts once its answer is written and ends when the client leaves")
    func tail() {
        var state = serving()
        let subscription = feed()
        state.answered("before")
        let action = state.tailAnswered("tail", feed: subscription)
        #expect(action == nil)
        #expect(state.phase == .following(subscription))
        #expect(state.roleForNextLine == nil)
        #expect(state.discardsInput)
        // A feed keeps reading, to see the client leave.
        let reads = state.readRequested(inputCaughtUp: true)
        #expect(reads)
        let before = state.nextAnswer()
        #expect(before?.then == nil)
        let answer = state.nextAnswer()
        #expect(answer?.text == "tail")
        #expect(answer?.then == .follow(subscription))
        let leaving = state.inputEnded()
        #expect(leaving == .endFeed(subscription))
        let ended = state.feedEnded()
        #expect(ended == .close)
        #expect(state.phase == .closing)
    }

    @Test("tail on a draining connection is answered and its feed ended at once")
    func tailWhileDraining() {
        var state = serving()
        _ = state.shutDown()
        let subscription = feed()
        let action = state.tailAnswered("tail", feed: subscription)
        #expect(action == .endFeed(subscription))
        let answer = state.nextAnswer()
        #expect(answer?.text == "tail")
        #expect(answer?.then == nil)
        let closing = state.closeIfDone(inputExhausted: true)
        #expect(closing == .close)
    }

    @Test("Shutdown ends a feed")
    func shutdownEndsFeed() {
        var state = serving()
        let subscription = feed()
        _ = state.tailAnswered("tail", feed: subscription)
        let action = state.shutDown()
        #expect(action == .endFeed(subscription))
    }

    @Test("A lost connection ends its feed and writes nothing more")
    func lost() {
        var state = serving()
        let subscription = feed()
        state.answered("never read")
        _ = state.tailAnswered("tail", feed: subscription)
        let action = state.connectionLost()
        #expect(action == .endFeed(subscription))
        #expect(state.phase == .closing)
        let answer = state.nextAnswer()
        #expect(answer == nil)
        #expect(state.roleForNextLine == nil)
    }

    @Test("The partial-line limit runs only while the daemon waits for the rest of a line")
    func partialLineLimit() {
        var state = serving()
        #expect(state.waitsForRestOfLine(inputHoldsPartialLine: true))
        #expect(!state.waitsForRestOfLine(inputHoldsPartialLine: false))
        state.writabilityChanged(false)
        #expect(!state.waitsForRestOfLine(inputHoldsPartialLine: true))
        state.writabilityChanged(true)
        _ = state.shutDown()
        #expect(!state.waitsForRestOfLine(inputHoldsPartialLine: true))
    }
}

