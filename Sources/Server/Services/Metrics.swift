import FlowLearnCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Who may read `/metrics`: anyone when no token is configured, else a request with
/// `Authorization: Bearer <token>` (compared without an early exit).
struct MetricsAccess: Sendable {
    let token: String?

    init(token: String?) {
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    func allows(authorization: String?) -> Bool {
        guard let token else { return true }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let presented = Array(authorization.utf8.dropFirst(7))
        let expected = Array(token.utf8)
        var difference = presented.count ^ expected.count
        for index in 0..<max(presented.count, expected.count) {
            let a = index < presented.count ? presented[index] : 0
            let b = index < expected.count ? expected[index] : 0
            difference |= Int(a ^ b)
        }
        return difference == 0
    }
}

/// Counters for `/metrics` (Prometheus text format): HTTP requests by route and status with their
/// durations, kept in memory; questions and nudges come from the store when scraped, so they
/// survive restarts.
final class HTTPMetrics: Sendable {
    /// Upper bounds (seconds) of the request-duration histogram's buckets.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    struct Key: Hashable, Comparable {
        var method: String
        var route: String
        var status: Int

        static func < (a: Key, b: Key) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }

    struct Durations {
        var counts = [Int](repeating: 0, count: HTTPMetrics.buckets.count)
        var count = 0
        var sum: Double = 0

        mutating func add(_ seconds: Double) {
            for (index, bound) in HTTPMetrics.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            count += 1
            sum += seconds
        }
    }

    private let state = Mutex<(requests: [Key: Int], durations: [String: Durations])>(([:], [:]))

    func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[Key(method: method, route: route, status: status), default: 0] += 1
            // In place, in one lookup: a copy taken out of the dictionary would copy its bucket array.
            state.durations[route, default: Durations()].add(seconds)
        }
    }

    /// The text exposition of the HTTP counters.
    func exposition() -> String {
        let (requests, durations) = state.withLock { ($0.requests, $0.durations) }
        var text = """
            # HELP flowlearn_http_requests_total HTTP requests answered, by route pattern and status.
            # TYPE flowlearn_http_requests_total counter

            """
        for (key, count) in requests.sorted(by: { $0.key < $1.key }) {
            text += "flowlearn_http_requests_total{method=\"\(key.method)\",route=\"\(Self.escape(key.route))\",status=\"\(key.status)\"} \(count)\n"
        }
        text += """
            # HELP flowlearn_http_request_duration_seconds Time from request to response, by route pattern.
            # TYPE flowlearn_http_request_duration_seconds histogram

            """
        for (route, entry) in durations.sorted(by: { $0.key < $1.key }) {
            let label = "route=\"\(Self.escape(route))\""
            for (index, bound) in Self.buckets.enumerated() {
                text += "flowlearn_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(entry.counts[index])\n"
            }
            text += "flowlearn_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(entry.count)\n"
            text += "flowlearn_http_request_duration_seconds_sum{\(label)} \(entry.sum)\n"
            text += "flowlearn_http_request_duration_seconds_count{\(label)} \(entry.count)\n"
        }
        return text
    }

    /// A label value with backslashes, quotes and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Counts every request by the route pattern it matched (never the raw path, so the label set stays
/// small whatever clients send), with "unmatched" for the rest.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.record(method: method, route: Self.route(context), status: response.status.code, seconds: Self.seconds(since: started))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(method: method, route: Self.route(context), status: status, seconds: Self.seconds(since: started))
            throw error
        }
    }

    /// The matched route's pattern; Hummingbird names its not-found responder "NotFound".
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// The whole `/metrics` page: content, matcher, questions and nudges (from the store), HTTP.
enum MetricsPage {
    /// The store's group commits and background checkpoints (SQLite): writes per commit is the
    /// batching a busy server gets; failed checkpoints mean a write-ahead log that may keep growing.
    static func writeCounters(_ counters: WriteCounters) -> String {
        var text = """
            # HELP flowlearn_store_commits_total Transactions committed by the store's group commit.
            # TYPE flowlearn_store_commits_total counter
            flowlearn_store_commits_total \(counters.commits)
            # HELP flowlearn_store_commit_writes_total Requests' writes those transactions held.
            # TYPE flowlearn_store_commit_writes_total counter
            flowlearn_store_commit_writes_total \(counters.writes)

            """
        if let passes = counters.checkpointPasses, let failures = counters.checkpointFailures {
            text += """
                # HELP flowlearn_store_checkpoint_passes_total Background checkpoints of the write-ahead log, by result.
                # TYPE flowlearn_store_checkpoint_passes_total counter
                flowlearn_store_checkpoint_passes_total{result="ok"} \(passes - failures)
                flowlearn_store_checkpoint_passes_total{result="failed"} \(failures)

                """
        }
        return text
    }

    static func render(http: HTTPMetrics, matcher: Matcher, store: any LearningStore) async -> String {
        var text = """
            # HELP flowlearn_content_nuggets Nuggets loaded from the content folder.
            # TYPE flowlearn_content_nuggets gauge
            flowlearn_content_nuggets \(matcher.nuggets.count)
            # HELP flowlearn_matcher_info The engine answering questions and its confidence threshold.
            # TYPE flowlearn_matcher_info gauge
            flowlearn_matcher_info{engine="\(matcher.engineName)",threshold="\(String(format: "%.4f", matcher.threshold))"} 1

            """
        if let counting = store as? any WriteCounting { text += writeCounters(counting.writeCounters) }
        if let counts = try? await store.questionCounts() {
            text += """
                # HELP flowlearn_questions_total Questions asked in chat, by outcome (the question log).
                # TYPE flowlearn_questions_total counter

                """
            for outcome in [QuestionLogEntry.Outcome.answered, .choice, .unknown] {
                text += "flowlearn_questions_total{outcome=\"\(outcome.rawValue)\"} \(counts[outcome] ?? 0)\n"
            }
        }
        if let status = try? await store.nudgeStatus(deadLimit: 0) {
            text += """
                # HELP flowlearn_nudges Nudges in the durable outbox, by state.
                # TYPE flowlearn_nudges gauge

                """
            for state in NudgeOutboxItem.State.allCases {
                text += "flowlearn_nudges{state=\"\(state.rawValue)\"} \(status.counts[state] ?? 0)\n"
            }
            text += """
                # HELP flowlearn_nudge_subscribers Learners subscribed to personal nudges.
                # TYPE flowlearn_nudge_subscribers gauge
                flowlearn_nudge_subscribers \(status.subscribers)

                """
        }
        if let votes = try? await store.answerVoteCounts() {
            text += """
                # HELP flowlearn_answer_votes Votes on answers given (Helpful / Not helpful buttons, typed +1 / -1), one per person and answer.
                # TYPE flowlearn_answer_votes gauge
                flowlearn_answer_votes{vote="helpful"} \(votes.helpful)
                flowlearn_answer_votes{vote="not_helpful"} \(votes.notHelpful)

                """
        }
        if let poisoned = try? await store.poisonedEvents(limit: 100_000) {
            text += """
                # HELP flowlearn_poisoned_events Inbound events set aside after failing or crashing twice (flowlearn poisoned).
                # TYPE flowlearn_poisoned_events gauge

                """
            var byPlatform: [String: Int] = [:]
            for event in poisoned { byPlatform[event.platform, default: 0] += 1 }
            for platform in ["discord", "matrix", "mattermost", "slack", "teams"] {
                text += "flowlearn_poisoned_events{platform=\"\(platform)\"} \(byPlatform[platform] ?? 0)\n"
            }
        }
        return text + http.exposition()
    }
}
