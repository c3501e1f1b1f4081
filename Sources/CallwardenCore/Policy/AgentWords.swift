/// The texts an agent is given on screen: what to say to set limits, what to say when ending a
/// call, and what to do after a threat. They come from the policy (`words:`, and a kind's own
/// `categories.KIND.words`), so a centre words them its own way; callwarden never invents them.
public struct AgentWords: Sendable, Equatable {
    /// Said to the caller when the ladder wants a warning: the limit, and what happens if the
    /// abuse goes on.
    public var warning: String
    /// Said to the caller when the agent ends the call.
    public var endCall: String
    /// For the agent after a threat: what to do now (a break, a debrief).
    public var afterThreat: String

    public init(warning: String, endCall: String, afterThreat: String) {
        self.warning = warning
        self.endCall = endCall
        self.afterThreat = afterThreat
    }

    /// These words with a kind's own laid over them.
    public func applying(_ override: WordsOverride) -> AgentWords {
        AgentWords(
            warning: override.warning ?? warning, endCall: override.endCall ?? endCall,
            afterThreat: override.afterThreat ?? afterThreat)
    }

    /// The words of a policy that gives none, from the contact-centre guidance callwarden encodes
    /// (GUIDANCE.md): set limits by saying the call will end if the abuse goes on; thank the caller
    /// and end the call; after a threat, step away, take a break and talk it through with a
    /// supervisor, and leave the caller to authority.
    public static let defaults = AgentWords(
        warning: "I want to help you, but I can't carry on if you keep speaking to me like this. If it goes on, I will end this call.",
        endCall: "Thank you for your call. I'm ending the call now.",
        afterThreat: "Step away from your desk and take a break. Tell your supervisor what happened and talk it through with them before your next call. Dealing with the caller is for your supervisor or security, not for you."
    )
}

/// A kind's own words: each text set here replaces the policy-wide one for incidents of the kind.
public struct WordsOverride: Sendable, Equatable {
    public var warning: String?
    public var endCall: String?
    public var afterThreat: String?

    public init(warning: String? = nil, endCall: String? = nil, afterThreat: String? = nil) {
        self.warning = warning
        self.endCall = endCall
        self.afterThreat = afterThreat
    }

    public var isEmpty: Bool { warning == nil && endCall == nil && afterThreat == nil }
}

extension Policy {
    /// The words in force for an incident of `kind` (nil, or a kind not in this policy: the
    /// policy-wide words).
    public func words(for kind: String?) -> AgentWords {
        guard let kind, let category = categories[kind] else { return words }
        return words.applying(category.words)
    }
}
