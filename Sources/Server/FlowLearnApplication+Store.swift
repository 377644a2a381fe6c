import FlowLearnConfig
import FlowLearnCore
import FlowLearnPostgresStore
import FlowLearnStore
import Foundation
import Logging

/// Why the configured store could not be opened: names the key to fix.
public struct StoreOpeningError: Error, CustomStringConvertible {
    /// The key and the reason, never a password.
    public var description: String
}

extension ApplicationSetup {
    /// How often held leases are renewed: a third of the lease, so two renewals can fail before it runs out.
    public var leaseRenewal: Duration { .milliseconds(Int64(lease.duration * 1000 / 3)) }

    /// The store's logger, at the level of the setup's.
    var storeLogger: Logger {
        var logger = Logger(label: "flowlearn.store")
        logger.logLevel = self.logger.logLevel
        return logger
    }

    /// Where the PostgreSQL store is, when `store.url` names one (nil: SQLite).
    public func postgresLocation() throws -> PostgresLocation? {
        let url = configuration.store.url
        guard !url.isEmpty else { return nil }
        do {
            return try PostgresLocation(url: url)
        } catch {
            throw StoreOpeningError(description: "store.url \(error.description)")
        }
    }
}

extension FlowLearnApplication {
    /// The store the configuration names, without connecting: SQLite at `store.path` (the default),
    /// or PostgreSQL at `store.url`, whose pool connects and migrates at the first query. `serve` and
    /// the commands open it with `openStore` first, so an unreachable database stops them at once.
    public static func makeStore(_ setup: ApplicationSetup) throws -> any LearningStore {
        let configuration = setup.configuration
        if let location = try setup.postgresLocation() {
            return PostgresStore(
                location: location, password: setup.environment[configuration.store.passwordEnv], lease: setup.lease,
                maximumConnections: configuration.store.maxConnections, logger: setup.storeLogger)
        }
        if configuration.store.path == ":memory:" { return try SQLiteStore.inMemory(lease: setup.lease) }
        let path = setup.resolve(configuration.store.path)
        let store = try SQLiteStore(path: path, lease: setup.lease)
        setup.logger.info("store opened", metadata: ["path": "\(path)"])
        return store
    }

    /// Opens the configured store and, for PostgreSQL, connects and migrates (once, under the advisory
    /// lock, whichever replica comes first); the error says which store and why.
    public static func openStore(_ setup: ApplicationSetup) async throws -> any LearningStore {
        guard let location = try setup.postgresLocation() else { return try makeStore(setup) }
        let variable = setup.configuration.store.passwordEnv
        let password = setup.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        if password == nil {
            setup.logger.notice("no PostgreSQL password in the environment; connecting without one", metadata: ["variable": "\(variable)"])
        }
        do {
            let store = try await PostgresStore.open(
                location: location, password: password, lease: setup.lease, maximumConnections: setup.configuration.store.maxConnections,
                logger: setup.storeLogger)
            setup.logger.info("store opened", metadata: ["postgres": "\(location)"])
            return store
        } catch {
            throw StoreOpeningError(description: "store.url: PostgreSQL \(PostgresStore.describe(error))")
        }
    }
}
