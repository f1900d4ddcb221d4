import Foundation
import KubeAPI

/// A container's environment as the kubelet makes it: `envFrom` sources first, then `env` in
/// order, with values from ConfigMaps, Secrets and the Pod's own fields, and `$(VAR)`
/// references to variables defined before. A missing source that is not optional is the
/// kubelet's CreateContainerConfigError, with its message.
struct ContainerEnvironment {
    let client: KubeClient
    let pod: Pod

    func resolve(_ container: Container) async throws -> [(String, String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            if let ref = source.configMapRef {
                guard let data = try await configMap(ref.name ?? "", optional: ref.optional == true)?.data else { continue }
                for (key, value) in data.sorted(by: { $0.key < $1.key }) { set(prefix + key, value) }
            }
            if let ref = source.secretRef {
                guard let data = try await secret(ref.name ?? "", optional: ref.optional == true) else { continue }
                for (key, value) in data.sorted(by: { $0.key < $1.key }) { set(prefix + key, value) }
            }
        }
        for env in container.env ?? [] {
            let name = env.name ?? ""
            guard let from = env.valueFrom else {
                set(name, ContainerSpec.expand(env.value ?? "", values))
                continue
            }
            if let ref = from.configMapKeyRef {
                let cm = try await configMap(ref.name ?? "", optional: ref.optional == true)
                guard let value = cm?.data?[ref.key ?? ""] else {
                    if ref.optional == true || cm == nil { continue }
                    throw PodError.config("couldn't find key \(ref.key ?? "") in ConfigMap \(namespace)/\(ref.name ?? "")")
                }
                set(name, value)
            } else if let ref = from.secretKeyRef {
                let data = try await secret(ref.name ?? "", optional: ref.optional == true)
                guard let value = data?[ref.key ?? ""] else {
                    if ref.optional == true || data == nil { continue }
                    throw PodError.config("couldn't find key \(ref.key ?? "") in Secret \(namespace)/\(ref.name ?? "")")
                }
                set(name, value)
            } else if let ref = from.fieldRef {
                set(name, try field(ref.fieldPath ?? ""))
            } else if let ref = from.resourceFieldRef {
                set(name, resource(ref, container))
            }
        }
        return order.map { ($0, values[$0]!) }
    }

    private var namespace: String { pod.metadata?.namespace ?? "default" }

    private func configMap(_ name: String, optional: Bool) async throws -> ConfigMap? {
        do {
            return try await client.get(ConfigMap.self, name: name, namespace: namespace)
        } catch let error as KubeAPIError where error.code == 404 {
            if optional { return nil }
            throw PodError.config("configmap \"\(name)\" not found")
        }
    }

    /// The Secret's data, decoded.
    private func secret(_ name: String, optional: Bool) async throws -> [String: String]? {
        do {
            let secret = try await client.get(Secret.self, name: name, namespace: namespace)
            var data: [String: String] = [:]
            for (key, encoded) in secret.data ?? [:] {
                data[key] = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
            }
            return data
        } catch let error as KubeAPIError where error.code == 404 {
            if optional { return nil }
            throw PodError.config("secret \"\(name)\" not found")
        }
    }

    /// The downward API's fields.
    func field(_ path: String) throws -> String {
        let meta = pod.metadata
        switch path {
        case "metadata.name": return meta?.name ?? ""
        case "metadata.namespace": return namespace
        case "metadata.uid": return meta?.uid ?? ""
        case "spec.nodeName": return pod.spec?.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? ""
        case "status.hostIP": return pod.status?.hostIP ?? ""
        case "status.hostIPs": return (pod.status?.hostIPs ?? []).compactMap(\.ip).joined(separator: ",")
        case "status.podIP": return pod.status?.podIP ?? ""
        case "status.podIPs": return (pod.status?.podIPs ?? []).compactMap(\.ip).joined(separator: ",")
        default:
            for (prefix, map) in [("metadata.labels['", meta?.labels), ("metadata.annotations['", meta?.annotations)]
            where path.hasPrefix(prefix) && path.hasSuffix("']") {
                return map?[String(path.dropFirst(prefix.count).dropLast(2))] ?? ""
            }
            throw PodError.config("unsupported fieldPath \(path)")
        }
    }

    private func resource(_ ref: ResourceFieldSelector, _ container: Container) -> String {
        let parts = (ref.resource ?? "").split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "" }
        let list = parts[0] == "limits" ? container.resources?.limits : container.resources?.requests
        guard let quantity = list?[parts[1]] else { return "" }
        let divisor = ref.divisor ?? Quantity(parts[1] == "cpu" ? "1" : "1")
        if parts[1] == "cpu", let milli = quantity.milliValue, let per = divisor.milliValue, per > 0 {
            return String((milli + per - 1) / per)
        }
        if let value = quantity.value, let per = divisor.value, per > 0 { return String((value + per - 1) / per) }
        return ""
    }
}
