import ServiceLifecycle
import UnixSignals

/// Reloads the policy on SIGHUP (what `systemctl reload` sends). The signal sequence is created by
/// the daemon before it says READY, so an early reload can never kill the process.
public struct PolicyReloadService: Service {
    let engine: Engine
    let signals: UnixSignalsSequence
    let around: @Sendable (_ reload: () -> ReloadOutcome) async -> Void

    /// - Parameter around: runs the reload, so the daemon can tell the service manager
    ///   (RELOADING=1 before, READY=1 after).
    public init(engine: Engine, signals: UnixSignalsSequence, around: @escaping @Sendable (_ reload: () -> ReloadOutcome) async -> Void = { _ = $0() }) {
        self.engine = engine
        self.signals = signals
        self.around = around
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            await around { engine.reload() }
        }
    }
}
