import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import Foundation

/// `flowlearn leeches [--json]`: quiz questions people keep forgetting (no longer scheduled for them).
struct Leeches: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List quiz questions that became leeches (forgotten quiz.leechLapses times), with their nugget and owner.")

    @OptionGroup var options: ConfigurationOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    struct Line: Codable {
        var question: String
        var text: String
        var nugget: String
        var owner: String
        var learners: Int
        var since: Date
    }

    func run() async throws {
        let (configuration, base) = try options.load()
        let folder = ApplicationSetup(configuration: configuration, baseDirectory: base).resolve(configuration.content.intents)
        let pack = try? ContentLinter.loadPack(ContentDirectory.read(folder))
        let questions = Dictionary((pack?.questions ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let nuggets = Dictionary((pack?.nuggets ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = try await options.openStore().leeches().map { leech -> Line in
            let question = questions[leech.questionID]
            let nugget = question.flatMap { nuggets[$0.nuggetID] }
            return Line(
                question: leech.questionID, text: question?.prompt ?? "(no longer in the content)", nugget: question?.nuggetID ?? "",
                owner: nugget?.owner ?? "", learners: leech.learners, since: leech.since)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(lines), as: UTF8.self))
            return
        }
        let formatter = ISO8601DateFormatter()
        for line in lines {
            print("\(line.question)  \(line.learners) people since \(formatter.string(from: line.since))  \(line.nugget) (\(line.owner))  \"\(line.text)\"")
        }
        StandardError.print("\(lines.count) leech question(s); a leech is not scheduled again for the people it is one for")
    }
}
