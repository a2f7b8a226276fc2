import ArgumentParser
import NudgeApp

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run only the HTTP API (and the timeline recorder when timeline.enabled) until SIGTERM or SIGINT.",
        discussion: """
            Serves ingestion, content blocks, provider callbacks and tracking links, the admin API \
            (scenarios, customers, reports, keys) and /health, /ready, /metrics on http.host:http.port. \
            Several serve processes can run side by side; the timeline recorders share the consumer group \
            timeline.group_id. Migrations and topics are brought up to date at start.
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let app = try await NudgeApplication.build(config: config, components: [.postgres, .serve, .timeline])
        try await app.run()
    }
}
