/// What became of one group-commit batch, told to the store's observer (the engine) before the
/// batch's tickets complete.
public enum BatchOutcome: Sendable, Equatable {
    /// Every entry up to and including this id is durably recorded.
    case committed(through: Int64)
    /// The batch starting at this id was not recorded. Nothing queued after it will be either:
    /// the observer fails it (`RecordStore.failPending()`) and forgets what it applied to memory.
    case failed(from: Int64)
}
