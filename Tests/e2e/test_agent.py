"""`skiff agent` registering a node with a real `skiff server`: the Node with the kubelet's
labels, capacity from this machine, addresses, system info and conditions; its Lease in
kube-node-lease renewed and owned by the Node; a killed agent makes the node Unknown, a
restarted one brings it back without re-creating it."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import skiff_binary
from test_controllers import eventually


class Agent:
    def __init__(self, server, tmp_path, name, *extra, network=True):
        # The Pod network's config list: without one the node is not Ready, as a kubelet's.
        self.cni_conf_dir = tmp_path / name / "net.d"
        self.cni_conf_dir.mkdir(parents=True)
        if network:
            self.write_network()
        self.args = [skiff_binary(), "agent", "--server", server.url, "--token", server.token(),
                     "--cni-conf-dir", str(self.cni_conf_dir),
                     "--certificate-authority", os.path.join(server.data_dir, "tls", "ca.crt"),
                     "--node-name", name, "--root-dir", str(tmp_path / name), "--node-status-update-frequency", "500ms",
                     "--node-lease-duration-seconds", "4", "--port", "0",
                     # In the root namespace: nothing that programs the network.
                     "--disable", "overlay,proxy,dns", *extra]
        self.log = tmp_path / f"{name}.log"
        self.proc = None

    def write_network(self):
        (self.cni_conf_dir / "10-test.conflist").write_text(json.dumps(
            {"cniVersion": "1.0.0", "name": "test", "plugins": [{"type": "bridge"}]}))

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=open(self.log, "a"))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            code = self.proc.wait(timeout=15)
            self.proc = None
            return code


@pytest.fixture
def agents():
    made = []
    yield made
    for a in made:
        a.stop(signal.SIGKILL)


def get(server, *args):
    p = server.kubectl("get", *args, "-o", "json", check=False)
    return json.loads(p.stdout) if p.returncode == 0 else None


def conditions(node):
    return {c["type"]: c for c in (node or {}).get("status", {}).get("conditions", [])}


def test_the_agent_registers_and_reports_its_node(make_server, tmp_path, agents):
    server = make_server("--node-monitor-grace-period=3s", "--node-monitor-period=500ms")
    agent = Agent(server, tmp_path, "a1", "--node-ip", "10.9.0.1", "--node-labels", "pool=blue", network=False).start()
    agents.append(agent)
    # No network config yet: registered but not Ready, with the kubelet's reason.
    waiting = eventually(lambda: conditions(get(server, "node", "a1")).get("Ready"), "a1 registered", timeout=20)
    assert waiting["status"] == "False" and waiting["reason"] == "KubeletNotReady"
    assert "NetworkPluginNotReady" in waiting["message"] and "cni plugin not initialized" in waiting["message"]
    agent.write_network()
    node = eventually(lambda: (lambda n: n if conditions(n).get("Ready", {}).get("status") == "True" else None)(get(server, "node", "a1")),
                      "a1 Ready", timeout=20)
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "a1" and labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] == "amd64" and labels["pool"] == "blue"
    status = node["status"]
    assert status["capacity"]["cpu"] == str(len(os.sched_getaffinity(0)))
    meminfo = dict(l.split(":", 1) for l in open("/proc/meminfo").read().splitlines())
    assert status["capacity"]["memory"] == meminfo["MemTotal"].split()[0] + "Ki"
    assert status["capacity"]["pods"] == "110" and status["allocatable"] == status["capacity"]
    assert {"type": "InternalIP", "address": "10.9.0.1"} in status["addresses"]
    info = status["nodeInfo"]
    assert info["kernelVersion"] == os.uname().release and info["operatingSystem"] == "linux"
    assert info["containerRuntimeVersion"].startswith("runc://1.")
    ready = conditions(node)["Ready"]
    assert ready["reason"] == "KubeletReady" and ready["message"] == "kubelet is posting ready status"
    assert conditions(node)["MemoryPressure"]["status"] == "False"
    assert "a1" in server.kubectl("get", "nodes") and "Ready" in server.kubectl("get", "node", "a1")

    lease = get(server, "lease", "-n", "kube-node-lease", "a1")
    assert lease["spec"]["holderIdentity"] == "a1" and lease["spec"]["leaseDurationSeconds"] == 4
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    assert lease["metadata"]["ownerReferences"][0]["uid"] == node["metadata"]["uid"]
    first = lease["spec"]["renewTime"]
    eventually(lambda: get(server, "lease", "-n", "kube-node-lease", "a1")["spec"]["renewTime"] != first, "the lease renewed", timeout=5)

    # Killed: the node lifecycle controller finds it silent. Restarted: Ready again, same Node.
    agent.stop(signal.SIGKILL)
    eventually(lambda: conditions(get(server, "node", "a1"))["Ready"]["status"] == "Unknown", "a1 Unknown", timeout=20)
    agent.start()
    back = eventually(lambda: (lambda n: n if conditions(n)["Ready"]["status"] == "True" else None)(get(server, "node", "a1")),
                      "a1 Ready again", timeout=20)
    assert back["metadata"]["uid"] == node["metadata"]["uid"]
    eventually(lambda: not get(server, "node", "a1")["spec"].get("taints"), "the unreachable taints gone", timeout=10)
    assert agent.stop() == 0


def test_register_with_taints_and_bad_flags(server, tmp_path, agents):
    agents.append(Agent(server, tmp_path, "a2", "--register-with-taints", "dedicated=gpu:NoSchedule").start())
    node = eventually(lambda: get(server, "node", "a2"), "a2 registered", timeout=20)
    assert node["spec"]["taints"] == [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    for flags, message in [([], "--server"), (["--server", server.url, "--register-with-taints", "x:Sometimes"], "--register-with-taints"),
                           (["--server", server.url, "--node-labels", "novalue"], "--node-labels")]:
        p = subprocess.run([skiff_binary(), "agent", *flags], capture_output=True, text=True, timeout=30)
        assert p.returncode != 0 and message in p.stderr, p.stderr
