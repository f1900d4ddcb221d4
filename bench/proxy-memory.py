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
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchapi import BenchCluster, run, status_kib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--endpoints", type=int, default=2)
    ap.add_argument("--wrap", default="", help="a profiler command to run the proxy under, e.g. 'heaptrack -o /tmp/ht'")
    args = ap.parse_args()

    cluster = BenchCluster(args.skiff, "skiff-bench-mem")
    ns, work, post = cluster.ns, cluster.work, cluster.post
    kubeconfig = cluster.kubeconfig
    try:
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

        proxy = cluster.start(*args.wrap.split(), args.skiff, "proxy", "--kubeconfig", kubeconfig,
                              "--node-name", "node-a", "--cluster-cidr", "10.244.0.0/16",
                              "--nodeport-addresses", "127.0.0.0/8", "--healthz-bind-address", "", log="proxy.log")
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
        cluster.close()


if __name__ == "__main__":
    main()
