import NudgeTestSupport
import Testing

/// A test that moves slots or kills a master of the local Redis Cluster: it runs alone on the
/// cluster (`RedisClusterGate`), not beside another suite's engine.
struct DisturbsRedisCluster: TestTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await RedisClusterGate.shared.disturbing { try await function() }
    }
}

extension Trait where Self == DisturbsRedisCluster {
    static var disturbsRedisCluster: Self { Self() }
}
