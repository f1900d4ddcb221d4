import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// How the API server reaches node agents on their HTTPS port (10250) for pods/log and
/// pods/exec, as
/// kube-apiserver reaches kubelets: with its kubelet-client certificate, which the agents
/// check against the cluster CA; the agents' self-signed serving certificates are not
/// verified (upstream's default without --kubelet-certificate-authority).
final class KubeletClient: Sendable {
    private let http: HTTPClient
    private let tls: NIOSSLContext

    init(certificatePEM: String, keyPEM: String) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        self.tls = try NIOSSLContext(configuration: tls)
        var config = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(5)))
        config.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    /// Passes an upgrade request (exec's WebSocket) on to the agent's `path`: the protocol
    /// headers go along, the client's credentials do not.
    func upgrade(host: String, port: Int, path: String, request: HTTPRequest) -> HTTPResponse {
        let address = host.contains(":") ? "[\(host)]" : host
        var head = "\(request.method.rawValue) \(path) HTTP/1.1\r\nHost: \(address):\(port)\r\nConnection: Upgrade\r\n"
        for name in ["Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version"] {
            for value in request.headers[name] where !value.contains("\r") && !value.contains("\n") {
                head += "\(name): \(value)\r\n"
            }
        }
        head += "\r\n"
        return HTTPResponse(status: .switchingProtocols, body: .upgrade(UpstreamUpgrade(host: host, port: port, tls: tls, request: head)))
    }

    /// Streams the agent's answer for `path` into a response body; the agent's errors are
    /// passed on with their status.
    func stream(host: String, port: Int, path: String) async throws -> HTTPResponse {
        let address = host.contains(":") ? "[\(host)]" : host
        let request = HTTPClientRequest(url: "https://\(address):\(port)\(path)")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(24))
        } catch {
            throw APIError.serviceUnavailable("cannot reach the node agent at \(address):\(port): \(error)")
        }
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 16)
            let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
            throw APIError.badRequest(text.isEmpty ? "the node agent answered \(response.status.code)" : text)
        }
        let queue = ByteQueue()
        let task = Task {
            do {
                for try await chunk in response.body { queue.append(Array(chunk.readableBytesView)) }
                queue.finish()
            } catch {
                queue.finish(throwing: error)
            }
        }
        queue.setOnCancel { task.cancel() }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream(queue))
    }
}
