import RuleFileReader
import Testing

@testable import EngineCore

/// Every invalid fixture is rejected with a precise file, line, column and message.
@Suite("Validation of invalid files")
struct InvalidFileTests {
    private func errors(_ name: String) throws -> [RuleError] {
        let path = TestSupport.fixturePath("invalid/\(name)")
        let text = try TestSupport.read(path)
        let result =
            RuleFiles.isPolicyFile(path)
            ? PolicyLoader.load(yaml: text, file: path).map { _ in () }
            : ScenarioLoader.load(yaml: text, file: path).map { _ in () }
        guard case .failure(let failure) = result else { throw TestFailure("\(name) should not load") }
        #expect(failure.errors.allSatisfy { $0.location.file == path })
        return failure.errors
    }

    private func expectOnly(
        _ name: String, line: Int, column: Int, code: RuleError.Code, message: String
    ) throws {
        let found = try errors(name)
        #expect(found.count == 1, "\(found)")
        let error = try #require(found.first)
        #expect(error.location.line == line)
        #expect(error.location.column == column)
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error.description.hasSuffix("invalid/\(name):\(line):\(column): error: \(message)"))
    }

    @Test func unknownStep() throws {
        try expectOnly(
            "unknown-step.yaml", line: 8, column: 11, code: .unknownStep,
            message: "step 'wait_a_bit' refers to unknown step 'send_mail' (did you mean 'send_email'?)")
    }

    @Test func cycleWithoutWait() throws {
        try expectOnly(
            "cycle-without-wait.yaml", line: 6, column: 3, code: .cycleWithoutWait,
            message: "cycle without a wait: check -> greet -> check; add a wait, wait_for or digest step")
    }

    @Test func typeError() throws {
        try expectOnly(
            "type-error.yaml", line: 5, column: 46, code: .typeError,
            message: "'>' cannot compare duration and number in 'trigger.when'")
    }

    @Test func badDuration() throws {
        let found = try errors("bad-duration.yaml")
        #expect(found.map(\.code) == [.badDuration, .badDuration])
        #expect(found.map(\.location.line) == [6, 9])
        #expect(found.map(\.location.column) == [13, 11])
        #expect(found[0].message == "bad duration '30 days': missing unit (use ms, s, m, h, d or w) in 'once_per'")
        #expect(
            found[1].message == "bad duration '14x': unknown unit 'x' (use ms, s, m, h, d or w) in 'wait_a_bit.wait'")
    }

    @Test func unknownFieldWithSuggestion() throws {
        let found = try errors("unknown-field.yaml")
        #expect(found.map(\.code) == [.unknownField, .missingField])
        #expect(found.first?.location.line == 8)
        #expect(found.first?.message == "unknown field 'chanel' in send of step 'welcome' (did you mean 'channel'?)")
    }

    @Test func missingTrigger() throws {
        try expectOnly(
            "missing-trigger.yaml", line: 1, column: 1, code: .missingField,
            message: "a scenario is missing required field 'trigger'")
    }

    @Test func yamlSyntax() throws {
        let found = try errors("yaml-syntax.yaml")
        #expect(found.first?.code == .yamlSyntax)
        #expect(found.first?.message.contains("line 4, column 10") == true)
    }

    @Test func splitPercentages() throws {
        try expectOnly(
            "split-sum.yaml", line: 8, column: 7, code: .invalidValue,
            message: "split percentages of step 'ab' add up to 90, not 100")
    }

    @Test func unknownInstanceVariable() throws {
        try expectOnly(
            "unknown-variable.yaml", line: 9, column: 55, code: .typeError,
            message: "unknown instance variable 'aplication_id' (did you mean 'application_id'?); "
                + "declare it under 'vars' in 'goals.when'"
        )
    }

    @Test func invalidPolicy() throws {
        let found = try errors("policy.yaml")
        #expect(found.map(\.location.line).sorted() == [2, 6, 8, 10])
        #expect(
            found.contains {
                $0.code == .unknownField && $0.location.line == 10
                    && $0.message.hasPrefix("'rate_limit': provider rate limits are not part of the contact policy")
                    && $0.message.contains("connectors/<name>.yaml")
            })
        #expect(found.contains { $0.message == "'per' must be day, week or a duration such as 24h" })
    }

    @Test("validating a directory reports every file's errors")
    func wholeDirectory() {
        let result = RuleFiles.load(paths: [TestSupport.fixturePath("invalid")])
        #expect(result.files.count == 10)
        #expect(Set(result.errors.map(\.location.file)).count == 10)
    }

    @Test("the samples in rules/ are all valid")
    func samplesAreValid() {
        let result = RuleFiles.load(paths: [TestSupport.rulesDirectory])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.scenarios.count >= 8)
        #expect(result.policies.count == 1)
    }
}
