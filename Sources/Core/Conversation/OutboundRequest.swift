/// An HTTP request an adapter prepared and the poster will send: plain bytes, no I/O.
public struct OutboundRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [Header]
    public var body: [UInt8]
    /// A short label for logs and metrics (`slack.chat.postMessage`); never holds secrets.
    public var purpose: String

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        /// Secret headers (tokens) are never logged.
        public var isSecret: Bool

        public init(_ name: String, _ value: String, isSecret: Bool = false) {
            self.name = name
            self.value = value
            self.isSecret = isSecret
        }
    }

    public init(method: String = "POST", url: String, headers: [Header], body: [UInt8], purpose: String) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.purpose = purpose
    }
}
