import EngineCore
import Logging
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Connector chain: retries, breaker, fallback")
    struct ConnectorChainTests {
        typealias Answer = Result<DeliveryReceipt, DeliveryFailure>

        let sleeps = Recorder<Duration>()

        static func config(
            _ name: String, recipient: String? = "profile.phone", attempts: Int = 3, failures: Int = 5,
            openFor: Duration = .seconds(3600)
        ) -> ConnectorConfig {
            ConnectorConfig(
                name: name, channel: "sms", kind: .http(HTTPSettings(url: "http://127.0.0.1:9/\(name)")),
                recipient: recipient,
                retry: RetryPolicy(attempts: attempts, baseDelay: .milliseconds(100), maxDelay: .seconds(1)),
                breaker: .init(failureThreshold: failures, openFor: openFor))
        }

        func chain(_ routes: [ConnectorRoute]) -> ConnectorChain {
            let sleeps = self.sleeps
            return ConnectorChain(
                routes: routes, rateLimiter: nil,
                logger: Logger(label: "nudge.tests.chain", factory: { _ in SwiftLogNoOpLogHandler() }), random: { 0.5 },
                sleep: { sleeps.append($0) })
        }

        /// Routes address customers the way the dispatcher does: from the path in their config.
        static func recipient(_ config: ConnectorConfig) -> ConnectorChain.Recipient {
            switch config.recipient {
            case nil: .notNeeded
            case "profile.phone"?: .address("+4912345")
            case let path?: .missing(path: path)
            }
        }

        func send(_ chain: ConnectorChain, id: String = "m-1") async throws -> DeliveryOutcome {
            try await chain.deliver(
                Unit.rendered(try Unit.outbound(messageId: id, channel: "sms")), recipient: Self.recipient)
        }

        @Test func aFirstTimeSuccessIsOneAttempt() async throws {
            let primary = ScriptedConnector("gateway", answers: [.success(DeliveryReceipt(providerMessageId: "p-1"))])
            let outcome = try await send(chain([ConnectorRoute(config: Self.config("gateway"), connector: primary)]))
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .sent(DeliveryReceipt(providerMessageId: "p-1")), connector: "gateway", attempts: 1,
                        fellBackFrom: nil))
            #expect(primary.recipients == ["+4912345"])
            #expect(sleeps.all.isEmpty)
        }

        @Test func transientFailuresAreRetriedWithBackoff() async throws {
            let primary = ScriptedConnector(
                "gateway",
                answers: [.failure(.transient("503")), .failure(.transient("timeout")), .success(DeliveryReceipt())])
            let outcome = try await send(
                chain([ConnectorRoute(config: Self.config("gateway", attempts: 4), connector: primary)]))
            #expect(outcome.result == .sent(DeliveryReceipt()))
            #expect(outcome.attempts == 3)
            #expect(primary.calls == 3)
            let policy = Self.config("gateway").retry
            #expect(sleeps.all == [policy.delay(beforeRetry: 1, unit: 0.5), policy.delay(beforeRetry: 2, unit: 0.5)])
        }

        @Test func retriesStopAtTheConfiguredAttempts() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let outcome = try await send(
                chain([ConnectorRoute(config: Self.config("gateway", attempts: 3), connector: primary)]))
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .failed(.transient("503")), connector: "gateway", attempts: 3, fellBackFrom: nil))
            #expect(primary.calls == 3)
            #expect(sleeps.all.count == 2)
        }

        @Test func aPermanentFailureIsNeitherRetriedNorFallenBackFrom() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.permanent("400 invalid number"))])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt())])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("gateway"), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
                ]))
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .failed(.permanent("400 invalid number")), connector: "gateway", attempts: 1,
                        fellBackFrom: nil))
            #expect(primary.calls == 1)
            #expect(fallback.calls == 0)
        }

        @Test func anExhaustedPrimaryFallsBack() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt(detail: "queued"))])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("gateway", attempts: 2), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
                ]))
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .sent(DeliveryReceipt(detail: "queued")), connector: "handoff", attempts: 3,
                        fellBackFrom: ("gateway", "503")))
            #expect(primary.calls == 2)
            #expect(fallback.recipients == [nil])
        }

        @Test func whenEveryRouteFailsTheLastOneIsReportedWithThePrimaryItFellBackFrom() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let fallback = ScriptedConnector("handoff", answers: [.failure(.transient("broker down"))])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("gateway", attempts: 1), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil, attempts: 2), connector: fallback),
                ]))
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .failed(.transient("broker down")), connector: "handoff", attempts: 3,
                        fellBackFrom: ("gateway", "503")))
        }

        @Test func aPermanentFailureOfTheFallbackIsFinal() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let fallback = ScriptedConnector("handoff", answers: [.failure(.permanent("too large"))])
            let third = ScriptedConnector("third", answers: [.success(DeliveryReceipt())])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("gateway", attempts: 1), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
                    ConnectorRoute(config: Self.config("third", recipient: nil), connector: third),
                ]))
            #expect(outcome.result == .failed(.permanent("too large")))
            #expect(outcome.fellBackFrom?.connector == "gateway")
            #expect(fallback.calls == 1)
            #expect(third.calls == 0)
        }

        @Test func anOpenBreakerSendsToTheFallbackWithoutCallingThePrimary() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt())])
            let chain = chain([
                ConnectorRoute(config: Self.config("gateway", attempts: 1, failures: 1), connector: primary),
                ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
            ])
            _ = try await send(chain, id: "m-1")
            #expect(primary.calls == 1)

            let second = try await send(chain, id: "m-2")
            #expect(primary.calls == 1)
            #expect(
                second
                    == DeliveryOutcome(
                        result: .sent(DeliveryReceipt()), connector: "handoff", attempts: 1,
                        fellBackFrom: ("gateway", "circuit breaker open")))
            #expect(fallback.calls == 2)
        }

        @Test func aBreakerOpeningMidRetriesStopsTheRetries() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt())])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("gateway", attempts: 5, failures: 2), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
                ]))
            #expect(primary.calls == 2)
            #expect(outcome.connector == "handoff")
            #expect(outcome.attempts == 3)
        }

        @Test func anOpenBreakerWithoutFallbackFailsAsTransient() async throws {
            let primary = ScriptedConnector("gateway", answers: [.failure(.transient("503"))])
            let chain = chain([
                ConnectorRoute(config: Self.config("gateway", attempts: 1, failures: 1), connector: primary)
            ])
            _ = try await send(chain, id: "m-1")
            let outcome = try await send(chain, id: "m-2")
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .failed(.transient("circuit breaker open")), connector: "gateway", attempts: 0,
                        fellBackFrom: nil))
            #expect(primary.calls == 1)
        }

        @Test func aMissingRecipientOnThePrimaryTriesTheNextRoute() async throws {
            let primary = ScriptedConnector("email-gateway", answers: [.success(DeliveryReceipt())])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt())])
            let outcome = try await send(
                chain([
                    ConnectorRoute(
                        config: Self.config("email-gateway", recipient: "profile.email"), connector: primary),
                    ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
                ]))
            #expect(primary.calls == 0)
            #expect(fallback.calls == 1)
            #expect(
                outcome
                    == DeliveryOutcome(
                        result: .sent(DeliveryReceipt()), connector: "handoff", attempts: 1,
                        fellBackFrom: ("email-gateway", "no recipient: profile.email is missing")))
        }

        @Test func noRouteWithARecipientFailsPermanentlyWithoutCallingAnyone() async throws {
            let primary = ScriptedConnector("a", answers: [.success(DeliveryReceipt())])
            let fallback = ScriptedConnector("b", answers: [.success(DeliveryReceipt())])
            let outcome = try await send(
                chain([
                    ConnectorRoute(config: Self.config("a", recipient: "profile.email"), connector: primary),
                    ConnectorRoute(config: Self.config("b", recipient: "profile.push_token"), connector: fallback),
                ]))
            #expect(outcome.result == .failed(.permanent("no recipient: profile.push_token is missing")))
            #expect(outcome.connector == "b")
            #expect(outcome.attempts == 0)
            #expect(primary.calls + fallback.calls == 0)
        }

        @Test func anEmptyChainFails() async throws {
            let outcome = try await send(chain([]))
            #expect(outcome.result == .failed(.permanent("no connector")))
            #expect(outcome.attempts == 0)
        }

        /// The provider answered a half-open trial with a 4xx: it is up. Its breaker must not stay
        /// half-open, refusing every later message for the life of the process.
        @Test func aPermanentFailureOnTheHalfOpenTrialDoesNotWedgeTheBreaker() async throws {
            let primary = ScriptedConnector(
                "gateway",
                answers: [
                    .failure(.transient("503")), .failure(.permanent("400 invalid number")),
                    .success(DeliveryReceipt(providerMessageId: "p-3")),
                ])
            let fallback = ScriptedConnector("handoff", answers: [.success(DeliveryReceipt())])
            let route = ConnectorRoute(
                config: Self.config("gateway", attempts: 1, failures: 1, openFor: .zero), connector: primary)
            let chain = chain([
                route, ConnectorRoute(config: Self.config("handoff", recipient: nil), connector: fallback),
            ])

            _ = try await send(chain, id: "m-1")  // 503: the breaker opens, for no time at all
            let second = try await send(chain, id: "m-2")  // the trial: 400
            #expect(second.result == .failed(.permanent("400 invalid number")))
            #expect(primary.calls == 2)

            let third = try await send(chain, id: "m-3")
            #expect(primary.calls == 3, "breaker state after the 400: \(route.breaker.current)")
            #expect(third.connector == "gateway")
        }
    }
}
