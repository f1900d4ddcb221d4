import Foundation

extension JSONValue {
    /// The typed form of this value, e.g. `try object.decode(Pod.self)`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(JSONSerializer.serialize(self)))
    }

    /// The value tree of a typed object.
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONParser.parse(Array(data))
    }
}
