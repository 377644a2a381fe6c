// Sentence-encoder benchmark (issue: semantic matching): per-question latency of the encoder and of
// the whole semantic matcher on one core, starter-pack load time with a cold and a warm embedding
// cache, batched embedding of 10,000 training questions on every core, and resident memory. Prints
// one Markdown table. Run through bench/run.sh --encoder (release build). Not a test.
import FlowLearnCore
import FlowLearnEncoder
import Foundation

func residentMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes / 1024
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func time<T>(_ work: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try work()
    return (result, seconds(ContinuousClock.now - start))
}

/// Median over five passes for each item, then the percentiles over items (microseconds).
func latencies(_ items: [String], _ work: (String) -> Void) -> (p50: Double, p99: Double) {
    for item in items.prefix(50) { work(item) }
    var passes = [[Double]](repeating: [], count: 5)
    for pass in passes.indices {
        for item in items {
            let (_, elapsed) = time { work(item) }
            passes[pass].append(elapsed * 1e6)
        }
    }
    let each = items.indices.map { index in passes.map { $0[index] }.sorted()[2] }.sorted()
    return (each[each.count / 2], each[min(each.count - 1, Int(Double(each.count) * 0.99))])
}

func questions(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let rows = try? LabelledCSV.parse(text) else { return [] }
    return rows.map(\.text)
}

let arguments = CommandLine.arguments
if arguments.count > 4 || arguments.dropFirst().contains(where: { $0.hasPrefix("-") }) {
    FileHandle.standardError.write(Data("usage: flowlearn-encoder-bench [INTENTS_DIR] [MODEL_DIR] [DATASETS_DIR]\n".utf8))
    exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 2)
}
let intents = arguments.count > 1 ? arguments[1] : "Intents"
let modelFolder = arguments.count > 2 ? arguments[2] : SemanticEncoder.defaultFolder
let datasets = arguments.count > 3 ? arguments[3] : "../shared/datasets"

do {
    let before = residentMB()
    let pack = try ContentLinter.loadPack(ContentDirectory.read(intents))
    let asked = questions("bench/questions/starter-dev.csv") + questions("bench/questions/starter-report.csv")
    let baseline = try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope)
    for question in asked { _ = baseline.decide(question) }
    let lexicalMB = residentMB()

    let (encoder, loadSeconds) = try time { try MiniLMEncoder(folder: URL(fileURLWithPath: modelFolder)) }
    let cacheFile = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-bench-\(getpid()).cache")
    defer { try? FileManager.default.removeItem(at: cacheFile) }
    let fingerprint: UInt64 = 1
    var settings = MatcherSettings()
    settings.model = .semantic
    let (cold, coldSeconds) = try time {
        try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: settings,
            encoder: EmbeddingCache(encoder: encoder, fingerprint: fingerprint, file: cacheFile))
    }
    let (_, warmSeconds) = try time {
        try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: settings,
            encoder: EmbeddingCache(encoder: encoder, fingerprint: fingerprint, file: cacheFile))
    }
    let encode = latencies(asked) { _ = encoder.embed(question: $0) }
    let match = latencies(asked) { _ = cold.freshDecision($0) }
    let semanticMB = residentMB()

    var rows = [
        ("encoder: one question (\(asked.count) starter-pack questions, 1 core)", String(format: "p50 %.2f ms, p99 %.2f ms", encode.p50 / 1000, encode.p99 / 1000)),
        ("semantic matcher: one question, embedding included (1 core)", String(format: "p50 %.2f ms, p99 %.2f ms", match.p50 / 1000, match.p99 / 1000)),
        ("model load (safetensors 91 MB, vocab)", String(format: "%.2f s", loadSeconds)),
        ("starter pack load, cold embedding cache (\(pack.nuggets.count) nuggets)", String(format: "%.2f s", coldSeconds + loadSeconds)),
        ("starter pack load, warm embedding cache", String(format: "%.2f s", warmSeconds + loadSeconds)),
        ("resident memory: lexical matcher / with encoder and semantic matcher", String(format: "%.0f MB / %.0f MB (+%.0f MB; %.0f MB at start)", lexicalMB, semanticMB, semanticMB - lexicalMB, before)),
    ]
    // Bounded work: the worst shapes of a 40,000-character message (Slack's limit), per engine.
    let shapes: [(String, String)] = [
        ("one 40,000-character word", String(repeating: "x", count: 40_000)),
        ("base64-like blob", String(String(repeating: "aGVsbG8gd29ybGQ/K3Rva2VuPT0", count: 1_500).prefix(40_000))),
        ("ordinary words", String(String(repeating: "how do I claim a taxi receipt for the client dinner ", count: 800).prefix(40_000))),
        ("emoji", String(String(repeating: "👍🏽🚕💶", count: 5_000).prefix(10_000))),
        ("combining marks", String(String(repeating: "e\u{301}\u{302}\u{303}", count: 10_000).prefix(40_000))),
        ("mixed scripts", String(String(repeating: "taxi такси 出租车 ταξί タクシー ", count: 1_400).prefix(40_000))),
    ]
    let lexical = baseline
    for (name, text) in shapes {
        let (_, semanticSeconds) = time { for _ in 0..<3 { _ = cold.freshDecision(text) } }
        let (_, lexicalSeconds) = time { for _ in 0..<3 { _ = lexical.freshDecision(text) } }
        rows.append((
            "40,000-character message, \(name) (\(text.unicodeScalars.count) scalars): semantic / keyword",
            String(format: "%.1f ms / %.1f ms", semanticSeconds * 1000 / 3, lexicalSeconds * 1000 / 3)))
    }
    if let text = try? String(contentsOfFile: datasets + "/banking77/train.csv", encoding: .utf8) {
        let texts = Array(try LabelledCSV.parse(text).map(\.text).prefix(10_000))
        let (_, batchSeconds) = time { _ = encoder.embed(texts) }
        rows.append(("batched embedding of \(texts.count) training questions (\(ProcessInfo.processInfo.activeProcessorCount) cores)", String(format: "%.1f s (%.2f ms each)", batchSeconds, batchSeconds * 1000 / Double(texts.count))))
    }
    print("| measure | value |")
    print("| --- | --- |")
    for (name, value) in rows { print("| \(name) | \(value) |") }
} catch {
    FileHandle.standardError.write(Data("flowlearn-encoder-bench: \(error)\n".utf8))
    exit(1)
}
