/// The partition a key lands in with the producer's partitioner (`murmur2_random`, the Java
/// client's default): `murmur2(key) & 0x7fffffff % partitions`. Lets a process find which
/// partition owns a customer without producing anything (the engine's replan does).
public enum KafkaPartitioner {
    public static func partition(forKey key: some Collection<UInt8>, partitions: Int) -> Int32 {
        precondition(partitions > 0, "a topic has at least one partition")
        return Int32(Int(murmur2(Array(key)) & 0x7fff_ffff) % partitions)
    }

    /// Kafka's `Utils.murmur2` (seed 0x9747b28c), as librdkafka's `rd_murmur2`.
    static func murmur2(_ data: [UInt8]) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var index = 0
        while index + 4 <= length {
            var k =
                UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16
                | UInt32(data[index + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
            index += 4
        }
        let rest = length - index
        if rest >= 3 { h ^= UInt32(data[index + 2]) << 16 }
        if rest >= 2 { h ^= UInt32(data[index + 1]) << 8 }
        if rest >= 1 {
            h ^= UInt32(data[index])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
