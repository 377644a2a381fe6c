/// The IRIs FlowLearn's statements use, from registered vocabularies so an LRS's reports know them:
/// ADL's verbs and activity types (http://adlnet.gov/expapi/…) and, for votes, the Tin Can
/// registry's `voted-up` / `voted-down` (a thumbs up or down on an object, which a vote on an answer is).
public enum XAPIVocabulary {
    public struct Verb: Sendable, Hashable {
        public var id: String
        public var display: String
    }

    public static let asked = Verb(id: "http://adlnet.gov/expapi/verbs/asked", display: "asked")
    public static let experienced = Verb(id: "http://adlnet.gov/expapi/verbs/experienced", display: "experienced")
    public static let answered = Verb(id: "http://adlnet.gov/expapi/verbs/answered", display: "answered")
    public static let votedUp = Verb(id: "http://id.tincanapi.com/verb/voted-up", display: "voted up")
    public static let votedDown = Verb(id: "http://id.tincanapi.com/verb/voted-down", display: "voted down")

    /// The assistant people ask: a control to which the learner provides input.
    public static let interactionType = "http://adlnet.gov/expapi/activities/interaction"
    /// A nugget: a short piece of learning content.
    public static let lessonType = "http://adlnet.gov/expapi/activities/lesson"
    /// A quiz question, with its choices and right answers.
    public static let cmiInteractionType = "http://adlnet.gov/expapi/activities/cmi.interaction"
    /// A quiz: the parent of its questions; each quiz session is a registration.
    public static let assessmentType = "http://adlnet.gov/expapi/activities/assessment"

    /// The xAPI version FlowLearn writes (sent as `X-Experience-API-Version`).
    public static let version = "1.0.3"
}
