import ArgumentParser

/// The `nudge` command line: runs the platform and the tools around scenario files.
@main
struct Nudge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nudge",
        abstract: "Event-driven, real-time trigger marketing.",
        subcommands: [
            RunCommand.self, EngineCommand.self, ValidateCommand.self, SimulateCommand.self, DeployCommand.self,
            MigrateCommand.self, KeysCommand.self, DispatchCommand.self, ServeCommand.self,
        ]
    )
}
