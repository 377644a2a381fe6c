import Foundation
import GRDB
import Synchronization

/// Group commit: writes that must be on disk before a request is acknowledged (an event claim, a
/// question, a kept reply, a quiz answer) are collected from concurrent requests and committed
/// together, in one transaction and one sync, each in a savepoint of its own (so one that fails rolls
/// back alone). Each caller resumes only after the transaction holding its write has committed. While
/// one batch commits, the next one gathers.
final class GroupCommitter: Sendable {
    private struct Job: Sendable {
        let perform: @Sendable (Database) -> Result<any Sendable, any Error>
        let resume: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct Queue {
        var pending: [Job] = []
        var committing = false
        var transactions = 0
        var writes = 0
    }

    /// Most writes per transaction: keeps one batch's transaction short.
    static let maximumBatch = 256

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())
    /// Where batches are committed, one after another: a thread of its own (not Swift's cooperative
    /// pool, which a synchronous commit would hold), woken when the first write of a batch arrives.
    private let committing = DispatchQueue(label: "flowlearn-group-commit", qos: .userInitiated)

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `work` inside the next batch's transaction and returns its result once that has committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<any Sendable, any Error>, Never>) in
            let job = Job(
                perform: { db in
                    do {
                        return .success(try Self.inSavepoint(db) { try work(db) })
                    } catch {
                        return .failure(error)
                    }
                },
                resume: { continuation.resume(returning: $0) })
            let start = queue.withLock { queue -> Bool in
                queue.pending.append(job)
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            if start { committing.async { self.commitWhilePending() } }
        }
        switch result {
        case .success(let value):
            guard let typed = value as? T else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "unexpected result type") }
            return typed
        case .failure(let error):
            throw error
        }
    }

    /// Transactions committed so far, and the writes they held.
    var counts: (transactions: Int, writes: Int) { queue.withLock { ($0.transactions, $0.writes) } }

    /// `work` in a savepoint of its own: rolled back alone if it throws. (GRDB's `inSavepoint` parses
    /// its two statements at every call; these are prepared once per connection.)
    private static func inSavepoint<T>(_ db: Database, _ work: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT flowlearn_write").execute()
        do {
            let value = try work()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT flowlearn_write").execute()
            return value
        } catch {
            do {
                try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT flowlearn_write").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT flowlearn_write").execute()
            } catch let rollback {
                // Its partial writes could not be undone: the whole batch must not commit.
                throw UndoFailed(write: error, rollback: rollback)
            }
            throw error
        }
    }

    /// A write failed and its savepoint could not be rolled back: its batch's transaction is rolled
    /// back whole (every write in it fails, and is retried by its platform).
    struct UndoFailed: Error, CustomStringConvertible {
        let write: any Error
        let rollback: any Error
        var description: String { "\(write) (and its rollback failed: \(rollback))" }
    }

    private func commitWhilePending() {
        while true {
            let batch = queue.withLock { queue -> [Job] in
                let batch = Array(queue.pending.prefix(Self.maximumBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            queue.withLock { queue in
                queue.transactions += 1
                queue.writes += batch.count
            }
            do {
                let results = try writer.write { db in
                    let results = batch.map { $0.perform(db) }
                    for case .failure(let error as UndoFailed) in results { throw error }
                    return results
                }
                for (job, result) in zip(batch, results) { job.resume(result) }
            } catch {
                for job in batch { job.resume(.failure(error)) }  // the commit failed: nothing of this batch is stored
            }
        }
    }
}
