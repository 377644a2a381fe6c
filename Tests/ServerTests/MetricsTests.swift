import FlowLearnCore
@testable import FlowLearnServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /metrics")
struct MetricsTests {
    static func metrics(_ client: some TestClientProtocol) async throws -> (String, String?) {
        try await client.execute(uri: "/metrics", method: .get) { response in
            (String(buffer: response.body), response.headers[.contentType])
        }
    }

    @Test func aConfiguredTokenIsRequired() async throws {
        let sink = try await LocalHTTPSink()
        var server = try TestServer(sink: sink)
        server.environment["FLOWLEARN_METRICS_TOKEN"] = "s3cret-scrape"
        try await server.application().test(.router) { client in
            for header in [nil, "Bearer wrong", "Bearer s3cret-scrap", "Bearer s3cret-scrape2", "s3cret-scrape", "Basic s3cret-scrape"] {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/metrics", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(header ?? "no header")")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(!String(buffer: response.body).contains("flowlearn_"))
                }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer s3cret-scrape"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("flowlearn_content_nuggets "))
            }
            // Health checks stay open.
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test func countsQuestionsByOutcomeAndRequestsByRoutePattern() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        try await server.application().test(.router) { client in
            let (before, type) = try await Self.metrics(client)
            #expect(type?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(before.contains("flowlearn_questions_total{outcome=\"answered\"} 0\n"))
            #expect(before.contains("flowlearn_content_nuggets ") && !before.contains("flowlearn_content_nuggets 0\n"))
            #expect(before.contains("flowlearn_nudges{state=\"pending\"} 0\n"))

            let known = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
            #expect(try await client.slack(.commands, known, server: server).status == .ok)
            let unknown = SlackRequests.slashCommand(text: "what's the best pizza topping?", responseURL: server.responseURL)
            #expect(try await client.slack(.commands, unknown, server: server).status == .ok)
            // A forged request is refused and counted under its route, with its status.
            var forged = server.slack.headers(for: known, contentType: "application/x-www-form-urlencoded")
            forged[HTTPField.Name("X-Slack-Signature")!] = "v0=" + String(repeating: "0", count: 64)
            try await client.execute(uri: "/slack/commands", method: .post, headers: forged, body: ByteBuffer(bytes: known)) { response in
                #expect(response.status == .unauthorized)
            }
            // A path no route knows is counted as "unmatched", never under its own (unbounded) path.
            try await client.execute(uri: "/no/such/path/\(UUID().uuidString)", method: .get) { response in
                #expect(response.status == .notFound)
            }
            let (after, _) = try await Self.metrics(client)
            #expect(after.contains("flowlearn_questions_total{outcome=\"answered\"} 1\n"), "\(after)")
            #expect(after.contains("flowlearn_questions_total{outcome=\"unknown\"} 1\n"))
            #expect(after.contains("flowlearn_http_requests_total{method=\"POST\",route=\"/slack/commands\",status=\"200\"} 2\n"))
            #expect(after.contains("flowlearn_http_requests_total{method=\"POST\",route=\"/slack/commands\",status=\"401\"} 1\n"))
            #expect(after.contains("route=\"unmatched\",status=\"404\"} 1\n"))
            #expect(!after.contains("/no/such/path"))
            #expect(after.contains("flowlearn_http_request_duration_seconds_count{route=\"/slack/commands\"} 3\n"))
            #expect(after.contains("flowlearn_matcher_info{engine=\""))
            // The two questions were committed by the group commit (in one or two transactions).
            let commits = after.split(separator: "\n").first { $0.hasPrefix("flowlearn_store_commits_total ") }.flatMap { Int($0.split(separator: " ")[1]) }
            let writes = after.split(separator: "\n").first { $0.hasPrefix("flowlearn_store_commit_writes_total ") }.flatMap { Int($0.split(separator: " ")[1]) }
            #expect(writes.map { $0 >= 2 } == true && commits.map { $0 >= 1 && $0 <= (writes ?? 0) } == true, "\(after)")
            #expect(!after.contains("flowlearn_store_checkpoint_passes_total"), "an in-memory store has no background checkpoints")
        }
    }

    @Test func checkpointPassesAreCountedByResult() {
        let text = MetricsPage.writeCounters(WriteCounters(commits: 3, writes: 10, checkpointPasses: 7, checkpointFailures: 2))
        #expect(text.contains("flowlearn_store_commits_total 3\n") && text.contains("flowlearn_store_commit_writes_total 10\n"))
        #expect(text.contains("flowlearn_store_checkpoint_passes_total{result=\"ok\"} 5\n"))
        #expect(text.contains("flowlearn_store_checkpoint_passes_total{result=\"failed\"} 2\n"))
    }
}
