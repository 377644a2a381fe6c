import FlowLearnCore

/// Renders a core `Reply` as plain terminal text: what `flowlearn chat` prints, word for word the
/// content a chat user would see, without the platform's markup.
public enum ConsoleRenderer {
    public static func render(_ reply: Reply) -> String {
        switch reply {
        case .nugget(let nugget, _):
            var out = "\(nugget.title)\n\n\(plain(nugget.body))"
            if !nugget.links.isEmpty {
                out += "\n\n\(ReplyWording.moreLead) " + nugget.links.map { "\($0.title) <\($0.url)>" }.joined(separator: " · ")
            }
            return out
        case .choice(let nuggets, _):
            return (["\(ReplyWording.choiceLead) \(ReplyWording.alternatives(nuggets.map(\.title)))?"]
                + nuggets.map { "• \($0.title): \(plain($0.summary))" }
                + ["Ask again with a few more words and I'll give you the whole nugget."]).joined(separator: "\n")
        case .unknown:
            return "\(ReplyWording.unknownLead) \(ReplyWording.unknownFollow)"
        case .help(let command):
            return ReplyWording.helpLines(command: command).joined(separator: "\n").replacingOccurrences(of: "`", with: "")
        }
    }

    /// Markdown emphasis markers and link syntax removed: `[t](u)` → `t <u>`.
    static func plain(_ markdown: String) -> String {
        var text = markdown.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
        while let open = text.range(of: "]("), let start = text[..<open.lowerBound].lastIndex(of: "["),
            let end = text[open.upperBound...].firstIndex(of: ")")
        {
            let label = text[text.index(after: start)..<open.lowerBound]
            let url = text[open.upperBound..<end]
            text.replaceSubrange(start...end, with: "\(label) <\(url)>")
        }
        return text
    }
}
