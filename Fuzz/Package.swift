// swift-tools-version: 6.1
// libFuzzer targets for the parsers that face outside input (docs/fuzzing.md). Separate from the
// root package: every module here is built with -sanitize=fuzzer,address. Build and run with
//   bash scripts/fuzz.sh [seconds-per-target] [target...]
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "nudge") },
        path: "Sources/\(name)",
        swiftSettings: swiftSettings
    )
}

let package = Package(
    name: "nudge-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder name.
        .package(name: "nudge", path: "..")
    ],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport", swiftSettings: swiftSettings),
        fuzzTarget("fuzz-event-json", ["EngineCore", "Ingest"]),
        fuzzTarget("fuzz-scenario-yaml", ["EngineCore"]),
        fuzzTarget("fuzz-expression", ["EngineCore"]),
        fuzzTarget("fuzz-template", ["EngineCore", "MessageTemplates"]),
        fuzzTarget("fuzz-callback", ["EngineCore", "Feedback"]),
        fuzzTarget("fuzz-tracking-token", ["Feedback"]),
        fuzzTarget("fuzz-bounce-report", ["Feedback"]),
    ]
)
