import EngineCore
import MessageTemplates
import Testing

private func render(_ source: String, _ context: Value, escaping: Escaping = .html) throws -> String {
    try TemplateTestSupport.render(source, context, escaping: escaping)
}

@Suite("Standalone lines and comments (Mustache spec)")
struct StandaloneLineTests {
    @Test func standaloneSectionLinesAreRemoved() throws {
        let template = "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n"
        #expect(try render(template, ["boolean": true]) == "| This Is\n|\n| A Line\n")
        let inverted = "| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n"
        #expect(try render(inverted, ["boolean": false]) == "| This Is\n|\n| A Line\n")
    }

    @Test func indentedStandaloneLinesAreRemoved() throws {
        let template = "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n"
        #expect(try render(template, ["boolean": true]) == "| This Is\n|\n| A Line\n")
        #expect(try render("|\n\t{{#boolean}} \t\n|\n{{/boolean}}\n", ["boolean": true]) == "|\n|\n")
    }

    @Test func crlfLineEndings() throws {
        #expect(try render("|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", ["boolean": true]) == "|\r\n|")
    }

    @Test func firstAndLastLines() throws {
        #expect(try render("  {{#boolean}}\n#{{/boolean}}\n/", ["boolean": true]) == "#\n/")
        #expect(try render("#{{#boolean}}\n/\n  {{/boolean}}", ["boolean": true]) == "#\n/\n")
    }

    @Test func inlineTagsKeepTheirWhitespace() throws {
        #expect(try render(" | {{#boolean}}\t|\t{{/boolean}} | \n", ["boolean": true]) == " | \t|\t | \n")
        #expect(
            try render(" {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n", ["boolean": true])
                == " YES\n GOOD\n")
        // Two tags on one line: neither is alone on it.
        #expect(try render("{{#boolean}}{{/boolean}}\n", ["boolean": true]) == "\n")
    }

    @Test func comments() throws {
        #expect(try render("12345{{! Comment Block! }}67890", [:]) == "1234567890")
        #expect(try render("12345{{!\n  This is a\n  multi-line comment...\n}}67890\n", [:]) == "1234567890\n")
        #expect(try render("  12 {{! 34 }}\n", [:]) == "  12 \n")
        #expect(try render("12345 {{! Comment Block! }} 67890", [:]) == "12345  67890")
    }

    @Test func standaloneComments() throws {
        #expect(try render("Begin.\n{{! Comment Block! }}\nEnd.\n", [:]) == "Begin.\nEnd.\n")
        #expect(try render("Begin.\n  {{! Indented Comment Block! }}\nEnd.\n", [:]) == "Begin.\nEnd.\n")
        #expect(try render("|\r\n{{! Standalone Comment }}\r\n|", [:]) == "|\r\n|")
        #expect(try render("  {{! I'm Still Standalone }}\n!", [:]) == "!")
        #expect(try render("!\n  {{! I'm Still Standalone }}", [:]) == "!\n")
        #expect(try render("Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n", [:]) == "Begin.\nEnd.\n")
        #expect(try render("Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n", [:]) == "Begin.\nEnd.\n")
    }

    @Test func textEmailGetsNoBlankLines() throws {
        let template = """
            Hi {{name}},
            {{! the cart, one line per item }}
            {{#items}}
            - {{title}}
            {{/items}}
            {{^items}}
            Your cart is empty.
            {{/items}}
            Bye

            """
        let context: Value = ["name": "Ann", "items": [["title": "Shoes"], ["title": "Socks"]]]
        #expect(try render(template, context, escaping: .none) == "Hi Ann,\n- Shoes\n- Socks\nBye\n")
        #expect(
            try render(template, ["name": "Ann", "items": []], escaping: .none) == "Hi Ann,\nYour cart is empty.\nBye\n"
        )
    }
}
