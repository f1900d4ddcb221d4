"""Search completion, measured: a pod namespace with the resolv.conf the agent gives ClusterFirst
pods (ndots:5, three search domains) resolves names with glibc (`getent`) through the real
`skiff dns`, which runs with the API server and a fake upstream in a node namespace. The pod's
queries are counted at the server: with completion an outside name costs one query per address
family, without it five (four NXDOMAINs first)."""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import skiff_binary

UPSTREAM = """
import socket, sys
import dns.message, dns.rcode, dns.rrset
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5399))
while True:
    data, peer = s.recvfrom(4096)
    q = dns.message.from_wire(data)
    r = dns.message.make_response(q)
    name = q.question[0].name.to_text().lower()
    if name == "example.org." and q.question[0].rdtype == 1:
        r.answer.append(dns.rrset.from_text("example.org.", 30, "IN", "A", "192.0.2.10"))
    elif name != "example.org.":
        r.set_rcode(dns.rcode.NXDOMAIN)
    s.sendto(r.to_wire(), peer)
"""


class SearchNode:
    def __init__(self, completion):
        suffix = "%08x" % random.getrandbits(32)
        self.node, self.pod = f"sks-n-{suffix}", f"sks-p-{suffix}"
        self.dir = tempfile.mkdtemp(prefix="skiff-e2e-search-")
        self.procs = []
        # `ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf over /etc/resolv.conf.
        self.etc = f"/etc/netns/{self.pod}"
        try:
            for ns in (self.node, self.pod):
                subprocess.run(["ip", "netns", "add", ns], check=True)
                self.run(ns, "ip", "link", "set", "lo", "up")
            self.run(self.node, "ip", "link", "add", "vp", "type", "veth", "peer", "name", "eth0", "netns", self.pod)
            self.run(self.node, "ip", "addr", "add", "10.244.1.1/24", "dev", "vp")
            self.run(self.node, "ip", "link", "set", "vp", "up")
            self.run(self.pod, "ip", "addr", "add", "10.244.1.5/24", "dev", "eth0")
            self.run(self.pod, "ip", "link", "set", "eth0", "up")
            os.makedirs(self.etc, exist_ok=True)
            with open(f"{self.etc}/resolv.conf", "w") as f:
                f.write("nameserver 10.244.1.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                        "options ndots:5 attempts:1 timeout:2\n")
            self.kubeconfig = os.path.join(self.dir, "admin.kubeconfig")
            self.popen(self.node, skiff_binary(), "server", "--data-dir", self.dir, "--listen", "127.0.0.1:6443", log="server.log")
            self.wait(lambda: os.path.exists(self.kubeconfig) and self.run(
                self.node, "curl", "-sk", "--max-time", "1", "https://127.0.0.1:6443/readyz", check=False).stdout == "ok")
            self.popen(self.node, "python3", "-c", UPSTREAM, log="upstream.log")
            self.kubectl("apply", "-f", "-", input="""
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default}
spec: {containers: [{name: c, image: busybox:1.36}]}
""")
            self.kubectl("patch", "pod", "client", "--subresource=status", "--type=merge", "-p",
                         json.dumps({"status": {"podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}]}}))
            flags = [] if completion else ["--no-search-completion"]
            self.popen(self.node, skiff_binary(), "dns", "--kubeconfig", self.kubeconfig, "--listen", "0.0.0.0:53",
                       "--upstream", "127.0.0.1:5399", "--health-bind-address", "127.0.0.1:8080",
                       "--metrics-bind-address", "", *flags, log="dns.log")
            self.wait(lambda: self.run(self.node, "curl", "-s", "127.0.0.1:8080/ready", check=False).stdout == "OK")
        except BaseException:
            self.close()
            raise

    def run(self, ns, *cmd, check=True, input=None):
        p = subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, timeout=60, input=input)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} in {ns}: {p.stdout}{p.stderr}")
        return p

    def popen(self, ns, *cmd, log):
        self.procs.append(subprocess.Popen(["ip", "netns", "exec", ns, *cmd], start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, log), "w")))

    def kubectl(self, *args, input=None):
        return self.run(self.node, "kubectl", "--kubeconfig", self.kubeconfig, *args, input=input).stdout

    def wait(self, predicate, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out; logs: " + " ".join(os.listdir(self.dir)))

    def queries(self):
        """Queries the server has received, all types and transports."""
        text = self.run(self.node, "curl", "-s", "127.0.0.1:8080/metrics").stdout
        return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("skiff_dns_requests_total{"))

    def resolve(self, name, family="ahostsv4"):
        """(addresses, queries it cost) for glibc in the pod resolving `name`."""
        before = self.queries()
        out = self.run(self.pod, "getent", family, name, check=False).stdout
        return sorted({line.split()[0] for line in out.splitlines()}), self.queries() - before

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, 9)
                p.wait()
        for ns in (self.node, self.pod):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(self.etc, ignore_errors=True)
        try:
            os.rmdir("/etc/netns")  # only when empty: made for this test
        except OSError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(params=[True, False], ids=["completion", "plain"])
def node(request):
    n = SearchNode(completion=request.param)
    try:
        yield n, request.param
    finally:
        n.close()


def test_search_completion_answers_outside_names_in_one_round_trip(node):
    n, completion = node
    # An outside name: glibc tries the three search domains first (ndots:5), then the name.
    addresses, cost = n.resolve("example.org")
    assert addresses == ["192.0.2.10"]
    assert cost == (1 if completion else 4), cost
    # A short in-cluster name: "web.default" is found through the second search step.
    web = n.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")
    addresses, cost = n.resolve("web.default")
    assert addresses == [web]
    assert cost == (1 if completion else 2), cost
    # The first search step that exists is still answered directly.
    addresses, cost = n.resolve("web")
    assert addresses == [web] and cost == 1
    # A name nowhere: the same NXDOMAIN either way (every step asked).
    addresses, cost = n.resolve("nowhere.example")
    assert addresses == []
