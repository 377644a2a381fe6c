import Foundation

/// The text of one content file together with the path it was read from.
public struct SourceFile: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    static func isNugget(_ path: String) -> Bool { path.hasSuffix(".md") }
    static func isQuiz(_ path: String) -> Bool { path.hasSuffix(".yaml") || path.hasSuffix(".yml") }
    /// Questions no nugget should answer, one per line.
    static func isOutOfScope(_ path: String) -> Bool { (path as NSString).lastPathComponent == outOfScopeName }
    public static let outOfScopeName = "out-of-scope.txt"
}

/// Reads the content files of a directory: every nugget (`*.md`), quiz file (`*.yaml`, `*.yml`) and
/// list of out-of-scope questions (`out-of-scope.txt`) below it except `README.md` and files whose
/// name starts with `_` (drafts), in a stable order so ids and lint output are reproducible.
public enum ContentDirectory {
    public static func read(_ directory: String) throws(ContentError) -> [SourceFile] {
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ContentError.directoryMissing(directory)
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ContentError.directoryMissing(directory)
        }
        var paths: [String] = []
        for case let url as URL in walker {
            let name = url.lastPathComponent
            guard SourceFile.isNugget(name) || SourceFile.isQuiz(name) || SourceFile.isOutOfScope(name), name.lowercased() != "readme.md", !name.hasPrefix("_") else { continue }
            paths.append(url.path)
        }
        paths.sort()
        let base = root.standardizedFileURL.path
        return try paths.map { (path) throws(ContentError) in
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ContentError.unreadable(path)
            }
            let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
            let relative = standardized.hasPrefix(base + "/") ? String(standardized.dropFirst(base.count + 1)) : standardized
            return SourceFile(path: (directory as NSString).appendingPathComponent(relative), text: text)
        }
    }
}

/// Why content could not be loaded at all.
public enum ContentError: Error, Equatable, CustomStringConvertible {
    case directoryMissing(String)
    case unreadable(String)
    case invalid([Diagnostic])

    public var description: String {
        switch self {
        case .directoryMissing(let path): return "content directory '\(path)' does not exist"
        case .unreadable(let path): return "\(path): cannot be read as UTF-8 text"
        case .invalid(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            let shown = errors.prefix(5).map(\.description).joined(separator: "\n")
            let more = errors.count > 5 ? "\n… and \(errors.count - 5) more (run `flowlearn lint`)" : ""
            return "content has \(errors.count) error(s):\n\(shown)\(more)"
        }
    }
}
