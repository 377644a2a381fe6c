import FlowLearnCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Hands prepared replies to the poster after the HTTP handler has answered, so a slow chat API never
/// delays an acknowledgement. Each reply is first kept in the store (secret headers left out), and
/// forgotten once sent: replies kept by a process that crashed or stopped are sent when the next one
/// starts, with the platform's credentials put back. Runs in the service group; on shutdown it sends
/// what is queued, then stops.
///
/// Memory is bounded: at most `capacity` batches are held (queued or being sent). When a slow or
/// failing chat API fills that, new replies wait in the store only, and are claimed from it, oldest
/// first, as room comes free; the batches kept by an earlier process come back the same way.
public final class ReplyOutbox: Service, Sendable {
    /// Reads a platform's "HTTP 200 but refused" answer (Slack's `{"ok":false}`) out of an outcome.
    public typealias Inspector = @Sendable (PostOutcome) -> String?
    /// Puts a platform's secret headers back on a kept request; nil when it cannot be sent any more.
    public typealias Credentials = @Sendable (_ platform: String, _ request: OutboundRequest) -> OutboundRequest?

    private struct Item: Sendable {
        /// The kept batch, if the store took it.
        var id: Int64?
        var platform: String
        /// Sent one after another, in order (a quiz result, then the next question).
        var requests: [OutboundRequest]
        /// The inbound request it answers: its delivery logs with this id.
        var requestID: String?
    }

    /// Who holds what: batches in memory, and whether the store may hold batches waiting for room.
    private struct Queue {
        var inMemory = 0
        var storeHasWaiting = false
        /// Counts replies sent to the store to wait; a refill that saw no change may stop looking.
        var waitingKept = 0
        var refilling = false
        /// Kept batches this process holds (queued or being sent), whose leases it renews.
        var held: Set<Int64> = []
        /// Batches whose lease ran out and another replica took: not to be sent by this one.
        var lost: Set<Int64> = []
    }

    public static let defaultCapacity = 1024

    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let poster: any RequestPoster
    private let store: (any ReplyStore)?
    private let credentials: Credentials?
    private let inspectors: [String: Inspector]
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let capacity: Int
    /// How often the leases on held batches are renewed and expired ones of other replicas looked for.
    private let leaseRenewal: Duration
    private let queue = Mutex(Queue())

    /// Replies an earlier process kept are marked waiting before any new reply is kept, so none is
    /// sent twice by this process.
    private let restoration: Task<Void, Never>?

    /// - Parameters:
    ///   - credentials: puts secret headers back on replies kept by an earlier process.
    ///   - inspectors: per platform, how to read a refusal out of a successful post.
    ///   - capacity: batches held in memory at most; more wait in the store.
    ///   - leaseRenewal: how often the store leases on held batches are renewed (a third of the lease
    ///     duration), and batches of a replica whose leases expired are looked for.
    public init(
        poster: any RequestPoster, store: (any ReplyStore)? = nil, credentials: Credentials? = nil,
        inspectors: [String: Inspector] = [:], now: @escaping @Sendable () -> Date = { Date() }, capacity: Int = ReplyOutbox.defaultCapacity,
        leaseRenewal: Duration = .seconds(LeaseHolder.defaultDuration / 3), logger: Logger
    ) {
        self.leaseRenewal = leaseRenewal
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self)
        self.stream = stream
        self.continuation = continuation
        self.poster = poster
        self.store = store
        self.credentials = credentials
        self.inspectors = inspectors
        self.now = now
        self.capacity = max(1, capacity)
        self.logger = logger
        restoration = store.map { store in
            Task {
                do {
                    let waiting = try await store.requeueKeptReplies(at: now())
                    if waiting > 0 { logger.notice("sending replies kept before the restart", metadata: ["batches": "\(waiting)"]) }
                } catch {
                    logger.error("kept replies could not be read", metadata: ["error": "\(error)"])
                }
            }
        }
        if restoration != nil {
            queue.withLock { $0.storeHasWaiting = true }
            Task { [self] in
                await restoration?.value
                scheduleRefill()
            }
        }
    }

    /// Batches held in memory now (queued or being sent): at most `capacity`, except for replies the
    /// store failed to keep.
    public var batchesInMemory: Int { queue.withLock { $0.inMemory } }

    /// Keeps a reply in the store, then queues it; returns once it is kept.
    public func enqueue(_ request: OutboundRequest, platform: String) async {
        await enqueue(inOrder: [request], platform: platform)
    }

    /// Keeps requests that must arrive in this order and queues them; each is sent after the one
    /// before it finished. If the store fails, the reply is still sent (but not kept).
    public func enqueue(inOrder requests: [OutboundRequest], platform: String) async {
        guard !requests.isEmpty else { return }
        await restoration?.value
        let requestID = RequestID.current
        guard let store else {
            queue.withLock { $0.inMemory += 1 }
            continuation.yield(Item(id: nil, platform: platform, requests: requests, requestID: requestID))
            return
        }
        // Wait in the store when memory is full, or behind replies already waiting there (order).
        let waits = queue.withLock { queue -> Bool in
            if queue.storeHasWaiting || queue.inMemory >= capacity {
                queue.storeHasWaiting = true
                queue.waitingKept += 1
                return true
            }
            queue.inMemory += 1
            return false
        }
        let id: Int64
        do {
            id = try await store.keepReplies(requests, platform: platform, at: now(), queued: !waits, requestID: requestID)
        } catch {
            logger.error("reply not kept (sent anyway)", metadata: ["platform": "\(platform)", "error": "\(error)"])
            if waits { queue.withLock { $0.inMemory += 1 } }
            continuation.yield(Item(id: nil, platform: platform, requests: requests, requestID: requestID))
            return
        }
        if waits {
            // A refill that ran before this row was written may have found nothing and stopped looking.
            queue.withLock { $0.storeHasWaiting = true }
            scheduleRefill()
        } else {
            queue.withLock { _ = $0.held.insert(id) }
            continuation.yield(Item(id: id, platform: platform, requests: requests, requestID: requestID))
        }
    }

    public func run() async throws {
        let keeper = store.map { store in Task { await self.keepLeases(store) } }
        defer { keeper?.cancel() }
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                self.continuation.finish()  // the loop below drains what is queued, then ends
            }
            for await item in stream {
                group.addTask {
                    await RequestID.$current.withValue(item.requestID) { await self.deliver(item) }
                    self.queue.withLock { $0.inMemory -= 1 }
                    self.scheduleRefill()
                }
            }
        }
    }

    /// Every `leaseRenewal`: renews the leases on the batches held (a batch whose lease another replica
    /// took meanwhile is dropped here), then looks for batches left by replicas whose leases expired.
    private func keepLeases(_ store: any ReplyStore) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: leaseRenewal) } catch { return }
            let held = queue.withLock { Array($0.held) }
            if !held.isEmpty {
                do {
                    let kept = try await store.renewReplyLeases(held, at: now())
                    // A batch delivered and forgotten while the renewal ran is missing from `kept` too, but
                    // it is no longer held: only batches still held were taken over.
                    let lost = queue.withLock { queue -> Set<Int64> in
                        let lost = Set(held).subtracting(kept).intersection(queue.held)
                        queue.lost.formUnion(lost)
                        queue.held.subtract(lost)
                        return lost
                    }
                    if !lost.isEmpty {
                        logger.warning("kept replies taken over by another replica after their lease expired", metadata: ["batches": "\(lost.count)"])
                    }
                } catch {
                    logger.error("leases on kept replies not renewed; will try again", metadata: ["error": "\(error)"])
                }
            }
            queue.withLock { $0.storeHasWaiting = true }
            scheduleRefill()
        }
    }

    /// Starts claiming waiting batches from the store when there are some and memory is at most half full.
    private func scheduleRefill() {
        guard let store else { return }
        let start = queue.withLock { queue -> Bool in
            guard queue.storeHasWaiting, !queue.refilling, queue.inMemory <= capacity / 2 else { return false }
            queue.refilling = true
            return true
        }
        guard start else { return }
        Task { await self.refill(from: store) }
    }

    private func refill(from store: any ReplyStore) async {
        while true {
            let (room, seen) = queue.withLock { ($0.inMemory < capacity ? capacity - $0.inMemory : 0, $0.waitingKept) }
            guard room > 0 else { break }
            let batches: [KeptReplies]
            do {
                batches = try await store.claimKeptReplies(limit: room, at: now())
            } catch {
                logger.error("waiting replies could not be claimed; will try again", metadata: ["error": "\(error)"])
                break
            }
            var items: [Item] = []
            for batch in batches {
                let requests = sendable(batch)
                if requests.isEmpty {
                    try? await store.forgetReplies(batch.id)  // nothing left to send: the secret goes now
                } else {
                    items.append(Item(id: batch.id, platform: batch.platform, requests: requests, requestID: batch.requestID))
                }
            }
            let done = queue.withLock { queue -> Bool in
                queue.inMemory += items.count
                for item in items { if let id = item.id { queue.held.insert(id) } }
                for item in items { continuation.yield(item) }
                // Fewer than asked and nothing sent to wait meanwhile: the store holds no waiting batch.
                if batches.count < room && queue.waitingKept == seen { queue.storeHasWaiting = false }
                return !queue.storeHasWaiting
            }
            if done { break }
        }
        queue.withLock { $0.refilling = false }
        // Replies may have been sent to wait while this pass ended; look again.
        if queue.withLock({ $0.storeHasWaiting && $0.inMemory <= capacity / 2 }) { scheduleRefill() }
    }

    /// A kept batch's requests that can still be sent: expired response URLs dropped, credentials put back.
    private func sendable(_ batch: KeptReplies) -> [OutboundRequest] {
        var requests: [OutboundRequest] = []
        let at = now()
        for (request, needsCredentials) in zip(batch.requests, batch.needsCredentials) {
            if let validity = KeptReplies.validity(platform: batch.platform, request: request, needsCredentials: needsCredentials),
                at.timeIntervalSince(batch.keptAt) > validity
            {
                logger.notice(
                    "kept reply dropped: its response URL expired before it could be sent",
                    metadata: ["platform": "\(batch.platform)", "purpose": "\(request.purpose)"])
            } else if !needsCredentials {
                requests.append(request)
            } else if let restored = credentials?(batch.platform, request) {
                requests.append(restored)
            } else {
                logger.error("kept reply dropped: no credentials for its platform", metadata: ["platform": "\(batch.platform)"])
            }
        }
        return requests
    }

    private func deliver(_ item: Item) async {
        for request in item.requests {
            if let id = item.id, queue.withLock({ $0.lost.remove(id) != nil }) {
                logger.notice("kept reply left to the replica that took it over", metadata: ["purpose": "\(request.purpose)"])
                return
            }
            await deliver(request, inspect: inspectors[item.platform])
        }
        if let id = item.id {
            queue.withLock { queue in
                queue.held.remove(id)
                queue.lost.remove(id)
            }
        }
        // Sent, or refused for good after the poster's retries: either way not to be sent again.
        if let id = item.id, let store {
            do {
                try await store.forgetReplies(id)
            } catch {
                logger.error("sent reply not forgotten (may be sent again after a restart)", metadata: ["error": "\(error)"])
            }
        }
    }

    private func deliver(_ request: OutboundRequest, inspect: Inspector?) async {
        let outcome = await poster.post(request)
        let purpose = request.purpose
        if !outcome.succeeded {
            logger.error(
                "reply not delivered",
                metadata: ["purpose": "\(purpose)", "status": "\(outcome.status.map(String.init) ?? "none")", "error": "\(outcome.error ?? "")"])
        } else if let refusal = inspect?(outcome) {
            logger.warning("chat API refused the reply", metadata: ["purpose": "\(purpose)", "error": "\(refusal)"])
        } else {
            logger.debug("reply posted", metadata: ["purpose": "\(purpose)", "attempts": "\(outcome.attempts)"])
        }
    }
}
