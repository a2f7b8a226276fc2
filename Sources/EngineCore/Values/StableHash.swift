/// FNV-1a, 64 bit. Used for random splits and ids, where the result must be the same in every
/// process and on every run (Swift's `hashValue` is seeded per process).
public enum StableHash {
    public static func fnv1a64(_ parts: String...) -> UInt64 {
        fnv1a64(parts: parts)
    }

    public static func fnv1a64(parts: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, part) in parts.enumerated() {
            if index > 0 {
                // A separator that cannot appear in UTF-8 keeps ("ab","c") apart from ("a","bc").
                hash ^= 0xff
                hash &*= 0x0000_0100_0000_01b3
            }
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    /// 16 lowercase hex digits, written in place: one allocation (ids are built per entry).
    public static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<16 {
                let nibble = Int((value >> UInt64(60 - index * 4)) & 0xf)
                buffer[index] = digits.utf8Start[nibble]
            }
            return 16
        }
    }
}
