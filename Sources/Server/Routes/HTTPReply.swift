import Foundation
import HTTPTypes
import Hummingbird

/// Small helpers for the routes' responses: JSON bodies and short error reasons.
enum HTTPReply {
    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status, Array(data))
    }

    /// A refusal with a short reason in `{"error": …}`; never echoes request content.
    static func error(_ status: HTTPResponse.Status, _ reason: String) -> Response {
        json(status, ["error": reason])
    }

    static func empty() -> Response { Response(status: .ok) }
}

extension Request {
    /// The raw body bytes, or nil when it is larger than `limit` (answer 413).
    func rawBody(limit: Int) async -> [UInt8]? {
        guard let buffer = try? await body.collect(upTo: limit) else { return nil }
        return Array(buffer.readableBytesView)
    }

    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}
