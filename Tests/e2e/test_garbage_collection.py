"""Cascading deletion through the garbage collector, driven with kubectl's --cascade:
background (the default) is in test_replicaset.py and test_deployment.py; here Orphan keeps
the dependents and drops their references, Foreground deletes the dependents first (Pods
confirmed by a stand-in node agent) and the owner last."""
import json
import threading
import time

from fake_nodes import FakeNodes
from rollout_watch import FakeAgent
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
    spec: {containers: [{name: c, image: busybox}]}
"""


def items(server, kind, *args):
    return json.loads(server.kubectl("get", kind, *args, "-o", "json"))["items"]


def test_orphan_keeps_replicasets_and_pods(server):
    agent = FakeAgent(server, "app=web")
    agent.start()
    try:
        apply(server, WEB)
        assert server.kubectl("rollout", "status", "deployment/web", "--timeout=30s", check=False).returncode == 0
    finally:
        agent.stop()
    [rs] = items(server, "rs", "-l", "app=web")
    server.kubectl("delete", "deployment", "web", "--cascade=orphan")
    assert not items(server, "deployments")
    # The ReplicaSet lives on without its owner reference; its Pods are still its own.
    kept = eventually(lambda: (lambda l: l if l and not l[0]["metadata"].get("ownerReferences") else None)(items(server, "rs", "-l", "app=web")),
                      "the reference dropped")
    assert kept[0]["metadata"]["uid"] == rs["metadata"]["uid"] and "finalizers" not in kept[0]["metadata"]
    time.sleep(1)
    pods = items(server, "pods", "-l", "app=web")
    assert len(pods) == 2 and all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"] for p in pods)

    # A kind the collector does not follow is simply deleted.
    server.kubectl("create", "configmap", "plain")
    server.kubectl("delete", "configmap", "plain", "--cascade=orphan", timeout=20)
    assert server.kubectl("get", "configmap", "plain", check=False).returncode != 0


def test_foreground_deletes_dependents_before_the_owner(make_server):
    server = make_server()
    nodes = FakeNodes(server, ["n1"])
    nodes.start()
    try:
        apply(server, WEB)
        eventually(lambda: len([p for p in items(server, "pods", "-l", "app=web") if p.get("status", {}).get("phase") == "Running"]) == 2,
                   "two running Pods", timeout=20)
        seen = {}
        stop = threading.Event()

        def watch():
            # While the Deployment exists, note what it looked like.
            while not stop.is_set():
                d = server.request("GET", "/apis/apps/v1/namespaces/default/deployments/web")
                if d[0] == 200 and d[1]["metadata"].get("deletionTimestamp"):
                    seen["finalizers"] = d[1]["metadata"].get("finalizers")
                    seen["pods_while_owner_exists"] = max(seen.get("pods_while_owner_exists", 0),
                                                          len(items(server, "pods", "-l", "app=web")))
                time.sleep(0.05)

        t = threading.Thread(target=watch, daemon=True)
        t.start()
        server.kubectl("delete", "deployment", "web", "--cascade=foreground", timeout=60)
        stop.set()
        t.join(timeout=5)
        # kubectl waited for the Deployment to go; by then nothing it owned was left.
        assert not items(server, "deployments")
        assert not items(server, "rs", "-l", "app=web") and not items(server, "pods", "-l", "app=web")
        assert seen.get("finalizers") == ["foregroundDeletion"], seen
        assert seen.get("pods_while_owner_exists", 0) >= 1, "the owner outlived its Pods"
    finally:
        nodes.stop()
