import Foundation
import Hummingbird
import NudgeRecords

/// `GET /v1/admin/replans` (viewer): the replan of existing customers that the engine runs when
/// the live scenarios with date or absence triggers change, per partition: for which scenarios,
/// how many customer keys were looked at, how many of the partition's customers were replanned
/// and how many of them changed, and whether it is finished. `finished` is true when every
/// partition finished for the same scenarios.
struct ReplanRoutes<Context: APIRequestContext>: Sendable {
    let reader: ReplanReader

    struct PartitionView: Encodable {
        var partition: Int32
        var status: String
        var scenarios: [String]
        var scanned: Int
        var replanned: Int
        var changed: Int
        var startedAt: Date?
        var finishedAt: Date?

        enum CodingKeys: String, CodingKey {
            case partition, status, scenarios, scanned, replanned, changed
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }

        init(partition: Int32, progress: ReplanProgress?) {
            self.partition = partition
            status = progress.map { $0.isFinished ? "finished" : "running" } ?? "not_started"
            scenarios = progress?.scenarios ?? []
            scanned = progress?.scanned ?? 0
            replanned = progress?.replanned ?? 0
            changed = progress?.changed ?? 0
            startedAt = progress.map { Self.date($0.startedAt) }
            finishedAt = progress?.finishedAt.map(Self.date)
        }

        private static func date(_ milliseconds: Int64) -> Date {
            Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
    }

    struct ReplansView: Encodable {
        var finished: Bool
        var partitions: [PartitionView]
    }

    func add(to group: RouterGroup<Context>) {
        group.get("replans") { _, context in
            _ = try context.requireRole(.viewer)
            let partitions = try await reader.progress().map(PartitionView.init)
            let finished =
                partitions.allSatisfy { $0.status == "finished" }
                && Set(partitions.map(\.scenarios)).count <= 1
            return JSONResponse.encode(ReplansView(finished: finished, partitions: partitions))
        }
    }
}
