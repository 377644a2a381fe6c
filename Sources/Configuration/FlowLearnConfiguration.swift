import FlowLearnCore
import FlowLearnPoster

/// Everything `flowlearn serve` reads from its JSON file, with working defaults for a local run.
/// Secrets are never in the file: it names the environment variables that hold them.
public struct FlowLearnConfiguration: Sendable, Codable, Equatable {
    public var server = ServerSection()
    public var content = ContentSection()
    public var matcher = MatcherSettings()
    public var quiz = QuizSettings()
    public var nudges = NudgesSection()
    public var store = StoreSection()
    public var slack = SlackSection()
    public var matrix = MatrixSection()
    public var teams = TeamsSection()
    public var discord = DiscordSection()
    public var mattermost = MattermostSection()
    public var console = ConsoleSection()
    public var xapi = XAPISection()
    public var poster = PosterSettings()
    public var log = LogSection()

    public init() {}

    public struct ServerSection: Sendable, Codable, Equatable {
        /// Address to listen on; `0.0.0.0` to accept connections from other machines.
        public var host = "127.0.0.1"
        public var port = 8080
        /// Larger request bodies get 413 before anything reads them.
        public var maxBodyBytes = 1 << 20
        /// Environment variable with a token for `GET /metrics`: when it is set, a scrape must send
        /// `Authorization: Bearer <token>`; unset, `/metrics` is open (as on the default 127.0.0.1).
        public var metricsTokenEnv = "FLOWLEARN_METRICS_TOKEN"
    }

    public struct ContentSection: Sendable, Codable, Equatable {
        /// Folder of nugget files, relative to the configuration file.
        public var intents = "Intents"
        /// Folder of the sentence encoder's model files (all-MiniLM-L6-v2, fetched by
        /// scripts/install-deps.sh), relative to the configuration file; empty turns semantic matching
        /// off. When the files are missing the server starts without it and says why in the log and
        /// on /healthz.
        public var encoder = ".build-model/all-MiniLM-L6-v2"
        /// Days after a nugget's `reviewed` date at which lint warns and the stale list shows it (0: off).
        public var staleAfterDays = 180
    }

    public struct StoreSection: Sendable, Codable, Equatable {
        /// SQLite file, relative to the configuration file; `:memory:` keeps nothing on disk.
        public var path = "var/flowlearn.sqlite"
        /// PostgreSQL instead of SQLite, for several replicas on one database:
        /// `postgres://USER@HOST:PORT/DATABASE?sslmode=disable|prefer|require`. Empty (the default): SQLite at `path`.
        public var url = ""
        /// Environment variable holding the PostgreSQL user's password (never written in `url`).
        public var passwordEnv = "FLOWLEARN_DATABASE_PASSWORD"
        /// Connections this replica keeps to PostgreSQL at most.
        public var maxConnections = 10
        /// Seconds a replica's claim on a nudge, kept reply or learning record holds; the claim is
        /// renewed while the work goes on, and a replica that dies loses its claims after this long.
        public var leaseSeconds = 60.0
        /// Retention in days of what grows with traffic (0: keep for ever); see `RetentionPolicy`.
        public var questionLogDays = RetentionPolicy().questionLogDays
        public var processedEventDays = RetentionPolicy().processedEventDays
        public var poisonedEventDays = RetentionPolicy().poisonedEventDays
        public var nudgeOutboxDays = RetentionPolicy().nudgeOutboxDays
        public var quizHistoryDays = RetentionPolicy().quizHistoryDays
        public var reviewLogDays = RetentionPolicy().reviewLogDays
        /// How often the server prunes (and once at start).
        public var pruneIntervalSeconds = 3600.0

        public var retention: RetentionPolicy {
            var policy = RetentionPolicy()
            policy.questionLogDays = questionLogDays
            policy.processedEventDays = processedEventDays
            policy.poisonedEventDays = poisonedEventDays
            policy.nudgeOutboxDays = nudgeOutboxDays
            policy.quizHistoryDays = quizHistoryDays
            policy.reviewLogDays = reviewLogDays
            return policy
        }
    }

    public struct SlackSection: Sendable, Codable, Equatable {
        public var enabled = true
        /// Environment variable holding the app's signing secret.
        public var signingSecretEnv = "SLACK_SIGNING_SECRET"
        /// Environment variable holding the bot token (`xoxb-…`).
        public var botTokenEnv = "SLACK_BOT_TOKEN"
        /// The bot's own user id, to ignore its messages; Slack also sends it in `authorizations`.
        public var botUserID: String? = nil
        public var apiBaseURL = "https://slack.com/api"
        /// Hosts a `response_url` may point at; any other is refused without a request.
        public var responseURLHosts = ["hooks.slack.com"]
        /// The slash command as configured in the Slack app, for help text.
        public var command = "/learn"
        /// The quiz slash command; both commands may use the same request URL.
        public var quizCommand = "/quiz"
        public var eventsPath = "/slack/events"
        public var commandsPath = "/slack/commands"
        /// Request URL for interactivity (quiz buttons).
        public var interactionsPath = "/slack/interactions"
        /// How old a signed request may be, in seconds.
        public var signatureToleranceSeconds = 300.0
        /// A `/learn` answer ready within this many seconds of the request goes in the acknowledgement;
        /// a later one (a backlog of questions to embed) is acknowledged empty and posted to the
        /// command's `response_url`, so it is not lost to Slack's 3-second limit.
        public var inlineAnswerSeconds = 2.0
    }

    public struct NudgesSection: Sendable, Codable, Equatable {
        /// Run the planner and the delivery worker inside `serve`.
        public var enabled = true
        /// For `/learn nudges on` without a time.
        public var defaultTime = LocalTime(hour: 9, minute: 30)
        /// Used until the platform tells a person's own time zone (Slack: `users.info`).
        public var defaultTimeZone = "UTC"
        public var quietStart = LocalTime(hour: 19, minute: 0)
        public var quietEnd = LocalTime(hour: 8, minute: 0)
        /// A nudge missed by more than this (the server was down) is skipped, not sent late.
        public var lateToleranceMinutes = 120.0
        /// Days without nudges (each person's local date): `YYYY-MM-DD` once, `MM-DD` every year.
        public var holidays: [String] = []
        /// The weekdays personal nudges go out on (each person's local day): `mon` … `sun`.
        public var workingDays = ["mon", "tue", "wed", "thu", "fri"]
        /// How often the planner looks for nudges that are due.
        public var planIntervalSeconds = 60.0
        /// Nudges sent at the same time.
        public var concurrency = 8
        /// Messages per second into one channel; 0 turns the limit off.
        public var perChannelPerSecond = 1.0
        /// Delivery attempts (each with the poster's own retries) before a nudge is dead-lettered.
        public var maxAttempts = 5
        /// Wait before the next attempt, doubled each time.
        public var retryBackoffSeconds = 30.0
        /// "Nugget of the day" posts in channels.
        public var channels: [ChannelNudge] = []

        public var rules: NudgeRules {
            var rules = NudgeRules()
            rules.quietStart = quietStart
            rules.quietEnd = quietEnd
            rules.lateTolerance = lateToleranceMinutes * 60
            rules.holidays = Set(holidays)
            rules.workingDays = workingDays.compactMap(Weekday.init(name:))
            return rules
        }
    }

    public struct MatrixSection: Sendable, Codable, Equatable {
        /// Mount the application-service routes (`/_matrix/app/v1/…`).
        public var enabled = false
        /// Where FlowLearn reaches the homeserver's client-server API.
        public var homeserverURL = "http://127.0.0.1:8008"
        /// The homeserver's name: the part after the colon in user ids.
        public var serverName = "localhost"
        /// The bot is `@botLocalpart:serverName`.
        public var botLocalpart = "flowlearn"
        /// Id of the registration, and the URL the homeserver pushes transactions to (for `flowlearn matrix registration`).
        public var registrationID = "flowlearn"
        public var appServiceURL = "http://127.0.0.1:8080"
        /// Environment variables holding the tokens of the registration.
        public var asTokenEnv = "MATRIX_AS_TOKEN"
        public var hsTokenEnv = "MATRIX_HS_TOKEN"
    }

    public struct TeamsSection: Sendable, Codable, Equatable {
        /// Mount the outgoing-webhook route.
        public var enabled = false
        /// The callback URL path to give Teams when creating the outgoing webhook.
        public var path = "/teams/messages"
        /// Environment variable holding the webhook's security token (base64, shown once by Teams).
        public var securityTokenEnv = "TEAMS_SECURITY_TOKEN"
        /// Channel nudges: a name (used as `channel` in `nudges.channels` with platform `teams`) → the
        /// environment variable holding that channel's Workflows webhook URL.
        public var workflowWebhookEnvs: [String: String] = [:]
    }

    public struct DiscordSection: Sendable, Codable, Equatable {
        /// Mount the interactions endpoint.
        public var enabled = false
        /// The Interactions Endpoint URL path to give Discord.
        public var path = "/discord/interactions"
        /// Environment variables: the application's public key (hex) and the bot token (channel nudges).
        public var publicKeyEnv = "DISCORD_PUBLIC_KEY"
        public var botTokenEnv = "DISCORD_BOT_TOKEN"
        public var apiBaseURL = "https://discord.com/api/v10"
        /// The application commands' names, as registered with Discord.
        public var command = "learn"
        public var quizCommand = "quiz"
        /// Work that takes longer than this is answered "deferred" and followed up (Discord allows 3 s).
        public var deferAfterSeconds = 2.0
        /// How old a signed timestamp may be.
        public var signatureToleranceSeconds = 300.0
    }

    public struct MattermostSection: Sendable, Codable, Equatable {
        /// Mount the slash-command, outgoing-webhook and action routes.
        public var enabled = false
        /// Where Mattermost reaches FlowLearn (quiz buttons call back to `publicURL` + `actionsPath`).
        public var publicURL = "http://127.0.0.1:8080"
        public var commandsPath = "/mattermost/commands"
        public var outgoingPath = "/mattermost/outgoing"
        public var actionsPath = "/mattermost/actions"
        public var command = "/learn"
        public var quizCommand = "/quiz"
        /// Environment variable with the slash commands' tokens, comma-separated (each command has its own).
        public var commandTokensEnv = "MATTERMOST_COMMAND_TOKENS"
        /// Environment variable with the outgoing webhook's token.
        public var outgoingTokenEnv = "MATTERMOST_OUTGOING_TOKEN"
        /// Environment variable with the key that signs quiz button contexts (derived from the command tokens when unset).
        public var actionSecretEnv = "MATTERMOST_ACTION_SECRET"
        /// Channel nudges: environment variable holding an incoming-webhook URL.
        public var incomingWebhookEnv = "MATTERMOST_INCOMING_WEBHOOK_URL"
    }

    public struct ConsoleSection: Sendable, Codable, Equatable {
        /// File of console users and their bcrypt password hashes (`flowlearn console add-user`),
        /// relative to the configuration file; empty turns the console off.
        public var usersFile = ""
        /// Environment variable with the key that signs session cookies; unset, a random key is made
        /// at start (sign-ins then end when the server restarts).
        public var sessionKeyEnv = "FLOWLEARN_CONSOLE_SESSION_KEY"
        /// A sign-in lasts this long.
        public var sessionHours = 12
        /// Mark cookies `Secure` (sent over HTTPS only); turn off only to reach the console over plain
        /// HTTP on another host than localhost.
        public var secureCookie = true
        /// Show people's platform ids on the People page (else counts only).
        public var showPeopleNames = false
        /// Failed sign-ins allowed per name and per client address in 15 minutes; then 429.
        public var loginAttempts = 5
        /// Addresses of reverse proxies in front of the server whose `X-Forwarded-For` and
        /// `X-Forwarded-Host` headers are believed (for the sign-in limit and the forms' origin check).
        public var trustedProxies: [String] = []
    }

    public struct XAPISection: Sendable, Codable, Equatable {
        /// The learning record store's xAPI endpoint (`…/xAPI`); empty (the default) sends nothing.
        public var endpoint = ""
        /// Environment variables holding the LRS's basic-auth key and secret.
        public var keyEnv = "XAPI_KEY"
        public var secretEnv = "XAPI_SECRET"
        /// The IRI under which activities, extensions and statement ids are made; required with an endpoint.
        public var activityBase = ""
        /// Language tag of names and descriptions in statements.
        public var language = "en"
        /// Statements sent per round before the outbox is read again.
        public var batchSize = 100
        /// How often the outbox is looked at when it is empty.
        public var intervalSeconds = 5.0
        /// Wait after a failed delivery, doubling up to `maxBackoffSeconds`.
        public var retryBackoffSeconds = 5.0
        public var maxBackoffSeconds = 300.0

        public var enabled: Bool { !endpoint.isEmpty }

        public init() {}
    }

    public struct LogSection: Sendable, Codable, Equatable {
        /// trace, debug, info, notice, warning, error or critical.
        public var level = "info"
        /// `text` (one line per event, key=value metadata) or `json` (one JSON object per line).
        public var format = "text"
    }
}
