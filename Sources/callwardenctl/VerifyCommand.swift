import ArgumentParser
import CallwardenExport
import CallwardenProtocol
import CallwardenRecord
import Foundation

struct VerifyCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the record is exactly as recorded: no entry changed, removed or reordered.",
        discussion: """
            Without --file, the daemon walks its record's hash chain and reports the first entry that \
            breaks it and how: changed, removed, reordered, a purge that does not match its entry, or \
            a chain head that does not name the last entry. Gaps left by the retention purge verify \
            when they are exactly as their purge entry describes. Needs the admin role.

            With --file, an export (callwardenctl export) is verified here, without a daemon: a whole \
            export from the genesis hash to its head, a --since export from its first entry on, a \
            --caller export entry by entry.

            Exit status 0 if it verifies, 1 if it does not, 65 if the file is not a valid export.
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: ArgumentHelp("Verify this export file offline instead of asking the daemon.", valueName: "export"))
    var file: String?

    func execute() throws(ControlFailure) {
        if let file {
            try verifyFile(file)
            return
        }
        let answer = try options.request("verify")
        let verified = answer["verified"]?.bool == true
        if !options.json {
            if verified {
                let last = answer["head"].map { " Head: entry \($0["id"].text), hash \($0["hash"].text)." } ?? ""
                Output.line("The record verifies: \(answer["entries"].text) entries chained without a break\(Self.purged(answer["purged"]?.int64 ?? 0)).\(last)")
            } else {
                let problem = answer["problem"]
                Output.line("The record does NOT verify: entry \(problem["entry"].text) (\(problem["kind"].text)): \(problem["message"].text).")
                Output.line("\(answer["entries"].text) entries before it verified. Keep the file as it is for investigation; restore the record from a backup or an export to go on.")
            }
        }
        let shared = answer["shared"]
        let sharedVerified = shared?.object == nil || shared["verified"]?.bool == true
        if !options.json, shared?.object != nil {
            if sharedVerified {
                Output.line("The shared record verifies: \(shared["entries"].text) entries from every node chained without a break. Head: entry \(shared["head"]["id"].text).")
            } else {
                let problem = shared["problem"]
                Output.line("The shared record does NOT verify: entry \(problem["entry"].text) (\(problem["kind"].text)): \(problem["message"].text).")
            }
        }
        if !verified { throw ControlFailure(ExitStatus.verifyFailed, "the record does not verify") }
        if !sharedVerified { throw ControlFailure(ExitStatus.verifyFailed, "the shared record does not verify") }
    }

    static func purged(_ count: Int64) -> String {
        count == 0 ? "" : "; \(count) entries purged under retention, each gap exactly as its purge entry describes"
    }

    private func verifyFile(_ file: String) throws(ControlFailure) {
        let result = try ExportFile.verify(file)
        let range = result.firstID.map { "entries \($0) to \(result.lastID ?? $0)" } ?? "no entries"
        if options.json {
            var writer = JSONWriter()
            writer.field("file", file)
            writer.field("chain", result.chain.rawValue)
            writer.field("verified", result.verified)
            writer.field("entries", result.entries)
            if let problem = result.problem {
                writer.object("problem") { object in
                    object.field("entry", problem.entry)
                    object.field("kind", problem.kind.rawValue)
                    object.field("message", problem.message)
                }
            }
            Output.raw(writer.line())
        } else if let problem = result.problem {
            Output.line("\(file) does NOT verify: entry \(problem.entry) (\(problem.kind.rawValue)): \(problem.message).")
        } else {
            switch result.chain {
            case .complete, .suffix:
                Output.line("\(file) verifies: \(result.entries) entries (\(range)) chained without a break to the head\(Self.purged(Int64(result.report?.purged ?? 0))).")
            case .shared:
                Output.line("\(file) verifies: \(result.entries) entries of the shared record (\(range)), every node's, chained without a break to the head.")
            case .selection:
                Output.line("\(file) verifies entry by entry: each of \(result.entries) entries (\(range)) matches its hash. A selection cannot show that none of the caller's entries is missing: verify a whole export for that.")
            }
        }
        if !result.verified { throw ControlFailure(ExitStatus.verifyFailed, "\(file) does not verify") }
    }
}
