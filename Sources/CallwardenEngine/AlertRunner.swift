import CallwardenCore
import Foundation
import Logging

/// Runs the policy's alert command for an alerting incident, as fail2ban runs an action: without
/// a shell, the incident's fields in its environment, killed after the policy's time limit. It
/// never blocks routing: each run is a process of its own, awaited off the request path, and
/// its failures are logged at error priority.
public struct AlertRunner: Sendable {
    let logger: Logger

    public func run(_ action: AlertAction, fields: [String: String]) {
        let logger = logger
        Task.detached {
            await Self.execute(action, fields: fields, logger: logger)
        }
    }

    static func execute(_ action: AlertAction, fields: [String: String], logger: Logger) async {
        guard let program = action.command.first else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(action.command.dropFirst())
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        environment.merge(fields) { $1 }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let finished = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            logger.error("Alert command \(program) could not start: \(error)", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
            return
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(action.timeout))
            guard process.isRunning else { return }
            logger.error("Alert command \(program) still running after \(action.timeout)s; killed", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
            process.terminate()
            try await Task.sleep(for: .seconds(1))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        timeout.cancel()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile().prefix(2000), as: UTF8.self)
        if status == 0 {
            logger.info("Alert command \(program) ran", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
        } else {
            logger.error("Alert command \(program) failed with status \(status): \(text)", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
        }
    }
}
