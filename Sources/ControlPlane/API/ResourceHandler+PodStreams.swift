import KubeAPI
import NIOHTTP1

/// The Pod subresources a node agent answers — pods/log, pods/exec, pods/portforward: the
/// API server checks them as upstream does, then passes them to the agent of the Pod's
/// node, whose HTTPS port it reaches with its kubelet-client certificate.
extension ResourceHandler {
    /// pods/log. An unscheduled Pod has no logs yet: an empty answer, as upstream.
    func log(_ def: ResourceDefinition, namespace: String, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        let pod = try await storedPod(def, namespace: namespace, name: name)
        let container = try Self.container(of: pod, named: request.query["container"], pod: name)
        guard let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty else {
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: .bytes([]))
        }
        let (address, port) = try await agentEndpoint(node: node, purpose: "pod \(name)'s log")
        var query: [String] = []
        for flag in ["follow", "previous", "timestamps"] where ["true", "1"].contains(request.query[flag] ?? "") { query.append("\(flag)=true") }
        for number in ["tailLines", "limitBytes", "sinceSeconds"] {
            if let value = request.query[number] {
                guard let n = Int64(value), n >= 0 else { throw APIError.badRequest("\(number): must be a non-negative integer") }
                query.append("\(number)=\(n)")
            }
        }
        let path = "/containerLogs/\(namespace)/\(name)/\(container)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try await kubelets!.stream(host: address, port: port, path: path)
    }

    /// pods/exec: the upgrade is passed through to the agent, which runs the command and
    /// speaks the WebSocket remote-command protocol with the client.
    func exec(_ def: ResourceDefinition, namespace: String, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        guard request.headers["Upgrade"].first != nil else { throw APIError.badRequest("Upgrade request required") }
        let pod = try await storedPod(def, namespace: namespace, name: name)
        let container = try Self.container(of: pod, named: request.query["container"], pod: name)
        if request.query.all("command").isEmpty { throw APIError.badRequest("you must specify at least one command for the container") }
        let phase = pod[path: ["status", "phase"]]?.stringValue ?? ""
        if phase == "Succeeded" || phase == "Failed" {
            throw APIError.badRequest("cannot exec into a container in a completed pod; current phase is \(phase)")
        }
        let (node, uid) = try Self.placement(of: pod, name: name)
        let (address, port) = try await agentEndpoint(node: node, purpose: "exec in pod \(name)")
        var query = request.rawQuery.split(separator: "&").filter { !$0.hasPrefix("container=") }.map(String.init)
        query.append("container=" + container)
        let path = "/exec/\(namespace)/\(name)/\(uid)/\(container)?" + query.joined(separator: "&")
        return kubelets!.upgrade(host: address, port: port, path: path, request: request)
    }

    /// pods/portforward: passed through to the agent, which connects to the Pod's ports from
    /// inside its network namespace (SPDY tunnelled through a WebSocket).
    func portForward(_ def: ResourceDefinition, namespace: String, name: String, request: HTTPRequest) async throws -> HTTPResponse {
        guard request.headers["Upgrade"].first != nil else { throw APIError.badRequest("Upgrade request required") }
        let pod = try await storedPod(def, namespace: namespace, name: name)
        for port in request.query.all("ports").flatMap({ $0.split(separator: ",") }) {
            guard let n = Int(port), (1...65535).contains(n) else {
                throw APIError.badRequest("port \"\(port)\" is not a valid port: must be between 1 and 65535, inclusive")
            }
        }
        let phase = pod[path: ["status", "phase"]]?.stringValue ?? ""
        guard phase == "Running" else {
            throw APIError.badRequest("pod \(name) is not running (phase \(phase.isEmpty ? "Pending" : phase))")
        }
        let (node, uid) = try Self.placement(of: pod, name: name)
        let (address, port) = try await agentEndpoint(node: node, purpose: "port-forward to pod \(name)")
        return kubelets!.upgrade(host: address, port: port, path: "/portForward/\(namespace)/\(name)/\(uid)", request: request)
    }

    private func storedPod(_ def: ResourceDefinition, namespace: String, name: String) async throws -> JSONValue {
        guard let stored = try await store.get(def.key(namespace: namespace, name: name)) else {
            throw APIError.notFound(ResourceName(group: "", resource: "pods", name: name))
        }
        return try JSONParser.parse(stored.value)
    }

    /// The container a request names, checked against the Pod's; the only one when it
    /// names none and there is just one, as upstream.
    static func container(of pod: JSONValue, named requested: String?, pod name: String) throws -> String {
        let names = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let others = ((pod[path: ["spec", "initContainers"]]?.arrayValue ?? []) + (pod[path: ["spec", "ephemeralContainers"]]?.arrayValue ?? []))
            .compactMap { $0["name"]?.stringValue }
        if let requested, !requested.isEmpty {
            guard names.contains(requested) || others.contains(requested) else {
                throw APIError.badRequest("container \(requested) is not valid for pod \(name)")
            }
            return requested
        }
        guard names.count == 1 else {
            throw APIError.badRequest("a container name must be specified for pod \(name), choose one of: [\((names + others).joined(separator: " "))]")
        }
        return names[0]
    }

    /// The Pod's node and uid (the agent's paths carry the uid, so that a Pod recreated
    /// under the same name is never the one reached).
    private static func placement(of pod: JSONValue, name: String) throws -> (node: String, uid: String) {
        guard let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty,
              let uid = pod[path: ["metadata", "uid"]]?.stringValue else {
            throw APIError.badRequest("pod \(name) does not have a host assigned")
        }
        return (node, uid)
    }

    /// Where the node's agent listens: its InternalIP and the port it registered.
    private func agentEndpoint(node: String, purpose: String) async throws -> (String, Int) {
        guard kubelets != nil, let nodes = registry.lookup(group: "", version: "v1", resource: "nodes"),
              let storedNode = try await store.get(nodes.key(namespace: nil, name: node)) else {
            throw APIError.serviceUnavailable("cannot reach the agent of node \"\(node)\" for \(purpose)")
        }
        let nodeObject = try JSONParser.parse(storedNode.value)
        let addresses = nodeObject[path: ["status", "addresses"]]?.arrayValue ?? []
        guard let address = (addresses.first { $0["type"]?.stringValue == "InternalIP" } ?? addresses.first)?["address"]?.stringValue else {
            throw APIError.serviceUnavailable("node \"\(node)\" has no address to reach its agent at")
        }
        return (address, Int(nodeObject[path: ["status", "daemonEndpoints", "kubeletEndpoint", "Port"]]?.intValue ?? 10250))
    }
}
