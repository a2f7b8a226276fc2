import Hummingbird

/// Path parameters of the admin routes, checked before anything is looked up.
enum AdminPath {
    /// A scenario id as the scenario language allows it: lowercase letters, digits, `-`, `_`.
    static func scenarioId(_ context: some RequestContext) throws(ProblemDetails) -> String {
        guard let id = context.parameters.get("id"), ScenarioIdentifier.isValid(id) else {
            throw ProblemDetails(
                kind: .invalidRequest, detail: "a scenario id is 1 to 64 lowercase letters, digits, '-' or '_'")
        }
        return id
    }

    /// A customer id: any text of 1 to 256 characters (as ingestion accepts them).
    static func customerId(_ context: some RequestContext) throws(ProblemDetails) -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.count <= 256 else {
            throw ProblemDetails(kind: .invalidRequest, detail: "customer id must be 1 to 256 characters")
        }
        return id
    }
}

/// What the scenario language allows as a scenario id: 1 to 64 lowercase letters, digits, `-`, `_`.
enum ScenarioIdentifier {
    static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }
}
