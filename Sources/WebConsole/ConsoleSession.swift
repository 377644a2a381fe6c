import Crypto
import Foundation

/// A signed-in person's session, kept entirely in a cookie: who, until when, and the token every
/// form must send back (CSRF). The server keeps no session table; the cookie's HMAC-SHA256
/// signature is what makes it trustworthy.
public struct ConsoleSession: Sendable, Hashable, Codable {
    /// The console user; empty for the short-lived pre-sign-in session that protects the login form.
    public var user: String
    /// Random, names this session (for sign-out).
    public var id: String
    /// Random, sent back by every form of this session.
    public var csrf: String
    public var expires: Date
    /// A fingerprint of the user's password hash when they signed in: a new password or a removed
    /// user ends the session (see `ConsoleUsers.fingerprint`).
    public var fingerprint: String

    public init(user: String, id: String, csrf: String, expires: Date, fingerprint: String = "") {
        self.user = user
        self.id = id
        self.csrf = csrf
        self.expires = expires
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case user = "u", id = "i", csrf = "c", expires = "e", fingerprint = "h"
    }

    public static func new(user: String, lifetime: TimeInterval, now: Date, fingerprint: String = "") -> ConsoleSession {
        ConsoleSession(user: user, id: randomToken(), csrf: randomToken(), expires: now.addingTimeInterval(lifetime), fingerprint: fingerprint)
    }

    /// 128 random bits, base64url.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URL
    }
}

/// Signs sessions into cookie values and checks them back: `v1.<payload>.<signature>`, both
/// base64url. Sign-in sessions and the sign-in form's own short session are signed with different
/// keys (HKDF from the one secret), so one can never pass for the other.
public struct SessionSigner: Sendable {
    /// What a cookie is for; each purpose has its own key.
    public enum Purpose: String, Sendable {
        case session = "flowlearn console session v1"
        case login = "flowlearn console sign-in form v1"
    }

    let keys: [Purpose: [UInt8]]

    /// Shorter secrets are refused (the sign-in page hands out signed cookies, so a short key could
    /// be guessed offline).
    public static let minimumSecretBytes = 32

    /// From a configured secret of at least `minimumSecretBytes`; nil when it is shorter.
    public init?(secret: String) {
        guard secret.utf8.count >= Self.minimumSecretBytes else { return nil }
        self.init(material: Array(secret.utf8))
    }

    /// A random key, for a server started without one: sessions end when it stops.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(material: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    private init(material: [UInt8]) {
        let input = SymmetricKey(data: material)
        var keys: [Purpose: [UInt8]] = [:]
        for purpose in [Purpose.session, .login] {
            let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: input, info: Data(purpose.rawValue.utf8), outputByteCount: 32)
            keys[purpose] = derived.withUnsafeBytes { Array($0) }
        }
        self.keys = keys
    }

    func key(_ purpose: Purpose) -> SymmetricKey { SymmetricKey(data: keys[purpose] ?? []) }

    public func cookieValue(_ session: ConsoleSession, purpose: Purpose = .session) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let payload = ((try? encoder.encode(session)) ?? Data()).base64URL
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(("v1." + payload).utf8), using: key(purpose))).base64URL
        return "v1.\(payload).\(signature)"
    }

    /// The session a cookie value carries, when its signature is ours for this purpose and it has not expired.
    public func session(from value: String, purpose: Purpose = .session, now: Date) -> ConsoleSession? {
        guard value.utf8.count <= 4_096 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let signature = Data(base64URL: String(parts[2])),
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("v1.\(parts[1])".utf8), using: key(purpose)),
            let payload = Data(base64URL: String(parts[1]))
        else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let session = try? decoder.decode(ConsoleSession.self, from: payload), session.expires > now else { return nil }
        return session
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URL text: String) {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
