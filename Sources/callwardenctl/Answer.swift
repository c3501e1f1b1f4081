import CallwardenProtocol

/// One answer from the daemon, parsed; a failure answer becomes a `ControlFailure` with the exit
/// status its error code calls for.
struct Answer {
    let line: String
    let value: JSONValue

    /// Parses `line` and throws if it is a failure.
    init(_ line: String) throws(ControlFailure) {
        self.line = line
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw ControlFailure(ExitStatus.protocolError, "callwardend's answer is not JSON (\(error.message)): \(line.prefix(200))")
        }
        if value["ok"]?.bool != true {
            let code = value["error"]["code"]?.string ?? "internal"
            var message = value["error"]["message"]?.string ?? "callwardend refused the request"
            if let errors = value["error"]["errors"]?.array?.compactMap(\.string), !errors.isEmpty {
                message += "\n" + errors.map { "  " + $0 }.joined(separator: "\n")
            }
            if code == "forbidden" {
                message += "\n(run as root, or as a member of the group of the role it names: callwarden-admin or callwarden-supervisor by default)"
            }
            throw ControlFailure(ExitStatus.of(code: code), "\(code): \(message)")
        }
    }

    subscript(key: String) -> JSONValue? { value[key] }
}

extension JSONValue {
    /// Text for a table cell: strings as they are, numbers as written, null as "-".
    var text: String {
        switch self {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "yes" : "no"
        case .null: "-"
        default: "…"
        }
    }
}

extension Optional where Wrapped == JSONValue {
    var text: String { self?.text ?? "-" }
}

extension Optional where Wrapped == JSONValue {
    /// A member of an object that may be absent: `answer["policy"]["name"]`.
    subscript(key: String) -> JSONValue? { self?[key] }
}
