import ArgumentParser

/// callwardenctl: the administrator's tool for callwarden. Each subcommand is one request of
/// protocol v1 over the daemon's socket (or, for `check-policy` and `verify --file`, a local
/// check); it never opens the record itself.
@main
struct Callwardenctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callwardenctl",
        abstract: "Ask callwarden about callers, forgive, record incidents, and keep the record.",
        discussion: """
            Talks to callwardend over its Unix socket (--socket, or CALLWARDEN_SOCKET, default \
            /run/callwarden/callwarden.sock). Most commands need the admin role: run them as root or \
            as a member of the callwarden-admin group; `supervise` needs the supervisor role \
            (callwarden-supervisor) or admin, `approve` and `deny` the telephony role or above; \
            `status` works for anyone who can reach the socket. Output is meant for people; --json prints the daemon's answers as they are, one \
            JSON object per line, for scripts.

            Exit status: 0 done; 1 the record (or an export) does not verify, a policy file is \
            invalid (check-policy), or a candidate policy would change something (policy test); 64 wrong usage; 65 the daemon refused the input (bad_request, \
            unknown_kind, unknown_call) or an export file cannot be read; 69 the daemon cannot be \
            reached (no socket, nothing listening) or the record is unavailable; 70 the daemon failed \
            internally; 73 an output file cannot be written; 76 the daemon does not know the request \
            (an older version); 77 permission denied: the socket cannot be opened, or the request \
            needs a role this user does not have (forbidden).
            """,
        version: "1",
        groupedSubcommands: [
            CommandGroup(name: "Looking", subcommands: [StatusCommand.self, HistoryCommand.self, ExplainCommand.self, TailCommand.self, AgentsCommand.self]),
            CommandGroup(name: "Acting", subcommands: [ForgiveCommand.self, RecordCommand.self, ReloadCommand.self, CheckPolicyCommand.self, PolicyCommand.self]),
            CommandGroup(name: "Fairness", subcommands: [ExemptCommand.self, ReviewCommand.self]),
            CommandGroup(name: "Supervisors", subcommands: [SuperviseCommand.self, ApproveCommand.self, DenyCommand.self]),
            CommandGroup(name: "The record", subcommands: [VerifyCommand.self, ExportCommand.self, PurgeCommand.self]),
            CommandGroup(name: "Reporting", subcommands: [ReportCommand.self]),
        ])

    /// Accepts the connection options before the subcommand too (`callwardenctl --socket PATH status`).
    static func main() {
        main(LeadingOptions.moved(Array(CommandLine.arguments.dropFirst())))
    }
}
