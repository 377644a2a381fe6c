import Foundation

/// A loaded content set: the nuggets, the quiz questions that test them, and example questions that
/// no nugget should answer.
public struct ContentPack: Sendable {
    public var nuggets: [Nugget]
    public var questions: [QuizQuestion]
    public var outOfScope: [String]

    public init(nuggets: [Nugget], questions: [QuizQuestion] = [], outOfScope: [String] = []) {
        self.nuggets = nuggets
        self.questions = questions
        self.outOfScope = outOfScope
    }
}

/// Checks a whole content set: each file on its own, then what only shows across files
/// (duplicate ids, the same example question under two nuggets, quiz questions whose nugget is missing).
public enum ContentLinter {
    public struct Report: Sendable {
        public var nuggets: [Nugget]
        public var questions: [QuizQuestion] = []
        public var outOfScope: [String] = []
        public var diagnostics: [Diagnostic]
        public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    }

    /// Lints the files; with `stale`, a nugget reviewed longer ago than its policy allows gets a
    /// warning (not an error: it still serves).
    public static func lint(_ files: [SourceFile], stale: StalePolicy? = nil) -> Report {
        let parsed = files.filter { SourceFile.isNugget($0.path) }.map(NuggetParser.parse)
        let quizzes = files.filter { SourceFile.isQuiz($0.path) }.map(QuizParser.parse)
        var diagnostics = parsed.flatMap(\.diagnostics) + quizzes.flatMap(\.diagnostics)
        if let stale {
            for file in parsed {
                guard let nugget = file.nugget, stale.isStale(nugget.reviewed), let age = stale.age(of: nugget.reviewed) else { continue }
                diagnostics.append(Diagnostic(
                    path: file.path, line: file.keyLines["reviewed"] ?? 1, severity: .warning,
                    message: "reviewed \(nugget.reviewed), \(age) days ago (content.staleAfterDays is \(stale.afterDays)): "
                        + "\(nugget.owner.isEmpty ? "its owner" : nugget.owner) should check it and update 'reviewed'"))
            }
        }

        var firstID: [String: ParsedNugget] = [:]
        for file in parsed {
            guard let id = file.id else { continue }
            if let first = firstID[id] {
                diagnostics.append(Diagnostic(
                    path: file.path, line: file.keyLines["id"] ?? 1,
                    message: "duplicate id '\(id)' (also used in \(first.path):\(first.keyLines["id"] ?? 1))"))
            } else {
                firstID[id] = file
            }
        }

        var firstQuestion: [String: (path: String, line: Int, id: String?)] = [:]
        for file in parsed {
            for question in file.questions {
                let key = normalizedQuestion(question.text)
                if let first = firstQuestion[key] {
                    let place = first.path == file.path ? "line \(first.line)" : "\(first.path):\(first.line)"
                    diagnostics.append(Diagnostic(
                        path: file.path, line: question.line,
                        message: "question \"\(question.text)\" is duplicated (also at \(place)); each phrasing must lead to one nugget"))
                } else {
                    firstQuestion[key] = (file.path, question.line, file.id)
                }
            }
        }
        let topics = Dictionary(parsed.compactMap { file in file.nugget.map { ($0.id, $0.topic) } }, uniquingKeysWith: { first, _ in first })
        var questions: [QuizQuestion] = []
        var firstQuizID: [String: (path: String, line: Int)] = [:]
        for quiz in quizzes {
            for (question, line, nuggetLine) in quiz.questions {
                if let first = firstQuizID[question.id] {
                    diagnostics.append(Diagnostic(
                        path: quiz.path, line: line,
                        message: "duplicate quiz question id '\(question.id)' (also used in \(first.path):\(first.line))"))
                    continue
                }
                firstQuizID[question.id] = (quiz.path, line)
                guard let topic = topics[question.nuggetID] else {
                    let known = firstID.keys.contains(question.nuggetID)
                    diagnostics.append(Diagnostic(
                        path: quiz.path, line: nuggetLine,
                        message: known
                            ? "nugget '\(question.nuggetID)' has errors, so question '\(question.id)' cannot refer to it yet"
                            : "question '\(question.id)' refers to nugget '\(question.nuggetID)', which does not exist"))
                    continue
                }
                var complete = question
                complete.topic = topic
                questions.append(complete)
            }
        }
        var outOfScope: [String] = []
        for file in files where SourceFile.isOutOfScope(file.path) {
            for (offset, raw) in file.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
                let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty, !text.hasPrefix("#") else { continue }
                let line = offset + 1
                let key = normalizedQuestion(text)
                guard !key.isEmpty else {
                    diagnostics.append(Diagnostic(path: file.path, line: line, message: "\"\(text)\" has no words to match"))
                    continue
                }
                if let first = firstQuestion[key] {
                    let place = first.path == file.path ? "line \(first.line)" : "\(first.path):\(first.line)"
                    let owner = first.id.map { "an example question of nugget '\($0)'" } ?? "listed already"
                    diagnostics.append(Diagnostic(
                        path: file.path, line: line,
                        message: "question \"\(text)\" is out of scope here but \(owner) (\(place)); keep it in one place"))
                    continue
                }
                firstQuestion[key] = (file.path, line, nil)
                outOfScope.append(text)
            }
        }
        diagnostics.sort { ($0.path, $0.line) < ($1.path, $1.line) }
        let failed = diagnostics.contains { $0.severity == .error }
        return Report(
            nuggets: failed ? [] : parsed.compactMap(\.nugget), questions: failed ? [] : questions, outOfScope: failed ? [] : outOfScope,
            diagnostics: diagnostics)
    }

    /// Loads nuggets and quiz questions for serving, or an error listing what lint found.
    public static func loadPack(_ files: [SourceFile]) throws(ContentError) -> ContentPack {
        let report = lint(files)
        guard report.errorCount == 0 else { throw ContentError.invalid(report.diagnostics) }
        return ContentPack(nuggets: report.nuggets, questions: report.questions, outOfScope: report.outOfScope)
    }

    /// Loads a content set for serving: every nugget, or an error listing what lint found.
    public static func load(_ files: [SourceFile]) throws(ContentError) -> [Nugget] {
        let report = lint(files)
        guard report.errorCount == 0 else { throw ContentError.invalid(report.diagnostics) }
        return report.nuggets
    }

    /// Case, accents, punctuation and spacing do not make two questions different.
    static func normalizedQuestion(_ text: String) -> String {
        Tokenizer.tokens(text).joined(separator: " ")
    }
}
