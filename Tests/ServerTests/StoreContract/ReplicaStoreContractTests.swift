import FlowLearnCore
import FlowLearnPostgresStore
import Foundation
import Testing

/// Two store instances on one database, as two replicas (two `flowlearn serve` processes) would
/// open it: each thing is done once. Claims never overlap; a replica that "dies" (stops renewing)
/// loses its claims once its lease has expired, not before; a quiz continues through either.
@Suite("Store contract: several replicas")
struct ReplicaStoreContractTests {
    typealias F = StoreFixtures

    @Test(arguments: StoreEngine.available) func concurrentNudgeClaimsNeverOverlap(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let a = try await database.replica("replica-a")
            let b = try await database.replica("replica-b")
            let items = (0..<60).map { index in
                (item: F.nudge("k\(index)", for: Learner(platform: "slack", team: "T1", user: "U\(index)"), due: Double(index)), session: QuizSession?.none)
            }
            #expect(try await a.enqueue(items) == 60)
            #expect(try await b.enqueue(items) == 0, "the other replica planned the same nudges: nothing added")
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for (store, round) in [(a, 0), (b, 0), (a, 1), (b, 1), (a, 2), (b, 2)] {
                    _ = round
                    group.addTask { try await store.claimNudges(dueBy: F.at(100), limit: 13).map(\.key) }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == Set(all).count, "no nudge claimed twice")
            #expect(all.count == 60, "every nudge claimed once (6 claims of 13 for 60 nudges)")
        }
    }

    @Test(arguments: StoreEngine.available) func aDeadReplicasNudgesAreRetakenAfterItsLeaseExpiresAndNotBefore(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let dead = try await database.replica("replica-dead", lease: 60)
            let live = try await database.replica("replica-live", lease: 60)
            _ = try await dead.enqueue([(F.nudge("k1"), nil), (F.nudge("k2", for: F.bob), nil)])
            let taken = try await dead.claimNudges(dueBy: F.at(10), limit: 10)
            #expect(taken.count == 2)
            #expect(try await dead.renewNudgeLeases(taken.map(\.id), at: F.at(40)) == 2, "renewed while sending: held until 100")
            #expect(try await live.claimNudges(dueBy: F.at(90), limit: 10).isEmpty, "held under a running lease")
            #expect(try await live.requeueInFlight(at: F.at(90)) == (engine == .sqlite ? 2 : 0), "SQLite: one process per file takes all back")
            if engine == .postgres {
                #expect(try await live.claimNudges(dueBy: F.at(99), limit: 10).isEmpty, "not before the lease expires")
            }
            let retaken = try await live.claimNudges(dueBy: F.at(100), limit: 10)
            #expect(retaken.map(\.key).sorted() == ["k1", "k2"], "the live replica finishes the dead one's work")
            #expect(try await dead.renewNudgeLeases(taken.map(\.id), at: F.at(101)) == 0, "the dead replica's leases are gone")
            try await live.markSent(retaken[0].id, at: F.at(101))
            #expect(try await live.nudgeStatus(deadLimit: 1).counts[.sent] == 1)
            // The replica that lost its leases (it was alive after all) cannot put back or dead-letter
            // what another holds or sent: only the holder decides.
            try await dead.markFailed(retaken[0].id, error: "HTTP 500", retryAt: F.at(200))
            try await dead.markFailed(retaken[1].id, error: "HTTP 404", retryAt: nil)
            let status = try await live.nudgeStatus(deadLimit: 1)
            #expect(status.counts[.sent] == 1 && status.counts[.sending] == 1 && status.counts[.pending] == nil && status.counts[.dead] == nil)
            try await live.markFailed(retaken[1].id, error: "HTTP 500", retryAt: F.at(200))
            #expect(try await live.nudgeStatus(deadLimit: 1).counts[.pending] == 1, "the holder's own failure puts it back")
        }
    }

    @Test(arguments: StoreEngine.available) func aKeptReplyIsPostedByItsKeeperOrAfterItsLeaseByAnother(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let keeper = try await database.replica("replica-keeper", lease: 60)
            let other = try await database.replica("replica-other", lease: 60)
            let held = try await keeper.keepReplies([F.reply("mine")], platform: "slack", at: F.now, queued: true, requestID: nil)
            let waiting = try await keeper.keepReplies([F.reply("waiting")], platform: "slack", at: F.now, queued: false, requestID: nil)
            let concurrent = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for store in [keeper, other] { group.addTask { try await store.claimKeptReplies(limit: 10, at: F.at(1)).map(\.id) } }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(concurrent == [waiting], "the waiting batch goes to one replica; the held one stays with its keeper")
            #expect(try await keeper.renewReplyLeases([held], at: F.at(50)) == [held])
            #expect(try await !other.claimKeptReplies(limit: 10, at: F.at(109)).map(\.id).contains(held), "not while the keeper renews")
            let retaken = try await other.claimKeptReplies(limit: 10, at: F.at(110))
            #expect(retaken.map(\.id).contains(held), "the keeper stopped renewing: another replica posts it")
            #expect(try await keeper.renewReplyLeases([held], at: F.at(111)).isEmpty, "and the keeper knows it lost it")
        }
    }

    @Test(arguments: StoreEngine.available) func learningRecordsGoToOneReplicaAtATime(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let a = try await database.replica("replica-a", lease: 60)
            let b = try await database.replica("replica-b", lease: 60)
            a.keepLearningRecords(true)
            for index in 0..<4 { try await a.record(F.question("q\(index)", outcome: .unknown, at: Double(index))) }
            let first = try await a.pendingLearningRecords(limit: 2, at: F.at(10)).map(\.id)
            let second = try await b.pendingLearningRecords(limit: 10, at: F.at(10)).map(\.id)
            #expect(first.count == 2 && second.count == 2 && Set(first).isDisjoint(with: second))
            #expect(try await a.pendingLearningRecords(limit: 10, at: F.at(20)).map(\.id) == first, "its own claims again, for a retry")
            #expect(try await a.pendingLearningRecords(limit: 10, at: F.at(80)).count == 4, "b's lease ran out at 70")
            // A process started after a kill: on SQLite (one process per file) it takes back every lease
            // at once; on PostgreSQL none, since another replica may be alive.
            let restarted = try await database.replica("replica-restarted", lease: 60)
            let taken = try await restarted.requeueLearningRecordsInFlight()
            #expect(taken == (engine == .sqlite ? 4 : 0))
            #expect(try await restarted.pendingLearningRecords(limit: 10, at: F.at(81)).count == (engine == .sqlite ? 4 : 0))
        }
    }

    @Test(arguments: StoreEngine.available) func anEventRetriedThroughAnotherReplicaIsAnsweredOnce(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let a = try await database.replica("replica-a")
            let b = try await database.replica("replica-b")
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, store) in [a, b, a, b].enumerated() {
                    group.addTask { try await store.claimEvent(platform: "slack", eventID: "Ev-retry", at: F.now, logging: F.question("try \(index)")) }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await b.recentQuestions(unansweredOnly: false, limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreEngine.available) func quizzesStartedAtOnceThroughTwoReplicasLeaveOneActive(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let a = try await database.replica("replica-a")
            let b = try await database.replica("replica-b")
            for round in 0..<10 {
                async let first: Void = a.startSession(F.session("r\(round)a"))
                async let second: Void = b.startSession(F.session("r\(round)b"))
                _ = try await (first, second)
                let states = [try await a.session(id: "r\(round)a")?.state, try await a.session(id: "r\(round)b")?.state]
                #expect(states.filter { $0 == .active }.count == 1, "round \(round): \(states)")
            }
        }
    }

    @Test(arguments: StoreEngine.available) func aQuizAnsweredThroughOneReplicaContinuesThroughTheOther(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let a = try await database.replica("replica-a")
            let b = try await database.replica("replica-b")
            try await a.startSession(F.session("s1"))
            let first = F.answer("s1", position: 0, question: "q1", action: "click-1", at: 1)
            #expect(try await a.recordAnswer(first, schedule: F.schedule(first)) != .repeatedAction)
            #expect(try await b.activeSession(for: F.alice)?.position == 1)
            #expect(try await b.recordAnswer(first, schedule: F.schedule(first)) == .repeatedAction, "the platform's retry on the other replica")
            // Two clicks on the next question land on both replicas at once: one counts.
            let clicks = [F.answer("s1", position: 1, question: "q2", action: "click-2a", at: 2), F.answer("s1", position: 1, question: "q2", action: "click-2b", at: 2)]
            let claims = try await withThrowingTaskGroup(of: AnswerClaim.self) { group in
                for (store, click) in zip([a, b], clicks) { group.addTask { try await store.recordAnswer(click, schedule: F.schedule(click)) } }
                return try await group.reduce(into: [AnswerClaim]()) { $0.append($1) }
            }
            #expect(claims.filter { if case .recorded = $0 { true } else { false } }.count == 1)
            #expect(try await a.session(id: "s1")?.state == .finished)
            #expect(try await b.stats(for: F.alice, at: F.at(3)).answered == 2)
        }
    }

    @Test(.enabled(if: StoreEngine.postgresURL != nil, "FLOWLEARN_TEST_POSTGRES_URL is not set"))
    func replicasStartingTogetherMigrateOnce() async throws {
        try await StoreDatabase.withDatabase(.postgres) { database in
            let replicas = (0..<4).compactMap { database.unopenedPostgresReplica("replica-\($0)") }
            #expect(replicas.count == 4)
            // Each store migrates before its first query; four start at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for replica in replicas { group.addTask { try await replica.checkWritable(at: F.now) } }
                try await group.waitForAll()
            }
            let applied = try await replicas[0].appliedMigrations()
            #expect(applied.map(\.version) == PostgresStore.migrationVersions, "each step once")
            #expect(Set(applied.map(\.appliedBy)).count == 1, "all by the replica that took the lock first")
            let again = try await database.replica("replica-later")
            #expect(try await (again as? PostgresStore)?.appliedMigrations().count == applied.count, "a later start adds nothing")
        }
    }
}
