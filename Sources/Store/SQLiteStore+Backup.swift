import FlowLearnCore
import Foundation
import GRDB

/// Why a backup or restore was refused.
public struct BackupError: Error, CustomStringConvertible {
    public var description: String
}

extension SQLiteStore {
    /// Copies the database to `path` with SQLite's online backup, while the server keeps serving:
    /// the copy is the database as of one moment (a read snapshot), every transaction committed
    /// before it complete. The copy is checked (`PRAGMA integrity_check`) before this returns.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw BackupError(description: "\(path) exists; choose a new file name")
        }
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
        try Self.check(destination, name: path)
        try destination.close()
    }

    /// Copies the database file at `path` to `output` the same way, opening it read-only and without
    /// migrating it: a newer `flowlearn` backs up a running older server's store without changing it.
    public static func backup(databaseAt path: String, to output: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError(description: "\(path): no such file") }
        guard !FileManager.default.fileExists(atPath: output) else { throw BackupError(description: "\(output) exists; choose a new file name") }
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(5)
        let source = try DatabasePool(path: path, configuration: readOnly)
        let destination = try DatabaseQueue(path: output)
        try source.backup(to: destination)
        try check(destination, name: output)
        try destination.close()
        try source.close()
    }

    /// Replaces the database at `path` with the backup `source` (the server must be stopped): the
    /// backup is checked first, and the replacement is refused while another process has the
    /// database open for writing. The next start migrates it if it is from an older version.
    public static func restore(from source: String, to path: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError(description: "\(source): no such file") }
        var readOnly = Configuration()
        readOnly.readonly = true
        let backup = try DatabaseQueue(path: source, configuration: readOnly)
        try check(backup, name: source)
        guard try backup.read({ try $0.tableExists("question_log") && $0.tableExists("grdb_migrations") }) else {
            throw BackupError(description: "\(source) is not a FlowLearn database")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var exclusive = Configuration()
        exclusive.busyMode = .immediateError
        let target = try DatabaseQueue(path: path, configuration: exclusive)
        // A database in WAL mode leaves it only when no other connection has it open: a server that
        // is running, even idle, keeps the mode from changing.
        let mode: String?
        do {
            mode = try target.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode=DELETE") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            mode = nil
        }
        guard mode == "delete" else {
            try? target.close()
            throw BackupError(description: "\(path) is in use: stop flowlearn serve first")
        }
        try backup.backup(to: target)
        try check(target, name: path)
        try target.close()
        try backup.close()
    }

    static func check(_ database: some DatabaseReader, name: String) throws {
        let result = try database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        guard result == ["ok"] else {
            throw BackupError(description: "\(name) fails its integrity check: \(result.prefix(3).joined(separator: "; "))")
        }
    }
}
