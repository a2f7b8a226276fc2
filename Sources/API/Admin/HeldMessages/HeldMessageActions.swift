import SharedStores
import EngineCore
import Foundation
import Logging
import NudgeKafka

/// What an operator can do with a message the dispatcher held (`on_unknown: hold`) after
/// checking the provider's side: send it again, record that it did go out, or drop it. The
/// ledger's transitions decide (only a held message moves, once); the message log and the audit
/// log follow. Shared by the admin API and anything else that offers the buttons.
struct HeldMessageActions: Sendable {
    let ledger: DispatchLedger
    let producer: KafkaProducer
    /// Where the dispatchers read (`topics.outbound`): a released record goes back there.
    let outboundTopic: String
    let messageLog: any MessageLog
    let audit: any AuditLog
    let logger: Logger

    func page(limit: Int, after cursor: DispatchLedger.HeldCursor?) async throws -> DispatchLedger.HeldPage {
        try await ledger.heldMessages(limit: limit, after: cursor)
    }

    /// Released and its record produced to the outbound topic with the same message id: the
    /// dispatcher's `begin` takes it like a fresh message, once; a replay of it finds it sent.
    func resend(_ messageId: String, actor: String) async throws -> DispatchLedger.Entry {
        let released = try await ledger.release(messageId: messageId, reason: "released for resend by \(actor)")
        let entry = released.entry
        do {
            _ = try await producer.send(
                topic: outboundTopic, key: Array(entry.customerId.utf8), value: released.record,
                headers: [KafkaHeader(name: IngestRoutes<APIContext>.sourceHeader, value: Array("admin".utf8))])
        } catch {
            let restored = try? await ledger.unrelease(released)
            logger.warning(
                "held message not released: the outbound record could not be produced",
                metadata: [
                    APILogKeys.messageId: "\(messageId)", APILogKeys.error: "\(error)",
                    APILogKeys.restored: "\(restored ?? false)",
                ])
            throw ProblemDetails(kind: .unavailable, detail: "the message could not be queued again; retry later")
        }
        try await record(
            entry, .queued, reason: "released for resend by \(actor)",
            key: "released@\(Timestamp.wallClock().milliseconds)")
        try await audited(entry, action: "message.resend", actor: actor)
        return entry
    }

    /// The operator found it at the provider: `sent`, no provider is called.
    func markSent(_ messageId: String, actor: String) async throws -> DispatchLedger.Entry {
        let entry = try await ledger.markSent(messageId: messageId, reason: "marked sent by \(actor)")
        try await record(entry, .sent, reason: "marked sent by \(actor)", key: "marked-sent")
        try await audited(entry, action: "message.mark_sent", actor: actor)
        return entry
    }

    /// Not sent, for good: `dropped` in the ledger, `unknown` in the message log (as `on_unknown: drop`).
    func drop(_ messageId: String, actor: String) async throws -> DispatchLedger.Entry {
        let entry = try await ledger.dropHeld(messageId: messageId, reason: "dropped by \(actor)")
        try await record(entry, .unknown, reason: "dropped by \(actor)", key: "dropped")
        try await audited(entry, action: "message.drop", actor: actor)
        return entry
    }

    private func record(
        _ entry: DispatchLedger.Entry, _ status: MessageStatus, reason: String, key: String
    ) async throws {
        try await messageLog.record([
            MessageLogEntry(
                messageId: entry.messageId, customerId: entry.customerId, message: nil, status: status, reason: reason,
                connector: entry.connector, at: .wallClock(), entryKey: key)
        ])
    }

    /// The audit row names the message and its connector, not the customer (an erase leaves the
    /// audit log as it is).
    private func audited(_ entry: DispatchLedger.Entry, action: String, actor: String) async throws {
        try await audit.record(
            actor: actor, action: action, subject: "message:\(entry.messageId)",
            detail: ["connector": entry.connector ?? "", "channel": entry.channel, "scenario": entry.scenario])
    }
}
