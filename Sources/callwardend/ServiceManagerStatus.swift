import CallwardenEngine
import CallwardenSystemd
import ServiceLifecycle

/// Keeps `systemctl status` current: the one-line summary as soon as the record gains something
/// (an incident is in it the moment it is acknowledged), and every few seconds for the counts that
/// change without a commit (calls routed); STOPPING=1 as soon as shutdown begins (listed last in
/// the service group, so it hears of shutdown first).
struct ServiceManagerStatus: Service {
    let engine: Engine
    let notifier: SystemdNotifier
    var interval: Duration = .seconds(10)

    func run() async throws {
        // Commits come in bursts: one waiting signal is enough, the line is read when sent.
        let (commits, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        engine.observeCommits { signal.yield() }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in commits { notifier.status(engine.statusLine()) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        notifier.status(engine.statusLine())
                        try? await Task.sleep(for: interval)
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        signal.finish()
        notifier.stopping()
        notifier.status("Stopping: answering the lines already received.")
    }
}
