"""The Deployment controller inside `skiff server`, driven with the real kubectl: ReplicaSets
per template, rolling updates that never cross their surge/unavailable bounds (checked at
every Pod event), Recreate, rollback, scale, pause, the progress deadline, history clean-up
and cascading deletion. A stand-in agent marks Pods Ready, as a node agent would."""
import json
import time

import pytest

from rollout_watch import BoundsWatcher, FakeAgent, is_ready
from test_controllers import apply, eventually

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: default, annotations: {{kubernetes.io/change-cause: "{cause}"}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  {extra}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: "{image}"}}]}}
"""


def deployment(replicas=3, image="busybox:1", cause="first", extra="strategy: {type: RollingUpdate}"):
    return DEPLOYMENT.format(replicas=replicas, image=image, cause=cause, extra=extra)


def get(server, kind, name):
    return json.loads(server.kubectl("get", kind, name, "-o", "json"))


def replica_sets(server):
    items = json.loads(server.kubectl("get", "rs", "-l", "app=web", "-o", "json"))["items"]
    return {rs["metadata"]["name"]: rs for rs in items}


def live_pods(server):
    items = json.loads(server.kubectl("get", "pods", "-l", "app=web", "-o", "json"))["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def rollout_status(server, timeout="60s"):
    return server.kubectl("rollout", "status", "deployment/web", f"--timeout={timeout}", check=False, timeout=90)


@pytest.fixture
def agent(server):
    a = FakeAgent(server, "app=web")
    a.start()
    yield a
    a.stop()


def test_a_deployment_runs_its_template_through_a_hashed_replicaset(server, agent):
    apply(server, deployment(replicas=3))
    done = rollout_status(server)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith('deployment "web" successfully rolled out')

    [rs] = replica_sets(server).values()
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{h}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "3"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "4"
    assert rs["metadata"]["annotations"]["kubernetes.io/change-cause"] == "first"
    ref = rs["metadata"]["ownerReferences"][0]
    assert ref["kind"] == "Deployment" and ref["name"] == "web" and ref["controller"] is True

    pods = live_pods(server)
    assert len(pods) == 3 and all(p["metadata"]["name"].startswith(f"web-{h}-") for p in pods)
    assert all(p["metadata"]["labels"] == {"app": "web", "pod-template-hash": h} for p in pods)

    d = get(server, "deployment", "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    status = d["status"]
    assert (status["replicas"], status["updatedReplicas"], status["readyReplicas"], status["availableReplicas"]) == (3, 3, 3, 3)
    assert status["observedGeneration"] == d["metadata"]["generation"]
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["Available"]["status"] == "True" and conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert conditions["Progressing"]["message"] == f'ReplicaSet "web-{h}" has successfully progressed.'
    described = server.kubectl("describe", "deployment", "web")
    assert f"Scaled up replica set web-{h} to 3" in described
    assert f"NewReplicaSet:   web-{h} (3/3 replicas created)" in described
    out = server.kubectl("get", "deployment", "web")
    assert out.split("\n")[1].split()[:4] == ["web", "3/3", "3", "3"]


@pytest.mark.parametrize("replicas,surge,unavailable,ceiling,floor", [
    (4, 1, 1, 5, 3),
    (4, "25%", 0, 5, 4),      # surge rounds up, nothing may be unavailable
    (5, 0, "40%", 5, 3),      # no surge at all: old Pods must go first
])
def test_rolling_updates_never_cross_their_bounds(server, agent, replicas, surge, unavailable, ceiling, floor):
    strategy = f"strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: {json.dumps(surge)}, maxUnavailable: {json.dumps(unavailable)}}}}}"
    apply(server, deployment(replicas=replicas, extra=strategy))
    assert rollout_status(server).returncode == 0
    first = set(replica_sets(server))

    watcher = BoundsWatcher(server, "app=web", ceiling=ceiling, floor=floor)
    watcher.start()
    apply(server, deployment(replicas=replicas, image="busybox:2", cause="second", extra=strategy))
    done = rollout_status(server)
    assert done.returncode == 0, done.stdout + done.stderr
    eventually(lambda: len(live_pods(server)) == replicas, "old Pods gone")
    time.sleep(0.3)
    watcher.stop()
    assert watcher.events > 2 * replicas, "the watch saw the rollout"
    assert not watcher.violations, f"bounds crossed (event, pod, live, ready): {watcher.violations}"
    assert "Waiting for deployment \"web\" rollout to finish" in done.stdout

    sets = replica_sets(server)
    [new] = set(sets) - first
    [old] = first
    assert sets[new]["spec"]["replicas"] == replicas and sets[old]["spec"]["replicas"] == 0
    assert sets[new]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert all(p["metadata"]["labels"]["pod-template-hash"] == sets[new]["metadata"]["labels"]["pod-template-hash"]
               for p in live_pods(server))


def test_recreate_removes_every_old_pod_before_creating_new_ones(server, agent):
    apply(server, deployment(replicas=3, extra="strategy: {type: Recreate}"))
    assert rollout_status(server).returncode == 0
    watcher = BoundsWatcher(server, "app=web", ceiling=3, floor=0)
    watcher.start()
    apply(server, deployment(replicas=3, image="busybox:2", extra="strategy: {type: Recreate}"))
    assert rollout_status(server).returncode == 0
    eventually(lambda: len(live_pods(server)) == 3 and all(is_ready(p) for p in live_pods(server)), "new Pods ready")
    time.sleep(0.3)
    watcher.stop()
    assert not watcher.violations
    # Never old and new together, and there was a moment with none.
    assert all(len(hashes) <= 1 for hashes in watcher.hashes_seen), watcher.hashes_seen
    assert [] in watcher.hashes_seen


def test_rollback_scale_and_history(server, agent):
    apply(server, deployment(replicas=2, image="busybox:1", cause="first"))
    assert rollout_status(server).returncode == 0
    apply(server, deployment(replicas=2, image="busybox:2", cause="second"))
    assert rollout_status(server).returncode == 0

    history = server.kubectl("rollout", "history", "deployment/web")
    lines = [l.split() for l in history.splitlines()[2:] if l.strip()]
    assert lines == [["1", "first"], ["2", "second"]], history

    out = server.kubectl("rollout", "undo", "deployment/web")
    assert out.strip() == "deployment.apps/web rolled back"
    assert rollout_status(server).returncode == 0
    d = get(server, "deployment", "web")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # The first ReplicaSet came back (revision 3) rather than a new one being made.
    sets = replica_sets(server)
    assert len(sets) == 2
    revisions = {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                 for rs in sets.values()}
    assert revisions == {"busybox:1": "3", "busybox:2": "2"}
    assert all(p["spec"]["containers"][0]["image"] == "busybox:1" for p in live_pods(server))

    server.kubectl("rollout", "undo", "deployment/web", "--to-revision=2")
    assert rollout_status(server).returncode == 0
    assert get(server, "deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:2"

    out = server.kubectl("scale", "deployment", "web", "--replicas=5")
    assert out.strip() == "deployment.apps/web scaled"
    assert rollout_status(server).returncode == 0
    eventually(lambda: len(live_pods(server)) == 5, "five Pods")
    server.kubectl("scale", "deployment", "web", "--replicas=1")
    eventually(lambda: len(live_pods(server)) == 1, "one Pod")
    assert get(server, "deployment", "web")["status"]["replicas"] == 1 or eventually(
        lambda: get(server, "deployment", "web")["status"].get("replicas") == 1, "status.replicas 1")


def test_a_scale_during_a_rollout_is_shared_in_proportion(server):
    # Nothing becomes ready, so the rollout stays half-way: 4 old, the surge room in new ones.
    strategy = "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}"
    apply(server, deployment(replicas=4, extra=strategy))
    agent = FakeAgent(server, "app=web")
    agent.start()
    try:
        assert rollout_status(server).returncode == 0
    finally:
        agent.stop()
    apply(server, deployment(replicas=4, image="busybox:2", extra=strategy))
    eventually(lambda: sorted(rs["spec"]["replicas"] for rs in replica_sets(server).values()) == [2, 4], "4 old + 2 new")
    server.kubectl("scale", "deployment", "web", "--replicas=8")
    # The surge ceiling goes from 6 to 10, shared 4:2 → 7:3 (rounded), as upstream.
    sizes = eventually(lambda: (lambda s: s if sum(s) == 10 else None)(
        sorted(rs["spec"]["replicas"] for rs in replica_sets(server).values())), "10 replicas shared out")
    assert sizes == [3, 7]


def test_pause_and_resume(server, agent):
    apply(server, deployment(replicas=2))
    assert rollout_status(server).returncode == 0
    assert server.kubectl("rollout", "pause", "deployment/web").strip() == "deployment.apps/web paused"
    server.kubectl("set", "image", "deployment/web", "c=busybox:2")
    progressing = eventually(lambda: next((c for c in get(server, "deployment", "web")["status"]["conditions"]
                                           if c["type"] == "Progressing" and c["reason"] == "DeploymentPaused"), None), "paused")
    assert progressing["status"] == "Unknown" and progressing["message"] == "Deployment is paused"
    time.sleep(1)
    assert len(replica_sets(server)) == 1, "no rollout while paused"
    # Scaling still works while paused.
    server.kubectl("scale", "deployment", "web", "--replicas=3")
    eventually(lambda: len(live_pods(server)) == 3, "scaled while paused")

    assert server.kubectl("rollout", "resume", "deployment/web").strip() == "deployment.apps/web resumed"
    assert rollout_status(server).returncode == 0
    assert len(replica_sets(server)) == 2
    assert all(p["spec"]["containers"][0]["image"] == "busybox:2" for p in live_pods(server))


def test_a_stuck_rollout_exceeds_its_progress_deadline(server):
    apply(server, deployment(replicas=2, extra="progressDeadlineSeconds: 2"))
    # Nothing ever becomes ready.
    done = rollout_status(server, timeout="30s")
    assert done.returncode != 0
    assert 'error: deployment "web" exceeded its progress deadline' in done.stderr
    [progressing] = [c for c in get(server, "deployment", "web")["status"]["conditions"] if c["type"] == "Progressing"]
    assert progressing["status"] == "False" and progressing["reason"] == "ProgressDeadlineExceeded"
    assert progressing["message"].endswith("has timed out progressing.")


def test_revision_history_limit_and_cascading_delete(server, agent):
    for i in range(1, 5):
        apply(server, deployment(replicas=1, image=f"busybox:{i}", extra="revisionHistoryLimit: 1"))
        assert rollout_status(server).returncode == 0
    # The current ReplicaSet and one old one are kept.
    sets = eventually(lambda: (lambda s: s if len(s) == 2 else None)(replica_sets(server)), "history trimmed to 1")
    assert sorted(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] for rs in sets.values()) == ["3", "4"]

    server.kubectl("delete", "deployment", "web")
    eventually(lambda: not replica_sets(server) and not live_pods(server), "ReplicaSets and Pods deleted")


def test_an_empty_selector_is_refused(server):
    code, body, _ = server.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
        "spec": {"selector": {}, "template": {"metadata": {"labels": {"app": "x"}},
                                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    assert code == 422 and body["kind"] == "Status" and body["reason"] == "Invalid"
