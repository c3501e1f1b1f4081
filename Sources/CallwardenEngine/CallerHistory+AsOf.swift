import CallwardenCore

extension CallerHistory {
    /// The history as it stood at `time`: incidents and calm calls dated after it left out, so
    /// that `history` and `explain` with `at` show the standing of that moment.
    func asOf(_ time: Double) -> CallerHistory {
        CallerHistory(incidents: incidents.filter { $0.at <= time }, resolvedCalls: resolvedCalls.filter { $0 <= time })
    }
}
