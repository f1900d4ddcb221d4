"""Object lifecycle semantics as upstream: finalizers, graceful Pod deletion, subresources,
Service allocation."""
import time

NS = "/api/v1/namespaces/default"


def pod(name, node=None):
    spec = {"containers": [{"name": "c", "image": "busybox:1.36"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def test_finalizers_hold_deletion_until_removed(server):
    server.request("POST", NS + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    status, body, _ = server.request("DELETE", NS + "/configmaps/held")
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    status, body, _ = server.request("GET", NS + "/configmaps/held")
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    # No new finalizers on an object being deleted.
    status, _, _ = server.request("PATCH", NS + "/configmaps/held", {"metadata": {"finalizers": ["example.com/hold", "x.io/more"]}},
                                  content_type="application/merge-patch+json")
    assert status == 403
    status, _, _ = server.request("PATCH", NS + "/configmaps/held", {"metadata": {"finalizers": None}},
                                  content_type="application/merge-patch+json")
    assert status == 200
    assert server.request("GET", NS + "/configmaps/held")[0] == 404


def test_graceful_pod_deletion_waits_for_the_node(server):
    server.request("POST", NS + "/pods", pod("unscheduled"))
    server.request("DELETE", NS + "/pods/unscheduled")
    assert server.request("GET", NS + "/pods/unscheduled")[0] == 404  # no node to wait for

    server.request("POST", NS + "/pods", pod("running", node="node-1"))
    status, body, _ = server.request("DELETE", NS + "/pods/running")
    assert status == 200
    assert body["metadata"]["deletionGracePeriodSeconds"] == 30 and body["metadata"]["deletionTimestamp"]
    assert server.request("GET", NS + "/pods/running")[0] == 200
    # The node confirms with a zero grace period.
    status, _, _ = server.request("DELETE", NS + "/pods/running", {"gracePeriodSeconds": 0})
    assert status == 200
    assert server.request("GET", NS + "/pods/running")[0] == 404


def test_binding_and_status_subresources(server):
    status, created, _ = server.request("POST", NS + "/pods", pod("web"))
    assert status == 201 and created["status"]["phase"] == "Pending" and created["status"]["qosClass"] == "BestEffort"
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"kind": "Node", "name": "node-1"}}
    status, _, _ = server.request("POST", NS + "/pods/web/binding", binding)
    assert status == 201
    _, bound, _ = server.request("GET", NS + "/pods/web")
    assert bound["spec"]["nodeName"] == "node-1"
    assert any(c["type"] == "PodScheduled" and c["status"] == "True" for c in bound["status"]["conditions"])
    status, body, _ = server.request("POST", NS + "/pods/web/binding", binding)
    assert status == 409

    # The main resource ignores status; the status subresource changes only status.
    bound["status"]["phase"] = "Running"
    bound["metadata"]["labels"] = {"sneaky": "yes"}
    status, updated, _ = server.request("PUT", NS + "/pods/web/status", bound)
    assert status == 200 and updated["status"]["phase"] == "Running" and "labels" not in updated["metadata"]
    updated["status"]["phase"] = "Failed"
    status, again, _ = server.request("PUT", NS + "/pods/web", updated)
    assert status == 200 and again["status"]["phase"] == "Running"


def test_scale_subresource(make_server):
    # The API alone: a Deployment controller would write to the object between the reads
    # and writes this test times.
    server = make_server("--controllers=-*")
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"selector": {"matchLabels": {"app": "d"}},
                       "template": {"metadata": {"labels": {"app": "d"}},
                                    "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    server.request("POST", "/apis/apps/v1/namespaces/default/deployments", deploy)
    status, scale, _ = server.request("GET", "/apis/apps/v1/namespaces/default/deployments/d/scale")
    assert status == 200 and scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    assert scale["status"]["selector"] == "app=d"
    scale["spec"]["replicas"] = 4
    status, scaled, _ = server.request("PUT", "/apis/apps/v1/namespaces/default/deployments/d/scale", scale)
    assert status == 200 and scaled["spec"]["replicas"] == 4
    scale["spec"]["replicas"] = 7  # stale resourceVersion
    assert server.request("PUT", "/apis/apps/v1/namespaces/default/deployments/d/scale", scale)[0] == 409


def test_service_addresses_are_never_handed_out_twice(server):
    def service(name, **spec):
        body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"ports": [{"port": 80}], **spec}}
        return server.request("POST", NS + "/services", body)

    ips, ports = set(), set()
    for i in range(20):
        status, s, _ = service(f"s{i}", type="NodePort")
        assert status == 201
        ips.add(s["spec"]["clusterIP"])
        ports.add(s["spec"]["ports"][0]["nodePort"])
    server.kill()
    server.start()
    for i in range(20, 40):
        status, s, _ = service(f"s{i}", type="NodePort")
        assert status == 201
        assert s["spec"]["clusterIP"] not in ips and s["spec"]["ports"][0]["nodePort"] not in ports
        ips.add(s["spec"]["clusterIP"])
        ports.add(s["spec"]["ports"][0]["nodePort"])
    taken_ip = next(iter(ips))
    status, body, _ = service("dup-ip", clusterIP=taken_ip)
    assert status == 422 and "already allocated" in body["message"]
    status, body, _ = service("outside", clusterIP="192.168.1.1")
    assert status == 422 and "not in the valid range" in body["message"]
    status, body, _ = service("dup-port", type="NodePort", ports=[{"port": 80, "nodePort": next(iter(ports))}])
    assert status == 422

    # Headless and ExternalName Services get no address; a deleted Service's address is free again.
    status, headless, _ = service("headless", clusterIP="None")
    assert status == 201 and headless["spec"]["clusterIP"] == "None"
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
            "spec": {"type": "ExternalName", "externalName": "example.com"}}
    status, ext, _ = server.request("POST", NS + "/services", body)
    assert status == 201 and "clusterIP" not in ext["spec"]
    _, s0, _ = server.request("GET", NS + "/services/s0")
    _, s1, _ = server.request("GET", NS + "/services/s1")
    server.request("DELETE", NS + "/services/s0")
    assert service("reuse", clusterIP=s0["spec"]["clusterIP"])[0] == 201
    assert service("taken", clusterIP=s1["spec"]["clusterIP"])[0] == 422
    _, kube, _ = server.request("GET", NS + "/services/kubernetes")
    assert kube["spec"]["clusterIP"] == "10.96.0.1"


def test_pod_log_validates_the_container(server):
    two = pod("two")
    two["spec"]["containers"].append({"name": "side", "image": "busybox:1.36"})
    server.request("POST", NS + "/pods", two)
    status, body, _ = server.request("GET", NS + "/pods/two/log")
    assert status == 400 and body["message"] == "a container name must be specified for pod two, choose one of: [c side]"
    status, body, _ = server.request("GET", NS + "/pods/two/log?container=nope")
    assert status == 400 and body["message"] == "container nope is not valid for pod two"
    status, body, _ = server.request("GET", NS + "/pods/two/log?container=side")
    assert status == 200 and body == ""  # not scheduled yet: no logs


def test_pod_with_finalizer_goes_once_node_confirms_and_finalizer_is_removed(server):
    body = pod("fin", node="node-1")
    body["metadata"]["finalizers"] = ["example.com/x"]
    server.request("POST", NS + "/pods", body)
    server.request("DELETE", NS + "/pods/fin")
    server.request("DELETE", NS + "/pods/fin", {"gracePeriodSeconds": 0})
    _, p, _ = server.request("GET", NS + "/pods/fin")
    assert p["metadata"]["deletionGracePeriodSeconds"] == 0
    server.request("PATCH", NS + "/pods/fin", {"metadata": {"finalizers": None}}, content_type="application/merge-patch+json")
    assert server.request("GET", NS + "/pods/fin")[0] == 404


def test_node_name_changes_only_through_binding(server):
    server.request("POST", NS + "/pods", pod("pinned", node="node-a"))
    status, _, _ = server.request("PATCH", NS + "/pods/pinned", {"spec": {"nodeName": "node-b"}},
                                  content_type="application/merge-patch+json")
    assert status == 422
    server.request("POST", NS + "/pods", pod("blank", node=""))
    server.request("DELETE", NS + "/pods/blank")
    assert server.request("GET", NS + "/pods/blank")[0] == 404  # an empty nodeName is unscheduled


def test_namespace_deletion_respects_finalizers_and_resumes_after_restart(server):
    server.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gone"}})
    base = "/api/v1/namespaces/gone"
    server.request("POST", base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    for i in range(50):
        server.request("POST", base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
    status, _, _ = server.request("DELETE", "/api/v1/namespaces/gone")
    assert status == 200
    assert server.request("POST", base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}})[0] == 403
    server.kill()
    server.start()
    deadline = time.time() + 15
    while time.time() < deadline:
        _, body, _ = server.request("GET", base + "/configmaps")
        if [i["metadata"]["name"] for i in body["items"]] == ["held"]:
            break
        time.sleep(0.2)
    _, body, _ = server.request("GET", base + "/configmaps")
    assert [i["metadata"]["name"] for i in body["items"]] == ["held"]  # its finalizer holds it, and the namespace
    assert server.request("GET", "/api/v1/namespaces/gone")[1]["status"]["phase"] == "Terminating"
    server.request("PATCH", base + "/configmaps/held", {"metadata": {"finalizers": None}}, content_type="application/merge-patch+json")
    deadline = time.time() + 15
    while time.time() < deadline and server.request("GET", "/api/v1/namespaces/gone")[0] != 404:
        time.sleep(0.2)
    assert server.request("GET", "/api/v1/namespaces/gone")[0] == 404
    for ns in ("default", "kube-system", "kube-public"):
        assert server.request("DELETE", f"/api/v1/namespaces/{ns}")[0] == 403


def test_failed_and_dry_run_writes_release_their_addresses(server):
    def svc(name, spec, query=""):
        return server.request("POST", NS + "/services" + query, {"apiVersion": "v1", "kind": "Service",
                                                                  "metadata": {"name": name}, "spec": spec})
    # Fails on the second nodePort after taking the ClusterIP and the first: both come back.
    status, _, _ = svc("bad", {"type": "NodePort", "clusterIP": "10.96.50.50",
                               "ports": [{"name": "a", "port": 80, "nodePort": 30500}, {"name": "b", "port": 81, "nodePort": 80}]})
    assert status == 422
    assert svc("good", {"type": "NodePort", "clusterIP": "10.96.50.50", "ports": [{"port": 80, "nodePort": 30500}]})[0] == 201
    # A dry-run change takes nothing.
    svc("np", {"type": "ClusterIP", "ports": [{"port": 80}]})
    status, _, _ = server.request("PATCH", NS + "/services/np?dryRun=All", {"spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30600}]}},
                                  content_type="application/merge-patch+json")
    assert status == 200
    assert svc("real", {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30600}]})[0] == 201
    # ClusterIP is immutable; the same nodePort may serve TCP and UDP of one Service.
    status, _, _ = server.request("PATCH", NS + "/services/np", {"spec": {"clusterIP": "10.96.200.200"}},
                                  content_type="application/merge-patch+json")
    assert status == 422
    status, dns, _ = svc("dns", {"type": "NodePort", "ports": [{"name": "udp", "port": 53, "protocol": "UDP", "nodePort": 30053},
                                                              {"name": "tcp", "port": 53, "protocol": "TCP", "nodePort": 30053}]})
    assert status == 201
    # A LoadBalancer that stops allocating keeps the nodePorts it has.
    status, lb, _ = svc("lb", {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]})
    assert status == 201 and lb["spec"]["healthCheckNodePort"] > 0
    kept = lb["spec"]["ports"][0]["nodePort"]
    server.request("PATCH", NS + "/services/lb", {"spec": {"allocateLoadBalancerNodePorts": False}},
                   content_type="application/merge-patch+json")
    assert svc("steal", {"type": "NodePort", "ports": [{"port": 80, "nodePort": kept}]})[0] == 422
