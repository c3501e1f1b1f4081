import CallwardenEngine
import CallwardenSystemd
import ServiceLifecycle

/// Keeps `systemctl status` current: a one-line summary every few seconds, and STOPPING=1 as soon
/// as shutdown begins (listed last in the service group, so it hears of shutdown first).
struct ServiceManagerStatus: Service {
    let engine: Engine
    let notifier: SystemdNotifier
    var interval: Duration = .seconds(10)

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            notifier.status(engine.statusLine())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
        notifier.stopping()
        notifier.status("Stopping: answering the lines already received.")
    }
}
