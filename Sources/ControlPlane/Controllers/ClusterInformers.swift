import KubeAPI
import Logging

/// One informer per resource for the controllers of one process (client-go's shared informer
/// factory): each resource is listed and watched once however many controllers read it. An
/// informer starts when the first controller that needs it calls `start`.
public final class ClusterInformers: Sendable {
    public let pods: Informer<Pod>
    public let services: Informer<Service>
    public let nodes: Informer<Node>
    public let endpointSlices: Informer<EndpointSlice>
    public let endpoints: Informer<Endpoints>
    public let replicaSets: Informer<ReplicaSet>
    public let deployments: Informer<Deployment>
    /// Node heartbeats, in `kube-node-lease`.
    public let nodeLeases: Informer<Lease>

    /// Controllers never read managedFields, often most of an object's size, so they are not
    /// decoded; a PUT of a cached object without them keeps the stored ones (the server takes
    /// them from the old object).
    public init(client: KubeClient, logger: Logger) {
        pods = Informer(client: client, decodesManagedFields: false, logger: logger)
        services = Informer(client: client, decodesManagedFields: false, logger: logger)
        nodes = Informer(client: client, decodesManagedFields: false, logger: logger)
        endpointSlices = Informer(client: client, decodesManagedFields: false, logger: logger)
        endpoints = Informer(client: client, decodesManagedFields: false, logger: logger)
        replicaSets = Informer(client: client, decodesManagedFields: false, logger: logger)
        deployments = Informer(client: client, decodesManagedFields: false, logger: logger)
        nodeLeases = Informer(client: client, namespace: NodeLifecycleController.leaseNamespace, decodesManagedFields: false,
                              logger: logger)
    }

    public func stop() async {
        await pods.stop()
        await services.stop()
        await nodes.stop()
        await endpointSlices.stop()
        await endpoints.stop()
        await replicaSets.stop()
        await deployments.stop()
        await nodeLeases.stop()
    }
}
