import ArgumentParser
import CallwardenProtocol
import Crypto
import Foundation

/// `callwardenctl policy ...`: commands about a policy file beside the one in force.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Try a policy change on the recorded history before applying it.",
        subcommands: [PolicyTestCommand.self])
}

struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Replay the recorded history through a candidate policy and show what would change.",
        discussion: """
            Sends the candidate file's text to the daemon, which replays the record through it beside \
            the policy in force, without changing either, and answers what would differ: where \
            recorded calls would have been routed and where every caller with a history would be \
            routed now (counts by old -> new route and rule, with example callers), which recorded \
            hang-up requests would be answered otherwise, and which of the candidate's rules never \
            decide or are always caught by an earlier rule. Incidents are the recorded ones: the \
            candidate's detection rules are not run. With --since T, only calls from T on are \
            compared (the history before T still counts). See docs/policy.md, "Testing a change".

            Exit status, as diff: 0 nothing would change; 1 something would; 65 the candidate cannot \
            be read or is invalid (every error, file:line); 69 the daemon cannot be reached, or a test \
            is already running; 77 no admin role. Needs the admin role.
            """)

    /// As diff: something would change.
    static let wouldChange: Int32 = 1

    @OptionGroup var options: ConnectionOptions

    @Argument(help: ArgumentHelp("The candidate policy file.", valueName: "candidate"))
    var candidate: String

    @Option(help: ArgumentHelp("Compare only calls from this time on: RFC 3339, seconds since 1970, or an age such as 30d or 12h.", valueName: "time"))
    var since: String?

    func validate() throws {
        if let since, HumanTime.parseSince(since) == nil {
            throw ValidationError("--since must be RFC 3339, seconds since 1970, or an age such as 30d, 12h, 2w, from 1970 to 9999")
        }
    }

    func run() throws {
        let changed: Bool
        do {
            changed = try test()
        } catch {
            Output.error(error.message)
            throw ExitCode(error.status)
        }
        if changed { throw ExitCode(Self.wouldChange) }
    }

    /// Whether anything would change.
    private func test() throws(ControlFailure) -> Bool {
        let (text, hash) = try Self.read(candidate)
        let sinceSeconds = since.flatMap { HumanTime.parseSince($0) }
        let fields = { (writer: inout JSONWriter) in
            writer.field("policy", text)
            writer.field("path", candidate)
            if let sinceSeconds { writer.field("since", sinceSeconds) }
        }
        // The daemon would answer a longer line too_long and close the connection.
        var request = JSONWriter()
        request.field("type", "policy.test")
        request.field("id", 1)
        fields(&request)
        let length = request.line().utf8.count - 1
        guard length <= RequestDecoder.maximumPolicyLength else {
            throw ControlFailure(ExitStatus.dataError, "\(candidate) makes a policy.test request of \(length) bytes; a line of the protocol holds at most \(RequestDecoder.maximumPolicyLength)")
        }
        let answer = try options.request("policy.test", fields)
        let changed = answer["changed"]?.bool == true
        if !options.json { PolicyTestReport(answer: answer, candidateFile: candidate, candidateHash: hash).print() }
        return changed
    }

    /// The candidate's text, and the first 12 hex digits of its SHA-256 (as `status` shows a policy).
    static func read(_ path: String) throws(ControlFailure) -> (String, String) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ControlFailure(ExitStatus.dataError, "cannot read \(path): \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ControlFailure(ExitStatus.dataError, "\(path) is not UTF-8 text")
        }
        let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(12)
        return (text, String(hash))
    }
}
