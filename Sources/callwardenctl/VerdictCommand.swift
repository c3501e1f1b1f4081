import ArgumentParser
import CallwardenProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `callwardenctl approve CALL` and `deny CALL --reason`: a supervisor's verdict, sent as the
/// `supervisor` event a switch would send, so it is recorded and answers the request the same way.
struct ApproveCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve ending a call: the agent may hang up.",
        discussion: """
            Sends the supervisor's verdict for CALL (the call id `supervise` shows). The verdict is \
            recorded with the supervisor's id (default: your login name) and the reason, if given, \
            and answers the call's pending supervisor request. Needs the telephony, supervisor or \
            admin role.
            """)

    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The call, as `supervise` shows it.") var call: String
    @Option(help: ArgumentHelp("Who approves (default: your login name).", valueName: "id")) var supervisor: String?
    @Option(help: ArgumentHelp("Why: kept in the record.", valueName: "text")) var reason: String?

    func validate() throws { try VerdictCommand.validate(call: call, reason: reason, required: false) }

    func execute() throws(ControlFailure) {
        try VerdictCommand.send("approve", call: call, supervisor: supervisor, reason: reason, options: options)
    }
}

struct DenyCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny",
        abstract: "Deny ending a call: the call goes on (you may take it over).",
        discussion: """
            Sends the supervisor's verdict for CALL with the reason, which is kept in the record \
            with the supervisor's id (default: your login name). If the abuse goes on after a \
            denial, the agent's next hang-up request asks a supervisor again. Needs the telephony, \
            supervisor or admin role.
            """)

    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The call, as `supervise` shows it.") var call: String
    @Option(help: ArgumentHelp("Why the call goes on: kept in the record (required).", valueName: "text")) var reason: String
    @Option(help: ArgumentHelp("Who denies (default: your login name).", valueName: "id")) var supervisor: String?

    func validate() throws { try VerdictCommand.validate(call: call, reason: reason, required: true) }

    func execute() throws(ControlFailure) {
        try VerdictCommand.send("deny", call: call, supervisor: supervisor, reason: reason, options: options)
    }
}

enum VerdictCommand {
    static func validate(call: String, reason: String?, required: Bool) throws {
        guard !call.isEmpty else { throw ValidationError("CALL must not be empty") }
        if let reason, reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reason must say why; it is kept in the record")
        }
        if required, reason == nil { throw ValidationError("--reason must say why; it is kept in the record") }
    }

    static func send(_ verdict: String, call: String, supervisor: String?, reason: String?, options: ConnectionOptions) throws(ControlFailure) {
        let who = supervisor ?? loginName()
        _ = try options.request("supervisor") { writer in
            writer.field("call", call)
            writer.field("verdict", verdict)
            writer.field("supervisor", who)
            if let reason { writer.field("reason", reason) }
        }
        guard !options.json else { return }
        switch verdict {
        case "approve": Output.line("Approved by \(who): the agent on call \(call) may end it. The verdict is in the record.")
        default: Output.line("Denied by \(who): call \(call) goes on. The verdict and reason are in the record.")
        }
    }

    /// The person giving the verdict: the user who ran sudo, else this process's user, else its uid.
    static func loginName() -> String {
        let environment = ProcessInfo.processInfo.environment
        if getuid() == 0, let sudoUser = environment["SUDO_USER"], !sudoUser.isEmpty { return sudoUser }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
