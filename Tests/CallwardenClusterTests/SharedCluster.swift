import CallwardenCluster
import CallwardenRecord
import CallwardenStore
import Foundation
import Logging
import PostgresTestServer

/// A real PostgreSQL and one `SharedRecord` per node, the
/// shared record's tables prepared by every node at once (as nodes starting together do).
struct SharedCluster {
    let server: PostgresServer
    let records: [Int: SharedRecord]

    static func logger(_ node: Int) -> Logger {
        var logger = Logger(label: "callwarden.cluster.node\(node)")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` against a fresh server with a record for each of `nodes`; stops it all after.
    static func with(nodes: [Int], prepare: Bool = true, timeout: Duration = .seconds(30), _ body: (SharedCluster) async throws -> Void) async throws {
        let server = try PostgresServer().start()
        defer { server.close() }
        let address = try SharedRecordAddress.parse(server.address)
        var records: [Int: SharedRecord] = [:]
        for node in nodes {
            records[node] = SharedRecord(address: address, password: server.password, logger: logger(node), timeout: timeout)
        }
        let cluster = SharedCluster(server: server, records: records)
        if prepare {
            try await withThrowingTaskGroup(of: Void.self) { preparing in
                for record in records.values {
                    preparing.addTask { try await record.prepare() }
                }
                try await preparing.waitForAll()
            }
        }
        do {
            try await body(cluster)
        } catch {
            for record in records.values { await record.close() }
            throw error
        }
        for record in records.values { await record.close() }
    }

    subscript(node: Int) -> SharedRecord { records[node]! }
}

/// Entries as a node's local record would hold them: ids from the node's floor on, hashes of
/// its own chain, and every kind of value the shared record must carry intact (optional fields,
/// refs, until, attestations, text with quotes, commas and non-ASCII).
enum LocalEntries {
    /// `count` entries of node `node`, the first numbered `first` places after its floor.
    static func make(node: Int, count: Int, first: Int = 0) -> [StoredEntry] {
        var previous = EntryDigest.genesis
        return (first..<(first + count)).map { index in
            let id = ClusterNode.idFloor(of: node) + Int64(index)
            // Whole microseconds, so that the shared record's microseconds read back exactly.
            let recordedAt = Double(1_800_000_000_000_000 + Int64(node) * 1_000_000_000 + Int64(index) * 1_000_003) / 1_000_000
            let entry = entry(node: node, index: index, id: id, at: recordedAt - 0.25)
            let hash = try! EntryDigest.hash(previous: previous, id: id, recordedAt: recordedAt, entry: entry)
            previous = hash
            return StoredEntry(id: id, recordedAt: recordedAt, entry: entry, hash: hash)
        }
    }

    private static func entry(node: Int, index: Int, id: Int64, at: Double) -> NewEntry {
        let caller = "+4477009\(node)\(String(format: "%04d", index))"
        switch index % 4 {
        case 0:
            return NewEntry(type: .incident, at: at, caller: caller, call: "n\(node)-c\(index)", kind: "verbal", agent: "a\(node)",
                            note: "said \"you'll regret it\", then hung up; Ünïcödé ✓", attestation: index % 8 == 0 ? "A" : nil)
        case 1:
            return NewEntry(type: .forgiveness, at: at, caller: caller, note: "apologised", ref: id - 1, by: "uid 1000", until: at + 86_400)
        case 2:
            return NewEntry(type: .callStart, at: at, caller: caller, call: "n\(node)-c\(index)", agent: "a\(node)", attestation: "C")
        default:
            return NewEntry(type: .exemption, at: at, caller: caller, note: "a care home", by: "uid 0", outcome: "priority,standard", until: at + 3_600)
        }
    }
}
