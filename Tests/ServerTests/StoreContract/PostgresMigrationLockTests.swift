import FlowLearnCore
@testable import FlowLearnPostgresStore
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL: a replica waits for another's migration, but not forever")
struct PostgresMigrationLockTests {
    @Test(.enabled(if: StoreEngine.postgresURL != nil, "FLOWLEARN_TEST_POSTGRES_URL is not set"))
    func aHeldMigrationLockFailsTheStartWithAMessageAndALaterStartMigrates() async throws {
        try await StoreDatabase.withDatabase(.postgres) { database in
            let replica = try #require(database.unopenedPostgresReplica("replica-waiting", migrationLockTimeout: .seconds(1)))
            // Another replica, hung in its migration with its connection open, holds the lock.
            let holder = try await PostgresConnection.connect(configuration: try #require(replica.direct), id: 99, logger: StoreDatabase.quiet)
            _ = try await holder.query("SELECT pg_advisory_lock(\(PostgresStore.migrationLock))", logger: StoreDatabase.quiet).collect()
            let started = ContinuousClock.now
            do {
                try await replica.checkWritable(at: Date())
                Issue.record("started although another replica held the migration lock")
            } catch {
                #expect("\(error)".contains("another replica has been migrating the schema"), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(30), "gave up after its timeout, not hung")
            // The hung replica goes away: the next start migrates.
            _ = try await holder.query("SELECT pg_advisory_unlock(\(PostgresStore.migrationLock))", logger: StoreDatabase.quiet).collect()
            try await holder.close()
            try await replica.checkWritable(at: Date())
            #expect(try await replica.appliedMigrations().map(\.version) == PostgresStore.migrationVersions)
        }
    }

    @Test func theLockTimeoutIsWholeMillisecondsAndNeverUnlimited() {
        #expect(PostgresStore.setLockTimeout(.seconds(120)).sql == "SET LOCAL lock_timeout = 120000")
        #expect(PostgresStore.setLockTimeout(.milliseconds(1500)).sql == "SET LOCAL lock_timeout = 1500")
        #expect(PostgresStore.setLockTimeout(.zero).sql == "SET LOCAL lock_timeout = 1", "0 would mean no limit")
    }
}
