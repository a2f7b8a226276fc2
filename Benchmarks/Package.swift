// swift-tools-version: 6.1
// Benchmarks of the pure scenario core and of the message templates (against swift-mustache).
// Separate from the root package so that building and testing the product never pulls in the
// benchmark harness. Run from this folder:
//   swift package benchmark
import PackageDescription

let package = Package(
    name: "nudge-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder name.
        .package(name: "nudge", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Only to compare with MessageTemplates' own renderer (docs/templates.md).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .executableTarget(
            name: "EngineCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EngineCore", package: "nudge"),
            ],
            path: "Benchmarks/EngineCoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MessageTemplatesBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EngineCore", package: "nudge"),
                .product(name: "MessageTemplates", package: "nudge"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Benchmarks/MessageTemplatesBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
