import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1
import NIOSSL

/// One server as the benchmark talks to it: a base URL, fixed headers and an HTTP/1.1 pool.
struct Endpoint: Sendable {
    let client: HTTPClient
    let base: String
    let headers: HTTPHeaders

    static func makeClient(caPEM: String?, connections: Int) throws -> HTTPClient {
        var config: HTTPClient.Configuration
        if let caPEM {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
            config = HTTPClient.Configuration(tlsConfiguration: tls)
        } else {
            config = HTTPClient.Configuration()
        }
        config.httpVersion = .http1Only
        config.decompression = .disabled
        config.redirectConfiguration = .disallow
        config.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        config.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    func request(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil,
                 contentType: String = "application/json") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers = headers
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        return request
    }

    /// Sends a request and collects the whole response.
    func call(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil,
              contentType: String = "application/json") async throws -> (status: UInt, body: ByteBuffer) {
        let response = try await client.execute(request(method, path, body: body, contentType: contentType),
                                                timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 1 << 31)
        return (response.status.code, bytes)
    }

    /// Like `call`, but throws unless the status is `expect`.
    @discardableResult
    func expect(_ status: UInt, _ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil,
                contentType: String = "application/json") async throws -> ByteBuffer {
        let (got, bytes) = try await call(method, path, body: body, contentType: contentType)
        guard got == status else {
            throw BenchError("\(method) \(base)\(path): HTTP \(got), wanted \(status): \(String(buffer: bytes).prefix(400))")
        }
        return bytes
    }
}

func base64(_ string: String) -> String { Data(string.utf8).base64EncodedString() }

func parseJSON(_ buffer: ByteBuffer) throws -> JSONValue {
    try JSONParser.parse(Array(buffer.readableBytesView))
}
