import FlowLearnCore
import Foundation
import Testing

/// The store contract for what waits to be sent (kept replies, xAPI records) and what is pruned,
/// exported, forgotten and counted.
@Suite("Store contract: outboxes, retention, privacy, insights")
struct OutboxStoreContractTests {
    typealias F = StoreFixtures

    @Test(arguments: StoreEngine.available) func keptRepliesAreKeptClaimedAndForgottenWithoutTheirSecrets(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            let a = try await store.keepReplies([F.reply("one", secret: true), F.reply("two")], platform: "slack", at: F.now, queued: true, requestID: "r-1")
            let b = try await store.keepReplies([F.reply("three")], platform: "discord", at: F.now, queued: false, requestID: nil)
            let c = try await store.keepReplies([F.reply("four")], platform: "slack", at: F.now, queued: false, requestID: nil)
            #expect(a < b && b < c)
            let kept = try await store.keptReplies()
            #expect(kept.map(\.id) == [a, b, c])
            #expect(kept[0].needsCredentials == [true, false] && kept[0].requestID == "r-1" && kept[0].keptAt == F.now)
            #expect(kept[0].requests.map { String(decoding: $0.body, as: UTF8.self) } == ["one", "two"])
            #expect(kept[0].requests[0].headers.map(\.name) == ["Content-Type"], "the token was never written")
            let claimed = try await store.claimKeptReplies(limit: 1, at: F.at(1))
            #expect(claimed.map(\.id) == [b] && claimed.first?.platform == "discord", "waiting batches, oldest first; queued ones are held")
            #expect(try await store.claimKeptReplies(limit: 10, at: F.at(1)).map(\.id) == [c])
            #expect(try await store.claimKeptReplies(limit: 10, at: F.at(2)).isEmpty)
            try await store.forgetReplies(a)
            #expect(try await store.keptReplies().map(\.id) == [b, c])
            #expect(try await store.requeueKeptReplies(at: F.at(3600)) >= 1, "at start, batches whose lease ran out wait again")
            #expect(try await store.claimKeptReplies(limit: 10, at: F.at(3600)).map(\.id) == [b, c])
            // A batch number is never given twice, even once the newest batch was sent and forgotten:
            // the reply queue tells batches apart by it.
            try await store.forgetReplies(c)
            let d = try await store.keepReplies([F.reply("five")], platform: "slack", at: F.now, queued: true, requestID: nil)
            #expect(d > c)
        }
    }

    @Test(arguments: StoreEngine.available) func learningRecordsAreKeptWithTheirRowsAndDeliveredOrRejected(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("before recording is on"))
            store.keepLearningRecords(true)
            try await store.record(F.question("taxi?", at: 1, answerID: "a1"))
            _ = try await store.recordAnswerVote(answerID: "a1", learner: F.alice, helpful: true, at: F.at(2))
            try await store.startSession(F.session("s1"))
            let answer = F.answer("s1", position: 0, question: "q1", action: "x1", at: 3)
            _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
            _ = try await store.enqueue([(F.nudge("k1"), nil)])
            let nudge = try #require(try await store.claimNudges(dueBy: F.at(4), limit: 1).first)
            try await store.markSent(nudge.id, at: F.at(4))
            let pending = try await store.pendingLearningRecords(limit: 10, at: F.at(5))
            #expect(pending.compactMap(\.record?.kind) == [.asked, .experienced, .voted, .answered, .experienced])
            #expect(pending[0].record?.question == "taxi?" && pending[2].record?.askedSource == pending[0].record?.source)
            #expect(pending[3].record?.picks == [0] && pending[4].record?.via == "nudge")
            try await store.deliveredLearningRecords(Array(pending.prefix(2).map(\.id)))
            try await store.rejectLearningRecord(pending[2].id, reason: "HTTP 400: bad")
            let counts = try await store.learningRecordCounts()
            #expect(counts.pending == 2 && counts.rejected == 1)
            #expect(try await store.pendingLearningRecords(limit: 10, at: F.at(6)).map(\.id) == Array(pending.suffix(2).map(\.id)))
        }
    }

    @Test(arguments: StoreEngine.available) func pruningDeletesWhatIsPastItsRetentionInBatches(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            let day: TimeInterval = 86_400
            for index in 0..<5 { try await store.record(F.question("old \(index)", at: -400 * day + Double(index))) }
            try await store.record(F.question("new", at: -1))
            #expect(try await store.claimEvent(platform: "slack", eventID: "old", at: F.at(-10 * day), logging: nil))
            #expect(try await store.claimEvent(platform: "slack", eventID: "new", at: F.at(-1), logging: nil))
            try await store.startSession(F.session("s-old", at: -800 * day))
            let answer = F.answer("s-old", position: 0, question: "q1", action: "x-old", at: -800 * day)
            _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
            _ = try await store.enqueue([(F.nudge("k-sent", due: -200 * day), nil), (F.nudge("k-pending", for: F.bob, due: -200 * day), nil)])
            let sent = try #require(try await store.claimNudges(dueBy: F.now, limit: 10).first { $0.key == "k-sent" })
            try await store.markSent(sent.id, at: F.at(-200 * day))
            _ = try await store.keepReplies(
                [OutboundRequest(url: "https://hooks.slack.example/commands/1", headers: [], body: [], purpose: "response_url")], platform: "slack",
                at: F.at(-3600), queued: false, requestID: nil)
            let deleted = try await store.prune(RetentionPolicy(), at: F.now, batch: 2)
            #expect(deleted[.questionLog] == 5 && deleted[.processedEvents] == 1 && deleted[.quizHistory] == 1 && deleted[.reviewLog] == 1)
            #expect(deleted[.nudgeOutbox] == 1, "the pending nudge stays whatever its age")
            #expect(deleted[.expiredReplies] == 1, "a response URL past its 30 minutes goes")
            #expect(try await store.recentQuestions(unansweredOnly: false, limit: 10).map(\.text) == ["new"])
            #expect(try await !store.claimEvent(platform: "slack", eventID: "new", at: F.now, logging: nil))
            #expect(try await store.nudgeStatus(deadLimit: 1).counts == [.sending: 1])
            #expect(try await store.cards(for: F.alice)["q1"] != nil, "cards stay")
        }
    }

    @Test(arguments: StoreEngine.available) func exportHoldsEveryTableAboutThePersonAndForgetErasesOnlyThem(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            store.keepLearningRecords(true)
            for (learner, channel) in [(F.alice, "C1"), (F.bob, "C2")] {
                try await store.record(F.question("taxi, \(learner.user)?", by: learner, at: 0, review: "q-taxi"))
                try await store.startSession(F.session("s-\(learner.user)", for: learner, questions: ["q-taxi"], channel: channel))
                let answer = F.answer("s-\(learner.user)", position: 0, question: "q-taxi", action: "a-\(learner.user)")
                _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
                try await store.setLeaderboardMembership(learner, channel: channel, joined: true)
                try await store.saveSubscription(NudgeSubscription(learner: learner, channel: learner.user, time: LocalTime(hour: 9, minute: 30)))
                try await store.recordFeedback(nudgeKey: "k-\(learner.user)", learner: learner, useful: true, at: F.now)
                _ = try await store.enqueue([(F.nudge("k-\(learner.user)", for: learner), nil)])
            }
            let expected = [
                "question_log", "quiz_answer", "quiz_session", "card", "review_log", "asked_review", "leaderboard_member", "nudge_subscription",
                "nudge_feedback", "nudge_outbox",
            ]
            let data = try await store.exportPerson(F.alice)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["learner"] as? String == F.alice.key)
            let tables = try #require(object["tables"] as? [String: [[String: Any]]])
            for table in expected { #expect(tables[table]?.count == 1, "\(table): \(tables[table]?.count ?? 0) rows") }
            #expect((tables["xapi_outbox"]?.count ?? 0) >= 2)
            #expect(tables["question_log"]?.first?["text"] as? String == "taxi, UALICE?")
            #expect(String(decoding: data, as: UTF8.self).contains("UBOB") == false, "nothing about anyone else")
            let changed = try await store.forgetPerson(F.alice)
            #expect(expected.allSatisfy { changed[$0] == 1 }, "\(changed)")
            let after = try #require(try JSONSerialization.jsonObject(with: try await store.exportPerson(F.alice)) as? [String: Any])
            #expect((after["tables"] as? [String: [Any]])?.allSatisfy { $0.value.isEmpty } == true)
            let questions = try await store.recentQuestions(unansweredOnly: false, limit: 10)
            #expect(questions.count == 2 && questions.contains { $0.user == "forgotten" && $0.channel == "forgotten" && $0.team.isEmpty })
            let bobs = try #require(try JSONSerialization.jsonObject(with: try await store.exportPerson(F.bob)) as? [String: Any])
            #expect((bobs["tables"] as? [String: [Any]])?["card"]?.count == 1, "bob's rows are untouched")
        }
    }

    @Test(arguments: StoreEngine.available) func insightsAggregateAnswersVotesAndPeople(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("a", outcome: .answered, nugget: "n1", at: 1, answerID: "a1"))
            try await store.record(F.question("b", by: F.bob, outcome: .choice, nugget: "n1", at: 2))
            try await store.record(F.question("old", outcome: .answered, nugget: "n1", at: -100))
            _ = try await store.recordAnswerVote(answerID: "a1", learner: F.bob, helpful: false, at: F.at(3))
            try await store.saveSubscription(NudgeSubscription(learner: F.bob, channel: "D", time: LocalTime(hour: 9, minute: 0)))
            // Alice: wrong, then right; Bob: right, then wrong (two sessions each on q1).
            for (learner, results) in [(F.alice, [false, true]), (F.bob, [true, false])] {
                for (round, right) in results.enumerated() {
                    let id = "s-\(learner.user)-\(round)"
                    try await store.startSession(F.session(id, for: learner, questions: ["q1"], at: Double(10 + round * 10)))
                    let answer = F.answer(id, position: 0, question: "q1", action: id, correct: right, at: Double(11 + round * 10 + (learner == F.bob ? 10 : 0)))
                    _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
                }
            }
            let nuggets = try await store.nuggetActivity(since: F.now)
            #expect(nuggets["n1"] == NuggetActivity(served: 1, offered: 1, helpful: 0, notHelpful: 1))
            let results = try await store.questionResults(since: F.now)
            #expect(results["q1"] == QuestionResults(answers: 4, correct: 2, people: 2, firstCorrect: 1, latestCorrect: 1))
            #expect(try await store.peopleSummary(since: F.now) == [PlatformPeople(platform: "slack", askers: 2, quizTakers: 2, nudgeSubscribers: 1)])
            let people = try await store.activePeople(since: F.now, limit: 10)
            #expect(people.map(\.user) == ["UBOB", "UALICE"], "as many questions and answers: the latest first")
            #expect(people.first?.questions == 1 && people.first?.quizAnswers == 2 && people.first?.lastSeen == F.at(31))
            #expect(try await store.activePeople(since: F.now, limit: 1).count == 1)
        }
    }
}
