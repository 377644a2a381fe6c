import PostgresNIO

extension PostgresStore {
    /// The advisory lock every replica takes to migrate: one at a time, so replicas starting together
    /// migrate once ("FLOWLRN1" as a 64-bit number).
    static let migrationLock: Int64 = 0x464C_4F57_4C52_4E31
    /// How long a starting replica waits for another one's migration: long enough for a big table's
    /// index, short enough that a replica hung mid-migration (its connection still open, so its lock
    /// held) fails the others' start-up with a message instead of hanging it.
    public static let migrationLockWait: Duration = .seconds(120)
    /// How long one migration step waits for a table another replica is reading or writing: a schema
    /// change queued behind a long query would hold every later query on that table behind it, so it
    /// gives up instead (the transaction rolls back, the replica fails to start and can try again).
    static let schemaLockWait: Duration = .seconds(10)

    /// The schema, one numbered step per change; never edit a step that has shipped, add one.
    /// Together they hold what the SQLite migrations v1–v17 hold, in PostgreSQL's types: dates as
    /// `timestamptz`, flags as `boolean`, request bodies and records as `bytea`.
    static let migrations: [(version: Int, name: String, statements: [PostgresQuery])] = [
        (1, "question log, events, votes, gaps, rooms, heartbeat", [
            """
            CREATE TABLE question_log (
              id bigserial PRIMARY KEY, asked_at timestamptz NOT NULL, platform text NOT NULL, team text NOT NULL DEFAULT '',
              user_id text NOT NULL, channel text NOT NULL, text text NOT NULL, outcome text NOT NULL, nugget_id text,
              confidence double precision NOT NULL, candidates text NOT NULL DEFAULT '[]', answer_id text UNIQUE)
            """,
            "CREATE INDEX question_log_asked_at ON question_log (asked_at)",
            "CREATE INDEX question_log_by_user ON question_log (user_id, asked_at)",
            """
            CREATE TABLE processed_event (
              platform text NOT NULL, event_id text NOT NULL, received_at timestamptz NOT NULL, PRIMARY KEY (platform, event_id))
            """,
            "CREATE INDEX processed_event_received ON processed_event (received_at)",
            """
            CREATE TABLE event_attempt (
              platform text NOT NULL, event_id text NOT NULL, attempts integer NOT NULL, first_at timestamptz NOT NULL, last_error text,
              poisoned_at timestamptz, PRIMARY KEY (platform, event_id))
            """,
            "CREATE INDEX event_attempt_poisoned ON event_attempt (poisoned_at)",
            """
            CREATE TABLE answer_feedback (
              answer_id text NOT NULL, learner text NOT NULL, helpful boolean NOT NULL, at timestamptz NOT NULL,
              PRIMARY KEY (answer_id, learner))
            """,
            "CREATE TABLE gap_status (key text PRIMARY KEY, status text NOT NULL, at timestamptz NOT NULL)",
            "CREATE TABLE chat_room (platform text NOT NULL, room text NOT NULL, is_direct boolean NOT NULL, PRIMARY KEY (platform, room))",
            "CREATE TABLE heartbeat (id integer PRIMARY KEY, at timestamptz NOT NULL)",
        ]),
        (2, "quizzes, cards, review log, leaderboards, leeches", [
            """
            CREATE TABLE quiz_session (
              id text PRIMARY KEY, learner text NOT NULL, platform text NOT NULL, user_id text NOT NULL, channel text NOT NULL, topic text,
              question_ids text NOT NULL, position integer NOT NULL, correct integer NOT NULL, state text NOT NULL,
              started_at timestamptz NOT NULL, seq bigserial NOT NULL)
            """,
            "CREATE INDEX quiz_session_by_learner ON quiz_session (learner, state)",
            "CREATE INDEX quiz_session_started ON quiz_session (started_at)",
            """
            CREATE TABLE quiz_answer (
              session_id text NOT NULL REFERENCES quiz_session (id), position integer NOT NULL, question_id text NOT NULL,
              action_id text NOT NULL UNIQUE, picks text NOT NULL, correct boolean NOT NULL, rating integer NOT NULL,
              answered_at timestamptz NOT NULL, seq bigserial NOT NULL, PRIMARY KEY (session_id, position))
            """,
            "CREATE INDEX quiz_answer_answered ON quiz_answer (answered_at)",
            """
            CREATE TABLE card (
              learner text NOT NULL, question_id text NOT NULL, state integer NOT NULL, step integer, stability double precision,
              difficulty double precision, due timestamptz NOT NULL, last_review timestamptz, lapses integer NOT NULL DEFAULT 0,
              leech_at timestamptz, PRIMARY KEY (learner, question_id))
            """,
            "CREATE INDEX card_leeches ON card (leech_at)",
            "CREATE INDEX card_due ON card (learner, due)",
            """
            CREATE TABLE review_log (
              id bigserial PRIMARY KEY, learner text NOT NULL, question_id text NOT NULL, session_id text, rating integer NOT NULL,
              reviewed_at timestamptz NOT NULL, state integer NOT NULL, stability double precision, difficulty double precision,
              due timestamptz NOT NULL, prev_state integer, prev_step integer, prev_stability double precision,
              prev_difficulty double precision, prev_due timestamptz, prev_last_review timestamptz, refined boolean NOT NULL DEFAULT false)
            """,
            "CREATE INDEX review_log_by_learner ON review_log (learner, reviewed_at)",
            "CREATE INDEX review_log_reviewed ON review_log (reviewed_at)",
            """
            CREATE TABLE leaderboard_member (
              platform text NOT NULL, channel text NOT NULL, learner text NOT NULL, user_id text NOT NULL, joined_at timestamptz NOT NULL,
              PRIMARY KEY (platform, channel, learner))
            """,
            """
            CREATE TABLE asked_review (
              learner text NOT NULL, nugget_id text NOT NULL, question_id text NOT NULL, at timestamptz NOT NULL,
              PRIMARY KEY (learner, nugget_id))
            """,
            "CREATE TABLE leech_alert (question_id text PRIMARY KEY, alerted_at timestamptz NOT NULL)",
        ]),
        (3, "nudge subscriptions, outbox with leases, feedback", [
            """
            CREATE TABLE nudge_subscription (
              learner text PRIMARY KEY, platform text NOT NULL, user_id text NOT NULL, channel text NOT NULL, time text NOT NULL,
              topics text NOT NULL, time_zone text, paused_until timestamptz, enabled boolean NOT NULL)
            """,
            """
            CREATE TABLE nudge_outbox (
              id bigserial PRIMARY KEY, key text NOT NULL UNIQUE, recipient text NOT NULL, platform text NOT NULL, channel text NOT NULL,
              local_date text NOT NULL, due_at timestamptz NOT NULL, content text NOT NULL, nugget_id text, reason text NOT NULL,
              request_method text NOT NULL, request_url text NOT NULL, request_headers text NOT NULL, request_body bytea NOT NULL,
              request_purpose text NOT NULL, state text NOT NULL, attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL,
              last_error text, sent_at timestamptz, lease_owner text, lease_until timestamptz, UNIQUE (recipient, local_date))
            """,
            "CREATE INDEX nudge_outbox_ready ON nudge_outbox (state, next_attempt_at)",
            "CREATE INDEX nudge_outbox_seen ON nudge_outbox (recipient, nugget_id)",
            """
            CREATE TABLE nudge_feedback (
              nudge_key text NOT NULL, learner text NOT NULL, useful boolean NOT NULL, at timestamptz NOT NULL,
              PRIMARY KEY (nudge_key, learner))
            """,
        ]),
        (4, "kept replies with leases", [
            "CREATE SEQUENCE reply_batch",
            """
            CREATE TABLE reply_outbox (
              id bigserial PRIMARY KEY, batch bigint NOT NULL, position integer NOT NULL, platform text NOT NULL,
              created_at timestamptz NOT NULL, request_method text NOT NULL, request_url text NOT NULL, request_headers text NOT NULL,
              request_body bytea NOT NULL, request_purpose text NOT NULL, needs_credentials boolean NOT NULL,
              queued boolean NOT NULL DEFAULT false, request_id text, lease_owner text, lease_until timestamptz)
            """,
            "CREATE INDEX reply_outbox_batch ON reply_outbox (batch, position)",
        ]),
        (5, "xAPI outbox with leases", [
            """
            CREATE TABLE xapi_outbox (
              id bigserial PRIMARY KEY, learner text NOT NULL, kind text NOT NULL, record bytea NOT NULL, created_at timestamptz NOT NULL,
              state text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0, last_error text, lease_owner text,
              lease_until timestamptz)
            """,
            "CREATE INDEX xapi_outbox_learner ON xapi_outbox (learner)",
            "CREATE INDEX xapi_outbox_pending ON xapi_outbox (state, id)",
        ]),
    ]

    /// Runs the steps not yet recorded in `flowlearn_migrations`, all in one transaction under the
    /// advisory lock: a replica that waited for the lock finds them recorded and runs none.
    func migrate() async throws {
        guard let direct else { throw PostgresStoreError("TLS could not be set up for sslmode=\(location.tls.rawValue)") }
        let connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: logger)
        let applied: [Int]
        do {
            applied = try await migrate(on: connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
        if !applied.isEmpty {
            logger.notice("PostgreSQL schema migrated", metadata: ["steps": "\(applied.map(String.init).joined(separator: ", "))", "database": "\(location)"])
        }
    }

    private func migrate(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.withTransaction(logger: logger) { connection -> [Int] in
            try await connection.run(Self.setLockTimeout(migrationLockTimeout), logger)
            do {
                try await connection.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
                throw PostgresStoreError(
                    "another replica has been migrating the schema for over \(migrationLockTimeout) (a large table, or a replica hung "
                        + "with its connection open: see pg_locks where locktype = 'advisory' and objid = \(Self.migrationLock & 0xFFFF_FFFF)); "
                        + "start this one again once it is done")
            }
            try await connection.run(Self.setLockTimeout(Self.schemaLockWait), logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS flowlearn_migrations (
                  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)
                """, logger)
            let done = Set(try await connection.rows("SELECT version FROM flowlearn_migrations", logger).compactMap { $0.get("version", as: Int.self) })
            var applied: [Int] = []
            for step in Self.migrations where !done.contains(step.version) {
                for statement in step.statements { try await connection.run(statement, logger) }
                try await connection.run(
                    "INSERT INTO flowlearn_migrations (version, name, applied_by) VALUES (\(step.version), \(step.name), \(lease.id))", logger)
                applied.append(step.version)
            }
            return applied
        }
    }

    /// `SET LOCAL lock_timeout` (whole milliseconds, at least 1: 0 would mean no limit). SET takes no
    /// bound parameters; the number is ours.
    static func setLockTimeout(_ wait: Duration) -> PostgresQuery {
        let (seconds, attoseconds) = wait.components
        let milliseconds = max(1, min(seconds, 2_000_000) * 1000 + attoseconds / 1_000_000_000_000_000)
        return PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)")
    }

    /// The migration steps recorded in the database, in order (for `config check` and tests).
    public func appliedMigrations() async throws -> [(version: Int, appliedBy: String)] {
        try await read { connection in
            try await connection.rows("SELECT version, applied_by FROM flowlearn_migrations ORDER BY version", logger).compactMap { row in
                guard let version = row.get("version", as: Int.self), let by = row.get("applied_by", as: String.self) else { return nil }
                return (version, by)
            }
        }
    }
}

extension PostgresStore {
    /// The numbers of every migration step this version knows, in order.
    public static var migrationVersions: [Int] { migrations.map(\.version) }
}
