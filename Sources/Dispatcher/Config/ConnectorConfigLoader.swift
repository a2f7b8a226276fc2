import EngineCore
import Feedback
import Foundation
import Yams

/// Reads `connectors/*.yaml` (one connector per file; templates live in `connectors/templates/`).
/// `${NAME}` anywhere in a value is replaced by that environment variable, which is how secrets
/// (passwords, tokens, callback keys) stay out of the files; a variable that is not set is an
/// error naming the variable, never its value.
public struct ConnectorConfigLoader {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads and cross-checks every connector of a directory. A missing directory has none.
    public func load(directory: String) throws(ConnectorConfigErrors) -> [ConnectorConfig] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            return []
        }
        var configs: [ConnectorConfig] = []
        var errors: [ConnectorConfigError] = []
        var origins: [String: String] = [:]
        for name in files {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let config = try load(yaml: text, file: path)
                if let other = origins[config.name] {
                    errors.append(.init(file: path, line: 1, column: 1, message: "connector \(config.name) is also defined in \(other)"))
                }
                origins[config.name] = path
                configs.append(config)
            } catch let error as ConnectorConfigErrors {
                errors += error.errors
            } catch {
                errors.append(.init(file: path, line: 1, column: 1, message: "cannot read: \(error)"))
            }
        }
        errors += Self.crossCheck(configs, origins: origins)
        guard errors.isEmpty else { throw ConnectorConfigErrors(errors: errors) }
        return configs
    }

    public func load(yaml: String, file: String) throws(ConnectorConfigErrors) -> ConnectorConfig {
        let root: Node
        do {
            guard let parsed = try Yams.compose(yaml: yaml) else {
                throw ConnectorConfigErrors(errors: [.init(file: file, line: 1, column: 1, message: "the file is empty")])
            }
            root = parsed
        } catch let error as ConnectorConfigErrors {
            throw error
        } catch {
            throw ConnectorConfigErrors(errors: [.init(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
        let reader = ConnectorYAMLReader(file: file, environment: environment)
        let config = reader.connector(root, defaultName: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        guard reader.errors.isEmpty, let config else { throw ConnectorConfigErrors(errors: reader.errors) }
        return config
    }

    /// Fallbacks exist, share the channel and do not loop; at most one primary per channel.
    static func crossCheck(_ configs: [ConnectorConfig], origins: [String: String]) -> [ConnectorConfigError] {
        var errors: [ConnectorConfigError] = []
        let byName = Dictionary(configs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func report(_ config: ConnectorConfig, _ message: String) {
            errors.append(.init(file: origins[config.name] ?? config.name, line: 1, column: 1, message: message))
        }
        for config in configs {
            var seen: Set<String> = [config.name]
            var current = config
            while let next = current.fallback {
                guard let fallback = byName[next] else {
                    report(current, "fallback \(next) of \(current.name) is not a configured connector")
                    break
                }
                guard fallback.channel == current.channel else {
                    report(current, "fallback \(next) delivers \(fallback.channel), not \(current.channel)")
                    break
                }
                guard seen.insert(next).inserted else {
                    report(config, "fallbacks of \(config.name) loop back to \(next)")
                    break
                }
                current = fallback
            }
        }
        let primaries = Dictionary(grouping: configs.filter { !$0.fallbackOnly }, by: \.channel)
        for (channel, candidates) in primaries where candidates.count > 1 {
            report(
                candidates[1],
                "channel \(channel) has several primary connectors (\(candidates.map(\.name).sorted().joined(separator: ", "))); "
                    + "mark all but one `fallback_only: true`")
        }
        return errors
    }
}
