import FlowLearnCore
import Foundation

/// A Block Kit interaction (`block_actions`), posted form-encoded with one field `payload` holding JSON.
/// Only quiz answers mean something to FlowLearn; checkbox ticks (before "Submit") and other actions
/// are acknowledged and ignored.
public enum SlackInteraction: Sendable, Hashable {
    case quizAnswer(QuizClick)
    /// "That was easy" / "I guessed" under a right answer.
    case quizRefine(sessionID: String, position: Int, easy: Bool, learner: Learner, responseURL: String)
    /// "More like this" / "Not useful" under a nudge.
    case nudgeFeedback(key: String, useful: Bool, learner: Learner, responseURL: String)
    /// "Helpful" / "Not helpful" under an answer.
    case answerFeedback(answerID: String, helpful: Bool, learner: Learner, responseURL: String)
    case ignored(String)

    public struct QuizClick: Sendable, Hashable {
        public var sessionID: String
        public var position: Int
        public var picks: Set<Int>
        /// Unique per click (Slack's `trigger_id`), so a redelivered click is recognised.
        public var actionID: String
        public var learner: Learner
        public var channel: String
        public var responseURL: String
    }

    public static let pickPrefix = "quiz.pick."
    public static let selectAction = "quiz.select"
    public static let submitAction = "quiz.submit"
    public static let easyAction = "quiz.easy"
    public static let guessedAction = "quiz.guessed"

    public static func decode(_ body: [UInt8]) throws(SlackDecodingError) -> SlackInteraction {
        guard let json = FormFields(body)["payload"] else {
            throw SlackDecodingError(description: "interaction needs a form field 'payload'")
        }
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(json.utf8))
        } catch {
            throw SlackDecodingError(description: "interaction payload is not the JSON Slack sends: \(error)")
        }
        guard payload.type == "block_actions" else { return .ignored("interaction type \(payload.type)") }
        guard let action = payload.actions?.first else { return .ignored("no action") }
        guard let user = payload.user?.id, let responseURL = payload.response_url else {
            throw SlackDecodingError(description: "block_actions needs user.id and response_url")
        }
        let team = payload.team?.id ?? payload.user?.team_id ?? ""
        let learner = Learner(platform: "slack", team: team, user: user)
        let actionID = payload.trigger_id ?? "\(user):\(action.action_ts ?? "")"
        let channel = payload.channel?.id ?? payload.container?.channel_id ?? ""

        if action.action_id.hasPrefix(pickPrefix) {
            let parts = (action.value ?? "").split(separator: ":").map(String.init)
            guard parts.count == 3, let position = Int(parts[1]), let choice = Int(parts[2]), position >= 0, (0..<26).contains(choice) else {
                throw SlackDecodingError(description: "quiz button value '\(action.value ?? "")' is not session:question:choice")
            }
            return .quizAnswer(QuizClick(
                sessionID: parts[0], position: position, picks: [choice], actionID: actionID, learner: learner, channel: channel,
                responseURL: responseURL))
        }
        if action.action_id == submitAction {
            let parts = (action.value ?? "").split(separator: ":").map(String.init)
            guard parts.count == 2, let position = Int(parts[1]), position >= 0 else {
                throw SlackDecodingError(description: "quiz submit value '\(action.value ?? "")' is not session:question")
            }
            var picks = Set<Int>()
            for (_, actions) in payload.state?.values ?? [:] {
                for option in actions[selectAction]?.selected_options ?? [] {
                    guard let index = Int(option.value), (0..<26).contains(index) else {
                        throw SlackDecodingError(description: "quiz option value '\(option.value)' is not a choice number")
                    }
                    picks.insert(index)
                }
            }
            return .quizAnswer(QuizClick(
                sessionID: parts[0], position: position, picks: picks, actionID: actionID, learner: learner, channel: channel,
                responseURL: responseURL))
        }
        if action.action_id == easyAction || action.action_id == guessedAction {
            let parts = (action.value ?? "").split(separator: ":").map(String.init)
            guard parts.count == 2, let position = Int(parts[1]), position >= 0 else {
                throw SlackDecodingError(description: "quiz refine value '\(action.value ?? "")' is not session:question")
            }
            return .quizRefine(sessionID: parts[0], position: position, easy: action.action_id == easyAction, learner: learner, responseURL: responseURL)
        }
        if action.action_id == SlackNudgeEncoder.moreAction || action.action_id == SlackNudgeEncoder.lessAction {
            guard let key = action.value, !key.isEmpty else { throw SlackDecodingError(description: "nudge feedback needs a value") }
            return .nudgeFeedback(key: key, useful: action.action_id == SlackNudgeEncoder.moreAction, learner: learner, responseURL: responseURL)
        }
        if action.action_id == SlackReplyEncoder.helpfulAction || action.action_id == SlackReplyEncoder.notHelpfulAction {
            guard let answerID = action.value, !answerID.isEmpty, answerID.utf8.count <= 64 else {
                throw SlackDecodingError(description: "answer feedback needs the answer's id as its value")
            }
            return .answerFeedback(
                answerID: answerID, helpful: action.action_id == SlackReplyEncoder.helpfulAction, learner: learner, responseURL: responseURL)
        }
        return .ignored("action \(action.action_id)")
    }

    struct Payload: Decodable {
        struct ID: Decodable {
            var id: String?
            var team_id: String?
        }
        struct Container: Decodable {
            var channel_id: String?
        }
        struct Action: Decodable {
            var action_id: String
            var block_id: String?
            var value: String?
            var action_ts: String?
        }
        struct Option: Decodable {
            var value: String
        }
        struct Selection: Decodable {
            var selected_options: [Option]?
        }
        struct State: Decodable {
            var values: [String: [String: Selection]]?
        }
        var type: String
        var user: ID?
        var team: ID?
        var channel: ID?
        var container: Container?
        var trigger_id: String?
        var response_url: String?
        var actions: [Action]?
        var state: State?
    }
}
