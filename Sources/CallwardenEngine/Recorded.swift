import CallwardenStore

/// The result of a write, decided at once, to be acknowledged only once durable.
///
/// The engine applies a write to its memory as it queues it, so that the next request (on any
/// connection) already sees it; the client's answer waits for the commit. If the commit fails,
/// the engine takes the write back out of memory and the client is told nothing was recorded.
public struct Recorded<Value: Sendable>: Sendable {
    public let value: Value
    /// Nil when nothing needed recording: the value is final at once.
    let ticket: CommitTicket?
    let afterCommit: @Sendable () -> Void

    init(value: Value, ticket: CommitTicket?, afterCommit: @escaping @Sendable () -> Void = {}) {
        self.value = value
        self.ticket = ticket
        self.afterCommit = afterCommit
    }

    /// The value, once the write is durably recorded.
    public func durable() async throws(EngineError) -> Value {
        if let ticket {
            do {
                _ = try await ticket.wait()
            } catch let problem as EntryProblem {
                // A value the record cannot keep exactly: the sender's to fix, not a fault.
                throw .badRequest(problem.message)
            } catch {
                // Why is in the journal (the writer logs it); the client needs to know what to do.
                throw .unavailable("the record cannot be written at the moment; nothing was recorded, retry later")
            }
        }
        afterCommit()
        return value
    }
}
