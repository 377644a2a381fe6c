import FlowLearnCore
import FlowLearnPoster
import Foundation
import Synchronization
import Testing

@Suite("libcurl poster against a local sink")
struct CurlPosterTests {
    /// Records the waits the poster asks for instead of sleeping.
    final class SleepLog: Sendable {
        let delays = Mutex<[Double]>([])
        var sleep: @Sendable (Double) async -> Void { { [self] seconds in delays.withLock { $0.append(seconds) } } }
        var recorded: [Double] { delays.withLock { $0 } }
    }

    func request(_ sink: LocalHTTPSink, path: String = "/api/chat.postMessage") -> OutboundRequest {
        OutboundRequest(
            url: sink.baseURL + path,
            headers: [.init("Content-Type", "application/json"), .init("Authorization", "Bearer xoxb-1", isSecret: true)],
            body: Array(#"{"channel":"C1","text":"hi"}"#.utf8), purpose: "test")
    }

    @Test func sendsMethodHeadersAndBody() async throws {
        let sink = try await LocalHTTPSink()
        let poster = CurlPoster()
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 200)
        #expect(outcome.attempts == 1)
        #expect(String(decoding: outcome.body, as: UTF8.self) == #"{"ok":true}"#)
        let received = try #require(await sink.received().first)
        #expect(received.method == "POST")
        #expect(received.path == "/api/chat.postMessage")
        #expect(received.headers["authorization"] == "Bearer xoxb-1")
        #expect(received.text == #"{"channel":"C1","text":"hi"}"#)
    }

    @Test func retriesServerErrorsWithGrowingBackoff() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .internalServerError), .init(status: .badGateway), .init()])
        var settings = PosterSettings()
        settings.backoffSeconds = 1
        let log = SleepLog()
        let poster = CurlPoster(settings: settings, sleep: log.sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 200)
        #expect(outcome.attempts == 3)
        #expect(await sink.received().count == 3)
        let delays = log.recorded
        try #require(delays.count == 2)
        #expect((0.75...1.25).contains(delays[0]))
        #expect((1.5...2.5).contains(delays[1]))
    }

    @Test func honoursRetryAfterOn429() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .tooManyRequests, headers: ["Retry-After": "7"]), .init()])
        let log = SleepLog()
        let poster = CurlPoster(sleep: log.sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 200)
        #expect(log.recorded == [7])
    }

    @Test func readsRetryAfterFromA429JSONBodyWithoutTheHeader() async throws {
        // Discord's shape: seconds (fractional) in the body.
        let limited = #"{"message": "You are being rate limited.", "retry_after": 0.25, "global": false}"#
        let sink = try await LocalHTTPSink(answers: [.init(status: .tooManyRequests, body: limited), .init()])
        let log = SleepLog()
        let poster = CurlPoster(sleep: log.sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 200)
        #expect(log.recorded == [0.25])
        #expect(CurlPoster.retryAfter(inBody: Array("not json".utf8)) == nil)
        #expect(CurlPoster.retryAfter(inBody: Array(#"{"retry_after": -3}"#.utf8)) == nil)
        #expect(CurlPoster.retryAfter(inBody: Array(#"{"retry_after": "soon"}"#.utf8)) == nil)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .serviceUnavailable)])
        var settings = PosterSettings()
        settings.maxAttempts = 3
        let poster = CurlPoster(settings: settings, sleep: SleepLog().sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 503)
        #expect(outcome.attempts == 3)
        #expect(!outcome.succeeded)
        #expect(await sink.received().count == 3)
    }

    @Test func doesNotRetryClientErrors() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .notFound)])
        let poster = CurlPoster(sleep: SleepLog().sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 404)
        #expect(outcome.attempts == 1)
    }

    @Test func timesOutASlowServerAndRetries() async throws {
        // The first answer comes after 5 s, beyond the 2 s timeout; the later ones at once. (On a loaded
        // 2-core CI machine a fast answer has missed a 1 s timeout too, so the count of attempts is only
        // bounded below: the slow one timed out, and a retry got the answer.)
        let sink = try await LocalHTTPSink(answers: [.init(delay: .seconds(5)), .init()])
        var settings = PosterSettings()
        settings.timeoutSeconds = 2
        let poster = CurlPoster(settings: settings, sleep: SleepLog().sleep)
        let outcome = await poster.post(request(sink))
        #expect(outcome.status == 200)
        #expect(outcome.attempts >= 2)  // 1 would mean the slow answer was waited for
    }

    @Test func reportsConnectionRefusedAsTransportError() async throws {
        let sink = try await LocalHTTPSink()
        let url = sink.baseURL
        await sink.stop()  // returns once the listener is closed
        var settings = PosterSettings()
        settings.maxAttempts = 2
        let poster = CurlPoster(settings: settings, sleep: SleepLog().sleep)
        let outcome = await poster.post(OutboundRequest(url: url + "/x", headers: [], body: [], purpose: "test"))
        #expect(outcome.status == nil)
        #expect(outcome.error != nil)
        #expect(outcome.attempts == 2)
    }

    @Test func reusesConnections() async throws {
        let sink = try await LocalHTTPSink()
        var settings = PosterSettings()
        settings.workers = 1
        let poster = CurlPoster(settings: settings)
        for _ in 0..<10 {
            #expect(await poster.post(request(sink)).succeeded)
        }
        #expect(await sink.received().count == 10)
        #expect(poster.connectionsOpened == 1)
    }

    @Test func refusesOtherSchemes() async throws {
        let poster = CurlPoster(sleep: SleepLog().sleep)
        let outcome = await poster.post(OutboundRequest(url: "file:///etc/passwd", headers: [], body: [], purpose: "test"))
        #expect(outcome.status == nil)
        #expect(!outcome.succeeded)
    }
}
