import FlowLearnCore
import Foundation
import Synchronization

/// A fixed set of threads, each owning one libcurl handle, that run blocking transfers off Swift's
/// cooperative pool. Callers await a transfer; the queue hands it to the next free worker.
final class CurlWorkerPool: Sendable {
    typealias Job = (request: OutboundRequest, settings: PosterSettings, done: @Sendable (CurlTransfer.Response) -> Void)

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var closed = false
        var connectionsOpened = 0
    }

    private let state = Mutex(State())
    private let wakeUp = NSCondition()

    init(workers: Int) {
        for number in 0..<max(1, workers) {
            let thread = Thread { [self] in self.run() }
            thread.name = "flowlearn-poster-\(number)"
            thread.start()
        }
    }

    /// Connections libcurl had to open so far (the rest were reused).
    var connectionsOpened: Int { state.withLock { $0.connectionsOpened } }

    func transfer(_ request: OutboundRequest, settings: PosterSettings) async -> CurlTransfer.Response {
        await withCheckedContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.jobs.append((request, settings, { continuation.resume(returning: $0) }))
                return true
            }
            guard accepted else {
                continuation.resume(returning: .init(status: nil, body: [], retryAfter: nil, newConnections: 0, error: "poster is shut down"))
                return
            }
            wakeUp.lock()
            wakeUp.signal()
            wakeUp.unlock()
        }
    }

    /// Lets the workers finish what is queued, then stop.
    func shutdown() {
        state.withLock { $0.closed = true }
        wakeUp.lock()
        wakeUp.broadcast()
        wakeUp.unlock()
    }

    private func next() -> Job? {
        while true {
            let (job, closed) = state.withLock { state -> (Job?, Bool) in
                guard state.head < state.jobs.count else { return (nil, state.closed) }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return (job, false)
            }
            if let job { return job }
            if closed { return nil }
            wakeUp.lock()
            let empty = state.withLock { $0.head >= $0.jobs.count && !$0.closed }
            if empty { _ = wakeUp.wait(until: Date(timeIntervalSinceNow: 1)) }
            wakeUp.unlock()
        }
    }

    private func run() {
        let transfer = CurlTransfer()
        while let job = next() {
            let response = transfer.perform(job.request, settings: job.settings)
            state.withLock { $0.connectionsOpened += response.newConnections }
            job.done(response)
        }
    }
}
