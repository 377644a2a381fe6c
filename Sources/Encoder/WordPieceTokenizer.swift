import Foundation

/// BERT's uncased WordPiece tokenizer: text to the token ids the MiniLM encoder was trained on.
///
/// Follows the model's `tokenizer.json` (BertNormalizer with clean_text, handle_chinese_chars and
/// lowercase, which also strips accents; BertPreTokenizer; WordPiece with `##` continuations and 100
/// characters per word at most). It works on Unicode scalars, as the reference does on Rust `char`s,
/// never on grapheme clusters: "é" typed as e + combining accent and as one scalar give the same ids.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknown: Int32
    public let classification: Int32
    public let separator: Int32
    /// Tokens per sentence, `[CLS]` and `[SEP]` included; longer text is cut.
    public let maximumTokens: Int
    static let maximumWordLength = 100

    /// Reads `vocab.txt`: one token a line, its id the line number from 0.
    public init(vocabularyFile url: URL, maximumTokens: Int = 128) throws(EncoderError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(url.path, error.localizedDescription)
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }, maximumTokens: maximumTokens, path: url.path)
    }

    public init(tokens: [String], maximumTokens: Int = 128, path: String = "vocabulary") throws(EncoderError) {
        var vocabulary: [String: Int32] = [:]
        for (id, token) in tokens.enumerated() where vocabulary[token] == nil { vocabulary[token] = Int32(id) }
        guard let unknown = vocabulary["[UNK]"], let cls = vocabulary["[CLS]"], let sep = vocabulary["[SEP]"] else {
            throw .malformed(path, "no [UNK], [CLS] or [SEP] token")
        }
        self.vocabulary = vocabulary
        self.unknown = unknown
        self.classification = cls
        self.separator = sep
        self.maximumTokens = max(maximumTokens, 2)
    }

    /// `[CLS]`, the word pieces (cut to fit `limit`, at most `maximumTokens`), `[SEP]`.
    public func ids(_ text: String, limit: Int? = nil) -> [Int32] {
        var ids: [Int32] = [classification]
        let room = min(maximumTokens, max(limit ?? maximumTokens, 2)) - 2
        // Word by word, stopping once the sentence is full: a 40,000-character message costs no more
        // than its first 126 pieces (and the normalisation, which is linear).
        segments: for segment in specialSegments(text) {
            switch segment {
            case .special(let id):
                guard ids.count - 1 < room else { break segments }
                ids.append(id)
            case .text(let text):
                for word in Self.words(text) {
                    for piece in pieces(word) {
                        guard ids.count - 1 < room else { break segments }
                        ids.append(piece)
                    }
                }
            }
        }
        ids.append(separator)
        return ids
    }

    enum Segment {
        case text(Substring)
        case special(Int32)
    }

    /// The special tokens ([CLS], [SEP], [UNK], [PAD], [MASK]) typed verbatim in the text stand for
    /// themselves, as in the reference (they are matched before normalisation, case-sensitively).
    func specialSegments(_ text: String) -> [Segment] {
        guard text.contains("[") else { return [.text(Substring(text))] }
        var segments: [Segment] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            let tail = rest[open...]
            guard let name = Self.specialTokens.first(where: { tail.hasPrefix($0) }), let id = vocabulary[name] else {
                segments.append(.text(rest[...open]))
                rest = rest[rest.index(after: open)...]
                continue
            }
            segments.append(.text(rest[..<open]))
            segments.append(.special(id))
            rest = tail.dropFirst(name.count)
        }
        segments.append(.text(rest))
        return segments
    }

    static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Normalised words and punctuation marks, as BertNormalizer and BertPreTokenizer split them.
    static func words(_ text: Substring) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        func flush() {
            if !current.isEmpty { words.append(current) }
            current.removeAll(keepingCapacity: true)
        }
        for scalar in normalized(text) {
            if isWhitespace(scalar) {
                flush()
            } else if isPunctuation(scalar) {
                flush()
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// Control characters dropped, whitespace made plain, CJK ideographs spaced apart, accents
    /// stripped (canonical decomposition without non-spacing marks) and lower case.
    static func normalized(_ text: Substring) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChineseCharacter(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(cleaned.count)
        for scalar in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            // Scalar by scalar, without context, as the reference does (no final-sigma rule).
            result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return result
    }

    /// Greedy longest-match-first split into vocabulary pieces; `[UNK]` for a word that cannot be split.
    func pieces(_ word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= Self.maximumWordLength else { return [unknown] }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknown] }
            pieces.append(found)
            start = end
        }
        return pieces
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        // As the reference tokenizer (Hugging Face's, in Rust) has them: its extension-E range starts
        // at U+2B920, not U+2B820 as in Python BERT; checked against it.
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}
