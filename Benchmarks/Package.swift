// swift-tools-version: 6.1
// Benchmarks of the pure scenario core. Separate from the root package so that building and
// testing the product never pulls in the benchmark harness. Run from this folder:
//   swift package benchmark
import PackageDescription

let package = Package(
    name: "nudge-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder name.
        .package(name: "nudge", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
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
        )
    ]
)
