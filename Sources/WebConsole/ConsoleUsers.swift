import Crypto
import Foundation
import HummingbirdBcrypt
import Synchronization

/// The people who may sign in to the console: a text file of `name:bcrypt-hash` lines (comments
/// start with `#`), written by `flowlearn console add-user`, named by `console.usersFile`.
/// Passwords are never stored, only their bcrypt hashes.
public struct ConsoleUsers: Sendable {
    let hashes: [String: String]

    /// bcrypt's work factor for new hashes: about a quarter of a second per sign-in on one core.
    public static let cost: UInt8 = 12
    /// Longer passwords are refused before bcrypt (which reads only the first 72 bytes anyway).
    public static let maximumPasswordBytes = 1_024

    public init(text: String, file: String = "console users") throws(ConsoleUsersError) {
        var hashes: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw ConsoleUsersError(file: file, line: number + 1, problem: "expected name:bcrypt-hash")
            }
            let name = String(line[..<colon])
            let hash = String(line[line.index(after: colon)...])
            if let problem = Self.nameProblem(name) { throw ConsoleUsersError(file: file, line: number + 1, problem: problem) }
            guard Self.isBcryptHash(hash) else {
                throw ConsoleUsersError(file: file, line: number + 1, problem: "the hash of \(name) is not a bcrypt hash ($2b$…, 60 characters)")
            }
            guard hashes[name] == nil else { throw ConsoleUsersError(file: file, line: number + 1, problem: "\(name) appears twice") }
            hashes[name] = hash
        }
        self.hashes = hashes
    }

    public static func load(path: String) throws(ConsoleUsersError) -> ConsoleUsers {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConsoleUsersError(file: path, line: 0, problem: "cannot be read (create it with `flowlearn console add-user NAME`)")
        }
        return try ConsoleUsers(text: String(decoding: data, as: UTF8.self), file: path)
    }

    public var names: [String] { hashes.keys.sorted() }

    /// A short fingerprint of a user's password hash (nil for an unknown name): kept in the session,
    /// so a new password or a removed user ends the sessions already open.
    public func fingerprint(of name: String) -> String? {
        hashes[name].map { Data(SHA256.hash(data: Data($0.utf8)).prefix(8)).base64URL }
    }

    /// Whether a name could be a user's at all (checked before anything costly).
    public static func isPlausibleName(_ name: String) -> Bool { nameProblem(name) == nil }

    /// Whether the password is this user's. Slow on purpose (bcrypt); an unknown name costs the same
    /// as a known one, so the time taken does not tell which names exist.
    public func verify(name: String, password: String) -> Bool {
        guard password.utf8.count <= Self.maximumPasswordBytes else { return false }
        guard let hash = hashes[name] else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return false
        }
        return Bcrypt.verify(password, hash: hash)
    }

    /// A user file's text with `name` set to a new hash of `password` (added, or replacing the old line).
    public static func setting(name: String, password: String, in text: String, cost: UInt8 = cost) throws(ConsoleUsersError) -> String {
        if let problem = nameProblem(name) { throw ConsoleUsersError(file: "", line: 0, problem: problem) }
        guard password.count >= 12 else { throw ConsoleUsersError(file: "", line: 0, problem: "the password must have at least 12 characters") }
        guard password.utf8.count <= maximumPasswordBytes else {
            throw ConsoleUsersError(file: "", line: 0, problem: "the password is longer than \(maximumPasswordBytes) bytes")
        }
        let entry = "\(name):\(Bcrypt.hash(password, cost: min(31, max(4, cost))))"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let index = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + ":") }) {
            lines[index] = entry
        } else {
            if lines.isEmpty { lines.append("# FlowLearn console users: name:bcrypt-hash (flowlearn console add-user NAME)") }
            lines.append(entry)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func nameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            return "a user name has 1 to 64 letters, digits, '.', '_', '@' or '-'"
        }
        return nil
    }

    static func isBcryptHash(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$"),
            let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost), bytes[6] == UInt8(ascii: "$")
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy(alphabet.contains)
    }

    /// A hash of nothing anyone knows, checked for unknown names (cost 12 like real entries).
    static let decoy = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuJ5SHl8B2kMzJGB7Bq8cmlbGGSGBvCXy"
}

/// The users file as last read, read again when its size or modification time changes: every
/// signed-in request checks its session against it, so this must be cheap.
public final class ConsoleUsersFile: Sendable {
    let path: String
    private let cached = Mutex<(stamp: [Int], users: ConsoleUsers)?>(nil)

    public init(path: String) {
        self.path = path
    }

    /// The users, or why the file cannot be used.
    public func current() throws(ConsoleUsersError) -> ConsoleUsers {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let stamp = [Int(attributes?[.size] as? UInt64 ?? 0), Int((modified * 1_000).rounded()), (attributes?[.systemFileNumber] as? Int) ?? 0]
        if let cached = cached.withLock({ $0 }), cached.stamp == stamp { return cached.users }
        let users = try ConsoleUsers.load(path: path)
        cached.withLock { $0 = (stamp, users) }
        return users
    }
}

/// A problem with the console users file, naming the file and line.
public struct ConsoleUsersError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { line > 0 ? "\(file):\(line): \(problem)" : (file.isEmpty ? problem : "\(file): \(problem)") }
}
