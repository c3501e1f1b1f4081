import CallwardenCore
import CallwardenEngine
import CallwardenServer
import CallwardenStore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Assembles the running daemon: policy, record, engine, then the services in dependency order.
struct Daemon {
    let options: Callwardend
    let logger: Logger

    func run() async throws {
        // Trap SIGHUP before anything can say READY: an early `systemctl reload` must not kill us.
        let hangups = await UnixSignalsSequence(trapping: .sighup)

        let policy: LoadedPolicy
        do {
            policy = try LoadedPolicy.load(path: options.policy)
        } catch {
            throw StartupError.PolicyInvalid(description: "the policy is invalid:\n\(error)")
        }
        let store = try RecordStore(directory: options.stateDirectory, logger: logger)
        let engine = try Engine(store: store, policy: policy, logger: logger)
        logger.info("Policy \(policy.policy.name) (\(policy.hash)) loaded from \(policy.path); record \(store.path) open")

        let server = EventServer(
            configuration: .init(target: .path(options.socket, mode: UInt16(options.socketMode, radix: 8)!), roles: .standard()),
            handler: RequestHandler(engine: engine, logger: logger),
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: RecordWriterService(store: store)),
                    .init(service: PolicyReloadService(engine: engine, signals: hangups)),
                    .init(service: server),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("callwardend stopped")
    }
}
