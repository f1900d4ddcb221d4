extension KubernetesProtobuf {
    /// The protobuf wire types that Kubernetes' go-to-protobuf output uses (groups never appear).
    enum WireType: UInt8, Sendable, CustomStringConvertible {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5

        var description: String {
            switch self {
            case .varint: return "varint"
            case .fixed64: return "fixed64"
            case .lengthDelimited: return "length-delimited"
            case .startGroup: return "start-group"
            case .endGroup: return "end-group"
            case .fixed32: return "fixed32"
            }
        }
    }

    /// A cursor over one message's bytes.
    ///
    /// It works on a slice of the request body so nested messages are read in place, without
    /// copying; every read checks the bounds because the bytes come from the network.
    struct WireReader {
        private let bytes: ArraySlice<UInt8>
        private var index: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        var isAtEnd: Bool { index >= bytes.endIndex }

        /// The next field key, or nil at the end of the message.
        mutating func readTag() throws -> (number: Int, wireType: WireType)? {
            if isAtEnd { return nil }
            let key = try readVarint()
            guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
                throw ProtobufDecodingError("invalid wire type \(key & 7)")
            }
            let number = key >> 3
            guard number >= 1, number <= 536_870_911 else {
                throw ProtobufDecodingError("invalid field number \(number)")
            }
            return (Int(number), wireType)
        }

        mutating func readVarint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.endIndex else { throw ProtobufDecodingError("truncated varint") }
                let byte = bytes[index]
                index += 1
                if shift == 63 && byte > 1 { throw ProtobufDecodingError("varint overflows 64 bits") }
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { throw ProtobufDecodingError("varint longer than 10 bytes") }
            }
        }

        mutating func readFixed32() throws -> UInt32 {
            let raw = try take(4)
            var value: UInt32 = 0
            for (shift, byte) in raw.enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
            return value
        }

        mutating func readFixed64() throws -> UInt64 {
            let raw = try take(8)
            var value: UInt64 = 0
            for (shift, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
            return value
        }

        mutating func readLengthDelimited() throws -> ArraySlice<UInt8> {
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - index) else {
                throw ProtobufDecodingError("truncated length-delimited field: \(length) bytes declared, \(bytes.endIndex - index) left")
            }
            return try take(Int(length))
        }

        /// Steps over a field this decoder has no schema for, as protobuf requires of readers.
        mutating func skip(_ wireType: WireType) throws {
            switch wireType {
            case .varint: _ = try readVarint()
            case .fixed64: _ = try take(8)
            case .lengthDelimited: _ = try readLengthDelimited()
            case .fixed32: _ = try take(4)
            case .startGroup, .endGroup:
                throw ProtobufDecodingError("unsupported wire type \(wireType)")
            }
        }

        private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count <= bytes.endIndex - index else {
                throw ProtobufDecodingError("truncated data: needed \(count) bytes, \(bytes.endIndex - index) left")
            }
            let slice = bytes[index..<(index + count)]
            index += count
            return slice
        }
    }
}
