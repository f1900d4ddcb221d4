import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL

/// A client of one API server. It owns its HTTP client (connection pool, TLS set up
/// from the configuration) and must be shut down with `shutdown()`.
///
/// Typed calls take any `KubeObject` type and derive the URL from `T.gvk`,
/// `T.resource` and `T.namespaced`; untyped calls take a resource path and speak
/// `JSONValue`. Non-2xx responses throw `KubeAPIError`.
public final class KubeClient: Sendable {
    public let config: KubeClientConfig
    let logger: Logger
    private let http: HTTPClient
    private let baseURL: String
    private let tokenCache = ProtectedState<CachedToken?>(nil)

    private struct CachedToken {
        var value: String
        var readAt: ContinuousClock.Instant
    }

    /// Connections to the server at once: room for a watch per informer plus concurrent requests.
    static let connectionsPerHost = 64

    /// Largest non-watch response body accepted; lists of a big cluster fit.
    static let maxResponseBytes = 1 << 30

    public init(config: KubeClientConfig, logger: Logger = Logger(label: "skiff.kubeclient")) throws {
        var base = config.server
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme),
              url.host != nil
        else {
            throw KubeClientError.invalidServerURL(config.server)
        }
        let tls = try Self.tlsConfiguration(config)
        var httpConfig = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: Self.timeAmount(config.connectTimeout)))
        // Redirects would resend the bearer token to wherever they point.
        httpConfig.redirectConfiguration = .disallow
        // Every open watch holds an HTTP/1.1 connection for as long as it runs; with the
        // default pool of 8, a process with 8 informers would have none left for requests,
        // and one with 7 would send all of them down a single connection.
        httpConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.connectionsPerHost
        self.config = config
        self.logger = logger
        self.baseURL = base
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfig)
    }

    /// A client for a kubeconfig file's context (the current one by default).
    public convenience init(kubeconfigPath: String, context: String? = nil,
                            logger: Logger = Logger(label: "skiff.kubeclient")) throws {
        let kubeconfig = try Kubeconfig.load(path: kubeconfigPath)
        try self.init(config: kubeconfig.clientConfig(context: context), logger: logger)
    }

    /// Closes connections and ends open watches. Call exactly once, when done.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    private static func tlsConfiguration(_ config: KubeClientConfig) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if config.insecureSkipTLSVerify {
                tls.certificateVerification = .none
            } else if let ca = config.certificateAuthorityPEM, !ca.isEmpty {
                // Only the cluster's CA: the system roots have no business vouching for it.
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            }
            if let cert = config.clientCertificatePEM, let key = config.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert.utf8)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            }
        } catch {
            throw KubeClientError.invalidTLSMaterial("\(error)")
        }
        return tls
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        let (seconds, attoseconds) = d.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    // MARK: transport

    enum Method: Sendable {
        case get, post, put, patch, delete
    }

    /// The URL of a path on this server, with the query in a stable order.
    func url(path: String, query: [(name: String, value: String)]) -> String {
        query.isEmpty ? baseURL + path : baseURL + path + "?" + QueryEncoding.query(query)
    }

    /// Sends a request and returns the response once its head arrived; the body is
    /// left to the caller to stream. Throws `KubeAPIError` for non-2xx responses.
    func start(_ method: Method, path: String, query: [(name: String, value: String)] = [],
               body: [UInt8]? = nil, contentType: String? = nil) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path: path, query: query))
        switch method {
        case .get: request.method = .GET
        case .post: request.method = .POST
        case .put: request.method = .PUT
        case .patch: request.method = .PATCH
        case .delete: request.method = .DELETE
        }
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: config.userAgent)
        if let auth = try authorization() {
            request.headers.add(name: "Authorization", value: auth)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: Self.timeAmount(config.requestTimeout),
                                              logger: logger)
        let code = Int(response.status.code)
        guard (200..<300).contains(code) else {
            let errorBody = try await response.body.collect(upTo: 1 << 20)
            throw KubeAPIError(httpStatus: code, body: errorBody.readableBytesView)
        }
        return response
    }

    /// Sends a request and returns the whole response body.
    func send(_ method: Method, path: String, query: [(name: String, value: String)] = [],
              body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        let response = try await start(method, path: path, query: query, body: body, contentType: contentType)
        let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        return Array(buffer.readableBytesView)
    }

    private func authorization() throws -> String? {
        if let token = try currentToken() {
            return "Bearer " + token
        }
        if let user = config.username, let password = config.password {
            return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
        return nil
    }

    /// The static token, else the token file's content, re-read at most once a minute
    /// (as client-go does) so that rotated service-account tokens are picked up.
    private func currentToken() throws -> String? {
        if let token = config.token, !token.isEmpty { return token }
        guard let path = config.tokenFile, !path.isEmpty else { return nil }
        let now = ContinuousClock.now
        if let cached = tokenCache.withLock({ $0 }), now - cached.readAt < .seconds(60) {
            return cached.value
        }
        let value = try String(contentsOfFile: path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        tokenCache.withLock { $0 = CachedToken(value: value, readAt: now) }
        return value
    }

    // MARK: coding

    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw KubeClientError.invalidResponse("cannot decode \(Value.self): \(error)")
        }
    }
}
