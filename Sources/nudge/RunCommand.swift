import ArgumentParser
import NudgeApp

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the platform: migrations, topics, rules, and the services, until SIGTERM or SIGINT."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let app = try await NudgeApplication.build(config: config)
        try await app.run()
    }
}
