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
let intents = arguments.count > 1 ? arguments[1] : "Intents"
let datasets = arguments.count > 2 ? arguments[2] : "../shared/datasets"

var rows: [Row] = []
let pack = try ContentLinter.load(ContentDirectory.read(intents))
// Each example question with its first word dropped: near, but not exact, phrasings.
let packQuestions = pack.flatMap { nugget in
    nugget.questions.map { (text: $0.split(separator: " ").dropFirst().joined(separator: " "), expected: Optional(nugget.id)) }
}
rows.append(try measure(name: "Intents/ starter pack (example questions, first word dropped)", build: { try Matcher(nuggets: pack) }, questions: packQuestions))
for name in ["banking77", "banking77-10shot", "banking77-oos"] {
    if let (train, test) = try dataset(datasets + "/" + name) {
        rows.append(try measure(name: name, build: { try Matcher(labelledRows: train) }, questions: test))
    }
}

print("| content | nuggets | questions | build (ms) | p50 (µs) | p99 (µs) | accuracy |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for row in rows {
    print(String(format: "| %@ | %d | %d | %.1f | %.1f | %.1f | %@ |", row.name, row.nuggets, row.queries, row.buildMS, row.p50, row.p99, row.accuracy))
}
