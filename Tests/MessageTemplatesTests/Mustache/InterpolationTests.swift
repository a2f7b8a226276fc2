import EngineCore
import MessageTemplates
import Testing

private func render(_ source: String, _ context: Value, escaping: Escaping = .html) throws -> String {
    try TemplateTestSupport.render(source, context, escaping: escaping)
}

@Suite("Interpolation (Mustache spec)")
struct InterpolationTests {
    @Test func textWithoutTagsIsUnchanged() throws {
        #expect(try render("Hello from {Mustache}!\n", [:]) == "Hello from {Mustache}!\n")
    }

    @Test func basicInterpolation() throws {
        #expect(try render("Hello, {{subject}}!", ["subject": "world"]) == "Hello, world!")
    }

    @Test func escapedTagEscapesHTML() throws {
        let context: Value = ["forbidden": "& \" < > '"]
        #expect(try render("{{forbidden}}", context) == "&amp; &quot; &lt; &gt; &#39;")
    }

    @Test func tripleMustacheAndAmpersandAreNotEscaped() throws {
        let context: Value = ["forbidden": "& \" < >"]
        #expect(try render("{{{forbidden}}}", context) == "& \" < >")
        #expect(try render("{{&forbidden}}", context) == "& \" < >")
    }

    @Test func numbersBooleansInstantsAndSpans() throws {
        #expect(try render("{{mph}} miles an hour!", ["mph": 85]) == "85 miles an hour!")
        #expect(try render("{{power}} jiggawatts!", ["power": 1.21]) == "1.21 jiggawatts!")
        #expect(try render("{{ok}}", ["ok": true]) == "true")
        let instant = Value.timestamp(Timestamp(milliseconds: 1_714_557_600_000))
        #expect(try render("{{at}}", ["at": instant]) == "2024-05-01T10:00:00Z")
        #expect(try render("{{left}}", ["left": .span(.minutes(150))]) == "2h30m")
    }

    @Test func listsAndObjectsRenderAsPresentableJSON() throws {
        let context: Value = ["data": ["at": .timestamp(Timestamp(seconds: 0)), "n": [1, 2]]]
        #expect(try render("{{{data}}}", context) == #"{"at":"1970-01-01T00:00:00Z","n":[1,2]}"#)
    }

    @Test func dottedNames() throws {
        let context: Value = ["person": ["name": "Joe"], "a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]]]
        #expect(
            try render("\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"", context) == "\"Joe\" == \"Joe\"")
        #expect(try render("{{{person.name}}} {{&person.name}}", context) == "Joe Joe")
        #expect(try render("{{a.b.c.d.e.name}}", context) == "Phil")
    }

    @Test func dottedNamesResolveTheirFirstPartThroughTheStack() throws {
        let context: Value = [
            "a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]],
            "b": ["c": ["d": ["e": ["name": "Wrong"]]]],
        ]
        #expect(try render("{{#a}}{{b.c.d.e.name}}{{/a}}", context) == "Phil")
    }

    @Test func implicitIterator() throws {
        #expect(try render("Hello, {{.}}!", "world") == "Hello, world!")
        #expect(try render("{{#list}}({{.}}){{/list}}", ["list": ["a", "<b>"]]) == "(a)(&lt;b&gt;)")
    }

    @Test func paddingInsideTagsIsIgnored() throws {
        let context: Value = ["string": "---"]
        #expect(try render("|{{ string }}|", context) == "|---|")
        #expect(try render("|{{{ string }}}|", context) == "|---|")
        #expect(try render("|{{& string }}|", context) == "|---|")
    }

    @Test func whitespaceAroundVariablesIsKept() throws {
        let context: Value = ["string": "---"]
        #expect(try render("| {{string}} |", context) == "| --- |")
        // Variable tags are never standalone: their line and its indentation stay.
        #expect(try render("  {{string}}\n", context) == "  ---\n")
        #expect(try render("  {{{string}}}\n", context) == "  ---\n")
    }
}

@Suite("Escaping modes")
struct EscapingTests {
    private let context: Value = ["v": "a \"b\"\\c\n\u{1}é & <x>/?="]

    @Test func html() throws {
        #expect(try render("{{v}}", context, escaping: .html) == "a &quot;b&quot;\\c\n\u{1}é &amp; &lt;x&gt;/?=")
    }

    @Test func json() throws {
        #expect(
            try render("{\"v\":\"{{v}}\"}", context, escaping: .json) == #"{"v":"a \"b\"\\c\u000a\u0001é & <x>/?="}"#)
    }

    @Test func url() throws {
        #expect(
            try render("https://x.test/?q={{v}}", context, escaping: .url)
                == "https://x.test/?q=a%20%22b%22%5Cc%0A%01%C3%A9%20%26%20%3Cx%3E%2F%3F%3D")
        #expect(Escaping.url.escape("AZaz09-._~") == "AZaz09-._~")
    }

    @Test func none() throws {
        #expect(try render("{{v}}", context, escaping: .none) == "a \"b\"\\c\n\u{1}é & <x>/?=")
    }

    @Test func unescapedTagsIgnoreTheMode() throws {
        for escaping in [Escaping.html, .json, .url, .none] {
            #expect(try render("{{{v}}}", ["v": "<\"&\n"], escaping: escaping) == "<\"&\n")
        }
    }

    @Test func jsonEscapesEveryControlCharacter() {
        #expect(Escaping.json.escape("\t\r\u{1F}\u{7F}") == "\\u0009\\u000d\\u001f\u{7F}")
    }
}
