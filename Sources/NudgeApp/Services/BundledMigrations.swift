import Foundation
import NudgePostgres

/// The platform's own schema migrations, shipped as resources of this module.
enum BundledMigrations {
    static func load() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError(.unreadable, "the Migrations resource folder is missing from the NudgeApp bundle")
        }
        return try MigrationSource.load(directory: directory)
    }
}
