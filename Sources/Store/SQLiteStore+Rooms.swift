import FlowLearnCore
import GRDB

extension SQLiteStore: RoomStore {
    public func setRoom(platform: String, room: String, isDirect: Bool) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO chat_room (platform, room, is_direct) VALUES (?, ?, ?)", arguments: [platform, room, isDirect])
        }
    }

    public func isDirectRoom(platform: String, room: String) async throws -> Bool {
        try await writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT is_direct FROM chat_room WHERE platform = ? AND room = ?", arguments: [platform, room]) ?? false
        }
    }
}
