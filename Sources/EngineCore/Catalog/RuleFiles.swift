import Foundation

/// Finds and loads rule files from disk. The only file I/O in EngineCore, kept apart from the
/// pure core: the CLI and the runtime call it, the transition function never does.
public enum RuleFiles {
    /// The outcome of loading a set of files: what loaded, and every error in any of them.
    public struct LoadResult: Sendable {
        public var scenarios: [Scenario] = []
        public var policies: [ContactPolicy] = []
        public var files: [String] = []
        public var errors: [RuleError] = []
    }

    public static func isPolicyFile(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name == "policy.yaml" || name == "policy.yml"
    }

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

    /// Loads scenarios and policy files, and checks the set (no id+version twice).
    public static func load(paths: [String]) -> LoadResult {
        var result = LoadResult()
        let (files, missing) = yamlFiles(in: paths)
        for path in missing {
            result.errors.append(
                RuleError(
                    .missingField, at: SourceLocation(file: path, line: 1, column: 1), "no such file or directory"))
        }
        result.files = files
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                result.errors.append(
                    RuleError(.yamlSyntax, at: SourceLocation(file: file, line: 1, column: 1), "cannot read file")
                )
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            if isPolicyFile(file) {
                switch PolicyLoader.load(yaml: text, file: file) {
                case .success(let policy): result.policies.append(policy)
                case .failure(let errors): result.errors.append(contentsOf: errors.errors)
                }
            } else {
                switch ScenarioLoader.load(yaml: text, file: file) {
                case .success(let scenario): result.scenarios.append(scenario)
                case .failure(let errors): result.errors.append(contentsOf: errors.errors)
                }
            }
        }
        do {
            _ = try ScenarioCatalog(result.scenarios)
        } catch {
            result.errors.append(contentsOf: error.errors)
        }
        return result
    }
}
