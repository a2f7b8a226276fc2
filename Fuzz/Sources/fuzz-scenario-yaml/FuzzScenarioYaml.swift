import EngineCore
import FuzzSupport

// A scenario file (rules/*.yaml, or a deploy through the admin API or the console): YAML through
// Yams, then the loader's validation and the expressions in it.
@main
enum FuzzScenarioYaml {
    static func main() { runFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    _ = ScenarioLoader.load(yaml: text, file: "fuzz.yaml")
    return 0
}
