import EngineCore
import Foundation
import Hummingbird
import Logging

/// `/v1/admin/keys`: list, create and revoke API keys (admin role). Changes are audited with the
/// acting key's name; secrets appear only in the creation response, never in logs or the audit.
struct AdminKeyRoutes<Context: APIRequestContext>: Sendable {
    let store: any APIKeyStore
    let audit: any AuditLog

    struct CreateRequest: Decodable {
        var name: String
        var role: String
    }

    /// A key as the API shows it: no hash, no secret.
    struct KeyView: Encodable {
        var id: Int64
        var name: String
        var role: String
        var prefix: String
        var createdAt: Date
        var revokedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name, role, prefix
            case createdAt = "created_at"
            case revokedAt = "revoked_at"
        }

        init(_ key: APIKey) {
            id = key.id
            name = key.name
            role = key.role.rawValue
            prefix = key.prefix
            createdAt = key.createdAt
            revokedAt = key.revokedAt
        }
    }

    struct CreatedView: Encodable {
        var key: KeyView
        /// Shown once; store it now.
        var secret: String
    }

    func add(to group: RouterGroup<Context>) {
        group.get("keys") { _, _ in
            JSONResponse.encode(["keys": try await store.list().map(KeyView.init)])
        }
        group.post("keys") { request, context in
            let actor = try context.requireRole(.admin)
            let body = try await RequestBodyReader.bytes(request, limit: 16 * 1024)
            let input: CreateRequest
            do {
                input = try JSONDecoder().decode(CreateRequest.self, from: Data(body.readableBytesView))
            } catch {
                throw ProblemDetails(
                    kind: .invalidJSON,
                    detail: "expected {\"name\": \"...\", \"role\": \"viewer|editor|publisher|admin\"}")
            }
            guard let role = APIRole(rawValue: input.role) else {
                throw ProblemDetails(kind: .invalidRequest, detail: "role must be viewer, editor, publisher or admin")
            }
            let name = input.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 100,
                !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw ProblemDetails(
                    kind: .invalidRequest, detail: "name must be 1 to 100 characters, none of them control characters")
            }
            let created: CreatedAPIKey
            do {
                created = try await store.create(name: name, role: role)
            } catch let error as APIKeyNameInUse {
                throw ProblemDetails(kind: .nameInUse, detail: "\(error); revoke it or choose another name")
            }
            try await audit.record(
                actor: actor.name, action: "api_key.create", subject: "api_key:\(created.key.id)",
                detail: ["name": name, "role": role.rawValue])
            context.logger.info("api key created", metadata: ["api.key.id": "\(created.key.id)"])
            return JSONResponse.encode(CreatedView(key: KeyView(created.key), secret: created.secret), status: .created)
        }
        group.delete("keys/{id}") { _, context in
            let actor = try context.requireRole(.admin)
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw ProblemDetails(kind: .invalidRequest, detail: "key id must be an integer")
            }
            guard try await store.revoke(id: id) else {
                throw ProblemDetails(kind: .notFound, detail: "no active API key \(id)")
            }
            try await audit.record(actor: actor.name, action: "api_key.revoke", subject: "api_key:\(id)", detail: [:])
            return Response(status: .noContent)
        }
    }
}
