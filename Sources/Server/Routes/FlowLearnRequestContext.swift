import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics plus the peer's address, which the
/// console's sign-in limit counts failures by.
public struct FlowLearnRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, or "unknown" (in router tests there is none).
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
