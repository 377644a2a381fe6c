import FlowLearnCore
import Foundation
import Hummingbird

/// The console's routes. Every page but the sign-in needs a session; every form post needs the
/// session's CSRF token; sign-in attempts are limited per name and per client address.
extension WebConsole {
    /// - Parameter peerAddress: the TCP peer's IP address (the context's remote address in the
    ///   server; nil in router tests), for the sign-in limit and `console.trustedProxies`.
    public func register<Context: RequestContext>(on router: Router<Context>, peerAddress: @escaping @Sendable (Context) -> String?) {
        let peer = { @Sendable (request: Request, context: Context) in
            ConsolePeer(request: request, peer: peerAddress(context), trustedProxies: settings.trustedProxies)
        }
        router.get("/console") { _, _ in Self.redirect("/console/gaps") }
        router.get("/console/style.css") { _, _ in
            var headers = Self.securityHeaders
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.style)))
        }
        router.get("/console/login") { request, _ in loginPage(request) }
        router.post("/console/login") { request, context in await signIn(request, peer: peer(request, context)) }
        router.post("/console/logout") { request, context in await signOut(request, peer: peer(request, context)) }
        router.get("/console/gaps") { request, _ in
            await page(request, current: "/console/gaps") { session, query in
                ("gaps", "Gaps", try await gapsContext(days: Self.days(query), all: query["all"] == "1", session: session))
            }
        }
        router.post("/console/gaps/mark") { request, context in await markGap(request, peer: peer(request, context)) }
        router.get("/console/nuggets") { request, _ in
            await page(request, current: "/console/nuggets") { _, query in
                let sort = NuggetReport.Sort(rawValue: query["sort"] ?? "") ?? .owner
                let descending = query["dir"].map { $0 == "desc" } ?? false
                return ("nuggets", "Nuggets", try await nuggetsContext(days: Self.days(query), sort: sort, descending: descending))
            }
        }
        router.get("/console/quizzes") { request, _ in
            await page(request, current: "/console/quizzes") { _, query in ("quizzes", "Quizzes", try await quizzesContext(days: Self.days(query))) }
        }
        router.get("/console/people") { request, _ in
            await page(request, current: "/console/people") { _, query in ("people", "People", try await peopleContext(days: Self.days(query))) }
        }
        router.get("/console/try") { request, _ in
            await page(request, current: "/console/try") { session, _ in ("try", "Try it", await tryContext(question: nil, session: session)) }
        }
        router.post("/console/try") { request, context in await tryQuestion(request, peer: peer(request, context)) }
        router.get("/console/export/:list") { request, context in await export(request, list: context.parameters.get("list") ?? "") }
    }

    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { values[String(name)] = String(value) }
        return values
    }

    /// A signed-in page: its template, title and context, or the way to the sign-in page.
    func page(
        _ request: Request, current: String,
        _ build: (ConsoleSession, [String: String]) async throws -> (template: String, title: String, context: [String: Any])
    ) async -> Response {
        guard let session = session(request) else { return Self.redirect("/console/login") }
        do {
            let (template, title, context) = try await build(session, Self.query(request))
            let notice = Self.query(request)["notice"].flatMap(Self.notices.index(forKey:)).map { Self.notices[$0].value }
            return Self.html(.ok, renderer.page(template, title: title, context: context, session: session, current: current, notice: notice))
        } catch {
            logger.error("console page failed", metadata: ["page": "\(current)", "error": "\(error)"])
            return message(.internalServerError, title: "Something went wrong", text: "The page could not be read from the store; the log says why.", session: session)
        }
    }

    /// Notices a redirect may ask a page to show (by key, so a link cannot make the page say anything).
    static let notices = ["marked": "Saved.", "signed-out": "Signed out."]

    // MARK: Sign-in

    func loginPage(_ request: Request, status: HTTPResponse.Status = .ok, name: String = "", notice: String? = nil) -> Response {
        if session(request) != nil, status == .ok { return Self.redirect("/console/gaps") }
        // The sign-in form's own CSRF token, in a short-lived signed cookie of its own (used once).
        let pre = ConsoleSession.new(user: "", lifetime: 3600, now: now())
        let cookie = setCookie(loginCookie, value: signer.cookieValue(pre, purpose: .login), maxAge: 3600)
        let notice = notice ?? (Self.query(request)["notice"] == "signed-out" ? "Signed out." : nil)
        return Self.html(status, renderer.page("login", title: "Sign in", context: ["csrf": pre.csrf, "name": name], session: nil, notice: notice), cookies: [cookie])
    }

    func signIn(_ request: Request, peer: ConsolePeer) async -> Response {
        guard let body = try? await request.body.collect(upTo: Self.maximumFormBytes) else {
            return message(.contentTooLarge, title: "Too large", text: "That form was larger than a sign-in can be.", session: nil)
        }
        let fields = FormFields(Array(body.readableBytesView))
        let name = String((fields["name"] ?? "").prefix(64))
        let at = now()
        guard let value = Self.cookie(loginCookie.name, in: request), let pre = signer.session(from: value, purpose: .login, now: at),
            !usedForms.isRevoked(pre), let token = fields["csrf"], Self.constantTimeEqual(token, pre.csrf), peer.accepts(origin: request.headers[.origin])
        else {
            return loginPage(request, status: .forbidden, name: name, notice: "The sign-in form had expired. Please try again.")
        }
        // Each sign-in form is good for one attempt.
        usedForms.revoke(pre, now: at)
        let password = fields["password"] ?? ""
        // A name no user can have is refused at once: nothing is learnt that the rules do not say.
        guard ConsoleUsers.isPlausibleName(name), password.utf8.count <= ConsoleUsers.maximumPasswordBytes else {
            return loginPage(request, status: .unauthorized, name: name, notice: "Wrong name or password.")
        }
        let nameKey = "name:" + name.lowercased()
        let clientKey = "client:" + peer.client
        // The attempt counts as a failure from here on, so attempts sent at once cannot pass the limit.
        if let wait = throttle.reserve([nameKey, clientKey], now: at) {
            logger.notice("console sign-in refused: too many failures", metadata: ["client": "\(peer.client)"])
            var response = loginPage(request, status: .tooManyRequests, name: name, notice: "Too many failed sign-ins. Try again in \(Int(wait / 60) + 1) minute(s).")
            response.headers[.retryAfter] = "\(Int(wait))"
            return response
        }
        let users: ConsoleUsers
        do {
            users = try self.users.current()
        } catch {
            logger.error("console users file cannot be used", metadata: ["problem": "\(error)"])
            return message(.serviceUnavailable, title: "Console unavailable", text: "The console's users file cannot be read; the log says why.", session: nil)
        }
        // bcrypt takes a quarter of a second on purpose: on its own thread, a bounded number at a time.
        guard let valid = await bcrypt.run({ users.verify(name: name, password: password) }) else {
            var response = loginPage(request, status: .serviceUnavailable, name: name, notice: "Many sign-ins at once: please try again in a moment.")
            response.headers[.retryAfter] = "1"
            return response
        }
        guard valid, let fingerprint = users.fingerprint(of: name) else {
            logger.notice("console sign-in failed", metadata: ["client": "\(peer.client)"])
            return loginPage(request, status: .unauthorized, name: name, notice: "Wrong name or password.")
        }
        throttle.succeeded(name: nameKey, client: clientKey, reservedAt: at)
        let session = ConsoleSession.new(user: name, lifetime: settings.sessionLifetime, now: at, fingerprint: fingerprint)
        logger.info("console sign-in", metadata: ["user": "\(name)"])
        return Self.redirect(
            "/console/gaps",
            cookies: [
                setCookie(sessionCookie, value: signer.cookieValue(session, purpose: .session), maxAge: Int(settings.sessionLifetime)),
                setCookie(loginCookie, value: "", maxAge: 0),
            ])
    }

    func signOut(_ request: Request, peer: ConsolePeer) async -> Response {
        guard let session = session(request) else { return Self.redirect("/console/login") }
        guard let body = try? await request.body.collect(upTo: Self.maximumFormBytes),
            acceptsForm(request, fields: FormFields(Array(body.readableBytesView)), session: session, peer: peer)
        else { return message(.forbidden, title: "Refused", text: "That form did not come from this console page.", session: session) }
        revocations.revoke(session, now: now())
        return Self.redirect("/console/login?notice=signed-out", cookies: [setCookie(sessionCookie, value: "", maxAge: 0)])
    }

    // MARK: Forms

    /// The fields of a signed-in form post, or the refusal to send.
    func form(_ request: Request, peer: ConsolePeer) async -> Result<(ConsoleSession, FormFields), HTTPRefusal> {
        guard let session = session(request) else { return .failure(HTTPRefusal(response: Self.redirect("/console/login"))) }
        guard let body = try? await request.body.collect(upTo: Self.maximumFormBytes) else {
            return .failure(HTTPRefusal(response: message(.contentTooLarge, title: "Too large", text: "That form was too large.", session: session)))
        }
        let fields = FormFields(Array(body.readableBytesView))
        guard acceptsForm(request, fields: fields, session: session, peer: peer) else {
            return .failure(HTTPRefusal(response: message(
                .forbidden, title: "Refused", text: "That form did not come from this console page (or the page was older than the sign-in).",
                session: session, link: ("/console/gaps", "Back to the console"))))
        }
        return .success((session, fields))
    }

    func markGap(_ request: Request, peer: ConsolePeer) async -> Response {
        let session: ConsoleSession
        let fields: FormFields
        switch await form(request, peer: peer) {
        case .failure(let refusal): return refusal.response
        case .success(let accepted): (session, fields) = accepted
        }
        guard let key = fields["key"], !key.isEmpty, key.count <= 200, let status = GapStatus(rawValue: fields["status"] ?? "") else {
            return message(.badRequest, title: "Not saved", text: "A cluster key and a status (done, ignored or open) are needed.", session: session)
        }
        do {
            try await store.setGapStatus(status, key: key, at: now())
        } catch {
            logger.error("gap status not saved", metadata: ["error": "\(error)"])
            return message(.internalServerError, title: "Not saved", text: "The store refused the change; the log says why.", session: session)
        }
        logger.info("gap cluster marked", metadata: ["user": "\(session.user)", "key": "\(key)", "status": "\(status.rawValue)"])
        let days = Self.days(["days": fields["days"] ?? ""])
        return Self.redirect(ConsoleRenderer.link("/console/gaps", [("days", "\(days)"), ("notice", "marked")]))
    }

    func tryQuestion(_ request: Request, peer: ConsolePeer) async -> Response {
        switch await form(request, peer: peer) {
        case .failure(let refusal): return refusal.response
        case .success(let (session, fields)):
            let question = String((fields["q"] ?? "").prefix(Matcher.maximumQuestionLength))
            let context = await tryContext(question: question, session: session)
            return Self.html(.ok, renderer.page("try", title: "Try it", context: context, session: session, current: "/console/try"))
        }
    }

    // MARK: CSV

    func export(_ request: Request, list: String) async -> Response {
        guard let session = session(request) else { return Self.redirect("/console/login") }
        let query = Self.query(request)
        let days = Self.days(query)
        do {
            switch list {
            case "gaps.csv": return Self.csv(try await gapsCSV(days: days, all: query["all"] == "1"), name: "gaps-\(days)d")
            case "nuggets.csv": return Self.csv(try await nuggetsCSV(days: days), name: "nuggets-\(days)d")
            case "topics.csv": return Self.csv(try await quizCSV("topics", days: days), name: "topics-\(days)d")
            case "hardest.csv": return Self.csv(try await quizCSV("hardest", days: days), name: "hardest-questions-\(days)d")
            case "leeches.csv": return Self.csv(try await quizCSV("leeches", days: days), name: "leeches")
            case "people.csv": return Self.csv(try await peopleCSV(days: days), name: "people-\(days)d")
            default: return message(.notFound, title: "No such list", text: "There is no list by that name.", session: session)
            }
        } catch {
            logger.error("console export failed", metadata: ["list": "\(list)", "error": "\(error)"])
            return message(.internalServerError, title: "Something went wrong", text: "The list could not be read; the log says why.", session: session)
        }
    }
}

/// A response that ends a request early (refused form, sign-in needed).
struct HTTPRefusal: Error {
    var response: Response
}
