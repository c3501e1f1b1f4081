import ServiceLifecycle
import UnixSignals

/// Reloads the policy on SIGHUP (what `systemctl reload` sends). The signal sequence is created by
/// the daemon before it says READY, so an early reload can never kill the process.
public struct PolicyReloadService: Service {
    let engine: Engine
    let signals: UnixSignalsSequence

    public init(engine: Engine, signals: UnixSignalsSequence) {
        self.engine = engine
        self.signals = signals
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = engine.reload()
        }
    }
}
