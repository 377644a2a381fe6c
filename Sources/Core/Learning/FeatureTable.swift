/// Feature key → feature id, by open addressing with linear probing. The keys are already hashes, so
/// one multiply spreads them; this is several times faster than `Dictionary`, whose keyed hashing is
/// built to resist adversarial keys rather than for speed, and it is on every question's hot path.
struct FeatureTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private let shift: UInt64
    private(set) var count = 0

    /// Room for `capacity` keys at a load of at most one half.
    init(capacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = [UInt64](repeating: 0, count: 1 << Int(bits))
        values = [Int32](repeating: -1, count: 1 << Int(bits))
        shift = 64 - bits
    }

    /// 0 marks an empty slot, so the key 0 is stored as 1 (a collision of two in 2^64).
    @inline(__always)
    private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    mutating func insert(_ key: UInt64, _ value: Int32) {
        let key = Self.stored(key)
        let mask = keys.count - 1
        var index = slot(key)
        while keys[index] != 0 {
            if keys[index] == key {
                values[index] = value
                return
            }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = value
        count += 1
    }

    @inline(__always)
    func find(_ key: UInt64) -> Int32? {
        let key = Self.stored(key)
        return keys.withUnsafeBufferPointer { keys in
            let mask = keys.count - 1
            var index = slot(key)
            while true {
                let found = keys[index]
                if found == key { return values[index] }
                if found == 0 { return nil }
                index = (index + 1) & mask
            }
        }
    }
}
