import ArgumentParser
import EngineCore
import Foundation
import NudgeApp

/// `nudge deploy rules/`: validates scenario files and stores new versions in PostgreSQL; running
/// engines pick them up without a restart.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy scenario files (new versions) to PostgreSQL; running engines reload them.",
        discussion: """
            Each file must load without errors. A file whose id and version are already deployed with other \
            content is refused: bump its version. Drafts are skipped.
            """
    )

    @Argument(help: "Scenario files or directories.")
    var paths: [String] = ["rules"]

    @Option(help: "Who deploys, for the audit log.")
    var actor: String = ProcessInfo.processInfo.environment["USER"] ?? "cli"

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let report = try await NudgeApplication.deploy(paths: paths, actor: actor, config: config)
        for line in report.lines { print(line) }
        if report.failed { throw ExitCode.failure }
    }
}
