import CallwardenProtocol
import Testing

@Suite("Request decoding")
struct RequestDecoderTests {
    func decode(_ text: String) -> DecodedLine { RequestDecoder.decode(Array(text.utf8)) }

    func code(_ text: String) -> ProtocolError.Code? {
        if case .failure(let error) = decode(text).request { return error.code }
        return nil
    }

    @Test("Requests decode to their types")
    func valid() throws {
        #expect(try decode(#"{"type":"call.offered","call":"c1","caller":"+447700900123","id":7}"#).request.get() == .callOffered(call: "c1", caller: "+447700900123", dialed: nil, claim: .absent, at: nil))
        #expect(try decode(#"{"type":"abuse","call":"c1","kind":"verbal","agent":"a7","note":"n","at":1800000000}"#).request.get() == .abuse(call: "c1", caller: nil, kind: "verbal", agent: "a7", note: "n", claim: .absent, at: 1_800_000_000))
        #expect(try decode(#"{"type":"abuse","caller":"x","kind":"verbal","at":"2027-01-15T08:00:00Z"}"#).request.get() == .abuse(call: nil, caller: "x", kind: "verbal", agent: nil, note: nil, claim: .absent, at: 1_800_000_000))
        #expect(try decode(#"{"type":"abuse","caller":"x","kind":"verbal","at":"2027-01-15T08:00:00.250+00:00"}"#).request.get() == .abuse(call: nil, caller: "x", kind: "verbal", agent: nil, note: nil, claim: .absent, at: 1_800_000_000.25))
        #expect(try decode(#"{"type":"supervisor","call":"c","verdict":"approve"}"#).request.get() == .supervisor(call: "c", verdict: .approve, supervisor: nil, at: nil))
        #expect(try decode(#"{"type":"supervisor","call":"c","verdict":"deny","supervisor":"s1","reason":"I take the call"}"#).request.get() == .supervisor(call: "c", verdict: .deny, supervisor: "s1", reason: "I take the call", at: nil))
        #expect(try decode(#"{"type":"supervise"}"#).request.get() == .supervise)
        #expect(code(#"{"type":"supervise","call":"c"}"#) == .badRequest)
        #expect(try decode(#"{"type":"forgive","caller":"x","reason":"r","incident":3}"#).request.get() == .forgive(caller: "x", reason: "r", incident: 3, grace: nil, at: nil))
        #expect(try decode(#"{"type":"status"}"#).request.get() == .status)
    }

    @Test("history, explain and forgive carry their at; history its page")
    func queryTimes() throws {
        #expect(try decode(#"{"type":"history","caller":"x","at":1800000000,"after":12,"limit":50}"#).request.get() == .history(caller: "x", at: 1_800_000_000, after: 12, limit: 50))
        #expect(try decode(#"{"type":"history","caller":"x"}"#).request.get() == .history(caller: "x", at: nil, after: nil, limit: nil))
        #expect(try decode(#"{"type":"explain","caller":"x","at":"2027-01-15T08:00:00Z"}"#).request.get() == .explain(caller: "x", dialed: nil, claim: .absent, at: 1_800_000_000))
        #expect(try decode(#"{"type":"forgive","caller":"x","reason":"r","at":1800000000}"#).request.get() == .forgive(caller: "x", reason: "r", incident: nil, grace: nil, at: 1_800_000_000))
        #expect(try decode(#"{"type":"history","caller":"x","at":5}"#).request.get().eventTime == 5)
        #expect(code(#"{"type":"history","caller":"x","limit":0}"#) == .badRequest)
        #expect(code(#"{"type":"history","caller":"x","limit":1001}"#) == .badRequest)
    }

    @Test("The id is echoed exactly as sent")
    func ids() {
        #expect(decode(#"{"type":"status","id":7}"#).id == "7")
        #expect(decode(#"{"type":"status","id":"req-7"}"#).id == #""req-7""#)
        #expect(decode(#"{"type":"status","id":7.50}"#).id == "7.50")
        #expect(decode(#"{"type":"nope","id":9}"#).id == "9")
        #expect(decode(#"{"type":"status"}"#).id == nil)
    }

    @Test("Errors carry the spec's codes", arguments: [
        (#"{"type":"call.offered","caller":"x"}"#, ProtocolError.Code.badRequest),
        (#"{"type":"call.offered","call":5,"caller":"x"}"#, .badRequest),
        (#"{"type":"call.offered","call":"c","caller":"x","colour":"red"}"#, .badRequest),
        (#"{"type":"abuse","kind":"verbal"}"#, .badRequest),
        (#"{"type":"supervisor","call":"c","verdict":"maybe"}"#, .badRequest),
        (#"{"type":"abuse","caller":"x","kind":"verbal","at":"yesterday"}"#, .badRequest),
        (#"{"type":"status","id":{"a":1}}"#, .badRequest),
        (#"{"call":"c"}"#, .badRequest),
        (#"{"type":7}"#, .badRequest),
        (#"{"type":"teleport"}"#, .unknownType),
        (#"[1,2]"#, .badRequest),
        (#"{"type":"status""#, .badRequest),
    ])
    func errors(text: String, expected: ProtocolError.Code) {
        #expect(code(text) == expected)
    }

    @Test("An unknown field is named, with the valid ones")
    func unknownFieldMessage() throws {
        guard case .failure(let error) = decode(#"{"type":"warning","call":"c","colour":"red"}"#).request else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message == "unknown field 'colour' for warning; its fields: id, agent, at, call")
    }
}

@Suite("Caller-id claims, exemptions and reviews on the wire")
struct FairnessRequestTests {
    private func decode(_ line: String) -> Result<Request, ProtocolError> {
        RequestDecoder.decode(Array(line.utf8)).request
    }

    @Test("call.offered and abuse carry the attestation and verification as sent")
    func claims() throws {
        let offered = try decode(#"{"type":"call.offered","call":"c","caller":"x","attestation":"C","verification":"TN-Validation-Passed"}"#).get()
        #expect(offered == .callOffered(call: "c", caller: "x", dialed: nil, claim: CallerIDClaim(attestation: .c, verification: .passed), at: nil))
        let abuse = try decode(#"{"type":"abuse","caller":"x","kind":"verbal","verification":"TN-Validation-Failed"}"#).get()
        #expect(abuse == .abuse(call: nil, caller: "x", kind: "verbal", agent: nil, note: nil, claim: CallerIDClaim(verification: .failed), at: nil))
    }

    @Test("An attestation outside A, B and C is refused naming the field", arguments: ["D", "a", "", "full"])
    func badAttestation(value: String) {
        guard case .failure(let error) = decode(#"{"type":"call.offered","call":"c","caller":"x","attestation":"\#(value)"}"#) else {
            Issue.record("accepted attestation \(value)")
            return
        }
        #expect(error.code == .badRequest)
        #expect(error.message.contains("'attestation'"))
    }

    @Test("exempt.add reads its target, reason, expiry and routes")
    func exemptAdd() throws {
        let request = try decode(#"{"type":"exempt.add","target":"+44800*","reason":"partner","until":"2027-01-15T08:00:00Z","routes":["nuisance","supervisor"]}"#).get()
        #expect(request == .exemptAdd(target: "+44800*", reason: "partner", until: 1_800_000_000, routes: [.nuisance, .supervisor]))
        #expect(request.role == .admin)
    }

    @Test("exempt.add refuses a repeated or unknown route", arguments: [#"["nuisance","nuisance"]"#, #"["normal"]"#, "[]", #""nuisance""#])
    func exemptRoutes(routes: String) {
        guard case .failure(let error) = decode(#"{"type":"exempt.add","target":"x","reason":"r","routes":\#(routes)}"#) else {
            Issue.record("accepted routes \(routes)")
            return
        }
        #expect(error.message.contains("'routes'"))
    }

    @Test("review.renew and review.end decode to one request with its action")
    func reviews() throws {
        #expect(try decode(#"{"type":"review.renew","caller":"x","reason":"r"}"#).get() == .review(caller: "x", action: .renew, reason: "r"))
        #expect(try decode(#"{"type":"review.end","caller":"x","reason":"r"}"#).get().type == .reviewEnd)
        #expect(try decode(#"{"type":"review.list","within":86400}"#).get() == .reviewList(within: 86_400))
    }

    @Test("grace and within outside 0 to 100 years are refused", arguments: ["-1", "1e12", "\"30d\""])
    func periods(value: String) {
        guard case .failure(let error) = decode(#"{"type":"forgive","caller":"x","reason":"r","grace":\#(value)}"#) else {
            Issue.record("accepted grace \(value)")
            return
        }
        #expect(error.message.contains("'grace'"))
    }

    @Test("exempt.remove needs the exemption's id")
    func exemptRemove() throws {
        #expect(try decode(#"{"type":"exempt.remove","exemption":12,"reason":"r"}"#).get() == .exemptRemove(exemption: 12, reason: "r"))
        guard case .failure(let error) = decode(#"{"type":"exempt.remove","reason":"r"}"#) else {
            Issue.record("accepted exempt.remove without an id")
            return
        }
        #expect(error.message.contains("'exemption'"))
    }
}
