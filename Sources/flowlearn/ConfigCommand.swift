import ArgumentParser
import FlowLearnConfig
import FlowLearnCore
import FlowLearnPostgresStore
import FlowLearnServer
import FlowLearnWebConsole
import Foundation

/// `flowlearn config …`: the configuration file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a configuration file, or print the reference of every key.",
        subcommands: [Check.self, Reference.self])

    /// `flowlearn config reference [--example]`: docs/configuration.md (or config.example.json), from
    /// the configuration's own definitions.
    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every configuration key with its default and meaning as Markdown (docs/configuration.md).")

        @Flag(name: .long, help: "Print config.example.json instead: every key with its default.")
        var example = false

        func run() {
            print(example ? ConfigurationReference.exampleJSON() : ConfigurationReference.markdown(), terminator: "")
        }
    }

    /// `flowlearn config check --config FILE`: the file, the content, the model, the store and, per
    /// platform, whether it is on and which secrets are missing (never printing a secret); exit 1 on
    /// any error. Missing secrets are warnings: the server runs, and those routes answer 503.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a configuration and what it names; print what is on and what is missing; exit 1 on errors.")

        @Option(name: .long, help: "Configuration file (JSON).")
        var config = "config.example.json"

        func run() async throws {
            var errors = 0
            func report(_ line: String, error: Bool = false) {
                if error { errors += 1 }
                print((error ? "error: " : "") + line)
            }
            let configuration: FlowLearnConfiguration
            do {
                configuration = try ConfigurationLoader.load(path: config)
            } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
            print("\(config): valid")
            let setup = ApplicationSetup(configuration: configuration, baseDirectory: URL(fileURLWithPath: config).deletingLastPathComponent().path)
            let environment = ProcessInfo.processInfo.environment

            let folder = setup.resolve(configuration.content.intents)
            do {
                let files = try ContentDirectory.read(folder)
                let lint = ContentLinter.lint(files)
                if lint.errorCount > 0 {
                    report("content: \(folder): \(lint.errorCount) lint error(s); run flowlearn lint \(folder)", error: true)
                } else {
                    report("content: \(folder): \(lint.nuggets.count) nuggets, \(lint.questions.count) quiz questions")
                }
            } catch {
                report("content: \(folder): \(error)", error: true)
            }

            if configuration.content.encoder.isEmpty {
                report("encoder: off (content.encoder is empty): lexical matching only")
            } else {
                let model = setup.resolve(configuration.content.encoder)
                let present = FileManager.default.fileExists(atPath: model + "/model.safetensors")
                report("encoder: \(model): " + (present ? "found" : "missing, so semantic matching is off (scripts/install-model.sh fetches it)"))
            }

            let store = configuration.store.path
            if !configuration.store.url.isEmpty {
                // PostgreSQL: connect (and migrate, as serve would) to say whether it works.
                let variable = configuration.store.passwordEnv
                let password = (environment[variable] ?? "").isEmpty ? "; \(variable) is not set: connecting without a password" : ""
                let location = (try? setup.postgresLocation())?.map(\.description) ?? configuration.store.url
                do {
                    let opened = try await FlowLearnApplication.openStore(setup)
                    var steps = ""
                    if let postgres = opened as? PostgresStore {
                        steps = ", schema at step \(try await postgres.appliedMigrations().last?.version ?? 0)"
                        await postgres.close()
                    }
                    report("store: PostgreSQL \(location): connected\(steps)\(password)")
                } catch {
                    report("store: cannot connect: \(error)\(password)", error: true)
                }
            } else if store == ":memory:" {
                report("store: in memory: nothing is kept across restarts")
            } else {
                let path = setup.resolve(store)
                let folder = (path as NSString).deletingLastPathComponent
                let manager = FileManager.default
                let writable = manager.fileExists(atPath: path) ? manager.isWritableFile(atPath: path) : Self.creatable(folder)
                report("store: SQLite \(path): " + (writable ? "writable" : "not writable"), error: !writable)
            }

            for platform in PlatformReadiness.report(configuration, environment: environment) {
                guard platform.enabled else {
                    print("\(platform.platform): off")
                    continue
                }
                var line = "\(platform.platform): on"
                if !platform.missing.isEmpty {
                    line += "; missing \(platform.missing.joined(separator: ", ")): its routes refuse requests (503 or 401) until set"
                }
                for (variable, effect) in platform.optionalMissing { line += "; \(variable) not set: \(effect)" }
                if platform.ready && platform.optionalMissing.isEmpty { line += ", secrets set" }
                print(line)
            }
            if configuration.console.usersFile.isEmpty {
                print("console: off (console.usersFile is empty)")
            } else {
                let file = setup.resolve(configuration.console.usersFile)
                var line = "console: on at /console"
                if FileManager.default.fileExists(atPath: file) {
                    do {
                        line += "; \(try ConsoleUsers.load(path: file).names.count) user(s) in \(file)"
                    } catch {
                        report("console: \(error)", error: true)
                    }
                } else {
                    line += "; \(file) does not exist yet: no one can sign in (flowlearn console add-user NAME)"
                }
                if (environment[configuration.console.sessionKeyEnv] ?? "").isEmpty {
                    line += "; \(configuration.console.sessionKeyEnv) not set: sign-ins end when the server restarts"
                }
                print(line)
            }
            let xapi = PlatformReadiness.xapi(configuration, environment: environment)
            if !xapi.enabled {
                print("xapi: off (xapi.endpoint is empty)")
            } else if xapi.missing.isEmpty {
                print("xapi: on, statements to \(configuration.xapi.endpoint), key and secret set")
            } else {
                print("xapi: on; missing \(xapi.missing.joined(separator: ", ")): statements wait in the outbox until set")
            }
            if errors > 0 {
                StandardError.print("\(errors) error(s)")
                throw ExitCode(1)
            }
        }

        /// Whether the folder exists and is writable, or can be created under a writable parent.
        static func creatable(_ folder: String) -> Bool {
            var current = folder.isEmpty ? "." : folder
            while !FileManager.default.fileExists(atPath: current) {
                let parent = (current as NSString).deletingLastPathComponent
                if parent == current || parent.isEmpty { return false }
                current = parent
            }
            return FileManager.default.isWritableFile(atPath: current)
        }
    }
}
