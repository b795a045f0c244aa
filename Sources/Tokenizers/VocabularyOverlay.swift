import Support

/// Action tokens laid over a language vocabulary's least-used ids, as RT-2 and OpenVLA do.
///
/// A vision-language-action model keeps its language vocabulary and gives `actionVocabulary` of
/// its ids to actions: the least used ones (RT-2 overwrites the 256 least-used tokens; OpenVLA
/// takes the last 256 ids, which a frequency-ordered vocabulary uses least). Here the usage is
/// counted on a corpus; ties go to the larger id, so with no counts the last ids are taken, as in
/// OpenVLA. Action token `t` becomes language id ``languageIds``[t]. Reading a generated
/// sequence back, any other id in an action position is *conflation*: a language token where an
/// action belongs. ``constraint(over:)`` forbids it.
public struct VocabularyOverlay: Sendable, Equatable {
    /// Ids of the language vocabulary: `0..<languageSize`.
    public let languageSize: Int
    /// The language id of each action token, in action-token order.
    public let languageIds: [Int]
    /// The action token of each language id, or -1 for a language-only id.
    let actionTokens: [Int]

    /// Picks the `actionVocabulary` least-used ids of `usage` (one count per language id).
    public init(usage: [Int], actionVocabulary: Int) throws {
        guard actionVocabulary >= 1, actionVocabulary <= usage.count else {
            throw ConfigError(location: "vocabulary overlay", key: "action_vocabulary", problem: "expected 1...\(usage.count) (the language vocabulary's size), found \(actionVocabulary)")
        }
        guard usage.allSatisfy({ $0 >= 0 }) else {
            throw ConfigError(location: "vocabulary overlay", key: "usage", problem: "counts must be at least 0")
        }
        let leastUsed = usage.indices.sorted { usage[$0] != usage[$1] ? usage[$0] < usage[$1] : $0 > $1 }.prefix(actionVocabulary)
        // Action tokens keep the language ids' order (token 0 on the smallest chosen id).
        languageSize = usage.count
        languageIds = leastUsed.sorted()
        var back = [Int](repeating: -1, count: usage.count)
        for (t, id) in languageIds.enumerated() { back[id] = t }
        actionTokens = back
    }

    public var actionVocabulary: Int { languageIds.count }

    /// The action token of language id `id`, or nil when `id` is a language-only id (or outside the vocabulary).
    public func actionToken(_ id: Int) -> Int? {
        guard (0..<languageSize).contains(id), actionTokens[id] >= 0 else { return nil }
        return actionTokens[id]
    }

    /// Action tokens as language ids.
    public func languageIds(of tokens: [Int]) -> [Int] { tokens.map { languageIds[$0] } }

    /// A generated sequence of language ids read back as action tokens: the action tokens in
    /// order, and the positions that held a language-only id (conflation; left out of `tokens`).
    public func actionTokens(of ids: [Int]) -> (tokens: [Int], conflated: [Int]) {
        var tokens: [Int] = [], conflated: [Int] = []
        for (p, id) in ids.enumerated() {
            if let t = actionToken(id) { tokens.append(t) } else { conflated.append(p) }
        }
        return (tokens, conflated)
    }

    /// A constraint over the language vocabulary that allows only action ids, and among them
    /// what `inner` (a constraint over the action tokens) allows; without `inner`, any action id
    /// and an end anywhere.
    public func constraint(over inner: (any TokenConstraint)? = nil) -> any TokenConstraint {
        OverlayConstraint(overlay: self, inner: inner)
    }
}

/// ``VocabularyOverlay/constraint(over:)``: the inner rule, mapped onto the language ids.
struct OverlayConstraint: TokenConstraint {
    let overlay: VocabularyOverlay
    let inner: (any TokenConstraint)?

    var vocabularySize: Int { overlay.languageSize }

    func next(after prefix: [Int], allowed: inout [Bool]) -> Bool {
        for id in 0..<overlay.languageSize { allowed[id] = false }
        guard let inner else {
            for id in overlay.languageIds { allowed[id] = true }
            return true
        }
        // A prefix holding a language-only id cannot come from this constraint; read what it can.
        let tokens = prefix.compactMap { overlay.actionToken($0) }
        var innerAllowed = [Bool](repeating: false, count: inner.vocabularySize)
        let mayEnd = inner.next(after: tokens, allowed: &innerAllowed)
        for (t, ok) in innerAllowed.enumerated() where ok && t < overlay.actionVocabulary { allowed[overlay.languageIds[t]] = true }
        return mayEnd
    }
}
