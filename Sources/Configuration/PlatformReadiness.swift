import Foundation

/// Which platforms a configuration turns on, and which of the secrets they need are missing from the
/// environment, said without the secrets: for `flowlearn config check` and `/readyz`.
public struct PlatformReadiness: Sendable, Hashable {
    public var platform: String
    public var enabled: Bool
    /// Environment variables the platform needs to answer at all (without them its routes answer 503
    /// or 401), by name.
    public var missing: [String]
    /// Variables for optional parts (nudges, threaded answers), by name, with what is lost without them.
    public var optionalMissing: [(variable: String, effect: String)]

    public var ready: Bool { enabled && missing.isEmpty }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.platform == rhs.platform && lhs.enabled == rhs.enabled && lhs.missing == rhs.missing
            && lhs.optionalMissing.map(\.variable) == rhs.optionalMissing.map(\.variable)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(platform)
        hasher.combine(missing)
    }

    /// The xAPI block: on when it names an endpoint; without its key and secret, statements wait in
    /// the outbox (nothing is lost, the server still answers chat, so this does not fail `/readyz`).
    public static func xapi(_ c: FlowLearnConfiguration, environment: [String: String]) -> PlatformReadiness {
        let missing = [c.xapi.keyEnv, c.xapi.secretEnv].filter { (environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        return PlatformReadiness(platform: "xapi", enabled: c.xapi.enabled, missing: missing, optionalMissing: [])
    }

    public static func report(_ c: FlowLearnConfiguration, environment: [String: String]) -> [PlatformReadiness] {
        func absent(_ name: String) -> Bool { (environment[name] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        func needs(_ names: [String]) -> [String] { names.filter(absent) }
        func optional(_ pairs: [(String, String)]) -> [(variable: String, effect: String)] {
            pairs.filter { absent($0.0) }.map { (variable: $0.0, effect: $0.1) }
        }
        return [
            PlatformReadiness(
                platform: "slack", enabled: c.slack.enabled, missing: needs([c.slack.signingSecretEnv]),
                optionalMissing: optional([(c.slack.botTokenEnv, "no answers to mentions and messages, no nudges (slash commands still work)")])),
            PlatformReadiness(
                platform: "matrix", enabled: c.matrix.enabled, missing: needs([c.matrix.asTokenEnv, c.matrix.hsTokenEnv]), optionalMissing: []),
            PlatformReadiness(platform: "teams", enabled: c.teams.enabled, missing: needs([c.teams.securityTokenEnv]), optionalMissing: []),
            PlatformReadiness(
                platform: "discord", enabled: c.discord.enabled, missing: needs([c.discord.publicKeyEnv]),
                optionalMissing: optional([(c.discord.botTokenEnv, "no nudges and no follow-ups to deferred answers")])),
            PlatformReadiness(
                platform: "mattermost", enabled: c.mattermost.enabled, missing: needs([c.mattermost.commandTokensEnv]),
                optionalMissing: optional([
                    (c.mattermost.outgoingTokenEnv, "the outgoing webhook answers 401"),
                    (c.mattermost.incomingWebhookEnv, "no nudges"),
                ])),
        ]
    }
}
