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
        return migrator
    }
}
