import Foundation
import KubeAPI
import Logging
import NIOHTTP1

/// The `kubernetes` Service's endpoints: every API server that is up, as kube-apiserver's
/// lease endpoint reconciler keeps them. Each server renews a record of its address in the
/// store (`/masterleases/IP:PORT`) every `interval`; a record not renewed for `ttl` is
/// dropped; the `kubernetes` Endpoints and EndpointSlices list the rest. A server that
/// stops cleanly takes its own record out at once, so clients in Pods stop being sent to it.
struct APIServerEndpoints: Sendable {
    static let prefix = "/masterleases/"

    let store: any Store
    let address: String
    let port: Int
    /// Writes through the server's own request path, as the system user.
    let send: @Sendable (HTTPMethod, String, JSONValue?) async -> HTTPResponse
    let logger: Logger
    var interval: Duration = .seconds(10)
    var ttl: TimeInterval = 15

    var recordKey: String { Self.prefix + APIServerAddress(ip: address, port: port).text }

    func run() async throws {
        do {
            while true {
                do { try await reconcile(includingSelf: true) } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning("kubernetes endpoints: \(error)")
                }
                try await Task.sleep(for: interval)
            }
        } catch is CancellationError {
            // Stopping: out of the endpoints now rather than after `ttl`, if the store
            // answers within a few seconds.
            let this = self
            await waitBounded(Task.detached { try await this.reconcile(includingSelf: false) }, limit: .seconds(3))
            throw CancellationError()
        }
    }

    /// Renews (or removes) this server's record, drops expired ones, and writes the
    /// endpoints the live ones give.
    func reconcile(includingSelf: Bool) async throws {
        let now = Date().timeIntervalSince1970
        if includingSelf {
            try await renew(now: now)
        } else if let own = try await store.get(recordKey) {
            _ = try? await store.delete(recordKey, expectedRevision: own.revision) { _ in own.value }
        }
        var live: Set<APIServerAddress> = includingSelf ? [APIServerAddress(ip: address, port: port)] : []
        for record in try await store.list(prefix: Self.prefix, startAfter: nil, limit: 0, revision: nil).items {
            guard let server = APIServerAddress(String(record.key.dropFirst(Self.prefix.count))) else { continue }
            let renewed = (try? JSONParser.parse(record.value))?["renewTime"]?.intValue ?? 0
            if Double(renewed) + ttl >= now {
                if record.key != recordKey || includingSelf { live.insert(server) }
            } else {
                _ = try? await store.delete(record.key, expectedRevision: record.revision) { _ in record.value }
            }
        }
        try await write(live)
    }

    private func renew(now: TimeInterval) async throws {
        let value: ValueForRevision = { _ in JSONSerializer.serialize(["renewTime": .int(Int64(now))]) }
        if let current = try await store.get(recordKey) {
            _ = try await store.update(recordKey, expectedRevision: current.revision, value: value)
        } else {
            do { _ = try await store.create(recordKey, value: value) } catch StoreError.alreadyExists {}
        }
    }

    /// The Endpoints (one subset per port) and one EndpointSlice per port and family.
    private func write(_ servers: Set<APIServerAddress>) async throws {
        let byPort = Dictionary(grouping: servers, by: \.port).sorted { $0.key < $1.key }
        let subsets: [JSONValue] = byPort.map { port, group in
            ["addresses": .array(group.map(\.ip).sorted().map { ["ip": .string($0)] }),
             "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]]]
        }
        let endpointsPath = "/api/v1/namespaces/default/endpoints/kubernetes"
        if let current = await get(endpointsPath), current["subsets"] != .array(subsets) {
            var updated = current
            updated["subsets"] = .array(subsets)
            try check(await send(.PUT, endpointsPath, updated), "Endpoints")
        }

        var wanted: [String: JSONValue] = [:]
        for (port, group) in byPort {
            for family in ["IPv4", "IPv6"] {
                let ips = group.map(\.ip).filter { ($0.contains(":") ? "IPv6" : "IPv4") == family }.sorted()
                guard !ips.isEmpty else { continue }
                let name = byPort.first?.key == port && family == "IPv4" ? "kubernetes" : "kubernetes-\(family.lowercased())-\(port)"
                wanted[name] = [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": ["name": .string(name), "namespace": "default",
                                 "labels": ["kubernetes.io/service-name": "kubernetes",
                                            "endpointslice.kubernetes.io/managed-by": .string(Self.manager)]],
                    "addressType": .string(family),
                    "endpoints": .array(ips.map { ["addresses": [.string($0)], "conditions": ["ready": true]] }),
                    "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
                ]
            }
        }
        let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
        let existing = (await get(slices + "?labelSelector=endpointslice.kubernetes.io%2Fmanaged-by%3D" + Self.manager))?["items"]?.arrayValue ?? []
        for slice in existing {
            guard let name = slice[path: ["metadata", "name"]]?.stringValue else { continue }
            guard var desired = wanted.removeValue(forKey: name) else {
                _ = await send(.DELETE, "\(slices)/\(name)", nil)
                continue
            }
            if desired["endpoints"] == slice["endpoints"], desired["ports"] == slice["ports"], desired["addressType"] == slice["addressType"] { continue }
            desired[path: ["metadata", "resourceVersion"]] = slice[path: ["metadata", "resourceVersion"]]
            try check(await send(.PUT, "\(slices)/\(name)", desired), "EndpointSlice \(name)")
        }
        for (name, slice) in wanted {
            let response = await send(.POST, slices, slice)
            if response.status != .conflict { try check(response, "EndpointSlice \(name)") }
        }
    }

    static let manager = "skiff-apiserver"

    private func get(_ path: String) async -> JSONValue? {
        let response = await send(.GET, path, nil)
        guard response.status == .ok else { return nil }
        switch response.body {
        case .bytes(let bytes): return try? JSONParser.parse(bytes)
        case .buffer(let buffer): return try? JSONParser.parse(Array(buffer.readableBytesView))
        case .spliced(let body): return try? JSONParser.parse(body.bytes)
        case .stream, .upgrade: return nil
        }
    }

    private func check(_ response: HTTPResponse, _ what: String) throws {
        guard (200..<300).contains(Int(response.status.code)) || response.status == .conflict else {
            var text = "HTTP \(response.status.code)"
            if case .bytes(let bytes) = response.body { text += " " + String(decoding: bytes, as: UTF8.self) }
            throw APIError.internalError("writing the kubernetes \(what): \(text)")
        }
    }
}

/// One API server's address as its record names it: `IP:PORT` (`[IPv6]:PORT`).
struct APIServerAddress: Hashable, Sendable {
    var ip: String
    var port: Int

    init(ip: String, port: Int) {
        self.ip = ip
        self.port = port
    }

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        ip = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        guard !ip.isEmpty else { return nil }
    }

    var text: String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}
