import FlowLearnCore
import Foundation

/// A slash command (`/learn …`) as Slack posts it, form-encoded.
public struct SlackSlashCommand: Sendable, Hashable {
    public var teamID: String
    public var channelID: String
    public var userID: String
    public var command: String
    public var text: String
    public var responseURL: String

    public static func decode(_ body: [UInt8]) throws(SlackDecodingError) -> SlackSlashCommand {
        let form = FormFields(body)
        if let problem = form.problem { throw SlackDecodingError(description: problem) }
        guard let command = form["command"], let userID = form["user_id"], let channelID = form["channel_id"],
            let responseURL = form["response_url"]
        else {
            throw SlackDecodingError(description: "slash command needs command, user_id, channel_id and response_url")
        }
        return SlackSlashCommand(
            teamID: form["team_id"] ?? "", channelID: channelID, userID: userID, command: command,
            text: form["text"] ?? "", responseURL: responseURL)
    }

    public func message(receivedAt: Date) -> InboundMessage {
        InboundMessage(
            kind: .command, conversation: ConversationRef(platform: "slack", channel: channelID), user: userID, team: teamID,
            text: SlackText.removingMentions(text), receivedAt: receivedAt)
    }
}
