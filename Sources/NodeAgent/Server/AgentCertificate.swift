import Crypto
import Foundation
import SwiftASN1
import X509

/// The agent's serving certificate for its HTTPS port: self-signed and kept in its state
/// directory, as the kubelet makes one when it is given none (the API server does not verify
/// it, as upstream's does not without --kubelet-certificate-authority).
struct AgentCertificate {
    var certificatePEM: String
    var keyPEM: String

    static func loadOrCreate(directory: String, nodeName: String, addresses: [String]) throws -> AgentCertificate {
        let certPath = directory + "/agent.crt", keyPath = directory + "/agent.key"
        if let cert = try? String(contentsOfFile: certPath, encoding: .utf8), let key = try? String(contentsOfFile: keyPath, encoding: .utf8),
           let parsed = try? Certificate(pemEncoded: cert), parsed.notValidAfter > Date().addingTimeInterval(30 * 86400) {
            return AgentCertificate(certificatePEM: cert, keyPEM: key)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("\(nodeName)@\(Int(Date().timeIntervalSince1970))") }
        var sans: [GeneralName] = [.dnsName(nodeName)]
        for address in addresses {
            var v4 = in_addr()
            if inet_pton(AF_INET, address, &v4) == 1 {
                sans.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) }))))
            }
        }
        let now = Date()
        let cert = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(sans)
            },
            issuerPrivateKey: .init(key))
        let result = AgentCertificate(certificatePEM: try cert.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
        try result.keyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        chmod(keyPath, 0o600)
        try result.certificatePEM.write(toFile: certPath, atomically: true, encoding: .utf8)
        return result
    }
}
