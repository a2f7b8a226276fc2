/// Splits an SQL script into statements at top-level semicolons.
///
/// The extended query protocol postgres-nio speaks runs one statement per query, so a migration
/// file is executed statement by statement. Quotes ('...', "..."), dollar-quoted bodies
/// ($$...$$, $fn$...$fn$) and comments (-- and /* */) are kept intact.
enum SQLStatementSplitter {
    static func split(_ script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingSQLWhitespace()
            if !text.isEmpty && !text.isOnlyComments { statements.append(text) }
            current.removeAll()
        }

        while index < chars.count {
            let char = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            switch char {
            case "'", "\"":
                let end = closingIndex(of: char, in: chars, from: index + 1)
                current.append(contentsOf: chars[index..<end])
                index = end
            case "-" where next == "-":
                var end = index
                while end < chars.count && chars[end] != "\n" { end += 1 }
                current.append(contentsOf: chars[index..<end])
                index = end
            case "/" where next == "*":
                var end = index + 2
                while end + 1 < chars.count && !(chars[end] == "*" && chars[end + 1] == "/") { end += 1 }
                end = min(end + 2, chars.count)
                current.append(contentsOf: chars[index..<end])
                index = end
            case "$":
                if let tagEnd = dollarTagEnd(chars, from: index) {
                    let tag = Array(chars[index...tagEnd])
                    let bodyEnd = closingDollarIndex(tag: tag, in: chars, from: tagEnd + 1)
                    current.append(contentsOf: chars[index..<bodyEnd])
                    index = bodyEnd
                } else {
                    current.append(char)
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(char)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// Index just past the closing quote; a doubled quote is an escaped one.
    private static func closingIndex(of quote: Unicode.Scalar, in chars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < chars.count {
            if chars[index] == quote {
                if index + 1 < chars.count && chars[index + 1] == quote {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return chars.count
    }

    /// For `$tag$` starting at `start`, the index of its closing `$`; nil when `$` is not a tag
    /// (a positional parameter like `$1`).
    private static func dollarTagEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < chars.count {
            let char = chars[index]
            if char == "$" { return index }
            let isTagChar = char == "_" || char.properties.isAlphabetic || (index > start + 1 && char.properties.numericType != nil)
            if !isTagChar { return nil }
            index += 1
        }
        return nil
    }

    private static func closingDollarIndex(tag: [Unicode.Scalar], in chars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index + tag.count <= chars.count {
            if Array(chars[index..<index + tag.count]) == tag { return index + tag.count }
            index += 1
        }
        return chars.count
    }
}

extension String {
    fileprivate func trimmingSQLWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// True when what remains after removing comments is blank.
    fileprivate var isOnlyComments: Bool {
        for line in split(separator: "\n") {
            let trimmed = line.drop(while: { $0.isWhitespace })
            if !trimmed.isEmpty && !trimmed.hasPrefix("--") { return false }
        }
        return true
    }
}
