import Foundation

/// Decides whether a `response_url` from a request may be called: only https on a configured host
/// (plain http is allowed for loopback hosts, which tests use). Anything else is never requested,
/// so a forged payload cannot make the bot post to an arbitrary server.
public struct SlackResponseURLPolicy: Sendable {
    public let allowedHosts: Set<String>

    public init(allowedHosts: [String]) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    public func allows(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty, components.user == nil, components.password == nil
        else { return false }
        guard allowedHosts.contains(host) else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && Self.isLoopback(host)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
