/// Why a BPMN file could not be imported or a scenario not exported, and where.
public struct BPMNError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The file is not well-formed XML.
        public static let notXML = Code(rawValue: "not-xml")
        /// Well-formed XML, but not BPMN 2.0 `definitions`.
        public static let notBPMN = Code(rawValue: "not-bpmn")
        /// The definitions hold no `process`.
        public static let noProcess = Code(rawValue: "no-process")
        /// The process has no start event: a scenario needs a trigger.
        public static let noStartEvent = Code(rawValue: "no-start-event")
        /// A start event Nudge cannot trigger on, or more than one.
        public static let unsupportedStart = Code(rawValue: "unsupported-start")
        /// A sequence flow or attachment names an element that does not exist.
        public static let brokenReference = Code(rawValue: "broken-reference")
        /// The scenario to export does not validate.
        public static let invalidScenario = Code(rawValue: "invalid-scenario")

        public var description: String { rawValue }
    }

    public var code: Code
    public var file: String
    /// 1-based line in `file`, when known.
    public var line: Int?
    public var message: String
    /// Further lines, e.g. every validation error of a scenario that does not validate.
    public var details: [String]

    public init(_ code: Code, file: String, line: Int?, _ message: String, details: [String] = []) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
        self.details = details
    }

    /// `order.bpmn:12: error: ...`, like the scenario loader's errors.
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): error: \(message)"
    }
}
