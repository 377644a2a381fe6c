import ArgumentParser
import FlowLearnCore
import FlowLearnEncoder
import Foundation

extension ContentOptions {
    /// Loads and lints the content, then builds the matcher; errors are printed as lint output.
    func assistant() throws -> Assistant {
        try load().assistant
    }

    /// The assistant and the quizmaster for the content.
    func load() throws -> (assistant: Assistant, quizmaster: Quizmaster) {
        do {
            let pack = try ContentLinter.loadPack(ContentDirectory.read(intents))
            var settings = MatcherSettings()
            settings.language = language
            settings.model = model
            if let threshold { settings.threshold = threshold }
            let encoder = model == .keyword || model == .learned ? nil : try encoder.load(required: model == .semantic)
            let assistant = Assistant(
                matcher: try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: settings, encoder: encoder))
            return (assistant, Quizmaster(questions: pack.questions, nuggets: pack.nuggets))
        } catch let error as ContentError {
            throw ValidationError(error.description)
        } catch let error as MatcherError {
            throw ValidationError(error.description)
        }
    }
}

enum StandardError {
    static func print(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
