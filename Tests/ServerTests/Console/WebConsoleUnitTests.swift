import FlowLearnCore
import FlowLearnWebConsole
import Foundation
import Testing

@Suite("Web console parts")
struct WebConsoleUnitTests {
    let now = Date(timeIntervalSince1970: 1_764_500_000)

    @Test func sessionCookiesAreSignedAndExpire() throws {
        let signer = try #require(SessionSigner(secret: "a long random test secret, 32 bytes or more"))
        #expect(SessionSigner(secret: "too short") == nil, "short keys are refused")
        let session = ConsoleSession.new(user: "alice", lifetime: 3600, now: now, fingerprint: "f1")
        let value = signer.cookieValue(session)
        #expect(signer.session(from: value, now: now) == session)
        #expect(signer.session(from: value, now: now.addingTimeInterval(3601)) == nil, "expired")
        #expect(signer.session(from: value, purpose: .login, now: now) == nil, "a session cookie is not a sign-in form cookie")
        #expect(signer.session(from: signer.cookieValue(session, purpose: .login), purpose: .session, now: now) == nil, "nor the reverse")
        #expect(try #require(SessionSigner(secret: "another secret that is long enough!!")).session(from: value, now: now) == nil, "another key")
        let parts = value.split(separator: ".").map(String.init)
        let forged = ConsoleSession(user: "mallory", id: session.id, csrf: session.csrf, expires: session.expires, fingerprint: "f1")
        let forgedPayload = try #require(signer.cookieValue(forged).split(separator: ".").dropFirst().first)
        #expect(signer.session(from: "v1.\(forgedPayload).\(parts[2])", now: now) == nil, "another payload under this signature")
        for garbage in ["", "v1", "v1..", "v2.\(parts[1]).\(parts[2])", "v1.!!!.???", String(repeating: "a", count: 10_000), value + "x"] {
            #expect(signer.session(from: garbage, now: now) == nil, "\(garbage.prefix(20))")
        }
    }

    @Test func theUsersFileIsCheckedLineByLine() throws {
        let text = try ConsoleUsers.setting(name: "alice", password: "correct horse battery", in: "", cost: 4)
        let users = try ConsoleUsers(text: text)
        #expect(users.names == ["alice"])
        #expect(users.verify(name: "alice", password: "correct horse battery"))
        #expect(!users.verify(name: "alice", password: "correct horse batterY"))
        #expect(!users.verify(name: "bob", password: "correct horse battery"))
        let changed = try ConsoleUsers.setting(name: "alice", password: "a different passphrase", in: text, cost: 4)
        #expect(try ConsoleUsers(text: changed).verify(name: "alice", password: "a different passphrase"), "a second add-user replaces the line")
        #expect(changed.split(separator: "\n").filter { $0.hasPrefix("alice:") }.count == 1)
        #expect(throws: ConsoleUsersError.self) { try ConsoleUsers.setting(name: "alice", password: "short", in: "", cost: 4) }
        #expect(throws: ConsoleUsersError.self) { try ConsoleUsers.setting(name: "no spaces", password: "long enough password", in: "", cost: 4) }
        do {
            _ = try ConsoleUsers(text: "# users\nalice:$2b$04$notahash\n", file: "users.txt")
            Issue.record("a bad hash was accepted")
        } catch {
            #expect(error.description.hasPrefix("users.txt:2:"), "\(error.description)")
        }
        #expect(throws: ConsoleUsersError.self) { try ConsoleUsers(text: "just a name\n") }
    }

    @Test func signInsAreLimitedPerNameAndPerAddress() {
        let throttle = LoginThrottle(limit: 3, window: 900)
        let keys = ["name:alice", "client:10.0.0.1"]
        for attempt in 0..<3 {
            #expect(throttle.reserve(keys, now: now.addingTimeInterval(Double(attempt))) == nil, "attempt \(attempt)")
        }
        #expect(throttle.reserve(keys, now: now.addingTimeInterval(5)) == 895, "reservations count before they fail: attempts at once cannot pass")
        #expect(throttle.retryAfter(["name:alice", "client:10.0.0.2"], now: now.addingTimeInterval(10)) == 890, "the name is blocked from another address")
        #expect(throttle.retryAfter(["name:bob", "client:10.0.0.1"], now: now.addingTimeInterval(10)) != nil, "the address is blocked for other names")
        #expect(throttle.retryAfter(["name:bob", "client:10.0.0.3"], now: now.addingTimeInterval(10)) == nil)
        #expect(throttle.reserve(keys, now: now.addingTimeInterval(901)) == nil, "the window passed")
        let other = LoginThrottle(limit: 2, window: 900)
        #expect(other.reserve(["name:carol", "client:c"], now: now) == nil)
        other.succeeded(name: "name:carol", client: "client:c", reservedAt: now)
        #expect(other.reserve(["name:carol", "client:c"], now: now) == nil && other.reserve(["name:carol", "client:c"], now: now) == nil,
            "a success takes its reservation back")
        let small = LoginThrottle(limit: 1, window: 900, capacity: 10)
        for index in 0..<1_000 { small.recordFailure(["client:\(index)"], now: now) }
        #expect(small.retryAfter(["client:999"], now: now) != nil, "the latest keys are kept when memory is full")
    }

    @Test func csvQuotesFieldsAndDefusesFormulas() {
        let document = CSVDocument(header: ["a", "b"], rows: [["x,y", "say \"hi\""], ["=HYPERLINK(\"http://evil\")", "-3"], ["line\nbreak", "@SUM(A1)"]])
        #expect(document.text == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"'=HYPERLINK(\"\"http://evil\"\")\",-3\r\n\"line\nbreak\",'@SUM(A1)\r\n")
    }

    @Test func everyPageRendersWithoutABrowserAndEscapesWhatPeopleTyped() throws {
        let renderer = try ConsoleRenderer()
        let session = ConsoleSession.new(user: "alice", lifetime: 60, now: now)
        let typed = "<script>alert(1)</script> & \"quotes\""
        let pages: [(String, [String: Any], String)] = [
            ("login", ["csrf": "t0k3n", "name": typed], "Sign in"),
            ("gaps", [
                "clusters": [["key": "a+b", "label": "a · b", "status": "open", "isOpen": true, "count": 2, "people": 2, "samples": [typed], "csrf": "t0k3n"]],
                "clusterCount": 1, "questionCount": 2,
            ], "Mark done"),
            ("nuggets", ["rows": [["id": "n1", "title": typed, "stale": true, "served": 4]], "columns": [["label": "Nugget"]], "staleOwners": []], "stale"),
            ("quizzes", ["topics": [["topic": typed, "first": "50 %", "latest": "100 %"]], "hardest": [], "leeches": []], "100 %"),
            ("people", ["platforms": [["platform": typed, "askers": 3]], "showNames": false], "counts only"),
            ("try", ["csrf": "t0k3n", "engine": "keyword", "asked": true, "decision": "answer", "candidates": [["rank": 1, "id": "n1", "words": typed]]], "Decision: answer"),
        ]
        for (template, context, expected) in pages {
            let html = renderer.page(template, title: "Page \(template)", context: context, session: template == "login" ? nil : session)
            #expect(html.contains("<h1>Page \(template)</h1>"), "\(template)")
            #expect(html.contains(expected), "\(template) shows \(expected)")
            #expect(!html.contains("<script>"), "\(template) escapes what people typed")
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"), "\(template) shows what was typed, escaped")
            #expect(!html.contains("style=") && !html.contains("onclick"), "\(template): nothing the CSP would block")
            #expect(html.contains("Sign out alice") == (template != "login"), "\(template): navigation only when signed in")
        }
    }

    @Test func tryItExplainsWithExamplesAndWords() throws {
        let nuggets = [
            Nugget(id: "taxi", title: "Taxi expenses", keywords: ["taxi", "cab"], questions: ["Can I expense a taxi home?", "Is a cab reimbursed?"], body: "Taxis after 21:00."),
            Nugget(id: "vpn", title: "Connecting to the VPN", keywords: ["vpn"], questions: ["How do I connect to the VPN?", "VPN keeps dropping"], body: "Use the client."),
        ]
        let matcher = try Matcher(nuggets: nuggets, settings: MatcherSettings())
        let (decision, candidates) = matcher.explain("can I expense a taxi home at night")
        guard case .answer(let match) = decision else { Issue.record("expected an answer, got \(decision)"); return }
        #expect(match.nuggetID == "taxi")
        let first = try #require(candidates.first)
        #expect(first.closestExample == "Can I expense a taxi home?")
        #expect(first.sharedWords == ["expense", "taxi", "home"], "night is in no text of the nugget")
        #expect(first.exampleSimilarity > 0 && first.exampleSimilarity <= 1)
    }
}
