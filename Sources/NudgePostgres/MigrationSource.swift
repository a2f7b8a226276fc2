import Foundation

/// Reads migrations from a directory of `NNNN_description.sql` files.
public enum MigrationSource {
    public static func load(directory: URL) throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(.unreadable, "cannot list migrations in \(directory.path): \(error)")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError(
                    .badFileName, "\(directory.path)/\(fileName): expected NNNN_description.sql")
            }
            let url = directory.appendingPathComponent(fileName)
            let sql: String
            do {
                sql = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw MigrationError(.unreadable, "cannot read \(url.path): \(error)")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        try validateOrder(migrations)
        return migrations
    }

    static func validateOrder(_ migrations: [Migration]) throws(MigrationError) {
        var seen: [Int: String] = [:]
        for migration in migrations {
            if let other = seen[migration.version] {
                throw MigrationError(
                    .duplicateVersion, "migration version \(migration.version) used twice: \(other), \(migration.name)")
            }
            seen[migration.version] = migration.name
        }
    }
}
