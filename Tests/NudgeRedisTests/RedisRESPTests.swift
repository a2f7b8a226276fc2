import Testing

@testable import NudgeRedis

/// Pure logic: the bytes a pipeline puts on the wire.
@Suite("Redis wire format")
struct RedisRESPTests {
    @Test("A pipeline is RESP arrays of bulk strings, binary-safe, in order")
    func pipelineBytes() {
        let commands = [
            RedisCommand("SET", "k", [0, 13, 10, 255] as [UInt8]),
            RedisCommand("HINCRBY", "stats", "n", 1234567890),
            RedisCommand("PING"),
        ]
        var wanted = Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n".utf8)
        wanted += Array("*4\r\n$7\r\nHINCRBY\r\n$5\r\nstats\r\n$1\r\nn\r\n$10\r\n1234567890\r\n".utf8)
        wanted += Array("*1\r\n$4\r\nPING\r\n".utf8)
        #expect(commands.respEncoded() == wanted)
        #expect(commands.reduce(0) { $0 + $1.respByteCount } == wanted.count)
    }

    @Test("Lengths of 0, 9, 10 and large arguments are written in decimal")
    func decimalLengths() {
        for length in [0, 1, 9, 10, 99, 100, 1_000_000] {
            let command = RedisCommand("SET", "k", [UInt8](repeating: 7, count: length))
            let bytes = [command].respEncoded()
            let header = Array("$\(length)\r\n".utf8)
            #expect(bytes.count == command.respByteCount)
            #expect(
                bytes.firstRange(of: header) != nil,
                "length \(length) must be written as \(String(decoding: header, as: UTF8.self))")
        }
    }
}
