import ArgumentParser
import Foundation
import Netlink

/// Parsers for flag values shared by the daemon commands, in the forms kube-proxy and
/// flannel take them.
enum FlagValue {
    static func prefixes(_ text: String, flag: String) throws -> [IPPrefix] {
        try text.split(separator: ",").map { item in
            guard let p = IPPrefix(item.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("\(flag): \"\(item)\" is not a CIDR")
            }
            return p
        }
    }

    /// Go-style durations as kube-proxy's flags take them: 500ms, 30s, 1m, 1h30m.
    static func duration(_ text: String, flag: String) throws -> Duration {
        var total = Duration.zero
        var number = ""
        var rest = Substring(text)
        guard !rest.isEmpty else { throw ValidationError("\(flag) is empty") }
        if text == "0" { return .zero }
        while !rest.isEmpty {
            number = String(rest.prefix { $0.isNumber || $0 == "." })
            rest = rest.dropFirst(number.count)
            let unit = String(rest.prefix { $0.isLetter })
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number) else { throw ValidationError("\(flag): \"\(text)\" is not a duration") }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: throw ValidationError("\(flag): \"\(text)\" needs a unit (ms, s, m, h)")
            }
            total += .milliseconds(Int64((value * scale * 1000).rounded()))
        }
        return total
    }

    static func hostPort(_ text: String, flag: String) throws -> (host: String, port: Int)? {
        if text.isEmpty { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(flag) must be HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
