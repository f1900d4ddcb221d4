import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Pulls images from OCI distribution registries (`docker pull`'s protocol): the manifest by
/// tag or digest — an index is narrowed to this machine's platform — then the config and
/// layers, each checked against its digest, into the node's `ImageStore`. Anonymous bearer
/// tokens are fetched when a registry asks for them (Docker Hub does); registries listed as
/// insecure are spoken to over plain HTTP.
public final class RegistryPuller: Sendable {
    private let http: HTTPClient
    private let insecure: Set<String>
    private let store: ImageStore

    static let manifestTypes = [
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json",
    ]

    public init(store: ImageStore, insecureRegistries: [String]) {
        self.store = store
        insecure = Set(insecureRegistries)
        // The process-wide client (it follows redirects, as blob downloads need, and is never
        // shut down); every request sets its own timeout.
        http = HTTPClient.shared
    }

    public func pull(_ reference: ImageReference) async throws -> ImageStore.Image {
        let host = reference.registry == "docker.io" ? "registry-1.docker.io" : reference.registry
        let base = (insecure.contains(reference.registry) ? "http://" : "https://") + host + "/v2/" + reference.repository
        var session = Session(http: http)
        var (manifestData, _) = try await session.get(base + "/manifests/" + (reference.digest ?? reference.tag ?? "latest"),
                                                      accept: Self.manifestTypes)
        if let digest = reference.digest, ImageStore.digest(manifestData) != digest {
            throw ImageError.digestMismatch(expected: digest, actual: ImageStore.digest(manifestData))
        }
        var manifest = try JSONDecoder().decode(ManifestDocument.self, from: manifestData)
        if let entries = manifest.manifests {
            let arch = MachineInfo.current().architecture
            guard let chosen = entries.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == arch }) else {
                throw ImageError.notFound("\(reference): no linux/\(arch) image in its index")
            }
            (manifestData, _) = try await session.get(base + "/manifests/" + chosen.digest, accept: Self.manifestTypes)
            guard ImageStore.digest(manifestData) == chosen.digest else {
                throw ImageError.digestMismatch(expected: chosen.digest, actual: ImageStore.digest(manifestData))
            }
            manifest = try JSONDecoder().decode(ManifestDocument.self, from: manifestData)
        }
        guard let config = manifest.config else { throw ImageError.badArchive("\(reference): the manifest has no config") }
        var blobs: [(String, Data)] = []
        for descriptor in [config] + (manifest.layers ?? []) {
            if store.hasBlob(descriptor.digest) { continue }
            let (data, _) = try await session.get(base + "/blobs/" + descriptor.digest, accept: ["*/*"])
            guard ImageStore.digest(data) == descriptor.digest else {
                throw ImageError.digestMismatch(expected: descriptor.digest, actual: ImageStore.digest(data))
            }
            blobs.append((descriptor.digest, data))
        }
        return try store.add(reference: reference.description, manifest: manifestData, blobs: blobs)
    }

    /// Requests with the bearer token a registry hands out, fetched on its first 401.
    struct Session {
        let http: HTTPClient
        var token: String?

        mutating func get(_ url: String, accept: [String]) async throws -> (Data, HTTPHeaders) {
            for attempt in 0..<2 {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Accept", value: accept.joined(separator: ", "))
                if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
                let response = try await http.execute(request, timeout: .minutes(10))
                if response.status == .unauthorized, attempt == 0,
                   let challenge = response.headers.first(name: "WWW-Authenticate"), challenge.lowercased().hasPrefix("bearer ") {
                    token = try await fetchToken(challenge)
                    continue
                }
                let body = try await response.body.collect(upTo: 1 << 31)
                guard response.status == .ok else {
                    let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
                    if response.status == .notFound { throw ImageError.notFound("\(url): \(text.isEmpty ? "not found" : text)") }
                    throw ImageError.io("\(url): \(response.status.code) \(text)")
                }
                return (Data(body.readableBytesView), response.headers)
            }
            throw ImageError.io("\(url): unauthorized")
        }

        /// `Bearer realm="…",service="…",scope="…"` → an anonymous token from the realm.
        private func fetchToken(_ challenge: String) async throws -> String {
            var fields: [String: String] = [:]
            for part in challenge.dropFirst("Bearer ".count).split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
                if kv.count == 2 { fields[kv[0]] = kv[1] }
            }
            guard let realm = fields["realm"] else { throw ImageError.io("registry asked for a token without a realm") }
            var components = URLComponents(string: realm)
            components?.queryItems = ["service", "scope"].compactMap { key in fields[key].map { URLQueryItem(name: key, value: $0) } }
            guard let url = components?.string else { throw ImageError.io("bad token realm \(realm)") }
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            guard let token = (object?["token"] ?? object?["access_token"]) as? String else { throw ImageError.io("no token from \(realm)") }
            return token
        }
    }
}
