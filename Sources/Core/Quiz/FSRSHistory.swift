import Foundation

/// One review history in the JSON-lines format shared with the reference scheduler's vector script
/// (`scripts/fsrs-vectors.py`): the settings, then each review with the card's state after it.
///
/// ```json
/// {"scheduler": {"parameters": [21 numbers], "desired_retention": 0.9, "learning_steps": [60, 600],
///                "relearning_steps": [600], "maximum_interval": 36500, "enable_fuzzing": false},
///  "reviews": [{"rating": 3, "review_datetime": "2026-01-05T09:30:00Z",
///               "card": {"state": 1, "step": 1, "stability": 2.3065, "difficulty": 2.118, "due": "…", "last_review": "…"}}]}
/// ```
/// Ratings: 1 again, 2 hard, 3 good, 4 easy. States: 1 learning, 2 review, 3 relearning. Steps are
/// seconds, the maximum interval days, times UTC to the second. `card` may be left out on input.
public struct FSRSHistory: Sendable, Hashable, Codable {
    public struct Settings: Sendable, Hashable, Codable {
        public var parameters: [Double]
        public var desired_retention: Double
        public var learning_steps: [Double]
        public var relearning_steps: [Double]
        public var maximum_interval: Int
        public var enable_fuzzing: Bool?
    }

    public struct Review: Sendable, Hashable, Codable {
        public var rating: Int
        public var review_datetime: String
        public var card: CardRecord?
    }

    /// A card as the reference prints it; `null` fields are written out.
    public struct CardRecord: Sendable, Hashable, Codable {
        public var state: Int
        public var step: Int?
        public var stability: Double?
        public var difficulty: Double?
        public var due: String
        public var last_review: String?

        public init(_ card: FSRSCard) {
            state = card.state.rawValue
            step = card.step
            stability = card.stability
            difficulty = card.difficulty
            due = FSRSHistory.format(card.due)
            last_review = card.lastReview.map(FSRSHistory.format)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(step, forKey: .step)
            try container.encode(stability, forKey: .stability)
            try container.encode(difficulty, forKey: .difficulty)
            try container.encode(due, forKey: .due)
            try container.encode(last_review, forKey: .last_review)
        }
    }

    public var scheduler: Settings
    public var reviews: [Review]

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads one line.
    public static func decode(_ line: String) throws -> FSRSHistory {
        do {
            return try JSONDecoder().decode(FSRSHistory.self, from: Data(line.utf8))
        } catch {
            throw Problem(description: "not a history line: \(error)")
        }
    }

    /// The scheduler these settings describe.
    public func makeScheduler() throws(Problem) -> FSRSScheduler {
        if scheduler.enable_fuzzing == true {
            throw Problem(description: "enable_fuzzing is true: fuzzed intervals are random and cannot be replayed")
        }
        let result = FSRSScheduler(
            parameters: scheduler.parameters, desiredRetention: scheduler.desired_retention, learningSteps: scheduler.learning_steps,
            relearningSteps: scheduler.relearning_steps, maximumInterval: scheduler.maximum_interval)
        if let problem = result.problems().first { throw Problem(description: problem) }
        return result
    }

    /// The same history with each review's card as our scheduler computes it.
    public func replayed() throws(Problem) -> FSRSHistory {
        let fsrs = try makeScheduler()
        var copy = self
        var card: FSRSCard?
        for index in reviews.indices {
            let review = reviews[index]
            guard let rating = FSRSRating(rawValue: review.rating) else {
                throw Problem(description: "review \(index + 1): rating \(review.rating) is not 1…4")
            }
            guard let date = Self.parse(review.review_datetime) else {
                throw Problem(description: "review \(index + 1): review_datetime '\(review.review_datetime)' is not YYYY-MM-DDTHH:MM:SSZ")
            }
            if let last = card?.lastReview, date < last {
                throw Problem(description: "review \(index + 1) is earlier than the one before it")
            }
            let next = fsrs.review(card ?? FSRSCard(due: date), rating: rating, at: date)
            copy.reviews[index].card = CardRecord(next)
            card = next
        }
        return copy
    }

    /// One JSON line, keys sorted.
    public func line() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// `2026-01-05T09:30:00Z` (UTC, seconds; fractions are dropped).
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.from(daysSince1970: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS` with `Z` or `+00:00`, optionally with fractional seconds.
    public static func parse(_ text: String) -> Date? {
        var body = Substring(text)
        if body.hasSuffix("Z") {
            body = body.dropLast()
        } else if body.hasSuffix("+00:00") {
            body = body.dropLast(6)
        } else {
            return nil
        }
        let parts = body.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int64($0) }
        let time = parts[1].split(separator: ":")
        guard date.count == 3, time.count == 3, let hour = Int64(time[0]), let minute = Int64(time[1]), let second = Double(time[2]),
            (1...12).contains(date[1]), (1...31).contains(date[2]), (0..<24).contains(hour), (0..<60).contains(minute), second >= 0,
            second < 61
        else { return nil }
        // Days since 1970-01-01 from a civil date.
        let year = date[1] <= 2 ? date[0] - 1 : date[0]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let month = date[1]
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + date[2] - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60) + second)
    }
}
