"""Leader election through a Lease: of several controller processes on one cluster exactly
one leads; when it dies another takes over within the lease duration and the controllers
keep working; a leader that stops releases the Lease; a restarted server keeps its own
identity and so its Lease."""
import json
import os
import signal
import subprocess
import time

from conftest import skiff_binary
from test_controllers import apply, eventually
from test_replicaset import RS



def lease(server):
    p = server.kubectl("get", "lease", "-n", "kube-system", "kube-controller-manager", "-o", "json", check=False)
    return json.loads(p.stdout)["spec"] if p.returncode == 0 else None


def pod_count(server):
    return len([p for p in json.loads(server.kubectl("get", "pods", "-l", "app=web", "-o", "json"))["items"]
                if not p["metadata"].get("deletionTimestamp")])


def test_one_of_two_leads_and_the_other_takes_over(make_server, tmp_path):
    server = make_server("--controllers=-*")
    procs, logs = {}, {}
    for name in ("a", "b"):
        logs[name] = tmp_path / f"{name}.log"
        procs[name] = subprocess.Popen(
            [skiff_binary(), "controllers", "--kubeconfig", server.kubeconfig, "--controllers", "replicaset",
             "--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms"],
            stdout=subprocess.DEVNULL, stderr=open(logs[name], "w"))
    try:
        first = eventually(lambda: (lease(server) or {}).get("holderIdentity"), "a leader", timeout=15)
        time.sleep(2)
        leaders = [n for n in procs if "became leader" in logs[n].read_text()]
        assert len(leaders) == 1, {n: logs[n].read_text() for n in procs}
        [leader] = leaders
        [follower] = [n for n in procs if n != leader]
        assert first in logs[leader].read_text()
        assert "starting controllers" not in logs[follower].read_text()
        assert lease(server)["holderIdentity"] == first      # renewed, not lost

        apply(server, RS % 2)
        eventually(lambda: pod_count(server) == 2, "the leader's ReplicaSet controller at work")

        transitions = lease(server).get("leaseTransitions", 0)
        procs[leader].send_signal(signal.SIGKILL)
        procs[leader].wait(timeout=10)
        second = eventually(lambda: (lambda h: h if h and h != first else None)((lease(server) or {}).get("holderIdentity")),
                            "the follower taking over", timeout=15)
        # The Lease shows the new holder a moment before its log line is written.
        eventually(lambda: second in logs[follower].read_text(), "the follower's log naming it leader", 10)
        assert lease(server)["leaseTransitions"] == transitions + 1
        server.kubectl("scale", "rs", "web", "--replicas=3")
        eventually(lambda: pod_count(server) == 3, "the new leader's controllers at work")

        # Stopping cleanly gives the Lease up at once.
        procs[follower].send_signal(signal.SIGTERM)
        assert procs[follower].wait(timeout=15) == 0
        assert not lease(server).get("holderIdentity")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()


def test_a_restarted_server_keeps_its_lease(server):
    holder = eventually(lambda: (lease(server) or {}).get("holderIdentity"), "the server leading")
    with open(os.path.join(server.data_dir, "leader-identity")) as f:
        assert f.read().strip() == holder
    server.kill()
    server.start()
    # Its own identity renews at once: no wait for the old term to expire.
    apply(server, RS % 1)
    eventually(lambda: pod_count(server) == 1, "controllers running right after the restart", timeout=8)
    assert lease(server)["holderIdentity"] == holder
    assert lease(server).get("leaseTransitions", 0) == 0


def test_bad_election_flags_are_usage_errors(tmp_path):
    p = subprocess.run([skiff_binary(), "server", "--data-dir", str(tmp_path), "--leader-elect-renew-deadline", "20s"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "--leader-elect-lease-duration" in p.stderr
