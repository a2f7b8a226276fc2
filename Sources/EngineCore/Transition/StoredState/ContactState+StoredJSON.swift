/// The contact policy's part of the stored customer, in the `Codable` form's sorted key order.
/// `Held` and the message in it use the synthesized (long) keys of their `Codable` conformances.
extension ContactState {
    func write(into writer: inout JSONValueWriter) throws(JSONWriteError) {
        var first = true
        writer.writeASCII("{")
        func separate(_ writer: inout JSONValueWriter) {
            if !first { writer.writeASCII(",") }
            first = false
        }
        if !held.isEmpty {
            separate(&writer)
            writer.writeASCII("\"h\":[")
            for (position, message) in held.enumerated() {
                if position > 0 { writer.writeASCII(",") }
                try message.write(into: &writer)
            }
            writer.writeASCII("]")
        }
        if !sent.isEmpty {
            separate(&writer)
            writer.writeASCII("\"s\":[")
            for (position, send) in sent.enumerated() {
                if position > 0 { writer.writeASCII(",") }
                writer.writeASCII("{\"c\":")
                writer.write(send.channel)
                writer.writeASCII(",\"t\":")
                writer.write(send.at.milliseconds)
                writer.writeASCII("}")
            }
            writer.writeASCII("]")
        }
        if !templates.isEmpty {
            separate(&writer)
            writer.writeASCII("\"t\":")
            try writer.write(templates) { writer, at throws(JSONWriteError) in writer.write(at.milliseconds) }
        }
        if !suppressions.isEmpty {
            separate(&writer)
            writer.writeASCII("\"x\":")
            try writer.write(suppressions) { writer, reason throws(JSONWriteError) in writer.write(reason) }
        }
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init()
        sent =
            try object.list("s") { value, path throws(StoredStateError) in
                let send = try StoredObject(value, path: path)
                return Sent(channel: try send.string("c"), at: try send.timestamp("t"))
            } ?? []
        templates =
            try object.map("t") { value, path throws(StoredStateError) in
                Timestamp(milliseconds: try StoredObject.int(value, path: path))
            } ?? [:]
        suppressions =
            try object.map("x") { value, path throws(StoredStateError) in try StoredObject.string(value, path: path) }
            ?? [:]
        held =
            try object.list("h") { value, path throws(StoredStateError) in try Held(stored: value, path: path) } ?? []
    }
}

extension ContactState.Held {
    func write(into writer: inout JSONValueWriter) throws(JSONWriteError) {
        writer.writeASCII("{\"message\":")
        try message.write(into: &writer)
        writer.writeASCII(",\"reason\":")
        writer.write(reason)
        writer.writeASCII(",\"until\":")
        writer.write(until.milliseconds)
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(
            message: try SendMessage(stored: try object.required("message"), path: object.at("message")),
            until: try object.timestamp("until"),
            reason: try object.string("reason"))
    }
}

extension SendMessage {
    func write(into writer: inout JSONValueWriter) throws(JSONWriteError) {
        writer.writeASCII("{\"channel\":")
        writer.write(channel)
        writer.writeASCII(",\"messageId\":")
        writer.write(messageId)
        writer.writeASCII(",\"origin\":")
        origin.write(into: &writer)
        writer.writeASCII(",\"priority\":")
        writer.write(priority)
        writer.writeASCII(",\"template\":")
        writer.write(template)
        if let topic {
            writer.writeASCII(",\"topic\":")
            writer.write(topic)
        }
        writer.writeASCII(",\"transactional\":")
        writer.writeASCII(transactional ? "true" : "false")
        writer.writeASCII(",\"variables\":")
        try writer.write(variables) { writer, value throws(JSONWriteError) in try writer.write(value) }
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        guard let variables = try object.map("variables", { value, _ in value }) else {
            throw StoredStateError(path: object.at("variables"), message: "missing")
        }
        self.init(
            messageId: try object.string("messageId"),
            origin: try InstanceRef(stored: try object.required("origin"), path: object.at("origin")),
            channel: try object.string("channel"),
            template: try object.string("template"),
            variables: variables,
            priority: Int(try object.int("priority")),
            transactional: try object.bool("transactional"),
            topic: try object.optionalString("topic"))
    }
}

extension InstanceRef {
    func write(into writer: inout JSONValueWriter) {
        writer.writeASCII("{\"customerId\":")
        writer.write(customerId)
        writer.writeASCII(",\"instance\":")
        writer.write(instance)
        writer.writeASCII(",\"scenario\":")
        writer.write(scenario)
        writer.writeASCII(",\"step\":")
        writer.write(step)
        writer.writeASCII(",\"version\":")
        writer.write(version)
        writer.writeASCII("}")
    }

    init(stored value: Value, path: String) throws(StoredStateError) {
        let object = try StoredObject(value, path: path)
        self.init(
            customerId: try object.string("customerId"),
            scenario: try object.string("scenario"),
            version: Int(try object.int("version")),
            instance: try object.string("instance"),
            step: try object.string("step"))
    }
}
