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
        /// The users file (`console.usersFile`), read at each sign-in so new users need no restart.
        public var usersFile: String
        public var sessionLifetime: TimeInterval
        public var secureCookie: Bool
        public var showPeopleNames: Bool
        /// Snowball language of the matcher, for grouping gaps by stemmed words.
        public var language: String
        public var staleAfterDays: Int
        public var leechLapses: Int

        public init(
            usersFile: String, sessionLifetime: TimeInterval = 12 * 3600, secureCookie: Bool = true, showPeopleNames: Bool = false,
            language: String = "english", staleAfterDays: Int = 180, leechLapses: Int = 8
        ) {
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
    let revocations = SessionRevocations()
    let renderer: ConsoleRenderer
    let now: @Sendable () -> Date
    let logger: Logger

    static let sessionCookie = "flowlearn_console"
    static let loginCookie = "flowlearn_login"
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
        self.renderer = try ConsoleRenderer()
        self.now = now
        self.logger = logger
    }

    // MARK: - Sessions and cookies

    /// The signed-in session a request carries, if any.
    func session(_ request: Request) -> ConsoleSession? {
        guard let value = Self.cookie(Self.sessionCookie, in: request),
            let session = signer.session(from: value, now: now()), !session.user.isEmpty, !revocations.isRevoked(session)
        else { return nil }
        return session
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    func setCookie(_ name: String, value: String, path: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (settings.secureCookie ? "; Secure" : "")
    }

    /// A form post is accepted only with this session's CSRF token, and, when the browser says where
    /// the form came from, only from this host.
    func acceptsForm(_ request: Request, fields: FormFields, session: ConsoleSession) -> Bool {
        guard let token = fields["csrf"], Self.constantTimeEqual(token, session.csrf) else { return false }
        if let origin = request.headers[.origin], let host = request.head.authority {
            let bare = origin.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            guard bare == host else { return false }
        }
        return true
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
