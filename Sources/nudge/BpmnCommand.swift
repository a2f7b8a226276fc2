import ArgumentParser
import BPMN
import EngineCore
import Foundation

/// `nudge bpmn import|export`: scenarios to and from BPMN 2.0 (Camunda Modeler, bpmn.io).
struct BpmnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpmn",
        abstract: "Import a BPMN 2.0 process as a scenario, or export a scenario as BPMN.",
        discussion: "The mapping and the extension properties are described in docs/scenario-language.md.",
        subcommands: [Import.self, Export.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Turn a BPMN process into scenario YAML.",
            discussion: """
                Elements without a scenario counterpart become comments at the top of the YAML. The result is \
                checked like `nudge validate`; the exit status is 1 if the file cannot be imported or the \
                scenario does not validate (the YAML is written anyway, to be fixed by hand).
                """
        )

        @Argument(help: "The .bpmn file.")
        var file: String

        @Option(name: .shortAndLong, help: "Where to write the YAML (default: standard output).")
        var output: String?

        func run() throws {
            let data = try CLIFiles.read(file)
            let draft: ScenarioDraft
            do throws(BPMNError) {
                draft = try BPMNImporter.importProcess(xml: data, file: file)
            } catch {
                CLIFiles.printError(error.description)
                throw ExitCode.failure
            }
            let yaml = draft.yaml
            try CLIFiles.write(yaml, to: output)
            if !draft.skipped.isEmpty {
                CLIFiles.printError("\(draft.skipped.count) element(s) not mapped; see the comments at the top")
            }
            if case .failure(let errors) = ScenarioLoader.load(yaml: yaml, file: output ?? "\(file) (imported)") {
                for error in errors.errors { CLIFiles.printError(error.description) }
                CLIFiles.printError("the imported scenario does not validate: \(errors.errors.count) error(s)")
                throw ExitCode.failure
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Draw a scenario file as BPMN 2.0 XML with a diagram.",
            discussion: "The scenario must validate; its errors are printed as by `nudge validate`."
        )

        @Argument(help: "The scenario .yaml file.")
        var file: String

        @Option(name: .shortAndLong, help: "Where to write the BPMN (default: standard output).")
        var output: String?

        func run() throws {
            let text = String(decoding: try CLIFiles.read(file), as: UTF8.self)
            let xml: String
            do throws(BPMNError) {
                xml = try BPMNExporter.export(yaml: text, file: file)
            } catch {
                for line in error.details.isEmpty ? [error.description] : error.details { CLIFiles.printError(line) }
                throw ExitCode.failure
            }
            try CLIFiles.write(xml, to: output)
        }
    }
}

/// Reading and writing the files of a command, with errors that name the file.
enum CLIFiles {
    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArgumentParser.ValidationError("cannot read \(path)")
        }
        return data
    }

    /// To `path`, or standard output when nil.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ArgumentParser.ValidationError("cannot write \(path)")
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
