extension KubernetesProtobuf {
    /// Standard base64 with padding, the JSON form Go gives `[]byte` (Secret.data,
    /// ConfigMap.binaryData); kept here so the codec has no Foundation dependency.
    enum Base64 {
        private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

        static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
            let encoded: String? = bytes.withContiguousStorageIfAvailable { encode(buffer: $0) }
            return encoded ?? Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
        }

        private static func encode(buffer: UnsafeBufferPointer<UInt8>) -> String {
            let count = (buffer.count + 2) / 3 * 4
            return String(unsafeUninitializedCapacity: count) { out in
                alphabet.withUnsafeBufferPointer { table in
                    var i = 0, o = 0
                    while i + 3 <= buffer.count {
                        let v = UInt32(buffer[i]) << 16 | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2])
                        out[o] = table[Int(v >> 18)]
                        out[o + 1] = table[Int(v >> 12 & 0x3f)]
                        out[o + 2] = table[Int(v >> 6 & 0x3f)]
                        out[o + 3] = table[Int(v & 0x3f)]
                        i += 3
                        o += 4
                    }
                    let rest = buffer.count - i
                    if rest > 0 {
                        let v = UInt32(buffer[i]) << 16 | (rest == 2 ? UInt32(buffer[i + 1]) << 8 : 0)
                        out[o] = table[Int(v >> 18)]
                        out[o + 1] = table[Int(v >> 12 & 0x3f)]
                        out[o + 2] = rest == 2 ? table[Int(v >> 6 & 0x3f)] : UInt8(ascii: "=")
                        out[o + 3] = UInt8(ascii: "=")
                    }
                }
                return count
            }
        }

        /// Each byte's 6-bit value, or 0xFF for bytes outside the alphabet.
        private static let values: [UInt8] = {
            var table = [UInt8](repeating: 0xFF, count: 256)
            for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
            return table
        }()

        /// Nil for text that is not standard base64 with its padding (Go's decoder rejects it too).
        /// A table lookup per byte into a buffer sized up front: etcd's JSON gateway sends every
        /// stored object this way, so this is on the path of every read from etcd.
        static func decode(_ text: String) -> [UInt8]? {
            var text = text
            return text.withUTF8 { decode(bytes: $0) }
        }

        static func decode(bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
            let n = bytes.count
            guard n % 4 == 0 else { return nil }
            if n == 0 { return [] }
            let padding = bytes[n - 1] == UInt8(ascii: "=") ? (bytes[n - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
            let outCount = n / 4 * 3 - padding
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: outCount) { out, initialized in
                values.withUnsafeBufferPointer { table in
                    var i = 0, o = 0
                    while i < n {
                        let last = i + 4 == n
                        let a = table[Int(bytes[i])], b = table[Int(bytes[i + 1])]
                        let c = last && padding == 2 ? 0 : table[Int(bytes[i + 2])]
                        let d = last && padding >= 1 ? 0 : table[Int(bytes[i + 3])]
                        if (a | b | c | d) & 0xC0 != 0 {
                            valid = false
                            break
                        }
                        let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        out[o] = UInt8(v >> 16 & 0xff)
                        if o + 1 < outCount { out[o + 1] = UInt8(v >> 8 & 0xff) }
                        if o + 2 < outCount { out[o + 2] = UInt8(v & 0xff) }
                        i += 4
                        o += 3
                    }
                }
                initialized = valid ? outCount : 0
            }
            return valid ? out : nil
        }
    }
}
