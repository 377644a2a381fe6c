import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import FlowLearnWebConsole
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A browser without a browser: keeps the console's cookies and reads the CSRF token from pages.
struct ConsoleBrowser {
    var cookies: [String: String] = [:]
    let client: any TestClientProtocol

    mutating func send(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]? = nil, origin: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if let origin { headers[.origin] = origin }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = ByteBuffer(string: form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.contains("Max-Age=0") { cookies.removeValue(forKey: pair[0]) } else { cookies[pair[0]] = pair[1] }
        }
        return response
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func hiddenValue(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    mutating func signIn(name: String, password: String) async throws -> TestResponse {
        let login = try await send(.get, "/console/login")
        let token = try #require(Self.csrf(in: Self.text(login)))
        return try await send(.post, "/console/login", form: [("csrf", token), ("name", name), ("password", password)])
    }
}

@Suite("Web console through the router")
struct WebConsoleRouteTests {
    static let password = "correct horse battery"

    func server() async throws -> (TestServer, LocalHTTPSink, String) {
        let sink = try await LocalHTTPSink()
        var server = try TestServer(sink: sink)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let users = folder.appendingPathComponent("users.txt")
        try ConsoleUsers.setting(name: "alice", password: Self.password, in: "", cost: 4).write(to: users, atomically: true, encoding: .utf8)
        server.configuration.console.usersFile = users.path
        server.environment["FLOWLEARN_CONSOLE_SESSION_KEY"] = "a test session key of at least 32 bytes"
        return (server, sink, folder.path)
    }

    /// What the pages must show: unanswered questions, a served answer with votes, quiz answers.
    func seed(_ store: SQLiteStore) async throws {
        let now = TestServer.now
        func entry(_ text: String, _ outcome: QuestionLogEntry.Outcome, user: String, nugget: String? = nil, minutesAgo: Double) -> QuestionLogEntry {
            QuestionLogEntry(
                askedAt: now.addingTimeInterval(-60 * minutesAgo), platform: "slack", user: user, channel: "C1", text: text, outcome: outcome,
                nuggetID: nugget, confidence: 0.2, candidates: [], team: "T1")
        }
        for (index, text) in ["where can I park my car at the office", "is there parking at the office", "office parking for <visitors>"].enumerated() {
            try await store.record(entry(text, .unknown, user: "U\(index)", minutesAgo: Double(100 - index)))
        }
        try await store.record(entry("taxi or mileage for the airport trip", .choice, user: "U9", nugget: "expenses-taxi-rideshare", minutesAgo: 60))
        var answered = entry("can I take a taxi home", .answered, user: "U7", nugget: "expenses-taxi-rideshare", minutesAgo: 50)
        answered.answerID = "answer-1"
        try await store.record(answered)
        _ = try await store.recordAnswerVote(answerID: "answer-1", learner: answered.learner, helpful: true, at: now.addingTimeInterval(-40 * 60))
        _ = try await store.recordAnswerVote(
            answerID: "answer-1", learner: Learner(platform: "slack", team: "T1", user: "U8"), helpful: false, at: now.addingTimeInterval(-40 * 60))
        // taxi-commute: U1 wrong then right, U2 right at once.
        let answers: [(String, Bool, Double)] = [("U1", false, 30), ("U1", true, 20), ("U2", true, 10)]
        for (number, (user, correct, minutesAgo)) in answers.enumerated() {
            let at = now.addingTimeInterval(-60 * minutesAgo)
            let session = QuizSession(
                id: "s\(number)", learner: Learner(platform: "slack", team: "T1", user: user), channel: "C1", topic: nil, questionIDs: ["taxi-commute"],
                startedAt: at)
            try await store.startSession(session)
            _ = try await store.recordAnswer(QuizAnswer(
                sessionID: session.id, position: 0, questionID: "taxi-commute", actionID: "a\(number)", picks: [0], correct: correct,
                rating: correct ? .good : .again, answeredAt: at)) { _ in FSRSCard(due: at) }
        }
    }

    @Test func signInPagesExportsTryItAndSignOut() async throws {
        let (server, sink, folder) = try await server()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await seed(server.store)
        try await server.application().test(.router) { client in
            var browser = ConsoleBrowser(client: client)
            let unsigned = try await browser.send(.get, "/console/gaps")
            #expect(unsigned.status == .seeOther && unsigned.headers[.location] == "/console/login")

            let wrong = try await browser.signIn(name: "alice", password: "not the password")
            #expect(wrong.status == .unauthorized && ConsoleBrowser.text(wrong).contains("Wrong name or password"))
            #expect(browser.cookies["__Host-flowlearn_console"] == nil)
            let right = try await browser.signIn(name: "alice", password: Self.password)
            #expect(right.status == .seeOther && right.headers[.location] == "/console/gaps")
            #expect(right.headers[values: .setCookie].contains {
                $0.hasPrefix("__Host-flowlearn_console=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict") && $0.contains("Secure")
                    && $0.contains("Path=/;")
            })

            let gaps = try await browser.send(.get, "/console/gaps")
            let gapsPage = ConsoleBrowser.text(gaps)
            #expect(gaps.status == .ok)
            #expect(gaps.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(gapsPage.contains("3 question(s) from 3 people"), "the parking questions are one cluster")
            #expect(gapsPage.contains("office parking for &lt;visitors&gt;"), "samples are shown, escaped")
            let key = try #require(ConsoleBrowser.hiddenValue("key", in: gapsPage))
            let token = try #require(ConsoleBrowser.csrf(in: gapsPage))

            let refused = try await browser.send(.post, "/console/gaps/mark", form: [("key", key), ("status", "done")])
            #expect(refused.status == .forbidden, "no CSRF token")
            let foreign = try await browser.send(.post, "/console/gaps/mark", form: [("csrf", token), ("key", key), ("status", "done")], origin: "https://evil.example")
            #expect(foreign.status == .forbidden, "a form from another site")
            let marked = try await browser.send(.post, "/console/gaps/mark", form: [("csrf", token), ("key", key), ("status", "done"), ("days", "30")])
            #expect(marked.status == .seeOther)
            let after = ConsoleBrowser.text(try await browser.send(.get, "/console/gaps?days=30&notice=marked"))
            #expect(!after.contains("is there parking at the office") && after.contains("Saved."))
            let all = ConsoleBrowser.text(try await browser.send(.get, "/console/gaps?days=30&all=1"))
            #expect(all.contains("is there parking at the office") && all.contains("badge done"))

            let nuggets = ConsoleBrowser.text(try await browser.send(.get, "/console/nuggets?sort=served&dir=desc"))
            let firstRow = try #require(nuggets.components(separatedBy: "<tbody>").last?.components(separatedBy: "</tr>").first)
            #expect(firstRow.contains("expenses-taxi-rideshare"), "most served first")
            #expect(firstRow.replacingOccurrences(of: "\n", with: "").contains("<td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td>"), "served 1, offered first once, helpful 1, not helpful 1: \(firstRow)")
            #expect(firstRow.contains("67 %"), "2 of 3 quiz answers right")

            let quizzes = ConsoleBrowser.text(try await browser.send(.get, "/console/quizzes"))
            let expenses = try #require(quizzes.components(separatedBy: "<tr>").first { $0.contains("<td>expenses") })
            #expect(expenses.contains("50 %") && expenses.contains("100 %"), "first answers 1 of 2 right, latest 2 of 2: \(expenses)")

            let people = ConsoleBrowser.text(try await browser.send(.get, "/console/people"))
            #expect(people.contains("<td>slack</td><td class=\"n\">5</td><td class=\"n\">2</td>"), "5 askers and 2 quiz takers")
            #expect(!people.contains("U7"), "names are hidden by default")

            let csv = try await browser.send(.get, "/console/export/gaps.csv?days=30&all=1")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let csvText = ConsoleBrowser.text(csv)
            #expect(csvText.hasPrefix("key,status,questions,people,first_asked,last_asked,samples,nearest_nuggets\r\n"))
            #expect(csvText.contains("\(key),done,3,3,"))
            let nuggetsCSV = ConsoleBrowser.text(try await browser.send(.get, "/console/export/nuggets.csv"))
            #expect(nuggetsCSV.contains("expenses-taxi-rideshare,Taxi and ride-share expenses,"))
            #expect(try await browser.send(.get, "/console/export/nothing.csv").status == .notFound)

            #expect(try await browser.send(.post, "/console/try", form: [("q", "taxi")]).status == .forbidden, "Try it without the CSRF token")
            #expect(try await browser.send(.post, "/console/logout", form: [("csrf", "forged")]).status == .forbidden, "sign-out with a wrong token")
            let tried = ConsoleBrowser.text(try await browser.send(.post, "/console/try", form: [("csrf", token), ("q", "can I expense a taxi home after working late")]))
            #expect(tried.contains("Decision: answer") && tried.contains("expenses-taxi-rideshare"))
            #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 100).count == 5, "Try it logs nothing")

            let signedOut = try await browser.send(.post, "/console/logout", form: [("csrf", token)])
            #expect(signedOut.status == .seeOther && browser.cookies["__Host-flowlearn_console"] == nil)
            browser.cookies["__Host-flowlearn_console"] = right.headers[values: .setCookie].first { $0.hasPrefix("__Host-flowlearn_console=") }?
                .split(separator: ";")[0].dropFirst("__Host-flowlearn_console=".count).description
            #expect(try await browser.send(.get, "/console/nuggets").status == .seeOther, "a signed-out session's cookie is refused")
        }
        _ = sink
    }

    @Test func failedSignInsAreLimited() async throws {
        let (server, sink, folder) = try await server()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await server.application().test(.router) { client in
            var browser = ConsoleBrowser(client: client)
            for attempt in 0..<5 {
                #expect(try await browser.signIn(name: "alice", password: "guess \(attempt)").status == .unauthorized)
            }
            let blocked = try await browser.signIn(name: "alice", password: Self.password)
            #expect(blocked.status == .tooManyRequests, "even the right password waits")
            #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(browser.cookies["__Host-flowlearn_console"] == nil)
        }
        _ = sink
    }

    @Test func aNewPasswordOrARemovedUserEndsOpenSessions() async throws {
        let (server, sink, folder) = try await server()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let users = server.configuration.console.usersFile
        try await server.application().test(.router) { client in
            var browser = ConsoleBrowser(client: client)
            #expect(try await browser.signIn(name: "alice", password: Self.password).status == .seeOther)
            #expect(try await browser.send(.get, "/console/people").status == .ok)
            try ConsoleUsers.setting(name: "alice", password: "a brand new passphrase", in: "", cost: 4).write(toFile: users, atomically: true, encoding: .utf8)
            #expect(try await browser.send(.get, "/console/people").status == .seeOther, "the old session ends with the old password")
            #expect(try await browser.signIn(name: "alice", password: "a brand new passphrase").status == .seeOther)
            #expect(try await browser.send(.get, "/console/people").status == .ok)
            try "# nobody\n".write(toFile: users, atomically: true, encoding: .utf8)
            #expect(try await browser.send(.get, "/console/people").status == .seeOther, "a removed user's session ends")
        }
        _ = sink
    }

    @Test func signInsSentAtOnceCannotPassTheLimit() async throws {
        let (server, sink, folder) = try await server()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await server.application().test(.router) { client in
            // Twenty sign-in forms, then twenty wrong passwords at once.
            var forms: [(cookie: String, token: String)] = []
            for _ in 0..<20 {
                var browser = ConsoleBrowser(client: client)
                let page = ConsoleBrowser.text(try await browser.send(.get, "/console/login"))
                forms.append((try #require(browser.cookies["__Host-flowlearn_login"]), try #require(ConsoleBrowser.csrf(in: page))))
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (number, form) in forms.enumerated() {
                    group.addTask {
                        var browser = ConsoleBrowser(client: client)
                        browser.cookies["__Host-flowlearn_login"] = form.cookie
                        return try await browser.send(.post, "/console/login", form: [("csrf", form.token), ("name", "alice"), ("password", "guess \(number)")]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5, "at most loginAttempts passwords were checked: \(statuses)")
            #expect(statuses.allSatisfy { [.unauthorized, .tooManyRequests, .serviceUnavailable].contains($0) })
            // A used sign-in form cannot be sent again.
            var again = ConsoleBrowser(client: client)
            again.cookies["__Host-flowlearn_login"] = forms[0].cookie
            let reused = try await again.send(.post, "/console/login", form: [("csrf", forms[0].token), ("name", "alice"), ("password", Self.password)])
            #expect(reused.status == .forbidden)
        }
        _ = sink
    }

    @Test func theConsoleIsOffUnlessConfigured() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.execute(uri: "/console/login", method: .get) { $0.status } == .notFound)
        }
    }
}
