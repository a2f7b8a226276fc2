import Yams

/// One template file (`connectors/templates/<name>.yaml`) to its compiled channel templates:
/// a map of channel -> map of part -> Mustache source. Pure: the text comes in, templates or
/// every problem with its file position come out.
public enum TemplateFile {
    public static func parse(yaml: String, file: String, name: String) throws(TemplateLoadError) -> [ChannelTemplate] {
        var problems = Problems(file: file)
        let root: Node
        switch compose(yaml) {
        case .success(let node?): root = node
        case .success(nil):
            throw TemplateLoadError([problems.make(.wrongShape, at: nil, "file is empty; expected a map of channels")])
        case .failure(let error):
            throw TemplateLoadError([problems.make(.yamlSyntax, at: error.mark, error.message)])
        }

        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        var templates: [ChannelTemplate] = []
        guard case .mapping(let channels) = root else {
            throw TemplateLoadError([
                problems.make(.wrongShape, at: root.mark, "expected a map of channels (email:, sms:, push:, ...)")
            ])
        }
        for (channelKey, channelNode) in channels {
            guard let channel = plainName(channelKey) else {
                problems.add(.wrongShape, at: channelKey.mark, "channel names must be plain names")
                continue
            }
            guard case .mapping(let partNodes) = channelNode else {
                problems.add(
                    .wrongShape, at: channelNode.mark ?? channelKey.mark,
                    "channel '\(channel)' must be a map of parts to templates (subject:, text:, ...)")
                continue
            }
            var parts: [String: MessageTemplate] = [:]
            for (partKey, partNode) in partNodes {
                guard let part = plainName(partKey) else {
                    problems.add(.wrongShape, at: partKey.mark, "part names in '\(channel)' must be plain names")
                    continue
                }
                guard case .scalar(let scalar) = partNode, partNode.null == nil else {
                    problems.add(
                        .wrongShape, at: partNode.mark ?? partKey.mark,
                        "part '\(channel).\(part)' must be a string (a Mustache template)")
                    continue
                }
                guard !scalar.string.trimmingWhitespace().isEmpty else {
                    problems.add(.emptyPart, at: partNode.mark, "part '\(channel).\(part)' is empty")
                    continue
                }
                do {
                    parts[part] = try MessageTemplate(source: scalar.string, name: "\(name)/\(channel)/\(part)")
                } catch {
                    let (line, column, exact) = filePosition(of: error.position, in: scalar, lines: lines)
                    let inside =
                        exact ? "" : " (line \(error.position.line), column \(error.position.column) of the part)"
                    problems.problems.append(
                        TemplateLoadError.Problem(
                            .templateSyntax, file: file, line: line, column: column,
                            "in '\(channel).\(part)': \(error.message)\(inside)"))
                }
            }
            if partNodes.count == 0 {
                problems.add(.wrongShape, at: channelNode.mark, "channel '\(channel)' has no parts")
            }
            templates.append(ChannelTemplate(name: name, channel: channel, parts: parts))
        }
        guard problems.problems.isEmpty else { throw TemplateLoadError(problems.problems) }
        return templates
    }

    private static func plainName(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, node.null == nil, !scalar.string.isEmpty else { return nil }
        return scalar.string
    }

    /// Where a position inside a part's text is in the file. Exact for literal blocks (`|`, line
    /// by line under the block's indentation) and for the first line of a flow scalar; otherwise
    /// the scalar's own start, with `exact` false so the message also gives the inner position.
    private static func filePosition(of position: TemplatePosition, in scalar: Node.Scalar, lines: [Substring])
        -> (line: Int, column: Int, exact: Bool)
    {
        guard let mark = scalar.mark else { return (1, 1, false) }
        switch scalar.style {
        case .literal:
            // Content starts on the line after the `|`; its indentation is that of the first
            // non-blank content line.
            let contentLines = lines.dropFirst(mark.line)
            guard let firstContent = contentLines.first(where: { $0.contains { !$0.isWhitespace } }) else {
                return (mark.line, mark.column, false)
            }
            let indentation = firstContent.prefix { $0 == " " }.count
            return (mark.line + position.line, indentation + position.column, true)
        case .plain where position.line == 1:
            return (mark.line, mark.column + position.column - 1, true)
        case .singleQuoted where position.line == 1, .doubleQuoted where position.line == 1:
            return (mark.line, mark.column + position.column, true)
        default:
            return (mark.line, mark.column, false)
        }
    }

    private struct SyntaxError: Error {
        var mark: Mark?
        var message: String
    }

    private static func compose(_ yaml: String) -> Result<Node?, SyntaxError> {
        do {
            return .success(try Yams.compose(yaml: yaml))
        } catch let error as YamlError {
            let (mark, message) = describe(error)
            return .failure(SyntaxError(mark: mark, message: message))
        } catch {
            return .failure(SyntaxError(mark: nil, message: "invalid YAML: \(error)"))
        }
    }

    private static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            guard let context else { return (mark, "invalid YAML: \(problem)") }
            return (mark, "invalid YAML: \(problem) (\(context.text) at \(context.mark))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        default:
            return (nil, "invalid YAML: \(error)")
        }
    }

    /// Problems of one file, collected so a file reports all of them.
    private struct Problems {
        let file: String
        var problems: [TemplateLoadError.Problem] = []

        func make(_ code: TemplateLoadError.Code, at mark: Mark?, _ message: String) -> TemplateLoadError.Problem {
            TemplateLoadError.Problem(code, file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message)
        }

        mutating func add(_ code: TemplateLoadError.Code, at mark: Mark?, _ message: String) {
            problems.append(make(code, at: mark, message))
        }
    }
}
