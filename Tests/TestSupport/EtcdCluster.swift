import Foundation

/// A real etcd cluster for tests: `members` etcd processes on loopback, each with its own
/// data directory under a temporary directory, on ports probed free. Stopped and removed
/// by `stop()` (call it in a `defer`).
public final class EtcdCluster: @unchecked Sendable {
    public struct Member {
        public var name: String
        public var clientPort: Int
        public var peerPort: Int
        public var dataDir: String
        public var process: Process?
        public var clientEndpoint: String { "127.0.0.1:\(clientPort)" }
    }

    public private(set) var members: [Member] = []
    public let directory: String
    /// With TLS: the CA, and a client certificate it signed (files under `directory`).
    public let tls: Bool
    public var caFile: String { directory + "/pki/ca.crt" }
    public var clientCertFile: String { directory + "/pki/client.crt" }
    public var clientKeyFile: String { directory + "/pki/client.key" }

    /// Every member's client address, as `--datastore etcd://…` takes them.
    public var endpoints: [String] { members.map(\.clientEndpoint) }

    /// `tls`: members serve TLS with a certificate from a CA made here and demand client
    /// certificates from that CA (etcd's --client-cert-auth).
    public init(members count: Int = 1, tls: Bool = false) throws {
        directory = NSTemporaryDirectory() + "skiff-etcd-\(UUID().uuidString)"
        self.tls = tls
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if tls {
            do { try makePKI() } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }
        var ports = try Self.freePorts(count * 2)
        for i in 0..<count {
            members.append(Member(name: "m\(i)", clientPort: ports.removeFirst(), peerPort: ports.removeFirst(),
                                  dataDir: "\(directory)/m\(i)", process: nil))
        }
        do {
            for i in members.indices { try start(i) }
            try waitHealthy()
        } catch {
            stop()
            throw error
        }
    }

    private var initialCluster: String {
        members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
    }

    /// Starts (or restarts) member `i` with the data it has.
    public func start(_ i: Int) throws {
        let m = members[i]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        let scheme = tls ? "https" : "http"
        var arguments = [
            "--name", m.name, "--data-dir", m.dataDir,
            "--listen-client-urls", "\(scheme)://127.0.0.1:\(m.clientPort)",
            "--advertise-client-urls", "\(scheme)://127.0.0.1:\(m.clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(m.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(m.peerPort)",
            "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "skiff-test",
            "--experimental-watch-progress-notify-interval", "1s",
            "--log-outputs", "\(directory)/\(m.name).log", "--logger", "zap",
        ]
        if tls {
            arguments += ["--cert-file", directory + "/pki/server.crt", "--key-file", directory + "/pki/server.key",
                          "--trusted-ca-file", caFile, "--client-cert-auth"]
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        members[i].process = process
    }

    /// Kills member `i` (SIGKILL) and waits for it to be gone.
    public func kill(_ i: Int) {
        guard let process = members[i].process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        members[i].process = nil
    }

    public func waitHealthy(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        for m in members where m.process != nil {
            while true {
                let probe = tls
                    ? ["curl", "-s", "-m", "2", "--cacert", caFile, "--cert", clientCertFile, "--key", clientKeyFile, "https://\(m.clientEndpoint)/health"]
                    : ["curl", "-s", "-m", "2", "http://\(m.clientEndpoint)/health"]
                let result = try? Shell.status(probe)
                if let result, result.output.contains("\"health\":\"true\"") { break }
                if Date() > deadline { throw TestFailure("etcd member \(m.name) not healthy after \(timeout)s") }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    public func stop() {
        for i in members.indices { kill(i) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A CA, a serving certificate for 127.0.0.1, and a client certificate, with openssl.
    private func makePKI() throws {
        let pki = directory + "/pki"
        try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true)
        try Shell.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                       "-subj", "/CN=etcd-test-ca", "-keyout", "\(pki)/ca.key", "-out", caFile])
        for (name, ext) in [("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth"),
                            ("client", "extendedKeyUsage=clientAuth")] {
            try Shell.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-subj", "/CN=etcd-test-\(name)", "-keyout", "\(pki)/\(name).key", "-out", "\(pki)/\(name).csr"])
            try ext.write(toFile: "\(pki)/\(name).ext", atomically: true, encoding: .utf8)
            try Shell.run(["openssl", "x509", "-req", "-in", "\(pki)/\(name).csr", "-CA", caFile, "-CAkey", "\(pki)/ca.key",
                           "-CAcreateserial", "-days", "2", "-extfile", "\(pki)/\(name).ext", "-out", "\(pki)/\(name).crt"])
        }
    }

    /// Ports nothing listens on now: bound to port 0 and released.
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw TestFailure("bind: \(errno)") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
