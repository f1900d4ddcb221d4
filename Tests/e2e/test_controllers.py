"""The controllers inside `skiff server`, driven through the real API with kubectl: the
EndpointSlice controller and node IPAM. The tests act as the node agent would (Pod status
patched, Pods bound), since no agent runs here."""
import ipaddress
import json
import subprocess
import time

import pytest

from conftest import skiff_binary

MANAGED_BY = "endpointslice.kubernetes.io/managed-by"


def apply(server, manifest):
    server.kubectl("apply", "-f", "-", input=manifest)


def eventually(check, what, timeout=10.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def slices(server, service, namespace="default"):
    out = server.kubectl("get", "endpointslices", "-n", namespace, "-l", f"kubernetes.io/service-name={service}", "-o", "json")
    return json.loads(out)["items"]


def endpoints_by_address(server, service):
    return {e["addresses"][0]: e for s in slices(server, service) for e in s.get("endpoints") or []}


def set_status(server, name, ip, ready, namespace="default", extra_ips=()):
    status = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}, *({"ip": x} for x in extra_ips)],
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    server.kubectl("patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge",
                   "-p", json.dumps({"status": status}))


def bind(server, pod, node, namespace="default"):
    code, body, _ = server.request("POST", f"/api/v1/namespaces/{namespace}/pods/{pod}/binding",
                                   {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod},
                                    "target": {"kind": "Node", "name": node}})
    assert code == 201, body


def pods_manifest(names, labels="{app: web}", ports="[{name: web, containerPort: 8080}]"):
    return "".join(f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {n}, namespace: default, labels: {labels}}}
spec:
  containers: [{{name: c, image: busybox, ports: {ports}}}]
""" for n in names)


WEB_SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, labels: {tier: frontend}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: web}]
"""


def test_endpointslices_follow_pod_readiness_placement_and_deletion(server):
    apply(server, WEB_SERVICE + pods_manifest(["w1", "w2"]))
    # A Service with no endpoints has one empty slice, as upstream.
    placeholder = eventually(lambda: slices(server, "web"), "the placeholder slice")
    assert len(placeholder) == 1 and placeholder[0].get("endpoints") in ([], None)
    meta = placeholder[0]["metadata"]
    assert meta["labels"][MANAGED_BY] == "endpointslice-controller.k8s.io"
    assert meta["labels"]["tier"] == "frontend"                       # the Service's labels are copied
    assert meta["ownerReferences"][0]["kind"] == "Service" and meta["ownerReferences"][0]["controller"] is True

    apply(server, "apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {topology.kubernetes.io/zone: zone-a}}\n")
    bind(server, "w1", "n1")
    set_status(server, "w1", "10.244.1.5", ready=True)
    set_status(server, "w2", "10.244.1.6", ready=False)
    eps = eventually(lambda: (lambda e: e if len(e) == 2 else None)(endpoints_by_address(server, "web")), "two endpoints")
    assert eps["10.244.1.5"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert eps["10.244.1.5"]["nodeName"] == "n1" and eps["10.244.1.5"]["zone"] == "zone-a"
    assert eps["10.244.1.5"]["targetRef"]["kind"] == "Pod" and eps["10.244.1.5"]["targetRef"]["name"] == "w1"
    assert eps["10.244.1.6"]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    [s] = slices(server, "web")
    assert s["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]    # targetPort resolved by name
    assert s["addressType"] == "IPv4"

    # Readiness flips both ways.
    set_status(server, "w2", "10.244.1.6", ready=True)
    eventually(lambda: endpoints_by_address(server, "web")["10.244.1.6"]["conditions"]["ready"], "w2 ready")
    set_status(server, "w1", "10.244.1.5", ready=False)
    eventually(lambda: not endpoints_by_address(server, "web")["10.244.1.5"]["conditions"]["ready"], "w1 not ready")

    # A change the endpoints do not show does not rewrite the slice.
    rv = slices(server, "web")[0]["metadata"]["resourceVersion"]
    server.kubectl("annotate", "pod", "w2", "note=unrelated")
    server.kubectl("label", "pod", "w2", "extra=yes")
    time.sleep(0.5)
    assert slices(server, "web")[0]["metadata"]["resourceVersion"] == rv

    # A bound Pod being deleted stays (there is no agent to finish it) as terminating, not ready.
    server.kubectl("delete", "pod", "w1", "--wait=false")
    eventually(lambda: endpoints_by_address(server, "web")["10.244.1.5"]["conditions"] ==
               {"ready": False, "serving": False, "terminating": True}, "w1 terminating")
    # An unbound Pod is deleted at once, and leaves.
    server.kubectl("delete", "pod", "w2")
    eventually(lambda: "10.244.1.6" not in endpoints_by_address(server, "web"), "w2 gone")
    # Relabelled out of the selector: leaves too.
    apply(server, pods_manifest(["w3"]))
    set_status(server, "w3", "10.244.1.7", ready=True)
    eventually(lambda: "10.244.1.7" in endpoints_by_address(server, "web"), "w3 in")
    server.kubectl("label", "pod", "w3", "app=other", "--overwrite")
    eventually(lambda: "10.244.1.7" not in endpoints_by_address(server, "web"), "w3 out")


def test_a_hundred_endpoints_per_slice_and_cleanup_with_the_service(server):
    names = [f"p{i}" for i in range(150)]
    apply(server, WEB_SERVICE + pods_manifest(names))
    for i, n in enumerate(names):
        set_status(server, n, f"10.244.{2 + i // 200}.{i % 200 + 1}", ready=True)
    got = eventually(lambda: (lambda s: s if sum(len(x.get("endpoints") or []) for x in s) == 150 else None)(slices(server, "web")),
                     "150 endpoints", timeout=30)
    assert sorted(len(x["endpoints"]) for x in got) == [50, 100]
    assert len({e["addresses"][0] for x in got for e in x["endpoints"]}) == 150   # each once

    server.kubectl("delete", "service", "web")
    eventually(lambda: slices(server, "web") == [], "the slices to go with the Service")


def test_services_without_selector_are_left_to_their_owner(server):
    apply(server, """
apiVersion: v1
kind: Service
metadata: {name: external, namespace: default}
spec:
  ports: [{port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: external-1, namespace: default, labels: {kubernetes.io/service-name: external}}
addressType: IPv4
endpoints: [{addresses: [192.0.2.10]}]
ports: [{port: 80}]
""")
    time.sleep(0.5)
    [s] = slices(server, "external")
    assert s["metadata"]["name"] == "external-1"


def test_dual_stack_services_get_a_slice_per_family(make_server):
    server = make_server("--service-cidr", "10.96.0.0/12,fd00:10:96::/108")
    apply(server, """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ipFamilyPolicy: RequireDualStack
  selector: {app: web}
  ports: [{name: http, port: 80}]
""" + pods_manifest(["d1"]))
    set_status(server, "d1", "10.244.3.1", ready=True, extra_ips=("fd00:10:244:3::1",))
    got = eventually(lambda: (lambda s: s if len([x for x in s if x.get("endpoints")]) == 2 else None)(slices(server, "web")),
                     "a slice per family")
    assert sorted((x["addressType"], x["endpoints"][0]["addresses"][0]) for x in got) == \
        [("IPv4", "10.244.3.1"), ("IPv6", "fd00:10:244:3::1")]


def node_cidrs(server):
    nodes = json.loads(server.kubectl("get", "nodes", "-o", "json"))["items"]
    return {n["metadata"]["name"]: n.get("spec", {}).get("podCIDRs") for n in nodes}


def test_node_ipam_gives_each_node_its_own_subnet_across_restarts(make_server):
    server = make_server("--cluster-cidr", "10.244.0.0/22")    # room for 4 nodes of /24
    apply(server, "".join(f"---\napiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\n" for i in range(3)))
    got = eventually(lambda: (lambda c: c if all(c.values()) and len(c) == 3 else None)(node_cidrs(server)), "3 subnets")
    subnets = [c[0] for c in got.values()]
    assert len(set(subnets)) == 3
    for s in subnets:
        net = ipaddress.ip_network(s)
        assert net.prefixlen == 24 and net.subnet_of(ipaddress.ip_network("10.244.0.0/22"))
    n0 = got["n0"][0]
    assert server.kubectl("get", "node", "n0", "-o", "jsonpath={.spec.podCIDR}") == n0

    # After a restart the existing subnets are known: a new node gets the last free one.
    server.kill()
    server.start()
    apply(server, "apiVersion: v1\nkind: Node\nmetadata: {name: n3}\n")
    n3 = eventually(lambda: node_cidrs(server).get("n3"), "n3's subnet")[0]
    assert n3 not in subnets
    # The range is full: a fifth node gets none (and no duplicate) until one is deleted.
    apply(server, "apiVersion: v1\nkind: Node\nmetadata: {name: n4}\n")
    time.sleep(1)
    assert not node_cidrs(server)["n4"]
    server.kubectl("delete", "node", "n1")
    freed = got["n1"][0]
    assert eventually(lambda: node_cidrs(server).get("n4"), "n4's subnet once n1 is gone", timeout=30)[0] == freed


@pytest.mark.parametrize("flags,message", [
    (["--controllers", "endpointslice,nosuch"], "unknown controller"),
    (["--cluster-cidr", "10.244.0.0/33"], "invalid --cluster-cidr"),
    (["--cluster-cidr", "10.244.0.0/16", "--node-cidr-mask-size-ipv4", "8"], "must be longer"),
])
def test_bad_controller_flags_are_usage_errors(tmp_path, flags, message):
    p = subprocess.run([skiff_binary(), "server", "--data-dir", str(tmp_path), "--listen", "127.0.0.1:0", *flags],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert message in p.stderr


def test_controllers_can_be_disabled_and_run_alone(make_server, tmp_path):
    server = make_server("--controllers", "*,-endpointslice")
    apply(server, WEB_SERVICE)
    time.sleep(0.5)
    assert slices(server, "web") == []
    proc = subprocess.Popen([skiff_binary(), "controllers", "--kubeconfig", server.kubeconfig, "--controllers", "endpointslice",
                             # The server's controllers hold the leader Lease; this one runs beside them.
                             "--leader-elect=false"],
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "controllers.log", "w"))
    try:
        eventually(lambda: slices(server, "web"), "the standalone controller's placeholder slice")
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def endpoints_object(server, name):
    p = server.kubectl("get", "endpoints", name, "-o", "json", check=False)
    return json.loads(p.stdout) if p.returncode == 0 else None


def test_legacy_endpoints_are_written_for_older_clients(server):
    apply(server, WEB_SERVICE + pods_manifest(["e1", "e2"]) + pods_manifest(["e3"], ports="[]"))
    set_status(server, "e1", "10.244.4.1", ready=True)
    set_status(server, "e2", "10.244.4.2", ready=False)
    set_status(server, "e3", "10.244.4.3", ready=True)     # no port named "web": not an endpoint of http
    ep = eventually(lambda: (lambda e: e if e and e.get("subsets") and
                             len(e["subsets"][0].get("addresses", [])) + len(e["subsets"][0].get("notReadyAddresses", [])) == 2
                             else None)(endpoints_object(server, "web")), "the Endpoints object")
    assert ep["metadata"]["labels"]["tier"] == "frontend"
    [subset] = ep["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.4.1"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.4.2"]
    assert subset["addresses"][0]["targetRef"]["name"] == "e1"
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    # kubectl's own view of it.
    assert "10.244.4.1:8080" in server.kubectl("get", "endpoints", "web")

    set_status(server, "e2", "10.244.4.2", ready=True)
    eventually(lambda: len(endpoints_object(server, "web")["subsets"][0].get("addresses", [])) == 2, "e2 ready")
    server.kubectl("delete", "service", "web")
    eventually(lambda: endpoints_object(server, "web") is None, "the Endpoints to go with the Service")
    # The API server's own Service keeps the Endpoints it wrote (no selector).
    assert endpoints_object(server, "kubernetes")["subsets"]
