import CallwardenProtocol

/// Writes a request back as a protocol line: what a well-behaved client would have sent.
enum RequestEncoder {
    static func line(_ request: Request) -> String {
        var writer = JSONWriter()
        writer.field("type", request.type.rawValue)
        switch request {
        case .callOffered(let call, let caller, let dialed, let claim, let at):
            writer.field("call", call)
            writer.field("caller", caller)
            optional(&writer, "dialed", dialed)
            self.claim(&writer, claim)
            time(&writer, "at", at)
        case .abuse(let call, let caller, let kind, let agent, let note, let claim, let at):
            optional(&writer, "call", call)
            optional(&writer, "caller", caller)
            writer.field("kind", kind)
            optional(&writer, "agent", agent)
            optional(&writer, "note", note)
            self.claim(&writer, claim)
            time(&writer, "at", at)
        case .warning(let call, let agent, let at), .hangupRequest(let call, let agent, let at):
            writer.field("call", call)
            optional(&writer, "agent", agent)
            time(&writer, "at", at)
        case .supervisor(let call, let verdict, let supervisor, let reason, let at):
            writer.field("call", call)
            writer.field("verdict", verdict.rawValue)
            optional(&writer, "supervisor", supervisor)
            optional(&writer, "reason", reason)
            time(&writer, "at", at)
        case .callEnded(let call, let by, let outcome, let at):
            writer.field("call", call)
            optional(&writer, "by", by?.rawValue)
            optional(&writer, "outcome", outcome?.rawValue)
            time(&writer, "at", at)
        case .status, .reload, .verify, .tail, .purge, .exemptList, .supervise:
            break
        case .agents(let at):
            time(&writer, "at", at)
        case .report(let since):
            time(&writer, "since", since)
        case .history(let caller, let at, let after, let limit):
            writer.field("caller", caller)
            time(&writer, "at", at)
            if let after { writer.field("after", after) }
            if let limit { writer.field("limit", limit) }
        case .explain(let caller, let dialed, let claim, let at):
            writer.field("caller", caller)
            optional(&writer, "dialed", dialed)
            self.claim(&writer, claim)
            time(&writer, "at", at)
        case .forgive(let caller, let reason, let incident, let grace, let at):
            writer.field("caller", caller)
            writer.field("reason", reason)
            if let incident { writer.field("incident", incident) }
            seconds(&writer, "grace", grace)
            time(&writer, "at", at)
        case .exemptAdd(let target, let reason, let until, let routes):
            writer.field("target", target)
            writer.field("reason", reason)
            time(&writer, "until", until)
            if let routes { writer.strings("routes", routes.map(\.rawValue)) }
        case .exemptRemove(let exemption, let reason):
            writer.field("exemption", exemption)
            writer.field("reason", reason)
        case .reviewList(let within):
            seconds(&writer, "within", within)
        case .review(let caller, _, let reason):
            writer.field("caller", caller)
            writer.field("reason", reason)
        case .export(let caller, let since, let after, let limit):
            optional(&writer, "caller", caller)
            time(&writer, "since", since)
            if let after { writer.field("after", after) }
            if let limit { writer.field("limit", limit) }
        case .exportShared(let after, let limit):
            writer.field("record", "shared")
            if let after { writer.field("after", after) }
            if let limit { writer.field("limit", limit) }
        case .policyTest(let policy, let path, let since):
            writer.field("policy", policy)
            optional(&writer, "path", path)
            time(&writer, "since", since)
        }
        return writer.line()
    }

    /// Every text field of the request.
    static func texts(_ request: Request) -> [String] {
        switch request {
        case .callOffered(let call, let caller, let dialed, _, _): [call, caller] + [dialed].compactMap { $0 }
        case .abuse(let call, let caller, let kind, let agent, let note, _, _): [kind] + [call, caller, agent, note].compactMap { $0 }
        case .warning(let call, let agent, _), .hangupRequest(let call, let agent, _): [call] + [agent].compactMap { $0 }
        case .supervisor(let call, _, let supervisor, let reason, _): [call] + [supervisor, reason].compactMap { $0 }
        case .callEnded(let call, _, _, _): [call]
        case .history(let caller, _, _, _): [caller]
        case .explain(let caller, let dialed, _, _): [caller] + [dialed].compactMap { $0 }
        case .forgive(let caller, let reason, _, _, _): [caller, reason]
        case .exemptAdd(let target, let reason, _, _): [target, reason]
        case .exemptRemove(_, let reason): [reason]
        case .review(let caller, _, let reason): [caller, reason]
        case .export(let caller, _, _, _): [caller].compactMap { $0 }
        // The candidate policy is held to the line, not to a field's length: checked apart.
        case .policyTest(_, let path, _): [path].compactMap { $0 }
        case .status, .reload, .verify, .exportShared, .tail, .purge, .exemptList, .reviewList, .agents, .supervise, .report: []
        }
    }

    private static func optional(_ writer: inout JSONWriter, _ name: String, _ value: String?) {
        if let value { writer.field(name, value) }
    }

    /// The caller-id claim's words, each only when given.
    private static func claim(_ writer: inout JSONWriter, _ claim: CallerIDClaim) {
        optional(&writer, "attestation", claim.attestation?.rawValue)
        optional(&writer, "verification", claim.verification?.rawValue)
    }

    /// A period in seconds, as Swift writes a Double.
    private static func seconds(_ writer: inout JSONWriter, _ name: String, _ value: Double?) {
        if let value { writer.field(name, JSONValue.number(String(value))) }
    }

    /// Seconds as Swift writes a Double: the shortest text that reads back to the same value.
    private static func time(_ writer: inout JSONWriter, _ name: String, _ value: Double?) {
        if let value { writer.field(name, JSONValue.number(String(value))) }
    }
}
