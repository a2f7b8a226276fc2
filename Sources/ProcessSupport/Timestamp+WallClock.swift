import EngineCore
import Foundation

extension Timestamp {
    /// The runtime's clock (engine, dispatcher and API); the pure core only ever sees the value.
    public static func wallClock() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
