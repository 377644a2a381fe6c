import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

/// Kept replies whose URL is their own secret (a Slack response_url, a Discord interaction webhook)
/// do not outlive the platform's validity: past it they can only fail, and the secret must go.
@Suite("Kept replies expire with their response URLs")
struct ReplyExpiryTests {
    @Test("validity by kind of request, and the time each batch was kept survives the store")
    func validityAndKeptAt() async throws {
        let responseURL = OutboundRequest(url: "https://hooks.slack.com/commands/T1/2/abc", headers: [], body: [], purpose: "slack.response")
        let botPost = OutboundRequest(
            url: "https://slack.com/api/chat.postMessage", headers: [.init("Authorization", "Bearer xoxb", isSecret: true)], body: [],
            purpose: "slack.reply")
        let followUp = OutboundRequest(url: "https://discord.com/api/v10/webhooks/1/tok/messages/@original", headers: [], body: [], purpose: "d")
        #expect(KeptReplies.validity(platform: "slack", request: responseURL, needsCredentials: false) == 1_800)
        #expect(KeptReplies.validity(platform: "slack", request: botPost, needsCredentials: true) == nil)
        #expect(KeptReplies.validity(platform: "discord", request: followUp, needsCredentials: false) == 900)
        #expect(KeptReplies.validity(platform: "matrix", request: responseURL, needsCredentials: false) == nil)

        let store = try SQLiteStore.inMemory()
        let keptAt = Date(timeIntervalSince1970: 1_767_258_000)
        _ = try await store.keepReplies([responseURL], platform: "slack", at: keptAt)
        _ = try await store.keepReplies([botPost], platform: "slack", at: keptAt.addingTimeInterval(60))
        let kept = try await store.keptReplies()
        #expect(kept.map(\.keptAt) == [keptAt, keptAt.addingTimeInterval(60)])
        #expect(kept.map(\.needsCredentials) == [[false], [true]])
    }
}
