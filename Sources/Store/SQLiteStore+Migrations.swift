import GRDB

extension SQLiteStore {
    /// The schema, one migration per change; never edit a migration that has shipped, add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: question log and processed events") { db in
            try db.create(table: "question_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("asked_at", .datetime).notNull().indexed()
                t.column("platform", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("text", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("nugget_id", .text)
                t.column("confidence", .double).notNull()
                t.column("candidates", .text).notNull().defaults(to: "[]")
            }
            try db.create(table: "processed_event") { t in
                t.column("platform", .text).notNull()
                t.column("event_id", .text).notNull()
                t.column("received_at", .datetime).notNull()
                t.primaryKey(["platform", "event_id"])
            }
        }
        migrator.registerMigration("v2: quizzes, cards and review log") { db in
            try db.create(table: "quiz_session") { t in
                t.primaryKey("id", .text)
                t.column("learner", .text).notNull()
                t.column("platform", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("topic", .text)
                t.column("question_ids", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("correct", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("started_at", .datetime).notNull()
            }
            try db.create(index: "quiz_session_by_learner", on: "quiz_session", columns: ["learner", "state"])
            try db.create(table: "quiz_answer") { t in
                t.column("session_id", .text).notNull().references("quiz_session")
                t.column("position", .integer).notNull()
                t.column("question_id", .text).notNull()
                t.column("action_id", .text).notNull().unique()
                t.column("picks", .text).notNull()
                t.column("correct", .boolean).notNull()
                t.column("rating", .integer).notNull()
                t.column("answered_at", .datetime).notNull()
                t.primaryKey(["session_id", "position"])
            }
            try db.create(table: "card") { t in
                t.column("learner", .text).notNull()
                t.column("question_id", .text).notNull()
                t.column("state", .integer).notNull()
                t.column("step", .integer)
                t.column("stability", .double)
                t.column("difficulty", .double)
                t.column("due", .datetime).notNull()
                t.column("last_review", .datetime)
                t.primaryKey(["learner", "question_id"])
            }
            try db.create(table: "review_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("learner", .text).notNull()
                t.column("question_id", .text).notNull()
                t.column("session_id", .text)
                t.column("rating", .integer).notNull()
                t.column("reviewed_at", .datetime).notNull()
                t.column("state", .integer).notNull()
                t.column("stability", .double)
                t.column("difficulty", .double)
                t.column("due", .datetime).notNull()
            }
            try db.create(index: "review_log_by_learner", on: "review_log", columns: ["learner", "reviewed_at"])
            try db.create(table: "leaderboard_member") { t in
                t.column("platform", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("learner", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("joined_at", .datetime).notNull()
                t.primaryKey(["platform", "channel", "learner"])
            }
        }
        migrator.registerMigration("v3: nudge subscriptions, outbox and feedback") { db in
            try db.create(table: "nudge_subscription") { t in
                t.primaryKey("learner", .text)
                t.column("platform", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("time", .text).notNull()
                t.column("topics", .text).notNull()
                t.column("time_zone", .text)
                t.column("paused_until", .datetime)
                t.column("enabled", .boolean).notNull()
            }
            try db.create(table: "nudge_outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("key", .text).notNull().unique()
                t.column("recipient", .text).notNull()
                t.column("platform", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("local_date", .text).notNull()
                t.column("due_at", .datetime).notNull()
                t.column("content", .text).notNull()
                t.column("nugget_id", .text)
                t.column("reason", .text).notNull()
                t.column("request_method", .text).notNull()
                t.column("request_url", .text).notNull()
                t.column("request_headers", .text).notNull()
                t.column("request_body", .blob).notNull()
                t.column("request_purpose", .text).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime).notNull()
                t.column("last_error", .text)
                t.column("sent_at", .datetime)
                t.uniqueKey(["recipient", "local_date"])
            }
            try db.create(index: "nudge_outbox_ready", on: "nudge_outbox", columns: ["state", "next_attempt_at"])
            try db.create(index: "nudge_outbox_seen", on: "nudge_outbox", columns: ["recipient", "nugget_id"])
            try db.create(index: "question_log_by_user", on: "question_log", columns: ["user_id", "asked_at"])
            try db.create(table: "nudge_feedback") { t in
                t.column("nudge_key", .text).notNull()
                t.column("learner", .text).notNull()
                t.column("useful", .boolean).notNull()
                t.column("at", .datetime).notNull()
                t.primaryKey(["nudge_key", "learner"])
            }
        }
        migrator.registerMigration("v4: chat rooms") { db in
            try db.create(table: "chat_room") { t in
                t.column("platform", .text).notNull()
                t.column("room", .text).notNull()
                t.column("is_direct", .boolean).notNull()
                t.primaryKey(["platform", "room"])
            }
        }
        migrator.registerMigration("v5: review log keeps the card before each review") { db in
            try db.alter(table: "review_log") { t in
                t.add(column: "prev_state", .integer)
                t.add(column: "prev_step", .integer)
                t.add(column: "prev_stability", .double)
                t.add(column: "prev_difficulty", .double)
                t.add(column: "prev_due", .datetime)
                t.add(column: "prev_last_review", .datetime)
                t.add(column: "refined", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v6: reply outbox") { db in
            try db.create(table: "reply_outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("batch", .integer).notNull().indexed()
                t.column("position", .integer).notNull()
                t.column("platform", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("request_method", .text).notNull()
                t.column("request_url", .text).notNull()
                t.column("request_headers", .text).notNull()
                t.column("request_body", .blob).notNull()
                t.column("request_purpose", .text).notNull()
                t.column("needs_credentials", .boolean).notNull()
            }
        }
        migrator.registerMigration("v7: event attempts and poisoned events") { db in
            try db.create(table: "event_attempt") { t in
                t.column("platform", .text).notNull()
                t.column("event_id", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("first_at", .datetime).notNull()
                t.column("last_error", .text)
                t.column("poisoned_at", .datetime).indexed()
                t.primaryKey(["platform", "event_id"])
            }
        }
        migrator.registerMigration("v8: kept replies waiting for room in the reply queue") { db in
            // Batches kept before this version were in the memory of a process that has stopped: waiting.
            try db.alter(table: "reply_outbox") { t in t.add(column: "queued", .boolean).notNull().defaults(to: false) }
            try db.create(index: "reply_outbox_waiting", on: "reply_outbox", columns: ["queued", "batch"])
        }
        migrator.registerMigration("v9: the asker's workspace, and asked nuggets scheduled for review") { db in
            try db.alter(table: "question_log") { t in t.add(column: "team", .text).notNull().defaults(to: "") }
            try db.create(table: "asked_review") { t in
                t.column("learner", .text).notNull()
                t.column("nugget_id", .text).notNull()
                t.column("question_id", .text).notNull()
                t.column("at", .datetime).notNull()
                t.primaryKey(["learner", "nugget_id"])
            }
        }
        migrator.registerMigration("v10: lapses and leeches") { db in
            try db.alter(table: "card") { t in
                t.add(column: "lapses", .integer).notNull().defaults(to: 0)
                t.add(column: "leech_at", .datetime)
            }
            // Lapses so far, from the review log: Again on a card that was in review.
            try db.execute(sql: """
                UPDATE card SET lapses = (
                    SELECT COUNT(*) FROM review_log r
                    WHERE r.learner = card.learner AND r.question_id = card.question_id AND r.rating = 1 AND r.prev_state = 2)
                """)
            try db.create(index: "card_leeches", on: "card", columns: ["leech_at"])
        }
        migrator.registerMigration("v11: leech alerts") { db in
            try db.create(table: "leech_alert") { t in
                t.primaryKey("question_id", .text)
                t.column("alerted_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v12: heartbeat") { db in
            try db.create(table: "heartbeat") { t in
                t.primaryKey("id", .integer)
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v13: the request a kept reply answers") { db in
            try db.alter(table: "reply_outbox") { t in t.add(column: "request_id", .text) }
        }
        migrator.registerMigration("v14: votes on answers") { db in
            try db.alter(table: "question_log") { t in t.add(column: "answer_id", .text) }
            try db.create(index: "question_log_answer", on: "question_log", columns: ["answer_id"], unique: true)
            try db.create(table: "answer_feedback") { t in
                t.column("answer_id", .text).notNull()
                t.column("learner", .text).notNull()
                t.column("helpful", .boolean).notNull()
                t.column("at", .datetime).notNull()
                t.primaryKey(["answer_id", "learner"])
            }
        }
        migrator.registerMigration("v15: gap cluster decisions") { db in
            try db.create(table: "gap_status") { t in
                t.primaryKey("key", .text)
                t.column("status", .text).notNull()
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v16: xAPI outbox") { db in
            // Learning records (xAPI statements to be), written in the transaction of the row they
            // describe; delivered rows are deleted, refused ones kept aside with the reason.
            try db.create(table: "xapi_outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("learner", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("record", .blob).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("state", .text).notNull().defaults(to: "pending")
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_error", .text)
            }
            try db.create(index: "xapi_outbox_pending", on: "xapi_outbox", columns: ["state", "id"])
        }
        migrator.registerMigration("v17: leases on claimed work") { db in
            // Who holds a claimed row and until when: nudges being sent, kept replies being posted,
            // learning records being delivered. Rows claimed before this version have no lease: free.
            for table in ["nudge_outbox", "reply_outbox", "xapi_outbox"] {
                try db.alter(table: table) { t in
                    t.add(column: "lease_owner", .text)
                    t.add(column: "lease_until", .datetime)
                }
            }
        }
        return migrator
    }
}
