import Foundation
import Yams

/// A kubeconfig file (clientcmd v1 `Config`): named clusters, users and contexts.
/// Only the fields a client needs to connect are modelled; exec and auth-provider
/// plugins are not supported.
public struct Kubeconfig: Sendable, Hashable, Decodable {
    public struct Cluster: Sendable, Hashable, Decodable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    public struct User: Sendable, Hashable, Decodable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var username: String?
        public var password: String?

        enum CodingKeys: String, CodingKey {
            case token
            case tokenFile
            case tokenFileDashed = "token-file"
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case username
            case password
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            token = try c.decodeIfPresent(String.self, forKey: .token)
            // clientcmd spells it `tokenFile`; accept the dashed form that people write by analogy.
            tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
                ?? c.decodeIfPresent(String.self, forKey: .tokenFileDashed)
            clientCertificate = try c.decodeIfPresent(String.self, forKey: .clientCertificate)
            clientCertificateData = try c.decodeIfPresent(String.self, forKey: .clientCertificateData)
            clientKey = try c.decodeIfPresent(String.self, forKey: .clientKey)
            clientKeyData = try c.decodeIfPresent(String.self, forKey: .clientKeyData)
            username = try c.decodeIfPresent(String.self, forKey: .username)
            password = try c.decodeIfPresent(String.self, forKey: .password)
        }
    }

    public struct Context: Sendable, Hashable, Decodable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public struct Named<Item: Sendable & Hashable & Decodable>: Sendable, Hashable, Decodable {
        public var name: String
        public var item: Item

        enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            // Each list names its payload differently (`cluster:`, `user:`, `context:`).
            let key: CodingKeys = switch Item.self {
            case is Cluster.Type: .cluster
            case is User.Type: .user
            default: .context
            }
            item = try c.decode(Item.self, forKey: key)
        }
    }

    public var clusters: [Named<Cluster>]
    public var users: [Named<User>]
    public var contexts: [Named<Context>]
    public var currentContext: String?
    /// Directory that relative file paths in the file are resolved against, as kubectl does.
    public var baseDirectory: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try c.decodeIfPresent([Named<Cluster>].self, forKey: .clusters) ?? []
        users = try c.decodeIfPresent([Named<User>].self, forKey: .users) ?? []
        contexts = try c.decodeIfPresent([Named<Context>].self, forKey: .contexts) ?? []
        currentContext = try c.decodeIfPresent(String.self, forKey: .currentContext)
        baseDirectory = nil
    }

    /// Parses kubeconfig YAML (JSON is YAML too).
    public init(yaml: String, baseDirectory: String? = nil) throws {
        do {
            self = try YAMLDecoder().decode(Kubeconfig.self, from: yaml)
        } catch {
            throw KubeconfigError.invalid("\(error)")
        }
        self.baseDirectory = baseDirectory
    }

    public static func load(path: String) throws -> Kubeconfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeconfigError.unreadable(path: path, "\(error)")
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try Kubeconfig(yaml: text, baseDirectory: dir)
    }

    /// The file kubectl would use: the first entry of `$KUBECONFIG`, else `~/.kube/config`.
    /// Merging several files is not supported.
    public static func loadDefault(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Kubeconfig {
        if let list = environment["KUBECONFIG"],
           let first = list.split(separator: ":").first(where: { !$0.isEmpty }) {
            return try load(path: String(first))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try load(path: home + "/.kube/config")
    }

    /// Resolves a context (the current one by default) into a client configuration,
    /// reading referenced certificate files and decoding the inline `-data` fields.
    public func clientConfig(context name: String? = nil) throws -> KubeClientConfig {
        guard let contextName = name ?? currentContext, !contextName.isEmpty else {
            throw KubeconfigError.noCurrentContext
        }
        guard let context = contexts.first(where: { $0.name == contextName })?.item else {
            throw KubeconfigError.missing(kind: "context", name: contextName)
        }
        guard let cluster = clusters.first(where: { $0.name == context.cluster })?.item else {
            throw KubeconfigError.missing(kind: "cluster", name: context.cluster)
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeconfigError.invalid("cluster \(context.cluster) has no server")
        }
        var user = User.empty
        if let userName = context.user, !userName.isEmpty {
            guard let found = users.first(where: { $0.name == userName })?.item else {
                throw KubeconfigError.missing(kind: "user", name: userName)
            }
            user = found
        }

        var config = KubeClientConfig(server: server)
        config.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        config.certificateAuthorityPEM = try material(data: cluster.certificateAuthorityData,
                                                      file: cluster.certificateAuthority,
                                                      field: "certificate-authority")
        config.clientCertificatePEM = try material(data: user.clientCertificateData,
                                                   file: user.clientCertificate,
                                                   field: "client-certificate")
        config.clientKeyPEM = try material(data: user.clientKeyData, file: user.clientKey, field: "client-key")
        config.token = user.token
        config.tokenFile = user.tokenFile.map(resolve)
        config.username = user.username
        config.password = user.password
        if let ns = context.namespace, !ns.isEmpty { config.namespace = ns }
        return config
    }

    /// Inline data wins over a file path, as in clientcmd.
    private func material(data: String?, file: String?, field: String) throws -> String? {
        if let data, !data.isEmpty {
            guard let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters),
                  let text = String(data: bytes, encoding: .utf8)
            else {
                throw KubeconfigError.invalid("\(field)-data is not base64-encoded PEM")
            }
            return text
        }
        if let file, !file.isEmpty {
            let path = resolve(file)
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw KubeconfigError.unreadable(path: path, "\(error)")
            }
        }
        return nil
    }

    private func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let baseDirectory else { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }
}

extension Kubeconfig.User {
    static let empty = Kubeconfig.User()
    private init() {}
}

public enum KubeconfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)
    case unreadable(path: String, String)
    case noCurrentContext
    case missing(kind: String, name: String)
    case notInCluster

    public var description: String {
        switch self {
        case .invalid(let why): "invalid kubeconfig: \(why)"
        case .unreadable(let path, let why): "cannot read \(path): \(why)"
        case .noCurrentContext: "kubeconfig has no current-context and none was given"
        case .missing(let kind, let name): "kubeconfig has no \(kind) named \(name)"
        case .notInCluster: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"
        }
    }
}
