/// A set of rule files (scenarios and policy files) loaded from their text: what loaded, and
/// every error in any of them, with the set checked as a whole (no id+version twice). Pure: the
/// files are read by an adapter (`RuleFileReader`) and handed over as text.
public enum RuleSet {
    /// One rule file: its path (for error locations and to tell policy files apart) and its text.
    public struct File: Sendable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// The outcome of loading a set of files: what loaded, and every error in any of them.
    public struct LoadResult: Sendable {
        public var scenarios: [Scenario] = []
        public var policies: [ContactPolicy] = []
        public var files: [String] = []
        public var errors: [RuleError] = []

        public init() {}
    }

    /// `policy.yaml` (or `.yml`) in any folder is a contact policy; every other file a scenario.
    public static func isPolicyFile(_ path: String) -> Bool {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        return name == "policy.yaml" || name == "policy.yml"
    }

    /// Loads scenarios and policy files, and checks the set (no id+version twice).
    public static func load(_ files: [File]) -> LoadResult {
        var result = LoadResult()
        result.files = files.map(\.path)
        for file in files {
            if isPolicyFile(file.path) {
                switch PolicyLoader.load(yaml: file.text, file: file.path) {
                case .success(let policy): result.policies.append(policy)
                case .failure(let errors): result.errors.append(contentsOf: errors.errors)
                }
            } else {
                switch ScenarioLoader.load(yaml: file.text, file: file.path) {
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
