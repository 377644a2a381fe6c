import Foundation

/// The Free Spaced Repetition Scheduler, version 6 (FSRS-6): from a card's memory state and a
/// rating, the next memory state and when to review again. Pure and deterministic (no fuzz), all
/// times UTC; it agrees with the reference implementation (`fsrs` on PyPI, 6.x, fuzzing off) to the
/// second on due times, which `Tests/CoreTests/FSRSReplayTests` checks on 2,100 reference histories.
///
/// The model: a card has a stability S (days until recall probability falls to 90 %) and a
/// difficulty D (1…10). Recall probability after t days is R = (1 + F·t/S)^(−w20) with
/// F = 0.9^(−1/w20) − 1. A review updates D towards the "easy" baseline and S by the recall or
/// forget formula (or the short-term formula for reviews on the same day); the next interval is the
/// time at which R falls to the desired retention.
public struct FSRSScheduler: Sendable, Hashable, Codable {
    public static let defaultParameters: [Double] = [
        0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614,
        0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
    ]
    static let minimumStability = 0.001
    static let difficultyRange = 1.0...10.0

    /// The 21 weights w0…w20.
    public var parameters: [Double]
    public var desiredRetention: Double
    /// Steps of a new card before it graduates to review, in seconds (the reference: 1 min, 10 min).
    public var learningSteps: [Double]
    /// Steps after a lapse before the card returns to review, in seconds (the reference: 10 min).
    public var relearningSteps: [Double]
    /// Longest interval, in days.
    public var maximumInterval: Int

    public init(
        parameters: [Double] = FSRSScheduler.defaultParameters, desiredRetention: Double = 0.9, learningSteps: [Double] = [60, 600],
        relearningSteps: [Double] = [600], maximumInterval: Int = 36500
    ) {
        self.parameters = parameters
        self.desiredRetention = desiredRetention
        self.learningSteps = learningSteps
        self.relearningSteps = relearningSteps
        self.maximumInterval = maximumInterval
    }

    /// Why a scheduler's settings cannot be used.
    public func problems() -> [String] {
        var problems: [String] = []
        if parameters.count != 21 { problems.append("FSRS-6 needs 21 parameters, got \(parameters.count)") }
        if !(0.01...0.99).contains(desiredRetention) { problems.append("desired retention must be between 0.01 and 0.99") }
        if (learningSteps + relearningSteps).contains(where: { $0 <= 0 }) { problems.append("steps must be positive") }
        if maximumInterval < 1 { problems.append("maximum interval must be at least one day") }
        if parameters.count == 21, !(0.1...0.8).contains(parameters[20]) { problems.append("w20 (decay) must be within 0.1…0.8") }
        return problems
    }

    private var decay: Double { -parameters[20] }
    private var factor: Double { pow(0.9, 1 / decay) - 1 }

    /// The card after a review with `rating` at `date`.
    public func review(_ card: FSRSCard, rating: FSRSRating, at date: Date) -> FSRSCard {
        var next = card
        let daysSinceLast = card.lastReview.map { Self.wholeDays(from: $0, to: date) }
        let sameDay = daysSinceLast.map { $0 < 1 } ?? false
        let interval: Double  // seconds
        switch card.state {
        case .learning, .relearning:
            let steps = card.state == .learning ? learningSteps : relearningSteps
            if card.state == .learning, card.stability == nil || card.difficulty == nil {
                next.stability = initialStability(rating)
                next.difficulty = clampDifficulty(initialDifficulty(rating))
            } else if let stability = card.stability, let difficulty = card.difficulty {
                next.stability = sameDay
                    ? shortTermStability(stability, rating)
                    : nextStability(difficulty: difficulty, stability: stability, retrievability: retrievability(card, at: date), rating: rating)
                next.difficulty = nextDifficulty(difficulty, rating)
            }
            let step = card.step ?? 0
            if steps.isEmpty || (step >= steps.count && rating != .again) {
                next.graduate()
                interval = days(next.stability ?? initialStability(rating))  // nil only in a damaged stored card
            } else {
                switch rating {
                case .again:
                    next.step = 0
                    interval = steps[0]
                case .hard:
                    if step == 0, steps.count == 1 {
                        interval = steps[0] * 1.5
                    } else if step == 0 {
                        interval = (steps[0] + steps[1]) / 2
                    } else {
                        interval = steps[step]
                    }
                case .good:
                    if step + 1 == steps.count {
                        next.graduate()
                        interval = days(next.stability ?? initialStability(rating))  // nil only in a damaged stored card
                    } else {
                        next.step = step + 1
                        interval = steps[step + 1]
                    }
                case .easy:
                    next.graduate()
                    interval = days(next.stability ?? initialStability(rating))  // nil only in a damaged stored card
                }
            }
        case .review:
            let stability = card.stability ?? initialStability(rating)
            let difficulty = card.difficulty ?? clampDifficulty(initialDifficulty(rating))
            next.stability = sameDay
                ? shortTermStability(stability, rating)
                : nextStability(difficulty: difficulty, stability: stability, retrievability: retrievability(card, at: date), rating: rating)
            next.difficulty = nextDifficulty(difficulty, rating)
            if rating == .again, !relearningSteps.isEmpty {
                next.state = .relearning
                next.step = 0
                interval = relearningSteps[0]
            } else {
                interval = days(next.stability ?? initialStability(rating))  // nil only in a damaged stored card
            }
        }
        next.due = date.addingTimeInterval(interval)
        next.lastReview = date
        return next
    }

    /// Probability of recall at `date` (0 for a card never reviewed).
    public func retrievability(_ card: FSRSCard, at date: Date) -> Double {
        guard let last = card.lastReview, let stability = card.stability else { return 0 }
        let elapsed = Double(max(0, Self.wholeDays(from: last, to: date)))
        return pow(1 + factor * elapsed / stability, decay)
    }

    /// Whole days between two instants, rounded down, as the reference counts them.
    static func wholeDays(from start: Date, to end: Date) -> Int {
        Int((end.timeIntervalSince(start) / 86_400).rounded(.down))
    }

    /// The review interval for a stability, in seconds: whole days, 1…maximumInterval.
    private func days(_ stability: Double) -> Double {
        let exact = stability / factor * (pow(desiredRetention, 1 / decay) - 1)
        let rounded = Int(exact.rounded(.toNearestOrEven))
        return Double(min(max(rounded, 1), maximumInterval)) * 86_400
    }

    private func initialStability(_ rating: FSRSRating) -> Double {
        max(parameters[rating.rawValue - 1], Self.minimumStability)
    }

    private func initialDifficulty(_ rating: FSRSRating) -> Double {
        parameters[4] - pow(M_E, parameters[5] * Double(rating.rawValue - 1)) + 1
    }

    private func clampDifficulty(_ difficulty: Double) -> Double {
        min(max(difficulty, Self.difficultyRange.lowerBound), Self.difficultyRange.upperBound)
    }

    private func shortTermStability(_ stability: Double, _ rating: FSRSRating) -> Double {
        var increase = pow(M_E, parameters[17] * (Double(rating.rawValue) - 3 + parameters[18])) * pow(stability, -parameters[19])
        if rating != .again { increase = max(increase, 1) }
        return max(stability * increase, Self.minimumStability)
    }

    private func nextDifficulty(_ difficulty: Double, _ rating: FSRSRating) -> Double {
        let delta = -(parameters[6] * (Double(rating.rawValue) - 3))
        let damped = difficulty + (10 - difficulty) * delta / 9
        let reverted = parameters[7] * initialDifficulty(.easy) + (1 - parameters[7]) * damped
        return clampDifficulty(reverted)
    }

    private func nextStability(difficulty: Double, stability: Double, retrievability: Double, rating: FSRSRating) -> Double {
        let value: Double
        if rating == .again {
            let longTerm = parameters[11] * pow(difficulty, -parameters[12]) * (pow(stability + 1, parameters[13]) - 1)
                * pow(M_E, (1 - retrievability) * parameters[14])
            let shortTerm = stability / pow(M_E, parameters[17] * parameters[18])
            value = min(longTerm, shortTerm)
        } else {
            let hardPenalty = rating == .hard ? parameters[15] : 1
            let easyBonus = rating == .easy ? parameters[16] : 1
            value = stability
                * (1 + pow(M_E, parameters[8]) * (11 - difficulty) * pow(stability, -parameters[9])
                    * (pow(M_E, (1 - retrievability) * parameters[10]) - 1) * hardPenalty * easyBonus)
        }
        return max(value, Self.minimumStability)
    }
}

/// How well a person recalled: wrong → again, right → good; "easy" and "I guessed" refine it.
public enum FSRSRating: Int, Sendable, Hashable, Codable, CaseIterable {
    case again = 1, hard, good, easy
}

/// One person's memory of one quiz question.
public struct FSRSCard: Sendable, Hashable, Codable {
    public enum State: Int, Sendable, Hashable, Codable {
        case learning = 1, review, relearning
    }

    public var state: State
    /// The learning or relearning step; nil in review.
    public var step: Int?
    public var stability: Double?
    public var difficulty: Double?
    public var due: Date
    public var lastReview: Date?
    /// Times the person forgot it after learning it (rated *Again* in review). Not part of the
    /// schedule; counts toward a leech.
    public var lapses = 0
    /// A leech: forgotten so often (`QuizSettings.leechLapses`) that reviewing it again is wasted
    /// effort; it is no longer scheduled, and its nugget's owner is told.
    public var isLeech = false

    /// A card never reviewed, due now.
    public init(due: Date) {
        self.init(state: .learning, step: 0, stability: nil, difficulty: nil, due: due, lastReview: nil)
    }

    public init(state: State, step: Int?, stability: Double?, difficulty: Double?, due: Date, lastReview: Date?) {
        self.state = state
        self.step = step
        self.stability = stability
        self.difficulty = difficulty
        self.due = due
        self.lastReview = lastReview
    }

    mutating func graduate() {
        state = .review
        step = nil
    }
}
