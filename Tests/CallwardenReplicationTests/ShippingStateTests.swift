import Testing

@testable import CallwardenReplication

/// The hand-over between the record's writer (shipping each commit while the shared record
/// answers) and the drain (shipping the spool while it does not), as a value.
@Suite("Shipping state")
struct ShippingStateTests {
    @Test("A node starts spooling until the shared record has been reached")
    func startsSpooling() {
        var state = ShippingState(committedThrough: 10, now: 100)
        let route = state.committed(through: 11)
        #expect(route == .spool)
        #expect(state.link == .spooling(since: 100, reason: "not reached yet since start"))
    }

    @Test("The drain hands shipping to the writer only once everything the writer reported is shipped")
    func drainHandsOverOnlyWhenCaughtUp() {
        var state = ShippingState(committedThrough: 10, now: 100)
        state.sharedHolds(through: 8)
        let answer1 = state.drained()
        #expect(answer1 == nil)
        state.shipped(through: 10)
        // A commit reported while the drain was reading: not handed over yet.
        let answer2 = state.committed(through: 12)
        #expect(answer2 == .spool)
        let answer3 = state.drained()
        #expect(answer3 == nil)
        state.shipped(through: 12)
        let answer4 = state.drained()
        #expect(answer4 == 100)
        #expect(state.link == .direct)
        let answer5 = state.committed(through: 13)
        #expect(answer5 == .ship)
    }

    @Test("A failed ship starts one episode; failures during it keep its start and take the latest reason")
    func failureEpisodes() {
        var state = ShippingState(committedThrough: 0, now: 0)
        state.shipped(through: 0)
        _ = state.drained()
        let began = state.failed("cannot connect", now: 50)
        let beganAgain = state.failed("a request to it failed", now: 60)
        #expect(began)
        #expect(!beganAgain)
        #expect(state.link == .spooling(since: 50, reason: "a request to it failed"))
        let answer6 = state.committed(through: 5)
        #expect(answer6 == .spool)
    }

    @Test("What the shared record says it holds is the authority, even below what was shipped before")
    func sharedRecordIsTheAuthority() {
        var state = ShippingState(committedThrough: 20, now: 0)
        state.shipped(through: 20)
        state.sharedHolds(through: 15)
        #expect(state.shippedThrough == 15)
        #expect(state.hasUnshipped)
        // A late answer of a ship never moves it back.
        state.shipped(through: 12)
        #expect(state.shippedThrough == 15)
    }
}
