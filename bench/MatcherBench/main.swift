// Matcher benchmark: build time, per-question latency (single thread) and accuracy, printed as one
// Markdown table. Run through bench/run.sh (release build). Not a test: figures vary with the machine.
import FlowLearnCore
import Foundation

struct Row {
    var name: String
    var nuggets: Int
    var queries: Int
    var buildMS: Double
    var p50: Double
    var p99: Double
    var accuracy: String
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

func measure(name: String, build: () throws -> Matcher, questions: [(text: String, expected: String?)]) throws -> Row {
    let start = ContinuousClock.now
    let matcher = try build()
    let build = ContinuousClock.now - start
    // Warm up once, then time each question separately in five passes; a question's latency is its
    // median over the passes, which keeps a noisy neighbour on the machine out of the figures.
    for question in questions.prefix(200) { _ = matcher.decide(question.text) }
    var passes = [[Double]](repeating: [], count: 5)
    var right = 0
    for pass in passes.indices {
        for question in questions {
            let t0 = ContinuousClock.now
            let given = matcher.answer(question.text)
            let elapsed = ContinuousClock.now - t0
            passes[pass].append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            if pass == 0, given == question.expected { right += 1 }
        }
    }
    var latencies = questions.indices.map { index in passes.map { $0[index] }.sorted()[passes.count / 2] }
    latencies.sort()
    let hasLabels = questions.contains { $0.expected != nil }
    let buildMS = Double(build.components.attoseconds) / 1e15 + Double(build.components.seconds) * 1e3
    return Row(
        name: name, nuggets: matcher.nuggets.count, queries: questions.count, buildMS: buildMS,
        p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99),
        accuracy: hasLabels ? String(format: "%.4f", Double(right) / Double(questions.count)) : "–")
}

func dataset(_ folder: String) throws -> (train: [LabelledCSV.Row], test: [(text: String, expected: String?)])? {
    guard let train = try? String(contentsOfFile: folder + "/train.csv", encoding: .utf8),
        let test = try? String(contentsOfFile: folder + "/test.csv", encoding: .utf8)
    else { return nil }
    let rows = try LabelledCSV.parse(train)
    let questions = try LabelledCSV.parse(test).map { (text: $0.text, expected: $0.label == "oos" ? nil : Optional($0.label)) }
    return (rows, questions)
}

let arguments = CommandLine.arguments
if arguments.count > 3 || arguments.dropFirst().contains(where: { $0.hasPrefix("-") }) {
    FileHandle.standardError.write(Data("usage: flowlearn-bench [INTENTS_DIR] [DATASETS_DIR]   (defaults: Intents ../shared/datasets)\n".utf8))
    exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 2)
}
let intents = arguments.count > 1 ? arguments[1] : "Intents"
let datasets = arguments.count > 2 ? arguments[2] : "../shared/datasets"
guard FileManager.default.fileExists(atPath: intents) else {
    FileHandle.standardError.write(Data("flowlearn-bench: content directory '\(intents)' does not exist\n".utf8))
    exit(2)
}

var rows: [Row] = []
let content = try ContentLinter.loadPack(ContentDirectory.read(intents))
let pack = content.nuggets
// Each example question with its first word dropped: near, but not exact, phrasings.
let packQuestions = pack.flatMap { nugget in
    nugget.questions.map { (text: $0.split(separator: " ").dropFirst().joined(separator: " "), expected: Optional(nugget.id)) }
}
rows.append(try measure(name: "Intents/ starter pack (example questions, first word dropped)", build: { try Matcher(nuggets: pack, outOfScope: content.outOfScope) }, questions: packQuestions))
for name in ["banking77", "banking77-10shot", "banking77-oos"] {
    if let (train, test) = try dataset(datasets + "/" + name) {
        rows.append(try measure(name: name, build: { try Matcher(labelledRows: train) }, questions: test))
    }
}

// A synthetic content set of 100,000 nuggets over a 30,000-word made-up vocabulary (Zipf-like word
// choice), to check that building and answering scale. Questions are example questions with one word
// dropped.
func syntheticContent(nuggets count: Int) -> (nuggets: [Nugget], questions: [(text: String, expected: String?)]) {
    var random = SystemRandomNumberGenerator()
    var seeded = SeededWords(seed: 42)
    let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ba", "de", "fi", "go", "hu", "ja", "ke", "la", "mo", "nu", "pe", "qi"]
    let vocabulary = (0..<30_000).map { index -> String in
        var word = ""
        var n = index + 401
        while n > 0 { word += syllables[n % syllables.count]; n /= syllables.count }
        return word
    }
    func word() -> String { vocabulary[min(vocabulary.count - 1, Int(pow(seeded.unit(), 2.2) * Double(vocabulary.count)))] }
    func phrase(_ n: Int) -> String { (0..<n).map { _ in word() }.joined(separator: " ") }
    _ = random
    var nuggets: [Nugget] = []
    var questions: [(text: String, expected: String?)] = []
    nuggets.reserveCapacity(count)
    for number in 0..<count {
        let id = "n\(number)"
        let asked = (0..<4).map { _ in phrase(6) }
        nuggets.append(Nugget(id: id, title: phrase(3), keywords: (0..<3).map { _ in word() }, questions: asked, body: phrase(30)))
        if number % 50 == 0 {
            questions.append((asked[0].split(separator: " ").dropFirst().joined(separator: " "), id))
        }
    }
    return (nuggets, questions)
}

/// Deterministic uniform numbers for the synthetic set.
struct SeededWords {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func unit() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes / 1024
}

if !arguments.contains("--no-synthetic") {
    let (nuggets, questions) = syntheticContent(nuggets: 100_000)
    let before = residentMegabytes()
    var row = try measure(name: "synthetic, 100,000 nuggets (keyword engine)", build: { try Matcher(nuggets: nuggets) }, questions: questions)
    row.name += String(format: " — index RSS %.0f MB", residentMegabytes() - before)
    rows.append(row)
}

print("| content | nuggets | questions | build (ms) | p50 (µs) | p99 (µs) | accuracy |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for row in rows {
    print(String(format: "| %@ | %d | %d | %.1f | %.1f | %.1f | %@ |", row.name, row.nuggets, row.queries, row.buildMS, row.p50, row.p99, row.accuracy))
}
