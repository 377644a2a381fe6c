import FlowLearnCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The assistant the routes answer with, rebuilt from the content folder on SIGHUP (or `reload()`),
/// so authors' changes go live without a restart. A reload whose content does not lint keeps the
/// assistant that was serving and logs why.
public final class ContentLibrary: Service, Sendable {
    private let current: Mutex<Assistant>
    private let folder: String
    private let settings: MatcherSettings
    private let logger: Logger

    /// Loads the content once; throws when it does not lint, so a broken pack stops start-up.
    public init(folder: String, settings: MatcherSettings, logger: Logger) throws {
        self.folder = folder
        self.settings = settings
        self.logger = logger
        self.current = Mutex(try Self.load(folder: folder, settings: settings, logger: logger))
    }

    /// The assistant serving now.
    public var assistant: Assistant { current.withLock { $0 } }

    /// Rebuilds from the folder; returns false (and keeps serving the old content) on errors.
    @discardableResult
    public func reload() -> Bool {
        do {
            let fresh = try Self.load(folder: folder, settings: settings, logger: logger)
            current.withLock { $0 = fresh }
            return true
        } catch {
            logger.error("content reload failed; still serving the previous content", metadata: ["error": "\(error)"])
            return false
        }
    }

    static func load(folder: String, settings: MatcherSettings, logger: Logger) throws -> Assistant {
        let started = ContinuousClock.now
        let nuggets = try ContentLinter.load(ContentDirectory.read(folder))
        let matcher = try Matcher(nuggets: nuggets, settings: settings)
        let elapsed = ContinuousClock.now - started
        logger.info(
            "content loaded",
            metadata: [
                "nuggets": "\(nuggets.count)", "folder": "\(folder)", "engine": "\(matcher.engineName)",
                "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        return Assistant(matcher: matcher)
    }

    /// Reloads on each SIGHUP until shutdown.
    public func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        for await _ in hangups.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading content")
            reload()
        }
    }
}
