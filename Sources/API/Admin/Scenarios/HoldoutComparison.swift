import Foundation

/// Conversion of the treated customers against the holdout over a report's range, with 95%
/// intervals: Wilson score intervals per arm and Newcombe's hybrid score interval for the
/// difference (uplift), which stay honest for small counts and rates near 0 or 1 where the
/// normal approximation does not.
struct HoldoutComparison: Encodable, Sendable, Equatable {
    struct Arm: Encodable, Sendable, Equatable {
        var entered: Int
        var converted: Int
        /// converted / entered; absent while nobody entered.
        var conversionRate: Double?
        /// [low, high] of the conversion rate, 95%.
        var interval95: [Double]?

        enum CodingKeys: String, CodingKey {
            case entered, converted
            case conversionRate = "conversion_rate"
            case interval95
        }
    }

    var treated: Arm
    var holdout: Arm
    /// Treated minus holdout conversion rate (0.05 = five percentage points).
    var uplift: Double?
    /// [low, high] of the uplift, 95%.
    var uplift95: [Double]?
    /// Whether the uplift's interval excludes zero.
    var significant: Bool?

    /// z for a two-sided 95% interval.
    static let z = 1.959_963_984_540_054

    /// `entered`/`converted` over all instances and over the holdout's; treated is the rest.
    /// Conversions in a range can belong to entries before it: a rate is capped at 1.
    init(entered: Int, converted: Int, holdoutEntered: Int, holdoutConverted: Int) {
        treated = Self.arm(entered: max(0, entered - holdoutEntered), converted: max(0, converted - holdoutConverted))
        holdout = Self.arm(entered: holdoutEntered, converted: holdoutConverted)
        guard let p1 = treated.conversionRate, let p2 = holdout.conversionRate,
            let i1 = treated.interval95, let i2 = holdout.interval95
        else { return }
        let difference = p1 - p2
        let low = difference - ((p1 - i1[0]) * (p1 - i1[0]) + (i2[1] - p2) * (i2[1] - p2)).squareRoot()
        let high = difference + ((i1[1] - p1) * (i1[1] - p1) + (p2 - i2[0]) * (p2 - i2[0])).squareRoot()
        uplift = difference
        uplift95 = [low, high]
        significant = low > 0 || high < 0
    }

    private static func arm(entered: Int, converted: Int) -> Arm {
        guard entered > 0 else { return Arm(entered: entered, converted: converted) }
        let successes = min(converted, entered)
        let (low, high) = wilson(successes: successes, trials: entered)
        return Arm(
            entered: entered, converted: converted, conversionRate: Double(successes) / Double(entered),
            interval95: [low, high])
    }

    /// The Wilson score interval of `successes` in `trials` (trials > 0).
    static func wilson(successes: Int, trials: Int) -> (Double, Double) {
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (max(0, center - half), min(1, center + half))
    }
}
