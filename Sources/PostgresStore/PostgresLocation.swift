import Foundation

/// Where the PostgreSQL store is, read from `store.url` (`postgres://USER@HOST:PORT/DATABASE`, with
/// `?sslmode=disable|prefer|require`). The password never comes from the URL: it comes from the
/// environment variable `store.passwordEnv` names, so it stays out of files and logs.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` (the common subset).
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (loopback, or a private network the operator trusts).
        case disable
        /// TLS when the server offers it, with certificate checks; plain otherwise (libpq's default).
        case prefer
        /// TLS with certificate checks, or no connection.
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's TCP port (5432 unless the URL says otherwise).
    public var port: Int
    /// The role FlowLearn logs in as.
    public var user: String
    /// The database FlowLearn's tables are in.
    public var database: String
    /// Whether the connection uses TLS.
    public var tls: TLSMode

    /// A location given part by part (tests, tools); `init(url:)` reads `store.url`.
    public init(host: String, port: Int = 5432, user: String, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
    }

    /// Reads a `postgres://` (or `postgresql://`) URL; the error says what is wrong with it (never
    /// repeating a password it found).
    public init(url: String) throws(PostgresStoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw PostgresStoreError("must be a postgres:// URL (postgres://USER@HOST:PORT/DATABASE)") }
        guard components.password == nil else {
            throw PostgresStoreError("must not hold a password: put it in the environment variable store.passwordEnv names")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresStoreError("names no host (postgres://USER@HOST:PORT/DATABASE)") }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw PostgresStoreError("names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw PostgresStoreError("names no database (postgres://USER@HOST:PORT/DATABASE)") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresStoreError("has a port out of range") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw PostgresStoreError("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw PostgresStoreError("has an unknown parameter '\(item.name)' (only sslmode is read)")
            }
        }
        self.init(host: host, port: port, user: user, database: database, tls: tls)
    }

    /// The URL without secrets, for logs and `config check`.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }
}

/// Why the PostgreSQL store could not be used: what a person needs to fix it (never a password).
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in words a person can act on.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
