import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's certificate authority and the API server's serving certificate, made on
/// first start and kept in `DIR/tls`. A later start reuses the CA and re-issues the serving
/// certificate only when its names no longer cover what was asked (a new --tls-san).
public struct ClusterPKI: Sendable {
    public var caCertificatePEM: String
    public var servingCertificatePEM: String
    public var servingKeyPEM: String
    /// The client certificate the API server presents to node agents (upstream's
    /// apiserver-kubelet-client): agents accept it because the cluster CA signed it.
    public var kubeletClientCertificatePEM = ""
    public var kubeletClientKeyPEM = ""

    public static func loadOrCreate(directory: String, dnsNames: [String], ipAddresses: [String]) throws -> ClusterPKI {
        var pki = try loadOrCreateServing(directory: directory, dnsNames: dnsNames, ipAddresses: ipAddresses)
        let certPath = "\(directory)/kubelet-client.crt", keyPath = "\(directory)/kubelet-client.key"
        if let cert = try? String(contentsOfFile: certPath, encoding: .utf8), let key = try? String(contentsOfFile: keyPath, encoding: .utf8),
           let parsed = try? Certificate(pemEncoded: cert), parsed.notValidAfter > Date().addingTimeInterval(30 * 86400),
           parsed.issuer == (try Certificate(pemEncoded: pki.caCertificatePEM)).subject {
            pki.kubeletClientCertificatePEM = cert
            pki.kubeletClientKeyPEM = key
            return pki
        }
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: "\(directory)/ca.key", encoding: .utf8))
        let ca = try Certificate(pemEncoded: pki.caCertificatePEM)
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let cert = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: ca.subject,
            subject: try DistinguishedName { OrganizationName("system:masters"); CommonName("kube-apiserver-kubelet-client") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(caKey))
        pki.kubeletClientCertificatePEM = try cert.serializeAsPEM().pemString
        pki.kubeletClientKeyPEM = key.pemRepresentation
        try write(pki.kubeletClientKeyPEM, to: keyPath, mode: 0o600)
        try write(pki.kubeletClientCertificatePEM, to: certPath, mode: 0o644)
        return pki
    }

    private static func loadOrCreateServing(directory: String, dnsNames: [String], ipAddresses: [String]) throws -> ClusterPKI {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let caCertPath = "\(directory)/ca.crt", caKeyPath = "\(directory)/ca.key"
        let certPath = "\(directory)/server.crt", keyPath = "\(directory)/server.key"

        let caKey: P256.Signing.PrivateKey
        let caCert: Certificate
        if fm.fileExists(atPath: caCertPath), fm.fileExists(atPath: caKeyPath) {
            caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: caKeyPath, encoding: .utf8))
            caCert = try Certificate(pemEncoded: String(contentsOfFile: caCertPath, encoding: .utf8))
        } else {
            caKey = P256.Signing.PrivateKey()
            caCert = try makeCA(key: caKey)
            try write(caKey.pemRepresentation, to: caKeyPath, mode: 0o600)
            try write(caCert.serializeAsPEM().pemString, to: caCertPath, mode: 0o644)
        }

        let wanted = SubjectAlternativeNames(dnsNames.map { .dnsName($0) } + ipAddresses.compactMap(ipGeneralName))
        if fm.fileExists(atPath: certPath), fm.fileExists(atPath: keyPath),
           let existing = try? Certificate(pemEncoded: String(contentsOfFile: certPath, encoding: .utf8)),
           let names = try? existing.extensions.subjectAlternativeNames,
           Set(wanted.map { "\($0)" }).isSubset(of: Set(names.map { "\($0)" })),
           existing.notValidAfter > Date().addingTimeInterval(30 * 86400),
           existing.issuer == caCert.subject {
            return ClusterPKI(caCertificatePEM: try caCert.serializeAsPEM().pemString,
                              servingCertificatePEM: try String(contentsOfFile: certPath, encoding: .utf8),
                              servingKeyPEM: try String(contentsOfFile: keyPath, encoding: .utf8))
        }
        let servingKey = P256.Signing.PrivateKey()
        let serving = try makeServingCertificate(key: servingKey, names: wanted, ca: caCert, caKey: caKey)
        let servingPEM = try serving.serializeAsPEM().pemString
        try write(servingKey.pemRepresentation, to: keyPath, mode: 0o600)
        try write(servingPEM, to: certPath, mode: 0o644)
        return ClusterPKI(caCertificatePEM: try caCert.serializeAsPEM().pemString,
                          servingCertificatePEM: servingPEM, servingKeyPEM: servingKey.pemRepresentation)
    }

    private static func makeCA(key: P256.Signing.PrivateKey) throws -> Certificate {
        let name = try DistinguishedName { CommonName("skiff-ca@\(Int(Date().timeIntervalSince1970))") }
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
            },
            issuerPrivateKey: .init(key))
    }

    private static func makeServingCertificate(key: P256.Signing.PrivateKey, names: SubjectAlternativeNames,
                                               ca: Certificate, caKey: P256.Signing.PrivateKey) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: ca.subject, subject: try DistinguishedName { CommonName("kube-apiserver") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                names
            },
            issuerPrivateKey: .init(caKey))
    }

    private static func ipGeneralName(_ text: String) -> GeneralName? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) })))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v6) { Array($0) })))
        }
        return nil
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        let temp = path + ".tmp"
        try text.write(toFile: temp, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temp)
        guard rename(temp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Addresses of this host's interfaces (for the serving certificate's SANs).
    public static func hostAddresses() -> [String] {
        var result: [String] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return result }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let addr = entry.pointee.ifa_addr else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            if getnameinfo(addr, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: host)
                if !text.contains("%") { result.append(text) }  // skip link-local scoped v6
            }
        }
        return Array(Set(result)).sorted()
    }
}
