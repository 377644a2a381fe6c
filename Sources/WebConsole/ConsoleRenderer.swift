import Foundation
import Mustache

/// Renders console pages: a page template into the layout, with the signed-in user's navigation.
public struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The pages in the navigation, in order.
    static let pages: [(path: String, label: String)] = [
        ("/console/gaps", "Gaps"), ("/console/nuggets", "Nuggets"), ("/console/quizzes", "Quizzes"), ("/console/people", "People"),
        ("/console/try", "Try it"),
    ]

    /// A full HTML page. `session` is nil on the sign-in page (no navigation).
    public func page(
        _ template: String, title: String, context: [String: Any], session: ConsoleSession?, current: String = "", notice: String? = nil
    ) -> String {
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body]
        if let notice { layout["notice"] = notice }
        if let session, !session.user.isEmpty {
            layout["user"] = session.user
            layout["csrf"] = session.csrf
            layout["nav"] = Self.pages.map { ["href": $0.path, "label": $0.label, "current": $0.path == current] as [String: Any] }
        }
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    /// The period links ("last 7 / 30 / 90 / 365 days") for a page, keeping its other parameters.
    static func periods(path: String, days: Int, keep: [(String, String)] = []) -> [[String: Any]] {
        [7, 30, 90, 365].map { choice in
            ["href": link(path, [("days", "\(choice)")] + keep), "label": "\(choice) days", "current": choice == days]
        }
    }

    static func link(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return path + "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return "\(Int((value * 100).rounded())) %"
    }

    static func decimal(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "–"
    }
}
