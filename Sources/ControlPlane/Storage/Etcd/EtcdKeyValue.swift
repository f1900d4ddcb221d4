import KubeAPI

/// One `mvccpb.KeyValue` as the JSON gateway renders it: base64 key and value, int64s as
/// strings, zero fields left out.
struct EtcdKeyValue {
    var key: [UInt8]
    var value: [UInt8]
    var createRevision: Int64
    var modRevision: Int64

    init?(_ json: JSONValue?) {
        guard let json, let key = json["key"]?.stringValue.flatMap(EtcdBase64.decode) else { return nil }
        self.key = key
        value = json["value"]?.stringValue.flatMap(EtcdBase64.decode) ?? []
        createRevision = EtcdInt64.read(json["create_revision"])
        modRevision = EtcdInt64.read(json["mod_revision"])
    }
}

/// proto3's JSON form of int64 is a string; the gateway omits zeros.
enum EtcdInt64 {
    static func read(_ value: JSONValue?) -> Int64 {
        switch value {
        case .string(let s)?: return Int64(s) ?? 0
        case .int(let i)?: return i
        default: return 0
        }
    }

    static func header(_ answer: JSONValue) -> Int64 { read(answer[path: ["header", "revision"]]) }
}

/// `bytes` fields travel as base64.
enum EtcdBase64 {
    static func encode(_ bytes: [UInt8]) -> JSONValue { .string(KubernetesProtobuf.Base64.encode(bytes)) }
    static func encode(_ text: String) -> JSONValue { encode(Array(text.utf8)) }
    static func decode(_ text: String) -> [UInt8]? { KubernetesProtobuf.Base64.decode(text) }
}
