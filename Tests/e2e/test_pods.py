"""Pods run by `skiff agent` on runc, on a node that is a network namespace of the overlay
test cluster (overlay_cluster.py): the sandbox networked by the real skiff-cni through the
overlay's config list, containers from a busybox image imported into the node's store, status
as upstream reports it, restarts by restartPolicy with CrashLoopBackOff, a missing image's
reason, and graceful deletion that leaves no namespace, mount, runc state or file behind."""
import glob
import json
import os
import subprocess
import time

import pytest

from conftest import skiff_binary
from images import oci_layout
from overlay_cluster import SWITCH_IP, Cluster
from test_controllers import eventually


class AgentNode:
    """Cluster node 1 running `skiff agent` with its embedded overlay (which writes the CNI
    config and installs skiff-cni), proxy and DNS. The agent joins the node's network
    namespace only (nsenter), so that runc sees the host's cgroup mounts; everything it
    mounts is under its own directory and checked below."""

    def __init__(self):
        self.cluster = Cluster(nodes=1)
        self.root = os.path.join(self.cluster.dir, "agent")
        self.ns = self.cluster.node_ns["node1"]
        try:
            layout = oci_layout(os.path.join(self.cluster.dir, "busybox"))
            subprocess.run([skiff_binary(), "image", "import", layout, "--root-dir", self.root], check=True, capture_output=True)
            self.start_agent()
            # The agent's embedded overlay writes the CNI config list and installs skiff-cni.
            self.cluster.conflist("node1")
        except BaseException:
            # Nothing of a node that never came up is left behind (a benchmark builds it too).
            self.close()
            raise

    def start_agent(self):
        log = open(os.path.join(self.cluster.dir, "agent.log"), "ab")
        self.agent = subprocess.Popen(
            ["nsenter", f"--net=/run/netns/{self.ns}", skiff_binary(), "agent", "--kubeconfig", self.cluster.kubeconfig,
             "--node-name", "node1", "--node-ip", self.cluster.node_ip(1), "--root-dir", self.root,
             "--cni-conf-dir", self.cluster.cni_dir("node1", "net.d"),
             "--cni-bin-dir", self.cluster.cni_dir("node1", "bin") + ":/usr/lib/cni", "--cni-ipam-dir", self.cluster.cni_dir("node1", "ipam"),
             "--node-status-update-frequency", "1s", "--insecure-registry", f"{SWITCH_IP}:5000",
             "--container-log-max-size", "64Ki", "--container-log-max-files", "3"],
            stdout=log, stderr=log, start_new_session=True)
        self.cluster.procs.append(self.agent)

    def kill_agent(self):
        """SIGKILL to the agent alone: its containers (and their runc shells) live on."""
        os.kill(self.agent.pid, 9)
        self.agent.wait(timeout=10)

    def kubectl(self, *args, **kw):
        return self.cluster.kubectl(*args, **kw)

    def pod(self, name):
        p = self.kubectl("get", "pod", name, "-o", "json", check=False)
        return json.loads(p.stdout) if p.returncode == 0 else None

    def mounts(self):
        return [l.split()[4] for l in open("/proc/self/mountinfo") if self.cluster.dir in l.split()[4]]

    def runc_ids(self):
        p = subprocess.run(["runc", "--root", os.path.join(self.root, "runc"), "list", "-q"], capture_output=True, text=True)
        return p.stdout.split()

    def close(self):
        # The agent first: alive, it could start a container after the ones below are killed.
        if getattr(self, "agent", None) is not None and self.agent.poll() is None:
            self.kill_agent()
        for cid in self.runc_ids():
            subprocess.run(["runc", "--root", os.path.join(self.root, "runc"), "kill", cid, "KILL"], capture_output=True)
            time.sleep(0.2)
            subprocess.run(["runc", "--root", os.path.join(self.root, "runc"), "delete", "-f", cid], capture_output=True)
        # Containers runc no longer lists (its state went with a failed run) are found by
        # their cgroups, named after the Pod's uid, and killed; the cgroups are removed.
        pods_dir = os.path.join(self.root, "pods")
        groups = [g for uid in (os.listdir(pods_dir) if os.path.isdir(pods_dir) else [])
                  for g in glob.glob(f"/sys/fs/cgroup/*/skiff-{uid}-*") + glob.glob(f"/sys/fs/cgroup/skiff-{uid}-*")]
        for group in groups:
            try:
                for pid in open(os.path.join(group, "cgroup.procs")).read().split():
                    subprocess.run(["kill", "-9", pid], capture_output=True)
            except OSError:
                pass
        time.sleep(0.2 if groups else 0)
        for group in groups:
            try:
                os.rmdir(group)
            except OSError:
                pass
        for target in sorted(self.mounts(), key=len, reverse=True):
            subprocess.run(["umount", "-l", target], capture_output=True)
        self.cluster.close()


@pytest.fixture
def node():
    n = AgentNode()
    try:
        yield n
    finally:
        n.close()


def pod_manifest(name, command, restart="Always", image="busybox:test", grace=2):
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                       "spec": {"restartPolicy": restart, "terminationGracePeriodSeconds": grace,
                                "containers": [{"name": "main", "image": image, "imagePullPolicy": "Never",
                                                "command": ["sh", "-c", command],
                                                "env": [{"name": "WHO", "value": "web"}, {"name": "GREETING", "value": "hi $(WHO) $(UNDEFINED)"}]}]}})


def test_a_pod_runs_reports_and_is_removed_without_a_trace(node):
    node.kubectl("apply", "-f", "-", input=pod_manifest(
        "web", "echo started; echo $GREETING; hostname; cat /etc/resolv.conf; ip=$(hostname -i); sleep 3600"))
    pod = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Running" and
                              any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"]) else None)(node.pod("web")),
                     "web Running and Ready", timeout=60)
    status = pod["status"]
    assert pod["spec"]["nodeName"] == "node1"
    assert status["podIP"].startswith("10.244.1.") and status["hostIP"] == node.cluster.node_ip(1)
    [cs] = status["containerStatuses"]
    assert "running" in cs["state"] and cs["ready"] is True and cs["restartCount"] == 0
    assert cs["containerID"].startswith("runc://") and cs["imageID"].startswith("sha256:")
    assert {c["type"] for c in status["conditions"]} >= {"PodScheduled", "Initialized", "ContainersReady", "Ready"}

    # It really runs in its own namespace with its address, and said so in its log.
    logs = glob.glob(os.path.join(node.root, "logs", "default_web_*", "main", "0.log"))
    assert logs, os.listdir(os.path.join(node.root, "logs"))
    try:
        out = eventually(lambda: (lambda t: t if "nameserver" in t else None)(open(logs[0]).read()), "the container's output", timeout=10)
    except AssertionError:
        raise AssertionError("log: " + open(logs[0]).read())
    assert out.splitlines()[:3] == ["started", "hi web $(UNDEFINED)", "web"]
    assert "nameserver 10.244.1.1" in out and "search default.svc.cluster.local svc.cluster.local cluster.local" in out
    ping = node.cluster.run(node.ns, "ping", "-c", "1", "-W", "2", status["podIP"], check=False)
    assert ping.returncode == 0, ping.stdout

    # Graceful deletion: SIGTERM (ignored by sh as PID 1), 2 s, SIGKILL; then nothing is left.
    started = time.time()
    node.kubectl("delete", "pod", "web", "--wait=true", "--timeout=60s")
    assert time.time() - started >= 1.5
    assert node.pod("web") is None
    assert node.runc_ids() == []
    assert node.mounts() == []
    assert os.listdir(os.path.join(node.root, "pods")) == [] and os.listdir(os.path.join(node.root, "netns")) == []
    assert node.cluster.run(node.ns, "ping", "-c", "1", "-W", "1", status["podIP"], check=False).returncode != 0


def test_exit_codes_restarts_and_missing_images(node):
    node.kubectl("apply", "-f", "-", input=pod_manifest("fails", "exit 3", restart="Never"))
    node.kubectl("apply", "-f", "-", input=pod_manifest("done", "exit 0", restart="OnFailure"))
    node.kubectl("apply", "-f", "-", input=pod_manifest("crashes", "exit 1", restart="Always"))
    node.kubectl("apply", "-f", "-", input=pod_manifest("noimage", "true", image="nothere:1"))
    failed = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Failed" else None)(node.pod("fails")), "fails Failed", 60)
    term = failed["status"]["containerStatuses"][0]["state"]["terminated"]
    assert term["exitCode"] == 3 and term["reason"] == "Error"
    done = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Succeeded" else None)(node.pod("done")), "done Succeeded", 60)
    assert done["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"

    crash = eventually(lambda: (lambda p: p if p and (p["status"].get("containerStatuses") or [{}])[0].get("restartCount", 0) >= 1
                                and "waiting" in p["status"]["containerStatuses"][0]["state"] else None)(node.pod("crashes")),
                       "a restart then CrashLoopBackOff", timeout=60)
    cs = crash["status"]["containerStatuses"][0]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert crash["status"]["phase"] == "Running"

    noimage = eventually(lambda: (lambda p: p if p and (p["status"].get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {}).get("reason") == "ErrImageNeverPull" else None)(node.pod("noimage")),
                         "ErrImageNeverPull", timeout=60)
    assert noimage["status"]["phase"] == "Pending"

    for name in ("fails", "done", "crashes", "noimage"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    # Finished Pods are deleted at once by the API server; the agent cleans up after them.
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_environment_and_volumes_from_the_api(node):
    host_dir = os.path.join(node.cluster.dir, "hostpath")
    node.kubectl("create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=app.conf=listen 80")
    node.kubectl("create", "secret", "generic", "creds", "--from-literal=password=s3cret")
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "envvol", "namespace": "default", "labels": {"tier": "db"}},
                "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                         "volumes": [{"name": "scratch", "emptyDir": {}},
                                     {"name": "conf", "configMap": {"name": "settings", "items": [{"key": "app.conf", "path": "etc/app.conf"}]}},
                                     {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o400}},
                                     {"name": "host", "hostPath": {"path": host_dir, "type": "DirectoryOrCreate"}}],
                         "containers": [{"name": "main", "image": "busybox:test", "imagePullPolicy": "Never",
                                         "command": ["sh", "-c", "echo MODE=$MODE; echo PASS=$PASS; echo NODE=$NODE; echo TIER=$TIER; "
                                                     "echo CFG_mode=$CFG_mode; echo IP=$MY_IP; cat /config/etc/app.conf; echo; "
                                                     "cat /secrets/password; echo; echo written > /scratch/f; cat /scratch/f; "
                                                     "echo from-pod > /host/out; ls /config"],
                                         "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings"}}],
                                         "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
                                                 {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
                                                 {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                                                 {"name": "TIER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['tier']"}}},
                                                 {"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                                         "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"},
                                                          {"name": "conf", "mountPath": "/config", "readOnly": True},
                                                          {"name": "creds", "mountPath": "/secrets"},
                                                          {"name": "host", "mountPath": "/host"}]}]}}
    node.kubectl("apply", "-f", "-", input=json.dumps(manifest))
    pod = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Succeeded" else None)(node.pod("envvol")), "envvol Succeeded", 60)
    [log] = glob.glob(os.path.join(node.root, "logs", "default_envvol_*", "main", "0.log"))
    lines = open(log).read().splitlines()
    assert lines[:6] == ["MODE=fast", "PASS=s3cret", "NODE=node1", "TIER=db", "CFG_mode=fast", "IP=" + pod["status"]["podIP"]]
    assert lines[6:10] == ["listen 80", "s3cret", "written", "etc"]
    assert open(os.path.join(host_dir, "out")).read() == "from-pod\n"
    node.kubectl("delete", "pod", "envvol", "--wait=true", "--timeout=60s")

    # A missing ConfigMap holds the container back with the kubelet's reason, until it exists.
    bad = json.loads(pod_manifest("needs-config", "echo $X; sleep 3600"))
    bad["spec"]["containers"][0]["env"] = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "later", "key": "x"}}}]
    node.kubectl("apply", "-f", "-", input=json.dumps(bad))
    waiting = eventually(lambda: (lambda p: p if p and (p["status"].get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {})
                                  .get("reason") == "CreateContainerConfigError" else None)(node.pod("needs-config")), "CreateContainerConfigError", 60)
    assert waiting["status"]["containerStatuses"][0]["state"]["waiting"]["message"] == 'configmap "later" not found'
    node.kubectl("create", "configmap", "later", "--from-literal=x=arrived")
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("needs-config")), "started once it exists", 60)
    node.kubectl("delete", "pod", "needs-config", "--wait=true", "--timeout=60s")
    assert node.runc_ids() == [] and node.mounts() == []


def test_probes_gate_readiness_and_restart_unhealthy_containers(node):
    probed = json.loads(pod_manifest("probed", "touch /tmp/alive; mkdir -p /www; (sleep 2; echo ok > /www/index.html) & "
                                               "httpd -p 8080 -h /www; sleep 6; rm /tmp/alive; sleep 3600", grace=1))
    c = probed["spec"]["containers"][0]
    c["ports"] = [{"name": "http", "containerPort": 8080}]
    c["readinessProbe"] = {"httpGet": {"path": "/index.html", "port": "http"}, "periodSeconds": 1}
    c["livenessProbe"] = {"exec": {"command": ["test", "-f", "/tmp/alive"]}, "periodSeconds": 1, "failureThreshold": 2}
    tcp = json.loads(pod_manifest("tcp", "httpd -f -p 9000 -h /"))
    tcp["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 9000}, "periodSeconds": 1}
    closed = json.loads(pod_manifest("closed", "sleep 3600"))
    closed["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 9001}, "periodSeconds": 1}
    for manifest in (probed, tcp, closed):
        node.kubectl("apply", "-f", "-", input=json.dumps(manifest))

    def ready(name):
        p = node.pod(name)
        return p and any(x["type"] == "Ready" and x["status"] == "True" for x in p["status"].get("conditions", []))

    # Not ready while the page is missing (404), ready once it is there.
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("probed")), "probed running", 60)
    assert not ready("probed")
    eventually(lambda: ready("probed"), "probed ready", 30)
    eventually(lambda: ready("tcp"), "tcp ready", 30)
    # Liveness fails after /tmp/alive goes: the container is restarted.
    restarted = eventually(lambda: (lambda p: p if p and p["status"]["containerStatuses"][0].get("restartCount", 0) >= 1 else None)(node.pod("probed")),
                           "a liveness restart", 60)
    assert restarted["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 137
    events = node.kubectl("get", "events", "--field-selector", "involvedObject.name=probed")
    assert "Readiness probe failed: HTTP probe failed with statuscode: 404" in events
    assert "Liveness probe failed" in events and "failed liveness probe, will be restarted" in events
    # Nothing listens on 9001: running, never ready.
    closed_pod = node.pod("closed")
    assert closed_pod["status"]["phase"] == "Running" and not ready("closed")
    assert closed_pod["status"]["containerStatuses"][0]["ready"] is False
    assert "connection refused" in node.kubectl("get", "events", "--field-selector", "involvedObject.name=closed")
    for name in ("probed", "tcp", "closed"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    assert node.runc_ids() == [] and node.mounts() == []


def test_init_containers_run_in_order_before_the_app(node):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "inits", "namespace": "default"},
           "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1, "volumes": [{"name": "work", "emptyDir": {}}],
                    "initContainers": [
                        {"name": "first", "image": "busybox:test", "command": ["sh", "-c", "sleep 1; echo one > /work/log"],
                         "volumeMounts": [{"name": "work", "mountPath": "/work"}]},
                        {"name": "second", "image": "busybox:test", "command": ["sh", "-c", "test -f /work/log && echo two >> /work/log"],
                         "volumeMounts": [{"name": "work", "mountPath": "/work"}]}],
                    "containers": [{"name": "app", "image": "busybox:test", "command": ["sh", "-c", "cat /work/log"],
                                    "volumeMounts": [{"name": "work", "mountPath": "/work"}]}]}}
    node.kubectl("apply", "-f", "-", input=json.dumps(pod))
    # While the first runs, the Pod is initialising.
    eventually(lambda: "Init:0/2" in node.kubectl("get", "pod", "inits"), "Init:0/2", 60)
    done = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Succeeded" else None)(node.pod("inits")), "inits Succeeded", 60)
    assert [s["state"]["terminated"]["exitCode"] for s in done["status"]["initContainerStatuses"]] == [0, 0]
    assert any(c["type"] == "Initialized" and c["status"] == "True" for c in done["status"]["conditions"])
    [log] = glob.glob(os.path.join(node.root, "logs", "default_inits_*", "app", "0.log"))
    assert open(log).read() == "one\ntwo\n"

    # A failing init container: retried under OnFailure (the app never starts), fatal under Never.
    for name, policy in (("init-retry", "OnFailure"), ("init-fatal", "Never")):
        bad = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
               "spec": {"restartPolicy": policy, "terminationGracePeriodSeconds": 1,
                        "initContainers": [{"name": "check", "image": "busybox:test", "command": ["sh", "-c", "exit 2"]}],
                        "containers": [{"name": "app", "image": "busybox:test", "command": ["sleep", "3600"]}]}}
        node.kubectl("apply", "-f", "-", input=json.dumps(bad))
    retried = eventually(lambda: (lambda p: p if p and (p["status"].get("initContainerStatuses") or [{}])[0].get("restartCount", 0) >= 1 else None)(node.pod("init-retry")),
                         "the init container retried", 60)
    assert retried["status"]["phase"] == "Pending"
    assert "running" not in retried["status"]["containerStatuses"][0]["state"]
    fatal = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Failed" else None)(node.pod("init-fatal")), "init-fatal Failed", 60)
    assert fatal["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 2
    for name in ("inits", "init-retry", "init-fatal"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    # A finished Pod is deleted at once by the API server; the agent cleans up after it.
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_an_agent_restart_keeps_containers_and_catches_up(node):
    for name, command, restart in (("long", "sleep 3600", "Always"), ("ends", "sleep 3; exit 5", "Never"),
                                   ("graceful", "sleep 3600", "Always"), ("forced", "sleep 3600", "Always")):
        node.kubectl("apply", "-f", "-", input=pod_manifest(name, command, restart=restart, grace=1))
    for name in ("long", "ends", "graceful", "forced"):
        eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod(name)), f"{name} running", 60)
    before = node.pod("long")["status"]["containerStatuses"][0]
    state = lambda cid: json.loads(subprocess.run(["runc", "--root", os.path.join(node.root, "runc"), "state", cid],
                                                  capture_output=True, text=True).stdout or "{}")
    long_id = before["containerID"].split("://")[1]
    pid = state(long_id)["pid"]

    node.kill_agent()
    # While the agent is down: one Pod deleted gracefully (waits for the node), one forced (gone at once).
    node.kubectl("delete", "pod", "graceful", "--wait=false")
    node.kubectl("delete", "pod", "forced", "--grace-period=0", "--force")
    time.sleep(4)                      # "ends" exits meanwhile
    node.start_agent()

    # "graceful" is torn down and confirmed; "forced" is found orphaned and removed.
    eventually(lambda: node.pod("graceful") is None, "graceful confirmed deleted", 60)
    keep = (node.pod("long")["metadata"]["uid"], node.pod("ends")["metadata"]["uid"])
    eventually(lambda: all(cid.startswith(tuple(u + "_" for u in keep)) for cid in node.runc_ids())
               and set(os.listdir(os.path.join(node.root, "pods"))) <= set(keep), "only long's and ends' left", 60)
    # "long" was not restarted: same process, same start, no restart counted.
    after = eventually(lambda: (lambda p: p["status"]["containerStatuses"][0] if p["status"]["containerStatuses"][0].get("state", {}).get("running") else None)(node.pod("long")),
                       "long still running", 30)
    assert after["restartCount"] == 0 and after["state"]["running"]["startedAt"] == before["state"]["running"]["startedAt"]
    assert state(long_id)["pid"] == pid
    # "ends" ended while the agent was down; its status is caught up from its exit file.
    ended = eventually(lambda: (lambda p: p if p["status"].get("phase") == "Failed" else None)(node.pod("ends")), "ends Failed", 30)
    assert ended["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 5

    for name in ("long", "ends"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_kubectl_logs_through_the_api_server(node):
    node.kubectl("apply", "-f", "-", input=pod_manifest("talker", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"))
    node.kubectl("apply", "-f", "-", input=pod_manifest("twice", "echo run at $(cat /proc/uptime); sleep 1; exit 1"))
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("talker")), "talker running", 60)
    eventually(lambda: "line 5" in node.kubectl("logs", "talker"), "talker's log", 30)
    assert node.kubectl("logs", "talker").startswith("line 0\nline 1\n")
    tail = node.kubectl("logs", "talker", "--tail=2").splitlines()
    assert len(tail) == 2 and all(l.startswith("line ") for l in tail)
    assert int(tail[1].split()[1]) == int(tail[0].split()[1]) + 1
    assert len(node.kubectl("logs", "talker", "--limit-bytes=5")) == 5

    # -f keeps streaming what the container writes.
    follow = subprocess.Popen(["ip", "netns", "exec", node.cluster.switch, "kubectl", "--kubeconfig", node.cluster.kubeconfig,
                               "logs", "-f", "talker", "--tail=1"], stdout=subprocess.PIPE, text=True)
    try:
        first = int(follow.stdout.readline().split()[1])
        later = [int(follow.stdout.readline().split()[1]) for _ in range(5)]
        assert later == list(range(first + 1, first + 6))
    finally:
        follow.kill()
        follow.wait()

    # --previous reads the run before the restart.
    eventually(lambda: (lambda p: p and p["status"]["containerStatuses"][0].get("restartCount", 0) >= 1)(node.pod("twice")), "twice restarted", 60)
    assert node.kubectl("logs", "twice", "--previous").startswith("run at ")
    p = node.kubectl("logs", "talker", "-c", "nope", check=False)
    assert p.returncode != 0 and "container nope is not valid for pod talker" in p.stderr
    p = node.kubectl("logs", "talker", "--previous", check=False)
    assert p.returncode != 0 and "previous terminated container" in p.stderr
    for name in ("talker", "twice"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")


def test_hooks_memory_limits_and_users(node):
    out = os.path.join(node.cluster.dir, "hooks")
    hooks = json.loads(pod_manifest("hooks", "sleep 3600", grace=5))
    c = hooks["spec"]["containers"][0]
    c["lifecycle"] = {"postStart": {"exec": {"command": ["sh", "-c", "echo hi > /out/poststart"]}},
                      "preStop": {"exec": {"command": ["sh", "-c", "echo bye > /out/prestop"]}}}
    c["volumeMounts"] = [{"name": "out", "mountPath": "/out"}]
    hooks["spec"]["volumes"] = [{"name": "out", "hostPath": {"path": out, "type": "DirectoryOrCreate"}}]
    oom = json.loads(pod_manifest("oom", "head -c 300000000 /dev/zero | tail > /dev/null", restart="Never"))
    oom["spec"]["containers"][0]["resources"] = {"limits": {"memory": "16Mi"}}
    user = json.loads(pod_manifest("user", "id -u", restart="Never"))
    user["spec"]["containers"][0]["securityContext"] = {"runAsUser": 65534, "runAsGroup": 65534}
    for manifest in (hooks, oom, user):
        node.kubectl("apply", "-f", "-", input=json.dumps(manifest))

    eventually(lambda: os.path.exists(os.path.join(out, "poststart")), "the postStart hook", 60)
    assert open(os.path.join(out, "poststart")).read() == "hi\n"
    node.kubectl("delete", "pod", "hooks", "--wait=true", "--timeout=60s")
    assert open(os.path.join(out, "prestop")).read() == "bye\n"
    assert "Stopping container main" in node.kubectl("get", "events", "--field-selector", "involvedObject.name=hooks")

    killed = eventually(lambda: (lambda p: p if p and p["status"].get("phase") == "Failed" else None)(node.pod("oom")), "oom Failed", 60)
    term = killed["status"]["containerStatuses"][0]["state"]["terminated"]
    assert term["reason"] == "OOMKilled" and term["exitCode"] == 137

    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Succeeded")(node.pod("user")), "user Succeeded", 60)
    assert node.kubectl("logs", "user").strip() == "65534"
    for name in ("oom", "user"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_services_by_name_through_the_embedded_dns_and_proxy(node):
    web = json.loads(pod_manifest("web", "mkdir -p /www; echo hello from web > /www/index.html; httpd -f -p 8080 -h /www"))
    web["metadata"]["labels"] = {"app": "web"}
    web["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 8080}]
    # httpd starts 3 s late: until then readiness keeps the Pod's endpoint not ready.
    web["spec"]["containers"][0]["command"] = ["sh", "-c", "mkdir -p /www; echo hello from web > /www/index.html; sleep 3; httpd -f -p 8080 -h /www"]
    web["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 8080}, "periodSeconds": 1}
    node.kubectl("apply", "-f", "-", input=json.dumps(web))
    node.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}))
    def endpoint_ready():
        items = json.loads(node.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "json"))["items"]
        eps = [e for s in items for e in s.get("endpoints") or []]
        return eps[0]["conditions"]["ready"] if eps else None
    assert eventually(lambda: endpoint_ready() is False and "not ready", "web's endpoint listed, not ready", 60)
    eventually(lambda: endpoint_ready() is True, "web's endpoint ready once it serves", 60)
    # busybox's own resolver and nc (its wget, linked statically with glibc, crashes here).
    client = pod_manifest("client", "i=0; while [ $i -lt 15 ]; do ip=$(nslookup web.default.svc.cluster.local | sed -n 's/^Address: //p' | head -1); "
                                    "[ -n \"$ip\" ] && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip 80 | tail -1 | grep -q hello && "
                                    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip 80 | tail -1 && exit 0; i=$((i+1)); sleep 1; done; exit 1",
                          restart="Never")
    node.kubectl("apply", "-f", "-", input=client)
    done = eventually(lambda: (lambda p: p if p and p["status"].get("phase") in ("Succeeded", "Failed") else None)(node.pod("client")),
                      "the client finished", 90)
    assert done["status"]["phase"] == "Succeeded", node.kubectl("logs", "client")
    assert node.kubectl("logs", "client").strip() == "hello from web"
    for name in ("web", "client"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_images_are_pulled_from_a_registry(node):
    c = node.cluster
    registry = os.path.join(c.dir, "registry")
    os.makedirs(registry)
    with open(os.path.join(registry, "config.yml"), "w") as f:
        f.write(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {registry}/data\nhttp:\n  addr: {SWITCH_IP}:5000\n")
    c.popen(c.switch, "docker-registry", "serve", os.path.join(registry, "config.yml"),
            stdout=open(os.path.join(registry, "log"), "ab"), stderr=subprocess.STDOUT)
    c.wait_for(lambda: c.run(c.switch, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://{SWITCH_IP}:5000/v2/",
                             check=False).stdout == "200", "the registry")
    layout = oci_layout(os.path.join(c.dir, "to-push"), name=f"{SWITCH_IP}:5000/team/box:1")
    c.run(c.switch, "skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false", f"oci:{layout}:1",
          f"docker://{SWITCH_IP}:5000/team/box:1", timeout=60)

    node.kubectl("apply", "-f", "-", input=pod_manifest("pulled", "echo pulled ok; sleep 3600", image=f"{SWITCH_IP}:5000/team/box:1")
                 .replace('"imagePullPolicy": "Never"', '"imagePullPolicy": "IfNotPresent"'))
    node.kubectl("apply", "-f", "-", input=pod_manifest("missing", "true", image=f"{SWITCH_IP}:5000/team/nothere:1")
                 .replace('"imagePullPolicy": "Never"', '"imagePullPolicy": "IfNotPresent"'))
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("pulled")), "pulled running", 60)
    events = node.kubectl("get", "events", "--field-selector", "involvedObject.name=pulled")
    assert f'Pulling image "{SWITCH_IP}:5000/team/box:1"' in events and "Successfully pulled image" in events
    listed = subprocess.run([skiff_binary(), "image", "ls", "--root-dir", node.root], capture_output=True, text=True).stdout
    assert f"{SWITCH_IP}:5000/team/box:1" in listed
    eventually(lambda: "pulled ok" in node.kubectl("logs", "pulled"), "its output", 30)

    backoff = eventually(lambda: (lambda p: p if p and (p["status"].get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {})
                                  .get("reason") == "ImagePullBackOff" else None)(node.pod("missing")), "ImagePullBackOff", 60)
    assert backoff["status"]["containerStatuses"][0]["state"]["waiting"]["message"] == f'Back-off pulling image "{SWITCH_IP}:5000/team/nothere:1"'
    assert "Failed to pull image" in node.kubectl("get", "events", "--field-selector", "involvedObject.name=missing")
    for name in ("pulled", "missing"):
        node.kubectl("delete", "pod", name, "--wait=true", "--timeout=60s")
    eventually(lambda: node.runc_ids() == [] and node.mounts() == [], "the node cleaned up", 30)


def test_container_logs_are_rotated(node):
    burst = "i=0; while [ $i -lt 1500 ]; do echo \"burst $j line $i padding padding padding padding padding\"; i=$((i+1)); done"
    node.kubectl("apply", "-f", "-", input=pod_manifest("noisy", f"for j in 1 2 3 4 5; do {burst}; sleep 3; done; echo last line; sleep 3600"))
    eventually(lambda: "last line" in node.kubectl("logs", "noisy", "--tail=1", check=False).stdout, "the last line", 90)
    [log_dir] = glob.glob(os.path.join(node.root, "logs", "default_noisy_*", "main"))
    files = sorted(os.listdir(log_dir))
    rotated = [f for f in files if f.startswith("0.log.")]
    # Five bursts of ~100 KiB against a 64 KiB limit: rotated several times, two copies kept.
    assert 1 <= len(rotated) <= 2 and "0.log" in files, files
    assert os.path.getsize(os.path.join(log_dir, "0.log")) < 200 * 1024
    assert all(os.path.getsize(os.path.join(log_dir, f)) > 64 * 1024 for f in rotated)
    node.kubectl("delete", "pod", "noisy", "--wait=true", "--timeout=60s")


def test_kubectl_exec_through_the_api_server(node):
    node.kubectl("apply", "-f", "-", input=pod_manifest("shell", "sleep 100000"))
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("shell")), "shell running", 60)
    kubectl = ["ip", "netns", "exec", node.cluster.switch, "kubectl", "--kubeconfig", node.cluster.kubeconfig]

    # Output on both streams, the container's environment, and the command's exit code.
    p = node.kubectl("exec", "shell", "--", "sh", "-c", "echo out $WHO; echo err >&2; exit 3", check=False)
    assert (p.returncode, p.stdout, p.stderr.splitlines()[0]) == (3, "out web\n", "err")
    assert node.kubectl("exec", "shell", "-c", "main", "--", "cat", "/etc/hostname") == "shell\n"

    # stdin to its end (v5's close signal), and a large output relayed without loss.
    data = os.urandom(3 << 20)
    p = subprocess.run(kubectl + ["exec", "-i", "shell", "--", "md5sum"], input=data, capture_output=True, timeout=60)
    import hashlib
    assert p.returncode == 0 and p.stdout.split()[0].decode() == hashlib.md5(data).hexdigest()
    # A command that stops reading while the client still sends: the agent drops the rest.
    p = subprocess.run(kubectl + ["exec", "-i", "shell", "--", "head", "-c", "3"], input=b"y\n" * 2000000,
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stdout == b"y\ny", p
    p = subprocess.run(kubectl + ["exec", "shell", "--", "sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' a"],
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stdout == b"a" * 5000000

    # A terminal: the size kubectl reports, keystrokes, and the shell's exit code.
    import fcntl, pty, struct, termios
    master, replica = pty.openpty()
    fcntl.ioctl(replica, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    tty = subprocess.Popen(kubectl + ["exec", "-it", "shell", "--", "sh"], stdin=replica, stdout=replica, stderr=replica,
                           start_new_session=True)
    os.close(replica)
    seen = b""
    try:
        # Typed once the shell prompts, as a user would: before that, the size kubectl sends
        # as it connects may not have arrived yet.
        deadline = time.time() + 30
        while b"# " not in seen and time.time() < deadline:
            seen += os.read(master, 4096)
        os.write(master, b"stty size; echo answer=$((6*7)); exit 5\r")
        while time.time() < deadline and tty.poll() is None:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
        assert tty.wait(timeout=10) == 5, seen
    finally:
        if tty.poll() is None:
            tty.kill()
        os.close(master)
    assert b"33 101" in seen and b"answer=42" in seen, seen

    # Errors: a command that does not exist, a container that does not, and a client that
    # goes away, which takes its command with it.
    p = node.kubectl("exec", "shell", "--", "no-such-command", check=False)
    assert p.returncode != 0 and "no-such-command" in p.stderr and "not found" in p.stderr, p.stderr
    p = node.kubectl("exec", "shell", "-c", "nope", "--", "true", check=False)
    assert p.returncode != 0 and "container nope is not valid for pod shell" in p.stderr
    gone = subprocess.Popen(kubectl + ["exec", "shell", "--", "sleep", "4321"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def sleeping():
        return [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline(pid) == "sleep 4321"]
    eventually(lambda: sleeping(), "the exec'd sleep running", 30)
    gone.kill()
    gone.wait()
    eventually(lambda: not sleeping(), "the exec'd sleep killed with its client", 30)
    eventually(lambda: os.listdir(os.path.join(node.root, "exec")) == [], "exec's runc log and pid files removed", 10)
    node.kubectl("delete", "pod", "shell", "--wait=true", "--timeout=60s")


def _cmdline(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def test_kubectl_port_forward_through_the_api_server(node):
    # A server that answers only on the Pod's loopback: reached from inside its namespace.
    node.kubectl("apply", "-f", "-", input=pod_manifest(
        "web", "mkdir -p /www && echo hello from the pod > /www/index.html && head -c 2000000 /dev/zero | tr '\\0' b > /www/big "
               "&& httpd -f -p 127.0.0.1:8080 -h /www"))
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Running")(node.pod("web")), "web running", 60)
    local = 18000 + os.getpid() % 1000
    forward = node.cluster.popen(node.cluster.switch, "kubectl", "--kubeconfig", node.cluster.kubeconfig, "port-forward",
                                 "pod/web", f"{local}:8080", f"{local + 1}:9", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "Forwarding from 127.0.0.1:" in forward.stdout.readline()

        def fetch(path):
            return node.cluster.run(node.cluster.switch, "curl", "-sS", "--max-time", "10", f"http://127.0.0.1:{local}{path}",
                                    check=False)
        eventually(lambda: fetch("/").stdout == "hello from the pod\n", "the page through the forward", 30)
        # Several connections, one after another and side by side, and a large answer.
        for _ in range(5):
            assert fetch("/").stdout == "hello from the pod\n"
        big = node.cluster.run(node.cluster.switch, "sh", "-c",
                               " & ".join([f"curl -s --max-time 20 http://127.0.0.1:{local}/big | wc -c"] * 3) + "; wait")
        assert big.stdout.split() == ["2000000"] * 3, big.stdout
        # An upload: 20 MB into a sink in the Pod, counted there.
        node.kubectl("exec", "web", "--", "sh", "-c", "(sleep 1000 | nc -l -p 9000 > /tmp/upload) < /dev/null > /dev/null 2>&1 &")
        upload = node.cluster.popen(node.cluster.switch, "kubectl", "--kubeconfig", node.cluster.kubeconfig, "port-forward",
                                    "pod/web", f"{local + 2}:9000", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert "Forwarding from 127.0.0.1:" in upload.stdout.readline()
            sent = node.cluster.run(node.cluster.switch, "python3", "-c",
                                    f"import socket; s = socket.create_connection(('127.0.0.1', {local + 2})); "
                                    "s.sendall(b'u' * 20000000); s.shutdown(socket.SHUT_WR); s.recv(1); print('sent')",
                                    timeout=60)
            assert sent.stdout.strip() == "sent"
            eventually(lambda: node.kubectl("exec", "web", "--", "wc", "-c", "/tmp/upload").split()[0] == "20000000",
                       "the upload counted in the Pod", 30)
        finally:
            upload.terminate()
            upload.communicate(timeout=10)
        # A port nothing listens on: the connection fails and the agent's error is reported.
        p = node.cluster.run(node.cluster.switch, "curl", "-s", "--max-time", "10", f"http://127.0.0.1:{local + 1}/", check=False)
        assert p.returncode != 0
    finally:
        forward.terminate()
        out, err = forward.communicate(timeout=10)
    assert "error forwarding port 9 to pod default/web" in err, err
    node.kubectl("delete", "pod", "web", "--wait=true", "--timeout=60s")


def test_a_pod_the_node_cannot_hold_is_rejected(node):
    """Bound by hand past the scheduler, a Pod asking for more CPU than the node has is failed
    by the agent with the kubelet's reason, and never started."""
    cpus = int(node.kubectl("get", "node", "node1", "-o", "jsonpath={.status.allocatable.cpu}"))
    manifest = json.loads(pod_manifest("greedy", "sleep 1000"))
    manifest["spec"]["nodeName"] = "node1"
    manifest["spec"]["containers"][0]["resources"] = {"requests": {"cpu": str(cpus + 1)}}
    node.kubectl("apply", "-f", "-", input=json.dumps(manifest))
    eventually(lambda: (lambda p: p and p["status"].get("phase") == "Failed")(node.pod("greedy")), "greedy failed", 30)
    status = node.pod("greedy")["status"]
    assert status["reason"] == "OutOfcpu"
    assert status["message"] == (f"Pod was rejected: Node didn't have enough resource: cpu, requested: {(cpus + 1) * 1000}, "
                                 f"used: 0, capacity: {cpus * 1000}")
    events = node.kubectl("get", "events", "--field-selector", "involvedObject.name=greedy", "-o", "jsonpath={.items[*].reason}")
    assert "OutOfcpu" in events.split()
    assert node.runc_ids() == []
    node.kubectl("delete", "pod", "greedy", "--wait=true", "--timeout=60s")
