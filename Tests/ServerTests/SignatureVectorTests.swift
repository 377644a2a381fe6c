import FlowLearnDiscord
import FlowLearnTeams
import Foundation
import Testing

/// Known-answer tests: signatures computed outside the code under test, by
/// `python3 scripts/signature-vectors.py` (Python's hmac; the `cryptography` package's Ed25519),
/// values pasted here. A signer and a verifier of our own that agreed on a wrong construction would
/// pass a round trip; these do not.
@Suite("Signature schemes against vectors computed elsewhere")
struct SignatureVectorTests {
    @Test("Teams: HMAC-SHA256 keyed by the base64-decoded security token, base64 after 'HMAC '")
    func teams() throws {
        let webhook = TeamsOutgoingWebhook(securityToken: "YSBzaGFyZWQgc2VjcmV0IG9mIHRoaXJ0eS10d28gYi4=")
        let body = Array(#"{"type":"message","id":"1764500000001","text":"<at>FlowLearn</at> how do I claim a taxi?"}"#.utf8)
        let expected = "HMAC XWzRBfWWMpKaXnK+lDuzFVS/tJFRY1baWogP/vH7ivo="
        #expect(webhook.sign(body) == expected)
        try webhook.verify(authorization: expected, body: body)
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try webhook.verify(authorization: expected, body: body.dropLast() + [0x7D, 0x20]) }
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) {
            try webhook.verify(authorization: "HMAC YWzRBfWWMpKaXnK+lDuzFVS/tJFRY1baWogP/vH7ivo=", body: body)  // first byte changed
        }
    }

    @Test("Discord: Ed25519 over timestamp + body, hex encoded")
    func discord() throws {
        let interactions = DiscordInteractions(publicKeyHex: "4d0ec3a0d03fefff93a9bcce2a24b406d46f44aeff1f7787daedb13caafa402c")
        let body = Array(#"{"type":1,"id":"1180000000000000000","application_id":"1170000000000000000","token":"tok","version":1}"#.utf8)
        let signature =
            "98b54499c7bc1fea10e68185375b0743ef524bbe28a163964d598a528a6ba2b2cf0321603fd6d8a723a3a79bbc40ad01094a293c5c736a5d3126a46cbf716e08"
        let now = Date(timeIntervalSince1970: 1_764_500_030)
        try interactions.verify(signature: signature, timestamp: "1764500000", body: body, now: now)
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(signature: signature, timestamp: "1764500001", body: body, now: now)
        }
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(signature: signature, timestamp: "1764500000", body: body + [0x20], now: now)
        }
        let flipped = String(signature.dropLast()) + "9"
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(signature: flipped, timestamp: "1764500000", body: body, now: now)
        }
    }
}
