import Foundation
import NudgeTestSupport
import Testing
import Yams

@testable import NudgeApp

/// deploy/kubernetes: valid against the Kubernetes API schemas (kubernetes-validate from PyPI,
/// installed by scripts/install-deps.sh), wired the way the processes expect (probes on /health
/// and /ready, requests, a disruption budget per Deployment), and its nudge.yaml loadable by
/// Nudge's own configuration loader. The Dockerfile's copies exist and match the manifests' user.
@Suite("Kubernetes manifests")
struct KubernetesManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let directory = root.appendingPathComponent("deploy/kubernetes")
    /// Custom resources of the operators in examples/ and kustomize's own file: no schema in the validator.
    static let customKinds: Set<String> = ["Kustomization", "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster"]

    static func manifestFiles() throws -> [URL] {
        let files = try [directory, directory.appendingPathComponent("examples")].flatMap {
            try FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil)
        }
        return files.filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    /// Every document of every manifest file, as a dictionary.
    static func documents() throws -> [[String: Any]] {
        try manifestFiles().flatMap { file in
            try Yams.load_all(yaml: String(contentsOf: file, encoding: .utf8)).compactMap { $0 as? [String: Any] }
        }
    }

    static func validate(_ paths: [String]) throws -> (status: Int32, lines: [String]) {
        let tool = root.appendingPathComponent(".tools/bin/kubernetes-validate").path
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw ToolMissing(description: "\(tool) is missing: run scripts/install-deps.sh")
        }
        let result = try ToolRun.run(URL(fileURLWithPath: tool), ["--strict"] + paths)
        return (result.status, result.output.split(separator: "\n").map(String.init))
    }

    @Test func everyManifestValidatesStrictlyAgainstTheKubernetesSchemas() throws {
        let files = try Self.manifestFiles()
        #expect(files.count >= 11)
        let result = try Self.validate(files.map(\.path))
        #expect(result.status == 0, "\(result.lines.joined(separator: "\n"))")
        for line in result.lines {
            if line.hasPrefix("INFO"), line.contains(" passed for resource ") { continue }
            // Only the operators' custom resources may go unchecked, and only for want of a schema.
            let kind = line.components(separatedBy: "schema for kind ").dropFirst().first?.split(separator: " ").first
            #expect(
                line.hasPrefix("WARN") && kind.map { Self.customKinds.contains(String($0)) } == true,
                "unexpected validator output: \(line)")
        }
        let passed = result.lines.filter { $0.contains(" passed for resource ") }.count
        let unchecked = try Self.documents().filter { Self.customKinds.contains($0["kind"] as? String ?? "") }.count
        #expect(passed + unchecked == (try Self.documents().count))
    }

    @Test func theValidatorRejectsAWrongManifest() throws {
        let engine = try String(contentsOf: Self.directory.appendingPathComponent("engine.yaml"), encoding: .utf8)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-broken-\(UUID()).yaml")
        try engine.replacingOccurrences(of: "replicas: 3", with: "replicas: three").write(
            to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let result = try Self.validate([broken.path])
        #expect(result.status != 0)
        #expect(result.lines.contains { $0.hasPrefix("ERROR") && $0.contains("spec.replicas") })
    }

    @Test func eachProcessRunsAsItsOwnDeploymentWithProbesRequestsAndABudget() throws {
        let documents = try Self.documents()
        let deployments = documents.filter { $0["kind"] as? String == "Deployment" }
        let budgets = documents.filter { $0["kind"] as? String == "PodDisruptionBudget" }
        var commands: [String] = []
        for deployment in deployments {
            let spec = deployment["spec"] as? [String: Any] ?? [:]
            let labels = (spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String] ?? [:]
            let pod = (spec["template"] as? [String: Any])?["spec"] as? [String: Any] ?? [:]
            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            let args = container["args"] as? [String] ?? []
            commands.append(args.first ?? "")
            #expect(Array(args.dropFirst()) == ["--config", "/etc/nudge/nudge.yaml"])
            #expect(container["image"] as? String == "nudge:1.0.0")
            let liveness = (container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
            let readiness = (container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
            #expect(liveness?["path"] as? String == "/health")
            #expect(readiness?["path"] as? String == "/ready")
            let requests = (container["resources"] as? [String: Any])?["requests"] as? [String: Any]
            #expect(requests?["cpu"] != nil && requests?["memory"] != nil)
            #expect((pod["securityContext"] as? [String: Any])?["runAsUser"] as? Int == 10001)
            let covered = budgets.contains { budget in
                let selector = ((budget["spec"] as? [String: Any])?["selector"] as? [String: Any])?["matchLabels"]
                return (selector as? [String: String]) == labels
            }
            #expect(covered, "no PodDisruptionBudget selects \(labels)")
        }
        #expect(commands.sorted() == ["dispatch", "engine", "serve"])
    }

    @Test func theConfigMapIsAConfigurationNudgeLoads() async throws {
        let config = try #require(
            try Self.documents().first {
                $0["kind"] as? String == "ConfigMap"
                    && ($0["metadata"] as? [String: Any])?["name"] as? String
                        == "nudge-config"
            })
        let text = try #require((config["data"] as? [String: String])?["nudge.yaml"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nudge-k8s-\(UUID()).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let loaded = try await NudgeConfig.load(filePath: file.path, environment: [:])
        #expect(loaded.http.host == "0.0.0.0")
        #expect(loaded.topics.partitions == 24)
        #expect(loaded.rulesDirectory == "/app/rules")
        #expect(loaded.kafka.brokers == ["nudge-kafka-kafka-bootstrap.kafka.svc:9092"])
    }

    @Test func theDockerfileCopiesWhatExistsAndRunsAsTheManifestsUser() throws {
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let copies = dockerfile.split(separator: "\n").filter { $0.hasPrefix("COPY ") && !$0.contains("--from=") }
        #expect(copies.count >= 5)
        for copy in copies {
            let source = String(copy.split(separator: " ")[1])
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(source).path), "\(copy)")
        }
        #expect(dockerfile.contains("USER 10001:10001"))
        #expect(dockerfile.contains("COPY deploy/nudge.yaml /etc/nudge/nudge.yaml"))
        // The image's baseline folders are where the manifests' configuration looks.
        #expect(dockerfile.contains("COPY rules /app/rules") && dockerfile.contains("COPY connectors /app/connectors"))
    }
}

struct ToolMissing: Error, CustomStringConvertible {
    var description: String
}
