import ArgumentParser
import FlowLearnCore
import Foundation

/// `flowlearn lint [DIR]`: every problem as `path:line: severity: message`; exit 1 on any error.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check every nugget and quiz file and report problems with line numbers.")

    @Argument(help: "Folder of nugget and quiz files.")
    var directory = "Intents"

    @Option(name: .long, help: "Warn about nuggets whose 'reviewed' date is older than this many days (0: off; the server's content.staleAfterDays defaults to 180).")
    var staleAfterDays = 180

    func run() throws {
        let files: [SourceFile]
        do {
            files = try ContentDirectory.read(directory)
        } catch {
            StandardError.print("\(directory): \(error)")
            throw ExitCode(1)
        }
        let report = ContentLinter.lint(files, stale: StalePolicy(afterDays: staleAfterDays, now: Date()))
        for diagnostic in report.diagnostics { print(diagnostic) }
        let warnings = report.diagnostics.count - report.errorCount
        if report.errorCount > 0 {
            StandardError.print("\(report.errorCount) error(s), \(warnings) warning(s) in \(files.count) file(s)")
            throw ExitCode(1)
        }
        StandardError.print("\(files.count) file(s) OK, \(report.nuggets.count) nugget(s), \(report.questions.count) quiz question(s), \(report.outOfScope.count) out-of-scope question(s), \(warnings) warning(s)")
    }
}
