/// Checks a whole content set: each file on its own, then what only shows across files
/// (duplicate ids, the same example question under two nuggets).
public enum ContentLinter {
    public struct Report: Sendable {
        public var nuggets: [Nugget]
        public var diagnostics: [Diagnostic]
        public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    }

    public static func lint(_ files: [SourceFile]) -> Report {
        let parsed = files.map(NuggetParser.parse)
        var diagnostics = parsed.flatMap(\.diagnostics)

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
        diagnostics.sort { ($0.path, $0.line) < ($1.path, $1.line) }
        let valid = diagnostics.contains { $0.severity == .error } ? [] : parsed.compactMap(\.nugget)
        return Report(nuggets: valid, diagnostics: diagnostics)
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
