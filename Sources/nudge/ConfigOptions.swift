import ArgumentParser
import NudgeApp

/// `--config` shared by the commands that talk to the platform's services.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file; NUDGE_* environment variables override it.")
    var config: String?

    func load() async throws -> NudgeConfig {
        try await NudgeConfig.load(filePath: config)
    }
}
