import Foundation

/// Who holds claimed work (nudges being sent, kept replies being posted, learning records being
/// delivered) and for how long: each process, a replica, has its own id.
///
/// A claim writes the holder and `now + duration` on the row. While the lease runs, no other replica
/// takes the row; the holder renews it while the work goes on. A replica that dies stops renewing,
/// and once its leases have expired another replica takes the rows and finishes the work.
public struct LeaseHolder: Sendable, Hashable {
    /// The replica's id, written on the rows it claims (and logged at start).
    public var id: String
    /// How long a claim holds before another replica may take the row.
    public var duration: TimeInterval

    /// Long enough for a delivery round with the poster's retries between two renewals, short enough
    /// that a dead replica's work is finished within about a minute.
    public static let defaultDuration: TimeInterval = 60

    public init(id: String, duration: TimeInterval = LeaseHolder.defaultDuration) {
        self.id = id
        self.duration = max(1, duration)
    }

    /// A new id for this process: host name, process id and a random part (a restarted process is a
    /// new replica, even with the same process id).
    public static func thisProcess(duration: TimeInterval = LeaseHolder.defaultDuration) -> LeaseHolder {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return LeaseHolder(id: "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(random)", duration: duration)
    }

    /// When a lease taken or renewed at `now` runs out.
    public func expiry(from now: Date) -> Date { now.addingTimeInterval(duration) }
}
