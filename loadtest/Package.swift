// swift-tools-version: 6.1
// Load-test harness for Nudge (issue 8): a realistic event generator and the probes that measure
// the engine against its ceilings. Separate from the root package so the product never builds it.
// It talks to the platform from the outside, the way an operator would: Kafka through librdkafka,
// the `nudge` binary as a child process, Redis and HTTP through redis-cli, redis-benchmark and wrk.
// Run everything with `bash loadtest/run.sh` from the repository root.
import PackageDescription

let package = Package(
    name: "nudge-loadtest",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nudge-load", targets: ["nudge-load"])
    ],
    targets: [
        // librdkafka, as in the root package: a module map and a shim header, nothing else.
        .systemLibrary(
            name: "CLoadKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .executableTarget(
            name: "nudge-load",
            dependencies: ["CLoadKafka"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
