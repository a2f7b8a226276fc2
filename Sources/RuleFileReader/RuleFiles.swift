import EngineCore
import Foundation

/// Finds rule files on disk and reads them for `RuleSet`, the pure loader in EngineCore: the
/// CLI and the runtime call this; the core never touches the file system.
public enum RuleFiles {
    public static func isPolicyFile(_ path: String) -> Bool { RuleSet.isPolicyFile(path) }

    /// Expands directories into the YAML files below them (sorted); files are kept as given.
    public static func yamlFiles(in paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                missing.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let found = (manager.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            files.append(contentsOf: found)
        }
        return (files, missing)
    }

    /// Reads the scenarios and policy files under `paths` and loads them as one set. A path that
    /// does not exist, or a file that cannot be read, is an error of the result, at line 1.
    public static func load(paths: [String]) -> RuleSet.LoadResult {
        let (files, missing) = yamlFiles(in: paths)
        var readable: [RuleSet.File] = []
        var unreadable: [RuleError] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                unreadable.append(
                    RuleError(.yamlSyntax, at: SourceLocation(file: file, line: 1, column: 1), "cannot read file"))
                continue
            }
            readable.append(RuleSet.File(path: file, text: String(decoding: data, as: UTF8.self)))
        }
        var result = RuleSet.load(readable)
        result.files = files
        result.errors =
            missing.map {
                RuleError(.missingField, at: SourceLocation(file: $0, line: 1, column: 1), "no such file or directory")
            } + unreadable + result.errors
        return result
    }
}
