import ArgumentParser
import CallwardenCluster
import Foundation

/// How a node joins a cluster: the shared PostgreSQL record, the password for it, the node's
/// number, and what to do with writes while the record cannot be reached.
struct SharedRecordOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp(
        "Share a PostgreSQL record with other nodes: postgres://USER@HOST:PORT/DATABASE, or postgres://USER@/DATABASE?host=/run/postgresql for a Unix socket. No password here: see --store-password-file. Off unless given (the record is this node's own).",
        valueName: "url"))
    var store: String?

    @Option(name: .customLong("store-password-file"), help: ArgumentHelp(
        "A file holding the shared record's password (its first line). Otherwise the environment variable CALLWARDEN_STORE_PASSWORD, or none.",
        valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("node"), help: ArgumentHelp(
        "This node's number in the cluster, 1-1023, different on every node (required with --store).", valueName: "number"))
    var node: Int?

    @Option(name: .customLong("spool"), help: ArgumentHelp(
        "on: while the shared record cannot be reached, acknowledge writes once committed locally and ship them when it answers; off: answer them unavailable.",
        valueName: "on|off"))
    var spool = "on"

    /// The environment variable a password may come from instead of a file.
    static let passwordVariable = "CALLWARDEN_STORE_PASSWORD"

    func validate() throws {
        guard spool == "on" || spool == "off" else { throw ValidationError("--spool must be on or off") }
        guard let store else {
            if node != nil || passwordFile != nil { throw ValidationError("--node and --store-password-file need --store") }
            return
        }
        do {
            _ = try SharedRecordAddress.parse(store)
        } catch {
            throw ValidationError("--store: \(error)")
        }
        guard let node else { throw ValidationError("--store needs --node: a number from \(ClusterNode.numbers.lowerBound) to \(ClusterNode.numbers.upperBound), different on every node") }
        guard ClusterNode.numbers.contains(node) else {
            throw ValidationError("--node must be from \(ClusterNode.numbers.lowerBound) to \(ClusterNode.numbers.upperBound)")
        }
    }

    /// The shared record's address, or nil for a node on its own.
    func address() throws -> SharedRecordAddress? {
        try store.map { try SharedRecordAddress.parse($0) }
    }

    /// The password: the file's first line, else the environment, else none. Read at start only.
    func password() throws -> String? {
        if let passwordFile {
            let text: String
            do {
                text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            } catch {
                throw ValidationError("--store-password-file \(passwordFile) cannot be read")
            }
            let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw ValidationError("--store-password-file \(passwordFile) is empty") }
            return line
        }
        return ProcessInfo.processInfo.environment[Self.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
