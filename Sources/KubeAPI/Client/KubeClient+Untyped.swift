/// Calls on resource paths (`/api/v1/namespaces/default/configmaps/x`, see
/// `ResourcePath`) with `JSONValue` bodies: for kinds without a Swift type, and for
/// code that handles every kind alike (garbage collection, apply of manifests).
extension KubeClient {
    public func get(path: String) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.get, path: path))
    }

    public func list(path: String, options: ListOptions = ListOptions()) async throws -> ListResult<JSONValue> {
        try Self.decode(ListResult<JSONValue>.self,
                        from: try await send(.get, path: path, query: options.queryItems))
    }

    /// POSTs `object` to the collection at `path`.
    public func create(path: String, object: JSONValue,
                       options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.post, path: path, query: options.queryItems,
                                                             body: try Self.encode(object)))
    }

    /// PUTs `object` to the object (or subresource) at `path`.
    public func update(path: String, object: JSONValue,
                       options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.put, path: path, query: options.queryItems,
                                                             body: try Self.encode(object)))
    }

    public func patch(path: String, type: PatchType = .merge, patch: JSONValue,
                      options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.patch, path: path, query: options.queryItems,
                                                             body: try Self.encode(patch),
                                                             contentType: type.contentType))
    }

    /// Returns what the server answers: a Status, or the object while finalizers hold it.
    @discardableResult
    public func delete(path: String, options: DeletionOptions = DeletionOptions()) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.delete, path: path,
                                                             body: try Self.encode(options.body)))
    }

    @discardableResult
    public func deleteCollection(path: String, listOptions: ListOptions = ListOptions(),
                                 options: DeletionOptions = DeletionOptions()) async throws -> JSONValue {
        try Self.decode(JSONValue.self, from: try await send(.delete, path: path, query: listOptions.queryItems,
                                                             body: try Self.encode(options.body)))
    }

    public func watch(path: String, options: ListOptions = ListOptions()) async throws
        -> AsyncThrowingStream<KubeWatchEvent<JSONValue>, Error>
    {
        let response = try await start(.get, path: path, query: options.queryItems + [("watch", "true")])
        return WatchStream.events(body: response.body, as: JSONValue.self, transform: { $0 })
    }

    /// Any request, for what the calls above do not cover (`pods/log`, discovery).
    /// Returns the raw response body.
    public func raw(method: String, path: String, query: [(name: String, value: String)] = [],
                    body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        let m: Method = switch method.uppercased() {
        case "POST": .post
        case "PUT": .put
        case "PATCH": .patch
        case "DELETE": .delete
        default: .get
        }
        return try await send(m, path: path, query: query, body: body, contentType: contentType)
    }
}
