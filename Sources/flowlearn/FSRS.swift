import ArgumentParser
import FlowLearnCore
import Foundation

/// `flowlearn fsrs replay FILE`: our FSRS-6 scheduler over review histories in the reference's
/// JSON-lines format, so anyone can compare it with the `fsrs` package on histories of their own.
struct FSRSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsrs", abstract: "Spaced-repetition scheduler tools.", subcommands: [Replay.self])

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay review histories (JSON lines, '-' for stdin) and print each card state after each review.",
            discussion: """
                Each input line: {"scheduler": {"parameters": [...21], "desired_retention": 0.9, "learning_steps": [60, 600],
                "relearning_steps": [600], "maximum_interval": 36500, "enable_fuzzing": false},
                "reviews": [{"rating": 1-4, "review_datetime": "2026-01-05T09:30:00Z"}, ...]}.
                Output: the same line with "card" (state, step, stability, difficulty, due, last_review) after every review.
                scripts/fsrs-vectors.py writes such lines with the reference implementation.
                """)

        @Argument(help: "A JSON-lines file of histories, or '-' for standard input.")
        var file: String

        func run() throws {
            let text: String
            if file == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file)")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                do {
                    print(try FSRSHistory.decode(trimmed).replayed().line())
                } catch {
                    throw ValidationError("\(file):\(number + 1): \(error)")
                }
            }
        }
    }
}
