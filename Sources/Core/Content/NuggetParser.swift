import Yams

/// Parses one nugget file: YAML front matter between `---` lines, then the Markdown body.
///
/// Parsing never throws: every problem becomes a `Diagnostic` with the line it is on, so an author sees
/// all of them at once. A nugget is returned only when the file has no errors.
public enum NuggetParser {
    /// Keys an author may use; anything else is reported, since a typo ("keyword:") silently loses data.
    static let knownKeys: Set<String> = ["id", "title", "topic", "keywords", "questions", "owner", "reviewed", "links"]
    static let requiredKeys = ["id", "title", "topic", "keywords", "questions", "owner", "reviewed"]

    public static func parse(_ file: SourceFile) -> ParsedNugget {
        var result = ParsedNugget(path: file.path)
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        guard lines.first?.trimmingTrailingSpaces() == "---" else {
            result.error(line: 1, "missing front matter: the file must start with a line '---'")
            return result
        }
        guard let end = lines.indices.dropFirst().first(where: { lines[$0].trimmingTrailingSpaces() == "---" }) else {
            result.error(line: 1, "front matter is not closed: add a line '---' after the last key")
            return result
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        result.bodyLine = end + 2

        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            result.error(line: 1 + yamlLine(error), "YAML error: \(yamlProblem(error))")
            return result
        } catch {
            result.error(line: 2, "YAML error: \(error)")
            return result
        }
        guard let mapping = root?.mapping else {
            result.error(line: 2, "front matter must be a YAML mapping of keys (id:, title:, …)")
            return result
        }
        var fields = FieldReader(mapping: mapping, lineOffset: 1, result: result)
        fields.checkKeys()
        let nugget = fields.nugget(body: body)
        result = fields.result
        if body.isEmpty {
            result.error(line: end + 1, "the nugget body is empty: write the answer below the closing '---'")
        }
        if result.diagnostics.allSatisfy({ $0.severity != .error }) {
            var complete = nugget
            complete.source = file.path
            result.nugget = complete
        }
        return result
    }

    static func yamlLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        case .duplicatedKeysInMapping(_, let context):
            return context.mark.line
        default:
            return 1
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicated key(s): \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}

/// What parsing one file produced: the nugget (when valid), the diagnostics, and the lines where
/// things stand, so cross-file checks (duplicate ids and questions) can point at the right line.
public struct ParsedNugget: Sendable {
    public var path: String
    public var nugget: Nugget?
    public var diagnostics: [Diagnostic] = []
    public var keyLines: [String: Int] = [:]
    /// Each example question with its line, also for files that have errors elsewhere.
    public var questions: [(text: String, line: Int)] = []
    public var id: String?
    public var bodyLine = 1

    init(path: String) {
        self.path = path
    }

    mutating func error(line: Int, _ message: String) {
        diagnostics.append(Diagnostic(path: path, line: line, severity: .error, message: message))
    }

    mutating func warning(line: Int, _ message: String) {
        diagnostics.append(Diagnostic(path: path, line: line, severity: .warning, message: message))
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " || copy.last == "\t" { copy.removeLast() }
        return copy
    }
}
