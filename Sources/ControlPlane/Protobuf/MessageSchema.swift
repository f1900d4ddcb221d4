extension KubernetesProtobuf {
    /// What one protobuf field holds, seen from the JSON side.
    ///
    /// The apimachinery wrapper types get their own cases because their JSON form is not the
    /// JSON of their message: `metav1.Time` is an RFC 3339 string, `IntOrString` a number or a
    /// string, `Quantity` a string, `RawExtension`/`FieldsV1` embedded JSON.
    enum FieldKind: Sendable, Equatable {
        case string
        case bool
        case int32
        case int64
        case double
        /// `bytes`, written in JSON as standard base64 (Secret.data, ConfigMap.binaryData).
        case bytes
        /// A nested message, by its name in `SchemaRegistry`.
        case message(String)
        /// `metav1.Time` {seconds=1, nanos=2}: second precision, RFC 3339 in UTC.
        case time
        /// `metav1.MicroTime`: like `time`, with six fraction digits.
        case microTime
        /// `resource.Quantity` {string=1}.
        case quantity
        /// `intstr.IntOrString` {type=1, intVal=2, strVal=3}.
        case intOrString
        /// `runtime.RawExtension` {raw=1} and `metav1.FieldsV1` {Raw=1}: JSON bytes.
        case rawJSON

        /// Scalars that protobuf may pack into one length-delimited run.
        var isPackable: Bool {
            switch self {
            case .bool, .int32, .int64, .double: return true
            default: return false
            }
        }

        /// Whether the wire form is a plain scalar whose zero value Go's `omitempty` drops.
        var isScalar: Bool {
            switch self {
            case .string, .bool, .int32, .int64, .double, .bytes: return true
            default: return false
            }
        }
    }

    /// How many values a field carries.
    enum FieldCardinality: Sendable, Equatable {
        case single
        case repeated
        /// `map<string, V>` with V = the field's kind: on the wire a repeated entry message
        /// {key=1, value=2}.
        case map
    }

    /// Whether a zero scalar read from the wire belongs in the JSON.
    ///
    /// go-to-protobuf writes every non-pointer scalar, zero or not, while the JSON encoding
    /// drops zero values of `omitempty` fields; a Go pointer field is written only when set, so
    /// its zero (`replicas: 0`, `optional: false`) is a real value and must be kept.
    enum ZeroPresence: Sendable, Equatable {
        case omitEmpty
        case always
    }

    /// One field of a message table: number, JSON name, kind.
    struct FieldSchema: Sendable, Equatable {
        let number: Int
        /// The JSON member name; empty for an inline field.
        let name: String
        let kind: FieldKind
        let cardinality: FieldCardinality
        let zero: ZeroPresence
        /// Go embeds the struct with `json:",inline"`: its members sit in the parent object.
        let inline: Bool

        init(_ number: Int, _ name: String, _ kind: FieldKind, _ cardinality: FieldCardinality = .single,
             zero: ZeroPresence = .omitEmpty, inline: Bool = false) {
            self.number = number
            self.name = name
            self.kind = kind
            self.cardinality = cardinality
            self.zero = zero
            self.inline = inline
        }

        // Builders that keep the tables to one line per field.
        static func string(_ n: Int, _ name: String, _ zero: ZeroPresence = .omitEmpty) -> FieldSchema {
            FieldSchema(n, name, .string, zero: zero)
        }
        static func bool(_ n: Int, _ name: String, _ zero: ZeroPresence = .omitEmpty) -> FieldSchema {
            FieldSchema(n, name, .bool, zero: zero)
        }
        static func int32(_ n: Int, _ name: String, _ zero: ZeroPresence = .omitEmpty) -> FieldSchema {
            FieldSchema(n, name, .int32, zero: zero)
        }
        static func int64(_ n: Int, _ name: String, _ zero: ZeroPresence = .omitEmpty) -> FieldSchema {
            FieldSchema(n, name, .int64, zero: zero)
        }
        static func strings(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .string, .repeated) }
        static func int32s(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .int32, .repeated) }
        static func int64s(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .int64, .repeated) }
        static func message(_ n: Int, _ name: String, _ type: String) -> FieldSchema {
            FieldSchema(n, name, .message(type))
        }
        static func messages(_ n: Int, _ name: String, _ type: String) -> FieldSchema {
            FieldSchema(n, name, .message(type), .repeated)
        }
        static func inline(_ n: Int, _ type: String) -> FieldSchema {
            FieldSchema(n, "", .message(type), inline: true)
        }
        static func stringMap(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .string, .map) }
        static func bytesMap(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .bytes, .map) }
        static func quantityMap(_ n: Int, _ name: String) -> FieldSchema {
            FieldSchema(n, name, .quantity, .map)
        }
        static func time(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .time) }
        static func microTime(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .microTime) }
        static func quantity(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .quantity) }
        static func intOrString(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .intOrString) }
        static func rawJSON(_ n: Int, _ name: String) -> FieldSchema { FieldSchema(n, name, .rawJSON) }
    }

    /// A protobuf message of a Kubernetes API type, as a table from field number to field.
    struct MessageSchema: Sendable {
        /// Package-qualified name, e.g. `core.v1.PodSpec`.
        let name: String
        /// Ordered by field number, the order an encoder writes them in.
        let fields: [FieldSchema]
        private let byNumber: [Int: FieldSchema]

        init(_ name: String, _ fields: [FieldSchema]) {
            self.name = name
            self.fields = fields.sorted { $0.number < $1.number }
            var byNumber: [Int: FieldSchema] = [:]
            for field in fields {
                precondition(byNumber[field.number] == nil, "\(name): field \(field.number) listed twice")
                byNumber[field.number] = field
            }
            self.byNumber = byNumber
        }

        func field(_ number: Int) -> FieldSchema? { byNumber[number] }
    }

    /// All message tables by name, the lookup `message(name)` fields resolve through.
    struct SchemaRegistry: Sendable {
        private let messages: [String: MessageSchema]

        init(_ schemas: [MessageSchema]) {
            var messages: [String: MessageSchema] = [:]
            for schema in schemas {
                precondition(messages[schema.name] == nil, "message \(schema.name) defined twice")
                messages[schema.name] = schema
            }
            self.messages = messages
        }

        subscript(name: String) -> MessageSchema? { messages[name] }

        var all: Dictionary<String, MessageSchema>.Values { messages.values }

        /// Every schema of the Kubernetes types this server reads as protobuf.
        static let kubernetes = SchemaRegistry(
            MetaSchemas.all + CoreSchemas.all + PodSchemas.all + AppsSchemas.all
                + DiscoverySchemas.all + CoordinationSchemas.all + AutoscalingSchemas.all + PolicySchemas.all
                + KindTable.listSchemas)
    }
}
