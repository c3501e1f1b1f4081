import Foundation
import Testing

/// Lines any connected peer could send to crash the daemon or falsify its record.
@Suite("Hostile lines, end to end")
struct WireEndToEndTests {
    static func message(_ answer: [String: Any]) -> String {
        (answer["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    @Test("An abuse line dated 1e13 is bad_request naming the window; the daemon keeps serving")
    func farFutureNumber() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: #"{"type":"abuse","caller":"+447700900123","kind":"verbal","at":1e13}"# + "\n")
        let answer = try client.readResponse()
        #expect(answer.errorCode == "bad_request")
        #expect(Self.message(answer) == "'at' must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
        try client.send(raw: #"{"type":"export","since":1e13}"# + "\n")
        #expect(try client.readResponse().errorCode == "bad_request")
        #expect(try client.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal"]).ok)
        #expect(try client.request(["type": "verify"])["verified"] as? Bool == true)
    }

    @Test("An at further ahead than the clock skew is bad_request; within it is accepted")
    func clockSkew() throws {
        let daemon = try Daemon().start()
        let now = Date().timeIntervalSince1970
        let late = try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "at": now + 3600])
        #expect(late.errorCode == "bad_request")
        let message = Self.message(late)
        #expect(message.hasPrefix("'at' must be from 1970-01-01T00:00:00Z to 5m after the daemon's clock"), "\(message)")
        #expect(try daemon.request(["type": "call.offered", "call": "c", "caller": "+447700900123", "at": now + 3600]).errorCode == "bad_request")
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "at": now + 60]).ok)
        #expect(try daemon.request(["type": "abuse", "caller": "+447700900123", "kind": "verbal", "at": 1_000_000_000]).ok)
    }

    @Test("limits.clock_skew sets how far ahead an at may be")
    func clockSkewFromPolicy() throws {
        let daemon = try Daemon()
        let shipped = try Daemon.shippedPolicyText()
        let noSkew = shipped.replacingOccurrences(of: "  clock_skew: 5m\n", with: "  clock_skew: 0s\n")
        #expect(noSkew != shipped)
        try daemon.usePolicy(noSkew)
        try daemon.start()
        let answer = try daemon.request(["type": "warning", "call": "c", "at": Date().timeIntervalSince1970 + 120])
        #expect(answer.errorCode == "bad_request")
        let message = Self.message(answer)
        #expect(message.contains("0s after the daemon's clock"), "\(message)")
    }

    @Test("A NUL in a note is refused; every other code point is stored exactly and verifies")
    func textKeptExactly() throws {
        let daemon = try Daemon().start()
        let client = try daemon.client()
        try client.send(raw: #"{"type":"abuse","caller":"+447700900123","kind":"verbal","note":"cut\u0000here"}"# + "\n")
        let refused = try client.readResponse()
        #expect(refused.errorCode == "bad_request")
        #expect(Self.message(refused) == #"'note' must not contain NUL (\u0000)"#)
        try client.send(raw: #"{"type":"abuse","caller":"+447700900123","kind":"verbal","note":"\u0001\u007f\ufffe\uffff\udbff\udfff e\u0301 \u00e9"}"# + "\n")
        #expect(try client.readResponse().ok)
        let history = try client.request(["type": "history", "caller": "+447700900123"])
        let notes = (history["incidents"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
        #expect(notes.map { Array($0.utf8) } == [Array("\u{1}\u{7F}\u{FFFE}\u{FFFF}\u{10FFFF} e\u{301} \u{E9}".utf8)])
        let verified = try client.request(["type": "verify"])
        #expect(verified["verified"] as? Bool == true, "\(verified)")
    }
}
