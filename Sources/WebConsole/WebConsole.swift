import FlowLearnCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// What the console reads: the store's aggregates, the question log and gap decisions, quiz leeches.
public typealias ConsoleStore = InsightsStore & AssistantStore & QuizStore

/// The content serving now, as the console needs it (the server's content library provides it).
public protocol ConsoleContent: Sendable {
    var consoleNuggets: [Nugget] { get }
    var consoleQuizQuestions: [QuizQuestion] { get }
    /// `semantic`, `learned` or `keyword`.
    var engineName: String { get }
    /// The matcher's decision and top candidates with their evidence, computed off the event loops;
    /// nothing is logged.
    func explain(_ question: String) async -> (decision: MatchDecision, candidates: [MatchEvidence])
}

/// The learning team's web console under `/console`: server-rendered pages behind a sign-in, for
/// what people asked and did not get (Gaps), how each nugget is used (Nuggets), how well quizzes go
/// (Quizzes), who is active (People), and how the matcher decides (Try it); every list as CSV.
public struct WebConsole: Sendable {
    public struct Settings: Sendable {
        /// The users file (`console.usersFile`), read again when it changes, so new users and new
        /// passwords need no restart.
        public var usersFile: String
        public var sessionLifetime: TimeInterval
        public var secureCookie: Bool
        public var showPeopleNames: Bool
        /// Snowball language of the matcher, for grouping gaps by stemmed words.
        public var language: String
        public var staleAfterDays: Int
        public var leechLapses: Int
        /// Addresses of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Host` are believed.
        public var trustedProxies: Set<String>

        public init(
            usersFile: String, sessionLifetime: TimeInterval = 12 * 3600, secureCookie: Bool = true, showPeopleNames: Bool = false,
            language: String = "english", staleAfterDays: Int = 180, leechLapses: Int = 8, trustedProxies: Set<String> = []
        ) {
            self.trustedProxies = trustedProxies
            self.usersFile = usersFile
            self.sessionLifetime = sessionLifetime
            self.secureCookie = secureCookie
            self.showPeopleNames = showPeopleNames
            self.language = language
            self.staleAfterDays = staleAfterDays
            self.leechLapses = leechLapses
        }
    }

    let settings: Settings
    let store: any ConsoleStore
    let content: any ConsoleContent
    let signer: SessionSigner
    let throttle: LoginThrottle
    let users: ConsoleUsersFile
    let bcrypt = BcryptGate()
    let revocations = SessionRevocations()
    /// Sign-in forms already used (each is good for one attempt).
    let usedForms = SessionRevocations(capacity: 50_000)
    let renderer: ConsoleRenderer
    let now: @Sendable () -> Date
    let logger: Logger

    /// Form bodies are small; anything larger is refused before it is read.
    static let maximumFormBytes = 16 * 1024

    public init(
        settings: Settings, store: any ConsoleStore, content: any ConsoleContent, signer: SessionSigner, throttle: LoginThrottle,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) throws {
        self.settings = settings
        self.store = store
        self.content = content
        self.signer = signer
        self.throttle = throttle
        self.users = ConsoleUsersFile(path: settings.usersFile)
        self.renderer = try ConsoleRenderer()
        self.now = now
        self.logger = logger
    }

    // MARK: - Sessions and cookies

    /// The session cookie's name and path: with `Secure`, the `__Host-` prefix (the browser then
    /// takes it only from this host over HTTPS, for path `/`, so a sibling subdomain cannot plant one).
    var sessionCookie: (name: String, path: String) {
        settings.secureCookie ? ("__Host-flowlearn_console", "/") : ("flowlearn_console", "/console")
    }

    var loginCookie: (name: String, path: String) {
        settings.secureCookie ? ("__Host-flowlearn_login", "/") : ("flowlearn_login", "/console/login")
    }

    /// The signed-in session a request carries, if any: signed by us, not expired, not signed out,
    /// and its user still in the users file with the same password.
    func session(_ request: Request) -> ConsoleSession? {
        guard let value = Self.cookie(sessionCookie.name, in: request),
            let session = signer.session(from: value, purpose: .session, now: now()), !session.user.isEmpty, !revocations.isRevoked(session),
            let users = try? users.current(), let fingerprint = users.fingerprint(of: session.user),
            Self.constantTimeEqual(fingerprint, session.fingerprint)
        else { return nil }
        return session
    }

    /// A cookie's value; nil when it is missing or sent twice (a planted second cookie must not win).
    static func cookie(_ name: String, in request: Request) -> String? {
        var found: [String] = []
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    found.append(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return found.count == 1 ? found[0] : nil
    }

    func setCookie(_ cookie: (name: String, path: String), value: String, maxAge: Int) -> String {
        "\(cookie.name)=\(value); Path=\(cookie.path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (settings.secureCookie ? "; Secure" : "")
    }

    /// A form post is accepted only with this session's CSRF token, and, when the browser says where
    /// the form came from, only from the host it addressed.
    func acceptsForm(_ request: Request, fields: FormFields, session: ConsoleSession, peer: ConsolePeer) -> Bool {
        guard let token = fields["csrf"], Self.constantTimeEqual(token, session.csrf) else { return false }
        return peer.accepts(origin: request.headers[.origin])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    // MARK: - Responses

    /// Headers on every console response: a strict Content-Security-Policy (no scripts at all, styles
    /// from the console's own sheet, forms only to itself, never framed), no caching, and referrers
    /// only within the console (`no-referrer` would make browsers send `Origin: null` with its forms).
    static let securityHeaders: HTTPFields = {
        var fields: HTTPFields = [
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .cacheControl: "no-store",
        ]
        for (name, value) in [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")] {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return fields
    }()

    static func html(_ status: HTTPResponse.Status, _ page: String, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func csv(_ document: CSVDocument, name: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"flowlearn-\(name).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.text)))
    }

    func message(_ status: HTTPResponse.Status, title: String, text: String, session: ConsoleSession?, link: (String, String)? = nil) -> Response {
        var context: [String: Any] = ["text": text]
        if let link { context["link"] = ["href": link.0, "label": link.1] }
        return Self.html(status, renderer.page("message", title: title, context: context, session: session))
    }
}
