import Foundation
import Testing

@Suite("Protocol v1, end to end")
struct ProtocolEndToEndTests {
    @Test("1,000 pipelined mixed requests: 1,000 answers, in order, ids echoed")
    func pipelining() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        var batch = ""
        var expected: [(id: Int, type: String)] = []
        for index in 0..<1000 {
            let caller = "+4477009\(String(format: "%05d", index % 37))"
            let request: [String: Any]
            switch index % 5 {
            case 0: request = ["type": "abuse", "caller": caller, "kind": index % 2 == 0 ? "verbal" : "nuisance", "id": index]
            case 1: request = ["type": "call.offered", "call": "call-\(index)", "caller": caller, "id": index]
            case 2: request = ["type": "status", "id": index]
            case 3: request = ["type": "explain", "caller": caller, "id": index]
            default: request = ["type": "history", "caller": caller, "id": index]
            }
            let data = try JSONSerialization.data(withJSONObject: request)
            batch += String(decoding: data, as: UTF8.self) + "\n"
            expected.append((index, request["type"] as! String))
        }
        try client.send(raw: batch)
        for (index, type) in expected {
            let answer = try client.readResponse()
            #expect(answer.int("id") == index)
            #expect(answer.ok, "\(type) \(index): \(answer)")
            switch type {
            case "abuse": #expect(answer["incident"] != nil)
            case "call.offered": #expect(answer["route"] != nil)
            case "history": #expect(answer["incidents"] != nil)
            default: break
            }
        }
    }

    @Test("Pipelined answers see the writes before them on the same connection")
    func readYourWrites() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: """
            {"type":"abuse","caller":"+447700900900","kind":"verbal","id":1}
            {"type":"call.offered","call":"a","caller":"+447700900900","id":2}
            {"type":"forgive","caller":"+447700900900","reason":"calm since","id":3}
            {"type":"call.offered","call":"b","caller":"+447700900900","id":4}

            """)
        let answers = try (0..<4).map { _ in try client.readResponse() }
        #expect(answers.map { $0.int("id") } == [1, 2, 3, 4])
        #expect(answers[1].string("route") == "supervisor")
        #expect(answers[3].string("route") == "normal")
    }

    @Test("Bad lines get their error codes; the connection and the daemon keep serving", arguments: [
        ("{not json", "bad_request"),
        (#"{"type":"call.offered","caller":"+447700900123"}"#, "bad_request"),
        (#"{"type":"call.offered","call":17,"caller":"x"}"#, "bad_request"),
        (#"{"type":"call.offered","call":"c","caller":"x","extra":true}"#, "bad_request"),
        (#"{"type":"launch.missiles"}"#, "unknown_type"),
        (#"{"type":"abuse","caller":"+447700900123","kind":"anger"}"#, "unknown_kind"),
        ("[]", "bad_request"),
        ("\u{FF}\u{FE}", "bad_request"),
    ])
    func badLines(line: String, code: String) throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: line + "\n")
        let answer = try client.readResponse()
        #expect(answer.ok == false)
        #expect(answer.errorCode == code)
        #expect(((answer["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
        // Same connection still usable.
        #expect(try client.request(["type": "status", "id": 2]).ok)
    }

    @Test("A 100 KiB line is answered too_long and closed; other connections are unaffected")
    func tooLong() throws {
        let daemon = try Daemon().start()
        let bystander = try daemon.client()
        let client = try daemon.client()
        let note = String(repeating: "x", count: 100 * 1024)
        try client.send(raw: #"{"type":"abuse","caller":"+447700900123","kind":"verbal","note":""# + note + "\"}\n")
        let answer = try client.readResponse()
        #expect(answer.errorCode == "too_long")
        #expect(try client.readLine() == nil)
        #expect(try bystander.request(["type": "status"]).ok)
        let history = try daemon.request(["type": "history", "caller": "+447700900123"])
        #expect((history["incidents"] as? [Any])?.isEmpty == true)
    }

    @Test("A client that half-closes after sending still gets every answer")
    func halfClose() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: #"{"type":"status","id":1}"# + "\n" + #"{"type":"abuse","caller":"+447700900123","kind":"verbal","id":2}"# + "\n")
        shutdown(client.fd, Int32(SHUT_WR))
        #expect(try client.readResponse().int("id") == 1)
        #expect(try client.readResponse().int("id") == 2)
        #expect(try client.readLine() == nil)
    }

    @Test("A second daemon on the same socket refuses to start")
    func socketInUse() throws {
        let first = try Daemon().start()
        let second = try Daemon()
        let result = try runDaemonCommand(["--socket", first.socketPath, "--policy", Daemon.shippedPolicy, "--state-dir", second.stateDirectory])
        #expect(result.status != 0)
        #expect(result.output.contains("another callwardend is answering"))
        #expect(try first.request(["type": "status"]).ok)
    }
}
