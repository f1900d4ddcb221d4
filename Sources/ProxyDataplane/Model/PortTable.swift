/// Values per port of one Service (its `ServicePortInfo`s, its endpoints), kept as a small
/// sorted array. A Service has a handful of ports, and the model holds two of these per
/// Service: a one-entry dictionary costs about 400 bytes where this costs about 150, which at
/// 10k Services was 5 MB of the proxy's heap. Sorted, so equal tables are equal arrays.
public struct PortTable<Value: Sendable & Hashable>: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: ServicePortName, value: Value)

    private struct Entry: Sendable, Hashable {
        var key: ServicePortName
        var value: Value
    }

    private var entries: [Entry] = []

    public init() {}

    public init(dictionaryLiteral elements: (ServicePortName, Value)...) {
        for (key, value) in elements { self[key] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [ServicePortName] { entries.map(\.key) }
    public var values: [Value] { entries.map(\.value) }
    public var first: Element? { entries.first.map { (key: $0.key, value: $0.value) } }

    /// Linear: a table has a few entries.
    public subscript(key: ServicePortName) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            let index = entries.firstIndex { !($0.key < key) } ?? entries.endIndex
            let present = index < entries.endIndex && entries[index].key == key
            switch (present, newValue) {
            case (true, let value?): entries[index].value = value
            case (true, nil): entries.remove(at: index)
            case (false, let value?): entries.insert(Entry(key: key, value: value), at: index)
            case (false, nil): break
            }
        }
    }

    public func makeIterator() -> some IteratorProtocol<Element> {
        entries.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }
}
