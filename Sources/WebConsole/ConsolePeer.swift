import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Who is on the other end of a console request: the TCP peer, or, when the peer is one of the
/// configured reverse proxies (`console.trustedProxies`), the client it names in `X-Forwarded-For`
/// and the host it names in `X-Forwarded-Host`. The sign-in limit counts failures per client, and
/// the CSRF check compares a form's `Origin` with the host the browser used.
struct ConsolePeer: Sendable {
    /// The client's address as the sign-in limit keys it: IPv4 whole, IPv6 by its /64 (one
    /// household or server has a whole /64 to pick addresses from).
    var client: String
    /// The host (and port) the browser addressed.
    var host: String?

    init(request: Request, peer: String?, trustedProxies: Set<String>) {
        var address = peer ?? "unknown"
        var host = request.head.authority
        if let peer, trustedProxies.contains(peer) {
            // The rightmost address that is not one of our proxies is the one a proxy saw.
            let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For") ?? .via]
                .flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let client = forwarded.reversed().first(where: { !trustedProxies.contains($0) }) { address = client }
            if let forwardedHost = HTTPField.Name("X-Forwarded-Host").flatMap({ request.headers[$0] }), !forwardedHost.isEmpty {
                host = forwardedHost.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        self.client = Self.grouped(address)
        self.host = host
    }

    /// IPv6 addresses by their first 64 bits; anything else as given (at most 64 characters).
    static func grouped(_ address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return String(address.prefix(64)) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(format: "%02x%02x", bytes[$0], bytes[$0 + 1]) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// Whether a form's `Origin` (when the browser sent one) names the host the browser addressed.
    func accepts(origin: String?) -> Bool {
        guard let origin else { return true }
        guard let host else { return false }
        let bare = origin.hasPrefix("https://") ? origin.dropFirst(8) : origin.hasPrefix("http://") ? origin.dropFirst(7) : Substring(origin)
        return bare == host
    }
}

/// Bounds the bcrypt work sign-ins cause: at most `limit` checks at a time, each on its own thread
/// away from the event loops and Swift's task pool; more sign-ins at once are turned away (503), so a
/// flood of them cannot take the cores the chat webhooks need.
final class BcryptGate: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int = 2) {
        self.limit = max(1, limit)
    }

    /// The check's result, or nil when `limit` checks are already running.
    func run(_ check: @escaping @Sendable () -> Bool) async -> Bool? {
        let admitted = running.withLock { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { running.withLock { $0 -= 1 } }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: check()) }
        }
    }
}
