import Foundation

/// Reads Segment-spec events (and profile seeds), one JSON object per line.
public enum SegmentEventDecoder {
    public struct LineError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String

        public var description: String { "\(file):\(line): error: \(message)" }
    }

    public static func events(jsonLines: String, file: String) throws(LineError) -> [Event] {
        var events: [Event] = []
        for (number, object) in try objects(jsonLines: jsonLines, file: file) {
            events.append(try event(object, file: file, line: number))
        }
        return events
    }

    /// `{"userId": "u1", "traits": {...}}`; without `traits`, every other field is a trait.
    public static func profiles(
        jsonLines: String, file: String
    ) throws(LineError) -> [(customer: String, traits: [String: Value])] {
        var profiles: [(customer: String, traits: [String: Value])] = []
        for (number, object) in try objects(jsonLines: jsonLines, file: file) {
            guard let customer = (object["userId"] ?? object["customer_id"])?.stringValue else {
                throw LineError(file: file, line: number, message: "a profile needs 'userId' or 'customer_id'")
            }
            if case .object(let traits)? = object["traits"] {
                profiles.append((customer, traits))
            } else {
                profiles.append((customer, object.filter { $0.key != "userId" && $0.key != "customer_id" }))
            }
        }
        return profiles
    }

    private static func objects(jsonLines: String, file: String) throws(LineError) -> [(Int, [String: Value])] {
        var objects: [(Int, [String: Value])] = []
        for (index, line) in jsonLines.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("//") { continue }
            let value: Value
            do {
                value = try JSONValueParser.parse(Array(trimmed.utf8))
            } catch {
                // Columns of the line as written, not of its trimmed text.
                let leading = line.firstRange(of: trimmed).map { line.distance(from: line.startIndex, to: $0.lowerBound) } ?? 0
                throw LineError(
                    file: file, line: index + 1,
                    message: "not valid JSON: \(error.message) (column \(error.column + leading))")
            }
            guard case .object(let object) = value else {
                throw LineError(file: file, line: index + 1, message: "not a JSON object")
            }
            objects.append((index + 1, object))
        }
        return objects
    }

    /// Events without a messageId get one from the file's name (not its path, which depends on
    /// where the tool was run) and the line, so ids stay stable across runs.
    private static func fileName(_ path: String) -> Substring {
        path.split(separator: "/").last ?? Substring(path)
    }

    static func event(_ object: [String: Value], file: String, line: Int) throws(LineError) -> Event {
        do {
            return try Event(segment: object, fallbackMessageId: "\(file)#\(line)")
        } catch {
            throw LineError(file: file, line: line, message: error.message)
        }
    }
}
