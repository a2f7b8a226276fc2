import ArgumentParser
import EngineCore
import RuleFileReader

/// `nudge validate [paths]`: checks scenario and policy files; every error with file:line:column.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate scenario files and the contact policy.",
        discussion: "Prints every error as file:line:column and exits with status 1 if there is any."
    )

    @Argument(help: "Files or directories to check.")
    var paths: [String] = ["rules"]

    func run() throws {
        let result = RuleFiles.load(paths: paths)
        for error in result.errors { print(error.description) }
        if result.errors.isEmpty {
            let counts = "\(result.scenarios.count) scenario(s), \(result.policies.count) policy file(s)"
            print("ok: \(result.files.count) file(s), \(counts)")
            return
        }
        print("\(result.errors.count) error(s) in \(Set(result.errors.map(\.location.file)).count) file(s)")
        throw ExitCode.failure
    }
}
