/// Decodes an `application/x-www-form-urlencoded` body (slash commands, interactivity payloads).
public struct FormFields: Sendable, Hashable {
    public private(set) var values: [String: String] = [:]
    /// Fields that could not be decoded (a broken %-escape or bytes that are not UTF-8), by name
    /// (`?` when the name itself is broken): a request with any is malformed and gets a 400.
    public private(set) var invalidFields: [String] = []

    public init(_ body: [UInt8]) {
        // One pass over `name=value&…`, by index (no split into arrays of slices).
        var start = 0
        while start <= body.count {
            let end = body[start...].firstIndex(of: UInt8(ascii: "&")) ?? body.count
            if start < end {
                let equals = body[start..<end].firstIndex(of: UInt8(ascii: "="))
                let name = Self.decode(body[start..<(equals ?? end)])
                let value = equals.map { Self.decode(body[($0 + 1)..<end]) } ?? ""
                if let name, let value {
                    if values[name] == nil { values[name] = value }
                } else {
                    invalidFields.append(name ?? "?")
                }
            }
            start = end + 1
        }
    }

    /// "form field 'text' is not valid UTF-8 or has a broken %-escape", for the first invalid field.
    public var problem: String? {
        invalidFields.first.map { "form field '\($0)' is not valid UTF-8 or has a broken %-escape" }
    }

    public subscript(name: String) -> String? { values[name] }

    /// Percent-decoding with `+` as space; nil for broken escapes or invalid UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        // Most fields have nothing to decode: validated as they are.
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(validating: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    /// The value of one hexadecimal digit (ASCII), or nil.
    public static func hexDigit(_ byte: UInt8) -> UInt8? { hexValue(byte) }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
