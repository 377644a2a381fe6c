import ArgumentParser
import FlowLearnServer
import FlowLearnStore
import Foundation

/// `flowlearn backup --config FILE OUT.sqlite`: a consistent copy of the store while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the store to a new file while the server runs (SQLite's online backup), then check the copy.")

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The new file to write.")
    var output: String

    func run() async throws {
        let (configuration, base) = try options.load()
        guard configuration.store.url.isEmpty else { throw Self.postgres("backup") }
        let path = ApplicationSetup(configuration: configuration, baseDirectory: base).resolve(configuration.store.path)
        do {
            try SQLiteStore.backup(databaseAt: path, to: output)
        } catch {
            StandardError.print("flowlearn backup: \(error)")
            throw ExitCode(1)
        }
        StandardError.print("backed up to \(output) (integrity check ok)")
    }

    /// `backup` and `restore` copy SQLite files; a PostgreSQL store is backed up with its own tools.
    static func postgres(_ command: String) -> ExitCode {
        StandardError.print(
            "flowlearn \(command): store.url names a PostgreSQL database; back it up with pg_dump and restore with pg_restore "
                + "(docs/operations.md, \"PostgreSQL and several replicas\")")
        return ExitCode(2)
    }
}

/// `flowlearn restore --config FILE IN.sqlite`: puts a backup back, with the server stopped.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the store with a backup (stop the server first); the backup is checked before anything changes.")

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The backup file.")
    var input: String

    func run() async throws {
        let (configuration, base) = try options.load()
        guard configuration.store.url.isEmpty else { throw Backup.postgres("restore") }
        let path = ApplicationSetup(configuration: configuration, baseDirectory: base).resolve(configuration.store.path)
        do {
            try SQLiteStore.restore(from: input, to: path)
        } catch {
            StandardError.print("flowlearn restore: \(error)")
            throw ExitCode(1)
        }
        StandardError.print("restored \(path) from \(input)")
    }
}
