import CallwardenProtocol
import Foundation

/// `history`'s calls for people: one table per call, a row per step in the order callwarden
/// took them.
enum CallStoryText {
    static func print(_ calls: [JSONValue]) {
        guard !calls.isEmpty else { return }
        Output.line("")
        Output.line("Calls, step by step:")
        for call in calls {
            let steps = call["steps"]?.array ?? []
            Output.line("")
            Output.line("  call \(call["call"].text)")
            var table = TextTable([
                .init(title: "WHEN"), .init(title: "STEP"), .init(title: "WHAT", maximumWidth: 48), .init(title: "AGENT", maximumWidth: 20),
                .init(title: "SUPERVISOR", maximumWidth: 20), .init(title: "ENTRY", rightAligned: true),
            ])
            for step in steps {
                table.add([
                    when(step["at"]?.string), words[step["type"]?.string ?? ""] ?? step["type"].text, what(step), step["agent"].text,
                    step["supervisor"].text, step["entry"].text,
                ])
            }
            table.lines(indent: 4).forEach(Output.line)
        }
    }

    static let words = [
        "offered": "offered", "abuse": "abuse", "warning": "warning", "verdict": "verdict", "hangup_request": "hang-up request", "end": "end",
    ]

    /// What the step said: the kind of abuse, the answer and its rule, the verdict, how the call
    /// ended and by whom; then the note.
    static func what(_ step: JSONValue) -> String {
        var parts: [String] = []
        if let kind = step["kind"]?.string { parts.append(kind) }
        if let outcome = step["outcome"]?.string {
            parts.append(step["rule"]?.string.map { "\(outcome) (\($0))" } ?? outcome)
        } else if let rule = step["rule"]?.string {
            parts.append("rule \(rule)")
        }
        if step["type"]?.string == "end", let by = step["by"]?.string { parts.append("by \(by)") }
        if let note = step["note"]?.string, !note.isEmpty, step["type"]?.string != "hangup_request" { parts.append(note) }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// `2026-11-20 14:03:05`: steps of one call are seconds apart.
    static func when(_ text: String?) -> String {
        guard let text, let seconds = EventTime.parse(text) else { return text ?? "-" }
        let date = Date(timeIntervalSince1970: seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
