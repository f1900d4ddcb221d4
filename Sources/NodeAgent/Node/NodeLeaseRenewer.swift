import Foundation
import KubeAPI
import Logging

/// The node's heartbeat (kubelet's node lease controller): the Lease named after the node in
/// `kube-node-lease`, renewed every 10 s with a 40 s duration and owned by the Node, so the
/// node lifecycle controller knows the agent is alive without a status write each time, and
/// the garbage collector removes the Lease with the Node.
public struct NodeLeaseRenewer: Sendable {
    public static let namespace = "kube-node-lease"
    public var leaseDurationSeconds: Int32 = 40
    public var renewInterval: Duration = .seconds(10)
    let client: KubeClient
    let nodeName: String
    let logger: Logger

    public init(client: KubeClient, nodeName: String, logger: Logger) {
        self.client = client
        self.nodeName = nodeName
        self.logger = logger
    }

    /// Renews until the calling task is cancelled; a failed renewal is retried sooner.
    public func run() async {
        while !Task.isCancelled {
            let renewed: Bool
            do {
                try await renew()
                renewed = true
            } catch {
                logger.warning("renewing the node lease failed: \(error)")
                renewed = false
            }
            // client-go retries a failed renewal at 200 ms, doubling up to the interval.
            try? await Task.sleep(for: renewed ? renewInterval : .milliseconds(500))
        }
    }

    public func renew() async throws {
        let now = KubeTime.formatMicro()
        do {
            var lease = try await client.get(Lease.self, name: nodeName, namespace: Self.namespace)
            lease.spec = lease.spec ?? LeaseSpec()
            lease.spec?.holderIdentity = nodeName
            lease.spec?.leaseDurationSeconds = leaseDurationSeconds
            lease.spec?.renewTime = now
            if lease.metadata?.ownerReferences?.isEmpty ?? true, let owner = try? await ownerReference() {
                lease.metadata?.ownerReferences = [owner]
            }
            _ = try await client.update(lease)
        } catch let error as KubeAPIError where error.code == 404 {
            var meta = ObjectMeta(name: nodeName, namespace: Self.namespace)
            if let owner = try? await ownerReference() { meta.ownerReferences = [owner] }
            _ = try await client.create(Lease(metadata: meta, spec: LeaseSpec(holderIdentity: nodeName, leaseDurationSeconds: leaseDurationSeconds,
                                                                              renewTime: now)),
                                        namespace: Self.namespace)
        }
    }

    private func ownerReference() async throws -> OwnerReference {
        let node = try await client.get(Node.self, name: nodeName)
        return OwnerReference(apiVersion: "v1", kind: "Node", name: nodeName, uid: node.metadata?.uid ?? "")
    }
}
