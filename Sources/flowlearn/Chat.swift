import ArgumentParser
import FlowLearnConsole
import FlowLearnCore
import FlowLearnStore
import Foundation

/// `flowlearn chat`: a console conversation on the same core the chat platforms use, quizzes included
/// (typed letters instead of buttons). Quiz progress lives in a private in-memory store.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask questions and take quizzes in the terminal, as a chat user would.",
        discussion: "Type a question, '/quiz [topic]' to start a quiz (answer with the letters), 'help', or 'quit'.")

    @OptionGroup var content: ContentOptions

    func run() async throws {
        let (assistant, quizmaster) = try content.load()
        let store = try SQLiteStore.inMemory()
        let learner = Learner(platform: "console", user: NSUserName())
        let interactive = isatty(STDIN_FILENO) != 0
        if interactive {
            print(
                "FlowLearn chat: \(assistant.matcher.nuggets.count) nuggets and \(quizmaster.questions.count) quiz questions loaded. "
                    + "Type a question, '/quiz', 'help', or 'quit'.")
        }
        var messageNumber = 0
        while true {
            if interactive {
                FileHandle.standardOutput.write(Data("\nyou> ".utf8))
            }
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if ["quit", "exit", ":q"].contains(text.lowercased()) { break }
            if text.isEmpty { continue }
            messageNumber += 1
            let now = Date()
            let output: String
            if let thanks = try await AnswerFeedback.typed(text, learner: learner, store: store, at: now) {
                output = thanks
            } else if text.lowercased().hasPrefix("/quiz") {
                let reply = try await quizmaster.command(
                    String(text.dropFirst(5)), learner: learner, channel: "console", at: now, store: store)
                output = ConsoleQuizRenderer.render(reply)
            } else if let reply = try await quizmaster.textAnswer(
                text, messageID: "console-\(messageNumber)-\(now.timeIntervalSince1970)", learner: learner, at: now, store: store)
            {
                output = ConsoleQuizRenderer.render(reply)
            } else {
                let message = InboundMessage(
                    kind: .direct, conversation: ConversationRef(platform: "console", channel: "console"), user: learner.user, text: text,
                    receivedAt: now)
                var response = assistant.respond(to: message, command: "")
                if response.log?.outcome == .answered { response.log?.answerID = AnswerFeedback.makeAnswerID() }
                if let log = response.log { try await store.record(log) }
                output = ConsoleRenderer.render(response.reply) + (response.log?.answerID == nil ? "" : "\n\n" + AnswerFeedback.typedHint)
            }
            print(interactive ? "\nflowlearn> " + output : output + "\n")
        }
    }
}
