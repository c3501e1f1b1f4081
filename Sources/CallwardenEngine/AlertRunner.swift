import CallwardenLocking
import CallwardenCore
import Foundation
import Logging

/// Runs the policy's alert command for an alerting incident, as fail2ban runs an action: without
/// a shell, the incident's fields in its environment, killed after the policy's time limit. It
/// never blocks routing: commands run off the request path, and their failures are logged at
/// error priority.
///
/// At most `maximumRunning` commands run at once and `maximumWaiting` more wait their turn, so a
/// burst of alerting incidents (or a command that hangs) cannot start processes without bound.
/// An alert beyond that is not run: it is logged at error priority and counted, never lost
/// silently (the incident itself is in the record and the journal either way).
public struct AlertRunner: Sendable {
    public static let maximumRunning = 4
    public static let maximumWaiting = 64

    /// What `status` shows of the alert commands since start.
    public struct Figures: Sendable, Equatable {
        /// Commands that ran to the end (whatever their exit status).
        public var ran = 0
        public var running = 0
        public var waiting = 0
        /// Alerts not run because the queue was full.
        public var dropped = 0
    }

    private struct Job: Sendable {
        var action: AlertAction
        var fields: [String: String]
    }

    private struct State {
        var figures = Figures()
        var queue: [Job] = []
    }

    /// Shared by every copy of the runner: the engine holds one, its closures copy it.
    private final class Gate: Sendable {
        let state = Locked(State())
    }

    let logger: Logger
    private let gate = Gate()
    /// Told how each command ended (outside the runner's lock).
    private let meter: any EngineMeter

    /// - Parameter meter: told how each command ended (default: nothing is measured).
    public init(logger: Logger, meter: (any EngineMeter)? = nil) {
        self.logger = logger
        self.meter = meter ?? NoMeter()
    }

    public var figures: Figures { gate.state.withLock { $0.figures } }

    public func run(_ action: AlertAction, fields: [String: String]) {
        let job = Job(action: action, fields: fields)
        enum Decision { case start, queued, dropped }
        let decision = gate.state.withLock { state -> Decision in
            if state.figures.running < Self.maximumRunning {
                state.figures.running += 1
                return .start
            }
            if state.queue.count < Self.maximumWaiting {
                state.queue.append(job)
                state.figures.waiting = state.queue.count
                return .queued
            }
            state.figures.dropped += 1
            return .dropped
        }
        switch decision {
        case .start:
            let runner = self
            Task.detached { await runner.work(from: job) }
        case .queued:
            break
        case .dropped:
            meter.alertCommand(.dropped)
            logger.error(
                "Alert command not run: \(Self.maximumRunning) already running and \(Self.maximumWaiting) waiting",
                metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? ""), "kind": .string(fields["CALLWARDEN_KIND"] ?? "")])
        }
    }

    /// Runs `job`, then whatever waits, until the queue is empty; then gives its slot back.
    private func work(from job: Job) async {
        var next: Job? = job
        while let job = next {
            let succeeded = await Self.execute(job.action, fields: job.fields, logger: logger)
            meter.alertCommand(succeeded ? .succeeded : .failed)
            next = gate.state.withLock { state -> Job? in
                state.figures.ran += 1
                guard !state.queue.isEmpty else {
                    state.figures.running -= 1
                    return nil
                }
                let job = state.queue.removeFirst()
                state.figures.waiting = state.queue.count
                return job
            }
        }
    }

    /// The policy's timeout, held to its bounds even for an action not read from a policy file:
    /// `Task.sleep(for: .seconds(_:))` traps on a value too large to be a `Duration`.
    static func timeLimit(_ action: AlertAction) -> Double {
        let bounds = PolicyBounds.alertTimeout
        guard !action.timeout.isNaN else { return bounds.upperBound }
        return min(max(action.timeout, bounds.lowerBound), bounds.upperBound)
    }

    /// Runs the command; returns whether it ran and exited 0.
    @discardableResult
    static func execute(_ action: AlertAction, fields: [String: String], logger: Logger) async -> Bool {
        guard let program = action.command.first else { return false }
        let limit = timeLimit(action)
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
            return false
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(limit))
            guard process.isRunning else { return }
            logger.error("Alert command \(program) still running after \(limit)s; killed", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
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
            return true
        }
        logger.error("Alert command \(program) failed with status \(status): \(text)", metadata: ["incident": .string(fields["CALLWARDEN_INCIDENT"] ?? "")])
        return false
    }
}
