import ArgumentParser
import FlowLearnCore
import Foundation

extension ContentOptions {
    /// Loads and lints the content, then builds the matcher; errors are printed as lint output.
    func assistant() throws -> Assistant {
        do {
            let nuggets = try ContentLinter.load(ContentDirectory.read(intents))
            var settings = MatcherSettings()
            settings.language = language
            if let threshold { settings.threshold = threshold }
            return Assistant(matcher: try Matcher(nuggets: nuggets, settings: settings))
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
