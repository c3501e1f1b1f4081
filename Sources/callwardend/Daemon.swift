import CallwardenCluster
import CallwardenReplication
import CallwardenCore
import CallwardenEngine
import CallwardenMetrics
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
        // A node of a cluster numbers its own entries in a range of its own (docs/cluster.md).
        let sharedAddress = try options.shared.address()
        let node = options.shared.node ?? 0
        let idFloor = sharedAddress == nil ? 1 : ClusterNode.idFloor(of: node)
        let store = try RecordStore(directory: options.stateDirectory, logger: logger, idFloor: idFloor)
        // The integrity check and the index load each read the whole record: run them side by side.
        let integrity = Task.detached { try store.checkIntegrity() }
        // Made before the engine, which counts into it from its first decision; nil without --metrics.
        let metricsAddress = try options.metricsAddress()
        let metrics = metricsAddress.map { _ in DaemonMetrics(startedAt: Date().timeIntervalSince1970) }
        let engine = try Engine(store: store, policy: policy, logger: logger, maximumOpenCalls: options.maximumOpenCalls, meter: metrics)
        try await integrity.value
        logger.info("Policy \(policy.policy.name) (\(policy.hash)) loaded from \(policy.path); record \(store.path) open")

        // Made before the server, so that no write is acknowledged before shipping is in place.
        var replicator: Replicator?
        if let sharedAddress {
            let shared = SharedRecord(address: sharedAddress, password: try options.shared.password(), logger: logger, timeout: Replicator.shipDeadline)
            replicator = Replicator(
                shared: shared, address: sharedAddress.description, store: store, engine: engine, node: node,
                spools: options.shared.spool == "on", logger: logger)
            engine.verifySharedRecord { try await shared.verify() }
            engine.exportSharedRecord { after, limit in try await shared.exportPage(after: after, limit: limit) }
            logger.info("Node \(node) of the cluster sharing \(sharedAddress); its own entries are numbered from \(idFloor)")
        }

        let notifier = SystemdNotifier()
        let target: BindTarget
        if let fd = try ListenFDs.listener() {
            target = .inherited(fd)
        } else {
            target = .path(options.socket, mode: UInt16(options.socketMode, radix: 8)!)
        }
        // Both SIGHUP and the `reload` request tell the service manager, as Type=notify-reload
        // expects (systemd 252 ignores RELOADING=1 but later versions rely on it).
        engine.observeReloads(ReloadObserver(
            willReload: { notifier.reloading() },
            didReload: { _ in
                notifier.status(engine.statusLine())
                notifier.ready()
            }))
        let (roles, unknownGroups) = RoleMap.named(
            adminGroups: options.adminGroups, supervisorGroups: options.supervisorGroups, telephonyGroups: options.telephonyGroups)
        for name in unknownGroups {
            // A group named on the command line is meant to exist; the defaults may not (a
            // development machine), where the message is only informative.
            let named = !RoleMap.defaultGroups.contains(name)
            logger.log(level: named ? .warning : .info, "Group \(name) does not exist: nobody gets a role through it (create it, then restart callwardend)")
        }
        // `tail` clients follow this feed; the daily purge publishes to it too. `supervise` clients
        // follow its supervisor notices, after the requests pending now (rebuilt from the record).
        let feed = EventFeed()
        // Welfare rules that speak reach the journal, this feed and the alert command.
        WelfareDelivery(engine: engine, logger: logger).attach()
        feed.resume(engine.pendingSupervisorRequests())
        engine.observeNotices { feed.publish($0) }
        let server = EventServer(
            configuration: .init(target: target, roles: roles, limits: ConnectionLimits(
                maximumConnections: options.maximumConnections, partialLineSeconds: options.lineTimeout)),
            handler: RequestHandler(engine: engine, policyTester: PolicyTester(store: store, engine: engine, logger: logger), logger: logger),
            feed: feed,
            logger: logger,
            onRunning: {
                notifier.status(engine.statusLine())
                notifier.ready()
            })
        var metricsServer: MetricsServer?
        if let metrics, let metricsAddress {
            store.onCommitTimed { took, _ in metrics.commitTimed(took) }
            // Bound now, before READY: an address in use stops the start with a clear error.
            metricsServer = try await MetricsServer.start(
                address: metricsAddress, socketMode: UInt16(options.metricsSocketMode, radix: 8)!, logger: logger
            ) { [engine, server, store] in
                let gauges = engine.gauges()
                return metrics.render(MetricsSample(
                    openCalls: gauges.openCalls, recordDegraded: gauges.recordDegraded,
                    connections: server.connectionCount, waitingWrites: store.waitingWrites))
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let replicator {
            // First, so that it stops last: the record's writer ships its final commits through it.
            services.append(.init(service: replicator))
        }
        services += [
            .init(service: RecordWriterService(store: store)),
            .init(service: PolicyReloadService(engine: engine, signals: hangups)),
            .init(service: OpenCallReaper(engine: engine)),
            .init(service: SupervisorTimeoutService(engine: engine)),
            .init(service: RetentionService(engine: engine) { feed.publish(FeedLine.purge($0)) }),
        ]
        if let interval = Watchdog.interval() {
            // The probe is a round trip through the engine and the record's writer: a wedged
            // daemon stops pinging and systemd restarts it, where a bare timer would keep it alive.
            services.append(.init(service: WatchdogService(interval: interval, notifier: notifier, logger: logger) {
                await engine.healthCheck()
            }))
        }
        services.append(.init(service: server))
        if let metricsServer {
            // Metrics serve the people watching the daemon, not the calls: should the endpoint
            // ever stop by itself, routing goes on (the server logs why).
            services.append(.init(service: metricsServer, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        services.append(.init(service: ServiceManagerStatus(engine: engine, notifier: notifier)))
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Below the unit's TimeoutStopSec=20s, so a stuck shutdown ends here, logged, not by SIGKILL.
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        logger.info("callwardend stopped")
    }
}
