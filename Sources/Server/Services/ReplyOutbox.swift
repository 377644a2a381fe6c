import FlowLearnCore
import Foundation
import Logging
import ServiceLifecycle

/// Hands prepared replies to the poster after the HTTP handler has answered, so a slow chat API never
/// delays an acknowledgement. Each reply is first kept in the store (secret headers left out), and
/// forgotten once sent: replies kept by a process that crashed or stopped are sent when the next one
/// starts, with the platform's credentials put back. Runs in the service group; on shutdown it sends
/// what is queued, then stops.
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
    }

    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let poster: any RequestPoster
    private let store: (any ReplyStore)?
    private let inspectors: [String: Inspector]
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// Replies an earlier process kept and did not send are read (and queued first) before any new
    /// reply is kept, so none is sent twice by this process.
    private let restoration: Task<Void, Never>?

    /// - Parameters:
    ///   - credentials: puts secret headers back on replies kept by an earlier process.
    ///   - inspectors: per platform, how to read a refusal out of a successful post.
    public init(
        poster: any RequestPoster, store: (any ReplyStore)? = nil, credentials: Credentials? = nil,
        inspectors: [String: Inspector] = [:], now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self)
        self.stream = stream
        self.continuation = continuation
        self.poster = poster
        self.store = store
        self.inspectors = inspectors
        self.now = now
        self.logger = logger
        restoration = store.map { store in
            Task {
                let kept: [KeptReplies]
                do {
                    kept = try await store.keptReplies()
                } catch {
                    logger.error("kept replies could not be read", metadata: ["error": "\(error)"])
                    return
                }
                let restartedAt = now()
                for batch in kept {
                    var requests: [OutboundRequest] = []
                    for (request, needsCredentials) in zip(batch.requests, batch.needsCredentials) {
                        if let validity = KeptReplies.validity(platform: batch.platform, request: request, needsCredentials: needsCredentials),
                            restartedAt.timeIntervalSince(batch.keptAt) > validity
                        {
                            logger.notice(
                                "kept reply dropped: its response URL expired while the server was down",
                                metadata: ["platform": "\(batch.platform)", "purpose": "\(request.purpose)"])
                        } else if !needsCredentials {
                            requests.append(request)
                        } else if let restored = credentials?(batch.platform, request) {
                            requests.append(restored)
                        } else {
                            logger.error("kept reply dropped: no credentials for its platform", metadata: ["platform": "\(batch.platform)"])
                        }
                    }
                    guard !requests.isEmpty else {
                        try? await store.forgetReplies(batch.id)  // nothing left to send: the secret goes now
                        continue
                    }
                    continuation.yield(Item(id: batch.id, platform: batch.platform, requests: requests))
                }
                if !kept.isEmpty { logger.notice("sending replies kept before the restart", metadata: ["batches": "\(kept.count)"]) }
            }
        }
    }

    /// Keeps a reply in the store, then queues it; returns once it is kept.
    public func enqueue(_ request: OutboundRequest, platform: String) async {
        await enqueue(inOrder: [request], platform: platform)
    }

    /// Keeps requests that must arrive in this order and queues them; each is sent after the one
    /// before it finished. If the store fails, the reply is still sent (but not kept).
    public func enqueue(inOrder requests: [OutboundRequest], platform: String) async {
        guard !requests.isEmpty else { return }
        await restoration?.value
        var id: Int64?
        if let store {
            do {
                id = try await store.keepReplies(requests, platform: platform, at: now())
            } catch {
                logger.error("reply not kept (sent anyway)", metadata: ["platform": "\(platform)", "error": "\(error)"])
            }
        }
        continuation.yield(Item(id: id, platform: platform, requests: requests))
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                self.continuation.finish()  // the loop below drains what is queued, then ends
            }
            for await item in stream {
                group.addTask { await self.deliver(item) }
            }
        }
    }

    private func deliver(_ item: Item) async {
        for request in item.requests {
            await deliver(request, inspect: inspectors[item.platform])
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
