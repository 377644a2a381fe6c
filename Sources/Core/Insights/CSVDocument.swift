import Foundation

/// A table written as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
/// a comma, quote or line break) for the console's exports. A field that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe:
/// questions typed in chat end up here, and a CSV opened in a spreadsheet must not run them.
public struct CSVDocument: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public var text: String {
        ([header] + rows).map { $0.map(Self.field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
