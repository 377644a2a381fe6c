import FlowLearnCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// How `serve` logs: text (swift-log's stream format) or JSON lines, both on stderr, every line of an
/// inbound request's work carrying its `request_id` (the handlers: `LogHandlers.swift`).
public enum FlowLearnLogging {
    /// Adds the current request's id to every log line.
    public static let requestIDProvider = Logger.MetadataProvider {
        RequestID.current.map { ["request_id": .string($0)] } ?? [:]
    }

    /// A log handler factory for `log.format` and `log.level`.
    public static func factory(format: String, level: Logger.Level) -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
        { label, provider in
            if format == "json" {
                var handler = LineLogHandler(.json, label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }
            var handler = LineLogHandler(.text, label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }
    }
}

/// Gives each inbound request an id (a proxy's `X-Request-ID` when it is a short token), handles the
/// request with it as `RequestID.current`, and answers with it in `X-Request-ID`.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestID.accepted(request.header("X-Request-ID")) ?? RequestID.make()
        var response = try await RequestID.$current.withValue(id) { try await next(request, context) }
        if let name = HTTPField.Name("X-Request-ID") { response.headers[name] = id }
        return response
    }
}

/// Small formatters for log lines on the request path (Foundation's `String(format:)` is slow).
enum LogFormat {
    /// `0.87` for 0.8712: two decimals, rounded; `nan` / `inf` for values that are not finite.
    static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        guard abs(value) < 1e15 else { return "\(value)" }
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
