import Foundation

/// Where a conversation happens, in the platform's own opaque ids: the core never looks inside.
public struct ConversationRef: Sendable, Hashable, Codable {
    public var platform: String
    public var channel: String
    /// The thread to reply in, when the platform has threads.
    public var thread: String?

    public init(platform: String, channel: String, thread: String? = nil) {
        self.platform = platform
        self.channel = channel
        self.thread = thread
    }
}

/// A question that reached the assistant, decoded from any platform.
public struct InboundMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// The bot was mentioned in a channel.
        case mention
        /// A direct message to the bot.
        case direct
        /// A slash command such as `/learn`.
        case command
    }

    public var kind: Kind
    public var conversation: ConversationRef
    /// The asking person, opaque.
    public var user: String
    /// The person's workspace where the platform has several (Slack team, Mattermost team, Discord
    /// guild); empty elsewhere. With `user` it names the learner (`Learner`).
    public var team: String
    /// The question, with platform markup (mentions) already removed.
    public var text: String
    public var receivedAt: Date

    public init(kind: Kind, conversation: ConversationRef, user: String, team: String = "", text: String, receivedAt: Date) {
        self.kind = kind
        self.conversation = conversation
        self.user = user
        self.team = team
        self.text = text
        self.receivedAt = receivedAt
    }
}
