"""The scheduler inside `skiff server`, against simulated nodes (Node objects and their status
written by the test, as an agent would): each filter, spreading, and the unschedulable
condition, event and retry, read back with kubectl."""
import json
import time

from test_controllers import apply, eventually


def add_node(server, name, cpu="2", memory="4Gi", pods="110", labels=None, taints=None, ready="True"):
    meta = {"name": name, "labels": labels or {}}
    spec = {"taints": taints} if taints else {}
    server.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": meta, "spec": spec}))
    status = {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods},
              "capacity": {"cpu": cpu, "memory": memory, "pods": pods},
              "conditions": [{"type": "Ready", "status": ready}]}
    server.kubectl("patch", "node", name, "--subresource=status", "--type=merge", "-p", json.dumps({"status": status}))


def pod(name, requests=None, node_selector=None, tolerations=None, affinity=None, host_port=None, owner=None,
        scheduler=None):
    container = {"name": "c", "image": "busybox"}
    if requests:
        container["resources"] = {"requests": requests}
    if host_port:
        container["ports"] = [{"containerPort": 80, "hostPort": host_port}]
    spec = {"containers": [container]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    if affinity:
        spec["affinity"] = affinity
    if scheduler:
        spec["schedulerName"] = scheduler
    meta = {"name": name, "namespace": "default"}
    if owner:
        # A kind no controller here manages (nor collects): only the scheduler reads it.
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "set", "uid": owner, "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def create(server, *pods):
    server.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(pods)}))


def node_of(server, name):
    return server.kubectl("get", "pod", name, "-o", "jsonpath={.spec.nodeName}")


def scheduled(server, name, timeout=10):
    return eventually(lambda: node_of(server, name), f"{name} to be scheduled", timeout=timeout)


def unschedulable_message(server, name):
    conditions = json.loads(server.kubectl("get", "pod", name, "-o", "json"))["status"].get("conditions", [])
    c = next((c for c in conditions if c["type"] == "PodScheduled"), None)
    return c["message"] if c and c["status"] == "False" and c["reason"] == "Unschedulable" else None


def test_filters(server):
    add_node(server, "big", cpu="8", labels={"disk": "ssd", "zone": "a"})
    add_node(server, "small", cpu="1", labels={"disk": "hdd", "zone": "b"})
    add_node(server, "tainted", cpu="8", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    add_node(server, "down", cpu="8", ready="False")
    create(server,
           pod("needs-4-cpus", requests={"cpu": "4"}),
           pod("wants-hdd", node_selector={"disk": "hdd"}),
           pod("affinity-b", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
               "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}}),
           pod("tolerates-gpu", requests={"cpu": "7"},
               tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]),
           pod("too-big", requests={"cpu": "16"}))
    assert scheduled(server, "wants-hdd") == "small"
    assert scheduled(server, "affinity-b") == "small"
    # 4 CPUs: only big and tainted have them, and tainted is not tolerated.
    assert scheduled(server, "needs-4-cpus") == "big"
    # 7 CPUs: big has 4 left after needs-4-cpus, so only the tolerated taint's node fits.
    assert scheduled(server, "tolerates-gpu") == "tainted"
    msg = eventually(lambda: unschedulable_message(server, "too-big"), "too-big's condition")
    assert msg == ("0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
                   "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.")
    events = server.kubectl("get", "events", "--field-selector", "involvedObject.name=too-big,reason=FailedScheduling",
                            "-o", "jsonpath={.items[*].message}")
    assert msg in events
    assert "FailedScheduling" in server.kubectl("describe", "pod", "too-big")
    assert "Successfully assigned default/wants-hdd to small" in server.kubectl("describe", "pod", "wants-hdd")


def test_cordon_host_ports_and_other_schedulers(server):
    add_node(server, "a")
    add_node(server, "b")
    server.kubectl("cordon", "b")
    create(server, pod("web-1", host_port=8080), pod("web-2", host_port=8080), pod("mine", scheduler="someone-else"))
    assert scheduled(server, "web-1") == "a"
    msg = eventually(lambda: unschedulable_message(server, "web-2"), "web-2's condition")
    assert msg == ("0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, "
                   "1 node(s) were unschedulable.")
    # Uncordoned: the cluster changed, so the waiting Pod is retried (after its backoff).
    server.kubectl("uncordon", "b")
    assert scheduled(server, "web-2") == "b"
    time.sleep(0.5)
    assert node_of(server, "mine") == ""                  # another scheduler's Pod is left alone


def test_pods_of_one_owner_spread_and_retry_when_a_node_joins(server):
    for n in ("n1", "n2", "n3"):
        add_node(server, n, cpu="64", memory="64Gi")
    create(server, *(pod(f"r{i}", owner="rs-uid") for i in range(6)))
    placed = [scheduled(server, f"r{i}") for i in range(6)]
    assert sorted(placed.count(n) for n in ("n1", "n2", "n3")) == [2, 2, 2]

    create(server, pod("waits", node_selector={"pool": "late"}))
    eventually(lambda: unschedulable_message(server, "waits"), "waits to be unschedulable")
    add_node(server, "late", labels={"pool": "late"})
    assert scheduled(server, "waits") == "late"


def test_resources_are_counted_across_pods_and_freed_by_deletion(server):
    add_node(server, "only", cpu="1", memory="1Gi", pods="3")
    create(server, *(pod(f"p{i}", requests={"cpu": "400m"}) for i in range(3)))
    placed = [eventually(lambda i=i: node_of(server, f"p{i}") or unschedulable_message(server, f"p{i}"), f"p{i}") for i in range(3)]
    assert sorted(p == "only" for p in placed) == [False, True, True]
    waiting = next(f"p{i}" for i, p in enumerate(placed) if p != "only")
    assert unschedulable_message(server, waiting) == "0/1 nodes are available: 1 Insufficient cpu."
    first_bound = next(f"p{i}" for i, p in enumerate(placed) if p == "only")
    server.kubectl("delete", "pod", first_bound, "--grace-period=0", "--force")
    assert scheduled(server, waiting) == "only"
