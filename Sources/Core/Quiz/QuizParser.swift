import Foundation
import Yams

/// Parses a quiz file (`quiz.yaml`, or any `.yaml` file under `Intents/`):
///
/// ```yaml
/// questions:
///   - id: taxi-receipt
///     nugget: expenses-taxi-rideshare
///     kind: single              # single | multiple | true-false
///     question: What do you need to claim a taxi?
///     choices: [The receipt, A photo of the car, Nothing]
///     answer: A                 # a letter; [A, C] for multiple; true or false for true-false
///     explanation: Spendly needs the receipt for every ground-transport expense.
/// ```
///
/// Like `NuggetParser`, it never throws: each problem becomes a diagnostic on its line. Whether the
/// nugget exists and whether ids repeat across files is checked by `ContentLinter`.
public enum QuizParser {
    static let knownKeys: Set<String> = ["id", "nugget", "kind", "question", "choices", "answer", "explanation"]
    static let maximumChoices = 8

    public struct Parsed: Sendable {
        public var path: String
        public var questions: [(question: QuizQuestion, line: Int, nuggetLine: Int)] = []
        public var diagnostics: [Diagnostic] = []

        mutating func error(_ line: Int, _ message: String) {
            diagnostics.append(Diagnostic(path: path, line: line, message: message))
        }
    }

    public static func parse(_ file: SourceFile) -> Parsed {
        var result = Parsed(path: file.path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: file.text)
        } catch let error as YamlError {
            result.error(NuggetParser.yamlLine(error), "YAML error: \(NuggetParser.yamlProblem(error))")
            return result
        } catch {
            result.error(1, "YAML error: \(error)")
            return result
        }
        guard let mapping = root?.mapping, let list = mapping.first(where: { $0.key.string == "questions" })?.value else {
            result.error(1, "a quiz file is a mapping with one key, 'questions:', holding a list of questions")
            return result
        }
        for (key, _) in mapping where key.string != "questions" {
            result.error(line(key), "unknown key '\(key.string ?? "?")' (a quiz file has only 'questions:')")
        }
        guard let sequence = list.sequence else {
            result.error(line(list), "'questions' must be a list ('- id: …' entries)")
            return result
        }
        for item in sequence {
            if let question = parseQuestion(item, into: &result) { result.questions.append(question) }
        }
        return result
    }

    private static func parseQuestion(_ node: Node, into result: inout Parsed) -> (question: QuizQuestion, line: Int, nuggetLine: Int)? {
        let start = line(node)
        guard let mapping = node.mapping else {
            result.error(start, "each question must be a mapping (id:, nugget:, kind:, question:, choices:, answer:, explanation:)")
            return nil
        }
        let before = result.diagnostics.count
        for (key, _) in mapping {
            guard let name = key.string, !knownKeys.contains(name) else { continue }
            let hint = knownKeys.sorted().first(where: { Self.similar($0, name) })
            result.error(line(key), "unknown key '\(name)'" + (hint.map { " (did you mean '\($0)'?)" } ?? ""))
        }
        func value(_ key: String) -> Node? { mapping.first { $0.key.string == key }?.value }
        func text(_ key: String) -> String? {
            guard let node = value(key) else {
                result.error(start, "missing required key '\(key)'")
                return nil
            }
            guard let scalar = node.scalar, !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                result.error(line(node), "'\(key)' must be non-empty text")
                return nil
            }
            return scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let id = text("id")
        if let id, !Self.isIdentifier(id) {
            result.error(line(value("id")!), "id '\(id)' must use lowercase letters, digits and dashes only")
        }
        let nugget = text("nugget")
        let prompt = text("question")
        let explanation = text("explanation")
        var kind: QuizQuestion.Kind?
        if let name = text("kind") {
            kind = QuizQuestion.Kind(rawValue: name)
            if kind == nil {
                result.error(line(value("kind")!), "kind '\(name)' is not one of single, multiple, true-false")
            }
        }

        var choices: [String] = []
        if kind == .trueFalse {
            if let node = value("choices") {
                result.error(line(node), "a true-false question has no 'choices' (they are True and False)")
            }
            choices = ["True", "False"]
        } else if let node = value("choices") {
            if let sequence = node.sequence {
                var seen: [String: Int] = [:]
                for item in sequence {
                    guard let scalar = item.scalar, !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty else {
                        result.error(line(item), "each choice must be non-empty text")
                        continue
                    }
                    let choice = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
                    let key = Tokenizer.tokens(choice).joined(separator: " ")
                    if let first = seen[key] {
                        result.error(line(item), "choice \"\(choice)\" repeats choice \(QuizQuestion.letter(first)); choices must be distinct")
                    }
                    seen[key] = seen[key] ?? choices.count
                    choices.append(choice)
                }
                if !(2...maximumChoices).contains(choices.count) {
                    result.error(line(node), "a question needs 2 to \(maximumChoices) choices, this one has \(choices.count)")
                }
            } else {
                result.error(line(node), "'choices' must be a list")
            }
        } else if kind != nil {
            result.error(start, "missing required key 'choices'")
        }

        var answers: [Int] = []
        if let node = value("answer") {
            answers = parseAnswer(node, kind: kind, choices: choices.count, into: &result)
        } else {
            result.error(start, "missing required key 'answer'")
        }

        guard result.diagnostics.count == before, let id, let nugget, let prompt, let explanation, let kind else { return nil }
        let question = QuizQuestion(
            id: id, nuggetID: nugget, kind: kind, prompt: prompt, choices: choices, answers: answers, explanation: explanation,
            source: result.path)
        return (question, start, value("nugget").map(line) ?? start)
    }

    private static func parseAnswer(_ node: Node, kind: QuizQuestion.Kind?, choices: Int, into result: inout Parsed) -> [Int] {
        let at = line(node)
        if kind == .trueFalse {
            switch node.scalar?.string.lowercased() {
            case "true", "yes": return [0]
            case "false", "no": return [1]
            default:
                result.error(at, "the answer of a true-false question is true or false")
                return []
            }
        }
        let letters: [Node] = node.sequence.map(Array.init) ?? [node]
        var answers: [Int] = []
        for letterNode in letters {
            let letter = letterNode.scalar?.string.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
            guard letter.count == 1, let ascii = letter.first?.asciiValue, (65...90).contains(ascii) else {
                result.error(line(letterNode), "an answer is a choice letter (A, B, …), not '\(letterNode.scalar?.string ?? "…")'")
                continue
            }
            let index = Int(ascii - 65)
            guard index < choices else {
                result.error(line(letterNode), "answer \(letter) is out of range: there are \(choices) choices (A–\(QuizQuestion.letter(max(0, choices - 1))))")
                continue
            }
            if answers.contains(index) {
                result.error(line(letterNode), "answer \(letter) is given twice")
            }
            answers.append(index)
        }
        if answers.isEmpty, letters.isEmpty {
            result.error(at, "the answer is empty")
        }
        if kind == .single, letters.count > 1 {
            result.error(at, "a single-choice question has exactly one answer; use kind: multiple for several")
        }
        if kind == .multiple, !answers.isEmpty, answers.count == choices {
            result.error(at, "every choice is right: a multiple-choice question needs at least one wrong choice")
        }
        return answers
    }

    /// Whether an unknown key looks like a typo of a known one (shares its first four letters).
    static func similar(_ known: String, _ typed: String) -> Bool {
        known.hasPrefix(typed) || typed.hasPrefix(known) || (typed.count >= 4 && known.prefix(4) == typed.prefix(4))
    }

    /// A Matrix-style localpart: lowercase letters, digits, `-`, `_`, `.`.
    public static func isIdentifierLike(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("-") && !text.hasSuffix("-")
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }
}
