import FlowLearnCore
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The store protocols on PostgreSQL through postgres-nio: the one place in FlowLearn that knows
/// PostgreSQL's SQL, for several `flowlearn serve` replicas on one database.
///
/// The connection pool runs from creation until `close()`. Migrations run once, before the first
/// query, inside a transaction that holds an advisory lock, so replicas starting together migrate
/// once. Each change is one transaction; rows claimed for work (nudges, kept replies, learning
/// records) are taken with `FOR UPDATE SKIP LOCKED` and carry this replica's lease.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// This replica's leases on the rows it claims.
    public let lease: LeaseHolder
    /// Where the database is (no password), for logs.
    public let location: PostgresLocation
    /// Whether writes keep learning records for the xAPI outbox (`keepLearningRecords`).
    let recordsLearning = Atomic<Bool>(false)
    private let runner: Task<Void, Never>
    private let migration = Mutex<Task<Void, any Error>?>(nil)
    /// For the one connection migrations run on, outside the pool: a wrong password or an
    /// unreachable server fails there at once, with PostgreSQL's own words, instead of the pool
    /// retrying until its circuit breaker trips.
    let direct: PostgresConnection.Configuration?
    /// How long a replica waits for another one's migration (the advisory lock) before it gives up.
    let migrationLockTimeout: Duration

    /// Starts the connection pool; nothing connects until the first query (`open` connects at once).
    /// - Parameters:
    ///   - password: from the environment variable `store.passwordEnv` names (nil: none, as with `trust`).
    ///   - maximumConnections: the pool's size for this replica (the database's `max_connections` is
    ///     shared by every replica).
    ///   - migrationLockTimeout: how long to wait for another replica's migration before failing.
    public init(
        location: PostgresLocation, password: String?, lease: LeaseHolder = .thisProcess(), maximumConnections: Int = 10,
        logger: Logger = Logger(label: "flowlearn.store"), migrationLockTimeout: Duration = PostgresStore.migrationLockWait
    ) {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: password, database: location.database,
            tls: Self.tls(location.tls))
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = .seconds(10)
        var backgroundLogger = logger
        backgroundLogger.logLevel = max(logger.logLevel, .notice)
        let client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        let context: NIOSSLContext? = location.tls == .disable ? nil : try? NIOSSLContext(configuration: .makeClientConfiguration())
        let tls: PostgresConnection.Configuration.TLS? =
            switch location.tls {
            case .disable: .disable
            case .prefer: context.map { .prefer($0) }
            case .require: context.map { .require($0) }
            }
        direct = tls.map { tls in
            var direct = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: password, database: location.database, tls: tls)
            direct.options.connectTimeout = .seconds(10)
            return direct
        }
        self.client = client
        self.migrationLockTimeout = migrationLockTimeout
        self.location = location
        self.lease = lease
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Creates the store, connects and migrates: throws when the database cannot be reached or migrated.
    public static func open(
        location: PostgresLocation, password: String?, lease: LeaseHolder = .thisProcess(), maximumConnections: Int = 10,
        logger: Logger = Logger(label: "flowlearn.store")
    ) async throws -> PostgresStore {
        let store = PostgresStore(location: location, password: password, lease: lease, maximumConnections: maximumConnections, logger: logger)
        do {
            try await store.ready()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Stops the connection pool (its connections close); the store takes no more queries.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// Waits for the migrations (running them the first time); a failed attempt is tried again on the next call.
    func ready() async throws {
        let task = migration.withLock { current -> Task<Void, any Error> in
            if let current { return current }
            let task = Task { try await self.migrate() }
            current = task
            return task
        }
        do {
            try await task.value
        } catch {
            migration.withLock { if $0 == task { $0 = nil } }
            throw PostgresStoreError("\(location): \(Self.describe(error))")
        }
    }

    /// A database error as a person can act on it: PostgreSQL's own message where there is one.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresStoreError { return error.description }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.commitError ?? error.beginError { return describe(inner) }
            return "the transaction failed"
        }
        // Anything else (our own errors from inside a transaction) by its type, never its fields.
        return error is CustomStringConvertible ? "\(error)" : "\(type(of: error))"
    }

    /// Runs `body` on one pooled connection (reads).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await ready()
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw Self.plain(error)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await ready()
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw Self.plain(error)
        }
    }

    /// An error as the server said it, without the query: postgres-nio's errors print the query with
    /// its bound values (response URLs, message text), which must not reach logs or stored reasons.
    static func plain(_ error: any Error) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        var text = describe(error)
        if let error = (error as? PostgresTransactionError).flatMap({ $0.closureError ?? $0.commitError ?? $0.beginError }) as? PSQLError
            ?? error as? PSQLError, let state = error.serverInfo?[.sqlState]
        {
            text += " (SQLSTATE \(state))"
        }
        return PostgresStoreError(text)
    }
}

extension PostgresConnection {
    /// Holds a transaction-scoped advisory lock on one learner's (or one key's) writes until the
    /// transaction ends. The two-integer key space never meets the migrations' single 64-bit key.
    func lockLearner(_ key: String, _ logger: Logger) async throws {
        try await run("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(1179407392, hashtext(\(key)))) AS held", logger)
    }

    /// All rows of a query, for reading by column name.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first row of a query, if any.
    func row(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRandomAccessRow? {
        try await rows(query, logger).first
    }

    /// Runs a statement; returns how many rows it returned (use `RETURNING 1` to count changes).
    @discardableResult
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }
}

extension PostgresRandomAccessRow {
    /// A column's value; nil when the column is missing, NULL, or not of that type (a bad row never traps).
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T? {
        guard contains(column) else { return nil }
        let cell = self[column]
        guard cell.bytes != nil else { return nil }
        return try? cell.decode(T.self)
    }
}
