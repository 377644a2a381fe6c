/// Turns analysed text into 64-bit feature keys: stemmed words, stemmed word pairs, and character
/// n-grams of each word with boundary marks (`^taxi$` → `^ta`, `tax`, …, `xi$`, `^tax`, …).
///
/// Keys are FNV-1a hashes computed straight from the characters, so no string is built per n-gram;
/// at 64 bits, collisions among a content set's few hundred thousand features are negligible.
struct FeatureHasher: Sendable {
    /// Character n-gram lengths.
    var ngramRange: ClosedRange<Int> = 2...5

    enum Kind: UInt64 {
        case word = 0x77, pair = 0x62, chars = 0x63
        /// A whole token (before stemming), to find a known word's resolved features.
        case token = 0x74
    }

    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    /// One FNV-style step per Unicode scalar (xor the whole value, then multiply): one multiply per
    /// character instead of one per byte. Train and query use the same function, so only the keys'
    /// spread matters, and a final avalanche in `FeatureTable` takes care of that.
    @inline(__always)
    static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        (hash ^ value) &* prime
    }

    static func hash(_ kind: Kind, _ text: String) -> UInt64 {
        var h = mix(offset, kind.rawValue)
        for scalar in text.unicodeScalars { h = mix(h, UInt64(scalar.value)) }
        return h
    }

    /// Word and word-pair keys (one block) and character n-gram keys (another), each with repeats.
    func keys(tokens: [String], stems: [String]) -> (words: [UInt64], chars: [UInt64]) {
        var words: [UInt64] = []
        words.reserveCapacity(stems.count * 2)
        var previous: UInt64?
        for stem in stems {
            let key = Self.hash(.word, stem)
            words.append(key)
            if let previous { words.append(Self.mix(Self.mix(previous, Kind.pair.rawValue), key)) }
            previous = key
        }
        var chars: [UInt64] = []
        chars.reserveCapacity(tokens.count * 12)
        var scalars: [UInt32] = []
        for token in tokens {
            scalars.removeAll(keepingCapacity: true)
            scalars.append(0x5E)  // ^
            for scalar in token.unicodeScalars { scalars.append(scalar.value) }
            scalars.append(0x24)  // $
            let count = scalars.count
            for n in ngramRange {
                if n > count {
                    if n == ngramRange.lowerBound { chars.append(Self.ngram(scalars, 0, count)) }
                    break
                }
                for start in 0...(count - n) { chars.append(Self.ngram(scalars, start, n)) }
            }
        }
        return (words, chars)
    }

    @inline(__always)
    static func ngram(_ scalars: [UInt32], _ start: Int, _ length: Int) -> UInt64 {
        var h = mix(offset, Kind.chars.rawValue)
        for index in start..<(start + length) { h = mix(h, UInt64(scalars[index])) }
        return h
    }
}
