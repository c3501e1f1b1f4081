import CallwardenCore

extension CallerHistory {
    /// The history as it stood at `time`: incidents, calm calls, review decisions and a grace
    /// window dated after it left out, so that `history` and `explain` with `at` show the
    /// standing of that moment.
    func asOf(_ time: Double) -> CallerHistory {
        let marks = ReviewMarks(renewedAt: review.renewedAt.flatMap { $0 <= time ? $0 : nil }, endedAt: review.endedAt.flatMap { $0 <= time ? $0 : nil })
        return CallerHistory(
            incidents: incidents.filter { $0.at <= time }, resolvedCalls: resolvedCalls.filter { $0 <= time },
            review: marks, grace: grace.flatMap { $0.from <= time ? $0 : nil })
    }
}
