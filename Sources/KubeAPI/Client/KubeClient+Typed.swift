/// Calls for `KubeObject` types. The namespace of a namespaced type defaults to the
/// configuration's, except for list and watch, where `nil` means all namespaces.
extension KubeClient {
    public func get<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        let path = ResourcePath(T.self, namespace: namespace ?? config.namespace, name: name)
        return try withTypeMeta(Self.decode(T.self, from: try await send(.get, path: path.path)))
    }

    public func list<T: KubeObject>(_ type: T.Type, namespace: String? = nil,
                                    options: ListOptions = ListOptions()) async throws -> ListResult<T> {
        let path = ResourcePath(T.self, namespace: namespace)
        var page = try Self.decode(ListResult<T>.self,
                                   from: try await send(.get, path: path.path, query: options.queryItems))
        // List items come without apiVersion/kind; fill them so objects look as from a get.
        page.items = page.items.map(withTypeMeta)
        return page
    }

    public func create<T: KubeObject>(_ object: T, namespace: String? = nil,
                                      options: WriteOptions = WriteOptions()) async throws -> T {
        let ns = namespace ?? object.metadata?.namespace ?? config.namespace
        let path = ResourcePath(T.self, namespace: ns)
        let body = try Self.encode(withTypeMeta(object))
        return try withTypeMeta(Self.decode(T.self, from: try await send(.post, path: path.path,
                                                                          query: options.queryItems, body: body)))
    }

    /// Replaces the object (PUT); its `metadata.resourceVersion`, if set, makes the
    /// write conditional and a stale one fails with `isConflict`.
    public func update<T: KubeObject>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await put(object, subresource: nil, options: options)
    }

    /// Replaces the object's status through the `status` subresource.
    public func updateStatus<T: KubeObject>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await put(object, subresource: "status", options: options)
    }

    private func put<T: KubeObject>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        guard let name = object.metadata?.name, !name.isEmpty else { throw KubeClientError.missingName }
        let path = ResourcePath(T.self, namespace: object.metadata?.namespace ?? config.namespace, name: name,
                                subresource: subresource)
        let body = try Self.encode(withTypeMeta(object))
        return try withTypeMeta(Self.decode(T.self, from: try await send(.put, path: path.path,
                                                                          query: options.queryItems, body: body)))
    }

    /// Patches an object. `.apply` needs `options.fieldManager`.
    public func patch<T: KubeObject>(_ kind: T.Type, name: String, namespace: String? = nil,
                                     type: PatchType = .merge, patch: JSONValue, subresource: String? = nil,
                                     options: WriteOptions = WriteOptions()) async throws -> T {
        let path = ResourcePath(T.self, namespace: namespace ?? config.namespace, name: name,
                                subresource: subresource)
        let result = try await send(.patch, path: path.path, query: options.queryItems,
                                    body: try Self.encode(patch), contentType: type.contentType)
        return try withTypeMeta(Self.decode(T.self, from: result))
    }

    public func delete<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil,
                                      options: DeletionOptions = DeletionOptions()) async throws {
        let path = ResourcePath(T.self, namespace: namespace ?? config.namespace, name: name)
        _ = try await send(.delete, path: path.path, body: try Self.encode(options.body))
    }

    /// Deletes every object matching the list options in one namespace (the
    /// configuration's if `nil`).
    public func deleteCollection<T: KubeObject>(_ type: T.Type, namespace: String? = nil,
                                                listOptions: ListOptions = ListOptions(),
                                                options: DeletionOptions = DeletionOptions()) async throws {
        let path = ResourcePath(T.self, namespace: namespace ?? config.namespace)
        _ = try await send(.delete, path: path.path, query: listOptions.queryItems,
                           body: try Self.encode(options.body))
    }

    /// Watches `T` from `options.resourceVersion`. Throws right away if the server
    /// refuses the watch; afterwards the stream ends when the server closes it, and
    /// throws a `KubeAPIError` for an ERROR event (`isGone` for 410 Expired).
    public func watch<T: KubeObject>(_ type: T.Type, namespace: String? = nil,
                                     options: ListOptions = ListOptions()) async throws
        -> AsyncThrowingStream<KubeWatchEvent<T>, Error>
    {
        let path = ResourcePath(T.self, namespace: namespace)
        let response = try await start(.get, path: path.path, query: options.queryItems + [("watch", "true")])
        return WatchStream.events(body: response.body, as: T.self, transform: { withTypeMeta($0) })
    }
}

/// `apiVersion` and `kind` from the type when the object lacks them.
func withTypeMeta<T: KubeObject>(_ object: T) -> T {
    guard object.apiVersion == nil || object.kind == nil else { return object }
    var o = object
    if o.apiVersion == nil { o.apiVersion = T.gvk.apiVersion }
    if o.kind == nil { o.kind = T.gvk.kind }
    return o
}
