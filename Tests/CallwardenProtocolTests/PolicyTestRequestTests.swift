import CallwardenProtocol
import Foundation
import Testing

@Suite("The policy.test request")
struct PolicyTestRequestTests {
    func decoded(_ text: String) -> Result<Request, ProtocolError> { RequestDecoder.decode(Array(text.utf8)).request }

    @Test("policy.test decodes its candidate text, path and since, and needs the admin role")
    func decode() throws {
        let request = try decoded(#"{"type":"policy.test","policy":"policy: x\n","path":"/etc/callwarden/new.yaml","since":"2027-01-15T08:00:00Z"}"#).get()
        #expect(request == .policyTest(policy: "policy: x\n", path: "/etc/callwarden/new.yaml", since: 1_800_000_000))
        #expect(request.role == .admin)
        #expect(try decoded(#"{"type":"policy.test","policy":"p"}"#).get() == .policyTest(policy: "p", path: nil, since: nil))
    }

    @Test("A candidate longer than other text fields is taken, up to the line's length")
    func longCandidate() throws {
        let text = String(repeating: "#", count: RequestDecoder.maximumPolicyLength)
        #expect(try decoded(#"{"type":"policy.test","policy":"\#(text)"}"#).get() == .policyTest(policy: text, path: nil, since: nil))
        let tooLong = text + "#"
        #expect(throws: ProtocolError.self) { try decoded(#"{"type":"policy.test","policy":"\#(tooLong)"}"#).get() }
    }

    @Test("A missing, empty or mistyped candidate, a long path, a NUL or a bad since is bad_request", arguments: [
        #"{"type":"policy.test"}"#, #"{"type":"policy.test","policy":""}"#, #"{"type":"policy.test","policy":7}"#,
        #"{"type":"policy.test","policy":"a\u0000b"}"#, #"{"type":"policy.test","policy":"p","since":"yesterday"}"#,
        #"{"type":"policy.test","policy":"p","path":"LONG"}"#,
        #"{"type":"policy.test","policy":"p","at":1}"#,
    ])
    func refused(_ line: String) {
        // A path of 4,097 bytes: one over the limit of every text field but the candidate.
        let line = line.replacingOccurrences(of: "LONG", with: String(repeating: "x", count: 4097))
        guard case .failure(let error) = decoded(line) else {
            Issue.record("accepted: \(line)")
            return
        }
        #expect(error.code == .badRequest)
    }
}
