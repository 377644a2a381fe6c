import FlowLearnCore
import Foundation

/// Renders quiz replies as Block Kit: a question is a section with the lettered choices and one button
/// per choice (checkboxes and a Submit button when several answers are right); a result replaces the
/// question; leaderboards and stats are plain sections. All quiz messages are ephemeral.
public enum SlackQuizEncoder {
    /// The body of a synchronous answer to `/quiz`.
    public static func immediateResponse(_ reply: QuizReply) -> [UInt8] {
        var message = message(for: reply)
        message.response_type = "ephemeral"
        return SlackReplyEncoder.json(message)
    }

    /// After a click: the result replaces the question, then the next question (or nothing after the
    /// last one: the result carries the score) arrives as a new message.
    public static func responseURLMessages(_ reply: QuizReply, responseURL: String) -> [OutboundRequest] {
        switch reply {
        case .result(let feedback, let next):
            var result = SlackMessage(text: resultText(feedback), blocks: resultBlocks(feedback))
            result.replace_original = true
            result.response_type = "ephemeral"
            var requests = [request(result, responseURL, purpose: "slack.quiz.result")]
            if let next {
                var question = questionMessage(next)
                question.replace_original = false
                question.response_type = "ephemeral"
                requests.append(request(question, responseURL, purpose: "slack.quiz.question"))
            }
            return requests
        default:
            var message = message(for: reply)
            message.replace_original = false
            message.response_type = "ephemeral"
            return [request(message, responseURL, purpose: "slack.quiz.notice")]
        }
    }

    static func request(_ message: SlackMessage, _ url: String, purpose: String) -> OutboundRequest {
        OutboundRequest(
            url: url, headers: [.init("Content-Type", "application/json; charset=utf-8")], body: SlackReplyEncoder.json(message),
            purpose: purpose)
    }

    static func message(for reply: QuizReply) -> SlackMessage {
        switch reply {
        case .question(let prompt):
            return questionMessage(prompt)
        case .result(let feedback, let next):
            var blocks = resultBlocks(feedback)
            if let next { blocks += questionMessage(next).blocks }
            return SlackMessage(text: resultText(feedback), blocks: blocks)
        case .stale(let text), .notice(let text):
            return SlackMessage(text: text, blocks: [.section(SlackText.mrkdwn(fromMarkdown: text))])
        case .stats(let stats):
            let lines = QuizWording.statsLines(stats).map { SlackText.mrkdwn(fromMarkdown: $0) }
            return SlackMessage(text: lines[0], blocks: [.section(lines.joined(separator: "\n"))])
        case .leaderboard(let entries, _):
            // The lines are already valid mrkdwn (backticks only); mentions must not be escaped.
            let lines = QuizWording.leaderboardLines(entries, command: "/quiz") { "<@\(SlackText.escape($0))>" }
            return SlackMessage(text: "Quiz leaderboard", blocks: [.section(lines.joined(separator: "\n"))])
        case .help(let command, let topics, let problem):
            let lines = ((problem.map { [$0] } ?? []) + QuizWording.helpLines(command: command, topics: topics)).map { SlackText.mrkdwn(fromMarkdown: $0) }
            return SlackMessage(text: lines[0], blocks: [.section(lines.joined(separator: "\n"))])
        }
    }

    static func questionMessage(_ prompt: QuizPrompt) -> SlackMessage {
        let question = prompt.question
        let header = "*Question \(prompt.position + 1) of \(prompt.total)*" + (prompt.isReview ? " · _review_" : "")
        var lines = [header, SlackText.escape(question.prompt)]
        if question.kind != .trueFalse {
            lines += question.choices.indices.map { "*\(QuizQuestion.letter($0)).* \(SlackText.escape(question.choices[$0]))" }
        }
        if question.kind == .multiple { lines.append("_Tick every right answer, then Submit._") }
        let blockID = "quiz:\(prompt.sessionID):\(prompt.position)"
        let elements: [SlackMessage.Element]
        if question.kind == .multiple {
            elements = [
                .checkboxes(
                    actionID: SlackInteraction.selectAction,
                    options: question.choices.indices.map { ("*\(QuizQuestion.letter($0)).* \(SlackText.escape(clip(question.choices[$0], 140)))", "\($0)") }),
                .button(actionID: SlackInteraction.submitAction, text: "Submit", value: "\(prompt.sessionID):\(prompt.position)", style: "primary"),
            ]
        } else {
            elements = question.choices.indices.map { index in
                let label = question.kind == .trueFalse ? question.choices[index] : "\(QuizQuestion.letter(index)). \(question.choices[index])"
                return .button(
                    actionID: "\(SlackInteraction.pickPrefix)\(index)", text: clip(label, 75), value: "\(prompt.sessionID):\(prompt.position):\(index)",
                    style: nil)
            }
        }
        return SlackMessage(
            text: "Question \(prompt.position + 1) of \(prompt.total): \(question.prompt)",
            blocks: [.section(SlackReplyEncoder.clip(lines.joined(separator: "\n"))), .actions(id: blockID, elements)])
    }

    static func resultText(_ feedback: QuizFeedback) -> String {
        QuizWording.verdict(feedback)
    }

    static func resultBlocks(_ feedback: QuizFeedback) -> [SlackMessage.Block] {
        let question = feedback.question
        var lines = [
            "*Question \(feedback.position + 1) of \(feedback.total)*: \(SlackText.escape(question.prompt))",
            (feedback.correct ? ":white_check_mark: " : ":x: ") + SlackText.escape(QuizWording.verdict(feedback)),
            SlackText.mrkdwn(fromMarkdown: question.explanation),
        ]
        if let score = feedback.score, feedback.total > 1 { lines.append("*\(QuizWording.score(score, of: feedback.total))*") }
        var blocks: [SlackMessage.Block] = [.section(SlackReplyEncoder.clip(lines.joined(separator: "\n")))]
        if feedback.correct, !feedback.sessionID.isEmpty {
            // A right answer is rated "good"; these refine it for the spaced-repetition schedule.
            let value = "\(feedback.sessionID):\(feedback.position)"
            blocks.append(.actions(id: "quizrefine:\(value)", [
                .button(actionID: SlackInteraction.easyAction, text: "That was easy", value: value, style: nil),
                .button(actionID: SlackInteraction.guessedAction, text: "I guessed", value: value, style: nil),
            ]))
        }
        if let nugget = feedback.nugget {
            let more = nugget.links.first.map { " · <\(SlackText.escape($0.url))|\(SlackText.escape($0.title))>" } ?? ""
            blocks.append(.context("From the nugget *\(SlackText.escape(nugget.title))*: ask me `\(SlackText.escape(nugget.questions.first ?? nugget.title))`\(more)"))
        }
        return blocks
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
