@testable import CallwardenServer
import CallwardenProtocol
import NIOCore
import Testing

@Suite("Connection parts")
struct ConnectionPartsTests {
    @Test("Peer groups: zeros after the last gid are the unused buffer; a leading zero before a gid is group 0")
    func peerGroups() {
        #expect(PeerGroups.interpret([5, 1001, 0, 0]) == .groups([5, 1001]))
        #expect(PeerGroups.interpret([0, 27, 0, 0]) == .groups([0, 27]))
        #expect(PeerGroups.interpret([0, 0, 0]) == .noneOrOnlyZero)
        #expect(PeerGroups.interpret([]) == .noneOrOnlyZero)
    }

    @Test("Roles come from the peer's own groups, primary or supplementary")
    func roles() {
        let roles = RoleMap(adminUIDs: [0], adminGroups: [10], telephonyGroups: [20])
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 500, groups: [20])) == .telephony)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 20, groups: [])) == .telephony)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 500, groups: [20, 10])) == .admin)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 500, groups: nil)) == .none)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 0, gid: 0, groups: [])) == .admin)
        #expect(roles.role(of: nil) == .none)
    }

    @Test("A supervisor group gives the supervisor role, above telephony and below admin")
    func supervisorRole() {
        let roles = RoleMap(adminUIDs: [0], adminGroups: [10], supervisorGroups: [30], telephonyGroups: [20])
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 500, groups: [30])) == .supervisor)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 30, groups: [20])) == .supervisor)
        #expect(roles.role(of: PeerCredentials(pid: 1, uid: 500, gid: 500, groups: [30, 10])) == .admin)
        #expect(Role.telephony < .supervisor && Role.supervisor < .admin)
        #expect(RequestType.supervise.role == .supervisor)
        #expect(RequestType.supervisor.role == .telephony)
    }

    @Test("The connection count refuses beyond the limit, says which refusal is the first, and asks for memory back as it falls")
    func openConnections() {
        let open = OpenConnections(limit: 2)
        #expect(open.admit() == .admitted)
        #expect(open.admit() == .admitted)
        #expect(open.admit() == .refused(first: true))
        #expect(open.admit() == .refused(first: false))
        #expect(open.release() == false)
        #expect(open.admit() == .admitted)
        #expect(open.release() == false)
        #expect(open.release() == true)
        #expect(open.count == 0)
    }

    @Test("The answer queue counts the bytes of ready answers and the placeholders still open")
    func answerQueue() {
        var queue = AnswerQueue()
        queue.append(ready: "abc")
        let number = queue.appendPending()
        #expect(queue.readyBytes == 3)
        #expect(queue.pendingCount == 1)
        let filled = queue.fill(number, with: "éé")
        #expect(filled)
        let filled2 = queue.fill(number, with: "again")
        #expect(!filled2)
        #expect(queue.readyBytes == 7)
        #expect(queue.pendingCount == 0)
        #expect(queue.popReady()?.text == "abc")
        #expect(queue.popReady()?.text == "éé")
        #expect(queue.readyBytes == 0)
        #expect(queue.isEmpty)
    }

    func text(_ line: InboundLine?) -> String? {
        if case .line(let buffer) = line { return String(buffer: buffer) }
        return nil
    }

    @Test("The inbox cuts lines on demand, across reads, and keeps a partial line until it is finished")
    func inbox() {
        var inbox = LineInbox(maximumLineLength: 16)
        inbox.append(ByteBuffer(string: "one\ntw"))
        #expect(!inbox.caughtUp)
        let line = inbox.nextLine()
        #expect(text(line) == "one")
        let line2 = inbox.nextLine()
        #expect(line2 == nil)
        #expect(inbox.caughtUp)
        #expect(inbox.holdsPartialLine)
        inbox.append(ByteBuffer(string: "o\r\nthree"))
        #expect(!inbox.holdsPartialLine)
        let line3 = inbox.nextLine()
        #expect(text(line3) == "two")
        let line4 = inbox.nextLine()
        #expect(line4 == nil)
        #expect(!inbox.isExhausted(unterminatedToo: true))
        #expect(inbox.isExhausted(unterminatedToo: false))
        let lastLine = inbox.unterminatedLastLine()
        #expect(text(lastLine) == "three")
        #expect(inbox.isExhausted(unterminatedToo: true))
    }

    @Test("The inbox refuses a line longer than the limit, even before its newline arrives")
    func inboxTooLong() {
        var inbox = LineInbox(maximumLineLength: 4)
        inbox.append(ByteBuffer(string: "12345678"))
        let line = inbox.nextLine()
        #expect(line == .tooLong)
    }
}


@Suite("Feed subscription")
struct FeedSubscriptionTests {
    @Test("A subscriber's queue is bounded in bytes as well as lines; what does not fit is counted in a dropped notice")
    func byteBound() async {
        let subscription = FeedSubscription(capacity: 100, maximumBytes: 10)
        for line in ["aaaa", "bbbb", "cccc", "dddd"] { subscription.offer(line) }
        let first = await subscription.next()
        let second = await subscription.next()
        let notice = await subscription.next()
        #expect(first == "aaaa")
        #expect(second == "bbbb")
        #expect(notice?.contains(#""event":"dropped""#) == true)
        #expect(notice?.contains(#""count":2"#) == true)
        subscription.offer("eeee")
        let after = await subscription.next()
        #expect(after == "eeee")
    }
}
