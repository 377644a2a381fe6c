import Foundation
import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file (a checkpoint) from a connection and a
/// thread of its own, so the writer does not: a busy question log dirties hundreds of index pages a
/// second, and copying them on the writer's thread held every request waiting for a commit behind it.
///
/// Passes are `PASSIVE` (they never block the writer or readers) and run every few milliseconds while
/// the log grows, less often when it is quiet. The log starts again from its beginning at the next
/// write once every frame in it has been copied (and no reader still reads an older snapshot); under
/// steady load the writer appends while a pass copies, so these passes alone never finish the copy
/// and the log would grow without bound. The writer's own automatic checkpoint therefore stays on, at
/// `SQLiteStore.checkpointPages`: it runs between two of its commits, by then this thread has copied
/// nearly everything, it copies the last few pages, and the next write starts the log again.
final class WALCheckpointer: Sendable {
    /// Pause after a pass that found new frames, and the longest pause when the log is quiet.
    static let busyPause: Duration = .milliseconds(5)
    static let quietPause: Duration = .seconds(1)

    private struct State {
        /// Frames in the log at the last pass (a restarted or grown log differs).
        var lastFrames = -1
        var pause = WALCheckpointer.busyPause
        var passes = 0
        var failures = 0
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "flowlearn-checkpoint", qos: .utility)

    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        schedule(after: Self.busyPause)
    }

    /// Passes run so far, and the ones that failed (for tests and `/metrics`-style checks).
    var counts: (passes: Int, failures: Int) { state.withLock { ($0.passes, $0.failures) } }

    private func schedule(after pause: Duration) {
        let (seconds, attoseconds) = pause.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        // Weak: a store that is gone stops its checkpoints (and closes their connection).
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in self?.pass() }
    }

    private func pass() {
        let outcome: (busy: Bool, frames: Int)?
        do {
            // (busy, frames in the log, frames copied); busy: another checkpoint (the writer's own)
            // holds the checkpoint lock, and this pass copied nothing.
            outcome = try connection.writeWithoutTransaction { db in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)").flatMap { row -> (Bool, Int)? in
                    guard let busy = row[0] as Int?, let frames = row[1] as Int? else { return nil }
                    return (busy != 0, frames)
                }
            }
        } catch {
            outcome = nil
        }
        let pause = state.withLock { state -> Duration in
            state.passes += 1
            guard let (busy, frames) = outcome else {
                state.failures += 1
                state.pause = Self.quietPause
                return state.pause
            }
            if busy { return Self.busyPause }  // soon again, once the other checkpoint is done
            // New frames since the last pass: soon again. Quiet: twice as long each time, up to a second.
            if frames != state.lastFrames {
                state.pause = Self.busyPause
            } else {
                state.pause = min(state.pause * 2, Self.quietPause)
            }
            state.lastFrames = frames
            return state.pause
        }
        schedule(after: pause)
    }
}
