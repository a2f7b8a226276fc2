import EngineCore
import MessageTemplates
import Testing

private func render(_ source: String, _ context: Value, escaping: Escaping = .html) throws -> String {
    try TemplateTestSupport.render(source, context, escaping: escaping)
}

@Suite("Sections and inverted sections (Mustache spec)")
struct SectionTests {
    @Test func truthyRendersFalsyDoesNot() throws {
        #expect(try render("\"{{#b}}yes{{/b}}\"", ["b": true]) == "\"yes\"")
        #expect(try render("\"{{#b}}yes{{/b}}\"", ["b": false]) == "\"\"")
    }

    @Test func missingNullAndEmptyListAreFalsyWithoutError() throws {
        #expect(try render("[{{#missing}}{{nothing}}{{/missing}}]", [:]) == "[]")
        #expect(try render("[{{#n}}x{{/n}}]", ["n": nil]) == "[]")
        #expect(try render("[{{#list}}x{{/list}}]", ["list": []]) == "[]")
    }

    @Test func otherValuesRenderOnceAndArePushed() throws {
        #expect(try render("{{#name}}Hi {{.}}!{{/name}}", ["name": "Ann"]) == "Hi Ann!")
        #expect(try render("{{#n}}[{{.}}]{{/n}}", ["n": 0]) == "[0]")
        #expect(try render("{{#s}}[{{.}}]{{/s}}", ["s": ""]) == "[]")
    }

    @Test func objectIsPushedOnTheStack() throws {
        let context: Value = ["context": ["name": "Joe"]]
        #expect(try render("\"{{#context}}Hi {{name}}.{{/context}}\"", context) == "\"Hi Joe.\"")
    }

    @Test func namesFallBackDownTheContextStack() throws {
        let context: Value = [
            "a": ["one": 1], "b": ["two": 2], "c": ["three": 3, "d": ["four": 4, "five": 5]],
        ]
        let template = """
            {{#a}}{{one}}{{#b}}{{one}}{{two}}{{#c}}{{one}}{{two}}{{three}}{{#d}}{{four}}{{five}}{{three}}{{/d}}{{/c}}{{/b}}{{/a}}
            """
        #expect(try render(template, context) == "112123453")
    }

    @Test func listRendersOncePerItem() throws {
        let context: Value = ["list": [["item": 1], ["item": 2], ["item": 3]]]
        #expect(try render("\"{{#list}}{{item}}{{/list}}\"", context) == "\"123\"")
    }

    @Test func listItemsShadowOuterNames() throws {
        let context: Value = ["name": "outer", "items": [["name": "a"], ["other": 1]]]
        #expect(try render("{{#items}}<{{name}}>{{/items}}", context, escaping: .none) == "<a><outer>")
    }

    @Test func implicitIteratorOverNestedLists() throws {
        let context: Value = ["list": [[1, 2, 3], ["a", "b", "c"]]]
        #expect(try render("\"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}\"", context) == "\"(123)(abc)\"")
    }

    @Test func dottedSectionNames() throws {
        let context: Value = ["a": ["b": ["c": true]]]
        #expect(try render("\"{{#a.b.c}}Here{{/a.b.c}}\" == \"Here\"", context) == "\"Here\" == \"Here\"")
        #expect(try render("\"{{#a.x.c}}Here{{/a.x.c}}\"", context) == "\"\"")
    }

    @Test func nestedAndDoubledSections() throws {
        let context: Value = ["bool": true, "two": "second"]
        #expect(
            try render("{{#bool}}* first{{/bool}} * {{two}} {{#bool}}* third{{/bool}}", context)
                == "* first * second * third")
        #expect(try render("| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |", context) == "| A B C D E |")
    }

    @Test func invertedSections() throws {
        #expect(try render("\"{{^b}}no{{/b}}\"", ["b": false]) == "\"no\"")
        #expect(try render("\"{{^b}}no{{/b}}\"", ["b": true]) == "\"\"")
        #expect(try render("\"{{^b}}no{{/b}}\"", ["b": nil]) == "\"no\"")
        #expect(try render("\"{{^missing}}no{{/missing}}\"", [:]) == "\"no\"")
        #expect(try render("\"{{^list}}none{{/list}}\"", ["list": []]) == "\"none\"")
        #expect(try render("\"{{^list}}none{{/list}}\"", ["list": [1]]) == "\"\"")
        #expect(try render("\"{{^context}}Hi{{/context}}\"", ["context": ["name": "Joe"]]) == "\"\"")
    }

    @Test func invertedSectionPushesNothing() throws {
        #expect(try render("{{^missing}}Hi {{name}}{{/missing}}", ["name": "Ann"]) == "Hi Ann")
    }

    @Test func optionalContentPattern() throws {
        let template = "Hi{{#first_name}} {{first_name}}{{/first_name}}{{^first_name}} there{{/first_name}},"
        #expect(try render(template, ["first_name": "Ann"]) == "Hi Ann,")
        #expect(try render(template, ["first_name": nil]) == "Hi there,")
        #expect(try render(template, [:]) == "Hi there,")
    }
}
