import Foundation

/// Everything a `KubeClient` needs to reach one API server as one user: the resolved
/// form of a kubeconfig context, or built by hand (an agent given a server URL, a CA
/// and a bootstrap token).
public struct KubeClientConfig: Sendable, Hashable {
    /// Base URL, e.g. `https://127.0.0.1:6443`. A path prefix is kept and every
    /// request path is appended to it.
    public var server: String
    /// PEM bundle trusted for the server certificate; `nil` trusts the system roots.
    public var certificateAuthorityPEM: String?
    public var insecureSkipTLSVerify: Bool
    public var token: String?
    /// Re-read while the client runs, because projected service-account tokens rotate.
    public var tokenFile: String?
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    public var username: String?
    public var password: String?
    /// Namespace used when a namespaced call is given none (the context's namespace).
    public var namespace: String
    public var userAgent: String
    /// Limit for a whole non-watch request, connection included.
    public var requestTimeout: Duration
    public var connectTimeout: Duration

    public init(server: String,
                certificateAuthorityPEM: String? = nil,
                insecureSkipTLSVerify: Bool = false,
                token: String? = nil,
                tokenFile: String? = nil,
                clientCertificatePEM: String? = nil,
                clientKeyPEM: String? = nil,
                username: String? = nil,
                password: String? = nil,
                namespace: String = "default",
                userAgent: String = "skiff",
                requestTimeout: Duration = .seconds(60),
                connectTimeout: Duration = .seconds(10)) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.token = token
        self.tokenFile = tokenFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.username = username
        self.password = password
        self.namespace = namespace
        self.userAgent = userAgent
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// The configuration a Pod gets from its mounted service account, as client-go's
    /// `rest.InClusterConfig` builds it.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws -> KubeClientConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeconfigError.notInCluster
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let dir = URL(fileURLWithPath: serviceAccountDirectory)
        let ca = try String(contentsOf: dir.appendingPathComponent("ca.crt"), encoding: .utf8)
        let ns = (try? String(contentsOf: dir.appendingPathComponent("namespace"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return KubeClientConfig(server: "https://\(hostPart):\(port)",
                                certificateAuthorityPEM: ca,
                                tokenFile: dir.appendingPathComponent("token").path,
                                namespace: (ns?.isEmpty ?? true) ? "default" : ns!)
    }
}
