/// A minimal JSON writer: objects (fields in the order written; callers write them sorted),
/// arrays, strings, booleans. Strings are escaped as `JSONEncoder` escapes them: quote, backslash,
/// the named control characters, other control characters as `\u00XX`; `/` and non-ASCII stay.
public struct JSONBytes: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(512) }

    /// Appends JSON written elsewhere, as it is.
    public mutating func append(json: some Sequence<UInt8>) { bytes.append(contentsOf: json) }

    public struct Object {
        var out: JSONBytes
        var first = true

        init(out: JSONBytes) { self.out = out }

        public mutating func field(_ name: StaticString, _ write: (inout JSONBytes) -> Void) {
            key(name)
            write(&out)
        }

        public mutating func field(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            out.string(value)
        }

        public mutating func field(_ name: StaticString, _ value: Bool?) {
            guard let value else { return }
            key(name)
            out.bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        }

        /// A number as Swift prints it (the shortest text that reads back the same); a value that is
        /// not finite, which JSON cannot hold, as 0.
        public mutating func field(_ name: StaticString, _ value: Double) {
            key(name)
            out.bytes.append(contentsOf: Array((value.isFinite ? "\(value)" : "0").utf8))
        }

        private mutating func key(_ name: StaticString) {
            if !first { out.bytes.append(UInt8(ascii: ",")) }
            first = false
            out.bytes.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.bytes.append(contentsOf: $0) }
            out.bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
    }

    public mutating func object(_ fields: (inout Object) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var object = Object(out: JSONBytes(taking: bytes))
        bytes = []
        fields(&object)
        bytes = object.out.bytes
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONBytes, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (position, element) in elements.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { buffer in
            // Runs of bytes that need no escape are copied whole.
            var start = 0
            for index in buffer.indices {
                let byte = buffer[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
                escape(byte)
                start = index + 1
            }
            if start < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }

    private init(taking bytes: [UInt8]) { self.bytes = bytes }
}

extension Match {
    /// Matches as the JSON array the question log keeps (the keys `Match`'s `Codable` uses), written
    /// directly: a question's near misses are stored with it on the request path.
    public static func json(_ matches: [Match]) -> String {
        var out = JSONBytes()
        out.array(matches) { out, match in
            out.object { object in
                object.field("confidence", match.confidence)
                object.field("exact", match.exact)
                object.field("nuggetID", match.nuggetID)
                object.field("score", match.score)
                object.field("title", match.title)
            }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
