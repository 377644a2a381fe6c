import FlowLearnCore
import FlowLearnWebConsole

/// The console reads the content serving now; "Try it" runs on the matching queue like a question.
extension ContentLibrary: ConsoleContent {
    public var consoleNuggets: [Nugget] { assistant.matcher.nuggets }
    public var consoleQuizQuestions: [QuizQuestion] { quizmaster.questions }
    public var engineName: String { assistant.matcher.engineName }

    public func explain(_ question: String) async -> (decision: MatchDecision, candidates: [MatchEvidence]) {
        let matcher = assistant.matcher
        return await onMatchingQueue { matcher.explain(question) }
    }
}
