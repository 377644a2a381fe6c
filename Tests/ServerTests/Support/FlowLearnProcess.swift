import Foundation

/// The built `flowlearn` binary run as a child process, for tests that kill it with `kill -9`.
enum FlowLearnProcess {
    static let binary = TestServer.repositoryRoot + "/.build/debug/flowlearn"

    /// Starts `flowlearn` with these arguments and extra environment variables, output discarded.
    static func launch(_ arguments: [String], environment extra: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
