import Foundation

/// Reads intent data in the `text,label` CSV shape (RFC 4180 quoting), as used for evaluation.
public enum LabelledCSV {
    public struct Row: Sendable, Hashable {
        public var text: String
        public var label: String

        public init(text: String, label: String) {
            self.text = text
            self.label = label
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingHeader(String)
        case badRow(line: Int)

        public var description: String {
            switch self {
            case .missingHeader(let found): return "expected a header 'text,label', found '\(found)'"
            case .badRow(let line): return "line \(line): expected two fields, text and label"
            }
        }
    }

    public static func parse(_ content: String) throws(Failure) -> [Row] {
        // A byte-order mark (spreadsheet exports) and spaces around the header's names are tolerated.
        let records = Self.records(content.hasPrefix("\u{FEFF}") ? String(content.dropFirst()) : content)
        let trim = { (field: String) in field.trimmingCharacters(in: .whitespaces) }
        guard let header = records.first, header.fields.map({ trim($0).lowercased() }) == ["text", "label"] else {
            throw .missingHeader(records.first?.fields.joined(separator: ",") ?? "")
        }
        var rows: [Row] = []
        for record in records.dropFirst() {
            if record.fields == [""] { continue }
            guard record.fields.count == 2 else { throw .badRow(line: record.line) }
            // "a" and "a " are one label.
            rows.append(Row(text: record.fields[0], label: trim(record.fields[1])))
        }
        return rows
    }

    /// Splits into records of fields, honouring quotes (which may hold commas, quotes and newlines).
    static func records(_ content: String) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var iterator = content.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            default: field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}
