/// Parses the Mustache subset into nodes, applying the spec's standalone-line rule: a section,
/// inverted, closing or comment tag alone on its line removes the whole line, so text emails
/// get no blank lines where the tags were.
struct TemplateParser {
    private let source: [Unicode.Scalar]
    private let template: String
    /// Index of the first scalar of each line.
    private let lineStarts: [Int]

    init(source: String, template: String) {
        self.source = Array(source.unicodeScalars)
        self.template = template
        var starts = [0]
        for (index, scalar) in self.source.enumerated() where scalar == "\n" { starts.append(index + 1) }
        self.lineStarts = starts
    }

    private struct OpenSection {
        var name: TemplateName
        var inverted: Bool
        var position: TemplatePosition
        var body: [TemplateNode] = []
    }

    private enum TagKind {
        case variable(escaped: Bool)
        case section(inverted: Bool)
        case close
        case comment
    }

    private struct Tag {
        var kind: TagKind
        var name: TemplateName?
        /// Index just past the closing delimiter.
        var end: Int
    }

    func parse() throws(TemplateError) -> [TemplateNode] {
        var root: [TemplateNode] = []
        var open: [OpenSection] = []
        var index = 0
        // Where the text not yet emitted begins (just past the previous tag or removed line).
        var textStart = 0

        func append(_ node: TemplateNode) {
            if open.isEmpty { root.append(node) } else { open[open.count - 1].body.append(node) }
        }
        func appendText(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: source[range])
            append(.text(String(text)))
        }

        while let tagStart = find("{{", from: index) {
            let tag = try readTag(at: tagStart)
            let position = position(of: tagStart)
            if let lineEnd = standaloneLineEnd(tag: tag, start: tagStart, textStart: textStart) {
                appendText(textStart..<lineStart(of: tagStart))
                textStart = lineEnd
            } else {
                appendText(textStart..<tagStart)
                textStart = tag.end
            }
            index = tag.end

            switch tag.kind {
            case .comment:
                break
            case .variable(let escaped):
                guard let name = tag.name else { break }
                append(.variable(name, escaped: escaped, position: position))
            case .section(let inverted):
                guard let name = tag.name else { break }
                open.append(OpenSection(name: name, inverted: inverted, position: position))
            case .close:
                guard let name = tag.name else { break }
                guard let section = open.popLast() else {
                    throw TemplateError(
                        .unexpectedClose, template: template, at: position,
                        "'{{/\(name.text)}}' closes no open section")
                }
                guard section.name == name else {
                    throw TemplateError(
                        .mismatchedClose, template: template, at: position,
                        "'{{/\(name.text)}}' does not close the open section '\(section.name.text)'")
                }
                append(
                    .section(section.name, inverted: section.inverted, body: section.body, position: section.position))
            }
        }
        appendText(textStart..<source.count)
        if let section = open.last {
            throw TemplateError(
                .unclosedSection, template: template, at: section.position,
                "section '\(section.name.text)' is never closed (missing '{{/\(section.name.text)}}')")
        }
        return root
    }

    // MARK: Tags

    private func readTag(at start: Int) throws(TemplateError) -> Tag {
        let position = position(of: start)
        var cursor = start + 2
        if cursor < source.count, source[cursor] == "{" {
            guard let close = find("}}}", from: cursor + 1) else {
                throw TemplateError(.unclosedTag, template: template, at: position, "'{{{' is never closed with '}}}'")
            }
            let name = try name(cursor + 1..<close, at: position)
            return Tag(kind: .variable(escaped: false), name: name, end: close + 3)
        }
        while cursor < source.count, source[cursor].properties.isWhitespace { cursor += 1 }
        let sigil = cursor < source.count ? source[cursor] : " "
        guard let close = find("}}", from: cursor) else {
            throw TemplateError(.unclosedTag, template: template, at: position, "'{{' is never closed with '}}'")
        }
        let end = close + 2
        switch sigil {
        case "!":
            return Tag(kind: .comment, name: nil, end: end)
        case ">":
            throw TemplateError(
                .unsupportedTag, template: template, at: position, "partials ('{{>name}}') are not supported")
        case "=":
            throw TemplateError(
                .unsupportedTag, template: template, at: position,
                "set-delimiter tags ('{{=<% %>=}}') are not supported")
        case "<", "$":
            throw TemplateError(
                .unsupportedTag, template: template, at: position,
                "template inheritance ('{{<parent}}', '{{$block}}') is not supported")
        default:
            break
        }
        let kind: TagKind
        var nameStart = cursor + 1
        switch sigil {
        case "#": kind = .section(inverted: false)
        case "^": kind = .section(inverted: true)
        case "/": kind = .close
        case "&": kind = .variable(escaped: false)
        default:
            kind = .variable(escaped: true)
            nameStart = cursor
        }
        return Tag(kind: kind, name: try name(nameStart..<close, at: position), end: end)
    }

    /// The tag's name, trimmed and checked: `.` or dotted parts without spaces or braces.
    private func name(_ range: Range<Int>, at position: TemplatePosition) throws(TemplateError) -> TemplateName {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[range])
        let raw = String(view)
        if raw.contains("{{") {
            // A `{{` inside the tag means the one before it was never closed.
            throw TemplateError(.unclosedTag, template: template, at: position, "'{{' is never closed with '}}'")
        }
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else {
            throw TemplateError(.emptyName, template: template, at: position, "tag has no name")
        }
        if text == "." { return TemplateName(text: text, path: []) }
        let path = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let invalid = text.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "{" || $0 == "}" }
        guard !invalid, !path.contains(where: \.isEmpty) else {
            throw TemplateError(
                .invalidName, template: template, at: position,
                "'\(text)' is not a valid name (use letters, digits and '_', with '.' between parts)")
        }
        return TemplateName(text: text, path: path)
    }

    // MARK: Standalone lines

    /// Where the line ends (past its newline, or the end of the source) when `tag` stands alone
    /// on its line, i.e. only spaces and tabs around it; nil otherwise.
    private func standaloneLineEnd(tag: Tag, start: Int, textStart: Int) -> Int? {
        if case .variable = tag.kind { return nil }
        let lineStart = lineStart(of: start)
        // Another tag earlier on the same line makes this one not standalone.
        guard textStart <= lineStart, source[lineStart..<start].allSatisfy(isBlank) else { return nil }
        var cursor = tag.end
        while cursor < source.count, isBlank(source[cursor]) { cursor += 1 }
        if cursor == source.count { return cursor }
        if source[cursor] == "\n" { return cursor + 1 }
        if source[cursor] == "\r", cursor + 1 < source.count, source[cursor + 1] == "\n" { return cursor + 2 }
        return nil
    }

    private func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t"
    }

    // MARK: Positions

    private func lineIndex(of index: Int) -> Int {
        // The last line start at or before `index` (binary search: templates can be long emails).
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private func lineStart(of index: Int) -> Int {
        lineStarts[lineIndex(of: index)]
    }

    private func position(of index: Int) -> TemplatePosition {
        let line = lineIndex(of: index)
        return TemplatePosition(line: line + 1, column: index - lineStarts[line] + 1)
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.unicodeScalars)
        guard start <= source.count - pattern.count else { return nil }
        var index = start
        while index <= source.count - pattern.count {
            if source[index] == pattern[0], source[index..<index + pattern.count].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing whitespace (including newlines), without Foundation.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
