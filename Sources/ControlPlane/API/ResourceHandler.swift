import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1

/// Generic REST over the store for every served resource: what kube-apiserver's
/// generic registry does, with per-kind behaviour delegated to `Admission`.
struct ResourceHandler: Sendable {
    let store: any Store
    let registry: ResourceRegistry
    let admission: Admission
    let validator: FieldValidator
    /// For pods/log, which the Pod's node agent answers.
    var kubelets: KubeletClient?

    /// Upstream's optimistic-concurrency message.
    static let modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again"

    func handle(_ request: HTTPRequest, _ info: RequestInfo) async throws -> HTTPResponse {
        guard let def = registry.lookup(group: info.group, version: info.version, resource: info.resource) else {
            throw APIError.notFoundPath()
        }
        if def.namespaced, info.namespace == nil, info.name != nil {
            throw APIError.notFoundPath()
        }
        let namespace = def.namespaced ? info.namespace : nil
        switch (info.verb, info.subresource) {
        case ("get", nil):
            return try await get(def, namespace: namespace, name: info.name!, request: request)
        case ("list", nil):
            return try await list(def, namespace: namespace, request: request)
        case ("watch", nil):
            return try await watch(def, namespace: namespace, name: info.name, request: request)
        case ("create", nil):
            return try await create(def, namespace: namespace, request: request)
        case ("update", nil), ("update", "status"):
            return try await update(def, namespace: namespace, name: info.name!, subresource: info.subresource, request: request)
        case ("patch", nil), ("patch", "status"):
            return try await patch(def, namespace: namespace, name: info.name!, subresource: info.subresource, request: request)
        case ("delete", nil):
            return try await delete(def, namespace: namespace, name: info.name!, request: request)
        case ("deletecollection", nil):
            return try await deleteCollection(def, namespace: namespace, request: request)
        case ("get", "status"):
            return try await get(def, namespace: namespace, name: info.name!, request: request)
        case (_, "scale") where def.hasScale:
            return try await scale(def, namespace: namespace, name: info.name!, request: request, verb: info.verb)
        case ("create", "binding") where def.plural == "pods":
            return try await bind(def, namespace: namespace!, name: info.name!, request: request)
        case ("get", "log") where def.plural == "pods":
            return try await log(def, namespace: namespace!, name: info.name!, request: request)
        case (let verb, "exec") where def.plural == "pods" && (verb == "get" || verb == "create"):
            return try await exec(def, namespace: namespace!, name: info.name!, request: request)
        case (let verb, "portforward") where def.plural == "pods" && (verb == "get" || verb == "create"):
            return try await portForward(def, namespace: namespace!, name: info.name!, request: request)
        case ("create", nil) where info.name != nil:
            throw APIError.methodNotAllowed()
        default:
            throw APIError.notFoundPath()
        }
    }

    // MARK: - Reads

    func get(_ def: ResourceDefinition, namespace: String?, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        guard let stored = try await store.get(def.key(namespace: namespace, name: name)) else {
            throw APIError.notFound(ResourceName(group: def.group, resource: def.plural, name: name))
        }
        if let table = TableRequest(request.headers) {
            let object = try JSONParser.parse(stored.value)
            return table.response(def: def, objects: [object], listMeta: [:], request: request)
        }
        return .json(.ok, stored.value)
    }

    func list(_ def: ResourceDefinition, namespace: String?, request: HTTPRequest) async throws -> HTTPResponse {
        let q = request.query
        let filter = try ObjectFilter(def: def, query: q)
        let limit = Int(q["limit"] ?? "") ?? 0
        var startAfter: String?
        var atRevision: Int64?
        let rv = q["resourceVersion"] ?? ""
        let match = q["resourceVersionMatch"] ?? ""
        if !match.isEmpty, !["Exact", "NotOlderThan"].contains(match) {
            throw APIError.badRequest("resourceVersionMatch: Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\"")
        }
        if !match.isEmpty, rv.isEmpty {
            throw APIError.badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
        }
        if let token = q["continue"], !token.isEmpty {
            if !rv.isEmpty { throw APIError.badRequest("specifying resource version is not allowed when using continue") }
            guard let decoded = ContinueToken(token) else {
                throw APIError.badRequest("invalid continue token")
            }
            startAfter = decoded.startAfter
            atRevision = decoded.revision
        } else if !rv.isEmpty, rv != "0" {
            guard let n = Int64(rv), n > 0 else { throw APIError.badRequest("invalid resource version: \(rv)") }
            let current = try await store.currentRevision()
            if n > current {
                throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(n), current: \(current)",
                               details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1])
            }
            // Exact reads that revision; NotOlderThan (also a bare RV with a limit, here) reads
            // the latest state, which is never older.
            if match == "Exact" { atRevision = n }
        }
        let prefix = def.prefix(namespace: namespace)
        var page = try await readPage(prefix: prefix, startAfter: startAfter, limit: limit, revision: atRevision)
        let table = TableRequest(request.headers)
        // Selectors look only at the members they name; with a selector, read on (at the
        // same revision) until the page holds `limit` matches or the range ends, as
        // upstream's storage does.
        var matched: [StoredObject] = []
        var continueAfter: String?
        if filter.isEmpty {
            matched = page.items
            continueAfter = page.nextKey
        } else {
            scan: while true {
                for (i, item) in page.items.enumerated() where try filter.matches(stored: item.value) {
                    matched.append(item)
                    if limit > 0, matched.count == limit {
                        let more = i < page.items.count - 1 || page.nextKey != nil
                        continueAfter = more ? item.key : nil
                        break scan
                    }
                }
                guard limit > 0, let next = page.nextKey else { break }
                page = try await readPage(prefix: prefix, startAfter: next, limit: limit, revision: page.revision)
            }
        }
        var listMeta: JSONValue = ["resourceVersion": .string(String(page.revision))]
        if let continueAfter {
            listMeta["continue"] = .string(ContinueToken(revision: page.revision, startAfter: continueAfter).encoded)
            if filter.isEmpty, page.remaining > 0 { listMeta["remainingItemCount"] = .int(Int64(page.remaining)) }
        }
        if let table {
            let objects = try matched.map { try JSONParser.parse($0.value) }
            return table.response(def: def, objects: objects, listMeta: listMeta, request: request)
        }
        // Items are spliced from the stored bytes, never re-serialised.
        var tail = Array("],\"kind\":\"\(def.kind)List\",\"metadata\":".utf8)
        JSONSerializer.write(listMeta, into: &tail)
        tail.append(UInt8(ascii: "}"))
        let body = SplicedBody(head: Array("{\"apiVersion\":\"\(def.apiVersion)\",\"items\":[".utf8),
                               parts: matched.map(\.value), separator: UInt8(ascii: ","), tail: tail)
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: .spliced(body))
    }

    private func readPage(prefix: String, startAfter: String?, limit: Int, revision: Int64?) async throws -> ListPage {
        do {
            return try await store.list(prefix: prefix, startAfter: startAfter, limit: limit, revision: revision)
        } catch StoreError.expired(let requested, let compacted) {
            if startAfter != nil {
                throw APIError.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            throw APIError.expired("too old resource version: \(requested) (\(compacted))")
        }
    }

    /// ListMeta of a page; remainingItemCount is only known for unfiltered lists.
    private func listMeta(_ page: ListPage, filtered: Bool) -> JSONValue {
        var meta: JSONValue = ["resourceVersion": .string(String(page.revision))]
        if let next = page.nextKey {
            meta["continue"] = .string(ContinueToken(revision: page.revision, startAfter: next).encoded)
            if !filtered, page.remaining > 0 { meta["remainingItemCount"] = .int(Int64(page.remaining)) }
        }
        return meta
    }

    func watch(_ def: ResourceDefinition, namespace: String?, name: String?, request: HTTPRequest) async throws -> HTTPResponse {
        var q = request.query
        if let name {
            // The deprecated /watch/…/{name} form is a watch with a name field selector.
            let selector = (q["fieldSelector"].map { $0 + "," } ?? "") + "metadata.name=\(name)"
            q = QueryParameters("fieldSelector=\(selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector)")
        }
        let session = try WatchSession(def: def, prefix: def.prefix(namespace: namespace), query: q,
                                       table: TableRequest(request.headers), request: request, store: store)
        // A version the store has not reached (a client from before an import into etcd, or a
        // made-up one) would hold every event back until the store got there: refuse it as a
        // list does, so the client relists.
        if let start = session.startRevision {
            guard start >= 0 else { throw APIError.badRequest("invalid resource version: \(start)") }
            let current = try await store.currentRevision()
            if start > current {
                throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(start), current: \(current)",
                               details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1])
            }
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: .stream(session.stream()))
    }

    // MARK: - Writes

    func create(_ def: ResourceDefinition, namespace: String?, request: HTTPRequest) async throws -> HTTPResponse {
        var object = try RequestBody.object(request)
        try checkTypeMeta(&object, def)
        if let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        let warnings = try validator.check(&object, def: def, query: request.query)
        if def.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object[path: ["metadata", "namespace"]] = .string(namespace ?? "")
        } else {
            object[path: ["metadata"]]?.removeValue(forKey: "namespace")
        }
        let created = try await createObject(object, def: def, namespace: namespace, request: request)
        return withWarnings(.json(.created, created), warnings)
    }

    /// Shared by POST and by apply-creates: metadata, admission, allocation, store.
    func createObject(_ input: JSONValue, def: ResourceDefinition, namespace: String?, request: HTTPRequest) async throws -> [UInt8] {
        var object = input
        if def.namespaced, let namespace {
            try await admission.checkNamespaceAcceptsCreates(namespace)
        }
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let base = object[path: ["metadata", "generateName"]]?.stringValue, !base.isEmpty {
            name = ObjectMetaRules.generateName(base)
            object[path: ["metadata", "name"]] = .string(name)
        }
        var meta = object["metadata"] ?? .emptyObject
        for field in ["uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            meta.removeValue(forKey: field)
        }
        meta["uid"] = .string(UUID().uuidString.lowercased())
        meta["creationTimestamp"] = .string(ObjectMetaRules.timestamp())
        meta["generation"] = .int(1)
        object["metadata"] = meta
        let manager = fieldManager(request)
        if request.method != .PATCH {  // an apply-create already recorded its Apply entry
            object = ManagedFieldsRecorder.recordUpdate(old: nil, new: object, manager: manager, operation: "Update",
                                                       apiVersion: def.apiVersion, kind: def.gvk)
        }
        let allocation = try await admission.admitCreate(&object, def: def)
        do {
            try admission.validate(object, old: nil, def: def)
            if request.query["dryRun"] == "All" {
                await allocation.release()
                return JSONSerializer.serialize(object)
            }
            let final = object
            let stored = try await store.create(def.key(namespace: namespace, name: name), value: final.stampedWithRevision())
            return stored.value
        } catch StoreError.alreadyExists {
            await allocation.release()
            throw APIError.alreadyExists(ResourceName(group: def.group, resource: def.plural, name: name))
        } catch StoreError.unavailable(let why) {
            // The write may have landed (etcd went away after taking it): keeping the
            // addresses reserved risks a leak, giving them back risks two Services on one.
            throw StoreError.unavailable(why)
        } catch {
            await allocation.release()
            throw error
        }
    }

    func update(_ def: ResourceDefinition, namespace: String?, name: String, subresource: String?, request: HTTPRequest) async throws -> HTTPResponse {
        var object = try RequestBody.object(request)
        try checkIdentity(&object, def: def, namespace: namespace, name: name, nameRequired: true)
        let warnings = try validator.check(&object, def: def, query: request.query)
        var precondition: Int64?
        if let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty {
            guard let n = Int64(rv) else {
                throw APIError.invalid(kind: def.kind, group: def.group, name: name,
                                       causes: [.invalid("metadata.resourceVersion", .string(rv), "must be a valid resource version")])
            }
            precondition = n
        }
        let result = try await guaranteedUpdate(def, namespace: namespace, name: name, precondition: precondition,
                                                subresource: subresource, request: request) { _ in object }
        return withWarnings(.json(.ok, result), warnings)
    }

    func patch(_ def: ResourceDefinition, namespace: String?, name: String, subresource: String?, request: HTTPRequest) async throws -> HTTPResponse {
        let type = try RequestBody.patchType(request)
        let document = try RequestBody.patchDocument(request, type: type)
        let key = def.key(namespace: namespace, name: name)
        if type == .apply {
            // Server-side apply creates what is absent.
            if try await store.get(key) == nil, subresource == nil {
                var object = document
                try checkIdentity(&object, def: def, namespace: namespace, name: name)
                _ = try validator.check(&object, def: def, query: request.query)
                let applied = try PatchEngine.apply(type: .apply, document: object, to: nil, def: def,
                                                    manager: fieldManager(request), force: request.query.bool("force"))
                do {
                    let created = try await createObject(applied, def: def, namespace: namespace, request: request)
                    return .json(.created, created)
                } catch let error as APIError where error.reason == "AlreadyExists" {
                    // Lost a race with another creator: fall through to patching it.
                }
            }
        }
        let manager = fieldManager(request)
        let force = request.query.bool("force")
        let validator = self.validator
        let query = request.query
        let result = try await guaranteedUpdate(def, namespace: namespace, name: name, precondition: nil,
                                                subresource: subresource, request: request) { current in
            var patched = try PatchEngine.apply(type: type, document: document, to: current, def: def, manager: manager, force: force)
            try self.checkIdentity(&patched, def: def, namespace: namespace, name: name)
            _ = try validator.check(&patched, def: def, query: query)
            if let rv = document[path: ["metadata", "resourceVersion"]]?.stringValue,
               rv != current[path: ["metadata", "resourceVersion"]]?.stringValue {
                throw APIError.conflict(ResourceName(group: def.group, resource: def.plural, name: name), Self.modifiedMessage)
            }
            return patched
        }
        return .json(.ok, result)
    }

    /// Read-modify-write with compare-and-swap; retries on a lost race unless the client
    /// pinned a resourceVersion, in which case the race is the client's conflict.
    func guaranteedUpdate(_ def: ResourceDefinition, namespace: String?, name: String, precondition: Int64?,
                          subresource: String?, request: HTTPRequest,
                          transform: (JSONValue) throws -> JSONValue) async throws -> [UInt8] {
        let key = def.key(namespace: namespace, name: name)
        let resourceName = ResourceName(group: def.group, resource: def.plural, name: name)
        for _ in 0..<16 {
            guard let stored = try await store.get(key) else { throw APIError.notFound(resourceName) }
            if let precondition, precondition != stored.revision {
                throw APIError.conflict(resourceName, Self.modifiedMessage)
            }
            let old = try JSONParser.parse(stored.value)
            var new = try transform(old)
            new = try admission.prepareUpdate(new: new, old: old, def: def, subresource: subresource)
            if !isApply(request) {
                new = ManagedFieldsRecorder.recordUpdate(old: old, new: new, manager: fieldManager(request),
                                                         operation: "Update", apiVersion: def.apiVersion,
                                                         subresource: subresource, kind: def.gvk)
            }
            let allocation = try await admission.admitUpdate(&new, old: old, def: def)
            do {
                try admission.validate(new, old: old, def: def)
            } catch {
                await allocation.release()
                throw error
            }
            if new == old {
                await allocation.release()
                return stored.value  // a no-op update does not bump the resourceVersion
            }
            if request.query["dryRun"] == "All" {
                await allocation.release()
                return JSONSerializer.serialize(new)
            }
            let final = new
            do {
                // An object being deleted whose last finalizer went away is deleted now.
                if final[path: ["metadata", "deletionTimestamp"]] != nil,
                   (final[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty,
                   !admission.waitsForNode(final, def: def) {
                    let deleted = try await store.delete(key, expectedRevision: stored.revision, value: final.stampedWithRevision())
                    await admission.released(final, def: def)
                    return deleted.value
                }
                let updated = try await store.update(key, expectedRevision: stored.revision, value: final.stampedWithRevision())
                await allocation.commitReleases()
                return updated.value
            } catch StoreError.conflict {
                await allocation.release()
                if precondition != nil { throw APIError.conflict(resourceName, Self.modifiedMessage) }
                continue
            } catch StoreError.notFound {
                await allocation.release()
                throw APIError.notFound(resourceName)
            }
        }
        throw APIError.conflict(resourceName, Self.modifiedMessage)
    }

    func delete(_ def: ResourceDefinition, namespace: String?, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        if def.kind == "Namespace", ["default", "kube-system", "kube-public"].contains(name) {
            throw APIError.forbidden(ResourceName(group: "", resource: "namespaces", name: name), "this namespace may not be deleted")
        }
        let options = try DeleteOptionsInput(request)
        let body = try await deleteObject(def, namespace: namespace, name: name, options: options, dryRun: request.query["dryRun"] == "All")
        return .json(.ok, body)
    }

    /// Deletes now, or marks for deletion when finalizers or a node's confirmation are due.
    func deleteObject(_ def: ResourceDefinition, namespace: String?, name: String, options: DeleteOptionsInput, dryRun: Bool) async throws -> [UInt8] {
        let key = def.key(namespace: namespace, name: name)
        let resourceName = ResourceName(group: def.group, resource: def.plural, name: name)
        for _ in 0..<16 {
            guard let stored = try await store.get(key) else { throw APIError.notFound(resourceName) }
            var object = try JSONParser.parse(stored.value)
            if let uid = options.preconditionUID, uid != object[path: ["metadata", "uid"]]?.stringValue {
                throw APIError.conflict(resourceName, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object[path: ["metadata", "uid"]]?.stringValue ?? "")")
            }
            if let rv = options.preconditionResourceVersion, rv != String(stored.revision) {
                throw APIError.conflict(resourceName, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(stored.revision)")
            }
            let pending = admission.prepareDelete(&object, def: def, gracePeriod: options.gracePeriodSeconds,
                                                  propagation: options.propagationPolicy)
            if dryRun { return JSONSerializer.serialize(object) }
            let final = object
            do {
                if pending {
                    if final == (try JSONParser.parse(stored.value)) { return stored.value }
                    let updated = try await store.update(key, expectedRevision: stored.revision, value: final.stampedWithRevision())
                    return updated.value
                }
                let deleted = try await store.delete(key, expectedRevision: stored.revision, value: final.stampedWithRevision())
                await admission.released(final, def: def)
                return deleted.value
            } catch StoreError.conflict {
                continue
            } catch StoreError.notFound {
                throw APIError.notFound(resourceName)
            }
        }
        throw APIError.conflict(resourceName, Self.modifiedMessage)
    }

    func deleteCollection(_ def: ResourceDefinition, namespace: String?, request: HTTPRequest) async throws -> HTTPResponse {
        let filter = try ObjectFilter(def: def, query: request.query)
        let options = try DeleteOptionsInput(request)
        let page = try await store.list(prefix: def.prefix(namespace: namespace), startAfter: nil, limit: 0, revision: nil)
        var items: [JSONValue] = []
        for item in page.items {
            let object = try JSONParser.parse(item.value)
            guard filter.matches(object) else { continue }
            let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
            let ns = object[path: ["metadata", "namespace"]]?.stringValue
            do {
                let bytes = try await deleteObject(def, namespace: ns, name: name, options: options, dryRun: request.query["dryRun"] == "All")
                items.append(try JSONParser.parse(bytes))
            } catch let error as APIError where error.code == 404 {
                continue
            }
        }
        let list: JSONValue = ["apiVersion": .string(def.apiVersion), "kind": .string(def.kind + "List"),
                               "metadata": ["resourceVersion": .string(String(try await store.currentRevision()))],
                               "items": .array(items)]
        return .json(.ok, JSONSerializer.serialize(list))
    }

    // MARK: - Subresources

    func scale(_ def: ResourceDefinition, namespace: String?, name: String, request: HTTPRequest, verb: String) async throws -> HTTPResponse {
        func scaleObject(_ object: JSONValue) -> JSONValue {
            var selector = ""
            if let labels = object[path: ["spec", "selector", "matchLabels"]]?.objectValue {
                selector = labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ",")
            }
            return [
                "kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": [
                    "name": object[path: ["metadata", "name"]] ?? "", "namespace": object[path: ["metadata", "namespace"]] ?? "",
                    "uid": object[path: ["metadata", "uid"]] ?? "", "resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? "",
                    "creationTimestamp": object[path: ["metadata", "creationTimestamp"]] ?? .null,
                ],
                "spec": ["replicas": object[path: ["spec", "replicas"]] ?? .int(1)],
                "status": ["replicas": object[path: ["status", "replicas"]] ?? .int(0), "selector": .string(selector)],
            ]
        }
        let key = def.key(namespace: namespace, name: name)
        let resourceName = ResourceName(group: def.group, resource: def.plural, name: name)
        switch verb {
        case "get":
            guard let stored = try await store.get(key) else { throw APIError.notFound(resourceName) }
            return .json(.ok, JSONSerializer.serialize(scaleObject(try JSONParser.parse(stored.value))))
        case "update", "patch":
            var requested: JSONValue
            var precondition: Int64?
            if verb == "update" {
                requested = try RequestBody.object(request)
                precondition = requested[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int64($0) }
            } else {
                let type = try RequestBody.patchType(request)
                let document = try RequestBody.patchDocument(request, type: type)
                guard let stored = try await store.get(key) else { throw APIError.notFound(resourceName) }
                let current = scaleObject(try JSONParser.parse(stored.value))
                requested = try PatchEngine.apply(type: type == .strategic ? .merge : type, document: document, to: current,
                                                  def: def, manager: fieldManager(request), force: true)
            }
            guard let replicas = requested[path: ["spec", "replicas"]]?.intValue, replicas >= 0 else {
                throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name,
                                       causes: [.invalid("spec.replicas", requested[path: ["spec", "replicas"]] ?? .null, "must be greater than or equal to 0")])
            }
            let bytes = try await guaranteedUpdate(def, namespace: namespace, name: name, precondition: precondition,
                                                   subresource: "scale", request: request) { current in
                var o = current
                o[path: ["spec", "replicas"]] = .int(replicas)
                return o
            }
            return .json(.ok, JSONSerializer.serialize(scaleObject(try JSONParser.parse(bytes))))
        default:
            throw APIError.methodNotAllowed()
        }
    }

    func bind(_ def: ResourceDefinition, namespace: String, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        let binding = try RequestBody.object(request)
        guard let node = binding[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw APIError.invalid(kind: "Binding", group: "", name: name, causes: [.required("target.name")])
        }
        let resourceName = ResourceName(group: "", resource: "pods", name: name)
        _ = try await guaranteedUpdate(def, namespace: namespace, name: name, precondition: nil, subresource: "binding", request: request) { current in
            if let existing = current[path: ["spec", "nodeName"]]?.stringValue, !existing.isEmpty {
                throw APIError.conflict(resourceName, "pod \(name) is already assigned to node \"\(existing)\"")
            }
            if current[path: ["metadata", "deletionTimestamp"]] != nil {
                throw APIError.conflict(resourceName, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            var o = current
            o[path: ["spec", "nodeName"]] = .string(node)
            var conditions = o[path: ["status", "conditions"]]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": .null,
                               "lastTransitionTime": .string(ObjectMetaRules.timestamp())])
            o[path: ["status", "conditions"]] = .array(conditions)
            return o
        }
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201]
        return .json(.created, JSONSerializer.serialize(status))
    }

    // MARK: - Helpers

    /// An update, or what a patch or apply produced, must be the object the URL names: same
    /// kind, same name (a PUT must say it; a patch may leave it out), same namespace.
    func checkIdentity(_ object: inout JSONValue, def: ResourceDefinition, namespace: String?, name: String,
                       nameRequired: Bool = false) throws {
        try checkTypeMeta(&object, def)
        let bodyName = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if bodyName.isEmpty, !nameRequired {
            object[path: ["metadata", "name"]] = .string(name)
        } else if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if def.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object[path: ["metadata", "namespace"]] = .string(namespace ?? "")
        } else if object[path: ["metadata", "namespace"]] != nil {
            object[path: ["metadata"]]?.removeValue(forKey: "namespace")
        }
    }

    /// A body may leave out apiVersion and kind (the URL names them, as typed clients
    /// rely on); when present they must be the resource's.
    func checkTypeMeta(_ object: inout JSONValue, _ def: ResourceDefinition) throws {
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if kind.isEmpty, apiVersion.isEmpty {
            object["kind"] = .string(def.kind)
            object["apiVersion"] = .string(def.apiVersion)
            return
        }
        if kind.isEmpty {
            throw APIError.badRequest("Object 'Kind' is missing in '\(JSONSerializer.string(object).prefix(200))'")
        }
        if apiVersion.isEmpty {
            throw APIError.badRequest("Object 'apiVersion' is missing in '\(JSONSerializer.string(object).prefix(200))'")
        }
        if kind != def.kind || apiVersion != def.apiVersion {
            if registry.lookup(apiVersion: apiVersion, kind: kind) == nil {
                throw APIError.badRequest("no kind \"\(kind)\" is registered for version \"\(apiVersion)\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"")
            }
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(def.apiVersion))")
        }
    }

    func isApply(_ request: HTTPRequest) -> Bool {
        request.method == .PATCH && RequestBody.mediaType(request.headers) == RequestBody.PatchType.apply.rawValue
    }

    func fieldManager(_ request: HTTPRequest) -> String {
        if let manager = request.query["fieldManager"], !manager.isEmpty { return manager }
        let agent = request.headers.first(name: "user-agent") ?? "unknown"
        // Upstream uses the user agent's program name ("kubectl-client-side-apply" is set explicitly by kubectl).
        return String(agent.split(separator: "/").first ?? "unknown")
    }

    func withWarnings(_ response: HTTPResponse, _ warnings: [String]) -> HTTPResponse {
        var r = response
        for w in warnings {
            r.headers.add(name: "Warning", value: "299 - \"\(w.replacingOccurrences(of: "\"", with: "\\\""))\"")
        }
        return r
    }
}

/// The `continue` token: the revision the first page was read at and the last key sent.
struct ContinueToken {
    var revision: Int64
    var startAfter: String

    init(revision: Int64, startAfter: String) {
        self.revision = revision
        self.startAfter = startAfter
    }

    init?(_ token: String) {
        var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let json = try? JSONParser.parse(Array(data)),
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue else { return nil }
        revision = rv
        startAfter = start
    }

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(startAfter)]
        return Data(JSONSerializer.serialize(json)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// meta/v1 DeleteOptions from the body or the query string.
struct DeleteOptionsInput {
    var gracePeriodSeconds: Int64?
    var propagationPolicy: String?
    var preconditionUID: String?
    var preconditionResourceVersion: String?

    init() {}

    init(_ request: HTTPRequest) throws {
        if !request.body.isEmpty {
            let body: JSONValue
            do { body = try JSONParser.parse(request.body) } catch {
                throw APIError.badRequest("the body of the request could not be decoded as DeleteOptions: \(error)")
            }
            gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
            propagationPolicy = body["propagationPolicy"]?.stringValue
            preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
            preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            if body["orphanDependents"]?.boolValue == true { propagationPolicy = "Orphan" }
        }
        if let g = request.query["gracePeriodSeconds"], let v = Int64(g) { gracePeriodSeconds = v }
        // Upstream treats a negative grace period as 1 s; bound it so a date can be made of it.
        if let g = gracePeriodSeconds { gracePeriodSeconds = g < 0 ? 1 : min(g, 10 * 365 * 86_400) }
        if let p = request.query["propagationPolicy"] { propagationPolicy = p }
        if let policy = propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw APIError.badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
        }
    }
}
