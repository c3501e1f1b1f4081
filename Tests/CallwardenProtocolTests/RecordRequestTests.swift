import CallwardenProtocol
import Testing

@Suite("The record's requests")
struct RecordRequestTests {
    func request(_ text: String) throws -> Request { try RequestDecoder.decode(Array(text.utf8)).request.get() }

    func code(_ text: String) -> ProtocolError.Code? {
        if case .failure(let error) = RequestDecoder.decode(Array(text.utf8)).request { return error.code }
        return nil
    }

    @Test("verify, export, tail and purge decode, and need the admin role; status needs none")
    func decode() throws {
        #expect(try request(#"{"type":"verify"}"#) == .verify)
        #expect(try request(#"{"type":"tail"}"#) == .tail)
        #expect(try request(#"{"type":"purge"}"#) == .purge)
        #expect(try request(#"{"type":"export"}"#) == .export(caller: nil, since: nil, after: nil, limit: nil))
        #expect(try request(#"{"type":"export","caller":"07700 900123","since":"2027-01-15T08:00:00Z","after":12,"limit":100}"#)
            == .export(caller: "07700 900123", since: 1_800_000_000, after: 12, limit: 100))
        for admin in [Request.verify, .tail, .purge, .export(caller: nil, since: nil, after: nil, limit: nil)] {
            #expect(admin.role == .admin)
        }
        #expect(Request.status.role == .none)
    }

    @Test("Bad paging and times are refused with bad_request", arguments: [
        #"{"type":"export","limit":0}"#, #"{"type":"export","after":-1}"#, #"{"type":"export","after":"x"}"#,
        #"{"type":"export","since":"yesterday"}"#, #"{"type":"export","page":2}"#, #"{"type":"verify","caller":"x"}"#,
    ])
    func refused(_ line: String) {
        #expect(code(line) == .badRequest)
    }
}
