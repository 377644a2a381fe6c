import FlowLearnCore
import Foundation
import Logging

/// The one way FlowLearn sends HTTP: libcurl transfers with timeouts, keep-alive reuse, and retries
/// with exponential backoff on 5xx, 429 (honouring `Retry-After`) and transport errors.
public final class CurlPoster: RequestPoster {
    public let settings: PosterSettings
    private let pool: CurlWorkerPool
    private let logger: Logger
    private let sleep: @Sendable (Double) async -> Void

    /// - Parameter sleep: waits the given seconds between attempts; tests inject one that records.
    public init(
        settings: PosterSettings = PosterSettings(), logger: Logger = Logger(label: "flowlearn.poster"),
        sleep: @escaping @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(for: .seconds(seconds)) }
    ) {
        self.settings = settings
        self.pool = CurlWorkerPool(workers: settings.workers)
        self.logger = logger
        self.sleep = sleep
    }

    deinit { pool.shutdown() }

    /// Connections opened so far; fewer than requests sent means keep-alive reuse works.
    public var connectionsOpened: Int { pool.connectionsOpened }

    public func shutdown() { pool.shutdown() }

    public func post(_ request: OutboundRequest) async -> PostOutcome {
        var attempt = 0
        while true {
            attempt += 1
            let response = await pool.transfer(request, settings: settings)
            let retryable = response.status.map { $0 == 429 || (500...599).contains($0) } ?? true
            if !retryable || attempt >= max(1, settings.maxAttempts) {
                if !retryable, let status = response.status, status >= 400 {
                    logger.warning("post refused", metadata: ["purpose": "\(request.purpose)", "status": "\(status)"])
                } else if retryable {
                    logger.error(
                        "post failed, giving up",
                        metadata: [
                            "purpose": "\(request.purpose)", "attempts": "\(attempt)",
                            "status": "\(response.status.map(String.init) ?? "none")", "error": "\(response.error ?? "")",
                        ])
                }
                return PostOutcome(status: response.status, body: response.body, attempts: attempt, error: response.error)
            }
            let retryAfter = response.retryAfter ?? (response.status == 429 ? Self.retryAfter(inBody: response.body) : nil)
            let delay = Self.delay(attempt: attempt, retryAfter: retryAfter, settings: settings)
            guard let delay else {
                logger.error("Retry-After too long, giving up", metadata: ["purpose": "\(request.purpose)"])
                return PostOutcome(status: response.status, body: response.body, attempts: attempt, error: response.error)
            }
            logger.notice(
                "post will be retried",
                metadata: [
                    "purpose": "\(request.purpose)", "attempt": "\(attempt)", "delay": "\(delay)",
                    "status": "\(response.status.map(String.init) ?? "none")", "error": "\(response.error ?? "")",
                ])
            await sleep(delay)
        }
    }

    /// A 429's wait in its JSON body, for platforms that put it there rather than (or besides) the
    /// header: Discord's `{"retry_after": 0.5, …}`, in seconds.
    public static func retryAfter(inBody body: [UInt8]) -> Double? {
        guard body.count <= 64 * 1024, let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let value = object["retry_after"] as? NSNumber
        else { return nil }
        let seconds = value.doubleValue
        return seconds.isFinite && seconds >= 0 ? seconds : nil
    }

    /// Seconds to wait before the next attempt: `Retry-After` when given (nil when it exceeds the cap),
    /// else `backoff · 2^(attempt−1)` with ±25 % jitter, capped.
    static func delay(attempt: Int, retryAfter: Double?, settings: PosterSettings) -> Double? {
        if let retryAfter {
            return retryAfter <= settings.maxRetryAfterSeconds ? max(0, retryAfter) : nil
        }
        let base = settings.backoffSeconds * pow(2, Double(attempt - 1))
        return min(settings.maxBackoffSeconds, base * Double.random(in: 0.75...1.25))
    }
}
