import ArgumentParser
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

/// callwardend: the callwarden daemon. Options and wiring only; every decision lives in the
/// modules it assembles.
@main
struct Callwardend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callwardend",
        abstract: "Protects contact-centre staff from abusive callers.",
        discussion: """
            Serves callwarden's event protocol (v1) on a Unix socket: routes each new call by the \
            caller's record and the operator's policy, records abuse durably, and says when an agent \
            may end an abusive call. Runs in the foreground; SIGHUP reloads the policy, SIGTERM stops \
            after answering every line already received.
            """)

    @Option(help: "The Unix socket to serve (ignored when the service manager passes one).")
    var socket = "/run/callwarden/callwarden.sock"

    @Option(help: "The policy file.")
    var policy = "/etc/callwarden/policy.yaml"

    @Option(name: .customLong("state-dir"), help: "Where the record (callwarden.sqlite) is kept.")
    var stateDirectory = "/var/lib/callwarden"

    @Option(name: .customLong("socket-mode"), help: "Permissions of the socket file it binds, in octal.")
    var socketMode = "660"

    @Option(name: .customLong("admin-group"), help: ArgumentHelp(
        "A group whose members have the admin role (repeatable; a name or a gid). Root and the daemon's own user always do.",
        valueName: "group"))
    var adminGroups: [String] = [RoleMap.defaultAdminGroup]

    @Option(name: .customLong("supervisor-group"), help: ArgumentHelp(
        "A group whose members have the supervisor role: they follow supervisor requests (supervise) and may send telephony events (repeatable; a name or a gid).",
        valueName: "group"))
    var supervisorGroups: [String] = [RoleMap.defaultSupervisorGroup]

    @Option(name: .customLong("telephony-group"), help: ArgumentHelp(
        "A group whose members may send telephony events (repeatable; a name or a gid).", valueName: "group"))
    var telephonyGroups: [String] = [RoleMap.defaultTelephonyGroup]

    @Option(name: .customLong("max-open-calls"), help: "Calls followed at once; past it the oldest are let go (closed by system if their ladder had begun).")
    var maximumOpenCalls = 50_000

    @Option(name: .customLong("max-connections"), help: ArgumentHelp(
        "Connections served at once (1-1000000); beyond it a new one is answered unavailable and closed.", valueName: "n"))
    var maximumConnections = ConnectionLimits.defaultMaximumConnections

    @Option(name: .customLong("line-timeout"), help: ArgumentHelp(
        "Seconds a client may take to finish a line it has begun (1-3600); then it is answered too_long and closed. Idle connections are not affected.",
        valueName: "seconds"))
    var lineTimeout = ConnectionLimits.defaultPartialLineSeconds

    @Option(name: .customLong("metrics"), help: ArgumentHelp(
        "Serve Prometheus metrics (GET /metrics) at this address: 127.0.0.1:PORT or [::1]:PORT (loopback only), or unix:/path. Off unless given.",
        valueName: "address"))
    var metrics: String?

    @Option(name: .customLong("metrics-socket-mode"), help: ArgumentHelp("Permissions of a unix: metrics socket, in octal.", valueName: "mode"))
    var metricsSocketMode = "660"

    @OptionGroup(title: "A cluster sharing a PostgreSQL record (docs/cluster.md)") var shared: SharedRecordOptions

    @Option(name: .customLong("check-policy"), help: ArgumentHelp("Check a policy file and exit: 0 if valid, 1 with file:line errors.", valueName: "file"))
    var checkPolicy: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard UInt16(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode must be octal, like 660") }
        guard (1...1_000_000).contains(maximumConnections) else { throw ValidationError("--max-connections must be from 1 to 1000000") }
        guard (1...3600).contains(lineTimeout) else { throw ValidationError("--line-timeout must be from 1 to 3600 seconds") }
        guard let mode = UInt16(metricsSocketMode, radix: 8), mode <= 0o777 else { throw ValidationError("--metrics-socket-mode must be octal, like 660") }
        _ = try metricsAddress()
    }

    /// The metrics endpoint's address, nil without `--metrics`; a non-loopback one is refused.
    func metricsAddress() throws -> MetricsAddress? {
        guard let metrics else { return nil }
        do {
            return try MetricsAddress.parse(metrics)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        if let checkPolicy {
            throw ExitCode(PolicyCheck.run(path: checkPolicy))
        }
        let logger = DaemonLogging.bootstrap(level: logLevel)
        do {
            try await Daemon(options: self, logger: logger).run()
        } catch let error as ExitCode {
            throw error
        } catch {
            logger.critical("callwardend cannot start: \(error)")
            let code = DaemonExit.code(for: error)
            SystemdNotifier().fatal(errno: code == DaemonExit.configuration ? EINVAL : EIO, status: "Cannot start: \(error)")
            throw ExitCode(code)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
