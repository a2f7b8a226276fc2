/// Failures of the dispatcher itself (not of a provider: those are `DeliveryFailure`s recorded
/// on the message).
public enum DispatchError: Error, CustomStringConvertible {
    case ledger(String)
    case config(String)

    public var description: String {
        switch self {
        case .ledger(let detail): "dispatch ledger: \(detail)"
        case .config(let detail): "connector configuration: \(detail)"
        }
    }
}
