"""`skiff server --datastore etcd://…`: several API servers on one real etcd cluster (Debian's
etcd 3.4, three members on loopback). Every server serves the same objects with the same
resourceVersions and credentials, watches on one server see writes made through another in
order, exactly one server runs the controllers and another takes over when it dies, losing
an etcd member costs nothing, losing all of etcd gives 503s until it comes back, and an
embedded (SQLite) cluster can be imported into an empty etcd."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import free_port, skiff_binary
from etcd_cluster import EtcdCluster
from test_controllers import eventually

LEASE_FLAGS = ("--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s",
               "--leader-elect-retry-period", "500ms")

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: busybox}]}
"""


# ---------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(autouse=True)
def _remove_tmp_path(tmp_path):
    """Nothing a test leaves in its tmp_path (etcd data, logs, watch output) outlives it."""
    try:
        yield
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def etcd(tmp_path):
    """A healthy three-member etcd cluster on loopback; killed and removed at the end."""
    cluster = EtcdCluster(tmp_path / "etcd", size=3)
    try:
        cluster.start_all()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def servers(etcd, make_server):
    """Three `skiff server`s on `etcd`, with short leader-election times."""
    return [make_server("--datastore", etcd.datastore, *LEASE_FLAGS) for _ in range(3)]


@pytest.fixture
def watches(tmp_path):
    """Starts `kubectl get … -w` processes; every one is killed at the end."""
    made = []

    def watch(server, *args):
        w = KubectlWatch(server, tmp_path / f"watch-{len(made)}", *args)
        made.append(w)
        return w

    try:
        yield watch
    finally:
        for w in made:
            w.stop()


# ---------------------------------------------------------------------------------------
# Helpers


class KubectlWatch:
    """`kubectl get ARGS -w --output-watch-events -o json`, its output in a file."""

    def __init__(self, server, path, *args):
        self.path = str(path)
        self.out = open(self.path + ".out", "w")
        self.err = open(self.path + ".err", "w")
        env = dict(os.environ, KUBECONFIG=server.kubeconfig)
        self.proc = subprocess.Popen(["kubectl", "get", *args, "-w", "--output-watch-events", "-o", "json"],
                                     env=env, stdout=self.out, stderr=self.err, start_new_session=True)

    @property
    def running(self):
        return self.proc.poll() is None

    def events(self):
        """Every complete event printed so far: [{"type": …, "object": …}, …]."""
        with open(self.path + ".out") as f:
            text = f.read()
        decoder, events, at = json.JSONDecoder(), [], 0
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if at >= len(text):
                return events
            try:
                event, at = decoder.raw_decode(text, at)
            except ValueError:
                return events          # the last one is still being written
            events.append(event)

    def named(self, names):
        """(type, name, resourceVersion, uid, data) of the events for objects in `names`."""
        return [(e["type"], e["object"]["metadata"]["name"], e["object"]["metadata"].get("resourceVersion"),
                 e["object"]["metadata"].get("uid"), e["object"].get("data"))
                for e in self.events() if e["object"]["metadata"].get("name") in names]

    def saw(self, name, type=None):
        return any(e["object"]["metadata"].get("name") == name and (type is None or e["type"] == type)
                   for e in self.events())

    def stderr(self):
        with open(self.path + ".err") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.out.close()
        self.err.close()


def get(server, kind, name, namespace="default"):
    p = server.kubectl("get", kind, name, "-n", namespace, "-o", "json", check=False)
    return json.loads(p.stdout) if p.returncode == 0 else None


def identity(obj):
    return obj["metadata"]["uid"], obj["metadata"]["resourceVersion"]


def kubeconfig_token(path):
    with open(path) as f:
        return re.search(r"^\s*token:\s*(\S+)\s*$", f.read(), re.M).group(1)


def read(path):
    with open(path) as f:
        return f.read()


def lease(server):
    p = server.kubectl("get", "lease", "-n", "kube-system", "kube-controller-manager", "-o", "json", check=False)
    return json.loads(p.stdout)["spec"] if p.returncode == 0 else None


def leader_identity(server):
    return read(os.path.join(server.data_dir, "leader-identity")).strip()


def pod_count(server, selector="app=web"):
    return len([p for p in json.loads(server.kubectl("get", "pods", "-l", selector, "-o", "json"))["items"]
                if not p["metadata"].get("deletionTimestamp")])


def alive(server):
    return server.proc is not None and server.proc.poll() is None


# ---------------------------------------------------------------------------------------
# Tests


def test_every_server_serves_the_same_objects_and_credentials(servers):
    # A resourceVersion no server has reached is refused, for watches as for lists.
    for server in servers:
        p = server.kubectl("get", "--raw", "/api/v1/configmaps?watch=1&resourceVersion=999999999", check=False)
        assert p.returncode != 0 and "Too large resource version" in p.stderr, (p.stdout, p.stderr)
    a, b, c = servers
    # One cluster's credentials everywhere: the admin token (file and kubeconfig) and the CA.
    token = a.token()
    for s in servers:
        assert s.token() == token
        assert kubeconfig_token(s.kubeconfig) == token
        assert read(os.path.join(s.data_dir, "tls", "ca.crt")) == read(os.path.join(a.data_dir, "tls", "ca.crt"))
    # So A's kubeconfig works against B: B's serving certificate comes from the same CA.
    env = dict(os.environ, KUBECONFIG=a.kubeconfig)
    p = subprocess.run(["kubectl", "--server", b.url, "get", "namespaces", "default", "-o", "name"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "namespace/default", p.stderr

    created = json.loads(a.kubectl("create", "configmap", "shared", "--from-literal=color=blue", "-o", "json"))
    for s in (b, c):
        got = get(s, "configmap", "shared")
        assert got is not None, f"{s.url} does not see the ConfigMap created through {a.url}"
        assert identity(got) == identity(created)
        assert got["data"] == {"color": "blue"}

    # An update through B is seen through A and C at B's resourceVersion.
    updated = json.loads(b.kubectl("patch", "configmap", "shared", "--type=merge", "-p", '{"data":{"color":"red"}}',
                                   "-o", "json"))
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    for s in (a, c):
        got = get(s, "configmap", "shared")
        assert identity(got) == identity(updated) and got["data"] == {"color": "red"}

    deployment = json.loads(a.kubectl("create", "-f", "-", "-o", "json", input=DEPLOYMENT % 2))
    uid = deployment["metadata"]["uid"]

    # The leader's controllers keep writing the Deployment's status for a moment; once it
    # settles, every server answers the same uid and resourceVersion.
    def same_everywhere(kind, name):
        first = get(a, kind, name)
        seen = [first, get(b, kind, name), get(c, kind, name), get(a, kind, name)]
        if any(o is None for o in seen):
            return None
        ids = {identity(o) for o in seen}
        return seen[0] if len(ids) == 1 else None

    settled = eventually(lambda: same_everywhere("deployment", "web"), "the Deployment the same through A, B and C", 30)
    assert settled["metadata"]["uid"] == uid
    # What the controllers made (wherever they run) is the same through every server too.
    rs_name = eventually(lambda: [r["metadata"]["name"] for r in
                                  json.loads(c.kubectl("get", "rs", "-l", "app=web", "-o", "json"))["items"]],
                         "the Deployment's ReplicaSet", 30)[0]
    eventually(lambda: same_everywhere("rs", rs_name), "the ReplicaSet the same through A, B and C", 30)

    def listing(s):
        items = json.loads(s.kubectl("get", "configmaps,deployments", "-o", "json"))["items"]
        return sorted((i["kind"], i["metadata"]["name"], *identity(i)) for i in items)

    lists = eventually(lambda: (lambda ls: ls if ls[0] == ls[1] == ls[2] else None)([listing(s) for s in servers]),
                       "the same lists through A, B and C", 30)
    assert ("ConfigMap", "shared", *identity(updated)) in lists[0]
    assert ("Deployment", "web", *identity(settled)) in lists[0]


def test_watches_on_one_server_see_writes_through_another_in_order(servers, watches):
    a, b, c = servers
    ns = "watched"
    a.kubectl("create", "namespace", ns)
    a.kubectl("create", "configmap", "marker", "-n", ns)
    on_b = watches(b, "configmaps", "-n", ns)
    on_c = watches(c, "configmaps", "-n", ns)
    # The marker comes with kubectl's initial list: from then on everything comes as watch events.
    for w in (on_b, on_c):
        eventually(lambda: w.saw("marker") or not w.running, "the watch's initial list", 30)
        assert w.running, w.stderr()

    ops = [("create", "w0"), ("create", "w1"), ("update", "w0"), ("create", "w2"), ("update", "w1"),
           ("delete", "w0"), ("update", "w2"), ("create", "w3"), ("update", "w3"), ("update", "w3"),
           ("delete", "w1"), ("create", "w0"), ("update", "w0"), ("create", "w4"), ("delete", "w3"),
           ("update", "w4"), ("delete", "w2"), ("update", "w0"), ("delete", "w4"), ("delete", "w0")]
    assert len(ops) == 20
    expected = []
    for step, (op, name) in enumerate(ops):
        if op == "create":
            obj = json.loads(a.kubectl("create", "configmap", name, "-n", ns, f"--from-literal=step={step}", "-o", "json"))
            expected.append(("ADDED", name, obj["metadata"]["resourceVersion"], obj["metadata"]["uid"], {"step": str(step)}))
        elif op == "update":
            obj = json.loads(a.kubectl("patch", "configmap", name, "-n", ns, "--type=merge",
                                       "-p", json.dumps({"data": {"step": str(step)}}), "-o", "json"))
            expected.append(("MODIFIED", name, obj["metadata"]["resourceVersion"], obj["metadata"]["uid"], {"step": str(step)}))
        else:
            code, obj, _ = a.request("DELETE", f"/api/v1/namespaces/{ns}/configmaps/{name}")
            assert code == 200, obj
            # A deletion's event carries the object's last state at the deletion's revision,
            # which is also what the DELETE answered (when it answered the object, not a Status).
            rv = obj["metadata"].get("resourceVersion") if obj.get("kind") == "ConfigMap" else None
            previous = [e for e in expected if e[1] == name][-1]
            expected.append(("DELETED", name, rv, previous[3], previous[4]))

    names = {n for _, n in ops}
    rvs_from_a = [int(e[2]) for e in expected if e[2] is not None]
    assert rvs_from_a == sorted(rvs_from_a) and len(set(rvs_from_a)) == len(rvs_from_a), expected

    for server, w in ((b, on_b), (c, on_c)):
        seen = eventually(lambda: (lambda s: s if len(s) >= len(expected) or not w.running else None)(w.named(names)),
                          f"20 events on the watch through {server.url}", 30)
        assert w.running, f"the watch through {server.url} ended: {w.stderr()}"
        assert [(t, n) for t, n, *_ in seen] == [(t, n) for t, n, *_ in expected], seen
        rvs = [int(rv) for _, _, rv, _, _ in seen]
        assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs), f"resourceVersions not increasing: {rvs}"
        for got, want in zip(seen, expected):
            assert got[3] == want[3] and got[4] == want[4], (got, want)
            if want[2] is not None:
                assert got[2] == want[2], (got, want)
        # Nothing more (no duplicate or stray events) after a moment.
        time.sleep(1)
        assert len(w.named(names)) == len(expected), w.named(names)


def test_killing_the_leader_hands_the_controllers_to_another(servers):
    by_identity = {leader_identity(s): s for s in servers}
    first = eventually(lambda: (lease(servers[0]) or {}).get("holderIdentity"), "a leader", 20)
    assert first in by_identity, (first, list(by_identity))
    leader = by_identity[first]
    survivors = [s for s in servers if s is not leader]
    eventually(lambda: f"{first} became leader" in read(leader.log_path), "the leader's log", 10)
    for s in survivors:
        assert "became leader" not in read(s.log_path), read(s.log_path)
        assert "starting controllers" not in read(s.log_path), read(s.log_path)

    survivors[0].kubectl("apply", "-f", "-", input=DEPLOYMENT % 2)
    eventually(lambda: pod_count(survivors[1]) == 2, "two Pods from the leader's controllers", 30)
    transitions = lease(survivors[0]).get("leaseTransitions", 0)

    leader.kill(signal.SIGKILL)
    second = eventually(lambda: (lambda h: h if h and h != first else None)((lease(survivors[0]) or {}).get("holderIdentity")),
                        "another server taking the Lease", 30)
    assert second in by_identity and by_identity[second] in survivors, (second, list(by_identity))
    new_leader = by_identity[second]
    eventually(lambda: f"{second} became leader" in read(new_leader.log_path), "the new leader's log", 10)
    assert lease(survivors[0])["leaseTransitions"] == transitions + 1
    [other] = [s for s in survivors if s is not new_leader]
    assert "became leader" not in read(other.log_path), read(other.log_path)

    other.kubectl("scale", "deployment", "web", "--replicas=4")
    eventually(lambda: pod_count(new_leader) == 4, "four Pods from the new leader's controllers", 30)
    eventually(lambda: (get(other, "deployment", "web")["status"].get("replicas") == 4), "the Deployment's status", 30)
    # One controller at work, not two: no extra Pods or ReplicaSets appear.
    time.sleep(2)
    assert pod_count(other) == 4
    assert len(json.loads(other.kubectl("get", "rs", "-l", "app=web", "-o", "json"))["items"]) == 1


def test_losing_one_etcd_member_keeps_the_api_working(etcd, servers, watches):
    a, b, c = servers
    before = json.loads(a.kubectl("create", "configmap", "before", "-o", "json"))
    old_watches = [watches(s, "configmaps") for s in servers]
    for w in old_watches:
        eventually(lambda: w.saw("before") or not w.running, "the watch's initial list", 30)
        assert w.running, w.stderr()

    # Member 0 is the first each server talks to, so its requests and watches were on it;
    # making it raft leader too, its loss also costs the others an election.
    etcd.make_leader(0)
    etcd.kill(0, signal.SIGKILL)
    etcd.wait_healthy(timeout=30)      # the other two have a leader

    made = {}
    for i, s in enumerate(servers):
        p = s.kubectl("create", "configmap", f"after-{i}", "-o", "json", check=False)
        assert p.returncode == 0, f"create through {s.url} with one etcd member down: {p.stderr}\n" + read(s.log_path)[-3000:]
        made[f"after-{i}"] = json.loads(p.stdout)
    for s in servers:
        for name, obj in [("before", before), *made.items()]:
            got = get(s, "configmap", name)
            assert got is not None and identity(got) == identity(obj), (s.url, name, got)
        items = json.loads(s.kubectl("get", "configmaps", "-o", "json"))["items"]
        assert {"before", *made} <= {i["metadata"]["name"] for i in items}
    updated = json.loads(b.kubectl("patch", "configmap", "before", "--type=merge", "-p", '{"data":{"k":"v"}}', "-o", "json"))
    assert identity(get(c, "configmap", "before")) == identity(updated)

    # A watch opened now works through every server.
    new_watches = [watches(s, "configmaps") for s in servers]
    for w in new_watches:
        eventually(lambda: w.saw("after-2") or not w.running, "the new watch's initial list", 30)
        assert w.running, w.stderr()
    late = json.loads(a.kubectl("create", "configmap", "late", "-o", "json"))
    for s, w in zip(servers, new_watches):
        eventually(lambda: w.saw("late", "ADDED") or not w.running, f"'late' on the new watch through {s.url}", 30)
        assert w.running, w.stderr()
        [event] = [e for e in w.events() if e["object"]["metadata"]["name"] == "late"]
        assert identity(event["object"]) == identity(late)

    # A watch that was open when the member died may have ended; one that still runs must
    # not have stalled: it delivers what was written after the kill, in order.
    for s, w in zip(servers, old_watches):
        eventually(lambda: w.saw("late") or not w.running, f"the old watch through {s.url} delivering or ending", 30)
        if w.running:
            names = [e["object"]["metadata"]["name"] for e in w.events()]
            after = [n for n in names if n.startswith("after-") or n == "late"]
            assert after == ["after-0", "after-1", "after-2", "late"], names


def test_etcd_down_gives_503_and_the_api_recovers(etcd, servers, watches):
    a, b, c = servers
    a.kubectl("create", "namespace", "keep")
    kept = json.loads(a.kubectl("create", "configmap", "kept", "-n", "keep", "--from-literal=k=v", "-o", "json"))

    etcd.stop_all(signal.SIGTERM)

    # Every server answers 503 with a Status, to kubectl and to a raw request, for reads and
    # writes. (Asked all at once: each answer waits for the server to give up on etcd.)
    # `kubectl create configmap` words errors its own way; `create -f` shows the reason.
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: during, namespace: keep}\n"
    calls = []
    for s in servers:
        calls += [(s, "kubectl get", lambda s=s: s.kubectl("get", "configmap", "kept", "-n", "keep", check=False, timeout=120)),
                  (s, "kubectl create", lambda s=s: s.kubectl("create", "-f", "-", input=manifest, check=False, timeout=120)),
                  (s, "GET", lambda s=s: s.request("GET", "/api/v1/namespaces/keep/configmaps/kept")),
                  (s, "LIST", lambda s=s: s.request("GET", "/api/v1/configmaps")),
                  (s, "POST", lambda s=s: s.request("POST", "/api/v1/namespaces/keep/configmaps",
                                                   {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "during"}}))]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        answers = list(pool.map(lambda call: call[2](), calls))
    for (s, what, _), answer in zip(calls, answers):
        if what.startswith("kubectl"):
            assert answer.returncode != 0 and "ServiceUnavailable" in answer.stderr, (s.url, what, answer.stdout, answer.stderr)
        else:
            code, body, _ = answer
            assert code == 503, (s.url, what, code, body)
            assert isinstance(body, dict) and body.get("kind") == "Status", (s.url, what, body)
            assert body.get("reason") == "ServiceUnavailable" and body.get("code") == 503, (s.url, what, body)
    # Well past the renew deadline (the leader cannot renew): every server still runs.
    time.sleep(3)
    for s in servers:
        assert alive(s), f"{s.url} died with etcd down:\n" + read(s.log_path)[-3000:]

    etcd.start_all(timeout=60)       # the same members on the same data directories

    for s in servers:
        got = eventually(lambda: get(s, "configmap", "kept", "keep"), f"{s.url} answering again", 60)
        assert identity(got) == identity(kept) and got["data"] == {"k": "v"}
        assert alive(s)
    for i, s in enumerate(servers):
        s.kubectl("create", "configmap", f"after-{i}", "-n", "keep")
    for s in servers:
        names = {i["metadata"]["name"] for i in json.loads(s.kubectl("get", "configmaps", "-n", "keep", "-o", "json"))["items"]}
        assert {"kept", "after-0", "after-1", "after-2"} <= names and "during" not in names, names

    # Watches work again, across servers.
    w = watches(b, "configmaps", "-n", "keep")
    eventually(lambda: w.saw("kept") or not w.running, "the watch's initial list", 30)
    assert w.running, w.stderr()
    again = json.loads(a.kubectl("create", "configmap", "again", "-n", "keep", "-o", "json"))
    eventually(lambda: w.saw("again", "ADDED") or not w.running, "a write through A on a watch through B", 30)
    assert w.running, w.stderr()
    [event] = [e for e in w.events() if e["object"]["metadata"]["name"] == "again"]
    assert identity(event["object"]) == identity(again)

    # The controllers are back too (some server leads again).
    c.kubectl("apply", "-f", "-", input=DEPLOYMENT % 1)
    eventually(lambda: pod_count(a) == 1, "a Pod from the controllers after etcd came back", 60)


def test_import_an_embedded_cluster_into_empty_etcd(make_server, tmp_path):
    old = make_server()      # the embedded SQLite store
    namespace = json.loads(old.kubectl("create", "namespace", "legacy", "-o", "json"))
    configmap = json.loads(old.kubectl("create", "configmap", "settings", "-n", "legacy", "--from-literal=mode=old", "-o", "json"))
    service = json.loads(old.kubectl("create", "service", "clusterip", "db", "-n", "legacy", "--tcp=5432:5432", "-o", "json"))
    cluster_ip = service["spec"]["clusterIP"]
    assert cluster_ip and cluster_ip != "None"
    token = old.token()
    old.kill(signal.SIGTERM)

    etcd = EtcdCluster(tmp_path / "etcd", size=1)
    try:
        etcd.start_all()
        new = make_server("--datastore", etcd.datastore, "--import", old.data_dir)
        assert new.token() == token
        assert read(os.path.join(new.data_dir, "tls", "ca.crt")) == read(os.path.join(old.data_dir, "tls", "ca.crt"))

        # The old admin kubeconfig, pointed at the new server: the same token and CA work.
        kubeconfig = tmp_path / "old-admin.kubeconfig"
        text = read(old.kubeconfig)
        assert old.url in text
        kubeconfig.write_text(text.replace(old.url, new.url))
        env = dict(os.environ, KUBECONFIG=str(kubeconfig))

        def kubectl(*args, check=True, input=None):
            p = subprocess.run(["kubectl", *args], env=env, input=input, capture_output=True, text=True, timeout=60)
            assert not check or p.returncode == 0, f"kubectl {' '.join(args)}: {p.stderr}\n" + read(new.log_path)[-3000:]
            return p

        got = json.loads(kubectl("get", "namespace", "legacy", "-o", "json").stdout)
        assert got["metadata"]["uid"] == namespace["metadata"]["uid"]
        got = json.loads(kubectl("get", "configmap", "settings", "-n", "legacy", "-o", "json").stdout)
        assert got["metadata"]["uid"] == configmap["metadata"]["uid"] and got["data"] == {"mode": "old"}
        got = json.loads(kubectl("get", "service", "db", "-n", "legacy", "-o", "json").stdout)
        assert got["metadata"]["uid"] == service["metadata"]["uid"]
        assert got["spec"]["clusterIP"] == cluster_ip and got["spec"]["clusterIPs"] == service["spec"]["clusterIPs"]
        # The imported Service still holds its address: another cannot take it.
        p = kubectl("create", "-f", "-", check=False,
                    input=f"apiVersion: v1\nkind: Service\nmetadata: {{name: thief, namespace: legacy}}\n"
                          f"spec: {{clusterIP: {cluster_ip}, ports: [{{port: 1}}]}}\n")
        assert p.returncode != 0 and "already allocated" in p.stderr, (p.stdout, p.stderr)
        # And the imported cluster takes writes.
        kubectl("patch", "configmap", "settings", "-n", "legacy", "--type=merge", "-p", '{"data":{"mode":"new"}}')

        # A second import, now that etcd holds a cluster, refuses and exits non-zero.
        second_dir = tmp_path / "second"
        p = subprocess.run([skiff_binary(), "server", "--data-dir", str(second_dir), "--listen", f"127.0.0.1:{free_port()}",
                            "--datastore", etcd.datastore, "--import", old.data_dir, *LEASE_FLAGS],
                           capture_output=True, text=True, timeout=60, start_new_session=True)
        output = p.stdout + p.stderr
        assert p.returncode != 0, output
        # It leaves the imported cluster as it was…
        got = json.loads(kubectl("get", "configmap", "settings", "-n", "legacy", "-o", "json").stdout)
        assert got["metadata"]["uid"] == configmap["metadata"]["uid"] and got["data"] == {"mode": "new"}
        assert new.token() == token
        # …and says why, as a usage-style error (exit code 1 or so), not a crash.
        assert 0 < p.returncode < 128, (p.returncode, output)
        assert "--import" in output and "empty" in output, output
    finally:
        etcd.close()


def kubernetes_endpoints(server):
    """The `kubernetes` Service's endpoints as (ip, port) pairs when its Endpoints and its
    EndpointSlices say the same (they are two writes, so a read may fall between them), else None."""
    ep = get(server, "endpoints", "kubernetes")
    from_endpoints = sorted((a["ip"], p["port"]) for s in ep.get("subsets", []) for a in s["addresses"] for p in s["ports"])
    slices = json.loads(server.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "json"))["items"]
    from_slices = sorted((a, p["port"]) for sl in slices for e in sl.get("endpoints") or [] for a in e["addresses"] for p in sl["ports"])
    return from_endpoints if from_endpoints == from_slices else None


def test_the_kubernetes_service_lists_every_live_server_and_sigterm_hands_over_at_once(servers):
    everyone = sorted(("127.0.0.1", s.port) for s in servers)
    eventually(lambda: kubernetes_endpoints(servers[0]) == everyone, "every server in the kubernetes endpoints", 30)
    by_identity = {leader_identity(s): s for s in servers}
    first = eventually(lambda: (lease(servers[0]) or {}).get("holderIdentity"), "a leader", 20)
    leader = by_identity[first]
    survivors = [s for s in servers if s is not leader]

    # A clean stop: the Lease is given up and the server leaves the endpoints at once,
    # long before the 15 s a silent server's record lasts.
    leader.proc.send_signal(signal.SIGTERM)
    assert leader.proc.wait(timeout=15) == 0, read(leader.log_path)
    assert "Fatal error" not in read(leader.log_path)
    stopped = time.monotonic()
    second = eventually(lambda: (lambda h: h if h and h != first else None)((lease(survivors[0]) or {}).get("holderIdentity")),
                        "another server taking the given-up Lease", 10)
    remaining = sorted(("127.0.0.1", s.port) for s in survivors)
    eventually(lambda: kubernetes_endpoints(survivors[0]) == remaining, "the stopped server gone from the endpoints", 10)
    assert time.monotonic() - stopped < 10
    assert by_identity[second] in survivors

    # A crash: the record expires instead.
    victim = survivors[1] if by_identity[second] is survivors[0] else survivors[0]
    victim.kill(signal.SIGKILL)
    [last] = [s for s in survivors if s is not victim]
    eventually(lambda: kubernetes_endpoints(last) == [("127.0.0.1", last.port)], "the killed server's record expiring", 40)
