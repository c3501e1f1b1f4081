import Foundation

/// One line as read: the `id` to echo (whatever else is wrong with the line) and the request or
/// the error to answer with.
public struct DecodedLine: Sendable {
    /// The client's `id` as JSON text, echoed unchanged; nil when absent or unreadable.
    public var id: String?
    /// The `type` as sent, when there is one (for counting).
    public var type: String?
    public var request: Result<Request, ProtocolError>
}

/// Turns a line of protocol v1 into a typed `Request`, with an error that says exactly what is
/// wrong: which field is missing, mistyped or unknown, and what would be valid.
public enum RequestDecoder {
    /// Longest text accepted in any one field (call ids, notes, reasons).
    public static let maximumFieldLength = 4096
    /// Most entries `export` answers in one page (docs/record.md).
    public static let maximumExportPage: Int64 = 1000
    /// Most incidents `history` answers in one page, and how many when the client does not say.
    public static let maximumHistoryPage: Int64 = 1000
    public static let defaultHistoryPage = 100
    /// Longest period a request may name in seconds (`grace`, `within`): 100 years.
    public static let longestPeriod: Double = 100 * 365.25 * 86400
    /// Longest policy text `policy.test` takes, and the length of a line of the protocol: the
    /// candidate is bounded by the line, not by `maximumFieldLength` (the shipped policy is under
    /// 8 KiB).
    public static let maximumPolicyLength = 64 * 1024

    public static func decode<Bytes: Sequence<UInt8>>(_ line: Bytes) -> DecodedLine {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            return DecodedLine(id: nil, type: nil, request: .failure(ProtocolError(.badRequest, "malformed JSON at byte \(error.offset): \(error.message)")))
        }
        guard case .object(let object) = value else {
            return DecodedLine(id: nil, type: nil, request: .failure(ProtocolError(.badRequest, "each line must be a JSON object, not \(value.typeName)")))
        }
        var id: String?
        if let rawID = object["id"] {
            switch rawID {
            case .string, .number:
                var text = ""
                JSONWriter.append(rawID, to: &text)
                id = text
            default:
                return DecodedLine(id: nil, type: object["type"]?.string, request: .failure(ProtocolError(.badRequest, "'id' must be a string or a number, not \(rawID.typeName)")))
            }
        }
        let type = object["type"]?.string
        return DecodedLine(id: id, type: type, request: Result { () throws(ProtocolError) -> Request in try request(object) })
    }

    private static func request(_ object: [String: JSONValue]) throws(ProtocolError) -> Request {
        guard let typeValue = object["type"] else { throw ProtocolError(.badRequest, "missing field 'type'") }
        guard let typeName = typeValue.string else { throw ProtocolError(.badRequest, "'type' must be a string, not \(typeValue.typeName)") }
        guard let type = RequestType(rawValue: typeName) else {
            throw ProtocolError(.unknownType, "unknown type '\(typeName)'; types: \(RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var fields = Fields(object: object, type: type)
        try fields.rejectUnknown()
        switch type {
        case .callOffered:
            return .callOffered(
                call: try fields.required("call"), caller: try fields.caller("caller"), dialed: try fields.optional("dialed"),
                claim: try fields.callerIDClaim(), at: try fields.time())
        case .abuse:
            let call = try fields.optional("call")
            let caller = try fields.optionalCaller("caller")
            guard call != nil || caller != nil else { throw ProtocolError(.badRequest, "abuse needs 'call' or 'caller'") }
            return .abuse(
                call: call, caller: caller, kind: try fields.required("kind"), agent: try fields.optional("agent"), note: try fields.optional("note"),
                claim: try fields.callerIDClaim(), at: try fields.time())
        case .warning:
            return .warning(call: try fields.required("call"), agent: try fields.optional("agent"), at: try fields.time())
        case .supervisor:
            return .supervisor(
                call: try fields.required("call"), verdict: try fields.choice("verdict", required: true)!, supervisor: try fields.optional("supervisor"),
                reason: try fields.optional("reason"), at: try fields.time())
        case .hangupRequest:
            return .hangupRequest(call: try fields.required("call"), agent: try fields.optional("agent"), at: try fields.time())
        case .callEnded:
            return .callEnded(call: try fields.required("call"), by: try fields.choice("by", required: false), outcome: try fields.choice("outcome", required: false), at: try fields.time())
        case .status:
            return .status
        case .reload:
            return .reload
        case .history:
            return .history(
                caller: try fields.caller("caller"), at: try fields.time(), after: try fields.whole("after", in: 0...Int64.max),
                limit: try fields.whole("limit", in: 1...RequestDecoder.maximumHistoryPage).map { Int(clamping: $0) })
        case .explain:
            return .explain(
                caller: try fields.caller("caller"), dialed: try fields.optional("dialed"), claim: try fields.callerIDClaim(), at: try fields.time())
        case .forgive:
            return .forgive(
                caller: try fields.required("caller"), reason: try fields.required("reason"), incident: try fields.incident(),
                grace: try fields.seconds("grace", in: 0...RequestDecoder.longestPeriod), at: try fields.time())
        case .verify:
            return .verify
        case .export:
            let caller = try fields.optionalCaller("caller"), since = try fields.time("since")
            let after = try fields.whole("after", in: 0...Int64.max)
            let limit = try fields.whole("limit", in: 1...RequestDecoder.maximumExportPage).map { Int(clamping: $0) }
            switch try fields.optional("record") {
            case nil, "own":
                return .export(caller: caller, since: since, after: after, limit: limit)
            case "shared":
                guard caller == nil, since == nil else {
                    throw ProtocolError(.badRequest, "a shared export is the whole shared chain: give no 'caller' or 'since' with 'record': 'shared'")
                }
                return .exportShared(after: after, limit: limit)
            default:
                throw ProtocolError(.badRequest, "'record' must be own (this node's record, the default) or shared (a cluster's shared record)")
            }
        case .tail:
            return .tail
        case .purge:
            return .purge
        case .exemptAdd:
            return .exemptAdd(
                target: try fields.required("target"), reason: try fields.required("reason"), until: try fields.time("until"),
                routes: try fields.choices("routes"))
        case .exemptRemove:
            guard let exemption = try fields.whole("exemption", in: 1...Int64.max) else {
                throw ProtocolError(.badRequest, "missing field 'exemption' for exempt.remove (the id exempt.add or exempt.list gave)")
            }
            return .exemptRemove(exemption: exemption, reason: try fields.required("reason"))
        case .exemptList:
            return .exemptList
        case .reviewList:
            return .reviewList(within: try fields.seconds("within", in: 0...RequestDecoder.longestPeriod))
        case .reviewRenew, .reviewEnd:
            return .review(caller: try fields.required("caller"), action: type == .reviewRenew ? .renew : .end, reason: try fields.required("reason"))
        case .policyTest:
            guard let policy = try fields.optional("policy", maximumLength: RequestDecoder.maximumPolicyLength), !policy.isEmpty else {
                throw ProtocolError(.badRequest, "missing field 'policy' for policy.test: the candidate policy's text")
            }
            return .policyTest(policy: policy, path: try fields.optional("path"), since: try fields.time("since"))
        case .agents:
            return .agents(at: try fields.time())
        case .supervise:
            return .supervise
        case .report:
            return .report(since: try fields.time("since"))
        }
    }
}

/// The fields of one request object, read with clear errors.
private struct Fields {
    let object: [String: JSONValue]
    let type: RequestType

    func rejectUnknown() throws(ProtocolError) {
        let fields = type.fields
        // Checked unsorted on every request; sorted only to word an error the same way each time.
        guard object.keys.contains(where: { $0 != "type" && $0 != "id" && !fields.contains($0) }) else { return }
        let key = object.keys.sorted().first { $0 != "type" && $0 != "id" && !fields.contains($0) }!
        let valid = (["id"] + fields.sorted()).joined(separator: ", ")
        throw ProtocolError(.badRequest, "unknown field '\(key)' for \(type.rawValue); its fields: \(valid)")
    }

    func optional(_ name: String, maximumLength: Int = RequestDecoder.maximumFieldLength) throws(ProtocolError) -> String? {
        guard let value = object[name], value != .null else { return nil }
        guard let text = value.string else { throw ProtocolError(.badRequest, "'\(name)' must be a string, not \(value.typeName)") }
        guard text.utf8.count <= maximumLength else {
            throw ProtocolError(.badRequest, "'\(name)' is longer than \(maximumLength) bytes")
        }
        // The record binds text as C strings would end it: a NUL would be acknowledged, stored cut
        // short, and from then on fail verification. Refused, so that what is stored is what was sent.
        guard !text.utf8.contains(0) else {
            throw ProtocolError(.badRequest, "'\(name)' must not contain NUL (\\u0000)")
        }
        return text
    }

    func required(_ name: String) throws(ProtocolError) -> String {
        guard let text = try optional(name) else { throw ProtocolError(.badRequest, "missing field '\(name)' for \(type.rawValue)") }
        guard !text.isEmpty else { throw ProtocolError(.badRequest, "'\(name)' must not be empty") }
        return text
    }

    /// A caller as presented: may be empty (an empty caller id is the anonymous class).
    func caller(_ name: String) throws(ProtocolError) -> String {
        guard let text = try optional(name) else { throw ProtocolError(.badRequest, "missing field '\(name)' for \(type.rawValue)") }
        return text
    }

    func optionalCaller(_ name: String) throws(ProtocolError) -> String? {
        try optional(name)
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, required: Bool) throws(ProtocolError) -> Choice? where Choice.RawValue == String {
        guard let text = required ? try self.required(name) : try optional(name) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            throw ProtocolError(.badRequest, "'\(name)' must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return choice
    }

    /// `attestation` and `verification`, each one of its few words exactly as STIR/SHAKEN spells it.
    func callerIDClaim() throws(ProtocolError) -> CallerIDClaim {
        CallerIDClaim(
            attestation: try choice("attestation", required: false),
            verification: try choice("verification", required: false))
    }

    /// A list of distinct words from `Choice`, non-empty; nil when absent.
    func choices<Choice: RawRepresentable & CaseIterable & Equatable>(_ name: String) throws(ProtocolError) -> [Choice]? where Choice.RawValue == String {
        guard let value = object[name], value != .null else { return nil }
        let valid = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = value, !items.isEmpty, items.count <= Choice.allCases.count else {
            throw ProtocolError(.badRequest, "'\(name)' must be a non-empty list of \(valid)")
        }
        var chosen: [Choice] = []
        for item in items {
            guard let text = item.string, let choice = Choice(rawValue: text), !chosen.contains(choice) else {
                throw ProtocolError(.badRequest, "'\(name)' must be a list of distinct \(valid)")
            }
            chosen.append(choice)
        }
        return chosen
    }

    /// A period in seconds (a JSON number) within `bounds`.
    func seconds(_ name: String, in bounds: ClosedRange<Double>) throws(ProtocolError) -> Double? {
        guard let value = object[name], value != .null else { return nil }
        guard let number = value.double, number.isFinite, bounds.contains(number) else {
            throw ProtocolError(.badRequest, "'\(name)' must be a number of seconds from \(Int(bounds.lowerBound)) to \(Int(bounds.upperBound))")
        }
        return number
    }

    func incident() throws(ProtocolError) -> Int64? {
        guard let value = object["incident"], value != .null else { return nil }
        guard let id = value.int64, id > 0 else { throw ProtocolError(.badRequest, "'incident' must be an incident id (a positive whole number)") }
        return id
    }

    /// `at` (or another time field): RFC 3339 text or seconds since 1970, within `EventTime.window`.
    func time(_ name: String = "at") throws(ProtocolError) -> Double? {
        guard let value = object[name], value != .null else { return nil }
        let seconds: Double
        if let number = value.double {
            seconds = number  // text such as 1e400 reads as infinity: refused by the window below
        } else if let text = value.string, let parsed = EventTime.parse(text) {
            seconds = parsed
        } else {
            throw ProtocolError(.badRequest, "'\(name)' must be RFC 3339 (2026-11-23T16:05:00Z) or seconds since 1970")
        }
        guard EventTime.window.contains(seconds) else {
            throw ProtocolError(.badRequest, "'\(name)' must be from \(EventTime.windowText)")
        }
        return seconds
    }

    /// A whole number within `bounds` (an entry id, a page size).
    func whole(_ name: String, in bounds: ClosedRange<Int64>) throws(ProtocolError) -> Int64? {
        guard let value = object[name], value != .null else { return nil }
        guard let number = value.int64, bounds.contains(number) else {
            throw ProtocolError(.badRequest, "'\(name)' must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound)")
        }
        return number
    }
}
