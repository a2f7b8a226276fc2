import Testing

@testable import NudgeRedis

/// Pure logic: no server.
@Suite("Redis values")
struct RedisValueTests {
    @Test("SHA-1 matches the FIPS test vectors")
    func sha1Vectors() {
        #expect(SHA1.hexDigest(of: []) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hexDigest(of: Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            SHA1.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        )
        #expect(
            SHA1.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        )
    }

    @Test("Commands keep binary arguments as they are and name themselves upper-cased")
    func commandArguments() {
        let command = RedisCommand("set", "key", [0, 1, 0, 255] as [UInt8], 42, 1.5)
        #expect(command.name == "SET")
        #expect(
            command.arguments.map(\.bytes) == [
                Array("set".utf8), Array("key".utf8), [0, 1, 0, 255], Array("42".utf8), Array("1.5".utf8),
            ])
        let script = RedisScript("return 1")
        let eval = RedisCommand.evalSHA(script, keys: ["k"], args: ["a", "b"])
        #expect(
            eval.arguments.map { String(decoding: $0.bytes, as: UTF8.self) } == [
                "EVALSHA", script.sha1, "1", "k", "a", "b",
            ])
    }

    @Test("Reply accessors")
    func replyAccessors() throws {
        #expect(RedisReply.bulk(Array("12".utf8)).int == 12)
        #expect(RedisReply.bulk(Array("hé".utf8)).string == "hé")
        #expect(RedisReply.integer(7).int == 7)
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.null.isNull)
        #expect(RedisReply.array([.null]).array == [.null])
        #expect(RedisReply.integer(1).string == nil)
        #expect(throws: RedisError.self) { try RedisReply.error("ERR nope").throwingError() }
        let error = try #require(throws: RedisError.self) { try RedisReply.error("WRONGTYPE bad").throwingError() }
        #expect(error.code == .serverError)
        #expect(error.serverErrorPrefix == "WRONGTYPE")
    }
}
