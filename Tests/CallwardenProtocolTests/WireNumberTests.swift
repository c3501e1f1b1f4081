import CallwardenProtocol
import Foundation
import Testing

/// Every number on the wire is range-checked before it is converted or computed with.
@Suite("Numbers and times from the wire")
struct WireNumberTests {
    func decode(_ text: String) -> Result<Request, ProtocolError> { RequestDecoder.decode(Array(text.utf8)).request }

    func error(_ text: String) -> ProtocolError? {
        if case .failure(let error) = decode(text) { return error }
        return nil
    }

    @Test("An `at` outside 1970...9999 is bad_request naming the window", arguments: [
        #"{"type":"abuse","caller":"+447700900123","kind":"verbal","at":1e13}"#,
        #"{"type":"abuse","caller":"+447700900123","kind":"verbal","at":1e400}"#,
        #"{"type":"abuse","caller":"+447700900123","kind":"verbal","at":-1}"#,
        #"{"type":"abuse","caller":"+447700900123","kind":"verbal","at":-0.5}"#,
        #"{"type":"call.offered","call":"c","caller":"x","at":253402300800}"#,
        #"{"type":"warning","call":"c","at":"1969-12-31T23:59:59Z"}"#,
        #"{"type":"export","since":9.3e12}"#,
    ])
    func timeWindow(_ line: String) throws {
        let refused = try #require(error(line))
        #expect(refused.code == .badRequest)
        #expect(refused.message.contains("1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"), "\(refused.message)")
    }

    @Test("The window's own ends are accepted")
    func windowEnds() throws {
        #expect(try decode(#"{"type":"warning","call":"c","at":0}"#).get() == .warning(call: "c", agent: nil, at: 0))
        #expect(try decode(#"{"type":"warning","call":"c","at":"9999-12-31T23:59:59Z"}"#).get() == .warning(call: "c", agent: nil, at: 253_402_300_799))
    }

    @Test("RFC 3339 times are read exactly", arguments: [
        ("2027-01-15T08:00:00Z", 1_800_000_000.0),
        ("2027-01-15t08:00:00z", 1_800_000_000),
        ("2027-01-15T09:00:00+01:00", 1_800_000_000),
        ("2027-01-15T03:30:00-04:30", 1_800_000_000),
        ("2027-01-15T08:00:00.250Z", 1_800_000_000.25),
        ("2027-01-15T08:00:00.123456789Z", 1_800_000_000.123456789),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func rfc3339(text: String, seconds: Double) {
        #expect(EventTime.parse(text) == seconds)
    }

    /// Found by fuzz-wire: Foundation's formatter truncated 100000.005 (100000.00499...) to `.004`.
    @Test("Times are written to the nearest millisecond and read back as written", arguments: [
        (100_000.005, "1970-01-02T03:46:40.005Z"), (0, "1970-01-01T00:00:00Z"), (253_402_300_799, "9999-12-31T23:59:59Z"),
        (1_800_000_000.25, "2027-01-15T08:00:00.250Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_709_164_799.9996, "2024-02-29T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"), (0.0004, "1970-01-01T00:00:00Z"),
    ])
    func format(seconds: Double, text: String) throws {
        #expect(EventTime.format(seconds) == text)
        let reread = try #require(EventTime.parse(text))
        #expect(abs(reread - seconds) <= 0.0005 + 1e-6)
    }

    @Test("Whole seconds across the window are written as Foundation writes them")
    func formatAgreesWithFoundation() {
        var seconds = 0.0
        while seconds <= 253_402_300_799 {
            #expect(EventTime.format(seconds) == Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle()))
            #expect(EventTime.parse(EventTime.format(seconds)) == seconds)
            seconds += 987_654_321
        }
    }

    @Test("Text that is not a real RFC 3339 instant is refused", arguments: [
        "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+01:60", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
        "10000-01-01T00:00:00Z", "-2026-01-01T00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00Zjunk", "", "2026-01-01T00:00:00+0100", "２０２６-01-01T00:00:00Z",
    ])
    func notAnInstant(_ text: String) {
        #expect(EventTime.parse(text) == nil)
        #expect(error(#"{"type":"warning","call":"c","at":"\#(text)"}"#)?.code == .badRequest)
    }

    @Test("Entry ids, incident ids and page sizes outside their ranges are bad_request", arguments: [
        #"{"type":"export","after":1e30}"#,
        #"{"type":"export","after":9223372036854775808}"#,
        #"{"type":"export","limit":1001}"#,
        #"{"type":"export","limit":1e400}"#,
        #"{"type":"export","limit":2.5}"#,
        #"{"type":"forgive","caller":"x","reason":"r","incident":9223372036854775808}"#,
        #"{"type":"forgive","caller":"x","reason":"r","incident":1e19}"#,
        #"{"type":"forgive","caller":"x","reason":"r","incident":-1e400}"#,
        #"{"type":"forgive","caller":"x","reason":"r","incident":0}"#,
    ])
    func wholeNumbers(_ line: String) {
        #expect(error(line)?.code == .badRequest)
    }

    @Test("The largest entry id and page size are accepted")
    func wholeNumberEnds() throws {
        #expect(try decode(#"{"type":"export","after":9223372036854775807,"limit":1000}"#).get()
            == .export(caller: nil, since: nil, after: .max, limit: 1000))
    }
}
