import EngineCore
import MessageTemplates
import Testing

@Suite("Template files: structure, positions, rendering")
struct TemplateFileTests {
    private func problems(_ yaml: String) -> [TemplateLoadError.Problem] {
        do {
            _ = try TemplateFile.parse(yaml: yaml, file: "t.yaml", name: "t")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func parsesChannelsAndParts() throws {
        let yaml = """
            # welcome: the first message.
            email:
              subject: "Welcome, {{name}}"
              text: |
                Hi {{name}} & co,
                bye
              html: |
                <p>Hi {{name}} &amp; co</p>
            sms:
              text: Hi {{name}}
            """
        let templates = try TemplateFile.parse(yaml: yaml, file: "welcome.yaml", name: "welcome")
        let catalog = TemplateCatalog(templates)
        #expect(catalog.templateNames == ["welcome"])
        #expect(catalog.channels(of: "welcome") == ["email", "sms"])
        #expect(catalog.channels(of: "nope") == [])
        #expect(catalog.template(named: "welcome", channel: "push") == nil)
        let email = try #require(catalog.template(named: "welcome", channel: "email"))
        #expect(email.partNames == ["html", "subject", "text"])
        #expect(email.part("subject")?.name == "welcome/email/subject")
        let rendered = try email.render(["name": "<Ann>"])
        #expect(rendered.partNames == ["html", "subject", "text"])
        #expect(rendered["subject"] == "Welcome, <Ann>")
        #expect(rendered["text"] == "Hi <Ann> & co,\nbye\n")
        #expect(rendered["html"] == "<p>Hi &lt;Ann&gt; &amp; co</p>\n")
    }

    @Test func escapingPerPart() {
        #expect(ChannelTemplate.escaping(forPart: "html") == .html)
        #expect(ChannelTemplate.escaping(forPart: "text") == .none)
        #expect(ChannelTemplate.escaping(forPart: "subject") == .none)
        #expect(ChannelTemplate.escaping(forPart: "body") == .none)
    }

    @Test func renderListsMissingVariablesOfAllParts() throws {
        let yaml = """
            push:
              title: "{{prize}} won"
              body: |
                Draw {{draw_id}}: {{prize}}
            """
        let push = try #require(
            TemplateCatalog(try TemplateFile.parse(yaml: yaml, file: "w.yaml", name: "win")).template(
                named: "win", channel: "push"))
        do {
            _ = try push.render(["draw_id": 7])
            Issue.record("expected a render error")
        } catch {
            #expect(
                error.missing.map(\.description) == [
                    "win/push/body:1:19: missing variable 'prize'", "win/push/title:1:1: missing variable 'prize'",
                ])
        }
    }

    @Test func templateErrorInLiteralBlockPointsAtTheFileLine() {
        let yaml = """
            # welcome
            email:
              subject: "Welcome"
              text: |
                Hi {{name}},
                {{#items}}
                - {{title}}
            """
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.code == .templateSyntax)
        #expect(found.first.map { "\($0.file):\($0.line):\($0.column)" } == "t.yaml:6:5")
        #expect(found.first?.message == "in 'email.text': section 'items' is never closed (missing '{{/items}}')")
    }

    @Test func templateErrorInFlowScalarsPointsAtTheColumn() {
        let yaml = """
            email:
              subject: "Welcome, {{name"
              text: Hi {{/x}}
            """
        let found = problems(yaml)
        #expect(found.map { "\($0.line):\($0.column) \($0.code)" } == ["2:22 template-syntax", "3:12 template-syntax"])
    }

    @Test func templateErrorInFoldedBlockGivesTheScalarAndTheInnerPosition() {
        let yaml = """
            email:
              text: >
                a
                {{#x}}
            """
        let found = problems(yaml)
        #expect(found.map { "\($0.line):\($0.column)" } == ["2:9"])
        #expect(found.first?.message.hasSuffix("(line 1, column 3 of the part)") == true)
    }

    @Test func oddStructureIsReportedWithPositions() {
        let yaml = """
            email:
              subject:
                - a
              text: ~
              html: "  "
            sms: just text
            push:
              - x
            """
        let found = problems(yaml)
        #expect(
            found.map { "\($0.line):\($0.column) \($0.code)" } == [
                "3:5 wrong-shape", "4:9 wrong-shape", "5:9 empty-part", "6:6 wrong-shape", "8:3 wrong-shape",
            ])
        #expect(found.first?.message == "part 'email.subject' must be a string (a Mustache template)")
    }

    @Test func rootMustBeAMapOfChannels() {
        #expect(problems("- a\n- b\n").map { "\($0.line):\($0.column) \($0.code)" } == ["1:1 wrong-shape"])
        #expect(problems("# nothing\n").map(\.code) == [.wrongShape])
        #expect(problems("email: {}\n").map(\.message) == ["channel 'email' has no parts"])
    }

    @Test func yamlSyntaxErrorsHaveALine() {
        let found = problems("email:\n  subject: \"unterminated\n  text: x\n")
        #expect(found.map(\.code) == [.yamlSyntax])
        #expect((found.first?.line ?? 0) >= 2)
        let duplicate = problems("email:\n  text: a\n  text: b\n")
        #expect(duplicate.map(\.code) == [.yamlSyntax])
        #expect(duplicate.first?.message.contains("duplicate key 'text'") == true)
    }
}
