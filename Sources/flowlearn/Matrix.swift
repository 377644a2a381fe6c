import ArgumentParser
import FlowLearnServer
import Foundation

/// `flowlearn matrix registration`: the application-service registration file for a homeserver.
struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix", abstract: "Matrix application-service tools.", subcommands: [Registration.self])

    struct Registration: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the registration YAML for the homeserver (tokens from the environment variables the configuration names).",
            discussion: "When a token variable is unset, a random token is generated and the export line to use is printed on stderr.")
        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            let (configuration, base) = try options.load()
            var environment = ProcessInfo.processInfo.environment
            for name in [configuration.matrix.asTokenEnv, configuration.matrix.hsTokenEnv] where (environment[name] ?? "").isEmpty {
                var generator = SystemRandomNumberGenerator()
                let token = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
                environment[name] = token
                StandardError.print("export \(name)=\(token)   # FlowLearn must run with this too")
            }
            let setup = ApplicationSetup(configuration: configuration, baseDirectory: base, environment: environment)
            print(FlowLearnApplication.matrixService(setup).registrationYAML(
                id: configuration.matrix.registrationID, url: configuration.matrix.appServiceURL), terminator: "")
        }
    }
}
