#if canImport(FoundationXML)
    import FoundationXML
#endif
import Foundation

/// An XML element as read, with the line it starts on: its local name and namespace URI (files
/// use several prefixes for the same namespace), attributes by qualified name as written.
struct XMLTreeElement: Sendable {
    var localName: String
    var namespace: String?
    var attributes: [String: String]
    var children: [XMLTreeElement] = []
    var text = ""
    var line: Int

    /// An attribute by local name, whatever its prefix (`xsi:type` answers `type` too).
    func attribute(_ local: String) -> String? {
        if let value = attributes[local] { return value }
        return attributes.first { Self.local($0.key) == local }?.value
    }

    func child(_ local: String) -> XMLTreeElement? {
        children.first { $0.localName == local }
    }

    func children(_ local: String) -> [XMLTreeElement] {
        children.filter { $0.localName == local }
    }

    var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    static func local(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }
}

/// Parses XML with Foundation's XMLParser (FoundationXML on Linux) into a tree.
enum XMLTreeParser {
    static func parse(_ data: Data, file: String) throws(BPMNError) -> XMLTreeElement {
        let parser = XMLParser(data: data)
        // Element names arrive as local names with their namespace URI (the qualified names
        // corelibs-foundation reports are not reliable); external entities are never fetched.
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        // libxml2 runs in recovery mode under XMLParser, so parse() can succeed on broken input:
        // any reported error fails the file.
        let parsed = parser.parse()
        if !parsed || builder.failure != nil || parser.parserError != nil {
            let line = builder.failure?.line ?? parser.lineNumber
            let reason = builder.failure?.reason ?? parser.parserError.map { "\($0.localizedDescription)" } ?? ""
            throw BPMNError(
                .notXML, file: file, line: max(line, 1), "not well-formed XML\(reason.isEmpty ? "" : ": \(reason)")")
        }
        guard let root = builder.root else {
            throw BPMNError(.notXML, file: file, line: 1, "not well-formed XML: no root element")
        }
        return root
    }

    /// Collects elements on a stack. Used by one parse on one thread, never shared.
    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLTreeElement] = []
        var root: XMLTreeElement?
        var failure: (line: Int, reason: String)?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            let local = XMLTreeElement.local(elementName)
            stack.append(
                XMLTreeElement(
                    localName: local, namespace: namespaceURI.flatMap { $0.isEmpty ? nil : $0 },
                    attributes: attributeDict, line: parser.lineNumber))
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failure == nil {
                let code = (parseError as NSError).code
                failure = (parser.lineNumber, "parser error \(code) at column \(parser.columnNumber)")
            }
        }
    }
}
