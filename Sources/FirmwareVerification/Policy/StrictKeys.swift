/// Refuses keys a policy mapping does not define, so that a typo (`warnDay`, `enforse`) is an
/// error instead of a silently ignored, weaker setting.
enum StrictKeys {
    /// Throws ``PolicyProblem`` for the first key in the decoder's mapping that is not one of
    /// `allowed`, suggesting the nearest allowed key.
    static func check<Key: CodingKey & CaseIterable>(_ decoder: any Decoder, allowed: Key.Type) throws {
        let container = try decoder.container(keyedBy: PolicyKey.self)
        let names = Key.allCases.map(\.stringValue)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !names.contains(key.stringValue) {
            var message = "unknown key '\(key.stringValue)'"
            if let suggestion = nearest(key.stringValue, in: names) {
                message += " (did you mean '\(suggestion)'?)"
            }
            message += "; allowed here: \(names.joined(separator: ", ")). Unknown keys are refused so that a typo cannot weaken the policy"
            throw PolicyProblem(codingPath: container.codingPath + [key], message)
        }
    }

    /// The allowed name closest to `word` (case-insensitive edit distance at most 3), if any.
    static func nearest(_ word: String, in names: [String]) -> String? {
        let scored = names.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(3, max(1, word.count / 2)) else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
