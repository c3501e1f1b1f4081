import Foundation
import Testing

/// `status` counts requests by known type only: a peer cannot grow the counters with its own text.
@Suite("Status counters, end to end")
struct StatusCountersEndToEndTests {
    static let knownTypes: Set<String> = [
        "call.offered", "abuse", "warning", "supervisor", "hangup.request", "call.ended", "status", "history", "explain",
        "forgive", "reload", "verify", "export", "tail", "purge", "unknown",
    ]

    @Test("Lines with made-up types, no type or no JSON are counted under one unknown bucket")
    func unknownBucket() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        var lines = (0..<300).map { #"{"type":"made-up-\#($0)","id":\#($0)}"# }
        lines += [#"{"id":1}"#, #"{"type":7}"#, "not json", #"{"type":"abuse","kind":"verbal"}"#]
        try client.send(raw: lines.joined(separator: "\n") + "\n")
        for _ in lines { _ = try client.readResponse() }
        let status = try client.request(["type": "status"])
        let requests = try #require(status["requests"] as? [String: Int])
        #expect(Set(requests.keys).isSubset(of: Self.knownTypes), "\(requests.keys.sorted())")
        #expect(requests["unknown"] == 303)
        #expect(requests["abuse"] == 1)
        let errors = try #require(status["errors"] as? [String: Int])
        #expect(errors["unknown_type"] == 300)
        #expect(errors["bad_request"] == 4)
    }

    @Test("A request the peer may not send is counted as unknown, after the role check", .enabled(if: TestUser.canCreate && Command.find("socat") != nil, "needs root, useradd, setpriv and socat to connect as another user"))
    func forbiddenIsUnknown() throws {
        let outsider = try TestUser(prefix: "cwcnt")
        let daemon = try Daemon().start(extraArguments: ["--socket-mode", "666"])
        let answers = try RolesEndToEndTests.send([
            #"{"type":"abuse","caller":"+447700900123","kind":"verbal"}"#,
            #"{"type":"forgive","caller":"+447700900123","reason":"r"}"#,
            #"{"type":"abuse","kind":"verbal"}"#,
            #"{"type":"status"}"#,
        ], as: outsider, to: daemon)
        #expect(answers.map(\.errorCode) == ["forbidden", "forbidden", "bad_request", nil])
        let requests = try #require(try daemon.request(["type": "status"])["requests"] as? [String: Int])
        #expect(requests["unknown"] == 3)
        #expect(requests["abuse"] == nil && requests["forgive"] == nil)
        #expect(requests["status"] == 1)  // the outsider's; this one is counted once answered
    }
}
