import EngineCore
import Foundation
import MessageTemplates

/// Shared helpers: one-shot rendering and the repository's directories.
enum TemplateTestSupport {
    /// The repository root, found from this file (symlinks resolved, so it also works from a
    /// development package that links the sources in).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var rulesDirectory: String { repositoryRoot.appendingPathComponent("rules").path }
    static var templatesDirectory: String { repositoryRoot.appendingPathComponent("connectors/templates").path }

    static func render(_ source: String, _ context: Value, escaping: Escaping = .html) throws -> String {
        try MessageTemplate(source: source, name: "test").render(context, escaping: escaping)
    }

    static func parseError(_ source: String) -> TemplateError? {
        do {
            _ = try MessageTemplate(source: source, name: "test")
            return nil
        } catch {
            return error
        }
    }

    static func renderError(_ source: String, _ context: Value) throws -> TemplateRenderError? {
        let template = try MessageTemplate(source: source, name: "test")
        do {
            _ = try template.render(context, escaping: .html)
            return nil
        } catch {
            return error
        }
    }

    /// A fresh temporary directory holding the given files (name -> contents).
    static func directory(with files: [String: String]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            try Data(text.utf8).write(to: url.appendingPathComponent(name))
        }
        return url.path
    }
}
