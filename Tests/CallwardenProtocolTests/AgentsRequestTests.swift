import CallwardenProtocol
import Testing

/// `agents`: an admin's question, with an optional `at` held to the protocol's window.
@Suite("The agents request")
struct AgentsRequestTests {
    func decode(_ text: String) -> Result<Request, ProtocolError> { RequestDecoder.decode(Array(text.utf8)).request }

    @Test func agents_decodesWithOrWithoutAt_andNeedsTheSupervisorRole() throws {
        #expect(try decode(#"{"type":"agents"}"#).get() == .agents(at: nil))
        let asOf = try decode(#"{"type":"agents","at":"2027-01-15T08:00:00Z"}"#).get()
        #expect(asOf == .agents(at: 1_800_000_000))
        // The daemon refuses an `at` beyond its clock for every request with an event time.
        #expect(asOf.eventTime == 1_800_000_000)
        #expect(asOf.role == .supervisor)
    }

    @Test func agents_refusesUnknownFieldsAndTimesOutsideTheWindow() {
        for line in [#"{"type":"agents","agent":"a1"}"#, #"{"type":"agents","at":1e400}"#, #"{"type":"agents","at":"yesterday"}"#] {
            guard case .failure(let error) = decode(line) else {
                Issue.record("accepted: \(line)")
                continue
            }
            #expect(error.code == .badRequest, "\(line)")
        }
    }
}
