import FlowLearnConfig
import FlowLearnCore
import FlowLearnWebConsole
import Foundation
import Logging

/// The web console as the configuration asks for it: its users file, session key and settings.
extension FlowLearnApplication {
    /// The learning team's web console, as configured (`console.*`).
    static func webConsole(_ setup: ApplicationSetup, store: any LearningStore, content: ContentLibrary) throws -> WebConsole {
        let console = setup.configuration.console
        let logger = Logger(label: "flowlearn.console")
        let usersFile = setup.resolve(console.usersFile)
        do {
            let users = try ConsoleUsers.load(path: usersFile)
            logger.info("console on at /console", metadata: ["users": "\(users.names.count)", "file": "\(usersFile)"])
        } catch {
            logger.warning("console on, but no one can sign in yet", metadata: ["problem": "\(error)"])
        }
        let signer: SessionSigner
        let secret = setup.environment[console.sessionKeyEnv] ?? ""
        if let configured = SessionSigner(secret: secret) {
            signer = configured
        } else {
            signer = SessionSigner()
            if secret.isEmpty {
                logger.notice(
                    "console sessions are signed with a key made at start: sign-ins end when the server restarts",
                    metadata: ["variable": "\(console.sessionKeyEnv)"])
            } else {
                logger.error(
                    "the console session key is too short, so a key made at start is used instead (sign-ins end at a restart)",
                    metadata: ["variable": "\(console.sessionKeyEnv)", "minimum_bytes": "\(SessionSigner.minimumSecretBytes)"])
            }
        }
        return try WebConsole(
            settings: WebConsole.Settings(
                usersFile: usersFile, sessionLifetime: Double(console.sessionHours) * 3600, secureCookie: console.secureCookie,
                showPeopleNames: console.showPeopleNames, language: setup.configuration.matcher.language,
                staleAfterDays: setup.configuration.content.staleAfterDays, leechLapses: setup.configuration.quiz.leechLapses,
                trustedProxies: Set(console.trustedProxies)),
            store: store, content: content, signer: signer, throttle: LoginThrottle(limit: console.loginAttempts), now: setup.now, logger: logger)
    }
}
