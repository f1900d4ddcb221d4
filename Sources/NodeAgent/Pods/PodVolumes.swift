import Foundation
import KubeAPI

/// The Pod's volumes on the node (the kubelet's volume manager for the in-tree kinds that
/// need no storage system): emptyDir and configMap / secret / downwardAPI-free projections as
/// directories under the Pod's own directory, hostPath as the host's path. Each container's
/// volumeMounts become bind mounts of them (subPath included).
struct PodVolumes {
    let client: KubeClient
    let pod: Pod
    let directory: String

    /// Prepares every volume; returns its host path by name. A missing ConfigMap or Secret
    /// that is not optional fails with the kubelet's FailedMount wording.
    func prepare() async throws -> [String: String] {
        var paths: [String: String] = [:]
        let namespace = pod.metadata?.namespace ?? "default"
        for volume in pod.spec?.volumes ?? [] {
            let name = volume.name ?? ""
            let path = directory + "/" + name
            if volume.emptyDir != nil {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                chmod(path, 0o777)
            } else if let hostPath = volume.hostPath {
                let target = hostPath.path ?? ""
                switch hostPath.type ?? "" {
                case "DirectoryOrCreate":
                    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                case "FileOrCreate":
                    if !FileManager.default.fileExists(atPath: target) { FileManager.default.createFile(atPath: target, contents: nil) }
                case "Directory", "File", "Socket", "CharDevice", "BlockDevice":
                    guard FileManager.default.fileExists(atPath: target) else {
                        throw PodError.config("MountVolume.SetUp failed for volume \"\(name)\" : hostPath type check failed: \(target) does not exist")
                    }
                default:
                    break
                }
                paths[name] = target
                continue
            } else if let source = volume.configMap {
                var files: [String: Data] = [:]
                do {
                    let cm = try await client.get(ConfigMap.self, name: source.name ?? "", namespace: namespace)
                    for (key, value) in cm.data ?? [:] { files[key] = Data(value.utf8) }
                    for (key, value) in cm.binaryData ?? [:] { files[key] = Data(base64Encoded: value) ?? Data() }
                } catch let error as KubeAPIError where error.code == 404 {
                    guard source.optional == true else {
                        throw PodError.config("MountVolume.SetUp failed for volume \"\(name)\" : configmap \"\(source.name ?? "")\" not found")
                    }
                }
                try write(files, items: source.items, mode: source.defaultMode ?? 0o644, to: path)
            } else if let source = volume.secret {
                var files: [String: Data] = [:]
                do {
                    let secret = try await client.get(Secret.self, name: source.secretName ?? "", namespace: namespace)
                    for (key, value) in secret.data ?? [:] { files[key] = Data(base64Encoded: value) ?? Data() }
                } catch let error as KubeAPIError where error.code == 404 {
                    guard source.optional == true else {
                        throw PodError.config("MountVolume.SetUp failed for volume \"\(name)\" : secret \"\(source.secretName ?? "")\" not found")
                    }
                }
                try write(files, items: source.items, mode: source.defaultMode ?? 0o644, to: path)
            } else {
                throw PodError.config("volume \"\(name)\": only emptyDir, hostPath, configMap and secret volumes are supported on this node")
            }
            paths[name] = path
        }
        return paths
    }

    /// The bind mounts for `container`, in its order.
    func mounts(for container: Container, volumes: [String: String]) throws -> [(destination: String, source: String, readOnly: Bool)] {
        try (container.volumeMounts ?? []).map { mount in
            guard var source = volumes[mount.name ?? ""] else {
                throw PodError.config("volume \"\(mount.name ?? "")\" is not defined in the Pod")
            }
            if let sub = mount.subPath, !sub.isEmpty {
                guard !sub.split(separator: "/").contains("..") && !sub.hasPrefix("/") else {
                    throw PodError.config("subPath \"\(sub)\" must be a relative path without ..")
                }
                source += "/" + sub
                if !FileManager.default.fileExists(atPath: source) {
                    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
                }
            }
            return (mount.mountPath ?? "", source, mount.readOnly == true)
        }
    }

    /// Writes keys as files (all of them, or the listed items at their paths), replacing
    /// what was there, as an atomic writer would present them.
    private func write(_ files: [String: Data], items: [KeyToPath]?, mode: Int32, to path: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        let selected: [(String, Data, Int32)] = items.map { list in
            list.compactMap { item in files[item.key ?? ""].map { (item.path ?? item.key ?? "", $0, item.mode ?? mode) } }
        } ?? files.map { ($0.key, $0.value, mode) }
        for (relative, data, fileMode) in selected where !relative.split(separator: "/").contains("..") {
            let file = path + "/" + relative
            try fm.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: file))
            chmod(file, mode_t(fileMode))
        }
    }
}
