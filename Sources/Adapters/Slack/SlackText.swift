import FlowLearnCore
import Synchronization

/// Slack's text conventions: control characters to escape, mentions to strip, Markdown to mrkdwn.
public enum SlackText {
    /// Nugget bodies converted so far: the same few hundred bodies are sent again and again, and
    /// converting one takes longer than the rest of the reply. Bounded: emptied when full.
    private static let converted = Mutex<[String: String]>([:])
    static let convertedLimit = 2_048

    /// `mrkdwn(fromMarkdown:)`, remembered for texts that come back (nugget bodies and summaries).
    public static func rememberedMrkdwn(fromMarkdown markdown: String) -> String {
        if let known = converted.withLock({ $0[markdown] }) { return known }
        let fresh = mrkdwn(fromMarkdown: markdown)
        converted.withLock { table in
            if table.count >= convertedLimit { table.removeAll(keepingCapacity: true) }
            table[markdown] = fresh
        }
        return fresh
    }

    /// Escapes `&`, `<` and `>` so user text cannot become a link or a `<!channel>` ping.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Removes user and special mentions (`<@U123>`, `<!here>`) and tidies spaces; keeps other text.
    public static func removingMentions(_ text: String) -> String {
        // Most messages have no mention, tab or double space: only their ends need trimming.
        var plain = true
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "\t") || (byte == UInt8(ascii: " ") && previous == byte) {
                plain = false
                break
            }
            previous = byte
        }
        return plain ? text.trimmedWhitespace : removingMentionsByRule(text)
    }

    /// The general rule: mentions out, runs of spaces and tabs to one space, ends trimmed.
    static func removingMentionsByRule(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let first = after.first, first == "@" || first == "!", let close = after.firstIndex(of: ">") {
                rest = after[after.index(after: close)...]
            } else {
                out += "<"
                rest = after
            }
        }
        out += rest
        return out.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ").trimmedWhitespace
    }

    /// Converts the Markdown authors write to Slack's mrkdwn, escaping first: `**b**` → `*b*`,
    /// `[t](url)` → `<url|t>`, `# Heading` → `*Heading*`, `- item` → `• item`.
    public static func mrkdwn(fromMarkdown markdown: String) -> String {
        markdown.split(separator: "\n", omittingEmptySubsequences: false).map { rawLine -> String in
            var line = escape(String(rawLine))
            let trimmed = line.drop { $0 == " " }
            let indent = String(repeating: " ", count: line.count - trimmed.count)
            if let heading = trimmed.firstIndex(where: { $0 != "#" }), heading != trimmed.startIndex,
                trimmed[heading] == " "
            {
                line = indent + "*" + trimmed[trimmed.index(after: heading)...].trimmingCharacters(in: .whitespaces) + "*"
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                line = indent + "• " + trimmed.dropFirst(2)
            }
            return links(in: line.replacingOccurrences(of: "**", with: "*").replacingOccurrences(of: "__", with: "_"))
        }.joined(separator: "\n")
    }

    /// `[text](https://…)` → `<https://…|text>`; anything else is left alone.
    static func links(in line: String) -> String {
        var out = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "[") {
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: "]"),
                afterOpen[afterOpen.index(after: close)...].hasPrefix("("),
                let end = afterOpen[afterOpen.index(after: close)...].firstIndex(of: ")")
            else { break }
            let label = afterOpen[..<close]
            let url = afterOpen[afterOpen.index(close, offsetBy: 2)..<end]
            out += rest[..<open]
            if url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("mailto:") {
                out += "<\(url)|\(label)>"
            } else {
                out += rest[open...end]
            }
            rest = afterOpen[afterOpen.index(after: end)...]
        }
        return out + rest
    }
}
