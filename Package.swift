// swift-tools-version: 6.1
// Nudge: event-driven, real-time trigger marketing. Targets follow the data flow:
// ingest -> engine -> policy -> dispatch -> connectors -> feedback, over thin adapters for
// Kafka (librdkafka), Redis (hiredis) and PostgreSQL (postgres-nio).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "nudge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nudge", targets: ["nudge"]),
        // For the benchmark package in Benchmarks/, which can only use library products.
        .library(name: "EngineCore", targets: ["EngineCore"]),
        .library(name: "MessageTemplates", targets: ["MessageTemplates"]),
        // For the fuzz targets in Fuzz/ (the parsers that face outside input).
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Feedback", targets: ["Feedback"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries: one system-library target each, nothing else in it.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),

        // Thin, safe adapters: the only targets that import the C modules or talk to a server.
        .target(
            name: "NudgeKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NudgeRedis",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NudgePostgres",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The loop every side consumer (message log, timeline) shares: consume, record a batch,
        // commit after it, close the consumer on every way out.
        .target(
            name: "SideConsumer",
            dependencies: [
                "NudgeKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The pure scenario core: language, expressions, transition function. No I/O.
        .target(
            name: "EngineCore",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ],
            swiftSettings: swiftSettings
        ),

        // Ingest: Kafka records (and later HTTP bodies) to validated events, or a dead-letter reason.
        .target(
            name: "Ingest",
            dependencies: ["EngineCore"],
            swiftSettings: swiftSettings
        ),
        // Dispatcher: the outbound topic to the providers: templates, connectors (SMTP, HTTP, Kafka
        // hand-off, on-site), retries, breakers, fallbacks, rate limits, the ledger that makes
        // dispatch idempotent, the message log; and the feedback that comes back.
        .target(
            name: "Dispatcher",
            dependencies: [
                "SharedStores",
                "EngineCore",
                "NudgeRecords",
                "ProcessSupport",
                "Ingest",
                "Feedback",
                "MessageTemplates",
                "NudgeSMTP",
                "NudgeKafka",
                "NudgeRedis",
                "SideConsumer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Message templates: strict Mustache over the core's values (a missing variable is an error).
        .target(
            name: "MessageTemplates",
            dependencies: [
                "EngineCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // SMTP client and MIME builder: a thin adapter like the Kafka and Redis ones.
        .target(
            name: "NudgeSMTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Feedback: pure pieces of the way back: signed tracking tokens, callback signatures,
        // provider payload mapping, normalized feedback events.
        .target(
            name: "Feedback",
            dependencies: [
                "EngineCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // BPMN 2.0 import and export of scenarios (Camunda Modeler, bpmn.io): pure, XML in and out.
        .target(
            name: "BPMN",
            dependencies: [
                "EngineCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Rule files read from disk and handed to the core's RuleSet as text.
        .target(
            name: "RuleFileReader",
            dependencies: ["EngineCore"],
            swiftSettings: swiftSettings
        ),
        // The records processes share, and their codecs: the outbound message on Kafka, content
        // slots and the Redis key layout. What crosses from one process to another lives here.
        .target(
            name: "NudgeRecords",
            dependencies: ["EngineCore"],
            swiftSettings: swiftSettings
        ),
        // The stores more than one process reads or writes: the customer timeline table (written
        // by the timeline recorder, read by the admin API) and the dispatch ledger.
        .target(
            name: "SharedStores",
            dependencies: [
                "EngineCore",
                "NudgeRecords",
                "ProcessSupport",
                "NudgeRedis",
                "NudgeKafka",
                "Feedback",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every process runs with: the wall clock, crash injection points, the shutdown gate.
        .target(
            name: "ProcessSupport",
            dependencies: ["EngineCore"],
            swiftSettings: swiftSettings
        ),
        // Engine runtime: the pure core on Kafka and Redis, per partition, effectively once.
        .target(
            name: "Engine",
            dependencies: [
                "EngineCore",
                "NudgeRecords",
                "ProcessSupport",
                "Ingest",
                "NudgeKafka",
                "NudgeRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Backtests: candidate scenarios over the retained events topic, through the pure core on event
        // time. Reads Kafka (partition readers, no consumer group); writes nothing anywhere.
        .target(
            name: "Backtest",
            dependencies: [
                "EngineCore",
                "Ingest",
                "NudgeKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Deployed scenario versions in PostgreSQL: deploy, pause, resume, archive, the catalog.
        .target(
            name: "ScenarioStore",
            dependencies: [
                "EngineCore",
                "NudgePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Customer timelines: every event and delivery feedback per customer, in PostgreSQL, written
        // by a recorder with a consumer group of its own, read by the admin API.
        .target(
            name: "Timeline",
            dependencies: [
                "SharedStores",
                "EngineCore",
                "Ingest",
                "NudgeKafka",
                "SideConsumer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The public HTTP API: ingestion, content blocks, admin, auth.
        .target(
            name: "API",
            dependencies: [
                "SharedStores",
                "EngineCore",
                "Ingest",
                "NudgeRecords",
                "ProcessSupport",
                "Feedback",
                "ScenarioStore",
                "NudgeKafka",
                "NudgeRedis",
                "NudgePostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // Composition root: configuration, services, the operations HTTP endpoints.
        .target(
            name: "NudgeApp",
            dependencies: [
                "RuleFileReader",
                "Dispatcher",
                "Feedback",
                "MessageTemplates",
                "NudgeKafka",
                "NudgeRedis",
                "NudgePostgres",
                "EngineCore",
                "Engine",
                "API",
                "ScenarioStore",
                "Timeline",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nudge",
            dependencies: [
                "Backtest",
                "RuleFileReader",
                "BPMN",
                "NudgeApp",
                "EngineCore",
                "API",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Shared by the integration test targets (throwaway databases); not part of the product.
        .target(
            name: "NudgeTestSupport",
            dependencies: [
                "NudgePostgres",
                "NudgeRedis",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "NudgeKafkaTests",
            dependencies: ["NudgeKafka"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NudgeRecordsTests",
            dependencies: ["NudgeRecords", "SharedStores", "NudgeRedis", "EngineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SideConsumerTests",
            dependencies: [
                "SideConsumer", "NudgeKafka",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NudgeRedisTests",
            dependencies: ["NudgeRedis", "NudgeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NudgePostgresTests",
            dependencies: ["NudgePostgres", "NudgeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EngineCoreTests",
            dependencies: [
                "RuleFileReader",
                "EngineCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DispatcherTests",
            dependencies: [
                "SharedStores",
                "NudgeRecords",
                "ProcessSupport",
                "Dispatcher",
                "NudgeApp",
                "Feedback",
                "Engine",
                "EngineCore",
                "MessageTemplates",
                "NudgeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NudgeSMTPTests",
            dependencies: [
                "NudgeSMTP",
                "NudgeTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BPMNTests",
            dependencies: ["BPMN", "EngineCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FeedbackTests",
            dependencies: ["Feedback", "EngineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MessageTemplatesTests",
            dependencies: [
                "RuleFileReader", "MessageTemplates", "EngineCore",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScenarioStoreTests",
            dependencies: [
                "ScenarioStore",
                "NudgeApp",
                "NudgeTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BacktestTests",
            dependencies: ["Backtest", "EngineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Backtest",
                "SharedStores",
                "NudgeRecords",
                "ProcessSupport",
                "Engine",
                "Dispatcher",
                "NudgeApp",
                "Feedback",
                "API",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "ScenarioStore",
                "NudgeTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "SharedStores",
                "NudgeRecords",
                "ProcessSupport",
                "API",
                "NudgeApp",
                "NudgeTestSupport",
                "ScenarioStore",
                "Timeline",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NudgeAppTests",
            dependencies: [
                "NudgeApp",
                "API",
                "Engine",
                "NudgeTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
