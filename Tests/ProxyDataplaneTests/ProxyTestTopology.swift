import Foundation
import SkiffTestSupport
import XCTest

/// A node namespace with two pod namespaces (each serving HTTP on :8080 answering its own
/// name, `/ip` the client's address and `/local` the address the connection arrived at, and UDP
/// the same way after `startUDPServers`) and a client namespace, all joined to
/// the node by veth pairs created inside the namespaces (never in the root one). Everything
/// is removed by `tearDown`, pass or fail.
///
///     pod-a 10.244.1.2 ── 10.244.1.1 ┐
///     pod-b 10.244.2.2 ── 10.244.2.1 ┤ node (forwarding, rules)
///     client 192.168.50.2 ─ 192.168.50.1 ┘
final class ProxyTopology {
    let suffix = String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
    var node: String { "skp-node-\(suffix)" }
    var podA: String { "skp-a-\(suffix)" }
    var podB: String { "skp-b-\(suffix)" }
    var client: String { "skp-c-\(suffix)" }
    var namespaces: [String] { [node, podA, podB, client] }
    private var servers: [Process] = []

    var nodePath: String { "/var/run/netns/\(node)" }

    init() throws {
        do { try build() } catch { tearDown(); throw error }
    }

    private func build() throws {
        for ns in namespaces {
            try Shell.run(["ip", "netns", "add", ns])
            try exec(ns, "ip", "link", "set", "lo", "up")
        }
        try exec(node, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for (peer, link, nodeIP, peerIP) in [(podA, "va", "10.244.1.1", "10.244.1.2"),
                                             (podB, "vb", "10.244.2.1", "10.244.2.2"),
                                             (client, "vc", "192.168.50.1", "192.168.50.2")] {
            try exec(node, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", peer)
            try exec(node, "ip", "addr", "add", "\(nodeIP)/24", "dev", link)
            try exec(node, "ip", "link", "set", link, "up")
            try exec(peer, "ip", "addr", "add", "\(peerIP)/24", "dev", "eth0")
            try exec(peer, "ip", "link", "set", "eth0", "up")
            try exec(peer, "ip", "route", "add", "default", "via", nodeIP)
        }
        // The node routes the service CIDR somewhere (as a default route would), so local
        // clients get past routing to the nat output hook.
        try exec(node, "ip", "route", "add", "10.96.0.0/12", "dev", "va")
        try startServer(in: podA, name: "pod-a")
        try startServer(in: podB, name: "pod-b")
        try waitUntilServing(["http://10.244.1.2:8080/", "http://10.244.2.2:8080/"])
    }

    /// Waits (up to 5 s each) until every URL answers from the node.
    private func waitUntilServing(_ urls: [String]) throws {
        for url in urls {
            var up = false
            for _ in 0..<100 {
                if try curl(from: node, url, timeout: 1).status == 0 { up = true; break }
                usleep(50_000)
            }
            guard up else { throw TestFailure("server at \(url) did not start") }
        }
    }

    private func startServer(in ns: String, name: String, ipv6: Bool = false) throws {
        let script = """
            import http.server, socket, socketserver
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/ip": body = self.client_address[0]
                    elif self.path == "/local": body = self.connection.getsockname()[0]
                    else: body = "\(name)"
                    body = body.encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
                address_family = socket.AF_INET6 if \(ipv6 ? "True" : "False") else socket.AF_INET
                allow_reuse_address = True
                daemon_threads = True
            S(("::" if \(ipv6 ? "True" : "False") else "0.0.0.0", 8081 if \(ipv6 ? "True" : "False") else 8080), H).serve_forever()
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", script]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        servers.append(p)
    }

    /// Adds IPv6 to every link (pod-a fd00:1::2, pod-b fd00:2::2, client fd00:50::2; the
    /// node is ::1 on each) with IPv6 HTTP servers on [::]:8081 in the pods, and routes the
    /// IPv6 service CIDR fd00:96::/112 from the node, as `build` does for IPv4.
    func addIPv6() throws {
        try exec(node, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        for (peer, link, net) in [(podA, "va", "fd00:1"), (podB, "vb", "fd00:2"), (client, "vc", "fd00:50")] {
            try exec(node, "ip", "-6", "addr", "add", "\(net)::1/64", "dev", link, "nodad")
            try exec(peer, "ip", "-6", "addr", "add", "\(net)::2/64", "dev", "eth0", "nodad")
            try exec(peer, "ip", "-6", "route", "add", "default", "via", "\(net)::1")
        }
        try exec(node, "ip", "-6", "route", "add", "fd00:96::/112", "dev", "va")
        for (ns, name) in [(podA, "pod-a"), (podB, "pod-b")] { try startServer(in: ns, name: name, ipv6: true) }
        try waitUntilServing(["http://[fd00:1::2]:8081/", "http://[fd00:2::2]:8081/"])
    }

    /// Starts a UDP server on `port` in each pod namespace, answering every datagram with the
    /// pod's name, and waits until both answer. `tearDown` stops them with the HTTP servers.
    func startUDPServers(port: UInt16) throws {
        for (ns, name) in [(podA, "pod-a"), (podB, "pod-b")] {
            let script = """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("0.0.0.0", \(port)))
                while True:
                    _, peer = s.recvfrom(2048)
                    s.sendto(b"\(name)", peer)
                """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", script]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            servers.append(p)
        }
        for (ip, name) in [("10.244.1.2", "pod-a"), ("10.244.2.2", "pod-b")] {
            var up = false
            for _ in 0..<50 {
                if try udpRequest(from: node, to: ip, port: port, sourcePort: 0, timeout: 0.2) == name { up = true; break }
            }
            guard up else { throw TestFailure("UDP server at \(ip):\(port) did not start") }
        }
    }

    /// Sends one datagram from `ns` to `host:port` and returns the reply, or "timeout". A fixed
    /// `sourcePort` makes successive calls one conntrack flow, as a resolver's socket is; 0
    /// picks a fresh port.
    func udpRequest(from ns: String, to host: String, port: UInt16, sourcePort: UInt16,
                    timeout: Double = 1) throws -> String {
        let script = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", \(sourcePort)))
            s.settimeout(\(timeout))
            s.sendto(b"who", ("\(host)", \(port)))
            try:
                print(s.recvfrom(2048)[0].decode(), end="")
            except socket.timeout:
                print("timeout", end="")
            except OSError as e:
                print("error %d" % e.errno, end="")
            """
        return try exec(ns, "/usr/bin/python3", "-c", script)
    }

    @discardableResult
    func exec(_ ns: String, _ command: String...) throws -> String {
        try Shell.run(["ip", "netns", "exec", ns] + command)
    }

    /// curl from a namespace: exit status (0 ok, 7 refused, 28 timeout) and body.
    func curl(from ns: String, _ url: String, timeout: Double = 2) throws -> (status: Int32, body: String) {
        let r = try Shell.status(["ip", "netns", "exec", ns, "curl", "-g", "-s", "--max-time", "\(timeout)", url])
        return (r.status, r.output)
    }

    /// Bodies of `count` requests (failures as "exit N").
    func bodies(from ns: String, _ url: String, count: Int) throws -> [String] {
        try (0..<count).map { _ in
            let r = try curl(from: ns, url)
            return r.status == 0 ? r.body : "exit \(r.status)"
        }
    }

    func tearDown() {
        for p in servers where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        servers.removeAll()
        for ns in namespaces { _ = try? Shell.status(["ip", "netns", "del", ns]) }
    }
}
