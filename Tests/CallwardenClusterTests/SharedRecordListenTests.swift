import CallwardenCluster
import PostgresTestServer
import Testing

/// Listening for other nodes' commits, against a real PostgreSQL server.
@Suite("Listening to the shared record", .enabled(if: PostgresServer.runs, "\(PostgresServer.missing)"))
struct SharedRecordListenTests {
    /// Notices as a stream the test can wait on.
    static func notices() -> (AsyncStream<Void>, @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        return (stream, { continuation.yield() })
    }

    @Test("A listener is told once it listens, then of another node's commit")
    func toldOfCommits() async throws {
        try await SharedCluster.with(nodes: [1, 2]) { cluster in
            let (notices, notify) = Self.notices()
            var waiting = notices.makeAsyncIterator()
            let listening = Task { try await cluster[1].listen(notify) }
            // The first notice: the LISTEN is in place, so nothing committed from now is missed.
            #expect(await waiting.next() != nil)
            try await cluster[2].ship(LocalEntries.make(node: 2, count: 3), node: 2)
            #expect(await waiting.next() != nil)
            #expect(try await cluster[1].peerEntries(after: 0, excludingNode: 1, limit: 10).count == 3)
            listening.cancel()
            // Cancelled, it returns rather than throwing.
            try await listening.value
        }
    }

    @Test("A listener throws when the server goes away, so that its caller listens again")
    func serverGone() async throws {
        try await SharedCluster.with(nodes: [1]) { cluster in
            let (notices, notify) = Self.notices()
            var waiting = notices.makeAsyncIterator()
            let listening = Task { try await cluster[1].listen(notify) }
            #expect(await waiting.next() != nil)
            cluster.server.stop()
            await #expect(throws: SharedRecordError.self) { try await listening.value }
        }
    }
}

/// A listener stopped while its server answers nothing.
@Suite("Listening to a shared record that stopped answering", .enabled(if: PostgresServer.runs, "\(PostgresServer.missing)"))
struct SharedRecordSilentListenTests {
    @Test("A listener cancelled while its heartbeat waits on a server that answers nothing returns")
    func cancelledWhileTheServerIsSilent() async throws {
        try await SharedCluster.with(nodes: [1]) { cluster in
            let (notices, notify) = SharedRecordListenTests.notices()
            var waiting = notices.makeAsyncIterator()
            let heartbeat = Duration.seconds(2)
            let listening = Task { try await cluster[1].listen(heartbeat: heartbeat, notify) }
            #expect(await waiting.next() != nil)
            cluster.server.freeze()
            defer { cluster.server.thaw() }
            // Past one heartbeat and within the next: its SELECT 1 is waiting for an answer.
            try await Task.sleep(for: heartbeat * 1.5)
            listening.cancel()
            let returned = SharedRecordTimeoutTests.background { try await listening.value }
            #expect(try await SharedRecordTimeoutTests.waitFor([returned]), "the listener did not return once cancelled")
        }
    }
}
