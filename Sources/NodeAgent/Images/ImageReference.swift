/// An image name as Kubernetes users write it (`busybox`, `busybox:1.36`,
/// `registry.local:5000/team/app@sha256:…`), normalised as containerd and the kubelet do:
/// the default registry `docker.io`, `library/` for its official images, the tag `latest`
/// when neither tag nor digest is given.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: String?

    public init?(_ text: String) {
        var rest = Substring(text)
        guard !rest.isEmpty, !rest.contains(where: \.isWhitespace) else { return nil }
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            guard let d = digest, d.hasPrefix("sha256:"), d.count == 71 else { return nil }
            rest = rest[..<at]
        }
        // A tag is after the last colon that follows the last slash (a port's colon is before it).
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
            guard !(tag ?? "").isEmpty else { return nil }
        }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = parts.removeFirst()
        } else {
            registry = "docker.io"
        }
        if registry == "docker.io" && parts.count == 1 { parts.insert("library", at: 0) }
        repository = parts.joined(separator: "/")
        guard repository == repository.lowercased() else { return nil }
        if tag == nil && digest == nil { tag = "latest" }
    }

    public var description: String {
        registry + "/" + repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }
}
