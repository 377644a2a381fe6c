// Nudge planning and delivery benchmark: plans 10,000 subscribers and delivers 10,000 nudges to a
// local HTTP sink through the libcurl poster (rate limiting off), three times; prints one table.
//   swift build -c release --product flowlearn-nudge-bench && .build/release/flowlearn-nudge-bench [INTENTS_DIR]
import FlowLearnConfig
import FlowLearnCore
import FlowLearnPoster
import FlowLearnServer
import FlowLearnStore
import Foundation
import Hummingbird
import Logging
import Synchronization

let intents = CommandLine.arguments.dropFirst().first ?? "Intents"
let subscribers = 10_000
let runs = 3
var quiet = Logger(label: "bench")
quiet.logLevel = .critical

/// A local sink answering every POST with Slack's `{"ok":true}`.
let received = Atomic<Int>(0)
let router = Router(context: BasicRequestContext.self)
router.post("**") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    received.add(1, ordering: .relaxed)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
}
let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
let sink = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in
        portContinuation.yield(channel.localAddress?.port ?? 0)
        portContinuation.finish()
    }, logger: quiet)
let sinkTask = Task { try await sink.runService() }
var port = 0
for await value in ports { port = value }

let content = try ContentLibrary(folder: intents, settings: MatcherSettings(), logger: quiet)
var planSeconds: [Double] = []
var enqueueSeconds: [Double] = []
var deliverRates: [Double] = []
var connections: [Int] = []
var planned = 0

for run in 0..<runs {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-nudge-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try SQLiteStore(path: folder.appendingPathComponent("db.sqlite").path)
    for index in 0..<subscribers {
        let user = String(format: "U%06d", index)
        // Everyone due at the same instant: the worst case for one planning round.
        try await store.saveSubscription(NudgeSubscription(
            learner: Learner(platform: "slack", team: "T1", user: user), channel: user, time: LocalTime(hour: 9, minute: 30),
            topics: index % 3 == 0 ? ["security"] : [], timeZone: "UTC"))
    }
    var configuration = FlowLearnConfiguration()
    configuration.slack.apiBaseURL = "http://127.0.0.1:\(port)/api"
    configuration.nudges.perChannelPerSecond = 0
    configuration.nudges.concurrency = 16
    configuration.poster.workers = 8
    let setup = ApplicationSetup(configuration: configuration, environment: ["SLACK_BOT_TOKEN": "xoxb-bench"], logger: quiet, store: store)
    let poster = CurlPoster(settings: configuration.poster, logger: quiet)
    let (planning, courier) = FlowLearnApplication.nudgeWorkers(setup, content: content, store: store, poster: poster)
    let instant = FSRSHistory.parse("2026-12-01T09:31:00Z")!

    if ProcessInfo.processInfo.environment["NUDGE_BENCH_DETAIL"] != nil {
        var t = ContinuousClock.now
        let subs = try await store.subscriptions()
        FileHandle.standardError.write(Data("  subscriptions: \((ContinuousClock.now - t).seconds) s\n".utf8))
        t = ContinuousClock.now
        _ = try await store.histories(for: subs.map(\.learner), at: instant, topicOf: [:])
        FileHandle.standardError.write(Data("  histories: \((ContinuousClock.now - t).seconds) s\n".utf8))
        t = ContinuousClock.now
        let planner = NudgePlanner(nuggets: content.assistant.matcher.nuggets, questions: content.quizmaster.questions)
        _ = planner.plan(subs, histories: [:], at: instant)
        FileHandle.standardError.write(Data("  planner: \((ContinuousClock.now - t).seconds) s\n".utf8))
    }
    var started = ContinuousClock.now
    let plannedNow = try await planning.plan(at: instant)
    planSeconds.append((ContinuousClock.now - started).seconds)
    planned = plannedNow.count

    started = ContinuousClock.now
    let (_, added) = try await planning.planAndEnqueue(at: instant)
    enqueueSeconds.append((ContinuousClock.now - started).seconds)

    received.store(0, ordering: .relaxed)
    started = ContinuousClock.now
    let (sent, failed) = try await courier.deliverDue(at: { instant })
    let elapsed = (ContinuousClock.now - started).seconds
    deliverRates.append(Double(sent) / elapsed)
    connections.append(poster.connectionsOpened)
    poster.shutdown()
    FileHandle.standardError.write(Data(
        "run \(run + 1): planned \(plannedNow.count), enqueued \(added), sent \(sent), failed \(failed), sink got \(received.load(ordering: .relaxed)) in \(String(format: "%.2f", elapsed)) s\n".utf8))
}
sinkTask.cancel()

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
print("| measure | median of \(runs) | runs | target |")
print("| --- | --- | --- | --- |")
print("| plan \(subscribers) subscribers (who, what, why; no writes) | \(String(format: "%.3f s", median(planSeconds))) | \(planSeconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")) | < 1 s |")
print("| plan, render and write \(planned) nudges to the SQLite outbox | \(String(format: "%.3f s", median(enqueueSeconds))) | \(enqueueSeconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")) | |")
print("| deliver \(planned) nudges to a local sink (16 at a time, 8 libcurl workers, no rate limit) | \(String(format: "%.0f /s", median(deliverRates))) | \(deliverRates.map { String(format: "%.0f", $0) }.joined(separator: ", ")) | ≥ 1,000 /s |")
print("| TCP connections opened for those deliveries | \(connections.sorted()[connections.count / 2]) | \(connections.map(String.init).joined(separator: ", ")) | reuse |")

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
