import CallwardenStore
import ServiceLifecycle

/// Runs the record's group-commit writer for the daemon's lifetime. First in the service group,
/// so it stops last: every answer still in flight when shutdown starts gets its commit.
public struct RecordWriterService: Service {
    let store: RecordStore

    public init(store: RecordStore) {
        self.store = store
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await store.runWriter()
        } onGracefulShutdown: {
            store.stopWriter()
        }
    }
}
