import FlowLearnCore
import Foundation

/// Reads and validates a configuration file: unknown keys (typos) and wrong types are errors naming
/// the key; missing keys take their defaults.
public enum ConfigurationLoader {
    public static func load(path: String) throws(ConfigurationError) -> FlowLearnConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, key: "", problem: "cannot be read (does the file exist?)")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws(ConfigurationError) -> FlowLearnConfiguration {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigurationError(file: file, key: "", problem: "is not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else {
            throw ConfigurationError(file: file, key: "", problem: "must hold a JSON object at the top level")
        }
        try checkKeys(root, against: knownKeys, path: "", file: file)
        let configuration: FlowLearnConfiguration
        do {
            // Missing keys take their defaults: lay the file's sections over the default configuration.
            guard let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FlowLearnConfiguration())) as? [String: Any] else {
                throw ConfigurationError(file: file, key: "", problem: "the built-in defaults do not encode as an object (a FlowLearn bug)")
            }
            var merged = defaults
            for (section, value) in root where section != "$comment" {
                var combined = defaults[section] as? [String: Any] ?? [:]
                for (key, setting) in value as? [String: Any] ?? [:] { combined[key] = setting }
                merged[section] = combined
            }
            let mergedData = try JSONSerialization.data(withJSONObject: merged)
            configuration = try JSONDecoder().decode(FlowLearnConfiguration.self, from: mergedData)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw ConfigurationError(file: file, key: "", problem: "\(error)")
        }
        try validate(configuration, file: file)
        return configuration
    }

    /// Every key the file may hold, by section (from `ConfigurationReference`), so a typo is caught, not ignored.
    static let knownKeys = ConfigurationReference.knownKeys

    static func checkKeys(_ object: [String: Any], against known: [String: Set<String>], path: String, file: String) throws(ConfigurationError) {
        let allowed = known[path] ?? []
        for key in object.keys.sorted() {
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                throw ConfigurationError(file: file, key: full, problem: "unknown key")
            }
            if path.isEmpty, key != "$comment" {
                guard let section = object[key] as? [String: Any] else {
                    throw ConfigurationError(file: file, key: full, problem: "must be an object")
                }
                try checkKeys(section, against: known, path: key, file: file)
            }
        }
    }

    static func describe(_ error: DecodingError, file: String) -> ConfigurationError {
        func key(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context):
            return ConfigurationError(file: file, key: key(context.codingPath), problem: "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return ConfigurationError(file: file, key: key(context.codingPath), problem: "expected \(typeName(type)), found null")
        case .keyNotFound(let missing, let context):
            return ConfigurationError(file: file, key: key(context.codingPath + [missing]), problem: "is required")
        case .dataCorrupted(let context):
            return ConfigurationError(file: file, key: key(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return ConfigurationError(file: file, key: "", problem: "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type, is [Any].Type: return "a list"
        default: return "a value of type \(type)"
        }
    }

    static func validate(_ c: FlowLearnConfiguration, file: String) throws(ConfigurationError) {
        func fail(_ key: String, _ problem: String) -> ConfigurationError { ConfigurationError(file: file, key: key, problem: problem) }
        guard (0...65535).contains(c.server.port) else { throw fail("server.port", "must be between 0 and 65535") }
        guard c.server.maxBodyBytes >= 1024 else { throw fail("server.maxBodyBytes", "must be at least 1024") }
        if let threshold = c.matcher.threshold, !(0...1).contains(threshold) {
            throw fail("matcher.threshold", "must be between 0 and 1, or null to calibrate it from the content")
        }
        guard (0...1).contains(c.matcher.ambiguityRatio) else { throw fail("matcher.ambiguityRatio", "must be between 0 and 1") }
        guard SnowballStemmer.availableLanguages.contains(c.matcher.language) else {
            throw fail("matcher.language", "unknown stemming language '\(c.matcher.language)'; one of \(SnowballStemmer.availableLanguages.joined(separator: ", "))")
        }
        guard !c.content.intents.isEmpty else { throw fail("content.intents", "must name a folder") }
        for day in c.nudges.workingDays where Weekday(name: day) == nil {
            throw fail("nudges.workingDays", "\(day) is not a weekday: use mon, tue, wed, thu, fri, sat or sun")
        }
        guard !c.nudges.workingDays.isEmpty else { throw fail("nudges.workingDays", "must name at least one day (nudges.enabled: false turns nudges off)") }
        guard (1...720).contains(c.console.sessionHours) else { throw fail("console.sessionHours", "must be between 1 and 720 hours") }
        guard (1...100).contains(c.console.loginAttempts) else { throw fail("console.loginAttempts", "must be between 1 and 100") }
        guard (0...36_500).contains(c.content.staleAfterDays) else { throw fail("content.staleAfterDays", "must be between 0 (off) and 36500 days") }
        guard !c.store.path.isEmpty else { throw fail("store.path", "must name a file or ':memory:'") }
        if !c.store.url.isEmpty, let problem = postgresURLProblem(c.store.url) { throw fail("store.url", problem) }
        guard !c.store.passwordEnv.isEmpty else { throw fail("store.passwordEnv", "must name an environment variable") }
        guard (1...1000).contains(c.store.maxConnections) else { throw fail("store.maxConnections", "must be between 1 and 1000") }
        guard (5...3600).contains(c.store.leaseSeconds) else { throw fail("store.leaseSeconds", "must be between 5 and 3600 seconds") }
        if let (key, problem) = c.store.retention.problem() { throw fail("store." + key, problem) }
        guard (1...86_400).contains(c.store.pruneIntervalSeconds) else {
            throw fail("store.pruneIntervalSeconds", "must be between 1 and 86400 seconds")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(c.log.level) else {
            throw fail("log.level", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["text", "json"].contains(c.log.format) else { throw fail("log.format", "must be text or json") }
        guard URL(string: c.slack.apiBaseURL)?.scheme.map({ $0 == "https" || $0 == "http" }) == true else {
            throw fail("slack.apiBaseURL", "must be an http(s) URL")
        }
        guard (1...20).contains(c.quiz.length) else { throw fail("quiz.length", "must be between 1 and 20 questions") }
        guard c.quiz.leaderboardSize >= 1 else { throw fail("quiz.leaderboardSize", "must be at least 1") }
        guard (0...1000).contains(c.quiz.leechLapses) else { throw fail("quiz.leechLapses", "must be between 0 (no leeches) and 1000") }
        if !c.quiz.leechAlertChannel.isEmpty {
            guard ["slack", "matrix", "teams", "discord", "mattermost"].contains(c.quiz.leechAlertPlatform) else {
                throw fail("quiz.leechAlertPlatform", "must be slack, matrix, teams, discord or mattermost when quiz.leechAlertChannel is set")
            }
            if c.quiz.leechAlertPlatform == "teams", c.teams.workflowWebhookEnvs[c.quiz.leechAlertChannel] == nil {
                throw fail("quiz.leechAlertChannel", "'\(c.quiz.leechAlertChannel)' is not a name in teams.workflowWebhookEnvs")
            }
        }
        if let problem = c.quiz.scheduler.problems().first { throw fail("quiz", problem) }
        guard TimeZone(identifier: c.nudges.defaultTimeZone) != nil else {
            throw fail("nudges.defaultTimeZone", "'\(c.nudges.defaultTimeZone)' is not an IANA time zone (e.g. Europe/Amsterdam)")
        }
        guard !c.nudges.rules.isQuiet(c.nudges.defaultTime) else { throw fail("nudges.defaultTime", "is inside quiet hours") }
        guard (1...256).contains(c.nudges.concurrency) else { throw fail("nudges.concurrency", "must be between 1 and 256") }
        guard c.nudges.maxAttempts >= 1 else { throw fail("nudges.maxAttempts", "must be at least 1") }
        guard c.nudges.perChannelPerSecond >= 0 else { throw fail("nudges.perChannelPerSecond", "must be 0 (off) or positive") }
        guard c.nudges.planIntervalSeconds >= 1 else { throw fail("nudges.planIntervalSeconds", "must be at least 1") }
        for (index, holiday) in c.nudges.holidays.enumerated() where !NudgeRules.isHolidayEntry(holiday) {
            throw fail("nudges.holidays[\(index)]", "'\(holiday)' is not a date YYYY-MM-DD or a yearly MM-DD, optionally after a time zone and a space")
        }
        for (index, channel) in c.nudges.channels.enumerated() {
            let key = "nudges.channels[\(index)]"
            guard TimeZone(identifier: channel.timeZone) != nil else { throw fail(key + ".timeZone", "'\(channel.timeZone)' is not an IANA time zone") }
            guard !c.nudges.rules.isQuiet(channel.time) else { throw fail(key + ".time", "is inside quiet hours") }
            guard channel.weekdays.allSatisfy({ Weekday(name: $0) != nil }) else { throw fail(key + ".weekdays", "use mon, tue, wed, thu, fri, sat, sun") }
            guard ["slack", "matrix", "teams", "discord", "mattermost"].contains(channel.platform) else {
                throw fail(key + ".platform", "must be slack, matrix, teams, discord or mattermost")
            }
            if channel.platform == "teams", c.teams.workflowWebhookEnvs[channel.channel] == nil {
                throw fail(key + ".channel", "'\(channel.channel)' is not a name in teams.workflowWebhookEnvs")
            }
        }
        for (key, url) in [("matrix.homeserverURL", c.matrix.homeserverURL), ("matrix.appServiceURL", c.matrix.appServiceURL)]
        where URL(string: url)?.scheme.map({ $0 == "https" || $0 == "http" }) != true {
            throw fail(key, "must be an http(s) URL")
        }
        guard QuizParser.isIdentifierLike(c.matrix.botLocalpart) else { throw fail("matrix.botLocalpart", "use lowercase letters, digits, '-', '_' or '.'") }
        guard (0...2.9).contains(c.discord.deferAfterSeconds) else {
            throw fail("discord.deferAfterSeconds", "must be between 0 (always defer) and 2.9 (Discord waits 3 s)")
        }
        let paths = [
            ("slack.eventsPath", c.slack.eventsPath), ("slack.commandsPath", c.slack.commandsPath),
            ("slack.interactionsPath", c.slack.interactionsPath), ("teams.path", c.teams.path), ("discord.path", c.discord.path),
            ("mattermost.commandsPath", c.mattermost.commandsPath), ("mattermost.outgoingPath", c.mattermost.outgoingPath),
            ("mattermost.actionsPath", c.mattermost.actionsPath),
        ]
        for (key, path) in paths where !path.hasPrefix("/") {
            throw fail(key, "must start with '/'")
        }
        if c.xapi.enabled {
            guard URL(string: c.xapi.endpoint)?.scheme.map({ $0 == "https" || $0 == "http" }) == true else {
                throw fail("xapi.endpoint", "must be an http(s) URL (the LRS's xAPI endpoint), or \"\" for no statements")
            }
            guard URL(string: c.xapi.endpoint)?.user == nil else {
                throw fail("xapi.endpoint", "must not hold credentials: put them in the environment variables xapi.keyEnv and xapi.secretEnv name")
            }
            guard let base = URL(string: c.xapi.activityBase), base.scheme == "https" || base.scheme == "http", base.host?.isEmpty == false else {
                throw fail("xapi.activityBase", "must be an http(s) IRI your organisation controls (e.g. https://learning.example.com/flowlearn) when xapi.endpoint is set")
            }
            guard !c.xapi.language.isEmpty, c.xapi.language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw fail("xapi.language", "must be a language tag such as en or en-GB")
            }
        }
        guard (1...1000).contains(c.xapi.batchSize) else { throw fail("xapi.batchSize", "must be between 1 and 1000") }
        guard c.xapi.intervalSeconds > 0, c.xapi.retryBackoffSeconds > 0, c.xapi.maxBackoffSeconds >= c.xapi.retryBackoffSeconds else {
            throw fail("xapi.intervalSeconds", "intervals must be positive, and maxBackoffSeconds at least retryBackoffSeconds")
        }
        guard c.slack.signatureToleranceSeconds > 0 else { throw fail("slack.signatureToleranceSeconds", "must be positive") }
        guard (0...2.9).contains(c.slack.inlineAnswerSeconds) else {
            throw fail("slack.inlineAnswerSeconds", "must be between 0 and 2.9 (Slack waits 3 s for the acknowledgement)")
        }
        guard c.poster.maxAttempts >= 1 else { throw fail("poster.maxAttempts", "must be at least 1") }
        guard (1...64).contains(c.poster.workers) else { throw fail("poster.workers", "must be between 1 and 64") }
        guard c.poster.timeoutSeconds > 0, c.poster.connectTimeoutSeconds > 0 else {
            throw fail("poster.timeoutSeconds", "timeouts must be positive")
        }
    }

    /// What is wrong with a PostgreSQL URL, or nil. The password is never read from it (nor repeated).
    static func postgresURLProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { return "must be a postgres:// URL (postgres://USER@HOST:PORT/DATABASE), or empty for SQLite" }
        if components.password != nil {
            return "must not hold a password: put it in the environment variable store.passwordEnv names"
        }
        guard let host = components.host, !host.isEmpty else { return "names no host (postgres://USER@HOST:PORT/DATABASE)" }
        guard let user = components.user, !user.isEmpty else { return "names no user (postgres://USER@HOST:PORT/DATABASE)" }
        guard components.path.count > 1 else { return "names no database (postgres://USER@HOST:PORT/DATABASE)" }
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { return "has an unknown parameter '\(item.name)' (only sslmode is read)" }
            guard ["disable", "prefer", "require"].contains(item.value ?? "") else { return "sslmode must be disable, prefer or require" }
        }
        return nil
    }
}
