import ArgumentParser
import FlowLearnCore
import FlowLearnEncoder

@main
struct FlowLearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowlearn",
        abstract: "Learning nuggets in the flow of work: answers questions in team chat.",
        subcommands: [Serve.self, Ask.self, Chat.self, Lint.self, ContentCommand.self, Questions.self, Leeches.self, People.self, Gaps.self, ConsoleCommand.self, XAPICommand.self, ConfigCommand.self, Backup.self, Restore.self, Poisoned.self, Eval.self, FSRSCommand.self, Nudges.self, MatrixCommand.self]
    )
}

/// Options shared by the commands that load content without a server.
struct ContentOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of nugget files.")
    var intents = "Intents"

    @Option(name: .long, help: "Snowball stemming language (english, german, french, …).")
    var language = "english"

    @Option(name: .long, help: "Confidence below which the answer is 'no nugget yet' (0…1).")
    var threshold: Double?

    @Option(name: .long, help: "Matcher engine: auto, semantic, learned or keyword.")
    var model = MatcherSettings.Model.auto

    @OptionGroup var encoder: EncoderOptions
}

/// Where the sentence encoder's model files are.
struct EncoderOptions: ParsableArguments {
    @Option(name: .customLong("encoder"), help: "Folder of the MiniLM model files (config.json, vocab.txt, model.safetensors); 'none' turns semantic matching off.")
    var folder = SemanticEncoder.defaultFolder

    /// The encoder, or nil (with the reason on stderr) when its files are missing.
    func load(required: Bool = false) throws -> (any SentenceEncoding)? {
        if folder == "none" {
            if required { throw ValidationError("--model semantic needs the encoder (--encoder FOLDER)") }
            return nil
        }
        do {
            return try SemanticEncoder.load(folder: folder)
        } catch {
            if required { throw ValidationError(error.description) }
            StandardError.print("semantic matching off: \(error.description)")
            return nil
        }
    }
}
