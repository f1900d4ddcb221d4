/// resource.Quantity: an amount such as `100m`, `1.5`, `128Mi` or `1e3`, kept as its text.
///
/// Parsing and arithmetic belong to whoever needs them (scheduler, kubelet); keeping the text means an
/// object read and written back is unchanged. Upstream always writes a quantity as a JSON string but
/// accepts a JSON number on input, so decoding takes both.
public struct Quantity: Hashable, Sendable {
    public var string: String

    public init(_ string: String) {
        self.string = string
    }
}

extension Quantity: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            string = s
        } else if let i = try? c.decode(Int64.self) {
            string = String(i)
        } else if let d = try? c.decode(Double.self), d.isFinite {
            // JSONDecoder does not expose the number's source text; the shortest round-tripping
            // form of the Double is the closest we can get (`0.5`, `1e-07`).
            string = String(d)
        } else {
            throw DecodingError.typeMismatch(
                Quantity.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a quantity string or number"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }
}

extension Quantity: ExpressibleByStringLiteral, CustomStringConvertible {
    public init(stringLiteral value: String) { self.string = value }
    public var description: String { string }
}

/// core/v1 ResourceList: resource name (`cpu`, `memory`, `nvidia.com/gpu`, ...) to amount.
public typealias ResourceList = [String: Quantity]
