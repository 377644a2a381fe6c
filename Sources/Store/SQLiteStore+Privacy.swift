import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: PrivacyStore {
    /// The person's rows: each table with the condition that selects them (arguments bound in order).
    private static func personalRows(_ learner: Learner) -> [(table: String, condition: String, arguments: StatementArguments)] {
        let key = learner.key
        return [
            // Rows logged before the log kept the workspace have an empty team.
            ("question_log", "platform = ? AND user_id = ? AND team IN (?, '')", [learner.platform, learner.user, learner.team]),
            ("quiz_answer", "session_id IN (SELECT id FROM quiz_session WHERE learner = ?)", [key]),
            ("quiz_session", "learner = ?", [key]),
            ("card", "learner = ?", [key]),
            ("review_log", "learner = ?", [key]),
            ("asked_review", "learner = ?", [key]),
            ("leaderboard_member", "learner = ?", [key]),
            ("nudge_subscription", "learner = ?", [key]),
            ("nudge_feedback", "learner = ?", [key]),
            ("answer_feedback", "learner = ?", [key]),
            ("nudge_outbox", "recipient = ?", [key]),
            // Statements not yet delivered to the learning record store (what it has is its own to erase).
            ("xapi_outbox", "learner = ?", [key]),
        ]
    }

    public func exportPerson(_ learner: Learner) async throws -> Data {
        try await writer.read { db -> Data in
            var tables: [String: Any] = [:]
            for (table, condition, arguments) in Self.personalRows(learner) {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(condition)", arguments: arguments).map(Self.json)
            }
            let object: [String: Any] = ["learner": learner.key, "tables": tables]
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    public func forgetPerson(_ learner: Learner) async throws -> [String: Int] {
        try await writer.write { db in
            var changed: [String: Int] = [:]
            for (table, condition, arguments) in Self.personalRows(learner) {
                if table == "question_log" {
                    // The question stays for the content team; who asked, and where, goes.
                    try db.execute(
                        sql: "UPDATE question_log SET user_id = 'forgotten', team = '', channel = 'forgotten' WHERE \(condition)", arguments: arguments)
                } else {
                    try db.execute(sql: "DELETE FROM \(table) WHERE \(condition)", arguments: arguments)
                }
                changed[table] = db.changesCount
            }
            return changed
        }
    }

    /// A row as JSON: text and numbers as they are, blobs that hold JSON (xAPI records) as that JSON,
    /// other blobs in base64, dates as stored (UTC text).
    private static func json(_ row: Row) -> [String: Any] {
        var object: [String: Any] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: object[column] = NSNull()
            case .int64(let number): object[column] = number
            case .double(let number): object[column] = number.isFinite ? number : NSNull()
            case .string(let text): object[column] = text
            case .blob(let data):
                if data.first == UInt8(ascii: "{"), let decoded = try? JSONSerialization.jsonObject(with: data) {
                    object[column] = decoded
                } else {
                    object[column] = data.base64EncodedString()
                }
            }
        }
        return object
    }
}
