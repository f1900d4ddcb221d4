#!/usr/bin/env python3
"""Peak memory of the real `skiff proxy` at N Services: the API server and the proxy run in a
network namespace made for the run; N Services (ClusterIP, one TCP port) and N EndpointSlices
(E endpoints each) are created through the API, the proxy lists, watches and programs them, and
its VmHWM/VmRSS are read once `skiff_proxy_service_ports` reaches N+1 (with `kubernetes`).

    bench/proxy-memory.py --skiff .build-bench/release/skiff --services 10000 --endpoints 2

Everything (namespace, processes, temp dir) is removed at the end, pass or fail.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def run(ns, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True, **kw)


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--endpoints", type=int, default=2)
    ap.add_argument("--wrap", default="", help="a profiler command to run the proxy under, e.g. 'heaptrack -o /tmp/ht'")
    args = ap.parse_args()

    ns = "skiff-bench-mem-%08x" % random.getrandbits(32)
    work = tempfile.mkdtemp(prefix="skiff-bench-mem-")
    procs = []
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        run(ns, "ip", "link", "set", "lo", "up", check=True)
        server = subprocess.Popen(["ip", "netns", "exec", ns, args.skiff, "server", "--data-dir", work,
                                   "--listen", "127.0.0.1:6443"],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"),
                                  start_new_session=True)
        procs.append(server)
        kubeconfig = os.path.join(work, "admin.kubeconfig")
        for _ in range(600):
            if os.path.exists(kubeconfig) and run(ns, "curl", "-sk", "https://127.0.0.1:6443/readyz").stdout == "ok":
                break
            time.sleep(0.1)
        token = open(os.path.join(work, "admin-token")).read().strip()

        # Objects go in over HTTPS from a helper running inside the namespace (the API server
        # listens on the namespace's loopback only).
        def post(path, objs):
            script = (
                "import json, ssl, sys, urllib.request\n"
                "ctx = ssl._create_unverified_context()\n"
                "for line in sys.stdin:\n"
                "    req = urllib.request.Request('https://127.0.0.1:6443' + sys.argv[1], data=line.encode(), method='POST')\n"
                "    req.add_header('Content-Type', 'application/json')\n"
                "    req.add_header('Authorization', 'Bearer ' + sys.argv[2])\n"
                "    urllib.request.urlopen(req, context=ctx, timeout=30).read()\n")
            p = run(ns, "python3", "-c", script, path, token, input="\n".join(json.dumps(o) for o in objs) + "\n")
            if p.returncode != 0:
                raise SystemExit("create failed: " + p.stderr[-2000:])

        def service(i):
            return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}", "namespace": "default"},
                    "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}

        def endpoint_slice(i):
            base = 10 << 24 | 244 << 16
            eps = []
            for j in range(args.endpoints):
                v = base + i * args.endpoints + j
                eps.append({"addresses": [f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}"],
                            "conditions": {"ready": True}, "nodeName": "node-b"})
            return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"name": f"svc-{i}-1", "namespace": "default",
                                 "labels": {"kubernetes.io/service-name": f"svc-{i}"}},
                    "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                    "endpoints": eps}

        start = time.time()
        chunks = [range(s, min(s + 250, args.services)) for s in range(0, args.services, 250)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda c: post("/api/v1/namespaces/default/services", [service(i) for i in c]), chunks))
            list(pool.map(lambda c: post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                                         [endpoint_slice(i) for i in c]), chunks))
        print(f"created {args.services} services and slices in {time.time() - start:.1f}s", file=sys.stderr)

        proxy = subprocess.Popen(["ip", "netns", "exec", ns, *args.wrap.split(), args.skiff, "proxy", "--kubeconfig", kubeconfig,
                                  "--node-name", "node-a", "--cluster-cidr", "10.244.0.0/16",
                                  "--nodeport-addresses", "127.0.0.0/8", "--healthz-bind-address", ""],
                                 stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "proxy.log"), "w"),
                                 start_new_session=True)
        procs.append(proxy)
        start = time.time()
        ports = 0
        while time.time() - start < 300:
            m = run(ns, "curl", "-s", "http://127.0.0.1:10249/metrics").stdout
            for line in m.splitlines():
                if line.startswith("skiff_proxy_service_ports "):
                    ports = float(line.split()[1])
            if ports >= args.services + 1 and "kubeproxy_sync_proxy_rules_last_timestamp_seconds" in m:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("proxy did not program everything: " + open(os.path.join(work, "proxy.log")).read()[-2000:])
        elapsed = time.time() - start
        time.sleep(2)  # let the first full sync's buffers settle into the steady state
        hwm, rss = status_kib(proxy.pid, "VmHWM"), status_kib(proxy.pid, "VmRSS")
        chains = run(ns, "nft", "list", "chains").stdout.count("chain ")
        print(json.dumps({"services": args.services, "endpoints": args.endpoints, "start_to_programmed_s": round(elapsed, 2),
                          "vmhwm_mib": round(hwm / 1024, 1), "vmrss_mib": round(rss / 1024, 1), "chains": chains}))
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
