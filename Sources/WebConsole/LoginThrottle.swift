import Foundation
import Synchronization

/// Limits password guessing: after `limit` failed sign-ins within `window` for a name, or from a
/// client address, further attempts for it are refused (429) until the oldest failure leaves the
/// window. A success clears the name's failures. Memory is bounded: at most `capacity` keys.
public final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    let capacity: Int
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limit: Int, window: TimeInterval = 15 * 60, capacity: Int = 10_000) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Seconds to wait before any of these keys may try again, nil when none is blocked.
    public func retryAfter(_ keys: [String], now: Date) -> TimeInterval? {
        failures.withLock { failures in
            var wait: TimeInterval?
            for key in keys {
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
                failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait ?? 0, window - now.timeIntervalSince(oldest))
                }
            }
            return wait.map { max(1, $0.rounded(.up)) }
        }
    }

    public func recordFailure(_ keys: [String], now: Date) {
        failures.withLock { failures in
            if failures.count >= capacity {
                failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
                // Still full (a flood of distinct keys): forget the keys whose last failure is oldest.
                if failures.count >= capacity {
                    let keep = failures.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }.prefix(capacity / 2)
                    failures = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            for key in keys {
                var list = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
                list.append(now)
                failures[key] = Array(list.suffix(limit))
            }
        }
    }

    public func recordSuccess(_ key: String) {
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }
}

/// Sessions signed out before they expire: their cookies are refused until then. Kept in memory,
/// so a restart forgets them (docs/console.md says so; a new `sessionKeyEnv` ends every session).
public final class SessionRevocations: Sendable {
    private let revoked = Mutex<[String: Date]>([:])

    public init() {}

    public func revoke(_ session: ConsoleSession, now: Date) {
        revoked.withLock { revoked in
            revoked = revoked.filter { $0.value > now }
            revoked[session.id] = session.expires
        }
    }

    public func isRevoked(_ session: ConsoleSession) -> Bool {
        revoked.withLock { $0[session.id] != nil }
    }
}
