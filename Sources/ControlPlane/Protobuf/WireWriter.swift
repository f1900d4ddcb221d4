extension KubernetesProtobuf {
    /// Appends protobuf wire data; the mirror of `WireReader`, used by `MessageEncoder`.
    struct WireWriter {
        private(set) var bytes: [UInt8] = []

        mutating func writeTag(_ number: Int, _ wireType: WireType) {
            writeVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
        }

        mutating func writeVarint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7f) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func writeFixed64(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xff)) }
        }

        mutating func writeLengthDelimited<C: Collection>(_ number: Int, _ payload: C) where C.Element == UInt8 {
            writeTag(number, .lengthDelimited)
            writeVarint(UInt64(payload.count))
            bytes.append(contentsOf: payload)
        }
    }
}
