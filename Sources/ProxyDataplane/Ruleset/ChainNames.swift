/// Deterministic object names, shaped like upstream's nftables proxier:
/// `service-HASH-ns/name/tcp/port`, `external-…`, `local-…`, `firewall-…`,
/// `endpoint-HASH-ns/name/tcp/port__10.0.0.1/80`, `affinity-HASH-…`. The hash (8 base32
/// characters of a 64-bit FNV-1a of the readable part) keeps names unique when the readable
/// part has to be truncated to the kernel's limit.
public enum ChainNames {
    /// NFT_CHAIN_MAXNAMELEN and NFT_SET_MAXNAMELEN are 256 bytes including the NUL.
    public static let maxLength = 255

    public static func servicePortBase(_ name: ServicePortName) -> String {
        "\(name.service.namespace)/\(name.service.name)/\(name.protocol.chainLabel)/\(name.port)"
    }

    public static func endpointSuffix(_ endpoint: EndpointInfo) -> String {
        "\(endpoint.address)/\(endpoint.port)"
    }

    public static func service(_ name: ServicePortName) -> String { make("service", servicePortBase(name)) }
    public static func external(_ name: ServicePortName) -> String { make("external", servicePortBase(name)) }
    public static func local(_ name: ServicePortName) -> String { make("local", servicePortBase(name)) }
    public static func firewall(_ name: ServicePortName) -> String { make("firewall", servicePortBase(name)) }
    public static func endpoint(_ name: ServicePortName, _ endpoint: EndpointInfo) -> String {
        make("endpoint", servicePortBase(name) + "__" + endpointSuffix(endpoint))
    }
    public static func affinity(_ name: ServicePortName, _ endpoint: EndpointInfo) -> String {
        make("affinity", servicePortBase(name) + "__" + endpointSuffix(endpoint))
    }

    static func make(_ prefix: String, _ readable: String) -> String {
        let full = "\(prefix)-\(hash(readable))-\(readable)"
        guard full.utf8.count > maxLength else { return full }
        // Truncate on a character boundary; the hash keeps the name unique.
        var out = ""
        for ch in full {
            if out.utf8.count + String(ch).utf8.count > maxLength { break }
            out.append(ch)
        }
        return out
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// 8 characters of base32 over FNV-1a 64 (40 bits).
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        var out = ""
        for i in 0..<8 { out.append(alphabet[Int((h >> UInt64(59 - 5 * i)) & 31)]) }
        return out
    }
}
