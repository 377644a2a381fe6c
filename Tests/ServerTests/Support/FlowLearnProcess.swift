import Foundation

/// The built `flowlearn` binary run as a child process, for tests that kill it with `kill -9`.
enum FlowLearnProcess {
    static let binary = TestServer.repositoryRoot + "/.build/debug/flowlearn"

    /// Starts `flowlearn` with these arguments and extra environment variables; its log (stderr) goes
    /// to `log` and its output to `stdout` when given, else they are discarded.
    static func launch(_ arguments: [String], environment extra: [String: String], log: URL? = nil, stdout: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        if let stdout {
            FileManager.default.createFile(atPath: stdout.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdout)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        if let log {
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// The port `flowlearn serve` (configured with port 0, so the system picks a free one) says it
    /// listens on in its log, once it does; nil if it exits or `timeout` passes first.
    static func servingPort(log: URL, process: Process, timeout: Duration = .seconds(60)) async throws -> Int? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains("serving") {
                // text: address=[IPv4]127.0.0.1/127.0.0.1:PORT; JSON: "address":"[IPv4]127.0.0.1/127.0.0.1:PORT"
                if let match = line.firstMatch(of: /127\.0\.0\.1:(\d+)/), let port = Int(match.1) { return port }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
