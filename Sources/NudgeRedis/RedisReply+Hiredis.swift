import CHiredis

extension RedisReply {
    /// Deep-copies a hiredis reply into Swift values; the caller still owns and frees `reply`.
    static func copying(_ reply: UnsafePointer<redisReply>) throws(RedisError) -> RedisReply {
        let raw = reply.pointee
        switch raw.type {
        case REDIS_REPLY_STRING:
            return .bulk(Array(UnsafeRawBufferPointer(start: raw.str, count: raw.len)))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: raw.str, count: raw.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: raw.str, count: raw.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(raw.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(raw.elements)
            for index in 0..<raw.elements {
                guard let element = raw.element?[index] else {
                    throw RedisError(code: .protocolError, message: "array reply with a missing element")
                }
                elements.append(try copying(element))
            }
            return .array(elements)
        default:
            throw RedisError(code: .protocolError, message: "unsupported reply type \(raw.type)")
        }
    }
}
