import Foundation
import Yams

/// Reads typed fields out of a front-matter mapping, recording a diagnostic for each bad one.
struct FieldReader {
    let mapping: Node.Mapping
    let lineOffset: Int
    var result: ParsedNugget

    init(mapping: Node.Mapping, lineOffset: Int, result: ParsedNugget) {
        self.mapping = mapping
        self.lineOffset = lineOffset
        self.result = result
        for (key, _) in mapping {
            if let name = key.string { self.result.keyLines[name] = line(of: key) }
        }
    }

    func line(of node: Node) -> Int { (node.mark?.line ?? 1) + lineOffset }

    var mappingLine: Int { (mapping.mark?.line ?? 1) + lineOffset }

    mutating func checkKeys() {
        for (key, _) in mapping {
            guard let name = key.string else { continue }
            if !NuggetParser.knownKeys.contains(name) {
                let hint = NuggetParser.knownKeys.first { $0.hasPrefix(name) || name.hasPrefix($0) }
                result.error(line: line(of: key), "unknown key '\(name)'" + (hint.map { " (did you mean '\($0)'?)" } ?? ""))
            }
        }
        for name in NuggetParser.requiredKeys where result.keyLines[name] == nil {
            result.error(line: mappingLine, "missing required key '\(name)'")
        }
    }

    mutating func nugget(body: String) -> Nugget {
        let id = text("id") ?? ""
        if !id.isEmpty {
            result.id = id
            let allowed = id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            if !allowed || id.hasPrefix("-") || id.hasSuffix("-") {
                result.error(line: result.keyLines["id"] ?? 1, "id '\(id)' must use lowercase letters, digits and dashes only")
            }
        }
        let reviewed = text("reviewed") ?? ""
        if !reviewed.isEmpty, !Self.isDate(reviewed) {
            result.error(line: result.keyLines["reviewed"] ?? 1, "reviewed '\(reviewed)' is not a date of the form YYYY-MM-DD")
        }
        let questions = list("questions", minimum: 1)
        result.questions = questions
        return Nugget(
            id: id,
            title: text("title") ?? "",
            topic: text("topic") ?? "",
            keywords: list("keywords", minimum: 1).map(\.text),
            questions: questions.map(\.text),
            owner: text("owner") ?? "",
            reviewed: reviewed,
            links: links(),
            body: body
        )
    }

    private func node(_ key: String) -> Node? {
        mapping.first { $0.key.string == key }?.value
    }

    /// A non-empty scalar; dates and numbers are taken as written.
    private mutating func text(_ key: String) -> String? {
        guard let value = node(key) else { return nil }
        guard let scalar = value.scalar else {
            result.error(line: line(of: value), "'\(key)' must be a single value, not a list or mapping")
            return nil
        }
        let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            result.error(line: line(of: value), "'\(key)' is empty")
            return nil
        }
        return trimmed
    }

    private mutating func list(_ key: String, minimum: Int) -> [(text: String, line: Int)] {
        guard let value = node(key) else { return [] }
        guard let sequence = value.sequence else {
            result.error(line: line(of: value), "'\(key)' must be a list (one '- item' per line)")
            return []
        }
        var items: [(text: String, line: Int)] = []
        for item in sequence {
            guard let scalar = item.scalar else {
                result.error(line: line(of: item), "each entry of '\(key)' must be plain text")
                continue
            }
            let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                result.error(line: line(of: item), "empty entry in '\(key)'")
            } else {
                items.append((trimmed, line(of: item)))
            }
        }
        if items.count < minimum {
            result.error(line: line(of: value), "'\(key)' needs at least \(minimum) entr\(minimum == 1 ? "y" : "ies")")
        }
        return items
    }

    /// Links are either a URL or a mapping `{title:, url:}`.
    private mutating func links() -> [NuggetLink] {
        guard let value = node("links") else { return [] }
        guard let sequence = value.sequence else {
            result.error(line: line(of: value), "'links' must be a list")
            return []
        }
        var links: [NuggetLink] = []
        for item in sequence {
            var title: String?
            var url: String?
            if let scalar = item.scalar {
                url = scalar.string
            } else if let map = item.mapping {
                title = map.first { $0.key.string == "title" }?.value.string
                url = map.first { $0.key.string == "url" }?.value.string
            }
            guard let url, url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" ") else {
                result.error(line: line(of: item), "each link needs an http(s) URL, as '- https://…' or '- {title: …, url: https://…}'")
                continue
            }
            links.append(NuggetLink(title: title ?? url, url: url))
        }
        return links
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let month = Int(parts[1]), let day = Int(parts[2]), Int(parts[0]) != nil
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
