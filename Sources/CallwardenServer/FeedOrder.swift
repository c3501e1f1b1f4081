/// Keeps one connection's feed lines in the order its requests came: a decision answered at once
/// (`call.offered`) waits behind an incident sent before it that is still being committed, so
/// `tail` never shows a route before the incident that caused it.
///
/// Lives on the connection's event loop. A request's place is reserved when it is read; its line
/// (or nil: nothing to publish, the request failed) fills the place when its answer is known;
/// lines leave in place order.
struct FeedOrder {
    private var next = 0
    private var head = 0
    private var ready: [Int: String?] = [:]

    /// A place for the next request's line.
    mutating func reserve() -> Int {
        defer { next += 1 }
        return next
    }

    /// Fills a place; returns the lines now ready to publish, in order.
    mutating func fill(_ place: Int, with line: String?) -> [String] {
        ready[place] = .some(line)
        var lines: [String] = []
        while let waiting = ready.removeValue(forKey: head) {
            if let waiting { lines.append(waiting) }
            head += 1
        }
        return lines
    }
}
