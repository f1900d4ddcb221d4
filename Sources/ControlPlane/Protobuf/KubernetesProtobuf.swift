#if !STANDALONE_CHECK
import KubeAPI
#endif

/// The Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`), the body
/// encoding kubectl's typed commands (`create configmap|secret|deployment|service|namespace`,
/// `debug`, `drain`) use.
///
/// A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message
/// {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}; `raw`
/// holds the object's message, whose schema is chosen by apiVersion and kind.
public enum KubernetesProtobuf {
    public static let contentType = "application/vnd.kubernetes.protobuf"
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// Whether the body starts with the protobuf envelope's magic bytes.
    public static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic
    }

    /// Whether objects of this kind can be read (and written) as protobuf.
    public static func supports(apiVersion: String, kind: String) -> Bool {
        KindTable.schema(apiVersion: apiVersion, kind: kind) != nil
    }

    /// The object in a protobuf body, as the JSON the same object would have been sent as,
    /// with `apiVersion` and `kind` taken from the envelope.
    public static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard hasMagic(bytes) else {
            throw ProtobufDecodingError("not a Kubernetes protobuf body: missing the k8s\\0 magic prefix")
        }
        let envelope = try Envelope(bytes[magic.count...])
        guard envelope.contentEncoding.isEmpty else {
            throw ProtobufDecodingError("unsupported contentEncoding \"\(envelope.contentEncoding)\"")
        }
        guard envelope.contentType.isEmpty || envelope.contentType == contentType else {
            throw ProtobufDecodingError("unsupported contentType \"\(envelope.contentType)\" in the envelope")
        }
        guard !envelope.kind.isEmpty else {
            throw ProtobufDecodingError("the envelope names no kind")
        }
        guard let schema = KindTable.schema(apiVersion: envelope.apiVersion, kind: envelope.kind) else {
            throw ProtobufDecodingError("no protobuf schema for kind \(envelope.kind) in \(envelope.apiVersion)")
        }
        var object = try MessageDecoder(registry: .kubernetes).decode(envelope.raw, as: schema)
        object["apiVersion"] = .string(envelope.apiVersion)
        object["kind"] = .string(envelope.kind)
        return .object(object)
    }

    /// The protobuf body for a JSON object with `apiVersion` and `kind`. Throws
    /// `ProtobufEncodingError` for members the tables do not know, so a caller can fall back
    /// to JSON rather than silently drop them.
    public static func encode(_ json: JSONValue) throws -> [UInt8] {
        guard case .object(var object) = json,
              let apiVersion = object.removeValue(forKey: "apiVersion")?.stringValue,
              let kind = object.removeValue(forKey: "kind")?.stringValue else {
            throw ProtobufEncodingError("the object needs string apiVersion and kind members")
        }
        guard let schema = KindTable.schema(apiVersion: apiVersion, kind: kind) else {
            throw ProtobufEncodingError("no protobuf schema for kind \(kind) in \(apiVersion)")
        }
        let raw = try MessageEncoder(registry: .kubernetes).encode(object, as: schema)
        var typeMeta = WireWriter()
        typeMeta.writeLengthDelimited(1, Array(apiVersion.utf8))
        typeMeta.writeLengthDelimited(2, Array(kind.utf8))
        var unknown = WireWriter()
        unknown.writeLengthDelimited(1, typeMeta.bytes)
        unknown.writeLengthDelimited(2, raw)
        unknown.writeLengthDelimited(3, [UInt8]())
        unknown.writeLengthDelimited(4, [UInt8]())
        return magic + unknown.bytes
    }

    /// The `runtime.Unknown` wrapper around the object.
    struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: ArraySlice<UInt8> = []
        var contentEncoding = ""
        var contentType = ""

        init(_ bytes: ArraySlice<UInt8>) throws {
            var reader = WireReader(bytes)
            while let (number, wireType) = try reader.readTag() {
                switch (number, wireType) {
                case (1, .lengthDelimited):
                    var typeMeta = WireReader(try reader.readLengthDelimited())
                    while let (member, memberWireType) = try typeMeta.readTag() {
                        switch (member, memberWireType) {
                        case (1, .lengthDelimited):
                            apiVersion = String(decoding: try typeMeta.readLengthDelimited(), as: UTF8.self)
                        case (2, .lengthDelimited):
                            kind = String(decoding: try typeMeta.readLengthDelimited(), as: UTF8.self)
                        case (1, _), (2, _):
                            throw ProtobufDecodingError("envelope typeMeta field \(member) has wire type \(memberWireType)")
                        default:
                            try typeMeta.skip(memberWireType)
                        }
                    }
                case (2, .lengthDelimited):
                    raw = try reader.readLengthDelimited()
                case (3, .lengthDelimited):
                    contentEncoding = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                case (4, .lengthDelimited):
                    contentType = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                case (1...4, _):
                    throw ProtobufDecodingError("envelope field \(number) has wire type \(wireType)")
                default:
                    try reader.skip(wireType)
                }
            }
        }
    }
}
