import ArgumentParser

@main
struct FlowLearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowlearn",
        abstract: "Learning nuggets in the flow of work: answers questions in team chat.",
        subcommands: [Serve.self, Ask.self, Chat.self, Lint.self, Questions.self, Eval.self, FSRSCommand.self, Nudges.self, MatrixCommand.self]
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
}
