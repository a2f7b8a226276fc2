import NudgeTestSupport
import Testing

/// A test that runs an engine on the local Redis Cluster: never during a reshard or a killed
/// master of another suite (`RedisClusterGate`).
struct SharesRedisCluster: TestTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await RedisClusterGate.shared.using { try await function() }
    }
}

extension Trait where Self == SharesRedisCluster {
    static var sharesRedisCluster: Self { Self() }
}
