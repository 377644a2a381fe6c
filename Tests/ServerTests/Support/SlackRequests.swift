import FlowLearnSlack
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Builds signed Slack requests the way Slack sends them.
struct SlackRequests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    let now: Date

    var signature: SlackSignature { SlackSignature(signingSecret: Self.secret) }

    func headers(for body: [UInt8], contentType: String, at date: Date? = nil, secret: String = SlackRequests.secret) -> HTTPFields {
        let timestamp = String(Int((date ?? now).timeIntervalSince1970))
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[HTTPField.Name(SlackSignature.timestampHeader)!] = timestamp
        fields[HTTPField.Name(SlackSignature.signatureHeader)!] = SlackSignature(signingSecret: secret).sign(timestamp: timestamp, body: body)
        return fields
    }

    static func form(_ fields: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }

    static func slashCommand(text: String, responseURL: String, command: String = "/learn") -> [UInt8] {
        form([
            ("token", "gIkuvaNzQIHg97ATvDxqgjtO"), ("team_id", "T0001"), ("team_domain", "lumio"),
            ("channel_id", "C2147483705"), ("channel_name", "general"), ("user_id", "U2147483697"),
            ("user_name", "sam"), ("command", command), ("text", text), ("api_app_id", "A123456"),
            ("response_url", responseURL), ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
        ])
    }

    /// A `block_actions` interaction as Slack posts it when a quiz button is clicked: `value` is the
    /// button's value; `selected` (for multiple-choice questions) the ticked checkbox values.
    static func blockActions(
        actionID: String, value: String, triggerID: String, responseURL: String, selected: [Int] = [], blockID: String = "quiz:block"
    ) -> [UInt8] {
        let payload: [String: Any] = [
            "type": "block_actions",
            "user": ["id": "U2147483697", "username": "sam", "name": "sam", "team_id": "T0001"],
            "api_app_id": "A123456", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "container": ["type": "message", "message_ts": "1548426417.840180", "channel_id": "C2147483705", "is_ephemeral": true],
            "trigger_id": triggerID, "team": ["id": "T0001", "domain": "lumio"],
            "channel": ["id": "C2147483705", "name": "general"],
            "response_url": responseURL,
            "state": ["values": [blockID: ["quiz.select": ["type": "checkboxes", "selected_options": selected.map { ["value": "\($0)"] }]]]],
            "actions": [[
                "type": "button", "action_id": actionID, "block_id": blockID, "value": value,
                "text": ["type": "plain_text", "text": "A"], "action_ts": "1548426719.787070",
            ]],
        ]
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        return form([("payload", json)])
    }

    static func appMention(eventID: String, text: String, channel: String = "C0LAN2Q65", ts: String = "1515449522.000016") -> [UInt8] {
        let event: [String: Any] = [
            "token": "ZZZZZZWSxiZZZ2yIvs3peJ", "team_id": "T061EG9R6", "api_app_id": "A0MDYCDME",
            "event": [
                "type": "app_mention", "user": "U061F7AUR", "text": "<@U0LAN0Z89> \(text)", "ts": ts,
                "channel": channel, "event_ts": ts,
            ],
            "type": "event_callback", "event_id": eventID, "event_time": 1515449522,
            "authorizations": [["enterprise_id": NSNull(), "team_id": "T061EG9R6", "user_id": "U0LAN0Z89", "is_bot": true]],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: event))
    }
}

/// What a slash command's acknowledgement shows: the message in its body.
struct ShownReply {
    let json: [String: Any]
    let text: String

    init(_ response: TestResponse) throws {
        text = String(buffer: response.body)
        json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "a JSON message in the body")
    }

    /// The value of the Helpful / Not helpful buttons: the answer's id.
    var answerID: String? {
        let blocks = json["blocks"] as? [[String: Any]] ?? []
        let actions = blocks.first { $0["type"] as? String == "actions" }
        let elements = actions?["elements"] as? [[String: Any]] ?? []
        return elements.first?["value"] as? String
    }
}
