import KubeAPI
import Logging

/// The node's one informer cache: a watch per resource, shared by everything the agent runs
/// — its Pods (those bound here), the Service proxy and DNS (all Services and
/// EndpointSlices, each reading its compact form from them), the overlay and the proxy (all
/// Nodes). Objects are kept without managedFields and without kubectl's last-applied
/// annotation, which nothing on a node reads.
public struct NodeInformers: Sendable {
    public let services: Informer<Service>
    public let endpointSlices: Informer<EndpointSlice>
    public let nodes: Informer<Node>
    public let pods: Informer<Pod>

    public init(client: KubeClient, nodeName: String, logger: Logger) {
        services = Informer(client: client, transform: { Self.trimmed($0) }, decodesManagedFields: false, logger: logger)
        endpointSlices = Informer(client: client, transform: { Self.trimmed($0) }, decodesManagedFields: false, logger: logger)
        nodes = Informer(client: client, transform: { Self.trimmed($0) }, decodesManagedFields: false, logger: logger)
        pods = Informer(client: client, fieldSelector: "spec.nodeName=\(nodeName)", transform: { Self.trimmed($0) },
                        decodesManagedFields: false, logger: logger)
    }

    /// Starts the Node and Pod watches, which something on every node reads (the overlay
    /// waits for the Node informer rather than starting it); the Service and EndpointSlice
    /// ones start when the proxy or DNS first asks for them, and not at all without either.
    public func start() {
        nodes.start()
        pods.start()
    }

    public func stop() async {
        await services.stop()
        await endpointSlices.stop()
        await nodes.stop()
        await pods.stop()
    }

    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    static func trimmed<T: KubeObject>(_ object: T) -> T {
        guard object.metadata?.annotations?[lastApplied] != nil else { return object }
        var copy = object
        copy.metadata?.annotations?[lastApplied] = nil
        return copy
    }
}
