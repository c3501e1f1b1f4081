import ArgumentParser
import CallwardenProtocol
import Foundation

struct PurgeCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Apply the policy's retention now instead of waiting for the daily run.",
        discussion: """
            Deletes incidents forgiven longer ago than `retention.forgiven`, and incidents older than \
            `retention.faded` whose weight has decayed below `retention.faded_below`, with their \
            forgiveness entries. Each purge is itself recorded as a `purge` entry naming every deleted \
            entry, so the record still verifies (docs/record.md). The daemon purges at start and once \
            a day by itself; a policy without `retention` never purges. Needs the admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    func execute() throws(ControlFailure) {
        let answer = try options.request("purge")
        guard !options.json else { return }
        guard answer["retention"]?.bool == true else {
            Output.line("The policy sets no retention: nothing is ever purged.")
            return
        }
        let purged = answer["purged"]?.array ?? []
        guard !purged.isEmpty else {
            Output.line("Nothing to purge: no incident is past the policy's retention.")
            return
        }
        let entries = (answer["entries"]?.array ?? []).map(\.text).joined(separator: ", ")
        Output.line("Purged \(purged.count) entries (\(answer["incidents"].text) incidents and their forgiveness); recorded as purge entry \(entries).")
    }
}
