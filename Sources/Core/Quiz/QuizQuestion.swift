/// One quiz question, written beside the nuggets it tests (a `quiz.yaml` file in `Intents/`).
public struct QuizQuestion: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// One right choice.
        case single
        /// One or more right choices; the answer must pick exactly those.
        case multiple
        /// A statement that is true or false.
        case trueFalse = "true-false"
    }

    /// Stable id (lowercase letters, digits, dashes): each person's review card is keyed by it.
    public var id: String
    /// The nugget the question tests, and its topic.
    public var nuggetID: String
    public var topic: String
    public var kind: Kind
    public var prompt: String
    /// The choices in order; `True`/`False` for true-false questions.
    public var choices: [String]
    /// Indices of the right choices, ascending.
    public var answers: [Int]
    /// Why the answer is right, shown after answering.
    public var explanation: String
    public var source: String?

    public init(
        id: String, nuggetID: String, topic: String = "", kind: Kind, prompt: String, choices: [String], answers: [Int],
        explanation: String, source: String? = nil
    ) {
        self.id = id
        self.nuggetID = nuggetID
        self.topic = topic
        self.kind = kind
        self.prompt = prompt
        self.choices = choices
        self.answers = answers.sorted()
        self.explanation = explanation
        self.source = source
    }

    /// Whether a set of picked choices is exactly the right answer.
    public func isCorrect(_ picks: Set<Int>) -> Bool {
        picks == Set(answers)
    }

    /// The letter of a choice: A, B, C, …
    public static func letter(_ index: Int) -> String {
        String(UnicodeScalar(UInt8(65 + index)))
    }

    /// Choice indices from letters or numbers typed in chat ("b", "A C", "a,c", "2", "1 3"); nil when
    /// anything is not a letter or number of this question's choices.
    public func picks(fromLetters text: String) -> Set<Int>? {
        var cleaned = text.uppercased().filter { !" ,;/&.)".contains($0) }
        let digits = cleaned.compactMap { character -> UInt8? in
            // ASCII digits only: a keycap "1️⃣" is one Character that sorts between "1" and "9" but is no digit.
            guard let ascii = character.asciiValue, (49...57).contains(ascii) else { return nil }
            return ascii
        }
        if !cleaned.isEmpty, digits.count == cleaned.count {
            // Numbered choices: 1 → A, 2 → B, …
            cleaned = String(digits.map { Character(UnicodeScalar(UInt8(64) + $0 - 48)) })
        }
        if kind == .trueFalse {
            switch cleaned {
            case "A", "T", "TRUE", "YES", "Y": return [0]
            case "B", "F", "FALSE", "NO", "N": return [1]
            default: return nil
            }
        }
        guard !cleaned.isEmpty else { return nil }
        var picks = Set<Int>()
        for character in cleaned {
            guard let ascii = character.asciiValue, ascii >= 65, Int(ascii - 65) < choices.count else { return nil }
            picks.insert(Int(ascii - 65))
        }
        if kind == .single, picks.count != 1 { return nil }
        return picks
    }

    /// The right choices as letters and text ("B: Keep the receipt").
    public var answerText: String {
        answers.map { "\(Self.letter($0)): \(choices[$0])" }.joined(separator: "; ")
    }
}
