import ServiceLifecycle

/// Applies the policy's retention at start and then once a day, so that forgiven and faded
/// incidents leave the record on time without an operator's help. Each purge is recorded in the
/// record itself (see docs/record.md).
public struct RetentionService: Service {
    let engine: Engine
    let interval: Duration
    let onPurge: @Sendable (PurgeOutcome) -> Void

    /// - Parameter onPurge: told of each purge that deleted something (the live feed).
    public init(engine: Engine, interval: Duration = .seconds(86_400), onPurge: @escaping @Sendable (PurgeOutcome) -> Void = { _ in }) {
        self.engine = engine
        self.interval = interval
        self.onPurge = onPurge
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            // A failure is logged and retried at the next run; it never stops the daemon.
            if let outcome = try? await engine.purge(by: "retention"), !outcome.purged.isEmpty {
                onPurge(outcome)
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
