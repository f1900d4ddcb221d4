/// Where a server keeps the cluster's state: `--datastore`.
public enum Datastore: Sendable, Equatable {
    /// SQLite in the data directory: one server.
    case embedded
    /// An etcd cluster: any number of servers.
    case etcd(endpoints: [String], tls: EtcdTLSFiles, prefix: String, watchCache: Bool = true)

    /// `sqlite` (the default) or `etcd://HOST:PORT[,HOST:PORT…]`.
    public init(_ flag: String, tls: EtcdTLSFiles = EtcdTLSFiles(), prefix: String = "/registry", watchCache: Bool = true) throws {
        if flag.isEmpty || flag == "sqlite" {
            self = .embedded
            return
        }
        guard flag.hasPrefix("etcd://") else {
            throw DatastoreError("--datastore must be sqlite or etcd://HOST:PORT[,HOST:PORT…], not \(flag)")
        }
        var endpoints: [String] = []
        for part in flag.dropFirst("etcd://".count).split(separator: ",", omittingEmptySubsequences: false) {
            var text = String(part)
            if text.hasPrefix("etcd://") { text.removeFirst("etcd://".count) }
            while text.hasSuffix("/") { text.removeLast() }
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port),
                  colon > text.startIndex, !text.contains("/") else {
                throw DatastoreError("--datastore: \(part) is not HOST:PORT")
            }
            endpoints.append(text)
        }
        guard prefix.hasPrefix("/"), prefix.contains(where: { $0 != "/" }) else {
            throw DatastoreError("--etcd-prefix must start with / and name something (/registry)")
        }
        self = .etcd(endpoints: endpoints, tls: tls, prefix: prefix, watchCache: watchCache)
    }
}

public struct DatastoreError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
