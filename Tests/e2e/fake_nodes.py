"""Stand-ins for node agents in controller tests: each registers a Node with Ready=True,
renews its Lease in kube-node-lease every second, marks the Pods bound to it Running and
Ready and confirms their graceful deletion, as `skiff agent` will. `silence(name)` makes a
node go quiet as if its agent died."""
import threading
import time


def now_rfc3339(micro=False):
    t = time.time()
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return base + (".%06dZ" % int((t % 1) * 1e6) if micro else "Z")


class FakeNodes(threading.Thread):
    def __init__(self, server, names, cpu="4", memory="8Gi"):
        super().__init__(daemon=True)
        self.server = server
        self.alive = set(names)
        self.stopping = threading.Event()
        self.ip = 0
        for name in names:
            self.register(name, cpu, memory)

    def register(self, name, cpu, memory):
        code, body, _ = self.server.request("POST", "/api/v1/nodes", {
            "apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}})
        assert code == 201, body
        self.post_ready(name)
        code, body, _ = self.server.request("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": now_rfc3339(micro=True)}})
        assert code == 201, body

    def post_ready(self, name, cpu="4", memory="8Gi"):
        stamp = now_rfc3339()
        status = {"capacity": {"cpu": cpu, "memory": memory, "pods": "110"},
                  "allocatable": {"cpu": cpu, "memory": memory, "pods": "110"},
                  "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                                  "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}]}
        code, body, _ = self.server.request("PATCH", f"/api/v1/nodes/{name}/status", {"status": status},
                                            content_type="application/merge-patch+json")
        assert code == 200, body

    def silence(self, name):
        self.alive.discard(name)

    def revive(self, name):
        self.post_ready(name)
        self.alive.add(name)

    def run(self):
        while not self.stopping.is_set():
            for name in list(self.alive):
                self.server.request("PATCH", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}",
                                    {"spec": {"renewTime": now_rfc3339(micro=True)}}, content_type="application/merge-patch+json")
            code, body, _ = self.server.request("GET", "/api/v1/pods")
            for pod in body.get("items", []) if code == 200 else []:
                node = pod["spec"].get("nodeName")
                if node not in self.alive:
                    continue
                meta = pod["metadata"]
                path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}"
                if meta.get("deletionTimestamp"):
                    self.server.request("DELETE", path, {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
                elif pod.get("status", {}).get("phase") != "Running":
                    self.ip += 1
                    status = {"phase": "Running", "podIP": f"10.244.200.{self.ip % 250 + 1}",
                              "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now_rfc3339()}]}
                    self.server.request("PATCH", path + "/status", {"status": status}, content_type="application/merge-patch+json")
            self.stopping.wait(0.5)

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)
