extension StringProtocol {
    /// The text without leading and trailing white space and line breaks (Unicode's White_Space and
    /// U+200B, as `trimmingCharacters(in: .whitespacesAndNewlines)`), without Foundation's bridging: this
    /// runs on every chat message.
    public var trimmedWhitespace: String {
        // By scalar, as Foundation trims: a combining mark after a space is kept.
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.trimmed($0) }), let last = scalars.lastIndex(where: { !Self.trimmed($0) })
        else { return "" }
        // Most text has nothing to trim: taken whole, without copying scalar by scalar.
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return String(self) }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// White space, and the zero-width space Foundation's set also holds (pasted text carries it).
    static func trimmed(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\u{200B}"
    }

    /// The first word (up to white space), ignoring white space before it; empty when there is none.
    public var firstWord: SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = self[start...].firstIndex(where: \.isWhitespace) ?? endIndex
        return self[start..<end]
    }
}
