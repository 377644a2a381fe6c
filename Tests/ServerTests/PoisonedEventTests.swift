import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// An event that makes the server fail or crash is tried twice, then set aside: it cannot take the
/// server down at every resend, nor hold up the events behind it.
@Suite("Poisoned inbound events")
struct PoisonedEventTests {
    static let now = Date(timeIntervalSince1970: 1_767_258_000)

    @Test("attempts are counted before handling: two, then poisoned with a reason; a handled event is done")
    func storeCountsAttempts() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$crash", at: Self.now) == .handle(attempt: 1))
        // The server crashed while handling it; the homeserver resends after the restart.
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$crash", at: Self.now) == .handle(attempt: 2))
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$crash", at: Self.now) == .poisoned)
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$crash", at: Self.now) == .poisoned)
        // One that failed with an error keeps the error as its reason.
        _ = try await store.beginEvent(platform: "slack", eventID: "Ev1", at: Self.now)
        try await store.failEvent(platform: "slack", eventID: "Ev1", reason: "disk I/O error")
        _ = try await store.beginEvent(platform: "slack", eventID: "Ev1", at: Self.now)
        #expect(try await store.beginEvent(platform: "slack", eventID: "Ev1", at: Self.now.addingTimeInterval(5)) == .poisoned)
        let poisoned = try await store.poisonedEvents(limit: 10)
        #expect(poisoned.map(\.eventID) == ["Ev1", "$crash"])
        #expect(poisoned.first?.reason == "disk I/O error" && poisoned.first?.attempts == 2)
        #expect(poisoned.last?.reason.contains("crashed or stopped") == true)
        // An event handled on its first attempt is done, and leaves no attempt behind.
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$ok", at: Self.now) == .handle(attempt: 1))
        #expect(try await store.claimEvent(platform: "matrix", eventID: "$ok", at: Self.now, logging: nil))
        #expect(try await store.beginEvent(platform: "matrix", eventID: "$ok", at: Self.now) == .done)
        #expect(try await store.poisonedEvents(limit: 10).count == 2)
    }

    @Test("a poisoned Matrix event is skipped and the rest of its transaction answered; /metrics counts it")
    func matrixSkipsPoisoned() async throws {
        let sink = try await LocalHTTPSink()
        let server = try MatrixTests().server(sink)
        // "$bad" crashed the server twice already.
        _ = try await server.store.beginEvent(platform: "matrix", eventID: "$bad", at: Self.now)
        _ = try await server.store.beginEvent(platform: "matrix", eventID: "$bad", at: Self.now)
        try await server.application().test(.router) { client in
            let body = MatrixTests.transaction([
                MatrixTests.message("flowlearn: how do I connect to the VPN?", id: "$bad"),
                MatrixTests.message("flowlearn: how do I get reimbursed for a taxi ride?", id: "$good"),
            ])
            let response = try await MatrixTests().put(client, txn: "p1", body)
            #expect(response.status == .ok)
            let received = try await sink.waitForRequests(1)
            #expect((received.first?.json?["body"] as? String)?.hasPrefix("Taxi and ride-share expenses") == true)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"flowlearn_poisoned_events{platform="matrix"} 1"#))
        }
        #expect(try await server.store.poisonedEvents(limit: 5).map(\.eventID) == ["$bad"])
    }

    @Test("a poisoned Slack event is acknowledged and skipped; the next one is answered")
    func slackSkipsPoisoned() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        _ = try await server.store.beginEvent(platform: "slack", eventID: "EvBAD", at: Self.now)
        _ = try await server.store.beginEvent(platform: "slack", eventID: "EvBAD", at: Self.now)
        try await server.application().test(.router) { client in
            let bad = SlackRequests.appMention(eventID: "EvBAD", text: "how do I connect to the VPN?")
            #expect(try await client.slack(.events, bad, server: server).status == .ok)
            let good = SlackRequests.appMention(eventID: "EvGOOD", text: "how do I get reimbursed for a taxi ride?", ts: "1515449523.000017")
            #expect(try await client.slack(.events, good, server: server).status == .ok)
            let received = try await sink.waitForRequests(1)
            #expect(received.count == 1)
            #expect((received.first?.json?["text"] as? String)?.contains("Taxi") == true)
        }
        #expect(try await server.store.poisonedEvents(limit: 5).map(\.eventID) == ["EvBAD"])
    }
}
