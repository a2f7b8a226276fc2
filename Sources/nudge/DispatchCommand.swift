import ArgumentParser
import NudgeApp

struct DispatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Run the dispatcher: outbound messages to the channel connectors, feedback into the message log.",
        discussion: """
            Reads connectors/*.yaml and connectors/templates/ (connectors.directory). Several dispatcher \
            processes with the same dispatcher.group_id split the outbound topic; the dispatch ledger in \
            Redis keeps a replayed message from reaching its provider twice.
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let app = try await NudgeApplication.build(config: config, components: [.postgres, .dispatcher])
        try await app.run()
    }
}
