import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Retry backoff")
    struct RetryPolicyTests {
        static func close(_ a: Duration, _ b: Duration) -> Bool {
            abs((a - b) / .nanoseconds(1)) < 1000
        }

        @Test func theCeilingDoublesPerRetryUpToTheCap() {
            let policy = RetryPolicy(attempts: 10, baseDelay: .milliseconds(200), maxDelay: .seconds(5))
            let ceilings = (1...8).map { policy.delay(beforeRetry: $0, unit: 1) }
            let expected: [Duration] = [
                .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200),
                .seconds(5), .seconds(5), .seconds(5),
            ]
            #expect(zip(ceilings, expected).allSatisfy { Self.close($0.0, $0.1) }, "\(ceilings)")
        }

        @Test func fullJitterScalesTheCeilingByTheRandomUnit() {
            let policy = RetryPolicy(baseDelay: .milliseconds(200), maxDelay: .seconds(5))
            #expect(policy.delay(beforeRetry: 1, unit: 0) == .zero)
            #expect(Self.close(policy.delay(beforeRetry: 1, unit: 0.5), .milliseconds(100)))
            #expect(Self.close(policy.delay(beforeRetry: 3, unit: 0.25), .milliseconds(200)))
            #expect(Self.close(policy.delay(beforeRetry: 20, unit: 0.1), .milliseconds(500)))
        }

        @Test func everyDelayStaysWithinZeroAndTheCeiling() {
            let policy = RetryPolicy(baseDelay: .milliseconds(300), maxDelay: .seconds(4))
            for retry in 1...12 {
                let ceiling = min(Duration.seconds(4), .milliseconds(300) * (1 << (retry - 1)))
                for step in 0..<100 {
                    let delay = policy.delay(beforeRetry: retry, unit: Double(step) / 100)
                    #expect(delay >= .zero && delay <= ceiling, "retry \(retry), unit \(step)%: \(delay)")
                }
            }
        }

        @Test func outOfRangeInputsAreClamped() {
            let policy = RetryPolicy(baseDelay: .milliseconds(200), maxDelay: .seconds(5))
            #expect(policy.delay(beforeRetry: 1, unit: -3) == .zero)
            #expect(Self.close(policy.delay(beforeRetry: 1, unit: 7), .milliseconds(200)))
            // Retry 0 or below reads as the first retry.
            #expect(Self.close(policy.delay(beforeRetry: 0, unit: 1), .milliseconds(200)))
            #expect(Self.close(policy.delay(beforeRetry: -5, unit: 1), .milliseconds(200)))
            // A huge retry number neither overflows nor exceeds the cap.
            #expect(Self.close(policy.delay(beforeRetry: Int.max, unit: 1), .seconds(5)))
            #expect(Self.close(policy.delay(beforeRetry: 1000, unit: 0.5), .milliseconds(2500)))
        }

        @Test func atLeastOneAttempt() {
            #expect(RetryPolicy(attempts: 0).attempts == 1)
            #expect(RetryPolicy(attempts: -2).attempts == 1)
            #expect(RetryPolicy(attempts: 6).attempts == 6)
        }
    }

    @Suite("Circuit breaker")
    struct CircuitBreakerTests {
        let start = ContinuousClock.now
        func at(_ seconds: Int) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

        @Test func opensAfterThresholdTransientFailuresInARow() {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 3, openFor: .seconds(30)))
            #expect(breaker.current == .closed(failures: 0))
            breaker.recordFailure(now: at(0))
            breaker.recordFailure(now: at(1))
            #expect(breaker.current == .closed(failures: 2))
            #expect(breaker.allow(now: at(1)))
            breaker.recordFailure(now: at(2))
            #expect(breaker.current == .open(until: at(32)))
        }

        @Test func aSuccessResetsTheCount() {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 3, openFor: .seconds(30)))
            breaker.recordFailure(now: at(0))
            breaker.recordFailure(now: at(0))
            breaker.recordSuccess()
            breaker.recordFailure(now: at(1))
            breaker.recordFailure(now: at(1))
            #expect(breaker.current == .closed(failures: 2))
            #expect(breaker.allow(now: at(1)))
        }

        @Test func refusesWhileOpenThenLetsExactlyOneTrialThrough() {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 1, openFor: .seconds(30)))
            breaker.recordFailure(now: at(0))
            #expect(!breaker.allow(now: at(0)))
            #expect(!breaker.allow(now: at(29)))
            #expect(breaker.current == .open(until: at(30)))
            #expect(breaker.allow(now: at(30)))
            #expect(breaker.current == .halfOpen)
            #expect(!breaker.allow(now: at(31)))
            #expect(!breaker.allow(now: at(300)))
        }

        @Test func aSuccessfulTrialCloses() {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 2, openFor: .seconds(10)))
            breaker.recordFailure(now: at(0))
            breaker.recordFailure(now: at(0))
            #expect(breaker.allow(now: at(10)))
            breaker.recordSuccess()
            #expect(breaker.current == .closed(failures: 0))
            #expect(breaker.allow(now: at(10)))
            #expect(breaker.allow(now: at(10)))
            // Closed again with a full threshold: one failure does not reopen it.
            breaker.recordFailure(now: at(11))
            #expect(breaker.allow(now: at(11)))
        }

        @Test func aFailedTrialReopensForAnotherPeriod() {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 5, openFor: .seconds(10)))
            for _ in 0..<5 { breaker.recordFailure(now: at(0)) }
            #expect(breaker.allow(now: at(10)))
            breaker.recordFailure(now: at(12))
            #expect(breaker.current == .open(until: at(22)))
            #expect(!breaker.allow(now: at(21)))
            #expect(breaker.allow(now: at(22)))
        }

        @Test func aThresholdBelowOneMeansOne() {
            #expect(CircuitBreaker.Settings(failureThreshold: 0).failureThreshold == 1)
            let breaker = CircuitBreaker(settings: .init(failureThreshold: -4, openFor: .seconds(1)))
            breaker.recordFailure(now: at(0))
            #expect(!breaker.allow(now: at(0)))
        }

        @Test func concurrentCallersGetOneTrialBetweenThem() async {
            let breaker = CircuitBreaker(settings: .init(failureThreshold: 1, openFor: .seconds(5)))
            breaker.recordFailure(now: at(0))
            let later = at(5)
            let granted = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<64 { group.addTask { breaker.allow(now: later) } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 1)
        }
    }
}
