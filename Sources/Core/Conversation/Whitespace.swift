extension StringProtocol {
    /// The text without leading and trailing white space and line breaks (Unicode's White_Space and
    /// U+200B, as `trimmingCharacters(in: .whitespacesAndNewlines)`), without Foundation's bridging: this
    /// runs on every chat message.
    public var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !Self.trimmed($0) }), let last = lastIndex(where: { !Self.trimmed($0) }) else { return "" }
        return String(self[first...last])
    }

    /// White space, and the zero-width space Foundation's set also holds (pasted text carries it).
    static func trimmed(_ character: Character) -> Bool {
        character.isWhitespace || character == "\u{200B}"
    }

    /// The first word (up to white space), ignoring white space before it; empty when there is none.
    public var firstWord: SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = self[start...].firstIndex(where: \.isWhitespace) ?? endIndex
        return self[start..<end]
    }
}
