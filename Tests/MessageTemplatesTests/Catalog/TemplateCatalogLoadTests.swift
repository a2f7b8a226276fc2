import Foundation
import MessageTemplates
import Testing

@Suite("Loading a template directory")
struct TemplateCatalogLoadTests {
    @Test func loadsEveryYAMLFileAndIgnoresOthers() throws {
        let directory = try TemplateTestSupport.directory(with: [
            "welcome.yaml": "email:\n  subject: Hi\n  text: Hi {{first_name}}\n",
            "win.yml": "push:\n  title: Won\n  body: \"{{prize}}\"\nsms:\n  text: \"{{prize}}\"\n",
            "README.md": "not a template {{",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try TemplateCatalog.load(directory: directory)
        #expect(catalog.templateNames == ["welcome", "win"])
        #expect(catalog.channels(of: "win") == ["push", "sms"])
        #expect(try catalog.template(named: "win", channel: "sms")?.render(["prize": "€5"])["text"] == "€5")
    }

    @Test func problemsOfEveryFileAreCollectedWithFileAndLine() throws {
        let directory = try TemplateTestSupport.directory(with: [
            "a.yaml": "email:\n  subject: ok\n  text: |\n    line one\n    {{/oops}}\n",
            "b.yaml": "sms: [x]\n",
            "c.yaml": "push:\n  title: fine\n  body: fine\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try TemplateCatalog.load(directory: directory)
            Issue.record("expected load errors")
        } catch {
            #expect(
                error.problems.map { "\(($0.file as NSString).lastPathComponent):\($0.line):\($0.column) \($0.code)" }
                    == [
                        "a.yaml:5:5 template-syntax", "b.yaml:1:6 wrong-shape",
                    ])
            #expect(error.description.contains("a.yaml:5:5: in 'email.text': '{{/oops}}' closes no open section"))
        }
    }

    @Test func oneNameInTwoFilesIsAnError() throws {
        let directory = try TemplateTestSupport.directory(with: [
            "x.yaml": "sms:\n  text: a\n", "x.yml": "sms:\n  text: b\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: TemplateLoadError.self) { try TemplateCatalog.load(directory: directory) }
        do {
            _ = try TemplateCatalog.load(directory: directory)
        } catch {
            #expect(error.problems.map(\.code) == [.duplicateTemplate])
            #expect(error.problems.first?.file.hasSuffix("x.yml") == true)
        }
    }

    @Test func missingDirectory() {
        do {
            _ = try TemplateCatalog.load(directory: "/nonexistent/templates")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/templates:1:1: no such template directory")
        }
    }
}
