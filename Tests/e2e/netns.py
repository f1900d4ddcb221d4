"""A node network namespace with two pod namespaces and a client namespace, for running the
real `skiff server` and `skiff proxy` on a "node" without touching the root namespace.

    pod-a 10.244.1.2 ── 10.244.1.1 ┐
    pod-b 10.244.2.2 ── 10.244.2.1 ┤ node (forwarding; the API server and proxy run here)
    client 192.168.50.2 ─ 192.168.50.1 ┘

Veth pairs are created inside the namespaces; everything is removed by `close()`.
"""
import os
import random
import subprocess
import time

HTTP_SERVER = """
import http.server, socketserver, sys
name = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.client_address[0] if self.path == "/ip" else name).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
S(("0.0.0.0", 8080), H).serve_forever()
"""


UDP_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True:
    _, peer = s.recvfrom(2048)
    s.sendto(sys.argv[1].encode(), peer)
"""

UDP_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.settimeout(float(sys.argv[4]))
s.sendto(b"q", (sys.argv[1], int(sys.argv[2])))
try:
    print(s.recvfrom(2048)[0].decode(), end="")
except socket.timeout:
    print("timeout", end="")
"""


class Topology:
    PODS = {"pod-a": ("10.244.1.1", "10.244.1.2", "va"), "pod-b": ("10.244.2.1", "10.244.2.2", "vb")}

    def __init__(self):
        suffix = "%010x" % random.getrandbits(40)
        self.node = f"ske-node-{suffix}"
        self.pods = {name: f"ske-{name[-1]}-{suffix}" for name in self.PODS}
        self.client = f"ske-c-{suffix}"
        self.procs = []
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    @property
    def namespaces(self):
        return [self.node, *self.pods.values(), self.client]

    def run(self, ns, *cmd, check=True, timeout=30, **kw):
        p = subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, timeout=timeout, **kw)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} in {ns} failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p

    def popen(self, ns, *cmd, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def _build(self):
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "add", ns], check=True)
            self.run(ns, "ip", "link", "set", "lo", "up")
        self.run(self.node, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        links = [(self.pods[n], link, nip, pip) for n, (nip, pip, link) in self.PODS.items()]
        links.append((self.client, "vc", "192.168.50.1", "192.168.50.2"))
        for peer, link, node_ip, peer_ip in links:
            self.run(self.node, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", peer)
            self.run(self.node, "ip", "addr", "add", f"{node_ip}/24", "dev", link)
            self.run(self.node, "ip", "link", "set", link, "up")
            self.run(peer, "ip", "addr", "add", f"{peer_ip}/24", "dev", "eth0")
            self.run(peer, "ip", "link", "set", "eth0", "up")
            self.run(peer, "ip", "route", "add", "default", "via", node_ip)
        # The node routes the service CIDR somewhere, as a default route would, so local
        # clients get past routing to the nat output hook.
        self.run(self.node, "ip", "route", "add", "10.96.0.0/12", "dev", "va")
        for name, ns in self.pods.items():
            self.popen(ns, "python3", "-c", HTTP_SERVER, name, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.popen(ns, "python3", "-c", UDP_SERVER, name, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _, pod_ip, _ in self.PODS.values():
            self.wait_for(lambda: self.curl(self.node, f"http://{pod_ip}:8080/", timeout=1)[0] == 0,
                          f"pod server at {pod_ip}")

    def curl(self, ns, url, timeout=2):
        """(exit code, body): 0 is success, 7 refused, 28 timeout."""
        p = self.run(ns, "curl", "-s", "--max-time", str(timeout), url, check=False, timeout=timeout + 10)
        return p.returncode, p.stdout

    def udp(self, ns, ip, port, source_port, timeout=1.0):
        """Sends one datagram from a fixed source port; the answer (a pod name) or "timeout"."""
        return self.run(ns, "python3", "-c", UDP_CLIENT, ip, str(port), str(source_port), str(timeout)).stdout

    def wait_for(self, predicate, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, 9)
                except ProcessLookupError:
                    pass
                p.wait(timeout=10)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
