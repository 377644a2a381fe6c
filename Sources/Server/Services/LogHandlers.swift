import FlowLearnCore
import Foundation
import Logging
import Synchronization

/// One line per event on stderr (or `write`), in one of `log.format`'s two forms:
///
/// - `text`: swift-log's stream format,
///   `2026-12-01T20:49:34+0000 info flowlearn: key=value request_id=… [FlowLearnServer] message`
///   (local time to the second, metadata sorted by key);
/// - `json`: one object per line: `time` (UTC, milliseconds), `level`, `label`, `message`, `source`,
///   `metadata`, keys sorted.
///
/// Metadata is the handler's, the provider's and the call's, later ones winning. Written for a busy
/// request path: the local time text is made once a second instead of at every line (swift-log's own
/// handler asks the C library for the time zone at each line, a `stat` of `/etc/localtime` every
/// time), JSON is written directly, and a line goes out in one `write`.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let format: Format
    let label: String
    let write: @Sendable (String) -> Void

    public init(
        _ format: Format, label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = LogOutput.standardError
    ) {
        self.format = format
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogOutput.merged(metadata, metadataProvider, event)
        switch format {
        case .text: write(text(event, merged))
        case .json: write(json(event, merged))
        }
    }

    private func text(_ event: LogEvent, _ merged: Logger.Metadata) -> String {
        var line = LogClock.localSecond(Date())
        line.reserveCapacity(160)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty { line += " " + label }
        line += ":"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " " + key + "=" + value.description
        }
        line += " [" + event.source + "] " + event.message.description + "\n"
        return line
    }

    private func json(_ event: LogEvent, _ merged: Logger.Metadata) -> String {
        var out = JSONBytes()
        out.object { object in
            object.field("label", label)
            object.field("level", event.level.rawValue)
            object.field("message", event.message.description)
            if !merged.isEmpty { object.field("metadata") { Self.write(.dictionary(merged), to: &$0) } }
            object.field("source", event.source)
            object.field("time", LogClock.utcMilliseconds(Date()))
        }
        out.append(json: [UInt8(ascii: "\n")])
        return String(decoding: out.bytes, as: UTF8.self)
    }

    private static func write(_ value: Logger.Metadata.Value, to out: inout JSONBytes) {
        switch value {
        case .string(let text): out.string(text)
        case .stringConvertible(let convertible): out.string(convertible.description)
        case .array(let values): out.array(values) { out, value in write(value, to: &out) }
        case .dictionary(let values):
            out.append(json: [UInt8(ascii: "{")])
            for (position, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if position > 0 { out.append(json: [UInt8(ascii: ",")]) }
                out.string(key)
                out.append(json: [UInt8(ascii: ":")])
                write(value, to: &out)
            }
            out.append(json: [UInt8(ascii: "}")])
        }
    }
}

/// Where log lines go, and the metadata a line carries.
public enum LogOutput {
    private static let lock = Mutex(())

    /// Writes a whole line to stderr in one `write` (under a lock, so lines from concurrent tasks never
    /// interleave, even when the kernel writes part of one).
    public static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        lock.withLock { _ in
            line.withUTF8 { bytes in
                let written = writeAll(bytes)
                // Cut short (stderr closed, or full for too long): end the line, so the next one does
                // not run on from it (a JSON reader loses one line, not two).
                if written > 0, written < bytes.count {
                    _ = [UInt8(ascii: "\n")].withUnsafeBufferPointer { writeAll($0) }
                }
            }
        }
    }

    /// Bytes written to stderr: all of them, or fewer if it is closed or stays full for about 0.1 s
    /// (a non-blocking stderr answers EAGAIN when its reader is slow).
    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = 0
        var waits = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = Glibc.write(STDERR_FILENO, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK, waits < 100 {
                waits += 1
                usleep(1000)
            } else {
                break
            }
        }
        return offset
    }

    /// The handler's metadata, then the provider's, then the call's (later ones winning), and the
    /// error's if the event carries one (as swift-log's own handlers add it).
    static func merged(_ base: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ event: LogEvent) -> Logger.Metadata {
        var merged = base
        if let provided = provider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata, !explicit.isEmpty { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }
}

/// The times log lines carry.
enum LogClock {
    private static let cachedSecond = Mutex<(second: Int, text: String)?>(nil)

    /// `2026-12-01T20:49:34+0000`: local time to the second with its UTC offset (swift-log's text
    /// format), made once per second.
    static func localSecond(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "<unknown>" }
        let second = Int(seconds.rounded(.down))
        if let cached = cachedSecond.withLock({ $0?.second == second ? $0?.text : nil }) { return cached }
        var time = time_t(second)
        var local = tm()
        guard localtime_r(&time, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        let text = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        cachedSecond.withLock { $0 = (second, text) }
        return text
    }

    /// `2026-12-01T20:49:34.123Z`: UTC to the millisecond (rounded down).
    static func utcMilliseconds(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0, seconds < 253_402_300_800 else { return "<unknown>" }
        let milliseconds = Int64((seconds * 1000).rounded(.down))
        let (year, month, day) = CivilDate.from(daysSince1970: milliseconds / 86_400_000)
        let inDay = milliseconds % 86_400_000
        var text = [UInt8]()
        text.reserveCapacity(24)
        for (value, digits, separator) in [
            (year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (inDay / 3_600_000, 2, ":"), (inDay / 60_000 % 60, 2, ":"), (inDay / 1000 % 60, 2, "."),
            (inDay % 1000, 3, "Z"),
        ] as [(Int64, Int, Unicode.Scalar)] {
            CivilDate.appendDigits(value, digits, to: &text)
            text.append(UInt8(ascii: separator))
        }
        return String(decoding: text, as: UTF8.self)
    }
}
