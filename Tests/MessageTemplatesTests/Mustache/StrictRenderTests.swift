import EngineCore
import MessageTemplates
import Testing

@Suite("Strict rendering: missing variables are errors")
struct StrictRenderTests {
    @Test func missingVariableNamesItsPosition() throws {
        let error = try #require(try TemplateTestSupport.renderError("Hello, {{name}}!", [:]))
        #expect(
            error.missing == [
                MissingVariable(template: "test", name: "name", position: .init(line: 1, column: 8), reason: .missing)
            ])
        #expect(error.description == "test:1:8: missing variable 'name'")
    }

    @Test func nullIsAnErrorToo() throws {
        let error = try #require(try TemplateTestSupport.renderError("{{{name}}}", ["name": nil]))
        #expect(error.missing.map(\.reason) == [.null])
        #expect(error.description == "test:1:1: variable 'name' is null")
    }

    @Test func everyMissingNameOfTheRenderIsListed() throws {
        let template = "Hi {{first_name}},\nyour {{order.total}} is due on {{&due}}.\n{{present}}"
        let error = try #require(try TemplateTestSupport.renderError(template, ["present": "x", "order": [:]]))
        #expect(error.missing.map(\.name) == ["first_name", "order.total", "due"])
        #expect(
            error.missing.map(\.position) == [
                .init(line: 1, column: 4), .init(line: 2, column: 6), .init(line: 2, column: 32),
            ])
    }

    @Test func aTagInsideAListIsReportedOnce() throws {
        let context: Value = ["items": [["name": "a"], ["sku": 1], ["sku": 2]]]
        let error = try #require(try TemplateTestSupport.renderError("{{#items}}\n  {{name}}\n{{/items}}", context))
        #expect(
            error.missing == [
                MissingVariable(template: "test", name: "name", position: .init(line: 2, column: 3), reason: .missing)
            ])
    }

    @Test func brokenDottedChainsDoNotFallBack() throws {
        // The spec renders these as empty strings; here they are errors.
        let chain = try #require(try TemplateTestSupport.renderError("{{a.b.c}}", ["a": [:]]))
        #expect(chain.missing.map(\.name) == ["a.b.c"])
        let context: Value = ["a": ["b": [:]], "c": ["name": "Jim"]]
        let resolution = try #require(try TemplateTestSupport.renderError("{{a.b.c.name}}", context))
        #expect(resolution.missing.map(\.name) == ["a.b.c.name"])
        let precedence: Value = ["a": ["b": [:]], "b": ["c": "ERROR"]]
        let shadowed = try #require(try TemplateTestSupport.renderError("{{#a}}{{b.c}}{{/a}}", precedence))
        #expect(shadowed.missing.map(\.name) == ["b.c"])
    }

    @Test func implicitIteratorOnNullIsAnError() throws {
        let error = try #require(try TemplateTestSupport.renderError("{{#list}}{{.}}{{/list}}", ["list": ["a", nil]]))
        #expect(error.missing.map(\.name) == ["."])
    }

    @Test func sectionsOnMissingNamesAreNotErrors() throws {
        #expect(
            try TemplateTestSupport.renderError("{{#coupon}}Use {{coupon}}{{/coupon}}{{^gift}}no gift{{/gift}}", [:])
                == nil)
    }

    @Test func aTemplateRendersManyTimes() throws {
        let template = try MessageTemplate(source: "Hi {{name}}", name: "greeting")
        #expect(try template.render(["name": "Ann"], escaping: .none) == "Hi Ann")
        #expect(throws: TemplateRenderError.self) { try template.render([:], escaping: .none) }
        #expect(try template.render(["name": "Bob"], escaping: .none) == "Hi Bob")
    }

    @Test func rootReferencesListTagsOutsideSections() throws {
        let template = try MessageTemplate(
            source: "{{a}}{{#items}}{{name}}{{/items}}{{^b}}{{c.d}}{{/b}}{{{e}}}", name: "refs")
        #expect(template.rootReferences.map(\.name) == ["a", "items", "b", "c.d", "e"])
        #expect(template.rootReferences.map(\.rootName) == ["a", "items", "b", "c", "e"])
        #expect(template.rootReferences.map(\.kind) == [.variable, .section, .invertedSection, .variable, .variable])
    }
}
