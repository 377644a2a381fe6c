/// Timeouts, retries and parallelism of the libcurl poster.
public struct PosterSettings: Sendable, Codable, Equatable {
    /// Whole-transfer timeout per attempt.
    public var timeoutSeconds: Double = 10
    public var connectTimeoutSeconds: Double = 5
    /// Attempts per request, the first included; 5xx, 429 and transport errors are retried.
    public var maxAttempts: Int = 4
    /// First backoff; doubles per attempt, with jitter, up to `maxBackoffSeconds`.
    public var backoffSeconds: Double = 0.5
    public var maxBackoffSeconds: Double = 30
    /// A `Retry-After` longer than this ends the retries instead of holding a reply for minutes.
    public var maxRetryAfterSeconds: Double = 120
    /// Parallel transfers; each worker keeps its own connections alive for reuse.
    public var workers: Int = 16

    public init() {}
}
