import EngineCore

// The shared records as `Value` trees, written by the core's JSONValueWriter: the bytes
// JSONEncoder (`.sortedKeys`, `.withoutEscapingSlashes`) writes for their Codable forms, at a
// fraction of the cost (Foundation's encoder was the engine's largest serializer per message).
// Keys are the Codable forms' keys; optionals that are nil are left out, as the encoder does.
// RecordBytesTests pins the bytes: a change here is a change of a wire format.

extension OutboundMessage {
    public var jsonValue: Value {
        var fields: [String: Value] = [
            "message_id": .string(messageId), "customer_id": .string(customerId), "channel": .string(channel),
            "template": .string(template), "variables": .object(variables), "priority": .int(Int64(priority)),
            "transactional": .bool(transactional), "scenario": .string(scenario),
            "scenario_version": .int(Int64(scenarioVersion)), "step": .string(step), "instance": .string(instance),
            "created_at": .int(createdAt.milliseconds), "policy": .string(policy), "profile": .object(profile),
            "record_version": .int(Int64(recordVersion)),
        ]
        if let subscription { fields["subscription"] = .string(subscription) }
        return .object(fields)
    }
}

extension SlotContent {
    public var jsonValue: Value {
        var fields: [String: Value] = [
            "payload": .object(payload), "scenario": .string(scenario), "step": .string(step),
            "updated_at": .int(updatedAt.milliseconds), "record_version": .int(Int64(recordVersion)),
        ]
        if let expiresAt { fields["expires_at"] = .int(expiresAt.milliseconds) }
        return .object(fields)
    }
}
