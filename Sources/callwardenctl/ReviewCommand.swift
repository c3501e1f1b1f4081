import ArgumentParser
import CallwardenProtocol
import Foundation

/// `callwardenctl review list|renew|end`: restrictions whose review is due, and a person's decision.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Restrictions due for review: list them, renew one, or end one.",
        discussion: """
            A routing rule with `review:` in the policy restricts a caller only for that long after \
            their last incident; then their calls go to the normal queue unless a person renews the \
            restriction. Renewals and ends are entries in the evidence record with the reason and \
            your uid. Needs the admin role.
            """,
        subcommands: [List.self, Renew.self, End.self])

    struct List: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Restrictions due within a period (default 14d), and those already past review.")

        @OptionGroup var options: ConnectionOptions

        @Option(help: ArgumentHelp("How far ahead to look: 7d, 2w, ...", valueName: "period"))
        var within: String?

        func validate() throws {
            if let within, HumanTime.parsePeriod(within) == nil { throw ValidationError("--within must be a period such as 14d") }
        }

        func execute() throws(ControlFailure) {
            let answer = try options.request("review.list") { writer in
                if let within, let seconds = HumanTime.parsePeriod(within) { writer.field("within", seconds) }
            }
            guard !options.json else { return }
            let reviews = answer["reviews"]?.array ?? []
            guard !reviews.isEmpty else {
                Output.line("No restriction is due for review.")
                return
            }
            var table = TextTable([
                .init(title: "CALLER"), .init(title: "RULE"), .init(title: "ROUTE"), .init(title: "SINCE"), .init(title: "DUE"), .init(title: "STATE"),
            ])
            for review in reviews {
                table.add([
                    review["caller"].text, review["rule"].text, review["route"].text,
                    "\(HumanTime.when(review["since"]?.string)) (\(review["from"].text))", HumanTime.when(review["due"]?.string),
                    review["lapsed"]?.bool == true ? "past review: now \(review["route_now"].text) (rule \(review["rule_now"].text))" : "due",
                ])
            }
            for line in table.lines() { Output.line(line) }
            let total = answer["total"]?.int64 ?? Int64(reviews.count)
            if total > Int64(reviews.count) { Output.line("(\(reviews.count) of \(total) shown, soonest first)") }
        }
    }

    struct Renew: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a caller's restriction for another review period, from now.")

        @OptionGroup var options: ConnectionOptions
        @Argument(help: "The caller, as presented or normalised.") var caller: String
        @Option(help: ArgumentHelp("Why: kept in the record (required).", valueName: "text")) var reason: String

        func validate() throws { try ReviewCommand.validate(reason) }
        func execute() throws(ControlFailure) { try ReviewCommand.decide("review.renew", caller: caller, reason: reason, options: options) }
    }

    struct End: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "End a caller's restriction now; new abuse restores it.")

        @OptionGroup var options: ConnectionOptions
        @Argument(help: "The caller, as presented or normalised.") var caller: String
        @Option(help: ArgumentHelp("Why: kept in the record (required).", valueName: "text")) var reason: String

        func validate() throws { try ReviewCommand.validate(reason) }
        func execute() throws(ControlFailure) { try ReviewCommand.decide("review.end", caller: caller, reason: reason, options: options) }
    }

    static func validate(_ reason: String) throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why; it is kept in the record") }
    }

    static func decide(_ type: String, caller: String, reason: String, options: ConnectionOptions) throws(ControlFailure) {
        let answer = try options.request(type) { writer in
            writer.field("caller", caller)
            writer.field("reason", reason)
        }
        guard !options.json else { return }
        let done = answer["decision"]?.string == "renew" ? "renewed" : "ended"
        Output.line("Restriction of \(answer["caller"].text) \(done) (record entry \(answer["review"].text)); a call now goes \(answer["route_now"].text) (rule \(answer["rule_now"].text)).")
    }
}
