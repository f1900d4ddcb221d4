import Foundation

/// What a namespace's proxy table holds, read back with `nft list table` and reduced to counts
/// and an order-independent digest, so the benchmark can check that skiff and `nft -f`
/// programmed the same thing before it compares their times (and fail loudly if not).
///
/// The listing is nft's own rendering of the kernel's objects, so two tables with the same
/// chains, rules (in order within each chain), sets and elements list the same lines; only the
/// order of chains and of map elements may differ, which the digest ignores.
struct ProxyListing: Equatable {
    var chains = 0
    var baseChains = 0
    var rules = 0
    /// Elements per set or map, by name.
    var elements: [String: Int] = [:]
    var digest: UInt64 = 0

    var totalElements: Int { elements.values.reduce(0, +) }

    var summary: String {
        let maps = elements.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(chains) chains (\(baseChains) base), \(rules) rules, \(totalElements) elements (\(maps)), digest \(String(digest, radix: 16))"
    }

    /// Lists `table` in namespace `ns`.
    static func read(namespace ns: String, table: String) throws -> ProxyListing {
        let text = try ProxyProcess.run(ProxyProcess.inNamespace(ns, ["/usr/sbin/nft", "list", "table", "ip", table]))
        return parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) -> ProxyListing {
        var out = ProxyListing()
        enum Block { case table, chain, set }
        var block = Block.table
        var name: [UInt8] = []
        var blockHash: UInt64 = 0
        var inElements = false

        func addElements(_ line: ArraySlice<UInt8>) {
            for piece in line.split(separator: UInt8(ascii: ",")) {
                let element = trim(piece)
                guard !element.isEmpty else { continue }
                out.elements[String(decoding: name, as: UTF8.self), default: 0] += 1
                out.digest &+= fnv(element, seed: fnv(name[...], seed: fnv("element".utf8[...])))
            }
        }

        for raw in bytes.split(separator: UInt8(ascii: "\n")) {
            let line = trim(raw)
            guard !line.isEmpty else { continue }
            switch block {
            case .table:
                if let n = header(line, "chain ") {
                    block = .chain; name = Array(n); blockHash = fnv(n, seed: fnv("chain".utf8[...]))
                    out.chains += 1
                } else if let n = header(line, "map ") ?? header(line, "set ") {
                    block = .set; name = Array(n); blockHash = fnv(line, seed: fnv("set".utf8[...])); inElements = false
                    out.elements[String(decoding: n, as: UTF8.self)] = 0
                } else {
                    out.digest &+= fnv(line, seed: fnv("table".utf8[...]))
                }
            case .chain:
                if line.count == 1 && line.first == UInt8(ascii: "}") {
                    out.digest &+= blockHash
                    block = .table
                } else if line.starts(with: "type ".utf8) {
                    out.baseChains += 1
                    blockHash = fnv(line, seed: blockHash)
                } else {
                    out.rules += 1
                    blockHash = fnv(line, seed: blockHash)
                }
            case .set:
                if inElements {
                    let closes = line.last == UInt8(ascii: "}")
                    addElements(closes ? line.dropLast() : line)
                    if closes { inElements = false }
                } else if line.starts(with: "elements = {".utf8) {
                    let rest = line.dropFirst("elements = {".utf8.count)
                    let closes = rest.last == UInt8(ascii: "}")
                    addElements(closes ? rest.dropLast() : rest)
                    inElements = !closes
                } else if line.count == 1 && line.first == UInt8(ascii: "}") {
                    out.digest &+= blockHash
                    block = .table
                } else {
                    blockHash = fnv(line, seed: blockHash)
                }
            }
        }
        return out
    }

    /// The name in `chain NAME {` (or `map`/`set`), nil for other lines.
    private static func header(_ line: ArraySlice<UInt8>, _ keyword: String) -> ArraySlice<UInt8>? {
        guard line.starts(with: keyword.utf8), line.last == UInt8(ascii: "{") else { return nil }
        return trim(line.dropFirst(keyword.utf8.count).dropLast())
    }

    private static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let c = s.first, c == 0x20 || c == 0x09 { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || c == 0x09 || c == 0x0D { s = s.dropLast() }
        return s
    }

    private static func fnv<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
