/// Feature key → feature id, by open addressing with linear probing. The keys are already hashes, so
/// one multiply spreads them; this is several times faster than `Dictionary`, whose keyed hashing is
/// built to resist adversarial keys rather than for speed, and it is on every question's hot path.
/// Key and id sit side by side in one slot, so a look-up touches one cache line.
struct FeatureTable: Sendable {
    private struct Slot {
        var key: UInt64
        var value: Int32
    }

    private var slots: [Slot]
    private let shift: UInt64
    private(set) var count = 0

    /// Room for `capacity` keys at a load of at most one half.
    init(capacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        slots = [Slot](repeating: Slot(key: 0, value: -1), count: 1 << Int(bits))
        shift = 64 - bits
    }

    /// 0 marks an empty slot, so the key 0 is stored as 1 (a collision of two in 2^64).
    @inline(__always)
    private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    /// The top bits of the key times a large odd constant (after folding the high half in, since
    /// FNV-style keys carry little entropy in their top bits).
    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(((key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    mutating func insert(_ key: UInt64, _ value: Int32) {
        let key = Self.stored(key)
        let mask = slots.count - 1
        var index = slot(key)
        while slots[index].key != 0 {
            if slots[index].key == key {
                slots[index].value = value
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(key: key, value: value)
        count += 1
    }

    @inline(__always)
    func find(_ key: UInt64) -> Int32? {
        let key = Self.stored(key)
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = slot(key)
            while true {
                let found = slots[index]
                if found.key == key { return found.value }
                if found.key == 0 { return nil }
                index = (index + 1) & mask
            }
        }
    }
}
