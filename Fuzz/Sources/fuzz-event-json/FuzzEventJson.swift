import EngineCore
import FuzzSupport
import Ingest

// An incoming Kafka record or HTTP body: the hand-written JSON parser, the Segment event decoder
// (size limit, spec checks) and the JSON-lines reader of the simulator. Whatever parses must
// write back and parse again to the same value.
private let decoder = EventDecoder()

@main
enum FuzzEventJson {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let value = try? JSONValueParser.parse(bytes) {
        if let written = try? value.jsonBytes() {
            let again = try? JSONValueParser.parse(written)
            fuzzCheck(again != nil, "written JSON does not parse again: \(String(decoding: written, as: UTF8.self))")
        }
    }
    _ = decoder.decode(bytes, recordId: "fuzz")
    _ = try? SegmentEventDecoder.events(jsonLines: String(decoding: bytes, as: UTF8.self), file: "fuzz.jsonl")
    return 0
}
