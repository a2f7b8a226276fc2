import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body, as browsers send forms.
struct ConsoleForm: Sendable, Equatable {
    private(set) var fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    /// Parses `a=1&b=x+y%21`; a field given twice keeps its first value. Line breaks come as LF:
    /// browsers send a textarea's as CRLF, which the YAML and JSON-lines readers would not split on.
    /// Pure.
    static func parse(_ body: String) throws(ConsoleError) -> ConsoleForm {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw ConsoleError(.badRequest, "the form is not valid URL-encoded text")
            }
            if fields[name] == nil { fields[name] = value.replacingOccurrences(of: "\r\n", with: "\n") }
        }
        return ConsoleForm(fields: fields)
    }

    /// Reads and parses the body of `request`: at most `limit` bytes, UTF-8, URL-encoded.
    static func read(_ request: Request, limit: Int) async throws -> ConsoleForm {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw ConsoleError(.unsupportedMediaType, "the console takes forms (application/x-www-form-urlencoded)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ConsoleError(.contentTooLarge, "the form is larger than \(limit) bytes")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw ConsoleError(.badRequest, "the form is not UTF-8 text")
        }
        return try parse(text)
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
