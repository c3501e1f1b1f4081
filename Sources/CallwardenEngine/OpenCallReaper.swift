import ServiceLifecycle

/// Closes calls that never sent `call.ended` once they are older than the policy's maximum call
/// length, so open-call memory stays bounded and the record shows how each call ended.
public struct OpenCallReaper: Service {
    let engine: Engine
    let interval: Duration

    public init(engine: Engine, interval: Duration = .seconds(30)) {
        self.engine = engine
        self.interval = interval
    }

    public func run() async throws {
        engine.closeExpiredCalls()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            engine.closeExpiredCalls()
        }
    }
}
