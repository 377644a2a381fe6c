import Foundation

/// The id of the inbound request being handled, for every log line it causes (the poster's included)
/// and the reply it keeps: set by the server for the request's task, carried with a kept reply.
public enum RequestID {
    @TaskLocal public static var current: String?

    /// A new id: 16 hex digits.
    public static func make() -> String {
        String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
    }

    /// An id a proxy sent (`X-Request-ID`), when it is a short token; nil otherwise (then one is made).
    public static func accepted(_ header: String?) -> String? {
        guard let header, (1...64).contains(header.utf8.count),
            header.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return header
    }
}
