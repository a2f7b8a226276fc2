import Foundation

extension TemplateCatalog {
    /// Loads and compiles every `*.yaml` / `*.yml` file directly in `directory`; the file name
    /// without extension is the template's name. Fails with every problem of every file.
    public static func load(directory: String) throws(TemplateLoadError) -> TemplateCatalog {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            let entries = try? manager.contentsOfDirectory(atPath: directory)
        else {
            throw TemplateLoadError([
                TemplateLoadError.Problem(
                    .missingDirectory, file: directory, line: 1, column: 1, "no such template directory")
            ])
        }
        var templates: [ChannelTemplate] = []
        var problems: [TemplateLoadError.Problem] = []
        var fileOfName: [String: String] = [:]
        for entry in entries.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(entry)
            let name = (entry as NSString).deletingPathExtension
            if let other = fileOfName[name] {
                problems.append(
                    TemplateLoadError.Problem(
                        .duplicateTemplate, file: path, line: 1, column: 1,
                        "template '\(name)' is already defined in \(other)"))
                continue
            }
            fileOfName[name] = path
            guard let data = manager.contents(atPath: path) else {
                problems.append(
                    TemplateLoadError.Problem(.unreadableFile, file: path, line: 1, column: 1, "cannot read file"))
                continue
            }
            do {
                templates += try TemplateFile.parse(yaml: String(decoding: data, as: UTF8.self), file: path, name: name)
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw TemplateLoadError(problems) }
        return TemplateCatalog(templates)
    }
}
