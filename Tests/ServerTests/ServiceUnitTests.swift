import Foundation
import Testing

/// contrib/systemd/flowlearn.service: what it promises, and `systemd-analyze verify` where there is one.
@Suite("systemd service unit")
struct ServiceUnitTests {
    static let unit = TestServer.repositoryRoot + "/contrib/systemd/flowlearn.service"

    @Test func theUnitRunsAsItsOwnUserHardenedRestartsAndReloadsOnSIGHUP() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for line in [
            "User=flowlearn", "StateDirectory=flowlearn", "EnvironmentFile=/etc/flowlearn/secrets.env", "Restart=on-failure",
            "ExecReload=/bin/kill -HUP $MAINPID", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes",
            "ExecStart=/usr/local/bin/flowlearn serve --config /etc/flowlearn/config.json",
        ] {
            #expect(lines.contains(line), "missing: \(line)")
        }
    }

    @Test func systemdAnalyzeVerifiesItWithoutAWarning() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return  // not on this machine: the test above still checks the unit's promises
        }
        try #require(FileManager.default.isExecutableFile(atPath: FlowLearnProcess.binary), "build first: swift build")
        // verify checks that the programs exist: point it at the built binary and an empty secrets file.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/flowlearn", with: FlowLearnProcess.binary)
            .replacingOccurrences(of: "/etc/flowlearn/secrets.env", with: "/dev/null")
        let copy = folder.appendingPathComponent("flowlearn.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", copy.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && output.isEmpty, "systemd-analyze verify: \(output)")
    }
}
