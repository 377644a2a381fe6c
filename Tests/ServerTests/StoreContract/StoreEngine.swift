import FlowLearnCore
import FlowLearnPostgresStore
import FlowLearnStore
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The engines the store contract runs against: SQLite always, PostgreSQL when
/// `FLOWLEARN_TEST_POSTGRES_URL` names a server (`scripts/with-postgres.sh` starts a throw-away one;
/// `FLOWLEARN_TEST_POSTGRES_PASSWORD` holds its password).
enum StoreEngine: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    static let postgresURL = ProcessInfo.processInfo.environment["FLOWLEARN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresPassword = ProcessInfo.processInfo.environment["FLOWLEARN_TEST_POSTGRES_PASSWORD"]

    /// The engines this run can test.
    static var available: [StoreEngine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

/// One empty database for one test, on one engine; `replica(_:)` opens a store on it as another
/// process would (its own lease holder), so two replicas can share it. Dropped by `withDatabase`.
final class StoreDatabase: Sendable {
    let engine: StoreEngine
    private let sqliteFolder: URL?
    private let postgres: PostgresLocation?
    private let opened = Mutex<[PostgresStore]>([])

    private init(engine: StoreEngine, sqliteFolder: URL?, postgres: PostgresLocation?) {
        self.engine = engine
        self.sqliteFolder = sqliteFolder
        self.postgres = postgres
    }

    /// The `store.url` of this database, for a `flowlearn serve` configuration (PostgreSQL only).
    var postgresURL: String? { postgres?.description }

    /// A store on this database for the replica `lease` names (a lease of 60 s unless given).
    func replica(_ id: String = "replica-a", lease seconds: TimeInterval = 60) async throws -> any LearningStore {
        let lease = LeaseHolder(id: id, duration: seconds)
        if let postgres {
            let store = try await PostgresStore.open(
                location: postgres, password: StoreEngine.postgresPassword, lease: lease, maximumConnections: 4, logger: Self.quiet)
            opened.withLock { $0.append(store) }
            return store
        }
        guard let sqliteFolder else { throw PostgresStoreError("no database") }
        return try SQLiteStore(path: sqliteFolder.appendingPathComponent("flowlearn.sqlite").path, lease: lease)
    }

    /// A PostgreSQL store on this database without connecting yet (for the concurrent-migration test).
    func unopenedPostgresReplica(_ id: String, migrationLockTimeout: Duration = PostgresStore.migrationLockWait) -> PostgresStore? {
        guard let postgres else { return nil }
        let store = PostgresStore(
            location: postgres, password: StoreEngine.postgresPassword, lease: LeaseHolder(id: id), maximumConnections: 2, logger: Self.quiet,
            migrationLockTimeout: migrationLockTimeout)
        opened.withLock { $0.append(store) }
        return store
    }

    static let quiet: Logger = {
        var logger = Logger(label: "flowlearn.store.test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with a new empty database, and drops it afterwards whatever happens.
    static func withDatabase(_ engine: StoreEngine, _ body: (StoreDatabase) async throws -> Void) async throws {
        let database = try await create(engine)
        do {
            try await body(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    private static func create(_ engine: StoreEngine) async throws -> StoreDatabase {
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-contract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return StoreDatabase(engine: engine, sqliteFolder: folder, postgres: nil)
        case .postgres:
            let url = try #require(StoreEngine.postgresURL, "FLOWLEARN_TEST_POSTGRES_URL is not set")
            var location = try PostgresLocation(url: url)
            let name = "flowlearn_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await admin(location) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quiet)
            }
            location.database = String(name)
            return StoreDatabase(engine: engine, sqliteFolder: nil, postgres: location)
        }
    }

    private func drop() async {
        for store in opened.withLock({ $0 }) { await store.close() }
        if let sqliteFolder { try? FileManager.default.removeItem(at: sqliteFolder) }
        if let postgres, let url = StoreEngine.postgresURL, let base = try? PostgresLocation(url: url) {
            try? await Self.admin(base) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(postgres.database) WITH (FORCE)"), logger: Self.quiet)
            }
        }
    }

    /// Runs `body` on a connection to the database the test URL names.
    static func admin(_ location: PostgresLocation, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: StoreEngine.postgresPassword,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quiet)
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
