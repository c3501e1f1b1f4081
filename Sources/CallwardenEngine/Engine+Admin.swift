import CallwardenLocking
import CallwardenCore
import CallwardenStore
import Logging

/// `status`'s answer.
public struct StatusReport: Sendable {
    public var uptime: Double
    public var requests: [String: Int]
    public var routes: [String: Int]
    public var errors: [String: Int]
    /// Shadow rules' matches since start, by rule.
    public var shadowMatches: [String: Int]
    /// Exemptions in force.
    public var exemptions: Int
    public var openCalls: Int
    public var trackedCallers: Int
    public var incidents: Int
    public var policyName: String
    public var policyHash: String
    public var policyPath: String
    public var storePath: String
    public var storeBytes: Int
    /// Set while the record cannot be written: writes are refused, routing goes on from memory.
    public var recordDegraded: RecordDegradedReport?
    /// How this node stands with the shared record; nil for a node on its own.
    public var sharedRecord: SharedRecordReport? = nil
}

/// How long the record has been unwritable, and how many writes were refused meanwhile.
public struct RecordDegradedReport: Sendable {
    public var since: Double
    public var failedWrites: Int
}

/// Told before and after each reload.
public struct ReloadObserver: Sendable {
    public var willReload: @Sendable () -> Void
    public var didReload: @Sendable (ReloadOutcome) -> Void

    public init(willReload: @escaping @Sendable () -> Void, didReload: @escaping @Sendable (ReloadOutcome) -> Void) {
        self.willReload = willReload
        self.didReload = didReload
    }
}

/// What a reload did.
public enum ReloadOutcome: Sendable {
    case reloaded(LoadedPolicy)
    /// The file was refused; the previous policy keeps serving.
    case refused(PolicyErrors, kept: LoadedPolicy)
}

extension Engine {
    public func status() async -> StatusReport {
        let figures = try? await store.figures()
        let shared = sharedRecordReport()
        return state.withLock { state in
            StatusReport(
                uptime: clock() - startedAt, requests: state.counters.requests, routes: state.counters.routes,
                errors: state.counters.errors, shadowMatches: state.counters.shadowMatches,
                exemptions: state.exemptions.all.count { $0.isActive(at: clock()) }, openCalls: state.calls.count, trackedCallers: state.histories.count,
                incidents: state.incidentCount, policyName: state.policy.policy.name, policyHash: state.policy.hash,
                policyPath: state.policy.path, storePath: store.path, storeBytes: figures?.bytes ?? 0,
                recordDegraded: state.degraded.map { RecordDegradedReport(since: $0.since, failedWrites: $0.failedWrites) },
                sharedRecord: shared)
        }
    }

    /// Re-reads the policy file; an invalid file is refused and the policy in force keeps serving.
    /// The reload observer (the daemon's service-manager notifications) hears of it either way.
    public func reload() -> ReloadOutcome {
        let observer = reloadObserver.withLock { $0 }
        observer?.willReload()
        let path = policy.path
        let outcome: ReloadOutcome
        do {
            let loaded = try LoadedPolicy.load(path: path, now: clock())
            // Made before the lock is taken: making a policy's counters registers them.
            let policyMeter = meter.meter(for: loaded.policy)
            state.withLock {
                $0.policy = loaded
                $0.policyMeter = policyMeter
                $0.lastRejection = nil
                $0.retimeSupervision()
            }
            // The supervisor timeout may have changed: the pending requests' deadlines with it.
            deadlines.ring()
            logger.notice("Policy \(loaded.policy.name) (\(loaded.hash)) loaded from \(path)", metadata: [
                LogEvent.metadataKey: LogEvent.policyReloaded.metadataValue, "policy": .string(loaded.policy.name),
            ])
            outcome = .reloaded(loaded)
        } catch {
            let kept = policy
            let first = error.errors.first.map(\.description) ?? "invalid"
            state.withLock { $0.lastRejection = first }
            logger.error("Policy at \(path) refused; \(kept.policy.name) (\(kept.hash)) keeps serving:\n\(error)", metadata: [
                LogEvent.metadataKey: LogEvent.policyRejected.metadataValue, "policy": .string(kept.policy.name),
            ])
            outcome = .refused(error, kept: kept)
        }
        if case .reloaded = outcome {
            meter.policyReloaded(applied: true)
        } else {
            meter.policyReloaded(applied: false)
        }
        observer?.didReload(outcome)
        return outcome
    }

    /// `1 call`, `2 calls`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// Hears of every reload, whether from SIGHUP or a `reload` request.
    public func observeReloads(_ observer: ReloadObserver) {
        reloadObserver.withLock { $0 = observer }
    }

    /// One sentence for `systemctl status`: traffic since start and the policy in force.
    public func statusLine() -> String {
        let shared = sharedRecordReport()?.statusPrefix
        return state.withLock { state in
            let routed = state.counters.routes.values.reduce(0, +)
            var line = "Serving; \(Self.count(routed, "call")) routed, \(Self.count(state.incidentCount, "incident")) on record, \(Self.count(state.calls.count, "call")) open; policy \(state.policy.policy.name) (\(state.policy.hash))."
            if let degraded = state.degraded {
                line = "Record degraded: cannot be written, \(degraded.failedWrites) write(s) refused; routing from memory. " + line
            }
            if let shared { line = shared + " " + line }
            if let rejection = state.lastRejection { line += " Last reload refused (\(rejection)); previous policy kept." }
            return line
        }
    }

    /// Proves the engine still answers: its lock is free and the record's writer still commits.
    /// For the service manager's watchdog.
    public func healthCheck() async -> Bool {
        await store.barrier()
        return probe()
    }

    /// Counts a request by type, and its error code if it failed, for `status`.
    public func count(request type: String, error code: String?) {
        state.withLock { state in
            state.counters.requests[type, default: 0] += 1
            if let code { state.counters.errors[code, default: 0] += 1 }
        }
    }

    /// A round trip through the engine's state: proves it still answers (for the watchdog).
    public func probe() -> Bool {
        state.withLock { _ in true }
    }
}
