"""Node lifecycle inside `skiff server`: a node whose agent stops heartbeating becomes
Ready=Unknown, is tainted unreachable, its Pods are marked not Ready and, after their
tolerationSeconds, evicted and replaced on another node; a node that comes back is
untainted; the Pods of a deleted node are removed. Nodes are stand-ins (fake_nodes.py)."""
import json
import time

import pytest

from fake_nodes import FakeNodes
from rollout_watch import is_ready
from test_controllers import apply, eventually

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: busybox}]
      tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]
"""


@pytest.fixture
def cluster(make_server):
    server = make_server("--node-monitor-grace-period=3s", "--node-monitor-period=500ms")
    nodes = FakeNodes(server, ["n1", "n2"])
    nodes.start()
    yield server, nodes
    nodes.stop()


def get(server, *args):
    return json.loads(server.kubectl("get", *args, "-o", "json"))


def ready_condition(node):
    return next(c for c in node["status"]["conditions"] if c["type"] == "Ready")


def pods_by_node(server):
    out = {}
    for p in get(server, "pods")["items"]:
        if not p["metadata"].get("deletionTimestamp"):
            out.setdefault(p["spec"].get("nodeName"), []).append(p["metadata"]["name"])
    return out


def test_a_silent_node_is_tainted_its_pods_evicted_and_replaced(cluster):
    server, nodes = cluster
    apply(server, WEB)
    # One web Pod per node (spread by owner), plus one that tolerates unreachability forever.
    spread = eventually(lambda: (lambda m: m if len(m.get("n1", [])) == 1 and len(m.get("n2", [])) == 1 else None)(pods_by_node(server)),
                        "web spread over n1 and n2", timeout=20)
    apply(server, """
apiVersion: v1
kind: Pod
metadata: {name: stays, namespace: default}
spec:
  nodeName: n1
  containers: [{name: c, image: busybox}]
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]
""")
    victim = spread["n1"][0]
    eventually(lambda: (lambda items: len(items) == 3 and all(map(is_ready, items)))(get(server, "pods")["items"]), "all Pods ready")
    # Admission gave the web Pods upstream's default not-ready toleration next to their own.
    tolerations = get(server, "pod", victim)["spec"]["tolerations"]
    assert {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300} in tolerations

    nodes.silence("n1")
    n1 = eventually(lambda: (lambda n: n if ready_condition(n)["status"] == "Unknown" else None)(get(server, "node", "n1")),
                    "n1 Ready=Unknown", timeout=15)
    cond = ready_condition(n1)
    assert cond["reason"] == "NodeStatusUnknown" and cond["message"] == "Kubelet stopped posting node status."
    taints = eventually(lambda: get(server, "node", "n1")["spec"].get("taints"), "unreachable taints")
    assert {(t["key"], t["effect"]) for t in taints} == {("node.kubernetes.io/unreachable", "NoExecute"),
                                                          ("node.kubernetes.io/unreachable", "NoSchedule")}
    assert "timeAdded" in next(t for t in taints if t["effect"] == "NoExecute")
    assert ready_condition(get(server, "node", "n2"))["status"] == "True"
    # The Pods there are no longer Ready.
    eventually(lambda: not any(is_ready(get(server, "pod", name)) for name in ("stays", victim)), "Pods on n1 not ready")

    # After its 2 s toleration the web Pod is evicted and replaced on n2; `stays` stays.
    evicted = eventually(lambda: (lambda p: p if p["metadata"].get("deletionTimestamp") else None)(get(server, "pod", victim)),
                         "eviction", timeout=15)
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "DeletionByTaintManager" for c in evicted["status"]["conditions"])
    eventually(lambda: len(pods_by_node(server).get("n2", [])) == 2, "a replacement on n2", timeout=15)
    assert get(server, "pod", "stays")["metadata"].get("deletionTimestamp") is None
    assert "TaintManagerEviction" in server.kubectl("get", "events", "--field-selector", f"involvedObject.name={victim}")

    # The node comes back: Ready, untainted.
    nodes.revive("n1")
    eventually(lambda: not get(server, "node", "n1")["spec"].get("taints"), "taints removed", timeout=10)

    # The node is deleted: its Pods (the terminating one included) go with it.
    server.kubectl("delete", "node", "n1")
    eventually(lambda: not [p for p in get(server, "pods")["items"] if p["spec"].get("nodeName") == "n1"], "n1's Pods removed",
               timeout=15)
    assert len(pods_by_node(server).get("n2", [])) == 2


def test_condition_taints_follow_the_node(cluster):
    server, nodes = cluster
    server.kubectl("cordon", "n2")
    eventually(lambda: {(t["key"], t["effect"]) for t in get(server, "node", "n2")["spec"].get("taints") or []}
               == {("node.kubernetes.io/unschedulable", "NoSchedule")}, "cordon taint")
    server.kubectl("uncordon", "n2")
    eventually(lambda: not get(server, "node", "n2")["spec"].get("taints"), "uncordoned")

    # A node reporting Ready=False (alive but unhealthy) gets the not-ready taints.
    nodes.silence("n2")   # keep the stand-in from overwriting the status
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    server.request("PATCH", "/api/v1/nodes/n2/status", {"status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "KubeletNotReady", "message": "runtime down",
         "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}]}}, content_type="application/merge-patch+json")
    eventually(lambda: {(t["key"], t["effect"]) for t in get(server, "node", "n2")["spec"].get("taints") or []}
               >= {("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/not-ready", "NoSchedule")}, "not-ready taints")


def test_bad_durations_are_usage_errors(tmp_path):
    import subprocess
    from conftest import skiff_binary
    p = subprocess.run([skiff_binary(), "server", "--data-dir", str(tmp_path), "--node-monitor-grace-period", "soon"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "--node-monitor-grace-period" in p.stderr
