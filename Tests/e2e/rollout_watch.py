"""Helpers for Deployment tests: a stand-in for the node agent that marks Pods Running and
Ready, and a watcher that checks rollout bounds at every Pod event the API server emits."""
import json
import threading
import time
import urllib.request


def is_ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod.get("status", {}).get("conditions") or [])


class FakeAgent(threading.Thread):
    """Marks each new Pod matching `selector` Ready after `delay` seconds, as a node agent
    would once its containers pass their readiness probe; Pods whose template hash is in
    `never_ready` stay not ready (a rollout that cannot progress)."""

    def __init__(self, server, selector, delay=0.2, never_ready=()):
        super().__init__(daemon=True)
        self.server, self.selector, self.delay = server, selector, delay
        self.never_ready = set(never_ready)
        self.seen = {}
        self.stopping = threading.Event()
        self.ip = 0

    def run(self):
        while not self.stopping.is_set():
            code, body, _ = self.server.request("GET", f"/api/v1/namespaces/default/pods?labelSelector={self.selector}")
            now = time.time()
            for pod in body.get("items", []) if code == 200 else []:
                name = pod["metadata"]["name"]
                first = self.seen.setdefault(name, now)
                if is_ready(pod) or pod["metadata"].get("deletionTimestamp") or now - first < self.delay:
                    continue
                if pod["metadata"].get("labels", {}).get("pod-template-hash") in self.never_ready:
                    continue
                self.ip += 1
                status = {"phase": "Running", "podIP": f"10.244.{self.ip // 250}.{self.ip % 250 + 1}",
                          "conditions": [{"type": "Ready", "status": "True",
                                          "lastTransitionTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}]}
                self.server.request("PATCH", f"/api/v1/namespaces/default/pods/{name}/status", {"status": status},
                                    content_type="application/merge-patch+json")
            self.stopping.wait(0.05)

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)


class BoundsWatcher(threading.Thread):
    """Follows the Pods matching `selector` through one watch and, at every event, checks that
    the live (not terminating) Pods never exceed `ceiling` and the ready ones never fall
    below `floor`. `check` returns the violations seen, with the state at each."""

    def __init__(self, server, selector, ceiling, floor):
        super().__init__(daemon=True)
        self.server, self.selector, self.ceiling, self.floor = server, selector, ceiling, floor
        self.violations, self.events, self.peak = [], 0, 0
        code, body, _ = server.request("GET", f"/api/v1/namespaces/default/pods?labelSelector={selector}")
        assert code == 200, body
        self.pods = {p["metadata"]["name"]: p for p in body["items"]}
        self.rv = body["metadata"]["resourceVersion"]
        self.stopping = threading.Event()
        self.hashes_seen = []  # live template hashes at each event (for Recreate)

    def run(self):
        req = urllib.request.Request(
            self.server.url + f"/api/v1/namespaces/default/pods?watch=1&labelSelector={self.selector}"
                              f"&resourceVersion={self.rv}&timeoutSeconds=120",
            headers={"Authorization": "Bearer " + self.server.token()})
        with urllib.request.urlopen(req, context=self.server.ssl_context(), timeout=130) as resp:
            while not self.stopping.is_set():
                line = resp.readline()
                if not line:
                    return
                if not line.strip():
                    continue
                event = json.loads(line)
                pod = event["object"]
                name = pod["metadata"]["name"]
                if event["type"] == "DELETED":
                    self.pods.pop(name, None)
                else:
                    self.pods[name] = pod
                self.events += 1
                live = [p for p in self.pods.values() if not p["metadata"].get("deletionTimestamp")]
                ready = [p for p in live if is_ready(p)]
                self.peak = max(self.peak, len(live))
                self.hashes_seen.append(sorted({p["metadata"]["labels"].get("pod-template-hash") for p in live}))
                if len(live) > self.ceiling or len(ready) < self.floor:
                    self.violations.append((event["type"], name, len(live), len(ready)))

    def stop(self):
        self.stopping.set()
