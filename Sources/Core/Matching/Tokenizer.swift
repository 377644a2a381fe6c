import Foundation

/// Splits text into lowercase word tokens, Unicode-aware.
///
/// Letters and digits of any script make words; an apostrophe inside a word is dropped ("don't" → "dont",
/// "card's" → "cards"); accents are folded ("café" → "cafe"); each CJK ideograph or kana is a token of
/// its own, since those scripts do not separate words with spaces.
public enum Tokenizer {
    public static func tokens(_ text: String) -> [String] {
        if let ascii = asciiTokens(text) { return ascii }
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                let value = scalar.value
                if (0x61...0x7A).contains(value) || (0x30...0x39).contains(value) {
                    current.append(scalar)
                } else if (0x41...0x5A).contains(value) {
                    current.append(Unicode.Scalar(value + 32)!)
                } else if value == 0x27, !current.isEmpty, index + 1 < scalars.count, isWordScalar(scalars[index + 1]) {
                    continue  // apostrophe inside a word
                } else {
                    flush()
                    if value == 0x24 { tokens.append("$") }  // a currency symbol: a token of its own
                }
                continue
            }
            if scalar == "\u{2019}", !current.isEmpty, index + 1 < scalars.count, isWordScalar(scalars[index + 1]) {
                continue
            }
            if isIdeographic(scalar) {
                flush()
                tokens.append(String(scalar))
                continue
            }
            if scalar.properties.generalCategory == .currencySymbol {
                flush()
                tokens.append(String(scalar))
                continue
            }
            guard isWordScalar(scalar) else {
                flush()
                continue
            }
            if scalar.properties.generalCategory == .nonspacingMark { continue }  // combining accents
            for folded in fold(scalar) { current.append(folded) }
        }
        flush()
        return tokens
    }

    /// The same rules on plain ASCII text, straight from the UTF-8 bytes (most questions); nil when the
    /// text has other characters.
    static func asciiTokens(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var tokens: [String] = []
            var word: [UInt8] = []
            word.reserveCapacity(32)
            func isWordByte(_ byte: UInt8) -> Bool {
                (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
            }
            for index in 0..<bytes.count {
                let byte = bytes[index]
                if byte >= 0x80 { return nil }
                if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) {
                    word.append(byte)
                } else if (0x41...0x5A).contains(byte) {
                    word.append(byte + 32)
                } else if byte == 0x27, !word.isEmpty, index + 1 < bytes.count, isWordByte(bytes[index + 1]) {
                    continue  // apostrophe inside a word
                } else if byte == 0x24 {  // $, a currency symbol: a token of its own
                    if !word.isEmpty {
                        tokens.append(String(decoding: word, as: UTF8.self))
                        word.removeAll(keepingCapacity: true)
                    }
                    tokens.append("$")
                } else if !word.isEmpty {
                    tokens.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)) }
            return tokens
        }
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
            || properties.generalCategory == .nonspacingMark
    }

    static func isIdeographic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }

    /// Lowercases and strips accents through canonical decomposition, keeping the base letters.
    static func fold(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        scalar.properties.lowercaseMapping.decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.properties.generalCategory != .nonspacingMark }
    }
}
