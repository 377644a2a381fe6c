/// A nugget's body as short passages (sentences and list items, Markdown marks removed), for the
/// sentence encoder: a question is often answered by one sentence of a body, whose meaning is lost
/// in an embedding of the whole text.
enum BodyPassages {
    /// Passages shorter than this many characters (a lone "Yes." or "Note:") are joined to the next.
    static let minimumLength = 25
    /// At most this many passages per nugget: the first ones, where the answer is, come first.
    static let limit = 24

    static func passages(_ body: String) -> [String] {
        var passages: [String] = []
        var pending = ""
        func emit(_ text: String) {
            let candidate = pending.isEmpty ? text : pending + " " + text
            if candidate.count < minimumLength {
                pending = candidate
            } else {
                passages.append(candidate)
                pending = ""
            }
        }
        for line in body.split(whereSeparator: \.isNewline) {
            var text = plain(String(line))
            guard !text.isEmpty else { continue }
            // Sentences: split after ". ", "? " and "! " (an abbreviation split early costs little).
            while let end = sentenceEnd(text) {
                emit(String(text[..<end]).trimmed)
                text = String(text[end...]).trimmed
            }
            if !text.isEmpty { emit(text) }
        }
        if !pending.isEmpty {
            if passages.isEmpty { passages.append(pending) } else { passages[passages.count - 1] += " " + pending }
        }
        return Array(passages.prefix(limit))
    }

    /// The text without list markers, emphasis, code marks, headings and link targets.
    static func plain(_ line: String) -> String {
        var text = line.trimmed
        while let first = text.first, "#>-*+".contains(first) { text = String(text.dropFirst()).trimmed }
        if let dot = text.firstIndex(of: "."), dot > text.startIndex, text[..<dot].allSatisfy(\.isNumber) {
            text = String(text[text.index(after: dot)...]).trimmed
        }
        // [label](url) → label
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "]", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "(",
                let close = text[index...].firstIndex(of: ")")
            {
                index = text.index(after: close)
                continue
            }
            if !"*_`[".contains(character) { output.append(character) }
            index = text.index(after: index)
        }
        return output.trimmed
    }

    static func sentenceEnd(_ text: String) -> String.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if ".?!".contains(text[index]), next < text.endIndex, text[next] == " " { return next }
            index = next
        }
        return nil
    }
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
