"""Several "nodes" as network namespaces on one L2 underlay, with the real `skiff server` in a
switch namespace, the real `skiff overlay` on each node (which writes the node's CNI config
list and installs skiff-cni) and pods attached through that list as a runtime runs it:

    switch ns: bridge br0 192.168.61.254/24, skiff server :6443, "outside" web server
      ├── veth ── node1 ns: eth0 192.168.61.1   skiff overlay, skiff.1, cni0 10.244.1.1/24, pods
      ├── veth ── node2 ns: eth0 192.168.61.2   …                       cni0 10.244.2.1/24
      └── …

Nothing leaves these namespaces; `close()` kills every process and deletes every namespace.
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time

from conftest import skiff_binary

SWITCH_IP = "192.168.61.254"
CLUSTER_CIDR = "10.244.0.0/16"

# Answers every connection with the peer's address: who the server saw.
WHO_AM_I = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
while True:
    c, peer = s.accept(); c.sendall(peer[0].encode()); c.close()
"""

CONNECT = """
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
print(c.recv(100).decode(), end="")
"""


class Cluster:
    def __init__(self, nodes=2, underlay_mtu=1500):
        self.suffix = "%08x" % random.getrandbits(32)
        self.switch = f"sko-sw-{self.suffix}"
        self.dir = tempfile.mkdtemp(prefix="skiff-e2e-overlay-")
        self.kubeconfig = os.path.join(self.dir, "server", "admin.kubeconfig")
        self.underlay_mtu = underlay_mtu
        self.namespaces = []
        self.procs = []
        self.overlays = {}
        self.node_ns = {}
        self.pods = {}
        self.results = {}
        try:
            self._add_ns(self.switch)
            self.run(self.switch, "ip", "link", "add", "br0", "type", "bridge")
            self.run(self.switch, "ip", "link", "set", "br0", "mtu", str(underlay_mtu), "up")
            self.run(self.switch, "ip", "addr", "add", f"{SWITCH_IP}/24", "dev", "br0")
            log = open(os.path.join(self.dir, "server.log"), "ab")
            self.popen(self.switch, skiff_binary(), "server", "--data-dir", os.path.join(self.dir, "server"),
                       "--listen", f"{SWITCH_IP}:6443", "--advertise-address", SWITCH_IP, stdout=log, stderr=log)
            self.wait_for(lambda: os.path.exists(self.kubeconfig) and self.run(
                self.switch, "curl", "-sk", "--max-time", "1", f"https://{SWITCH_IP}:6443/readyz", check=False).stdout == "ok",
                "skiff server", timeout=60)
            for i in range(1, nodes + 1):
                self.add_node(i)
        except BaseException:
            self.close()
            raise

    # -- plumbing -----------------------------------------------------------------------------

    def _add_ns(self, ns):
        subprocess.run(["ip", "netns", "add", ns], check=True)
        self.namespaces.append(ns)
        self.run(ns, "ip", "link", "set", "lo", "up")

    def run(self, ns, *cmd, check=True, timeout=30, **kw):
        p = subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, timeout=timeout, **kw)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} in {ns} failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p

    def popen(self, ns, *cmd, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def json(self, ns, *cmd, check=True):
        p = self.run(ns, *cmd, check=check)
        out = p.stdout.strip() if p.returncode == 0 else ""
        return json.loads(out) if out else []

    def kubectl(self, *args, input=None, check=True):
        p = self.run(self.switch, "kubectl", "--kubeconfig", self.kubeconfig, *args, input=input, check=check)
        return p.stdout if check else p

    def wait_for(self, predicate, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    # -- nodes --------------------------------------------------------------------------------

    @staticmethod
    def node_ip(i):
        return f"192.168.61.{i}"

    @staticmethod
    def pod_cidr(i):
        return f"10.244.{i}.0/24"

    def add_node(self, i, register=True):
        """A node namespace cabled to the switch; its Node object (podCIDR, InternalIP)."""
        name, ns = f"node{i}", f"sko-n{i}-{self.suffix}"
        self._add_ns(ns)
        self.node_ns[name] = ns
        self.run(self.switch, "ip", "link", "add", f"port{i}", "mtu", str(self.underlay_mtu),
                 "type", "veth", "peer", "name", "eth0", "netns", ns)
        self.run(self.switch, "ip", "link", "set", f"port{i}", "master", "br0", "up")
        self.run(ns, "ip", "link", "set", "eth0", "mtu", str(self.underlay_mtu), "up")
        self.run(ns, "ip", "addr", "add", f"{self.node_ip(i)}/24", "dev", "eth0", "nodad")
        self.run(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        if register:
            self.register_node(i)
        return name

    def register_node(self, i):
        name = f"node{i}"
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "spec": {"podCIDR": self.pod_cidr(i), "podCIDRs": [self.pod_cidr(i)]}}))
        # The InternalIP is status, as the node agent will report it.
        self.kubectl("patch", "node", name, "--subresource=status", "--type=merge", "-p", json.dumps(
            {"status": {"addresses": [{"type": "InternalIP", "address": self.node_ip(i)},
                                      {"type": "Hostname", "address": name}]}}))

    def start_overlay(self, name, *extra):
        log = open(os.path.join(self.dir, f"overlay-{name}.log"), "ab")
        self.overlays[name] = self.popen(self.node_ns[name], skiff_binary(), "overlay", "--kubeconfig", self.kubeconfig,
                                         "--node-name", name, "--cluster-cidr", CLUSTER_CIDR,
                                         "--cni-conf-dir", self.cni_dir(name, "net.d"), "--cni-bin-dir", self.cni_dir(name, "bin"),
                                         "--cni-ipam-dir", self.cni_dir(name, "ipam"), *extra,
                                         stdout=log, stderr=log)

    def stop_overlay(self, name):
        p = self.overlays.pop(name)
        os.killpg(p.pid, 15)
        p.wait(timeout=15)
        return p.returncode

    def overlay_log(self, name):
        with open(os.path.join(self.dir, f"overlay-{name}.log")) as f:
            return f.read()

    def annotations(self, name):
        node = json.loads(self.kubectl("get", "node", name, "-o", "json"))
        return {k: v for k, v in node["metadata"].get("annotations", {}).items() if k.startswith("skiff.io/")}

    # -- what a node programmed ---------------------------------------------------------------

    def routes(self, name):
        """Overlay routes on a node: {podCIDR: (gateway, device, onlink)}."""
        out = {}
        for r in self.json(self.node_ns[name], "ip", "-j", "route", "show", "proto", "77"):
            out[r["dst"]] = (r.get("gateway"), r.get("dev"), "onlink" in r.get("flags", []))
        return out

    def fdb(self, name):
        return sorted((e["mac"], e["dst"]) for e in self.json(self.node_ns[name], "bridge", "-j", "fdb", "show", "dev", "skiff.1",
                                                                    check=False)
                      if "dst" in e)

    def neighbours(self, name):
        return sorted((e["dst"], e.get("lladdr")) for e in self.json(self.node_ns[name], "ip", "-j", "neigh", "show", "dev", "skiff.1",
                                                                         check=False))

    def vtep_mac(self, name):
        links = self.json(self.node_ns[name], "ip", "-j", "link", "show", "skiff.1", check=False)
        return links[0]["address"] if links else None

    # -- pods ---------------------------------------------------------------------------------

    def cni_dir(self, name, kind):
        return os.path.join(self.dir, "cni", name, kind)

    def conflist(self, name):
        """The network config list the overlay wrote for this node (waits for it)."""
        path = os.path.join(self.cni_dir(name, "net.d"), "10-skiff.conflist")
        self.wait_for(lambda: os.path.exists(path), f"{path}")
        with open(path) as f:
            return json.load(f)

    def _exec_plugin(self, node, plugin, command, pod, conf):
        ns = self.pods[pod][0]
        # The runtime's search path: the overlay's plugin dir first, then Debian's plugins.
        path = f"{self.cni_dir(node, 'bin')}:/usr/lib/cni"
        binary = next(os.path.join(d, plugin) for d in path.split(":") if os.path.exists(os.path.join(d, plugin)))
        env = dict(os.environ, CNI_COMMAND=command, CNI_CONTAINERID=f"c-{pod}", CNI_NETNS=f"/run/netns/{ns}",
                   CNI_IFNAME="eth0", CNI_PATH=path)
        return self.run(self.node_ns[node], binary, input=json.dumps(conf), env=env, check=False)

    def cni(self, node, command, pod, runtime_config=None, check=True):
        """Runs the node's conflist as libcni does: ADD through the plugins in order, each
        given the previous result; DEL in reverse with the cached ADD result; capabilities
        filled from `runtime_config`. Returns the last plugin's process."""
        conflist = self.conflist(node)
        plugins = conflist["plugins"] if command != "DEL" else list(reversed(conflist["plugins"]))
        prev = self.results.get(pod) if command != "ADD" else None
        p = None
        for plugin in plugins:
            conf = dict(plugin, cniVersion=conflist["cniVersion"], name=conflist["name"])
            wanted = {k: v for k, v in (runtime_config or {}).items() if plugin.get("capabilities", {}).get(k)}
            if wanted:
                conf["runtimeConfig"] = wanted
            if prev is not None:
                conf["prevResult"] = prev
            p = self._exec_plugin(node, plugin["type"], command, pod, conf)
            if p.returncode != 0:
                if check:
                    raise AssertionError(f"{plugin['type']} {command} {pod} on {node} failed ({p.returncode}): {p.stdout}{p.stderr}")
                return p
            if command == "ADD":
                prev = json.loads(p.stdout)
        if command == "ADD":
            self.results[pod] = prev
        return p

    def add_pod(self, node, pod, runtime_config=None):
        """A pod namespace attached by the node's CNI config list; returns its IP."""
        ns = f"sko-{pod}-{self.suffix}"
        self._add_ns(ns)
        self.pods[pod] = (ns, node, None)
        self.cni(node, "ADD", pod, runtime_config)
        ip = self.results[pod]["ips"][0]["address"].split("/")[0]
        self.pods[pod] = (ns, node, ip)
        return ip

    def pod_ns(self, pod):
        return self.pods[pod][0]

    def pod_ip(self, pod):
        return self.pods[pod][2]

    def ping(self, ns, ip, *extra):
        return self.run(ns, "ping", "-c1", "-W2", *extra, ip, check=False).returncode == 0

    def serve_who_am_i(self, ns, port=9000):
        self.popen(ns, "python3", "-c", WHO_AM_I, str(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def who_am_i(self, ns, ip, port=9000):
        """The source address the server at ip:port saw for a connection from `ns` ("" on failure)."""
        p = self.run(ns, "python3", "-c", CONNECT, ip, str(port), check=False)
        return p.stdout if p.returncode == 0 else ""

    # -- teardown -----------------------------------------------------------------------------

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, 9)
                except ProcessLookupError:
                    pass
                p.wait(timeout=10)
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
