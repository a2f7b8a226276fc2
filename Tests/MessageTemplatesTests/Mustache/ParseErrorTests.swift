import MessageTemplates
import Testing

@Suite("Parse errors carry their position")
struct ParseErrorTests {
    private func expectError(
        _ source: String, _ code: TemplateError.Code, at line: Int, _ column: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = TemplateTestSupport.parseError(source)
        #expect(error?.code == code, sourceLocation: sourceLocation)
        #expect(error?.position == TemplatePosition(line: line, column: column), sourceLocation: sourceLocation)
    }

    @Test func unclosedSection() {
        expectError("Hi\n  {{#items}}x{{/items}}\n  {{#more}}y", .unclosedSection, at: 3, 3)
        let error = TemplateTestSupport.parseError("{{^a}}")
        #expect(error?.description == "test:1:1: section 'a' is never closed (missing '{{/a}}')")
    }

    @Test func mismatchedClose() {
        expectError("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", .mismatchedClose, at: 3, 1)
        #expect(
            TemplateTestSupport.parseError("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}")?.description
                == "test:3:1: '{{/a}}' does not close the open section 'b'")
    }

    @Test func closeWithoutSection() {
        expectError("text {{/a}}", .unexpectedClose, at: 1, 6)
    }

    @Test func unclosedTags() {
        expectError("Hello {{name", .unclosedTag, at: 1, 7)
        expectError("Hello\n {{{name}}", .unclosedTag, at: 2, 2)
        expectError("{{first {{second}}", .unclosedTag, at: 1, 1)
        expectError("{{! a comment", .unclosedTag, at: 1, 1)
    }

    @Test func emptyNames() {
        expectError("a {{}}", .emptyName, at: 1, 3)
        expectError("{{# }}{{/ }}", .emptyName, at: 1, 1)
        expectError("{{{ }}}", .emptyName, at: 1, 1)
        expectError("{{&}}", .emptyName, at: 1, 1)
    }

    @Test func invalidNames() {
        expectError("{{a b}}", .invalidName, at: 1, 1)
        expectError("x\n{{a..b}}", .invalidName, at: 2, 1)
        expectError("{{.a}}", .invalidName, at: 1, 1)
        expectError("{{a.}}", .invalidName, at: 1, 1)
    }

    @Test func partialsAndDelimitersAreRejected() {
        expectError("Hi\n{{> footer}}", .unsupportedTag, at: 2, 1)
        expectError("{{=<% %>=}}", .unsupportedTag, at: 1, 1)
        expectError("{{<parent}}{{/parent}}", .unsupportedTag, at: 1, 1)
        expectError("{{$block}}{{/block}}", .unsupportedTag, at: 1, 1)
        #expect(TemplateTestSupport.parseError("{{>footer}}")?.message.contains("partials") == true)
    }
}
