import CallwardenLocking
import CallwardenRecord
import CallwardenStore
import Logging

/// How this node stands with the shared record it belongs to (a cluster of nodes sharing one
/// PostgreSQL record), for `status` and the service manager's status line. The engine only
/// carries it: the node's replication fills it in.
public struct SharedRecordReport: Sendable, Equatable {
    /// Where the shared record is, without any password.
    public var address: String
    /// This node's number in the cluster.
    public var node: Int
    /// Nil while the shared record answers and writes are acknowledged once committed there; when
    /// it does not, since when (seconds since 1970) and why, in a few words for the admin (the
    /// journal has the error itself).
    public var unreachable: Unreachable?
    /// Whether writes are spooled in the local record while it is unreachable (else refused).
    public var spools: Bool
    /// The highest id of this node's own entries committed locally, and the highest the shared
    /// record holds: equal once everything spooled has been shipped.
    public var committedThrough: Int64
    public var shippedThrough: Int64
    /// The highest place in the shared chain learnt from other nodes, and how many of their
    /// entries this node has taken in since it started.
    public var peersThrough: Int64
    public var peerEntriesApplied: Int

    public init(
        address: String, node: Int, unreachable: Unreachable?, spools: Bool,
        committedThrough: Int64, shippedThrough: Int64, peersThrough: Int64, peerEntriesApplied: Int
    ) {
        self.address = address
        self.node = node
        self.unreachable = unreachable
        self.spools = spools
        self.committedThrough = committedThrough
        self.shippedThrough = shippedThrough
        self.peersThrough = peersThrough
        self.peerEntriesApplied = peerEntriesApplied
    }

    /// Since when the shared record has not answered, and why in a few words.
    public struct Unreachable: Sendable, Equatable {
        public var since: Double
        public var reason: String

        public init(since: Double, reason: String) {
            self.since = since
            self.reason = reason
        }
    }

    /// Whether own entries are waiting in the local record to reach the shared one.
    public var hasSpooled: Bool { committedThrough > shippedThrough }

    /// The sentence the service manager's status line starts with while something is amiss; nil
    /// when all is well.
    public var statusPrefix: String? {
        if let unreachable {
            return spools
                ? "Shared record unreachable (\(unreachable.reason)): writes spooled locally, routing from memory."
                : "Shared record unreachable (\(unreachable.reason)): writes refused, routing from memory."
        }
        return hasSpooled ? "Shared record reachable again: shipping spooled writes." : nil
    }
}

extension Engine {
    /// Given by a node of a cluster: `status` and the status line ask it how the node stands.
    public func reportSharedRecord(_ reporter: @escaping @Sendable () -> SharedRecordReport) {
        sharedRecordReporter.withLock { $0 = reporter }
    }

    func sharedRecordReport() -> SharedRecordReport? {
        sharedRecordReporter.withLock { $0 }?()
    }

    /// Given by a node of a cluster: `verify` walks the shared chain with it too.
    public func verifySharedRecord(with verifier: @escaping @Sendable () async throws -> ChainReport) {
        sharedRecordVerifier.withLock { $0 = verifier }
    }

    /// The shared chain's walk, for a node of a cluster; nil for a node on its own.
    public func verifySharedRecord() async throws(EngineError) -> ChainReport? {
        guard let verifier = sharedRecordVerifier.withLock({ $0 }) else { return nil }
        let report: ChainReport
        do {
            report = try await verifier()
        } catch {
            logger.error("The shared record could not be read for verify: \(error)")
            throw .unavailable("the shared record cannot be read just now; the daemon's journal says why")
        }
        if let problem = report.problem {
            logger.error("The shared record does not verify: \(problem)", metadata: ["entry": .string(String(problem.entry)), "problem": .string(problem.kind.rawValue)])
        }
        return report
    }

    /// Given by a node of a cluster: `export` with `shared` reads the shared chain with it.
    public func exportSharedRecord(with exporter: @escaping @Sendable (_ after: Int64?, _ limit: Int) async throws -> ExportPage) {
        sharedRecordExporter.withLock { $0 = exporter }
    }

    /// One page of the shared record's chain (`export` with `shared`).
    public func exportSharedRecord(after: Int64?, limit: Int?) async throws(EngineError) -> ExportPage {
        guard let exporter = sharedRecordExporter.withLock({ $0 }) else {
            throw .badRequest("this node shares no record with other nodes: export its own record, without shared")
        }
        do {
            return try await exporter(after, limit ?? 500)
        } catch {
            logger.error("The shared record could not be read for export: \(error)")
            throw .unavailable("the shared record cannot be read just now; the daemon's journal says why")
        }
    }
}
