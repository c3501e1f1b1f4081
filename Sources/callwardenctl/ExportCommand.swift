import ArgumentParser
import CallwardenExport
import CallwardenProtocol
import Foundation

struct ExportCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the record, with its hashes, for a third party to keep or verify.",
        discussion: """
            Asks the daemon for the record page by page and writes it to standard output (or --output). \
            The JSON format carries every entry exactly as recorded, with the hash it chains from and \
            its own, so that anyone can re-verify it offline: `callwardenctl verify --file EXPORT`, or \
            the short Python program in docs/record.md. Without filters the export is the whole chain; \
            --since T exports everything recorded from T on (an unbroken stretch of the chain); \
            --caller C exports one caller's entries, each verifiable on its own. On a node of a \
            cluster, --shared exports the whole shared record instead, every node's entries in one \
            chain (docs/cluster.md). CSV is for reading in a spreadsheet: it cannot be verified. \
            Needs the admin role.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, csv
    }

    @OptionGroup var options: ConnectionOptions

    @Option(help: ArgumentHelp("Only this caller's entries.", valueName: "caller"))
    var caller: String?

    @Option(help: ArgumentHelp("From the first entry recorded at or after this time: RFC 3339, seconds since 1970, or an age such as 30d or 12h.", valueName: "time"))
    var since: String?

    @Flag(help: "On a node of a cluster: the whole shared record, every node's entries, instead of this node's own.")
    var shared = false

    @Option(help: "json (verifiable) or csv (for spreadsheets).")
    var format: Format = .json

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if shared, caller != nil || since != nil {
            throw ValidationError("--shared exports the whole shared record: give no --caller or --since with it")
        }
        if let since, HumanTime.parseSince(since) == nil {
            throw ValidationError("--since must be RFC 3339, seconds since 1970, or an age such as 30d, 12h, 2w, from 1970 to 9999")
        }
    }

    func execute() throws(ControlFailure) {
        let sinceSeconds = since.flatMap { HumanTime.parseSince($0) }
        let client = try options.connect()
        let sink = try ExportSink(path: output)
        var after: Int64?
        var first = true
        var count = 0
        var header: String?
        var head: JSONValue?
        while true {
            let line = try client.request("export") { writer in
                if shared { writer.field("record", "shared") }
                if let caller { writer.field("caller", caller) }
                if let sinceSeconds { writer.field("since", sinceSeconds) }
                if let after { writer.field("after", after) }
            }
            if options.json { Output.line(line) }
            let answer = try Answer(line)
            if options.json {
                after = answer["next"]?.int64
                if after == nil { return }
                continue
            }
            if header == nil {
                let chain: ExportDocument.Chain = shared ? .shared : caller != nil ? .selection : (sinceSeconds != nil ? .suffix : .complete)
                header = format == .json
                    ? ExportDocument.header(chain: chain, caller: caller, since: sinceSeconds, exportedAt: Date().timeIntervalSince1970)
                    : CSVExport.header
                try sink.write(header!)
            }
            // One write per page, not per entry: an export is hundreds of thousands of entries.
            var text = ""
            for entry in answer["entries"]?.array ?? [] {
                text += format == .json ? ExportDocument.entry(entry, first: first) : CSVExport.row(entry)
                first = false
                count += 1
            }
            try sink.write(text)
            // The head as of the last page: the pages end at it.
            head = answer["head"]
            after = answer["next"]?.int64
            if after == nil { break }
        }
        if format == .json { try sink.write(ExportDocument.footer(head: head)) }
        try sink.close()
        if let output {
            Output.error("wrote \(count) entries to \(output)")
        }
    }
}
