extension KubernetesProtobuf {
    /// Which message schema holds the object of a given apiVersion and kind.
    enum KindTable {
        static func schema(apiVersion: String, kind: String) -> String? {
            if let name = kinds[apiVersion + "/" + kind] { return name }
            // DeleteOptions is registered in every group version (clients send it with their
            // resource's apiVersion), and meta.k8s.io/v1 holds the canonical copy.
            if kind == "DeleteOptions" { return "meta.v1.DeleteOptions" }
            // A typed list: {metadata=1 ListMeta, items=2 repeated item}, the same for every kind.
            if kind.hasSuffix("List"), kinds[apiVersion + "/" + kind.dropLast(4)] != nil {
                return listSchemaName(apiVersion: apiVersion, kind: kind)
            }
            return nil
        }

        /// apiVersion + "/" + kind → schema name.
        private static let kinds: [String: String] = [
            "v1/ConfigMap": "core.v1.ConfigMap",
            "v1/Secret": "core.v1.Secret",
            "v1/Namespace": "core.v1.Namespace",
            "v1/Service": "core.v1.Service",
            "v1/Pod": "core.v1.Pod",
            "v1/PodTemplate": "core.v1.PodTemplate",
            "v1/Endpoints": "core.v1.Endpoints",
            "v1/Event": "core.v1.Event",
            "v1/Node": "core.v1.Node",
            "v1/Binding": "core.v1.Binding",
            "v1/ServiceAccount": "core.v1.ServiceAccount",
            "v1/Status": "meta.v1.Status",
            "apps/v1/Deployment": "apps.v1.Deployment",
            "apps/v1/ReplicaSet": "apps.v1.ReplicaSet",
            "discovery.k8s.io/v1/EndpointSlice": "discovery.v1.EndpointSlice",
            "coordination.k8s.io/v1/Lease": "coordination.v1.Lease",
            "autoscaling/v1/Scale": "autoscaling.v1.Scale",
            "policy/v1/Eviction": "policy.v1.Eviction",
            "policy/v1beta1/Eviction": "policy.v1.Eviction",
        ]

        /// List schemas are made from the item kinds rather than written out one by one.
        private static func listSchemaName(apiVersion: String, kind: String) -> String {
            "list:" + apiVersion + "/" + kind.dropLast(4)
        }

        static let listSchemas: [MessageSchema] = kinds.map { key, itemSchema in
            let kind = String(key.split(separator: "/").last!)
            let apiVersion = String(key.dropLast(kind.count + 1))
            return MessageSchema(listSchemaName(apiVersion: apiVersion, kind: kind + "List"), [
                .message(1, "metadata", "meta.v1.ListMeta"),
                .messages(2, "items", itemSchema),
            ])
        }
    }
}
