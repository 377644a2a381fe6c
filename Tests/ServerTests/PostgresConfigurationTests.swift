import FlowLearnConfig
import FlowLearnCore
import FlowLearnPostgresStore
import FlowLearnServer
import FlowLearnStore
import Foundation
import Testing

/// `store.url` selects PostgreSQL (SQLite stays the default); the password only ever comes from the
/// environment variable `store.passwordEnv` names.
@Suite("PostgreSQL configuration")
struct PostgresConfigurationTests {
    func parse(_ json: String) throws(ConfigurationError) -> FlowLearnConfiguration {
        try ConfigurationLoader.parse(Data(json.utf8), file: "test.json")
    }

    @Test(arguments: [
        (#"{"store": {"url": "postgres://flowlearn:hunter2@db.example/flowlearn"}}"#, "test.json: key 'store.url': must not hold a password"),
        (#"{"store": {"url": "mysql://flowlearn@db.example/flowlearn"}}"#, "test.json: key 'store.url': must be a postgres:// URL"),
        (#"{"store": {"url": "postgres://flowlearn@db.example"}}"#, "test.json: key 'store.url': names no database"),
        (#"{"store": {"url": "postgres://db.example/flowlearn"}}"#, "test.json: key 'store.url': names no user"),
        (#"{"store": {"url": "postgres://u@db.example/f?sslmode=verify-full"}}"#, "test.json: key 'store.url': sslmode must be"),
        (#"{"store": {"leaseSeconds": 1}}"#, "test.json: key 'store.leaseSeconds': must be between 5 and 3600"),
        (#"{"store": {"passwordEnv": ""}}"#, "test.json: key 'store.passwordEnv': must name an environment variable"),
    ])
    func badStoreSettingsNameTheKeyAndNeverThePassword(_ json: String, _ expected: String) {
        #expect {
            try parse(json)
        } throws: { error in
            "\(error)".hasPrefix(expected) && !"\(error)".contains("hunter2")
        }
    }

    @Test func sqliteIsTheDefaultAndAURLSelectsPostgres() async throws {
        let sqlite = ApplicationSetup(configuration: FlowLearnConfiguration())
        #expect(try sqlite.postgresLocation() == nil)
        var configuration = try parse(#"{"store": {"url": "postgresql://learn%40ops@db.internal:6543/flowlearn?sslmode=require", "leaseSeconds": 30}}"#)
        configuration.store.path = ":memory:"
        let setup = ApplicationSetup(configuration: configuration, environment: [:])
        let location = try #require(try setup.postgresLocation())
        #expect(location == PostgresLocation(host: "db.internal", port: 6543, user: "learn@ops", database: "flowlearn", tls: .require))
        #expect(setup.lease.duration == 30 && setup.leaseRenewal == .seconds(10))
        let store = try FlowLearnApplication.makeStore(setup)
        let postgres = try #require(store as? PostgresStore, "store.url set: the PostgreSQL store, not SQLite")
        #expect(postgres.lease == setup.lease)
        await postgres.close()
    }

    @Test(.enabled(if: StoreEngine.postgresURL != nil, "FLOWLEARN_TEST_POSTGRES_URL is not set"))
    func openingConnectsWithThePasswordFromTheNamedVariableAndSaysWhyNot() async throws {
        let url = try #require(StoreEngine.postgresURL)
        var configuration = FlowLearnConfiguration()
        configuration.store.url = url
        configuration.store.passwordEnv = "TEST_PG_PASSWORD"
        let good = ApplicationSetup(configuration: configuration, environment: ["TEST_PG_PASSWORD": StoreEngine.postgresPassword ?? ""])
        let store = try await FlowLearnApplication.openStore(good)
        try await store.checkWritable(at: Date())
        await (store as? PostgresStore)?.close()

        let bad = ApplicationSetup(configuration: configuration, environment: ["TEST_PG_PASSWORD": "not-the-password-42"])
        await #expect {
            _ = try await FlowLearnApplication.openStore(bad)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("store.url: PostgreSQL") && text.contains("password") && !text.contains("not-the-password-42")
        }
    }

    @Test(.enabled(if: StoreEngine.postgresURL != nil, "FLOWLEARN_TEST_POSTGRES_URL is not set"))
    func configCheckSaysWhichStoreAndThatItConnects() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-pgcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        let object: [String: Any] = [
            "content": ["intents": TestServer.repositoryRoot + "/Intents", "encoder": ""],
            "store": ["url": try #require(StoreEngine.postgresURL), "passwordEnv": "TEST_PG_PASSWORD"],
        ]
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        let output = folder.appendingPathComponent("out.txt")
        let process = try FlowLearnProcess.launch(
            ["config", "check", "--config", config.path], environment: ["TEST_PG_PASSWORD": StoreEngine.postgresPassword ?? ""], log: nil,
            stdout: output)
        process.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("store:") })
        #expect(line.hasPrefix("store: PostgreSQL postgres://") && line.contains("connected, schema at step \(PostgresStore.migrationVersions.count)"))
    }
}
