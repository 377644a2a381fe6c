import Foundation

/// Every key of the configuration file, in file order, with what it means: the one list the loader
/// checks keys against, `flowlearn config reference` prints as Markdown (docs/configuration.md) and
/// `config.example.json` is written from (a test keeps both files equal to what this says).
public enum ConfigurationReference {
    public struct Key: Sendable {
        public var name: String
        public var meaning: String
    }

    public struct Section: Sendable {
        public var name: String
        public var summary: String
        public var keys: [Key]
    }

    static func key(_ name: String, _ meaning: String) -> Key { Key(name: name, meaning: meaning) }

    public static let comment =
        "FlowLearn configuration. Secrets are never written here: the *Env keys name the environment variables that hold them. Every key: docs/configuration.md."

    public static let sections: [Section] = [
        Section(name: "server", summary: "The HTTP listener.", keys: [
            key("host", "address to listen on"),
            key("port", "port (`flowlearn serve --port` overrides; 0 lets the system pick one and the log says which)"),
            key("maxBodyBytes", "larger request bodies get 413"),
            key("metricsTokenEnv", "environment variable holding a token for `GET /metrics`: when set, scrapes must send `Authorization: Bearer <token>` (else 401); unset, `/metrics` is open"),
        ]),
        Section(name: "content", summary: "The nuggets and the sentence encoder.", keys: [
            key("intents", "folder of nugget and quiz files; must lint clean or the server does not start (a reload that does not lint keeps the old content)"),
            key("encoder", "folder of the sentence encoder's model files; `\"\"` turns semantic matching off. Missing files do not stop the server: it matches with the lexical engines, logs `semantic matching off` with the reason, and `/healthz` says `\"semantic\": \"off: …\"`. Content embeddings are cached in `embeddings.cache` in the same folder"),
            key("staleAfterDays", "a nugget whose `reviewed` date is older is stale: `flowlearn lint` warns, `flowlearn content stale` lists it (0 = off)"),
        ]),
        Section(name: "matcher", summary: "How questions are matched to nuggets (docs/matching.md).", keys: [
            key("language", "Snowball stemming language (any libstemmer algorithm: `german`, `french`, `spanish`, …); English also drops English stopwords"),
            key("model", "`semantic` (the learned model with sentence embeddings; needs the encoder), `learned` (linear model trained on the content), `keyword` (BM25F ranker) or `auto`: with the encoder, semantic unless the keyword ranker is right significantly more often on held-out example questions; without it, learned with at least 8 example questions per nugget, the better of learned and keyword on held-out questions with 3–7, keyword with fewer or when examples × nuggets exceeds 4,000,000"),
            key("threshold", "confidence (0–1) below which the answer is \"no nugget yet\"; `null` calibrates it from the content (learned, semantic) or uses 0.35 (keyword)"),
            key("ambiguityRatio", "when the runner-up scores at least this share of the best, the reply offers both"),
            key("typoTolerance", "words one edit (insertion, deletion, substitution, swap) from a known word of 4+ letters count as it"),
            key("typoPenalty", "weight of a corrected word relative to an exact one"),
            key("unknownWordWeight", "how much a word no nugget uses counts against confidence, relative to the rarest known word"),
            key("offerRatio", "semantic engine: a \"did you mean\" lists the runners-up whose probability is at least this share of the best one's (up to three nuggets)"),
        ]),
        Section(name: "quiz", summary: "Quizzes, spaced review (FSRS-6) and leeches (docs/quizzes-and-nudges.md).", keys: [
            key("length", "questions per quiz (1–20)"),
            key("leaderboardSize", "players shown by `/quiz leaderboard`"),
            key("recentQuestions", "how many of a person's recent questions pick \"topics you asked about\" for `/quiz` without a topic"),
            key("desiredRetention", "FSRS: the recall probability at which a question comes back"),
            key("learningStepsMinutes", "FSRS learning steps for new questions; none by default, so a missed question is due the next day (the reference's default is `[1, 10]`)"),
            key("relearningStepsMinutes", "FSRS relearning steps after a lapse (reference default `[10]`)"),
            key("maximumIntervalDays", "longest review interval"),
            key("reviewAskedNuggets", "when someone is given a nugget that has quiz questions, one of them (the same one for the same person) becomes a card due now, once per nugget, so it comes back in their next `/quiz` or nudge"),
            key("leechLapses", "a question forgotten this many times after it was learned (rated *Again* in review) is a leech for that person: no longer scheduled in quizzes or review nudges, listed by `flowlearn leeches` (0 = off)"),
            key("leechAlertPlatform", "where nugget owners hear about new leeches: `slack`, `matrix`, `discord`, `mattermost` or `teams`"),
            key("leechAlertChannel", "the channel there (Slack or Discord channel id, Matrix room id, Mattermost channel through the incoming webhook, for Teams a name in `teams.workflowWebhookEnvs`), at most one message per leech question per week; empty = no alerts"),
        ]),
        Section(name: "nudges", summary: "Daily nudges to people and channels (docs/quizzes-and-nudges.md).", keys: [
            key("enabled", "run the nudge planner and delivery worker inside `serve`"),
            key("defaultTime", "time for `/learn nudges on` without one"),
            key("defaultTimeZone", "IANA zone used until the platform tells a person's own"),
            key("quietStart", "start of quiet hours (local time): no nudge until `quietEnd`; subscribing inside them is refused"),
            key("quietEnd", "end of quiet hours"),
            key("lateToleranceMinutes", "a nudge missed by more than this (server down) is skipped, not sent late"),
            key("holidays", "days without nudges, by each recipient's local date: `\"2026-12-24\"` once, `\"12-25\"` every year, `\"Europe/Amsterdam 04-27\"` only for people and channels in that time zone; an entry that is none of these stops start-up"),
            key("workingDays", "the weekdays personal nudges go out on, in each person's local time: `mon` … `sun` (for example `[\"sun\", \"mon\", \"tue\", \"wed\", \"thu\"]`); channel nudges have their own `weekdays`"),
            key("planIntervalSeconds", "how often `serve` plans and delivers"),
            key("concurrency", "nudges sent at the same time (also the most that can be sent twice after a crash)"),
            key("perChannelPerSecond", "messages per second into one channel (Slack's guideline); `0` = off"),
            key("maxAttempts", "delivery attempts (each with the poster's own retries) before a nudge is dead-lettered"),
            key("retryBackoffSeconds", "wait before the next attempt, doubling"),
            key("channels", "\"nugget of the day\" posts: `[{\"platform\": \"slack\", \"channel\": \"C123\", \"time\": \"10:00\", \"timeZone\": \"Europe/Amsterdam\", \"weekdays\": [\"mon\",\"wed\",\"fri\"], \"topics\": [\"security\"]}]`"),
        ]),
        Section(name: "store", summary: "The store (SQLite, or PostgreSQL for several replicas) and how long it keeps what grows with traffic (0 days = for ever; docs/operations.md).", keys: [
            key("path", "SQLite file (folders are created); `:memory:` keeps nothing; not read when `url` is set"),
            key("url", "PostgreSQL instead of SQLite: `postgres://USER@HOST:PORT/DATABASE?sslmode=disable|prefer|require`, without a password; empty = SQLite"),
            key("passwordEnv", "environment variable holding the PostgreSQL password"),
            key("maxConnections", "connections one replica keeps to PostgreSQL at most"),
            key("leaseSeconds", "how long a replica's claim on a nudge, kept reply or xAPI record holds (renewed while it works): a replica that dies loses its claims after this"),
            key("questionLogDays", "days the question log keeps questions"),
            key("processedEventDays", "days an event claim is kept to recognise a platform's retry"),
            key("poisonedEventDays", "days a poisoned event stays listed"),
            key("nudgeOutboxDays", "days sent and dead-lettered nudges, and feedback on nudges, are kept"),
            key("quizHistoryDays", "days quiz sessions and their answers are kept"),
            key("reviewLogDays", "days the review log behind each card is kept"),
            key("pruneIntervalSeconds", "how often `serve` deletes what is past its retention (and once at start)"),
        ]),
        Section(name: "slack", summary: "Slack (docs/platforms/slack.md).", keys: [
            key("enabled", "mount the Slack routes"),
            key("signingSecretEnv", "environment variable holding the signing secret; unset, the Slack routes answer 503"),
            key("botTokenEnv", "environment variable holding the bot token (`xoxb-…`)"),
            key("botUserID", "the bot's user id, to ignore its own messages (Slack's `authorizations` also tell)"),
            key("apiBaseURL", "Web API base (GovSlack, tests)"),
            key("responseURLHosts", "hosts a `response_url` may point at"),
            key("command", "the slash command's name, for help text"),
            key("quizCommand", "the quiz slash command; it may share the commands route"),
            key("eventsPath", "Events API route"),
            key("commandsPath", "slash command route"),
            key("interactionsPath", "interactivity route (quiz buttons)"),
            key("signatureToleranceSeconds", "how old a signed request may be"),
            key("inlineAnswerSeconds", "a `/learn` answer ready within this many seconds goes in the acknowledgement; a later one is acknowledged empty and posted to `response_url` (Slack allows 3 s)"),
        ]),
        Section(name: "matrix", summary: "Matrix, as an application service (docs/platforms/matrix.md).", keys: [
            key("enabled", "mount the application-service routes (`/_matrix/app/v1/…`)"),
            key("homeserverURL", "where FlowLearn reaches the homeserver's client-server API"),
            key("serverName", "the homeserver's name: the part after the colon in user ids"),
            key("botLocalpart", "the bot is `@botLocalpart:serverName`"),
            key("registrationID", "id of the registration (`flowlearn matrix registration`)"),
            key("appServiceURL", "the URL the homeserver pushes transactions to (written into the registration)"),
            key("asTokenEnv", "environment variable holding the registration's `as_token`"),
            key("hsTokenEnv", "environment variable holding the registration's `hs_token`"),
        ]),
        Section(name: "teams", summary: "Microsoft Teams, as an outgoing webhook (docs/platforms/teams.md).", keys: [
            key("enabled", "mount the Teams route"),
            key("path", "the outgoing webhook's route"),
            key("securityTokenEnv", "environment variable holding the webhook's security token (base64, as Teams shows it)"),
            key("workflowWebhookEnvs", "channel nudges through Workflows: a name (used as `channel` in `nudges.channels`) to the environment variable holding that webhook's URL"),
        ]),
        Section(name: "discord", summary: "Discord interactions (docs/platforms/discord.md).", keys: [
            key("enabled", "mount the Discord route"),
            key("path", "the interactions endpoint's route"),
            key("publicKeyEnv", "environment variable holding the application's public key (hex)"),
            key("botTokenEnv", "environment variable holding the bot token (nudges, follow-ups)"),
            key("apiBaseURL", "Discord API base"),
            key("command", "the ask command's name"),
            key("quizCommand", "the quiz command's name"),
            key("deferAfterSeconds", "answer in a follow-up when matching takes longer than this (0 = always defer; Discord waits 3 s)"),
            key("signatureToleranceSeconds", "how old a signed request may be"),
        ]),
        Section(name: "mattermost", summary: "Mattermost (docs/platforms/mattermost.md).", keys: [
            key("enabled", "mount the Mattermost routes"),
            key("publicURL", "FlowLearn's address as Mattermost reaches it (for the buttons' action URLs)"),
            key("commandsPath", "slash command route"),
            key("outgoingPath", "outgoing webhook route"),
            key("actionsPath", "button action route"),
            key("command", "the ask slash command"),
            key("quizCommand", "the quiz slash command"),
            key("commandTokensEnv", "environment variable holding the slash commands' tokens, comma-separated"),
            key("outgoingTokenEnv", "environment variable holding the outgoing webhook's token"),
            key("actionSecretEnv", "environment variable holding the secret that signs button contexts (derived from the command tokens when unset)"),
            key("incomingWebhookEnv", "environment variable holding the incoming webhook URL (nudges)"),
        ]),
        Section(name: "console", summary: "The learning team's web console under `/console` (docs/console.md).", keys: [
            key("usersFile", "file of console users and bcrypt password hashes, written by `flowlearn console add-user`; `\"\"` turns the console off"),
            key("sessionKeyEnv", "environment variable holding the key that signs session cookies: random text of at least 32 bytes (`head -c 32 /dev/urandom | base64`); unset or shorter, a random key is made at start and sign-ins end at a restart"),
            key("sessionHours", "how long a sign-in lasts (1–720)"),
            key("secureCookie", "mark session cookies `Secure` (HTTPS only; browsers also send them to http://localhost); `false` only to reach the console over plain HTTP from another host"),
            key("showPeopleNames", "the People page lists people's platform ids; `false` shows counts only"),
            key("loginAttempts", "failed sign-ins allowed per name and per client address in 15 minutes, then 429 until the window passes (1–100)"),
            key("trustedProxies", "IP addresses of reverse proxies in front of FlowLearn (e.g. `[\"127.0.0.1\"]` for nginx on the same host): their `X-Forwarded-For` names the client for the sign-in limit and their `X-Forwarded-Host` the host forms must come from; without it, behind a proxy every browser shares the proxy's address"),
        ]),
        Section(name: "xapi", summary: "xAPI statements to a learning record store (docs/xapi.md); off while `endpoint` is empty.", keys: [
            key("endpoint", "the LRS's xAPI endpoint, e.g. `https://lrs.example.com/xAPI` (statements are PUT to `<endpoint>/statements?statementId=…`); `\"\"` sends nothing and keeps no statements"),
            key("keyEnv", "environment variable holding the LRS's basic-auth key (user name)"),
            key("secretEnv", "environment variable holding the LRS's basic-auth secret (password)"),
            key("activityBase", "an IRI your organisation controls, e.g. `https://learning.example.com/flowlearn`: activity ids (`<activityBase>/nuggets/<id>`, `/quiz/questions/<id>`, `/assistant`), extensions and the namespace of statement ids are made from it; required with `endpoint`, and changing it later changes every id"),
            key("language", "language tag (RFC 5646) of names and descriptions in statements"),
            key("batchSize", "statements sent one after another before the outbox is read again"),
            key("intervalSeconds", "how often an empty outbox is looked at again"),
            key("retryBackoffSeconds", "wait after a failed delivery (LRS down, 5xx, 401) before the next try, doubling"),
            key("maxBackoffSeconds", "longest wait between tries"),
        ]),
        Section(name: "poster", summary: "The libcurl poster that sends every reply and nudge.", keys: [
            key("timeoutSeconds", "whole-transfer timeout per attempt"),
            key("connectTimeoutSeconds", "connect timeout"),
            key("maxAttempts", "attempts per reply, the first included"),
            key("backoffSeconds", "first backoff; doubles per attempt with ±25 % jitter"),
            key("maxBackoffSeconds", "backoff cap"),
            key("maxRetryAfterSeconds", "a longer `Retry-After` ends the retries"),
            key("workers", "parallel transfers, each a thread with its own kept-alive connections: a chat API that takes a second to answer still gets this many replies a second"),
        ]),
        Section(name: "log", summary: "Logs, on stderr (docs/operations.md).", keys: [
            key("level", "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`"),
            key("format", "`text`: one line per event with key=value metadata; `json`: one JSON object per line with `time` (UTC, ms), `level`, `label`, `message`, `source` and `metadata` (with `request_id`)"),
        ]),
    ]

    /// The keys the loader accepts, by section (`""` for the top level).
    public static var knownKeys: [String: Set<String>] {
        var keys: [String: Set<String>] = ["": Set(sections.map(\.name) + ["$comment"])]
        for section in sections { keys[section.name] = Set(section.keys.map(\.name)) }
        return keys
    }

    /// The defaults, as the file would hold them (a key whose default is "none" is `null`).
    public static func defaults() -> [String: [String: Any]] {
        let data = (try? JSONEncoder().encode(FlowLearnConfiguration())) ?? Data("{}".utf8)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        var defaults: [String: [String: Any]] = [:]
        for section in sections {
            let values = object[section.name] as? [String: Any] ?? [:]
            defaults[section.name] = Dictionary(uniqueKeysWithValues: section.keys.map { ($0.name, values[$0.name] ?? NSNull()) })
        }
        return defaults
    }

    /// `config.example.json`: every key with its default, in reference order.
    public static func exampleJSON() -> String {
        let defaults = defaults()
        var lines = ["{", "  \"$comment\": \(literal(comment)),"]
        for (index, section) in sections.enumerated() {
            lines.append("  \(literal(section.name)): {")
            for (keyIndex, key) in section.keys.enumerated() {
                let comma = keyIndex == section.keys.count - 1 ? "" : ","
                lines.append("    \(literal(key.name)): \(literal(defaults[section.name]?[key.name] ?? NSNull()))\(comma)")
            }
            lines.append(index == sections.count - 1 ? "  }" : "  },")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// docs/configuration.md.
    public static func markdown() -> String {
        let defaults = defaults()
        var text = """
            # Configuration reference

            Generated by `flowlearn config reference` from the configuration's own definitions
            (`Sources/Configuration/ConfigurationReference.swift`); a test fails when this file or
            `config.example.json` differs from them.

            One JSON file holds the configuration (`config.example.json` lists every key with its default).
            Relative paths are taken from the file's folder. Missing keys take their defaults; an unknown key,
            a wrong type or a bad value stops start-up with one line naming the file and the key, e.g.
            `config.json: key 'server.port': expected a whole number`. Secrets are never in the file and never
            logged: the `…Env` keys name the environment variables that hold them. `flowlearn config check
            --config FILE` says what a file turns on and what is missing.

            """
        for section in sections {
            text += "\n## `\(section.name)`\n\n\(section.summary)\n\n| key | default | meaning |\n| --- | --- | --- |\n"
            for key in section.keys {
                let value = literal(defaults[section.name]?[key.name] ?? NSNull()).replacingOccurrences(of: "|", with: "\\|")
                text += "| `\(section.name).\(key.name)` | `\(value)` | \(key.meaning.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
        }
        return text
    }

    /// A JSON value on one line: objects and arrays compact, numbers as JSON writes them.
    static func literal(_ value: Any) -> String {
        if value is NSNull { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]),
            let text = String(data: data, encoding: .utf8)
        else { return "null" }
        let inner = text.dropFirst().dropLast()  // the value without the wrapping array
        return String(inner).replacingOccurrences(of: ",", with: ", ").replacingOccurrences(of: "\":", with: "\": ")
    }
}
