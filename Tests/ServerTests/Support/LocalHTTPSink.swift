import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A real HTTP server on 127.0.0.1 (port chosen by the system) that records every request and answers
/// from a script. It stands in for Slack's API and `response_url` hosts, so the real libcurl poster is
/// exercised end to end. Tests await requests instead of sleeping.
final class LocalHTTPSink: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    /// One scripted answer: status, extra headers, body, and an optional delay before answering.
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var headers: [String: String] = [:]
        var body = #"{"ok":true}"#
        var delay: Duration = .zero
    }

    private let recorder = Recorder()
    private let task: Task<Void, any Error>
    let port: Int

    /// Starts the sink; `answers` are used in order, then the last one repeats (default: 200 `{"ok":true}`).
    init(answers: [Answer] = []) async throws {
        let recorder = self.recorder
        await recorder.script(answers)
        let router = Router(context: BasicRequestContext.self)
        router.on("**", method: .post) { request, _ in try await Self.handle(request, recorder) }
        router.on("**", method: .put) { request, _ in try await Self.handle(request, recorder) }
        router.on("**", method: .get) { request, _ in try await Self.handle(request, recorder) }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Self.quietLogger)
        task = Task { try await app.runService() }
        var iterator = portStream.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    deinit { task.cancel() }

    /// Cancelling the sink at the end of a test is expected; do not report it as an error.
    static let quietLogger: Logger = {
        var logger = Logger(label: "sink")
        logger.logLevel = .critical
        return logger
    }()

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops the sink and returns once its listener is closed.
    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// The most requests that were being answered at the same time.
    func maximumConcurrency() async -> Int { await recorder.maximumInFlight }

    /// Everything received so far.
    func received() async -> [Received] { await recorder.requests }

    /// Waits until at least `count` requests arrived and returns them all; throws `Shortfall` when
    /// `timeout` passes first, so a slow run fails the test with a message instead of crashing it
    /// on an index the test took for granted.
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [Received] {
        let received = await recorder.wait(for: count, timeout: timeout)
        guard received.count >= count else { throw Shortfall(expected: count, received: received.count, timeout: timeout) }
        return received
    }

    struct Shortfall: Error, CustomStringConvertible {
        var expected: Int
        var received: Int
        var timeout: Duration
        var description: String { "the sink expected \(expected) request(s) within \(timeout) and received \(received)" }
    }

    private static func handle(_ request: Request, _ recorder: Recorder) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 22)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }  // lowercase names
        let answer = await recorder.record(
            Received(method: request.method.rawValue, path: request.uri.string, headers: headers, body: Array(body.readableBytesView)))
        if answer.delay > .zero { try? await Task.sleep(for: answer.delay) }
        await recorder.answered()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
        return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    actor Recorder {
        var requests: [Received] = []
        var answers: [Answer] = []
        var waiters: [(id: Int, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiter = 0
        var inFlight = 0
        var maximumInFlight = 0

        func script(_ answers: [Answer]) { self.answers = answers }

        func answered() { inFlight -= 1 }

        func record(_ request: Received) -> Answer {
            requests.append(request)
            inFlight += 1
            maximumInFlight = max(maximumInFlight, inFlight)
            let answer = answers.isEmpty ? Answer() : answers[min(requests.count - 1, answers.count - 1)]
            let ready = waiters.filter { $0.count <= requests.count }
            waiters.removeAll { $0.count <= requests.count }
            for waiter in ready { waiter.continuation.resume() }
            return answer
        }

        func wait(for count: Int, timeout: Duration) async -> [Received] {
            if requests.count >= count { return requests }
            let id = nextWaiter
            nextWaiter += 1
            let timer = Task { [weak self] in
                try await Task.sleep(for: timeout)
                await self?.release(id)
            }
            await withCheckedContinuation { waiters.append((id, count, $0)) }
            timer.cancel()
            return requests
        }

        /// Ends one wait whose time is up (others keep waiting for their own counts).
        private func release(_ id: Int) {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
            waiters.remove(at: index).continuation.resume()
        }
    }
}
