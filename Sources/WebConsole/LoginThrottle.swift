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

    /// Reserves an attempt for these keys: nil when allowed (the attempt counts as a failure until
    /// `succeeded` takes it back, so attempts running at the same time cannot get past the limit),
    /// else the seconds to wait.
    public func reserve(_ keys: [String], now: Date) -> TimeInterval? {
        failures.withLock { failures in
            var wait: TimeInterval?
            for key in keys {
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
                failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait ?? 0, window - now.timeIntervalSince(oldest))
                }
            }
            if let wait { return max(1, wait.rounded(.up)) }
            Self.record(keys, at: now, in: &failures, limit: limit, window: window, capacity: capacity)
            return nil
        }
    }

    /// Whether a reservation would be refused now (for tests and the sign-in page).
    public func retryAfter(_ keys: [String], now: Date) -> TimeInterval? {
        failures.withLock { failures in
            var wait: TimeInterval?
            for key in keys {
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
                if recent.count >= limit, let oldest = recent.first { wait = max(wait ?? 0, window - now.timeIntervalSince(oldest)) }
            }
            return wait.map { max(1, $0.rounded(.up)) }
        }
    }

    public func recordFailure(_ keys: [String], now: Date) {
        failures.withLock { Self.record(keys, at: now, in: &$0, limit: limit, window: window, capacity: capacity) }
    }

    /// The reserved attempt succeeded: it no longer counts against the address, and the name's
    /// failures are forgotten.
    public func succeeded(name: String, client: String, reservedAt: Date) {
        failures.withLock { failures in
            failures.removeValue(forKey: name)
            if var list = failures[client], let index = list.lastIndex(of: reservedAt) {
                list.remove(at: index)
                failures[client] = list.isEmpty ? nil : list
            }
        }
    }

    private static func record(_ keys: [String], at now: Date, in failures: inout [String: [Date]], limit: Int, window: TimeInterval, capacity: Int) {
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

/// Sessions signed out before they expire, and sign-in forms already used: their cookies are refused
/// until they would have expired. Kept in memory, so a restart forgets them (docs/console.md says so;
/// a new `sessionKeyEnv` ends every session). At most `capacity` are kept; past that, the ones that
/// expire soonest are forgotten first.
public final class SessionRevocations: Sendable {
    let capacity: Int
    private let revoked = Mutex<[String: Date]>([:])

    public init(capacity: Int = .max) {
        self.capacity = max(1, capacity)
    }

    public func revoke(_ session: ConsoleSession, now: Date) {
        revoked.withLock { revoked in
            if revoked.count >= capacity { revoked = revoked.filter { $0.value > now } }
            if revoked.count >= capacity {
                let keep = revoked.sorted { $0.value > $1.value }.prefix(capacity / 2)
                revoked = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
            revoked[session.id] = session.expires
        }
    }

    public func isRevoked(_ session: ConsoleSession) -> Bool {
        revoked.withLock { $0[session.id] != nil }
    }
}
