import ArgumentParser
import FlowLearnCore
import FlowLearnEncoder
import Foundation

/// `flowlearn eval --train A.csv --test B.csv [--json]`: trains the matcher on labelled questions and
/// measures it on others (accuracy, out-of-scope rejection, choices, latency, memory);
/// `--intents DIR` instead of `--train` measures the matcher built from a content folder.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the matcher on a labelled CSV (text,label), or build it from a content folder, and measure it on another CSV; 'oos' marks out-of-scope rows.")

    @Option(name: .long, help: "Training CSV with a header 'text,label'.")
    var train: String?

    @Option(name: .long, help: "Content folder to build the matcher from, instead of --train (labels are nugget ids).")
    var intents: String?

    @OptionGroup var encoder: EncoderOptions

    @Option(name: .long, help: "Test CSV with a header 'text,label'.")
    var test: String

    @Option(name: .long, help: "Matcher engine: auto, semantic, learned or keyword.")
    var model = MatcherSettings.Model.auto

    @Option(name: .long, help: "Fixed confidence threshold instead of the calibrated one (0…1).")
    var threshold: Double?

    @Flag(name: .long, help: "Print one JSON object on stdout.")
    var json = false

    @Flag(name: .long, help: "Also print, on stderr, every question not answered right: the decision and the three best nuggets.")
    var misses = false

    @Flag(name: .long, help: "Also print, on stderr, in-scope accuracy against out-of-scope recall for a range of thresholds (diagnostics; the reported figures use the calibrated threshold).")
    var curve = false

    struct Report {
        var accuracy: Double
        var in_scope_accuracy: Double
        var oos_recall: Double?
        var oos_precision: Double?
        var macro_f1: Double
        var train_seconds: Double
        var queries: Int
        var p50_us: Double
        var p99_us: Double
        var rss_mb: Double
        var engine: String
        /// Share of in-scope questions answered outright with the right nugget; answered or offered
        /// (the right nugget among a choice); out-of-scope questions not answered outright.
        var answered_right: Double
        var answered_or_offered: Double
        var oos_not_answered: Double?
        var threshold: Double
        var nuggets: Int
        var train_rows: Int
        var features: Int
        var postings: Int

        /// One JSON object; the out-of-scope figures are `null` (not absent) without out-of-scope rows.
        func json() throws -> String {
            let object: [String: Any] = [
                "accuracy": accuracy, "in_scope_accuracy": in_scope_accuracy, "oos_recall": oos_recall ?? NSNull(),
                "oos_precision": oos_precision ?? NSNull(), "macro_f1": macro_f1, "train_seconds": train_seconds,
                "queries": queries, "p50_us": p50_us, "p99_us": p99_us, "rss_mb": rss_mb, "engine": engine,
                "answered_right": answered_right, "answered_or_offered": answered_or_offered, "oos_not_answered": oos_not_answered ?? NSNull(),
                "threshold": threshold, "nuggets": nuggets, "train_rows": train_rows, "features": features, "postings": postings,
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    func validate() throws {
        guard (train == nil) != (intents == nil) else { throw ValidationError("give either --train CSV or --intents DIR") }
    }

    func run() throws {
        let testRows = try rows(test)
        var settings = MatcherSettings()
        settings.model = model
        settings.threshold = threshold
        let encoder = model == .keyword || model == .learned ? nil : try encoder.load(required: model == .semantic)
        let started = ContinuousClock.now
        let matcher: Matcher
        let trainCount: Int
        if let train {
            let trainRows = try rows(train)
            trainCount = trainRows.count
            StandardError.print("training on \(trainRows.count) rows …")
            matcher = try Matcher(labelledRows: trainRows, settings: settings, encoder: encoder)
        } else {
            var content = try ContentOptions.parse(["--intents", intents ?? "Intents", "--model", model.rawValue, "--encoder", "none"])
            content.threshold = threshold
            let pack = try ContentLinter.loadPack(ContentDirectory.read(content.intents))
            trainCount = pack.nuggets.reduce(0) { $0 + $1.questions.count }
            matcher = try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: settings, encoder: encoder)
        }
        let trainSeconds = (ContinuousClock.now - started).seconds
        StandardError.print("trained (\(matcher.engineName), \(matcher.nuggets.count) nuggets) in \(String(format: "%.2f", trainSeconds)) s; asking \(testRows.count) questions …")

        for row in testRows.prefix(200) { _ = matcher.answer(row.text) }  // warm caches before timing
        var predicted: [String?] = []
        var decisions: [MatchDecision] = []
        var latencies: [Double] = []
        predicted.reserveCapacity(testRows.count)
        latencies.reserveCapacity(testRows.count)
        // Three passes over all the questions; each question's latency is the median of its three
        // timings, so it is its own and not that of a context switch that happened to land on it. The
        // passes go over the whole set, so no timing runs on caches warmed by the same question.
        var timings = [[Double]](repeating: [], count: testRows.count)
        for pass in 0..<3 {
            for (number, row) in testRows.enumerated() {
                let t0 = ContinuousClock.now
                let decision = matcher.freshDecision(row.text)  // not the decision cache: every pass decides
                timings[number].append((ContinuousClock.now - t0).seconds * 1e6)
                if pass == 0 {
                    decisions.append(decision)
                    switch decision {
                    case .answer(let match): predicted.append(match.nuggetID)
                    case .choice(let matches): predicted.append(matches.first?.nuggetID)
                    case .unknown: predicted.append(nil)
                    }
                }
                if pass == 0, (number + 1) % 1000 == 0 { StandardError.print("  \(number + 1)/\(testRows.count)") }
            }
        }
        latencies = timings.map { $0.sorted()[1] }
        latencies.sort()
        if curve { printCurve(matcher: matcher, rows: testRows) }
        if misses { printMisses(matcher: matcher, rows: testRows, decisions: decisions) }
        let metrics = EvaluationMetrics.compute(expected: testRows.map { $0.label == "oos" ? nil : $0.label }, predicted: predicted)
        var (inScope, answeredRight, offeredRight, outOfScope, outOfScopeNotAnswered) = (0, 0, 0, 0, 0)
        for (row, decision) in zip(testRows, decisions) {
            if row.label == "oos" {
                outOfScope += 1
                if case .answer = decision {} else { outOfScopeNotAnswered += 1 }
                continue
            }
            inScope += 1
            switch decision {
            case .answer(let match): if match.nuggetID == row.label { answeredRight += 1 }
            case .choice(let matches): if matches.contains(where: { $0.nuggetID == row.label }) { offeredRight += 1 }
            case .unknown: break
            }
        }
        let report = Report(
            accuracy: metrics.accuracy, in_scope_accuracy: metrics.inScopeAccuracy, oos_recall: metrics.outOfScopeRecall,
            oos_precision: metrics.outOfScopePrecision, macro_f1: metrics.macroF1, train_seconds: trainSeconds,
            queries: testRows.count, p50_us: Self.percentile(latencies, 0.5), p99_us: Self.percentile(latencies, 0.99),
            rss_mb: ResidentMemory.megabytes(), engine: matcher.engineName,
            answered_right: Double(answeredRight) / Double(max(1, inScope)),
            answered_or_offered: Double(answeredRight + offeredRight) / Double(max(1, inScope)),
            oos_not_answered: outOfScope == 0 ? nil : Double(outOfScopeNotAnswered) / Double(outOfScope), threshold: matcher.threshold,
            nuggets: matcher.nuggets.count, train_rows: trainCount, features: matcher.indexSize.features,
            postings: matcher.indexSize.postings)
        if json {
            print(try report.json())
        } else {
            func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
            print("accuracy            \(f(report.accuracy))")
            print("in-scope accuracy   \(f(report.in_scope_accuracy))")
            print("oos recall          \(f(report.oos_recall))")
            print("oos precision       \(f(report.oos_precision))")
            print("macro F1            \(f(report.macro_f1))")
            print("answered right      \(f(report.answered_right))  (in-scope questions answered outright with the right nugget)")
            print("answered or offered \(f(report.answered_or_offered))  (… or the right nugget among a choice)")
            print("oos not answered    \(f(report.oos_not_answered))  (out-of-scope questions not answered outright)")
            print("train               \(String(format: "%.2f", report.train_seconds)) s (\(report.engine), threshold \(f(report.threshold)))")
            print("latency             p50 \(String(format: "%.1f", report.p50_us)) µs, p99 \(String(format: "%.1f", report.p99_us)) µs over \(report.queries) questions")
            print("resident memory     \(String(format: "%.1f", report.rss_mb)) MB")
            print("index               \(report.features) features, \(report.postings) postings")
        }
    }

    private func printMisses(matcher: Matcher, rows: [LabelledCSV.Row], decisions: [MatchDecision]) {
        for (row, decision) in zip(rows, decisions) {
            let outcome: String
            switch decision {
            case .answer(let match):
                if match.nuggetID == row.label { continue }
                outcome = "answered \(match.nuggetID)"
            case .choice(let matches):
                outcome = "offered \(matches.map(\.nuggetID).joined(separator: " / "))"
            case .unknown:
                if row.label == "oos" { continue }
                outcome = "unknown"
            }
            let ranked = matcher.rank(row.text, limit: 3).map { "\($0.nuggetID) \(String(format: "%.2f", $0.confidence))" }
            StandardError.print("[\(row.label)] \(row.text)\n    \(outcome); ranked: \(ranked.joined(separator: ", "))")
        }
    }

    /// In-scope accuracy (rejections wrong) and out-of-scope recall at thresholds that reject more and more.
    private func printCurve(matcher: Matcher, rows: [LabelledCSV.Row]) {
        let scored = rows.map { row -> (confidence: Double, right: Bool, outOfScope: Bool) in
            let best = matcher.rank(row.text, limit: 1).first
            return (best?.confidence ?? 0, best?.nuggetID == row.label, row.label == "oos")
        }
        let inScope = scored.filter { !$0.outOfScope }
        let outOfScope = scored.filter(\.outOfScope)
        StandardError.print("threshold  in-scope-accuracy  oos-recall")
        for step in 0...19 {
            let threshold = Double(step) * 0.05
            let right = inScope.filter { $0.right && $0.confidence >= threshold }.count
            let rejected = outOfScope.filter { $0.confidence < threshold }.count
            StandardError.print(String(
                format: "%.2f       %.4f             %@", threshold, Double(right) / Double(max(1, inScope.count)),
                outOfScope.isEmpty ? "n/a" : String(format: "%.4f", Double(rejected) / Double(outOfScope.count))))
        }
        // Reliability: how often the top answer is right at each level of confidence (a calibrated
        // matcher's rows sit near the diagonal).
        StandardError.print("confidence  questions  mean-confidence  right")
        for bin in 0..<10 {
            let low = Double(bin) / 10
            let members = scored.filter { $0.confidence >= low && ($0.confidence < low + 0.1 || bin == 9) }
            guard !members.isEmpty else { continue }
            let mean = members.reduce(0) { $0 + $1.confidence } / Double(members.count)
            let right = Double(members.filter(\.right).count) / Double(members.count)
            StandardError.print(String(format: "%.1f-%.1f     %9d  %15.3f  %5.3f", low, low + 0.1, members.count, mean, right))
        }
    }

    private func rows(_ path: String) throws -> [LabelledCSV.Row] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("\(path): cannot be read")
        }
        do {
            return try LabelledCSV.parse(text)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

extension MatcherSettings.Model: ExpressibleByArgument {}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The process's resident memory, from /proc on Linux (getrusage's peak elsewhere).
enum ResidentMemory {
    static func megabytes() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            return kilobytes / 1024
        }
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024
    }
}
