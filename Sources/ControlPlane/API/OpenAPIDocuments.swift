import KubeAPI

/// The OpenAPI documents served under /openapi, built once at start.
struct OpenAPIDocuments: Sendable {
    let index: JSONValue
    let swaggerV2: [UInt8]
    private let documents: [String: [UInt8]]

    init(registry: ResourceRegistry) {
        index = ["paths": [:]]
        swaggerV2 = JSONSerializer.serialize(["swagger": "2.0", "info": ["title": "Kubernetes", "version": .string(Discovery.kubernetesVersion)], "paths": [:], "definitions": [:]])
        documents = [:]
    }

    /// The document for `api/v1` or `apis/apps/v1` (query string ignored).
    func document(_ path: String) -> [UInt8]? {
        documents[path]
    }
}
