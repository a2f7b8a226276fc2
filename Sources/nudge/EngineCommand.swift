import ArgumentParser
import NudgeApp

struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run only the engine runtime (with /health, /ready, /metrics) until SIGTERM or SIGINT.",
        discussion: "Several engine processes with the same engine.group_id split the Kafka partitions and their timers."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let app = try await NudgeApplication.build(config: config, components: [.engine])
        try await app.run()
    }
}
