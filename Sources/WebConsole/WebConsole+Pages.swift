import FlowLearnCore
import Foundation

/// What each page shows, as template contexts and as CSV: both come from the same rows, so a
/// download always matches the page.
extension WebConsole {
    static let allowedDays = [7, 30, 90, 365]
    /// Where the console's heavier computations run, one at a time.
    static let work = DispatchQueue(label: "flowlearn-console", qos: .utility)

    static func days(_ request: [String: String]) -> Int {
        Int(request["days"] ?? "").flatMap { allowedDays.contains($0) ? $0 : nil } ?? 30
    }

    func since(days: Int) -> Date { now().addingTimeInterval(-Double(days) * 86_400) }

    // MARK: Gaps

    struct GapRow {
        var cluster: GapCluster
        var status: GapStatus
    }

    func gapRows(days: Int, all: Bool) async throws -> (rows: [GapRow], questions: Int) {
        let entries = try await store.unansweredQuestions(since: since(days: days), limit: 100_000)
        let analyzer = try TextAnalyzer(language: settings.language)
        let statuses = try await store.gapStatuses()
        // Clustering a long period takes a while: on the console's own queue, one at a time, so it
        // never holds up Swift's task pool that the chat webhooks run on.
        let clusters = await withCheckedContinuation { continuation in
            Self.work.async { continuation.resume(returning: GapClustering.clusters(entries, analyzer: analyzer)) }
        }
        let rows = clusters.compactMap { cluster -> GapRow? in
            let status = statuses[cluster.key] ?? .open
            return all || status == .open ? GapRow(cluster: cluster, status: status) : nil
        }
        return (rows, entries.count)
    }

    /// A cluster's heaviest terms as people wrote them ("parking", not the stem "park").
    static func label(_ cluster: GapCluster, analyzer: TextAnalyzer) -> String {
        let words = cluster.samples.flatMap(analyzer.words)
        return cluster.terms.prefix(3).map { term in words.first { analyzer.stemmer.stem($0) == term } ?? term }.joined(separator: " · ")
    }

    func gapsContext(days: Int, all: Bool, session: ConsoleSession) async throws -> [String: Any] {
        let (rows, questions) = try await gapRows(days: days, all: all)
        let analyzer = try TextAnalyzer(language: settings.language)
        let clusters = rows.enumerated().map { index, row -> [String: Any] in
            let cluster = row.cluster
            return [
                "key": cluster.key, "anchor": "\(index + 1)", "label": Self.label(cluster, analyzer: analyzer),
                "status": row.status.rawValue, "isOpen": row.status == .open, "count": cluster.count, "people": cluster.people,
                "first": ConsoleRenderer.day(cluster.firstAsked), "last": ConsoleRenderer.day(cluster.lastAsked), "samples": cluster.samples,
                "hasNearest": !cluster.nearestNuggets.isEmpty,
                "nearest": cluster.nearestNuggets.map { ["id": $0.nuggetID, "title": $0.title, "questions": $0.questions] as [String: Any] },
                "csrf": session.csrf, "days": days,
            ]
        }
        let keep: [(String, String)] = all ? [("all", "1")] : []
        return [
            "periods": ConsoleRenderer.periods(path: "/console/gaps", days: days, keep: keep), "clusters": clusters,
            "clusterCount": clusters.count, "questionCount": questions, "showAll": all,
            "allHref": ConsoleRenderer.link("/console/gaps", [("days", "\(days)"), ("all", "1")]),
            "openOnlyHref": ConsoleRenderer.link("/console/gaps", [("days", "\(days)")]),
            "csvHref": ConsoleRenderer.link("/console/export/gaps.csv", [("days", "\(days)")] + keep),
        ]
    }

    func gapsCSV(days: Int, all: Bool) async throws -> CSVDocument {
        let (rows, _) = try await gapRows(days: days, all: all)
        let formatter = ISO8601DateFormatter()
        return CSVDocument(
            header: ["key", "status", "questions", "people", "first_asked", "last_asked", "samples", "nearest_nuggets"],
            rows: rows.map { row in
                let c = row.cluster
                return [
                    c.key, row.status.rawValue, "\(c.count)", "\(c.people)", formatter.string(from: c.firstAsked), formatter.string(from: c.lastAsked),
                    c.samples.joined(separator: " | "), c.nearestNuggets.map(\.nuggetID).joined(separator: " "),
                ]
            })
    }

    // MARK: Nuggets

    func nuggetRows(days: Int) async throws -> [NuggetReportRow] {
        let start = since(days: days)
        return NuggetReport.rows(
            nuggets: content.consoleNuggets, questions: content.consoleQuizQuestions, activity: try await store.nuggetActivity(since: start),
            results: try await store.questionResults(since: start), stale: StalePolicy(afterDays: settings.staleAfterDays, now: now()))
    }

    func nuggetsContext(days: Int, sort: NuggetReport.Sort, descending: Bool) async throws -> [String: Any] {
        let rows = try await nuggetRows(days: days)
        let sorted = NuggetReport.sorted(rows, by: sort, descending: descending)
        let columns: [(String, NuggetReport.Sort?)] = [
            ("Nugget", .id), ("Owner", .owner), ("Reviewed", .reviewed), ("Served", .served), ("Offered first", nil), ("Helpful", .helpful),
            ("Not helpful", .notHelpful), ("Nudged", .nudged), ("Nudge 👍/👎", nil), ("Quiz questions", nil), ("Pass rate", .passRate),
        ]
        let columnContexts = columns.map { label, column -> [String: Any] in
            guard let column else { return ["label": label] }
            // A column sorts descending first (most served on top), owner and id ascending first.
            let naturalDescending = ![.owner, .id].contains(column)
            let nextDescending = column == sort ? !descending : naturalDescending
            var context: [String: Any] = [
                "label": label,
                "href": ConsoleRenderer.link(
                    "/console/nuggets", [("days", "\(days)"), ("sort", column.rawValue), ("dir", nextDescending ? "desc" : "asc")]),
            ]
            if column == sort { context["arrow"] = descending ? "▼" : "▲" }
            return context
        }
        let stale = StaleNugget.list(
            content.consoleNuggets, served: Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.activity.served) }),
            policy: StalePolicy(afterDays: settings.staleAfterDays, now: now()))
        var owners: [(owner: String, nuggets: [[String: Any]])] = []
        for nugget in stale {
            let entry: [String: Any] = [
                "id": nugget.id, "title": nugget.title, "reviewed": nugget.reviewed, "days": nugget.daysSinceReview, "served": nugget.served,
            ]
            if owners.last?.owner == nugget.owner { owners[owners.count - 1].nuggets.append(entry) } else { owners.append((nugget.owner, [entry])) }
        }
        return [
            "periods": ConsoleRenderer.periods(
                path: "/console/nuggets", days: days, keep: [("sort", sort.rawValue), ("dir", descending ? "desc" : "asc")]),
            "columns": columnContexts, "nuggetCount": rows.count, "staleCount": stale.count, "staleAfterDays": settings.staleAfterDays,
            "csvHref": ConsoleRenderer.link("/console/export/nuggets.csv", [("days", "\(days)")]),
            "staleOwners": owners.map { ["owner": $0.owner.isEmpty ? "(no owner)" : $0.owner, "nuggets": $0.nuggets] as [String: Any] },
            "rows": sorted.map { row -> [String: Any] in
                [
                    "id": row.id, "title": row.title, "owner": row.owner, "reviewed": row.reviewed, "stale": row.stale,
                    "served": row.activity.served, "offered": row.activity.offered, "helpful": row.activity.helpful,
                    "notHelpful": row.activity.notHelpful, "nudged": row.activity.nudged,
                    "nudgeFeedback": "\(row.activity.nudgeUseful)/\(row.activity.nudgeNotUseful)", "quizQuestions": row.quizQuestions,
                    "passRate": ConsoleRenderer.percent(row.passRate),
                ]
            },
        ]
    }

    func nuggetsCSV(days: Int) async throws -> CSVDocument {
        let rows = NuggetReport.sorted(try await nuggetRows(days: days), by: .owner, descending: false)
        return CSVDocument(
            header: [
                "nugget", "title", "topic", "owner", "reviewed", "stale", "served", "offered", "helpful", "not_helpful", "nudged", "nudge_useful",
                "nudge_not_useful", "quiz_questions", "quiz_answers", "quiz_correct",
            ],
            rows: rows.map { r in
                [
                    r.id, r.title, r.topic, r.owner, r.reviewed, r.stale ? "yes" : "no", "\(r.activity.served)", "\(r.activity.offered)",
                    "\(r.activity.helpful)", "\(r.activity.notHelpful)", "\(r.activity.nudged)", "\(r.activity.nudgeUseful)",
                    "\(r.activity.nudgeNotUseful)", "\(r.quizQuestions)", "\(r.quizAnswers)", "\(r.quizCorrect)",
                ]
            })
    }

    // MARK: Quizzes

    static let hardestMinimumAnswers = 3

    func quizData(days: Int, hardestLimit: Int = 20) async throws -> (topics: [TopicProficiency], hardest: [QuestionDifficulty], leeches: [(LeechQuestion, QuizQuestion?, String)]) {
        let questions = content.consoleQuizQuestions
        let results = try await store.questionResults(since: since(days: days))
        let byID = Dictionary(questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let owners = Dictionary(content.consoleNuggets.map { ($0.id, $0.owner) }, uniquingKeysWith: { first, _ in first })
        let leeches = try await store.leeches().map { leech -> (LeechQuestion, QuizQuestion?, String) in
            let question = byID[leech.questionID]
            return (leech, question, question.flatMap { owners[$0.nuggetID] } ?? "")
        }
        return (
            QuizReport.topics(questions: questions, results: results),
            QuizReport.hardest(questions: questions, results: results, minimumAnswers: Self.hardestMinimumAnswers, limit: hardestLimit), leeches
        )
    }

    func quizzesContext(days: Int) async throws -> [String: Any] {
        let (topics, hardest, leeches) = try await quizData(days: days)
        return [
            "periods": ConsoleRenderer.periods(path: "/console/quizzes", days: days), "minimumAnswers": Self.hardestMinimumAnswers,
            "leechLapses": settings.leechLapses,
            "topicsCSV": ConsoleRenderer.link("/console/export/topics.csv", [("days", "\(days)")]),
            "hardestCSV": ConsoleRenderer.link("/console/export/hardest.csv", [("days", "\(days)")]),
            "leechesCSV": "/console/export/leeches.csv",
            "topics": topics.map { t -> [String: Any] in
                [
                    "topic": t.topic, "questions": t.questions, "attempts": t.attempts, "first": ConsoleRenderer.percent(t.firstAnswer),
                    "latest": ConsoleRenderer.percent(t.latestAnswer),
                ]
            },
            "hardest": hardest.map { h -> [String: Any] in
                [
                    "id": h.id, "prompt": h.prompt, "nuggetID": h.nuggetID, "answers": h.answers, "people": h.people,
                    "passRate": ConsoleRenderer.percent(h.passRate),
                ]
            },
            "leeches": leeches.map { leech, question, owner -> [String: Any] in
                [
                    "id": leech.questionID, "prompt": question?.prompt ?? "(no longer in the content)", "nuggetID": question?.nuggetID ?? "",
                    "owner": owner, "learners": leech.learners, "since": ConsoleRenderer.day(leech.since),
                ]
            },
        ]
    }

    func quizCSV(_ list: String, days: Int) async throws -> CSVDocument {
        let (topics, hardest, leeches) = try await quizData(days: days, hardestLimit: .max)
        let formatter = ISO8601DateFormatter()
        func rate(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
        switch list {
        case "topics":
            return CSVDocument(
                header: ["topic", "questions", "person_question_pairs", "first_answer_correct", "latest_answer_correct"],
                rows: topics.map { [$0.topic, "\($0.questions)", "\($0.attempts)", rate($0.firstAnswer), rate($0.latestAnswer)] })
        case "hardest":
            return CSVDocument(
                header: ["question", "nugget", "topic", "prompt", "answers", "people", "pass_rate"],
                rows: hardest.map { [$0.id, $0.nuggetID, $0.topic, $0.prompt, "\($0.answers)", "\($0.people)", rate($0.passRate)] })
        default:
            return CSVDocument(
                header: ["question", "nugget", "owner", "people", "since"],
                rows: leeches.map { leech, question, owner in
                    [leech.questionID, question?.nuggetID ?? "", owner, "\(leech.learners)", formatter.string(from: leech.since)]
                })
        }
    }

    // MARK: People

    func peopleContext(days: Int) async throws -> [String: Any] {
        let start = since(days: days)
        var context: [String: Any] = [
            "periods": ConsoleRenderer.periods(path: "/console/people", days: days), "showNames": settings.showPeopleNames,
            "csvHref": ConsoleRenderer.link("/console/export/people.csv", [("days", "\(days)")]),
            "platforms": try await store.peopleSummary(since: start).map { p -> [String: Any] in
                ["platform": p.platform, "askers": p.askers, "quizTakers": p.quizTakers, "nudgeSubscribers": p.nudgeSubscribers]
            },
        ]
        if settings.showPeopleNames {
            context["people"] = try await store.activePeople(since: start, limit: 200).map { p -> [String: Any] in
                [
                    "platform": p.platform, "user": p.user, "questions": p.questions, "quizAnswers": p.quizAnswers,
                    "lastSeen": ConsoleRenderer.day(p.lastSeen),
                ]
            }
        }
        return context
    }

    func peopleCSV(days: Int) async throws -> CSVDocument {
        let start = since(days: days)
        if settings.showPeopleNames {
            let formatter = ISO8601DateFormatter()
            return CSVDocument(
                header: ["platform", "user", "questions", "quiz_answers", "last_seen"],
                rows: try await store.activePeople(since: start, limit: 100_000).map {
                    [$0.platform, $0.user, "\($0.questions)", "\($0.quizAnswers)", formatter.string(from: $0.lastSeen)]
                })
        }
        return CSVDocument(
            header: ["platform", "asked_a_question", "answered_a_quiz", "nudges_on"],
            rows: try await store.peopleSummary(since: start).map { [$0.platform, "\($0.askers)", "\($0.quizTakers)", "\($0.nudgeSubscribers)"] })
    }

    // MARK: Try it

    func tryContext(question: String?, session: ConsoleSession) async -> [String: Any] {
        var context: [String: Any] = ["csrf": session.csrf, "engine": content.engineName, "question": question ?? ""]
        guard let question, !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return context }
        let (decision, candidates) = await content.explain(question)
        let (name, detail): (String, String) =
            switch decision {
            case .answer(let match): ("answer", "FlowLearn would answer with \(match.nuggetID) (\(match.title)).")
            case .choice(let matches): ("did you mean", "FlowLearn would offer: " + matches.map(\.nuggetID).joined(separator: ", ") + ".")
            case .unknown: ("no nugget yet", "FlowLearn would say it has no nugget for this yet, and log it as a gap.")
            }
        context["asked"] = true
        context["decision"] = name
        context["decisionDetail"] = detail
        context["candidates"] = candidates.enumerated().map { index, evidence -> [String: Any] in
            var row: [String: Any] = [
                "rank": index + 1, "id": evidence.match.nuggetID, "title": evidence.match.title,
                "confidence": ConsoleRenderer.decimal(evidence.match.confidence), "score": ConsoleRenderer.decimal(evidence.match.score),
                "words": evidence.sharedWords.joined(separator: ", "),
            ]
            if let example = evidence.closestExample {
                row["example"] = example
                row["similarity"] = ConsoleRenderer.decimal(evidence.exampleSimilarity)
            }
            return row
        }
        return context
    }
}
