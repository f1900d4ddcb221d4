"""`skiff up` as a user first meets it: a two-node cluster on this machine, driven only through
kubectl and from inside Pods, with the manifests of examples/.

The "host" is a network namespace the test makes, so the one link `skiff up` adds to the
namespace it runs in (sk-NAME) and the cluster's address range stay out of the machine's own
namespace; `skiff down` must leave nothing behind, which the last test checks."""
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import REPO, skiff_binary
from test_controllers import eventually

EXAMPLES = os.path.join(REPO, "examples")


class UpCluster:
    def __init__(self):
        suffix = "%06x" % random.getrandbits(24)
        self.name = "u" + suffix
        self.host = "sku-host-" + suffix
        self.subnet = f"192.168.{random.randint(100, 250)}.0/24"
        self.dir = tempfile.mkdtemp(prefix="skiff-e2e-up-")
        self.data = os.path.join(self.dir, "cluster")
        self.kubeconfig = os.path.join(self.data, "kubeconfig")
        self.base = self.subnet.split("/")[0].rsplit(".", 1)[0]
        subprocess.run(["ip", "netns", "add", self.host], check=True)
        subprocess.run(["ip", "netns", "exec", self.host, "ip", "link", "set", "lo", "up"], check=True)
        try:
            self.output = self.up().stdout
        except AssertionError as error:
            logs = "".join(f"\n--- {path}:\n" + open(path).read()[-2000:]
                           for path in sorted(glob.glob(os.path.join(self.data, "logs", "*.log"))))
            self.close()
            raise AssertionError(f"{error}{logs}") from None
        except BaseException:
            self.close()
            raise

    def skiff(self, *args, check=True, timeout=300):
        # nsenter joins the host namespace only: the daemons must see the real cgroup mounts.
        p = subprocess.run(["nsenter", f"--net=/run/netns/{self.host}", skiff_binary(), *args],
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"skiff {' '.join(args)} failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p

    def up(self, **kw):
        return self.skiff("up", "--name", self.name, "--nodes", "2", "--subnet", self.subnet, "--data-dir", self.data, **kw)

    def run(self, *cmd, check=True, timeout=60, input=None):
        p = subprocess.run(["ip", "netns", "exec", self.host, *cmd], capture_output=True, text=True, timeout=timeout, input=input)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p

    def kubectl(self, *args, check=True, timeout=60, input=None):
        p = self.run("kubectl", "--kubeconfig", self.kubeconfig, *args, check=check, timeout=timeout, input=input)
        return p.stdout if check else p

    def json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json"))

    def node(self, i):
        return f"{self.name}-node{i}"

    def node_ip(self, i):
        return f"{self.base}.{10 + i}"

    def pid(self, component):
        with open(os.path.join(self.data, "run", f"{component}.pid")) as f:
            return int(f.read())

    def web_pods(self):
        pods = self.json("get", "pods", "-l", "app=web")["items"]
        return [p for p in pods if not p["metadata"].get("deletionTimestamp")]

    def ready(self, pod):
        return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))

    def fetch_many(self, url, n):
        """n requests from inside the client Pod; the answers, one per line."""
        script = f"i=0; while [ $i -lt {n} ]; do timeout 5 wget -qO- {url} || echo FAILED; i=$((i+1)); done"
        return self.kubectl("exec", "client", "--", "sh", "-c", script, timeout=120).splitlines()

    def leftovers(self):
        """What of the cluster is still on the machine."""
        found = []
        found += [n for n in os.listdir("/run/netns") if n.startswith(f"skiff-{self.name}-")] if os.path.isdir("/run/netns") else []
        links = self.run("ip", "-br", "link", check=False).stdout
        found += [l.split()[0] for l in links.splitlines() if l.startswith(f"sk-{self.name}")]
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if self.data.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                    found.append(f"process {pid}")
            except OSError:
                pass
        found += [l.split()[4] for l in open("/proc/self/mountinfo") if self.dir in l.split()[4]]
        if os.path.exists(self.data):
            found.append(self.data)
        return found

    def close(self):
        if os.path.exists(os.path.join(self.data, "cluster.json")):
            self.skiff("down", "--name", self.name, "--data-dir", self.data, check=False)
        # Whatever a failed run left: processes, mounts, namespaces.
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if self.data.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        for target in sorted((l.split()[4] for l in open("/proc/self/mountinfo") if self.dir in l.split()[4]), key=len, reverse=True):
            subprocess.run(["umount", "-l", target], capture_output=True)
        for ns in glob.glob(f"/run/netns/skiff-{self.name}-*"):
            subprocess.run(["ip", "netns", "del", os.path.basename(ns)], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.host], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    c = UpCluster()
    try:
        yield c
    finally:
        if not os.environ.get("SKIFF_KEEP_UP"):
            c.close()


def test_up_starts_two_ready_nodes_and_says_what_to_type_next(cluster):
    assert f"export KUBECONFIG={cluster.kubeconfig}" in cluster.output
    assert "localhost/busybox:skiff" in cluster.output
    nodes = cluster.json("get", "nodes")["items"]
    assert sorted(n["metadata"]["name"] for n in nodes) == [cluster.node(1), cluster.node(2)]
    for n in nodes:
        assert {a["type"]: a["address"] for a in n["status"]["addresses"]}["InternalIP"].startswith(cluster.base + ".")
        assert any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])
    # Run again, it finds the cluster up and changes nothing.
    again = cluster.up().stdout
    assert "is up" in again
    assert sorted(n["metadata"]["uid"] for n in cluster.json("get", "nodes")["items"]) == sorted(n["metadata"]["uid"] for n in nodes)


def test_a_deployment_behind_a_service_answers_by_name_from_another_node(cluster):
    cluster.kubectl("apply", "-f", os.path.join(EXAMPLES, "web.yaml"), "-f", os.path.join(EXAMPLES, "client.yaml"),
                    "-f", os.path.join(EXAMPLES, "dns.yaml"))
    cluster.kubectl("rollout", "status", "deployment/web", "--timeout=120s", timeout=130)
    eventually(lambda: (lambda p: cluster.ready(p))(cluster.json("get", "pod", "client")), "the client Pod ready", 60)
    pods = cluster.web_pods()
    assert len(pods) == 3
    assert {p["spec"]["nodeName"] for p in pods} == {cluster.node(1), cluster.node(2)}, "replicas spread over both nodes"
    client_node = cluster.json("get", "pod", "client")["spec"]["nodeName"]
    assert any(p["spec"]["nodeName"] != client_node for p in pods)
    names = {p["metadata"]["name"] for p in pods}
    # The last replica's endpoint may reach the client node's rules up to a proxy sync after it turned Ready.
    def answered_by_every_replica():
        answers = cluster.fetch_many("http://web", 40)
        assert all(a.startswith("hello from ") for a in answers), answers
        return {a.split()[-1] for a in answers} == names
    eventually(answered_by_every_replica, "the load reaching every replica", 30)
    # The full name too, through the node's DNS.
    assert cluster.fetch_many("http://web.default.svc.cluster.local", 1)[0].startswith("hello from web-")


def test_a_nodeport_answers_from_the_host_on_every_node(cluster):
    cluster.kubectl("apply", "-f", os.path.join(EXAMPLES, "web-nodeport.yaml"))
    for i in (1, 2):
        eventually(lambda: cluster.run("curl", "-s", "--max-time", "3", f"http://{cluster.node_ip(i)}:30080/",
                                       check=False).stdout.startswith("hello from web-"), f"NodePort on node {i}", 30)


def test_headless_and_externalname_records(cluster):
    def lookup(name):
        p = cluster.kubectl("exec", "client", "--", "nslookup", "-type=a", name, check=False)
        return p.stdout
    ips = sorted(p["status"]["podIP"] for p in cluster.web_pods())
    answer = lookup("web-headless.default.svc.cluster.local")
    assert sorted(l.split()[-1] for l in answer.splitlines() if l.startswith("Address:") and "#" not in l
                  and ":53" not in l) == ips, answer
    answer = lookup("web-alias.default.svc.cluster.local")
    assert "canonical name = web.default.svc.cluster.local" in answer, answer
    cluster_ip = cluster.json("get", "service", "web")["spec"]["clusterIP"]
    assert f"Address: {cluster_ip}" in answer, answer


def test_scaling_moves_endpoints_and_rules(cluster):
    def endpoints():
        slices = cluster.json("get", "endpointslices", "-l", "kubernetes.io/service-name=web")["items"]
        return sorted(e["targetRef"]["name"] for s in slices for e in s.get("endpoints") or []
                      if e["conditions"].get("ready"))
    for replicas in (5, 1):
        cluster.kubectl("scale", "deployment/web", f"--replicas={replicas}")
        eventually(lambda: len(cluster.web_pods()) == replicas and all(cluster.ready(p) for p in cluster.web_pods())
                   and len(endpoints()) == replicas, f"{replicas} ready replicas as endpoints", 90)
        names = {p["metadata"]["name"] for p in cluster.web_pods()}
        assert set(endpoints()) == names
        # The node's rules follow the endpoints within the proxy's sync interval.
        eventually(lambda: {a.split()[-1] for a in cluster.fetch_many("http://web", 10 * replicas)} == names,
                   f"requests reaching exactly the {replicas} replicas", 30)
    cluster.kubectl("scale", "deployment/web", "--replicas=3")
    eventually(lambda: len(endpoints()) == 3, "3 endpoints again", 90)


def test_a_rolling_update_drops_no_request(cluster):
    client = subprocess.Popen(["ip", "netns", "exec", cluster.host, "kubectl", "--kubeconfig", cluster.kubeconfig, "exec", "client",
                               "--", "sh", "-c", "while [ ! -f /tmp/stop ]; do timeout 5 wget -qO- http://web || echo FAILED; sleep 0.05; done"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        old = {p["metadata"]["name"] for p in cluster.web_pods()}
        cluster.kubectl("set", "env", "deployment/web", "GENERATION=2")
        cluster.kubectl("rollout", "status", "deployment/web", "--timeout=180s", timeout=190)
        new = {p["metadata"]["name"] for p in cluster.web_pods()}
        assert not old & new
        time.sleep(2)
    finally:
        cluster.kubectl("exec", "client", "--", "touch", "/tmp/stop")
        out, err = client.communicate(timeout=30)
        cluster.kubectl("exec", "client", "--", "rm", "-f", "/tmp/stop")
    answers = out.splitlines()
    assert len(answers) > 50, (out, err)
    assert "FAILED" not in answers, f"{answers.count('FAILED')} of {len(answers)} requests failed"
    served = {a.split()[-1] for a in answers}
    assert served & old and served & new, "answers came from the old Pods, then the new ones"


def test_kubectl_logs_shows_the_requests(cluster):
    pod = cluster.web_pods()[0]["metadata"]["name"]
    eventually(lambda: "response:200" in cluster.kubectl("logs", pod), "httpd's request log", 30)
    assert len(cluster.kubectl("logs", "deployment/web", "--tail=1").splitlines()) == 1


def test_a_node_whose_agent_dies_is_replaced_and_the_service_keeps_answering(cluster):
    client_node = cluster.json("get", "pod", "client")["spec"]["nodeName"]
    victim = cluster.node(1) if client_node == cluster.node(2) else cluster.node(2)
    # Evicted 5 s after the node is lost rather than upstream's default 300 s.
    cluster.kubectl("patch", "deployment/web", "--type=merge", "-p", json.dumps({"spec": {"template": {"spec": {"tolerations": [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5},
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]}}}}))
    cluster.kubectl("rollout", "status", "deployment/web", "--timeout=180s", timeout=190)
    # Every replica on the victim, so that losing it loses them all.
    cluster.kubectl("cordon", client_node)
    cluster.kubectl("rollout", "restart", "deployment/web")
    cluster.kubectl("rollout", "status", "deployment/web", "--timeout=180s", timeout=190)
    assert {p["spec"]["nodeName"] for p in cluster.web_pods()} == {victim}
    cluster.kubectl("uncordon", client_node)

    os.kill(cluster.pid(victim), signal.SIGKILL)
    def status(name):
        node = cluster.json("get", "node", name)
        return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")
    eventually(lambda: status(victim) == "Unknown", "the node NotReady (Unknown)", 120)
    eventually(lambda: len(cluster.web_pods()) == 3 and all(p["spec"].get("nodeName") == client_node and cluster.ready(p)
                                                             for p in cluster.web_pods()),
               "three ready replicas on the other node", 120)
    # A replica turns Ready before its endpoint reaches the client node's rules (EndpointSlice controller, then
    # that node's proxy sync), so the answers are polled; every request must still be answered meanwhile.
    names = {p["metadata"]["name"] for p in cluster.web_pods()}
    def answered_by_every_replica():
        answers = cluster.fetch_many("http://web", 20)
        assert "FAILED" not in answers, answers
        return {a.split()[-1] for a in answers} == names
    eventually(answered_by_every_replica, "requests reaching exactly the three replicas", 30)

    # `skiff up` again starts the agent; the node comes back.
    cluster.up()
    eventually(lambda: status(victim) == "True", "the node Ready again", 60)


def test_a_killed_server_restarts_with_its_state_and_the_agents_reconnect(cluster):
    before = {p["metadata"]["uid"] for p in cluster.web_pods()}
    os.kill(cluster.pid("server"), signal.SIGKILL)
    cluster.up()
    assert {p["metadata"]["uid"] for p in cluster.web_pods()} == before
    first = {l["metadata"]["name"]: l["spec"]["renewTime"] for l in cluster.json("get", "leases", "-n", "kube-node-lease")["items"]}
    eventually(lambda: all(l["spec"]["renewTime"] != first[l["metadata"]["name"]]
                           for l in cluster.json("get", "leases", "-n", "kube-node-lease")["items"]),
               "both agents renewing their Leases with the restarted server", 60)
    assert {a.split()[-1] for a in cluster.fetch_many("http://web", 20)} == {p["metadata"]["name"] for p in cluster.web_pods()}


def test_down_leaves_nothing(cluster):
    uids = [uid for d in glob.glob(os.path.join(cluster.data, "nodes", "*", "pods")) for uid in os.listdir(d)]
    assert uids, "the nodes ran Pods"
    out = cluster.skiff("down", "--name", cluster.name, "--data-dir", cluster.data).stdout
    assert f'Cluster "{cluster.name}" removed.' in out
    assert cluster.leftovers() == []
    assert [g for uid in uids for g in glob.glob(f"/sys/fs/cgroup/*/skiff-{uid}-*") + glob.glob(f"/sys/fs/cgroup/skiff-{uid}-*")] == []
