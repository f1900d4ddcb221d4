"""The ReplicaSet controller inside `skiff server`, driven with kubectl: Pods created to the
replica count with the ReplicaSet as owner, scaled up and down (least useful Pods first),
replaced when deleted, orphans adopted and status kept. Pods are marked Ready by the test
as an agent would."""
import json

from test_controllers import apply, eventually, set_status

RS = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: c, image: busybox}]}
"""


def owned_pods(server):
    pods = json.loads(server.kubectl("get", "pods", "-l", "app=web", "-o", "json"))["items"]
    return [p for p in pods if p["metadata"].get("deletionTimestamp") is None]


def rs_status(server):
    return json.loads(server.kubectl("get", "rs", "web", "-o", "json")).get("status", {})


def count_is(server, n):
    return lambda: (lambda p: p if len(p) == n else None)(owned_pods(server))


def test_replicas_are_kept_scaled_and_replaced(server):
    apply(server, RS % 3)
    pods = eventually(count_is(server, 3), "3 pods")
    for p in pods:
        ref = p["metadata"]["ownerReferences"][0]
        assert ref["kind"] == "ReplicaSet" and ref["name"] == "web" and ref["controller"] is True
        assert p["metadata"]["name"].startswith("web-")
        assert p["metadata"]["labels"] == {"app": "web", "tier": "front"}
    assert eventually(lambda: rs_status(server).get("replicas") == 3, "status.replicas")
    assert "SuccessfulCreate" in server.kubectl("describe", "rs", "web")

    # Two become ready: readyReplicas / availableReplicas follow.
    for i, p in enumerate(pods[:2]):
        set_status(server, p["metadata"]["name"], f"10.244.9.{i + 1}", ready=True)
    eventually(lambda: rs_status(server).get("readyReplicas") == 2 and rs_status(server).get("availableReplicas") == 2,
               "ready and available counts")

    # A deleted Pod is replaced.
    victim = pods[0]["metadata"]["name"]
    server.kubectl("delete", "pod", victim)
    after = eventually(count_is(server, 3), "a replacement")
    assert victim not in {p["metadata"]["name"] for p in after}

    # Scaled down to one: the ready Pod that is left stays, the not-ready ones go first.
    ready_left = pods[1]["metadata"]["name"]
    server.kubectl("scale", "rs", "web", "--replicas=1")
    [kept] = eventually(count_is(server, 1), "one pod")
    assert kept["metadata"]["name"] == ready_left
    eventually(lambda: rs_status(server).get("replicas") == 1, "status after scale-down")
    assert rs_status(server).get("observedGeneration") == json.loads(server.kubectl("get", "rs", "web", "-o", "json"))["metadata"]["generation"]

    # Scaled up with kubectl scale.
    server.kubectl("scale", "rs", "web", "--replicas=4")
    eventually(count_is(server, 4), "four pods")


def test_orphans_are_adopted_and_mismatches_released(server):
    apply(server, """
apiVersion: v1
kind: Pod
metadata: {name: stray, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, image: busybox}]}
""")
    apply(server, RS % 2)
    pods = eventually(count_is(server, 2), "two pods counting the adopted one")
    stray = next(p for p in pods if p["metadata"]["name"] == "stray")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "web"

    # Relabelled out of the selector: released, and replaced.
    server.kubectl("label", "pod", "stray", "app=other", "--overwrite")
    eventually(count_is(server, 2), "a replacement for the released pod")
    eventually(lambda: not json.loads(server.kubectl("get", "pod", "stray", "-o", "json"))["metadata"].get("ownerReferences"),
               "the owner reference to go")


def test_deleting_a_replicaset_deletes_its_pods_in_the_background(server):
    apply(server, RS % 3)
    eventually(count_is(server, 3), "3 pods")
    apply(server, """
apiVersion: v1
kind: Pod
metadata: {name: unrelated, namespace: default, labels: {app: other}}
spec: {containers: [{name: c, image: busybox}]}
""")
    server.kubectl("delete", "rs", "web")
    eventually(lambda: server.kubectl("get", "pods", "-l", "app=web", "-o", "name") == "", "the pods to be collected")
    assert server.kubectl("get", "pod", "unrelated", "-o", "name") == "pod/unrelated\n"


def test_an_object_keeps_living_while_one_of_its_owners_does(server):
    apply(server, RS % 0)
    rs = json.loads(server.kubectl("get", "rs", "web", "-o", "json"))
    svc = json.loads(server.kubectl("create", "service", "clusterip", "keeper", "--tcp=80", "-o", "json"))
    refs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": rs["metadata"]["uid"]},
            {"apiVersion": "v1", "kind": "Service", "name": "keeper", "uid": svc["metadata"]["uid"]}]
    server.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shared", "namespace": "default", "labels": {"x": "y"},
                                                         "ownerReferences": refs},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}))
    server.kubectl("delete", "rs", "web")
    eventually(lambda: [r["kind"] for r in json.loads(server.kubectl("get", "pod", "shared", "-o", "json"))["metadata"]["ownerReferences"]]
               == ["Service"], "the dangling reference to be dropped")
    server.kubectl("delete", "service", "keeper")
    eventually(lambda: server.kubectl("get", "pod", "shared", "--ignore-not-found", "-o", "name") == "", "the pod to go with its last owner")
