/// Sends prepared requests. The libcurl poster implements it; tests may record instead.
public protocol RequestPoster: Sendable {
    func post(_ request: OutboundRequest) async -> PostOutcome
}

/// How a post ended, after any retries.
public struct PostOutcome: Sendable, Hashable {
    /// Last HTTP status, nil when no response came (connection refused, timeout).
    public var status: Int?
    public var body: [UInt8]
    public var attempts: Int
    /// Transport error text when no response came.
    public var error: String?

    public init(status: Int?, body: [UInt8], attempts: Int, error: String?) {
        self.status = status
        self.body = body
        self.attempts = attempts
        self.error = error
    }

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
}
