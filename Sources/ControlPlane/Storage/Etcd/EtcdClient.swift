import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1
import NIOSSL

/// Certificates for talking to etcd over TLS (kube-apiserver's --etcd-cafile,
/// --etcd-certfile, --etcd-keyfile).
public struct EtcdTLSFiles: Sendable, Equatable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    public var isEmpty: Bool { caFile == nil && certFile == nil && keyFile == nil }
}

/// An error etcd answered with: its gRPC code and message, as the JSON gateway relays them.
struct EtcdError: Error, CustomStringConvertible {
    var code: Int
    var message: String
    var description: String { "etcd: \(message) (code \(code))" }

    /// gRPC's OutOfRange, which etcd uses for a revision that is compacted or in the future.
    var isCompacted: Bool { code == 11 && message.contains("compacted") }
    var isFutureRevision: Bool { code == 11 && message.contains("future revision") }
    /// A member that has no leader has not proposed anything, so another member may be asked.
    var isNoLeader: Bool { code == 14 && message.contains("no leader") }
    /// Unavailable or timed out: this member cannot serve now (cut off from the others).
    var isMemberUnavailable: Bool { code == 14 || code == 4 }
    /// etcd's --max-request-bytes, or gRPC's receive limit just above it.
    var isTooLarge: Bool { message.contains("request is too large") || (code == 8 && message.contains("larger than max")) }
}

/// etcd's v3 API through its JSON gateway (grpc-gateway, `/v3/...` over HTTP/1.1), on every
/// member given. Requests go to the member that last answered; one that cannot be reached
/// hands the request to the next, so losing a member costs a reconnect, not an outage. A
/// read (a range) also moves on from a member that answers "unavailable" or times out (one
/// cut off from the others); a write moves on only when it cannot have reached etcd, so it
/// is never applied twice. After a failure the next request starts at the next member.
final class EtcdClient: Sendable {
    let endpoints: [String]
    private let http: HTTPClient
    private let preferred = PreferredEndpoint()
    private let requestTimeout: TimeAmount

    init(endpoints: [String], tls: EtcdTLSFiles, requestTimeout: TimeAmount = .seconds(15)) throws {
        precondition(!endpoints.isEmpty)
        let scheme = tls.isEmpty ? "http" : "https"
        self.endpoints = endpoints.map { "\(scheme)://\($0)" }
        var config = HTTPClient.Configuration(tlsConfiguration: try Self.tlsConfiguration(tls),
                                              timeout: .init(connect: .seconds(1)))
        config.redirectConfiguration = .disallow
        // A refused connection is retried until the connect timeout (AsyncHTTPClient's pool
        // backs off and tries again), so the timeout is what a dead member costs each
        // request before the next member is asked: short, as etcd sits on a near network.
        // Every watch holds a connection for as long as it runs (the gateway streams one
        // watch per request); the pool must not queue requests behind them.
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 100_000
        config.connectionPool.idleTimeout = .seconds(60)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        self.requestTimeout = requestTimeout
    }

    func shutdown() async throws { try await http.shutdown() }

    private static func tlsConfiguration(_ files: EtcdTLSFiles) throws -> TLSConfiguration? {
        guard !files.isEmpty else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = files.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        }
        switch (files.certFile, files.keyFile) {
        case (let cert?, let key?):
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        case (nil, nil): break
        default: throw StoreError.unavailable("--etcd-certfile and --etcd-keyfile go together")
        }
        return tls
    }

    /// One unary call, e.g. `call("kv/range", …)`: etcd's JSON answer, or the error it gave.
    func call(_ method: String, _ body: JSONValue) async throws -> JSONValue {
        let payload = JSONSerializer.serialize(body)
        let readOnly = method == "kv/range"
        return try await onMembers { endpoint in
            let answer: JSONValue, status: HTTPResponseStatus
            do {
                let response = try await http.execute(Self.post(endpoint, "/v3/\(method)", payload), timeout: requestTimeout)
                status = response.status
                answer = try Self.parse(try await response.body.collect(upTo: 256 << 20), from: endpoint)
            } catch let error where Self.neverReachedServer(error) || readOnly {
                return .nextMember("\(error)")
            } catch {
                throw Self.storeError(error, endpoint)
            }
            if status == .ok { return .done(answer) }
            let error = EtcdError(code: Int(answer["code"]?.intValue ?? 2),
                                  message: answer["message"]?.stringValue ?? answer["error"]?.stringValue ?? "HTTP \(status.code)")
            if error.isNoLeader || (readOnly && error.isMemberUnavailable) { return .nextMember(error.message) }
            throw error
        }
    }

    /// What one member made of a request: an answer, or a reason to ask the next one.
    private enum Attempt<T> {
        case done(T)
        case nextMember(String)
    }

    /// Asks the members in turn, from the one that answered last; after a failure the next
    /// request starts at the next member.
    private func onMembers<T>(_ attempt: (String) async throws -> Attempt<T>) async throws -> T {
        let first = preferred.current
        var failures: [String] = []
        for step in 0..<endpoints.count {
            let index = (first + step) % endpoints.count
            switch try await attempt(endpoints[index]) {
            case .done(let value):
                preferred.set(index)
                return value
            case .nextMember(let why):
                failures.append("\(endpoints[index]): \(why)")
                preferred.set((index + 1) % endpoints.count)
            }
        }
        throw StoreError.unavailable("etcd unreachable: " + failures.joined(separator: "; "))
    }

    private static func storeError(_ error: Error, _ endpoint: String) -> Error {
        error is StoreError ? error : StoreError.unavailable("etcd \(endpoint): \(error)")
    }

    private static func post(_ endpoint: String, _ path: String, _ payload: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: payload))
        return request
    }

    static func parse(_ buffer: ByteBuffer, from endpoint: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw StoreError.unavailable("etcd \(endpoint) answered something that is not JSON: \(error)")
        }
    }

    /// Connection failures before a byte was sent: safe to send the request elsewhere.
    /// A pooled connection found closed before the request was written (the member died
    /// since it was last used) counts too.
    private static func neverReachedServer(_ error: Error) -> Bool {
        if let client = error as? HTTPClientError, client == .connectTimeout { return true }
        if let channel = error as? ChannelError, channel == .ioOnClosedChannel { return true }
        let text = String(describing: error)
        return text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("NIOConnectionError")
            || text.contains("connectTimeout") || text.contains("ECONNREFUSED")
    }

    /// Opens a watch stream on the member that last answered (or the next reachable one):
    /// the response body, one JSON message per line.
    func openWatch(_ body: JSONValue) async throws -> (HTTPClientResponse, String) {
        let payload = JSONSerializer.serialize(body)
        return try await onMembers { endpoint in
            var request = Self.post(endpoint, "/v3/watch", payload)
            // etcd then ends the watch when this member loses its leader, instead of leaving
            // it open and silent while the cluster goes on without it.
            request.headers.add(name: "Grpc-Metadata-hasleader", value: "true")
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .hours(24 * 365))
            } catch where Self.neverReachedServer(error) {
                return .nextMember("\(error)")
            } catch {
                throw Self.storeError(error, endpoint)
            }
            guard response.status == .ok else {
                let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
                throw StoreError.unavailable("etcd \(endpoint) refused the watch: HTTP \(response.status.code) "
                    + String(decoding: bytes.readableBytesView, as: UTF8.self))
            }
            return .done((response, endpoint))
        }
    }
}

/// Which member to ask first: the one that answered last.
private final class PreferredEndpoint: @unchecked Sendable {
    private var index = 0
    private let lock = NSLock()
    var current: Int { lock.withLock { index } }
    func set(_ value: Int) { lock.withLock { index = value } }
}
