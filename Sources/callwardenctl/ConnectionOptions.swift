import ArgumentParser
import CallwardenProtocol
import Foundation

/// Options every command that talks to the daemon shares.
struct ConnectionOptions: ParsableArguments {
    static let defaultSocket = "/run/callwarden/callwarden.sock"

    @Option(help: ArgumentHelp(
        "The daemon's socket (default: $CALLWARDEN_SOCKET, else \(ConnectionOptions.defaultSocket)).", valueName: "path"))
    var socket: String?

    @Flag(help: "Print the daemon's answers as JSON lines, exactly as received, instead of text for people.")
    var json = false

    @Option(help: ArgumentHelp("Seconds to wait for an answer.", valueName: "seconds"))
    var timeout: Int = 120

    /// The socket to use: the option, then the environment, then the default.
    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["CALLWARDEN_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSocket
    }

    func connect(timeout: Int? = nil) throws(ControlFailure) -> ControlClient {
        try ControlClient(path: socketPath, timeoutSeconds: timeout ?? self.timeout)
    }
}

extension ConnectionOptions {
    /// Sends one request on a new connection and returns the answer; with --json, also prints it
    /// as received. A failure answer throws, with the exit status its code calls for.
    func request(_ type: String, _ body: (inout CallwardenProtocol.JSONWriter) -> Void = { _ in }) throws(ControlFailure) -> Answer {
        let client = try connect()
        let line = try client.request(type, body)
        if json { Output.line(line) }
        return try Answer(line)
    }
}
