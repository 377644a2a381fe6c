import FlowLearnCore
import Logging
import ServiceLifecycle

/// Hands prepared replies to the poster after the HTTP handler has answered, so a slow chat API never
/// delays an acknowledgement. Runs in the service group; on shutdown it sends what is queued, then stops.
public final class ReplyOutbox: Service, Sendable {
    /// Reads a platform's "HTTP 200 but refused" answer (Slack's `{"ok":false}`) out of an outcome.
    public typealias Inspector = @Sendable (PostOutcome) -> String?

    private struct Item: Sendable {
        /// Sent one after another, in order (a quiz result, then the next question).
        var requests: [OutboundRequest]
        var inspect: Inspector?
    }

    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let poster: any RequestPoster
    private let logger: Logger

    public init(poster: any RequestPoster, logger: Logger) {
        (stream, continuation) = AsyncStream.makeStream(of: Item.self)
        self.poster = poster
        self.logger = logger
    }

    /// Queues a request; returns at once.
    public func enqueue(_ request: OutboundRequest, inspect: Inspector? = nil) {
        continuation.yield(Item(requests: [request], inspect: inspect))
    }

    /// Queues requests that must arrive in this order; each is sent after the one before it finished.
    public func enqueue(inOrder requests: [OutboundRequest], inspect: Inspector? = nil) {
        guard !requests.isEmpty else { return }
        continuation.yield(Item(requests: requests, inspect: inspect))
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
            await deliver(request, inspect: item.inspect)
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
