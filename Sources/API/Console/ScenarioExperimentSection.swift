import Foundation

/// The part of a scenario page that measures instead of sends: the treated against the holdout
/// (with 95% intervals) and the messages shadow rules of the policy would have stopped.
enum ScenarioExperimentSection {
    static func render(_ report: ScenarioReport) -> HTML {
        guard report.holdout != nil || !report.totals.wouldSuppress.isEmpty else { return .empty }
        return """
            <section aria-labelledby="experiment-heading">
            <h2 id="experiment-heading">Holdout and shadow rules</h2>
            \(report.holdout.map(holdout) ?? .empty)
            \(shadow(report.totals.wouldSuppress))
            </section>
            """
    }

    private static func holdout(_ comparison: HoldoutComparison) -> HTML {
        let verdict: String
        switch (comparison.uplift, comparison.significant) {
        case (let uplift?, true?): verdict = uplift > 0 ? "The sends raise conversion." : "The sends lower conversion."
        case (_?, false?): verdict = "No difference can be told apart from chance yet."
        default: verdict = "Not enough entries in both groups yet."
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Conversion since 00:00 UTC, treated against the holdout (95% intervals). \(verdict)</caption>
            <thead><tr><th scope="col">Group</th><th scope="col">Entered</th><th scope="col">Converted</th>\
            <th scope="col">Rate</th><th scope="col">95% interval</th></tr></thead>
            <tbody>\(row("treated", comparison.treated))\(row("holdout", comparison.holdout))
            <tr><th scope="row">uplift</th><td></td><td></td><td class="num">\(points(comparison.uplift))</td>\
            <td>\(interval(comparison.uplift95, format: points))</td></tr></tbody>
            </table></div>
            """
    }

    private static func row(_ name: String, _ arm: HoldoutComparison.Arm) -> HTML {
        """
        <tr><th scope="row">\(name)</th><td class="num">\(arm.entered)</td><td class="num">\(arm.converted)</td>\
        <td class="num">\(percent(arm.conversionRate))</td><td>\(interval(arm.interval95, format: percent))</td></tr>
        """
    }

    private static func shadow(_ counts: [String: Int]) -> HTML {
        guard !counts.isEmpty else { return .empty }
        let rows: [HTML] = counts.sorted { $0.key < $1.key }.map {
            "<tr><th scope=\"row\"><code>\($0.key)</code></th><td class=\"num\">\($0.value)</td></tr>"
        }
        return """
            <div class="scroll"><table class="list">
            <caption>Sent since 00:00 UTC that a shadow rule of the policy would have stopped (not enforced)</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col">Messages</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// 5 as "5", 2.5 as "2.5": a share as the policy file writes it.
    static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    static func percent(_ rate: Double?) -> String {
        rate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
    }

    static func points(_ difference: Double?) -> String {
        difference.map { String(format: "%+.1f pp", $0 * 100) } ?? "-"
    }

    private static func interval(_ bounds: [Double]?, format: (Double?) -> String) -> String {
        guard let bounds, bounds.count == 2 else { return "-" }
        return "\(format(bounds[0])) to \(format(bounds[1]))"
    }
}
