import FlowLearnCore
import Foundation

/// A learning record store's statements resource: builds the idempotent PUT of one statement and
/// says what the answer means. No I/O: the poster sends the request.
public struct XAPIEndpoint: Sendable {
    /// The LRS's xAPI base (e.g. `https://lrs.example.com/xAPI`), without the trailing slash.
    public var endpoint: String
    let authorization: String

    public init(endpoint: String, key: String, secret: String) {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        authorization = "Basic " + Data("\(key):\(secret)".utf8).base64EncodedString()
    }

    /// `PUT <endpoint>/statements?statementId=<id>`: the LRS stores it once however often it is sent.
    public func put(statementID: UUID, body: [UInt8]) -> OutboundRequest {
        OutboundRequest(
            method: "PUT", url: "\(endpoint)/statements?statementId=\(statementID.uuidString.lowercased())",
            headers: [
                .init("Content-Type", "application/json"),
                .init("X-Experience-API-Version", XAPIVocabulary.version),
                .init("Authorization", authorization, isSecret: true),
            ],
            body: body, purpose: "xapi.statements.put")
    }

    /// What an answer to a PUT means for the kept record.
    public enum Verdict: Sendable, Hashable {
        /// Stored now (204, or another 2xx).
        case stored
        /// The LRS has a statement with this id already (409): a resend, so delivered.
        case conflict
        /// The LRS refused this statement for good (400, 413, 422…): set it aside, go on with the next.
        case rejected
        /// The credentials were refused (401, 403): nothing will pass until they are fixed.
        case unauthorized
        /// Try again later: no answer, 5xx, 429, 404 (a wrong endpoint), 408.
        case retry
    }

    public static func verdict(status: Int?) -> Verdict {
        guard let status else { return .retry }
        switch status {
        case 200..<300: return .stored
        case 409: return .conflict
        case 401, 403: return .unauthorized
        case 404, 408, 429: return .retry
        case 400..<500: return .rejected
        default: return .retry
        }
    }
}
