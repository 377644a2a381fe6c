import FlowLearnCore
import Foundation

/// Turns learning records into xAPI 1.0.3 statements (JSON): pure, so the same record always gives
/// the same bytes and the same statement id, which is what makes a resend after a crash harmless.
///
/// Ids live under `activityBase` (an IRI the organisation controls): `<base>/assistant`,
/// `<base>/nuggets/<id>`, `<base>/quiz`, `<base>/quiz/questions/<id>`, `<base>/extensions/<name>`.
/// Statement ids are UUIDv5 in a namespace made from `activityBase`, named by the record's kind and source row.
public struct XAPIStatementBuilder: Sendable {
    public var activityBase: String
    /// Language tag of display names and descriptions (RFC 5646, e.g. `en`).
    public var language: String
    /// Nugget titles and quiz questions as the content has them now (nil when gone).
    public var nuggetTitle: @Sendable (String) -> String?
    public var quizQuestion: @Sendable (String) -> QuizQuestion?
    /// The namespace of statement ids and registrations.
    public let namespace: UUID

    public init(
        activityBase: String, language: String = "en", nuggetTitle: @escaping @Sendable (String) -> String? = { _ in nil },
        quizQuestion: @escaping @Sendable (String) -> QuizQuestion? = { _ in nil }
    ) {
        var base = activityBase
        while base.hasSuffix("/") { base.removeLast() }
        self.activityBase = base
        self.language = language
        self.nuggetTitle = nuggetTitle
        self.quizQuestion = quizQuestion
        namespace = UUIDv5.make(namespace: UUIDv5.urlNamespace, name: base)
    }

    public func statementID(_ record: LearningRecord) -> UUID { UUIDv5.make(namespace: namespace, name: record.statementName) }

    /// The statement as JSON, keys sorted (the same record gives the same bytes).
    public func body(_ record: LearningRecord) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: statement(record), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }

    public func statement(_ record: LearningRecord) -> [String: Any] {
        var statement: [String: Any] = [
            "id": statementID(record).uuidString.lowercased(),
            "actor": Self.actor(record.learner, base: activityBase),
            "timestamp": Self.timestamp(record.at),
        ]
        var context: [String: Any] = ["platform": Self.platformName(record.platform), "language": language]
        var contextActivities: [String: Any] = [:]
        if let asked = record.askedSource, record.kind != .asked {
            let ref = LearningRecord(kind: .asked, at: record.at, learner: record.learner, source: asked)
            context["statement"] = ["objectType": "StatementRef", "id": statementID(ref).uuidString.lowercased()]
        }
        switch record.kind {
        case .asked:
            statement["verb"] = verb(XAPIVocabulary.asked)
            statement["object"] = activity("\(activityBase)/assistant", type: XAPIVocabulary.interactionType, name: "FlowLearn assistant")
            var result: [String: Any] = ["success": record.outcome == "answered"]
            if let text = record.question { result["response"] = text }
            var extensions: [String: Any] = [:]
            if let outcome = record.outcome { extensions[extensionIRI("outcome")] = outcome }
            if let confidence = record.confidence, confidence.isFinite { extensions[extensionIRI("confidence")] = (confidence * 1000).rounded() / 1000 }
            if !extensions.isEmpty { result["extensions"] = extensions }
            statement["result"] = result
            if let nugget = record.nuggetID { contextActivities["other"] = [nuggetActivity(nugget)] }
        case .experienced:
            statement["verb"] = verb(XAPIVocabulary.experienced)
            statement["object"] = nuggetActivity(record.nuggetID ?? "")
            if let via = record.via { context["extensions"] = [extensionIRI("via"): via] }
        case .answered:
            statement["verb"] = verb(XAPIVocabulary.answered)
            let questionID = record.quizQuestionID ?? ""
            let question = quizQuestion(questionID)
            statement["object"] = quizActivity(questionID, question: question)
            var result: [String: Any] = ["response": Self.response(record.picks ?? [], question: question)]
            if let correct = record.correct { result["success"] = correct }
            statement["result"] = result
            contextActivities["parent"] = [activity("\(activityBase)/quiz", type: XAPIVocabulary.assessmentType, name: "FlowLearn quiz")]
            if let nugget = question?.nuggetID { contextActivities["grouping"] = [nuggetActivity(nugget)] }
            if let session = record.sessionID {
                context["registration"] = UUIDv5.make(namespace: namespace, name: "quiz_session/\(session)").uuidString.lowercased()
            }
        case .voted:
            statement["verb"] = verb(record.helpful == false ? XAPIVocabulary.votedDown : XAPIVocabulary.votedUp)
            statement["object"] = record.nuggetID.map(nuggetActivity)
                ?? activity("\(activityBase)/assistant", type: XAPIVocabulary.interactionType, name: "FlowLearn assistant")
        }
        if !contextActivities.isEmpty { context["contextActivities"] = contextActivities }
        statement["context"] = context
        return statement
    }

    func verb(_ verb: XAPIVocabulary.Verb) -> [String: Any] { ["id": verb.id, "display": [language: verb.display]] }

    func activity(_ id: String, type: String, name: String?) -> [String: Any] {
        var definition: [String: Any] = ["type": type]
        if let name { definition["name"] = [language: name] }
        return ["objectType": "Activity", "id": id, "definition": definition]
    }

    func extensionIRI(_ name: String) -> String { "\(activityBase)/extensions/\(name)" }

    func nuggetActivity(_ id: String) -> [String: Any] {
        activity("\(activityBase)/nuggets/\(Self.segment(id))", type: XAPIVocabulary.lessonType, name: nuggetTitle(id))
    }

    /// A quiz question as a `cmi.interaction`: choices (ids `a`, `b`, …) and the right ones, or
    /// true-false; without its definition when the question is gone from the content.
    func quizActivity(_ id: String, question: QuizQuestion?) -> [String: Any] {
        let activity: [String: Any] = ["objectType": "Activity", "id": "\(activityBase)/quiz/questions/\(Self.segment(id))"]
        // A question gone from the content gets no definition: a partial one could replace the good
        // one an LRS already holds.
        guard let question else { return activity }
        var definition: [String: Any] = ["type": XAPIVocabulary.cmiInteractionType, "name": [language: question.prompt]]
        if question.kind == .trueFalse {
            definition["interactionType"] = "true-false"
            definition["correctResponsesPattern"] = [Self.response(question.answers, question: question)]
        } else {
            definition["interactionType"] = "choice"
            definition["choices"] = question.choices.enumerated().map { index, text in
                ["id": Self.choiceID(index), "description": [language: text]] as [String: Any]
            }
            definition["correctResponsesPattern"] = [question.answers.map(Self.choiceID).joined(separator: "[,]")]
        }
        return activity.merging(["definition": definition]) { first, _ in first }
    }

    /// The picked choices in xAPI's response format: ids joined by `[,]`, or `true` / `false` (a
    /// true-false question's choices are True and False, in that order, whatever their wording).
    static func response(_ picks: [Int], question: QuizQuestion?) -> String {
        if let question, question.kind == .trueFalse, let pick = picks.first {
            return pick == 0 ? "true" : "false"
        }
        return picks.map(choiceID).joined(separator: "[,]")
    }

    /// `a` … `z`, then the number.
    static func choiceID(_ index: Int) -> String {
        guard (0..<26).contains(index) else { return "choice-\(index)" }
        return String(Character(Unicode.Scalar(UInt8(97 + index))))
    }

    /// The actor: an account on the platform's workspace, named by the platform's user id.
    static func actor(_ learner: Learner, base: String) -> [String: Any] {
        ["objectType": "Agent", "account": ["homePage": homePage(learner, base: base), "name": learner.user]]
    }

    /// The platform workspace as a URL: the address people open it at where the ids make one,
    /// else one under the activity base.
    static func homePage(_ learner: Learner, base: String) -> String {
        let team = learner.team
        switch learner.platform {
        case "slack" where !team.isEmpty: return "https://app.slack.com/client/\(segment(team))"
        // Discord user ids are global: one person is one account whichever server they ask from.
        case "discord": return "https://discord.com"
        case "teams": return "https://teams.microsoft.com"
        case "matrix":
            if let colon = learner.user.firstIndex(of: ":") {
                let server = learner.user[learner.user.index(after: colon)...]
                if !server.isEmpty { return "https://\(segment(String(server)))" }
            }
        default: break
        }
        return team.isEmpty ? "\(base)/workspaces/\(segment(learner.platform))" : "\(base)/workspaces/\(segment(learner.platform))/\(segment(team))"
    }

    static func platformName(_ platform: String) -> String {
        switch platform {
        case "slack": return "Slack"
        case "matrix": return "Matrix"
        case "teams": return "Microsoft Teams"
        case "discord": return "Discord"
        case "mattermost": return "Mattermost"
        default: return platform
        }
    }

    /// A path segment: anything but ASCII unreserved characters percent-encoded (':' kept for Matrix
    /// servers with a port), so homePages and activity ids are URLs, not IRIs.
    static func segment(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "-"
    }

    /// ISO 8601 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        return formatter.string(from: date)
    }
}
