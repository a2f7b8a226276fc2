import Foundation
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Connector directories: cross-checked connectors")
    struct ConnectorDirectoryTests {
        static let smsGateway = "type: http\nchannel: sms\nrecipient: profile.phone\nhttp: {url: http://gw}\n"

        static func handoff(channel: String = "sms", fallback: String? = nil) -> String {
            "type: kafka\nchannel: \(channel)\nfallback_only: true\nkafka: {topic: t}\n"
                + (fallback.map { "fallback: \($0)\n" } ?? "")
        }

        /// The problems of a directory that must not load, and the directory (to name files).
        static func errors(_ files: [String: String]) throws -> (errors: [ConnectorConfigError], directory: String) {
            let directory = try Unit.directory(with: files)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            do throws(ConnectorConfigErrors) {
                let configs = try ConnectorConfigLoader(environment: [:]).load(directory: directory)
                Issue.record("loaded \(configs.map(\.name)) although it should not")
                return ([], directory)
            } catch {
                return (error.errors, directory)
            }
        }

        static func file(_ directory: String, _ name: String) -> String {
            (directory as NSString).appendingPathComponent(name)
        }

        @Test func loadsYAMLFilesOnlyInNameOrder() throws {
            let directory = try Unit.directory(with: [
                "sms.yaml": Self.smsGateway + "fallback: sms-handoff\n", "sms-handoff.yml": Self.handoff(),
                "README.md": "not: [a connector", "notes.txt": "type: smtp",
            ])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let configs = try ConnectorConfigLoader(environment: [:]).load(directory: directory)
            #expect(configs.map(\.name) == ["sms-handoff", "sms"])
        }

        @Test func aMissingDirectoryHasNoConnectors() throws {
            let configs = try ConnectorConfigLoader(environment: [:]).load(directory: "/nonexistent/nudge/connectors")
            #expect(configs.isEmpty)
        }

        @Test func theSameNameInTwoFilesIsAnError() throws {
            let (errors, directory) = try Self.errors([
                "a.yaml": "name: gateway\n" + Self.smsGateway, "b.yaml": "name: gateway\n" + Self.handoff(),
            ])
            #expect(
                errors == [
                    ConnectorConfigError(
                        file: Self.file(directory, "b.yaml"), line: 1, column: 1,
                        message: "connector gateway is also defined in \(Self.file(directory, "a.yaml"))")
                ])
        }

        @Test func aFallbackMustBeAConfiguredConnector() throws {
            let (errors, directory) = try Self.errors(["sms.yaml": Self.smsGateway + "fallback: pigeon\n"])
            #expect(
                errors == [
                    ConnectorConfigError(
                        file: Self.file(directory, "sms.yaml"), line: 1, column: 1,
                        message: "fallback pigeon of sms is not a configured connector")
                ])
        }

        @Test func aFallbackMustDeliverTheSameChannel() throws {
            let (errors, _) = try Self.errors([
                "sms.yaml": Self.smsGateway + "fallback: push-handoff\n",
                "push-handoff.yaml": Self.handoff(channel: "push"),
            ])
            #expect(errors.map(\.message) == ["fallback push-handoff delivers push, not sms"])
        }

        @Test func fallbacksMustNotLoop() throws {
            let (errors, directory) = try Self.errors([
                "sms.yaml": Self.smsGateway + "fallback: relay\n", "relay.yaml": Self.handoff(fallback: "sms"),
            ])
            #expect(
                Set(errors.map(\.description)) == [
                    "\(Self.file(directory, "relay.yaml")):1:1: error: fallbacks of relay loop back to relay",
                    "\(Self.file(directory, "sms.yaml")):1:1: error: fallbacks of sms loop back to sms",
                ])
        }

        @Test func aConnectorThatIsItsOwnFallbackLoops() throws {
            let (errors, _) = try Self.errors(["sms.yaml": Self.smsGateway + "fallback: sms\n"])
            #expect(errors.map(\.message) == ["fallbacks of sms loop back to sms"])
        }

        @Test func aLongerLoopIsFoundFromAConnectorOutsideIt() throws {
            let (errors, _) = try Self.errors([
                "sms.yaml": Self.smsGateway + "fallback: b\n", "b.yaml": Self.handoff(fallback: "c"),
                "c.yaml": Self.handoff(fallback: "b"),
            ])
            #expect(
                errors.map(\.message).sorted() == [
                    "fallbacks of b loop back to b", "fallbacks of c loop back to c", "fallbacks of sms loop back to b",
                ])
        }

        @Test func twoPrimariesOnOneChannelAreAnError() throws {
            let (errors, _) = try Self.errors([
                "a.yaml": Self.smsGateway, "b.yaml": Self.smsGateway, "c.yaml": Self.handoff(),
            ])
            #expect(
                errors.map(\.message) == [
                    "channel sms has several primary connectors (a, b); mark all but one `fallback_only: true`"
                ])
        }

        @Test func problemsOfSeveralFilesAreReportedTogether() throws {
            let (errors, directory) = try Self.errors([
                "a.yaml": "type: smtp\nchannel: email\n",
                "b.yaml": "type: kafka\nchannel: sms\nkafka:\n  topic: ${TOPIC}\n",
                "c.yaml": Self.smsGateway + "fallback: nowhere\n",
            ])
            #expect(Set(errors.map(\.file)) == Set(["a.yaml", "b.yaml", "c.yaml"].map { Self.file(directory, $0) }))
        }

        // MARK: the repository's own connectors

        @Test func theRepositoryConnectorsLoadWithoutAnyEnvironment() throws {
            let directory = (Unit.repositoryRoot as NSString).appendingPathComponent("connectors")
            #expect(FileManager.default.fileExists(atPath: directory), "no connectors directory at \(directory)")
            let configs = try ConnectorConfigLoader(environment: [:]).load(directory: directory)
            let byName = Dictionary(uniqueKeysWithValues: configs.map { ($0.name, $0) })

            let primaries = Dictionary(grouping: configs.filter { !$0.fallbackOnly }, by: \.channel)
            #expect(primaries.mapValues { $0.map(\.name) } == ["email": ["email"], "sms": ["sms"], "push": ["push"]])

            // Every fallback exists, delivers the same channel and needs no recipient.
            for channel in ["sms", "push"] {
                let primary = try #require(byName[channel])
                let fallbackName = try #require(primary.fallback, "\(channel) has no fallback")
                let fallback = try #require(byName[fallbackName])
                #expect(fallback.channel == channel)
                #expect(fallback.fallbackOnly)
                #expect(fallback.kind.name == "kafka")
                #expect(fallback.recipient == nil)
            }

            let email = try #require(byName["email"])
            #expect(email.kind.name == "smtp")
            #expect(email.recipient == "profile.email")
            if case .smtp(let smtp) = email.kind {
                #expect(smtp.host == "127.0.0.1")
                #expect(smtp.port == 12525)
                #expect(smtp.security == .none)
                #expect(smtp.from == "Nudge <noreply@nudge.local>")
            }

            let sms = try #require(byName["sms"])
            #expect(sms.recipient == "profile.phone")
            let callback = try #require(sms.callback)
            #expect(callback.secret == "local-development-callback-secret")
            #expect(callback.mapping.statuses["undeliverable"] == .bounced)
            if case .http(let http) = sms.kind {
                #expect(http.url == "http://127.0.0.1:18090/v1/messages")
                #expect(http.headers.first { $0.name == "Authorization" }?.value == "Bearer local-development-token")
            }
            #expect(byName["push"]?.callback != nil)
        }
    }
}
