import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: PrivacyStore {
    /// The person's rows: each table with the condition that selects them (`$1`… bound to `values`),
    /// and how a row reads as JSON (blobs in base64, as the SQLite store exports them).
    private static func personalRows(_ learner: Learner) -> [(table: String, condition: String, values: [String], json: String)] {
        let key = learner.key
        return [
            // Rows logged before the log kept the workspace have an empty team.
            ("question_log", "platform = $1 AND user_id = $2 AND team IN ($3, '')", [learner.platform, learner.user, learner.team], "to_jsonb(t)"),
            ("quiz_answer", "session_id IN (SELECT id FROM quiz_session WHERE learner = $1)", [key], "to_jsonb(t) - 'seq'"),
            ("quiz_session", "learner = $1", [key], "to_jsonb(t) - 'seq'"),
            ("card", "learner = $1", [key], "to_jsonb(t)"),
            ("review_log", "learner = $1", [key], "to_jsonb(t)"),
            ("asked_review", "learner = $1", [key], "to_jsonb(t)"),
            ("leaderboard_member", "learner = $1", [key], "to_jsonb(t)"),
            ("nudge_subscription", "learner = $1", [key], "to_jsonb(t)"),
            ("nudge_feedback", "learner = $1", [key], "to_jsonb(t)"),
            ("answer_feedback", "learner = $1", [key], "to_jsonb(t)"),
            ("nudge_outbox", "recipient = $1", [key], "to_jsonb(t) || jsonb_build_object('request_body', encode(t.request_body, 'base64'))"),
            // Statements not yet delivered to the learning record store (what it has is its own to erase).
            ("xapi_outbox", "learner = $1", [key], "to_jsonb(t) || jsonb_build_object('record', encode(t.record, 'base64'))"),
        ]
    }

    private static func query(_ sql: String, _ values: [String]) -> PostgresQuery {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func exportPerson(_ learner: Learner) async throws -> Data {
        let text = try await read { connection -> [String: String] in
            var tables: [String: String] = [:]
            for (table, condition, values, json) in Self.personalRows(learner) {
                let sql = "SELECT COALESCE(jsonb_agg(\(json)), '[]'::jsonb)::text AS rows FROM \(table) t WHERE \(condition)"
                tables[table] = try await connection.row(Self.query(sql, values), logger)?.get("rows", as: String.self) ?? "[]"
            }
            return tables
        }
        var tables: [String: Any] = [:]
        for (table, rows) in text { tables[table] = (try? JSONSerialization.jsonObject(with: Data(rows.utf8))) ?? [] }
        let object: [String: Any] = ["learner": learner.key, "tables": tables]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    public func forgetPerson(_ learner: Learner) async throws -> [String: Int] {
        try await write { connection in
            var changed: [String: Int] = [:]
            for (table, condition, values, _) in Self.personalRows(learner) {
                let sql =
                    table == "question_log"
                    // The question stays for the content team; who asked, and where, goes.
                    ? "UPDATE question_log SET user_id = 'forgotten', team = '', channel = 'forgotten' WHERE \(condition) RETURNING 1"
                    : "DELETE FROM \(table) WHERE \(condition) RETURNING 1"
                changed[table] = try await connection.run(Self.query(sql, values), logger)
            }
            return changed
        }
    }
}
