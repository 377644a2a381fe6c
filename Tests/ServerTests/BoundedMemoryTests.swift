import FlowLearnConfig
import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation
import Logging
import Synchronization
import Testing

/// In-memory state keyed by what arrives from outside stays bounded however much arrives.
@Suite("Bounded memory")
struct BoundedMemoryTests {
    /// A chat API that holds every post until released, and counts what it got.
    final class GatedPoster: RequestPoster {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>], bodies: [String])>((false, [], []))

        func post(_ request: OutboundRequest) async -> PostOutcome {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
            state.withLock { $0.bodies.append(String(decoding: request.body, as: UTF8.self)) }
            return PostOutcome(status: 200, body: [], attempts: 1, error: nil)
        }

        func open() {
            let waiting = state.withLock { state in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }

        var bodies: [String] { state.withLock { $0.bodies } }
    }

    func reply(_ number: Int) -> OutboundRequest {
        OutboundRequest(url: "http://127.0.0.1:9/reply", headers: [], body: Array("reply \(number)".utf8), purpose: "test")
    }

    @Test func aStalledChatAPIFillsTheStoreNotTheMemory() async throws {
        let store = try SQLiteStore.inMemory()
        let poster = GatedPoster()
        let outbox = ReplyOutbox(poster: poster, store: store, capacity: 4, logger: Logger(label: "test"))
        let running = Task { try await outbox.run() }
        defer { running.cancel() }
        for number in 0..<40 {
            await outbox.enqueue(reply(number), platform: "matrix")
            #expect(outbox.batchesInMemory <= 4, "reply \(number): \(outbox.batchesInMemory) batches in memory")
        }
        #expect(try await store.keptReplies().count == 40, "every reply is kept while the chat API stalls")
        poster.open()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while try await !store.keptReplies().isEmpty, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try await store.keptReplies().isEmpty)
        #expect(poster.bodies.sorted() == (0..<40).map { "reply \($0)" }.sorted(), "each reply posted exactly once")
        #expect(outbox.batchesInMemory == 0)
    }

    @Test func repliesKeptByAnEarlierProcessComeBackInBoundedChunks() async throws {
        let store = try SQLiteStore.inMemory()
        for number in 0..<25 { _ = try await store.keepReplies([reply(number)], platform: "matrix", at: Date()) }  // held by a process that died
        let poster = GatedPoster()
        let outbox = ReplyOutbox(poster: poster, store: store, capacity: 3, logger: Logger(label: "test"))
        let running = Task { try await outbox.run() }
        defer { running.cancel() }
        await outbox.enqueue(reply(25), platform: "matrix")
        #expect(outbox.batchesInMemory <= 3)
        poster.open()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while poster.bodies.count < 26, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(poster.bodies.sorted() == (0..<26).map { "reply \($0)" }.sorted())
        // Claimed in chunks of at most 3 once at most 1 is in memory: the new reply is among the last 4 posted.
        #expect((poster.bodies.firstIndex(of: "reply 25") ?? 0) >= 22, "the new reply waits behind the ones kept before the restart")
    }

    @Test func theNudgePacerForgetsChannelsWhoseSlotHasPassed() async throws {
        let store = try SQLiteStore.inMemory()
        let now = Date(timeIntervalSince1970: 1_764_500_000)
        var items: [(item: NudgeOutboxItem, session: QuizSession?)] = []
        for number in 0..<3000 {
            let request = OutboundRequest(url: "http://127.0.0.1:9/nudge", headers: [], body: [], purpose: "nudge")
            items.append((
                NudgeOutboxItem(
                    key: "k\(number)", recipient: "r\(number)", platform: "matrix", channel: "!room\(number):example.org", localDate: "2026-11-30",
                    dueAt: now, content: .nugget(id: "n1"), reason: "test", request: request), nil))
        }
        _ = try await store.enqueue(items)
        var settings = FlowLearnConfiguration().nudges
        settings.perChannelPerSecond = 1000  // a slot 1 ms after each send
        let poster = GatedPoster()
        poster.open()
        let courier = NudgeCourier(settings: settings, store: store, poster: poster, credentials: { $1 }, logger: Logger(label: "test"))
        let (sent, _) = try await courier.deliverDue(at: { now })
        #expect(sent == 3000)
        #expect(courier.pacedChannels <= NudgeCourier.pacerCompactionSize, "\(courier.pacedChannels) channels remembered")
    }
}
