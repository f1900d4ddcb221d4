extension KubernetesProtobuf {
    /// Standard base64 with padding, the JSON form Go gives `[]byte` (Secret.data,
    /// ConfigMap.binaryData); kept here so the codec has no Foundation dependency.
    enum Base64 {
        private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

        static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
            var out: [UInt8] = []
            out.reserveCapacity((bytes.count + 2) / 3 * 4)
            var iterator = bytes.makeIterator()
            while let b0 = iterator.next() {
                let b1 = iterator.next()
                let b2 = iterator.next()
                out.append(alphabet[Int(b0 >> 2)])
                out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
                out.append(b1.map { alphabet[Int(($0 & 0x0f) << 2 | (b2 ?? 0) >> 6)] } ?? UInt8(ascii: "="))
                out.append(b2.map { alphabet[Int($0 & 0x3f)] } ?? UInt8(ascii: "="))
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// Nil for text that is not standard base64 (Go's decoder rejects it too).
        static func decode(_ text: String) -> [UInt8]? {
            var values: [UInt8] = []
            var padding = 0
            for byte in text.utf8 {
                let value: UInt8
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
                case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
                case UInt8(ascii: "+"): value = 62
                case UInt8(ascii: "/"): value = 63
                case UInt8(ascii: "="): padding += 1; continue
                default: return nil
                }
                guard padding == 0 else { return nil }
                values.append(value)
            }
            guard (values.count + padding) % 4 == 0, padding <= 2, values.count % 4 != 1 else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(values.count * 3 / 4)
            var i = 0
            while i < values.count {
                let chunk = values[i..<min(i + 4, values.count)]
                let v = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (18 - 6 * UInt32($1.offset)) }
                out.append(UInt8(v >> 16 & 0xff))
                if chunk.count > 2 { out.append(UInt8(v >> 8 & 0xff)) }
                if chunk.count > 3 { out.append(UInt8(v & 0xff)) }
                i += 4
            }
            return out
        }
    }
}
