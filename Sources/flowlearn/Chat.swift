import ArgumentParser
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// `flowlearn chat`: a console conversation on the same core the chat platforms use.
struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask questions in the terminal and see the replies a chat user would get.")

    @OptionGroup var content: ContentOptions

    func run() throws {
        let assistant = try content.assistant()
        let interactive = isatty(STDIN_FILENO) != 0
        if interactive {
            print("FlowLearn chat: \(assistant.matcher.nuggets.count) nuggets loaded. Type a question, 'help', or 'quit'.")
        }
        while true {
            if interactive {
                FileHandle.standardOutput.write(Data("\nyou> ".utf8))
            }
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if ["quit", "exit", ":q"].contains(text.lowercased()) { break }
            if text.isEmpty { continue }
            let message = InboundMessage(
                kind: .direct, conversation: ConversationRef(platform: "console", channel: "console"),
                user: NSUserName(), text: text, receivedAt: Date())
            let response = assistant.respond(to: message, command: "")
            print(interactive ? "\nflowlearn> " + ConsoleRenderer.render(response.reply) : ConsoleRenderer.render(response.reply) + "\n")
        }
    }
}
