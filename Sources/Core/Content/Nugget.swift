import Foundation

/// One learning nugget: a short answer written by a learning team, with the phrasings people use to ask for it.
///
/// Nuggets are plain values; they come from Markdown files under `Intents/` (see `NuggetParser`) or, in
/// evaluation, from labelled CSV rows. Nothing here knows where a nugget will be shown.
public struct Nugget: Sendable, Hashable, Codable {
    /// Stable identifier (lowercase letters, digits and dashes); used in logs and links.
    public var id: String
    public var title: String
    public var topic: String
    public var keywords: [String]
    /// Example phrasings people really use; the strongest matching signal.
    public var questions: [String]
    public var owner: String
    /// Date of the last content review, `YYYY-MM-DD`.
    public var reviewed: String
    public var links: [NuggetLink]
    /// The nugget itself, in Markdown.
    public var body: String
    /// Where the nugget came from (a file path), for lint messages and logs.
    public var source: String?

    public init(
        id: String, title: String, topic: String = "", keywords: [String] = [], questions: [String] = [],
        owner: String = "", reviewed: String = "", links: [NuggetLink] = [], body: String = "", source: String? = nil
    ) {
        self.id = id
        self.title = title
        self.topic = topic
        self.keywords = keywords
        self.questions = questions
        self.owner = owner
        self.reviewed = reviewed
        self.links = links
        self.body = body
        self.source = source
    }
}

/// A "read more" link shown under a nugget.
public struct NuggetLink: Sendable, Hashable, Codable {
    public var title: String
    public var url: String

    public init(title: String, url: String) {
        self.title = title
        self.url = url
    }
}

extension Nugget {
    /// The body's first paragraph, at most 200 characters: enough to tell two nuggets apart.
    public var summary: String {
        let paragraph = body.components(separatedBy: "\n\n").first ?? body
        return paragraph.count > 200 ? String(paragraph.prefix(197)) + "…" : paragraph
    }
}
