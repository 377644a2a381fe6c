import Foundation

/// The console's "Nuggets" page: one row per nugget of the content, with how it was used in the
/// period, its quiz questions' pass rate, and whether it is stale; sortable, grouped by owner.
public struct NuggetReportRow: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var topic: String
    public var owner: String
    public var reviewed: String
    public var stale: Bool
    public var activity: NuggetActivity
    public var quizQuestions: Int
    public var quizAnswers: Int
    public var quizCorrect: Int

    /// Share of quiz answers that were right, nil without answers.
    public var passRate: Double? { quizAnswers > 0 ? Double(quizCorrect) / Double(quizAnswers) : nil }
    /// Share of votes that said helpful, nil without votes.
    public var helpfulRate: Double? {
        let votes = activity.helpful + activity.notHelpful
        return votes > 0 ? Double(activity.helpful) / Double(votes) : nil
    }
}

public enum NuggetReport {
    /// The columns a person can sort the page by.
    public enum Sort: String, Sendable, CaseIterable {
        case owner, id, served, helpful, notHelpful = "not-helpful", nudged, passRate = "pass-rate", reviewed
    }

    public static func rows(
        nuggets: [Nugget], questions: [QuizQuestion], activity: [String: NuggetActivity], results: [String: QuestionResults],
        stale: StalePolicy
    ) -> [NuggetReportRow] {
        var byNugget: [String: (questions: Int, answers: Int, correct: Int)] = [:]
        for question in questions {
            let result = results[question.id] ?? QuestionResults()
            byNugget[question.nuggetID, default: (0, 0, 0)].questions += 1
            byNugget[question.nuggetID, default: (0, 0, 0)].answers += result.answers
            byNugget[question.nuggetID, default: (0, 0, 0)].correct += result.correct
        }
        return nuggets.map { nugget in
            let quiz = byNugget[nugget.id] ?? (0, 0, 0)
            return NuggetReportRow(
                id: nugget.id, title: nugget.title, topic: nugget.topic, owner: nugget.owner, reviewed: nugget.reviewed,
                stale: stale.isStale(nugget.reviewed), activity: activity[nugget.id] ?? NuggetActivity(), quizQuestions: quiz.questions,
                quizAnswers: quiz.answers, quizCorrect: quiz.correct)
        }
    }

    /// Rows in the chosen order; ties (and `owner`) fall back to owner, then most served, then id.
    public static func sorted(_ rows: [NuggetReportRow], by sort: Sort, descending: Bool) -> [NuggetReportRow] {
        func fallback(_ a: NuggetReportRow, _ b: NuggetReportRow) -> Bool {
            (a.owner, -a.activity.served, a.id) < (b.owner, -b.activity.served, b.id)
        }
        func key(_ row: NuggetReportRow) -> Double? {
            switch sort {
            case .served: Double(row.activity.served)
            case .helpful: Double(row.activity.helpful)
            case .notHelpful: Double(row.activity.notHelpful)
            case .nudged: Double(row.activity.nudged)
            case .passRate: row.passRate
            case .owner, .id, .reviewed: nil
            }
        }
        return rows.sorted { a, b in
            switch sort {
            case .owner: return descending ? fallback(b, a) : fallback(a, b)
            case .id: return descending ? a.id > b.id : a.id < b.id
            case .reviewed:
                if a.reviewed != b.reviewed { return descending ? a.reviewed > b.reviewed : a.reviewed < b.reviewed }
                return fallback(a, b)
            default:
                // Rows without a value (no quiz answers) go last either way.
                switch (key(a), key(b)) {
                case (let x?, let y?) where x != y: return descending ? x > y : x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: return fallback(a, b)
                }
            }
        }
    }
}
