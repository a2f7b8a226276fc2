import Yams

/// Reads `holdout: {percent, salt}`, the same shape in a scenario and in the contact policy.
enum HoldoutLoader {
    static func load(_ node: Node, _ reader: YAMLReader, field: String) -> Holdout? {
        guard let fields = reader.mapping(node, "'\(field)'", allowed: ["percent", "salt"], required: ["percent"]),
            let percentNode = fields["percent"]
        else { return nil }
        guard let percent = percentNode.float, percent.isFinite else {
            reader.report(.wrongShape, percentNode, "'\(field).percent' must be a number such as 10 or 2.5")
            return nil
        }
        guard percent > 0, percent < 100, abs((percent * 100).rounded() - percent * 100) < 1e-6 else {
            reader.report(
                .invalidValue, percentNode,
                "'\(field).percent' must be above 0 and below 100, with at most two decimals")
            return nil
        }
        let salt = fields["salt"].flatMap { reader.string($0, "\(field).salt") } ?? ""
        return Holdout(percent: percent, salt: salt)
    }
}
