import CallwardenCore
import CallwardenEngine
import CallwardenProtocol
import Logging

/// Answers decoded requests: checks the peer's role, asks the engine, writes the response line.
///
/// Requests that need no write (a routing decision, status) are answered at once, synchronously;
/// the rest wait for the record's group commit.
public struct RequestHandler: Sendable {
    let engine: Engine
    let policyTester: PolicyTester
    let reporter: RecordReporter
    let logger: Logger

    public init(engine: Engine, policyTester: PolicyTester, logger: Logger) {
        self.engine = engine
        self.policyTester = policyTester
        reporter = RecordReporter(engine: engine)
        self.logger = logger
    }

    /// How a line is answered: now, or after a durable write.
    enum Answer {
        case now(String)
        case later(@Sendable () async -> String)
        /// `tail`: this answer, then the live feed on the same connection.
        case subscribe(String)
        /// `supervise`: this answer, then the supervisor requests on the same connection.
        case supervise(String)
    }

    func answer(_ line: DecodedLine, role: Role, peer: PeerCredentials?) -> Answer {
        let request: Request
        switch line.request {
        case .failure(let error):
            return .now(failure(error, id: line.id, type: Self.countedType(line.type, role: role)))
        case .success(let decoded):
            request = decoded
        }
        let type = request.type.rawValue
        guard role >= request.role else {
            logger.warning("Forbidden: \(type) from \(peer.map(String.init(describing:)) ?? "an unknown peer") (role \(role.rawValue))", metadata: [
                LogEvent.metadataKey: LogEvent.forbidden.metadataValue,
                "uid": .string(peer.map { String($0.uid) } ?? "?"), "pid": .string(peer.map { String($0.pid) } ?? "?"),
            ])
            return .now(failure(ProtocolError(.forbidden, "\(type) needs the \(request.role.rawValue) role; this peer (\(peer.map(String.init(describing:)) ?? "unknown")) has \(role.rawValue)"), id: line.id, type: Self.unknownType))
        }
        let id = line.id
        if let at = request.eventTime, let refusal = refuseFuture(at) {
            return .now(failure(refusal, id: id, type: type))
        }
        switch request {
        case .callOffered(let call, let caller, let dialed, let claim, let at):
            // The engine counts this request itself, under the lock it takes anyway.
            let routed = engine.offerCall(call: call, caller: caller, dialed: dialed, trust: Self.trust(claim), at: at)
            return .now(success(id: id, type: type, counted: true) { Responses.write(routed, to: &$0) })
        case .explain(let caller, let dialed, let claim, let at):
            let explanation = engine.explain(caller: caller, dialed: dialed, trust: Self.trust(claim), at: at)
            return .now(success(id: id, type: type) { Responses.write(explanation, to: &$0) })
        case .reload:
            return .now(reload(id: id, type: type))
        case .abuse(let call, let caller, let kind, let agent, let note, let claim, let at):
            // Queued and applied now, in request order; answered once durable.
            return write(id: id, type: type) { () throws(EngineError) in
                // `by` names the sender: an operator recording an incident by hand is on record.
                try engine.recordAbuse(AbuseReport(
                    call: call, caller: caller, kind: kind, agent: agent, note: note, at: at, trust: Self.trust(claim),
                    by: peer.map { "uid \($0.uid)" }))
            } format: { Responses.write($1, to: &$0) }
        case .forgive(let caller, let reason, let incident, let grace, let at):
            let by = Self.who(peer)
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.forgive(caller: caller, reason: reason, incident: incident, grace: grace, by: by, at: at)
            } format: { Responses.write($1, to: &$0) }
        case .exemptAdd(let target, let reason, let until, let routes):
            let request = ExemptionRequest(target: target, reason: reason, until: until, routes: (routes ?? []).map(Self.route))
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.addExemption(request, by: Self.who(peer))
            } format: { writer, exemption in writer.object("exemption") { Responses.write(exemption, to: &$0) } }
        case .exemptRemove(let exemption, let reason):
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.removeExemption(id: exemption, reason: reason, by: Self.who(peer))
            } format: { writer, exemption in writer.object("exemption") { Responses.write(exemption, to: &$0) } }
        case .exemptList:
            let exemptions = engine.exemptions()
            let now = engine.now()
            return .now(success(id: id, type: type) { Responses.write(exemptions: exemptions, now: now, to: &$0) })
        case .review(let caller, let action, let reason):
            let decision: ReviewDecision = action == .renew ? .renew : .end
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.review(caller: caller, decision: decision, reason: reason, by: Self.who(peer))
            } format: { Responses.write($1, to: &$0) }
        case .warning(let call, let agent, let at):
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.warning(call: call, agent: agent, at: at)
            } format: { _, _ in }
        case .supervisor(let call, let verdict, let supervisor, let reason, let at):
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.verdict(call: call, approve: verdict == .approve, supervisor: supervisor, reason: reason, at: at)
            } format: { _, _ in }
        case .hangupRequest(let call, let agent, let at):
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.hangupRequest(call: call, agent: agent, at: at)
            } format: { Responses.write($1, to: &$0) }
        case .callEnded(let call, let by, let outcome, let at):
            return write(id: id, type: type) { () throws(EngineError) in
                try engine.callEnded(call: call, by: by?.rawValue, outcome: outcome?.rawValue, at: at)
            } format: { writer, detected in
                if !detected.isEmpty { writer.array("detected", detected) { $0.field("incident", $1) } }
            }
        case .tail:
            return .subscribe(success(id: id, type: type) { $0.field("tail", true) })
        case .supervise:
            return .supervise(success(id: id, type: type) { $0.field("supervise", true) })
        default:
            let handler = self
            return .later { await handler.answerLater(request, id: id, type: type, peer: peer) }
        }
    }

    /// Who sent an admin request, as the record keeps it.
    static func who(_ peer: PeerCredentials?) -> String {
        peer.map { "uid \($0.uid)" } ?? "unknown"
    }

    /// What the switch said of the caller id; nil when it said nothing.
    static func trust(_ claim: CallerIDClaim) -> CallerIDTrust? {
        guard claim != .absent else { return nil }
        return CallerIDTrust.from(attestation: claim.attestation?.rawValue, verification: claim.verification?.rawValue)
    }

    static func route(_ route: RestrictedRoute) -> Route {
        switch route {
        case .supervisor: .supervisor
        case .nuisance: .nuisance
        }
    }

    /// An `at` later than the daemon's clock plus the policy's clock skew is refused: it would
    /// date an incident in the future, where it keeps its full weight and its call never expires.
    private func refuseFuture(_ at: Double) -> ProtocolError? {
        let latest = engine.latestEventTime()
        guard at > latest else { return nil }
        let skew = Policy.durationText(engine.policy.policy.limits.clockSkew)
        return ProtocolError(.badRequest, "'at' must be from \(EventTime.format(EventTime.earliest)) to \(skew) after the daemon's clock (now \(EventTime.format(engine.now().rounded(.down)))); it was \(EventTime.format(at))")
    }

    private func answerLater(_ request: Request, id: String?, type: String, peer: PeerCredentials?) async -> String {
        do throws(EngineError) {
            switch request {
            case .history(let caller, let at, let after, let limit):
                let report = try await engine.history(caller: caller, at: at, after: after, limit: limit ?? RequestDecoder.defaultHistoryPage)
                return success(id: id, type: type) { Responses.write(report, to: &$0) }
            case .status:
                let report = await engine.status()
                let alerts = engine.alertFigures
                return success(id: id, type: type) { writer in
                    Responses.write(report, to: &writer)
                    Responses.write(alerts, to: &writer)
                }
            case .verify:
                let report = try await engine.verifyRecord()
                let shared = try await engine.verifySharedRecord()
                return success(id: id, type: type) { writer in
                    Responses.write(report, to: &writer)
                    // A node of a cluster: the shared chain, walked whole.
                    if let shared { writer.object("shared") { Responses.write(shared, to: &$0) } }
                }
            case .export(let caller, let since, let after, let limit):
                let page = try await engine.exportRecord(caller: caller, since: since, after: after, limit: limit)
                return success(id: id, type: type) { Responses.write(page, to: &$0) }
            case .exportShared(let after, let limit):
                let page = try await engine.exportSharedRecord(after: after, limit: limit)
                return success(id: id, type: type) { Responses.write(page, to: &$0) }
            case .purge:
                let outcome = try await engine.purge(by: Self.who(peer))
                return success(id: id, type: type) { Responses.write(outcome, to: &$0) }
            case .reviewList(let within):
                // Walks every caller: off the event loop, on a copy of memory.
                let list = engine.reviews(within: within)
                return success(id: id, type: type) { Responses.write(list, to: &$0) }
            case .policyTest(let policy, let path, let since):
                return await policyTest(policy, path: path, since: since, id: id, type: type)
            case .agents(let at):
                // Counted on a copy of memory, off the event loop.
                let agents = engine.agents(at: at)
                return success(id: id, type: type) { Responses.write(agents: agents, to: &$0) }
            case .report(let since):
                switch await reporter.report(since: since) {
                case .success(let report):
                    return success(id: id, type: type) { Responses.write(report, to: &$0) }
                case .failure(let error):
                    return failure(error, id: id, type: type)
                }
            case .callOffered, .explain, .reload, .abuse, .forgive, .warning, .supervisor, .hangupRequest, .callEnded, .tail,
                 .exemptAdd, .exemptRemove, .exemptList, .review, .supervise:
                return failure(ProtocolError(.internalError, "internal error"), id: id, type: type)
            }
        } catch {
            return failure(Self.protocolError(error), id: id, type: type)
        }
    }

    /// Starts a write now and answers once it is durable (or with its error at once).
    private func write<Value: Sendable>(
        id: String?, type: String, _ start: () throws(EngineError) -> Recorded<Value>,
        format: @escaping @Sendable (inout JSONWriter, Value) -> Void
    ) -> Answer {
        let recorded: Recorded<Value>
        do {
            recorded = try start()
        } catch {
            return .now(failure(Self.protocolError(error), id: id, type: type))
        }
        return .later { [self] in
            do throws(EngineError) {
                let value = try await recorded.durable()
                return success(id: id, type: type) { format(&$0, value) }
            } catch {
                return failure(Self.protocolError(error), id: id, type: type)
            }
        }
    }

    /// `policy.test`: a candidate that does not parse is refused as a reload would refuse it.
    private func policyTest(_ text: String, path: String?, since: Double?, id: String?, type: String) async -> String {
        switch await policyTester.test(policy: text, path: path, since: since) {
        case .success(let outcome):
            return success(id: id, type: type) { Responses.write(outcome, to: &$0) }
        case .failure(.invalid(let errors)):
            return refusedPolicy(errors, message: "the candidate policy is invalid; nothing was replayed", id: id, type: type)
        case .failure(.refused(let error)):
            return failure(error, id: id, type: type)
        }
    }

    private func reload(id: String?, type: String) -> String {
        switch engine.reload() {
        case .reloaded(let loaded):
            return success(id: id, type: type) { writer in
                writer.object("policy") { Responses.writePolicy(loaded, to: &$0) }
            }
        case .refused(let errors, let kept):
            return refusedPolicy(errors, message: "policy refused; \(kept.policy.name) (\(kept.hash)) keeps serving", id: id, type: type)
        }
    }

    /// `bad_request` with every error of a policy file in `error.errors`, one `file:line: ...` each.
    private func refusedPolicy(_ errors: PolicyErrors, message: String, id: String?, type: String) -> String {
        var writer = JSONWriter()
        if let id { writer.field("id", raw: id) }
        writer.field("ok", false)
        writer.object("error") { error in
            error.field("code", ProtocolError.Code.badRequest.rawValue)
            error.field("message", message)
            error.strings("errors", errors.errors.map(\.description))
        }
        engine.count(request: type, error: ProtocolError.Code.badRequest.rawValue)
        return writer.line()
    }

    func success(id: String?, type: String, counted: Bool = false, _ body: (inout JSONWriter) -> Void) -> String {
        if !counted { engine.count(request: type, error: nil) }
        var writer = JSONWriter()
        if let id { writer.field("id", raw: id) }
        writer.field("ok", true)
        body(&writer)
        return writer.line()
    }

    func failure(_ error: ProtocolError, id: String?, type: String?) -> String {
        engine.count(request: type ?? Self.unknownType, error: error.code.rawValue)
        return Responses.failure(error, id: id)
    }

    /// What `status` counts lines under when they are not a request this peer may send.
    static let unknownType = "unknown"

    /// The name `status` counts a line under: its `type` when that is a known type this peer may
    /// send, otherwise `unknown`. Never the client's own text: any peer could grow the counters
    /// without bound, one new `type` at a time.
    static func countedType(_ sent: String?, role: Role) -> String {
        guard let sent, let type = RequestType(rawValue: sent), role >= type.role else { return unknownType }
        return type.rawValue
    }

    static func protocolError(_ error: EngineError) -> ProtocolError {
        switch error {
        case .badRequest(let message): ProtocolError(.badRequest, message)
        case .unknownKind: ProtocolError(.unknownKind, error.message)
        case .unknownCall: ProtocolError(.unknownCall, error.message)
        case .unavailable(let message): ProtocolError(.unavailable, message)
        }
    }
}
