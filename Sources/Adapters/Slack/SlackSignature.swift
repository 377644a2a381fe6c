import Crypto
import Foundation

/// Verifies Slack's request signature: `v0=` + hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")),
/// with the timestamp no more than five minutes from now. Run on the raw bytes, before any decoding.
public struct SlackSignature: Sendable {
    public static let timestampHeader = "X-Slack-Request-Timestamp"
    public static let signatureHeader = "X-Slack-Signature"

    /// Kept as bytes (SymmetricKey is not Sendable); the key is made per check, which is cheap.
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }
    /// How far the request time may be from ours, either way.
    public let tolerance: TimeInterval

    public init(signingSecret: String, tolerance: TimeInterval = 300) {
        self.secret = Array(signingSecret.utf8)
        self.tolerance = tolerance
    }

    /// Why a request was refused; each case is a 401 with a short reason.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingHeaders
        case malformedTimestamp
        case expired
        case mismatch

        public var description: String {
            switch self {
            case .missingHeaders: return "missing Slack signature headers"
            case .malformedTimestamp: return "malformed Slack request timestamp"
            case .expired: return "Slack request timestamp outside the 5-minute window"
            case .mismatch: return "Slack signature does not match"
            }
        }
    }

    public func verify(timestamp: String?, signature: String?, body: [UInt8], now: Date) throws(Failure) {
        guard let timestamp, let signature else { throw .missingHeaders }
        guard let seconds = Int64(timestamp) else { throw .malformedTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .expired }
        guard signature.hasPrefix("v0="), let expected = Self.bytes(hex: signature.dropFirst(3)) else { throw .mismatch }
        // Fed in two parts (no copy of the body); compared in constant time.
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Array("v0:\(timestamp):".utf8))
        mac.update(data: body)
        guard mac.finalize() == expected else { throw .mismatch }
    }

    /// The header value Slack would send; used by tests and by `flowlearn` tooling to sign requests.
    public func sign(timestamp: String, body: [UInt8]) -> String {
        var message = Array("v0:\(timestamp):".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v0=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.utf8.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexDigit(high), let l = hexDigit(low) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
}
