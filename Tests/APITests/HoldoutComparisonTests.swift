import Testing

@testable import API

@Suite("Holdout comparison: conversion of the treated against the holdout with 95% intervals")
struct HoldoutComparisonTests {
    /// Newcombe (1998), "Interval estimation for the difference between independent proportions",
    /// example (a): 56/70 against 48/80, difference 0.2000, method 10 interval 0.0524 to 0.3339.
    @Test func matchesNewcombesPublishedExample() throws {
        let comparison = HoldoutComparison(entered: 150, converted: 104, holdoutEntered: 80, holdoutConverted: 48)
        #expect(comparison.treated.entered == 70 && comparison.treated.converted == 56)
        let uplift = try #require(comparison.uplift)
        let interval = try #require(comparison.uplift95)
        #expect(abs(uplift - 0.2) < 1e-9)
        #expect(abs(interval[0] - 0.0524) < 0.0001)
        #expect(abs(interval[1] - 0.3339) < 0.0001)
        #expect(comparison.significant == true)
        let treated = try #require(comparison.treated.interval95)
        #expect(abs(treated[0] - 0.6918) < 0.0001 && abs(treated[1] - 0.8770) < 0.0001)
    }

    @Test func aDifferenceWithinChanceIsNotSignificant() {
        let comparison = HoldoutComparison(entered: 110, converted: 12, holdoutEntered: 10, holdoutConverted: 1)
        #expect(comparison.significant == false)
        #expect((comparison.uplift95?[0] ?? 0) < 0 && (comparison.uplift95?[1] ?? 0) > 0)
    }

    @Test func anEmptyHoldoutHasNoUplift() {
        let comparison = HoldoutComparison(entered: 50, converted: 5, holdoutEntered: 0, holdoutConverted: 0)
        #expect(comparison.holdout.conversionRate == nil)
        #expect(comparison.uplift == nil && comparison.significant == nil)
        #expect(comparison.treated.conversionRate == 0.1)
    }

    @Test func moreConversionsThanEntriesInTheRangeCapTheRateAtOne() {
        // Conversions of entries made before the range: the rate is capped, the interval stays in [0, 1].
        let comparison = HoldoutComparison(entered: 12, converted: 20, holdoutEntered: 2, holdoutConverted: 3)
        #expect(comparison.treated.conversionRate == 1)
        #expect(comparison.holdout.conversionRate == 1)
        #expect(comparison.treated.interval95?.allSatisfy { (0...1).contains($0) } == true)
    }
}
