import ArgumentParser
import NudgeApp

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending PostgreSQL migrations and exit."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try await options.load()
        let report = try await NudgeApplication.migrate(config: config)
        print("applied: \(report.applied.map(String.init).joined(separator: ", ").ifEmpty("none")); "
            + "already applied: \(report.alreadyApplied.count)")
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
