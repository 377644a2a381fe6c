import ArgumentParser
import FlowLearnServer
import FlowLearnWebConsole
import Foundation

/// `flowlearn console add-user NAME` and `flowlearn console users`: the people who may sign in to
/// the web console, kept as bcrypt hashes in the file `console.usersFile` names.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Manage who may sign in to the web console (/console).",
        subcommands: [AddUser.self, RemoveUser.self, Users.self])

    struct FileOptions: ParsableArguments {
        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "The users file (default: console.usersFile of the configuration).")
        var usersFile: String?

        func path() throws -> String {
            if let usersFile, !usersFile.isEmpty { return usersFile }
            let (configuration, base) = try options.load()
            guard !configuration.console.usersFile.isEmpty else {
                throw ValidationError("console.usersFile is empty in \(options.config): set it (for example \"var/console-users\") or pass --users-file")
            }
            return ApplicationSetup(configuration: configuration, baseDirectory: base).resolve(configuration.console.usersFile)
        }
    }

    struct AddUser: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user", abstract: "Add a console user, or set a new password for one (asks for it twice).")

        @OptionGroup var file: FileOptions

        @Argument(help: "The name to sign in with (letters, digits, '.', '_', '@', '-').")
        var name: String

        @Flag(name: .long, help: "Read the password from the first line of standard input instead of asking.")
        var passwordStdin = false

        func run() throws {
            let path = try file.path()
            let password: String
            if passwordStdin {
                password = readLine(strippingNewline: true) ?? ""
            } else {
                let first = Terminal.readSecret("Password for \(name) (at least 12 characters): ")
                guard first == Terminal.readSecret("Again: ") else { throw ValidationError("the two passwords differ; nothing changed") }
                password = first
            }
            let existing = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if !existing.isEmpty { _ = try ConsoleUsers(text: existing, file: path) }
            let text: String
            do {
                text = try ConsoleUsers.setting(name: name, password: password, in: existing)
            } catch {
                throw ValidationError(error.description)
            }
            try SecretFile.write(text, to: path)
            StandardError.print("\(name) can sign in to /console (\(path)).")
        }
    }

    struct RemoveUser: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-user", abstract: "Remove a console user (their next sign-in is refused).")

        @OptionGroup var file: FileOptions

        @Argument(help: "The name to remove.")
        var name: String

        func run() throws {
            let path = try file.path()
            let existing = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let lines = existing.split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix(name + ":") }
            guard kept.count < lines.count else { throw ValidationError("\(name) is not in \(path)") }
            try SecretFile.write(kept.joined(separator: "\n"), to: path)
            StandardError.print("\(name) removed; sessions already open end within console.sessionHours.")
        }
    }

    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "users", abstract: "List the console users.")

        @OptionGroup var file: FileOptions

        func run() throws {
            for name in try ConsoleUsers.load(path: file.path()).names { print(name) }
        }
    }
}

/// Reading a secret at the terminal without showing it.
enum Terminal {
    static func readSecret(_ prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var settings = termios()
        let interactive = tcgetattr(STDIN_FILENO, &settings) == 0
        var quiet = settings
        if interactive {
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if interactive {
                tcsetattr(STDIN_FILENO, TCSANOW, &settings)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

/// Writes a file only its owner can read, replacing it whole (a crash leaves the old one or the new one).
enum SecretFile {
    static func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else { throw ValidationError("cannot replace \(path) (errno \(errno))") }
    }
}
