import FlowLearnSlack
import Foundation
import Testing

@Suite("Slack request signatures")
struct SlackSignatureTests {
    // The worked example from Slack's "Verifying requests from Slack" documentation.
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let timestamp = "1531420618"
    static let body = Array(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c".utf8)
    static let documented = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let now = Date(timeIntervalSince1970: 1531420618 + 10)

    let signature = SlackSignature(signingSecret: secret)

    @Test func acceptsSlacksDocumentedExample() throws {
        #expect(signature.sign(timestamp: Self.timestamp, body: Self.body) == Self.documented)
        try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: Self.now)
        try signature.verify(timestamp: Self.timestamp, signature: Self.documented.uppercased().replacingOccurrences(of: "V0=", with: "v0="), body: Self.body, now: Self.now)
    }

    @Test func rejectsAChangedBody() {
        var body = Self.body
        body[body.count - 1] = UInt8(ascii: "d")
        #expect(throws: SlackSignature.Failure.mismatch) {
            try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: body, now: Self.now)
        }
    }

    @Test func rejectsAnotherSecret() {
        #expect(throws: SlackSignature.Failure.mismatch) {
            try SlackSignature(signingSecret: "other").verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: Self.now)
        }
    }

    @Test func rejectsReplaysOutsideFiveMinutes() throws {
        let at = Date(timeIntervalSince1970: 1531420618)
        try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: at.addingTimeInterval(300))
        try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: at.addingTimeInterval(-300))
        #expect(throws: SlackSignature.Failure.expired) {
            try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: at.addingTimeInterval(301))
        }
        #expect(throws: SlackSignature.Failure.expired) {
            try signature.verify(timestamp: Self.timestamp, signature: Self.documented, body: Self.body, now: at.addingTimeInterval(-301))
        }
    }

    @Test(arguments: [
        (nil, documented, SlackSignature.Failure.missingHeaders),
        (timestamp, nil, .missingHeaders),
        ("yesterday", documented, .malformedTimestamp),
        (timestamp, "v1=" + documented.dropFirst(3), .mismatch),
        (timestamp, "v0=abc", .mismatch),
        (timestamp, "v0=" + String(repeating: "zz", count: 32), .mismatch),
    ] as [(String?, String?, SlackSignature.Failure)])
    func rejectsMalformedHeaders(_ timestamp: String?, _ header: String?, _ failure: SlackSignature.Failure) {
        #expect(throws: failure) {
            try signature.verify(timestamp: timestamp, signature: header, body: Self.body, now: Self.now)
        }
    }
}
