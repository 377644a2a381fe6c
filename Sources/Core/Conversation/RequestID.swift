import Foundation

/// The id of the inbound request being handled, for every log line it causes (the poster's included)
/// and the reply it keeps: set by the server for the request's task, carried with a kept reply.
public enum RequestID {
    @TaskLocal public static var current: String?

    /// A new id: 16 hex digits.
    public static func make() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 16)
        for position in 0..<16 { text[position] = digits[Int((value >> (60 - 4 * UInt64(position))) & 0xF)] }
        return String(decoding: text, as: UTF8.self)
    }

    /// An id a proxy sent (`X-Request-ID`), when it is a short token; nil otherwise (then one is made).
    public static func accepted(_ header: String?) -> String? {
        guard let header, (1...64).contains(header.utf8.count),
            header.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return header
    }
}
