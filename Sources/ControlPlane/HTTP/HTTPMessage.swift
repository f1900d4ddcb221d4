import NIOCore
import NIOHTTP1

/// A request as the API layer sees it: the whole body already read (bounded).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: QueryParameters
    /// The query as sent, for passing a request on (exec's repeated `command`).
    public var rawQuery: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Filled in by authentication.
    public var user: UserInfo?

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.headers = headers
        self.body = body
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            rawQuery = String(uri[uri.index(after: q)...])
            query = QueryParameters(rawQuery)
        } else {
            path = uri
            rawQuery = ""
            query = QueryParameters("")
        }
        path = path.removingPercentEncoding ?? path
    }
}

public struct UserInfo: Sendable, Equatable {
    public var name: String
    public var groups: [String]
}

public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        case buffer(ByteBuffer)
        case spliced(SplicedBody)
        /// Written as it comes (watch); the queue finishing ends the response.
        case stream(ByteQueue)
        /// Passed through to a node agent: its 101 answers the client, and the connection
        /// then carries bytes both ways until either end closes.
        case upgrade(UpstreamUpgrade)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: HTTPResponseStatus, _ bytes: [UInt8], contentType: String = "application/json") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .bytes(bytes))
    }
}

/// Decoded query string; a key may repeat.
public struct QueryParameters: Sendable {
    private var pairs: [(String, String)] = []

    public init(_ raw: String) {
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            pairs.append((key, value))
        }
    }

    public subscript(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    /// Go's strconv.ParseBool, which upstream uses for query booleans.
    public func bool(_ key: String) -> Bool {
        guard let v = self[key] else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(v)
    }

    private static func decode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}

import Foundation
