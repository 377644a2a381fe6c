import FlowLearnCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Enforces the store's retention inside `serve`: prunes once at start, then every
/// `store.pruneIntervalSeconds`, and counts what it deleted for `/metrics`.
public final class RetentionService: Service, Sendable {
    let store: any RetentionStore
    let policy: RetentionPolicy
    let interval: Double
    let now: @Sendable () -> Date
    let logger: Logger
    /// Rows deleted since start, per table.
    private let totals = Mutex<[RetentionTable: Int]>([:])
    /// Rows per delete transaction: short enough that a request never waits long for the writer.
    static let batch = 500

    public init(store: any RetentionStore, policy: RetentionPolicy, interval: Double, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// One pass; returns what it deleted.
    @discardableResult
    public func pruneOnce() async throws -> [RetentionTable: Int] {
        let deleted = try await store.prune(policy, at: now(), batch: Self.batch)
        totals.withLock { totals in
            for (table, count) in deleted { totals[table, default: 0] += count }
        }
        let nonZero = deleted.filter { $0.value > 0 }
        if !nonZero.isEmpty {
            logger.info(
                "retention: old rows deleted",
                metadata: Dictionary(uniqueKeysWithValues: nonZero.map { ($0.key.rawValue, Logger.MetadataValue.string("\($0.value)")) }))
        }
        return deleted
    }

    public var deletedTotals: [RetentionTable: Int] { totals.withLock { $0 } }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await pruneOnce()
            } catch {
                logger.error("retention pass failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
        }
    }

    /// The `/metrics` lines: rows deleted per table since start.
    public func exposition() -> String {
        let totals = deletedTotals
        var text = """
            # HELP flowlearn_retention_deleted_total Rows deleted by the retention policy since start, per table.
            # TYPE flowlearn_retention_deleted_total counter

            """
        for table in RetentionTable.allCases {
            text += "flowlearn_retention_deleted_total{table=\"\(table.rawValue)\"} \(totals[table] ?? 0)\n"
        }
        return text
    }
}
