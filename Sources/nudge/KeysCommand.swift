import API
import ArgumentParser
import Foundation
import Logging
import NudgeApp

/// `nudge keys create --role admin --name ops` / `nudge keys list`: API keys for the admin API.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and list API keys (stored hashed in PostgreSQL).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print its secret (shown only this once).")

        @OptionGroup var options: ConfigOptions

        @Option(help: "viewer, editor, publisher or admin.")
        var role: String

        @Option(help: "Who or what uses the key; it names the actor in the audit log.")
        var name: String

        func validate() throws {
            guard APIRole(rawValue: role) != nil else {
                throw ValidationError("--role must be viewer, editor, publisher or admin, not '\(role)'")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--name must not be empty")
            }
        }

        func run() async throws {
            guard let role = APIRole(rawValue: role) else { throw ValidationError("unknown role \(self.role)") }
            let config = try await options.load()
            var logger = Logger(label: "nudge.keys")
            logger.logLevel = .warning
            _ = try await NudgeApplication.migrate(config: config, logger: logger)
            let created = try await APIKeyAdministration.create(
                postgres: config.postgres, name: name.trimmingCharacters(in: .whitespaces), role: role, actor: "cli",
                logger: logger)
            print("created key \(created.key.id) '\(created.key.name)' (\(created.key.role.rawValue))")
            print("secret (shown once, store it now): \(created.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never their secrets).")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try await options.load()
            var logger = Logger(label: "nudge.keys")
            logger.logLevel = .warning
            _ = try await NudgeApplication.migrate(config: config, logger: logger)
            let keys = try await APIKeyAdministration.list(postgres: config.postgres, logger: logger)
            let dates = ISO8601DateFormatter()
            print("id\tname\trole\tprefix\tcreated\trevoked")
            for key in keys {
                print(
                    [
                        String(key.id), key.name, key.role.rawValue, key.prefix, dates.string(from: key.createdAt),
                        key.revokedAt.map { dates.string(from: $0) } ?? "-",
                    ].joined(separator: "\t"))
            }
        }
    }
}
