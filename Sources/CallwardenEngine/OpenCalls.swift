import CallwardenCore

/// Calls in progress, from `call.offered` to `call.ended`.
struct OpenCalls {
    struct Call {
        var caller: Caller
        var offeredAt: Double
    }

    private(set) var byID: [String: Call] = [:]

    var count: Int { byID.count }

    subscript(id: String) -> Call? {
        get { byID[id] }
        set { byID[id] = newValue }
    }

    mutating func remove(_ id: String) -> Call? {
        byID.removeValue(forKey: id)
    }
}
