import CallwardenCore
import CallwardenEngine
import CallwardenServer
import CallwardenStore
import CallwardenSystemd
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
        let engine = try Engine(store: store, policy: policy, logger: logger, maximumOpenCalls: options.maximumOpenCalls)
        logger.info("Policy \(policy.policy.name) (\(policy.hash)) loaded from \(policy.path); record \(store.path) open")

        let notifier = SystemdNotifier()
        let target: BindTarget
        if let fd = try ListenFDs.listener() {
            target = .inherited(fd)
        } else {
            target = .path(options.socket, mode: UInt16(options.socketMode, radix: 8)!)
        }
        let server = EventServer(
            configuration: .init(target: target, roles: .standard()),
            handler: RequestHandler(engine: engine, logger: logger),
            logger: logger,
            onRunning: {
                notifier.status("Serving; policy \(policy.policy.name) (\(policy.hash)).")
                notifier.ready()
            })
        let reloads = PolicyReloadService(engine: engine, signals: hangups) { reload in
            notifier.reloading()
            switch reload() {
            case .reloaded(let loaded):
                notifier.status("Serving; policy \(loaded.policy.name) (\(loaded.hash)).")
            case .refused(_, let kept):
                notifier.status("Policy rejected; \(kept.policy.name) (\(kept.hash)) keeps serving.")
            }
            notifier.ready()
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: RecordWriterService(store: store)),
            .init(service: reloads),
            .init(service: OpenCallReaper(engine: engine)),
            .init(service: server),
        ]
        if let interval = Watchdog.interval() {
            services.append(.init(service: WatchdogService(interval: interval, notifier: notifier, logger: logger) {
                await engine.status().storeBytes > 0
            }))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        notifier.stopping()
        logger.info("callwardend stopped")
    }
}
