import EngineCore
import Foundation
import Hummingbird

/// Reads a request body as a JSON object within a size limit, answering the right problem when
/// it cannot: 413 when too large (by Content-Length before reading, or while reading), 400 when
/// not a JSON object.
enum RequestBodyReader {
    static func bytes(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(length, limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(nil, limit: limit)
        }
    }

    /// A UTF-8 text body (scenario YAML) within `limit` bytes.
    static func text(_ request: Request, limit: Int) async throws -> String {
        let buffer = try await bytes(request, limit: limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw ProblemDetails(kind: .invalidRequest, detail: "the body is not UTF-8 text")
        }
        return text
    }

    static func jsonObject(_ request: Request, limit: Int) async throws -> [String: Value] {
        try object(from: try await bytes(request, limit: limit))
    }

    static func object(from buffer: ByteBuffer) throws(ProblemDetails) -> [String: Value] {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ProblemDetails(kind: .invalidJSON, detail: "the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw ProblemDetails(kind: .invalidJSON, detail: "the body must be a JSON object")
        }
        return object
    }

    private static func tooLarge(_ size: Int?, limit: Int) -> ProblemDetails {
        let size = size.map { "\($0) bytes" } ?? "the body"
        return ProblemDetails(kind: .bodyTooLarge, detail: "\(size) exceeds the limit of \(limit) bytes")
    }
}

/// The JSON responses of the API.
enum JSONResponse {
    /// A `Value` written by the core's JSONValueWriter: the bytes `encode` gives it (sorted keys,
    /// slashes unescaped) without Foundation's encoder, for the routes a page waits on.
    static func value(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = (try? JSONValueWriter.bytes(value)) ?? Array("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
