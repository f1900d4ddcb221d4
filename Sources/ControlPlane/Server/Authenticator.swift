import Crypto
import Foundation

/// Bearer-token authentication. The admin token and the node join token are generated
/// on first start and kept in the data directory (as k3s keeps its server token), so
/// agents can be given the node token without the admin one.
public struct Authenticator: Sendable {
    public var adminToken: String
    public var nodeToken: String

    public static func loadOrCreate(directory: String) throws -> Authenticator {
        Authenticator(adminToken: try token(at: "\(directory)/admin-token"),
                      nodeToken: try token(at: "\(directory)/node-token"))
    }

    private static func token(at path: String) throws -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !existing.isEmpty {
            return existing
        }
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        try ClusterPKI.write(token + "\n", to: path, mode: 0o600)
        return token
    }

    /// The user a request's `Authorization: Bearer …` header names, or nil.
    func authenticate(_ authorization: String?) -> UserInfo? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        if constantTimeEquals(token, adminToken) {
            return UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])
        }
        if constantTimeEquals(token, nodeToken) {
            return UserInfo(name: "system:node", groups: ["system:nodes", "system:authenticated"])
        }
        return nil
    }

    private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
