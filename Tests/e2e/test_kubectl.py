"""The real kubectl against a real `skiff server`, used as a user uses it."""
import json
import subprocess
import time

MANIFEST = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
"""


def test_apply_get_describe(server):
    out = server.kubectl("apply", "-f", "-", input=MANIFEST)
    assert "namespace/shop created" in out
    assert "deployment.apps/web created" in out
    assert "service/web created" in out
    assert "configmap/settings created" in out

    table = server.kubectl("-n", "shop", "get", "deploy")
    header = table.splitlines()[0].split()
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert table.splitlines()[1].split()[:2] == ["web", "0/3"]

    wide = server.kubectl("-n", "shop", "get", "svc", "web", "-o", "wide")
    row = wide.splitlines()[1].split()
    assert row[1] == "NodePort"
    assert row[2].startswith("10.")
    assert row[4].startswith("80:") and row[4].endswith("/TCP")
    assert row[-1] == "app=web"

    svc = json.loads(server.kubectl("-n", "shop", "get", "svc", "web", "-o", "json"))
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    assert svc["spec"]["sessionAffinity"] == "None"

    as_yaml = server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "yaml")
    assert "maxSurge: 25%" in as_yaml and "revisionHistoryLimit: 10" in as_yaml

    image = server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
    assert image == "busybox:1.36"

    described = server.kubectl("-n", "shop", "describe", "svc", "web")
    assert "Type:" in described and "NodePort" in described


def test_label_annotate_scale_patch(server):
    server.kubectl("apply", "-f", "-", input=MANIFEST)
    server.kubectl("-n", "shop", "label", "deploy", "web", "tier=front")
    server.kubectl("-n", "shop", "annotate", "deploy", "web", "owner=team-a")
    server.kubectl("-n", "shop", "scale", "deploy", "web", "--replicas=5")
    d = json.loads(server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "json"))
    assert d["metadata"]["labels"]["tier"] == "front"
    assert d["metadata"]["annotations"]["owner"] == "team-a"
    assert d["spec"]["replicas"] == 5
    assert d["metadata"]["generation"] >= 2

    # Strategic merge: containers merge by name, so the image changes and the port stays.
    server.kubectl("-n", "shop", "patch", "deploy", "web", "-p",
                   '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.37"}]}}}}')
    d = json.loads(server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "json"))
    c = d["spec"]["template"]["spec"]["containers"]
    assert len(c) == 1 and c[0]["image"] == "busybox:1.37" and c[0]["ports"][0]["containerPort"] == 8080

    server.kubectl("-n", "shop", "patch", "cm", "settings", "--type", "merge", "-p", '{"data":{"size":"L"}}')
    server.kubectl("-n", "shop", "patch", "cm", "settings", "--type", "json",
                   "-p", '[{"op":"replace","path":"/data/color","value":"red"}]')
    data = json.loads(server.kubectl("-n", "shop", "get", "cm", "settings", "-o", "jsonpath={.data}"))
    assert data == {"color": "red", "size": "L"}

    failed = server.kubectl("-n", "shop", "patch", "cm", "settings", "--type", "json",
                            "-p", '[{"op":"test","path":"/data/color","value":"green"}]', check=False)
    assert failed.returncode != 0


def test_reapply_keeps_fields_others_set(server):
    server.kubectl("apply", "-f", "-", input=MANIFEST)
    # Someone else labels the deployment and scales it.
    server.kubectl("-n", "shop", "label", "deploy", "web", "touched-by=ops")
    edited = MANIFEST.replace("image: busybox:1.36", "image: busybox:1.37")
    out = server.kubectl("apply", "-f", "-", input=edited)
    assert "deployment.apps/web configured" in out
    assert "configmap/settings unchanged" in out
    d = json.loads(server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "json"))
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert d["metadata"]["labels"]["touched-by"] == "ops"

    # Dropping a field from the manifest removes it (3-way merge with last-applied).
    without_port = edited.replace("        ports:\n        - containerPort: 8080\n", "")
    server.kubectl("apply", "-f", "-", input=without_port)
    d = json.loads(server.kubectl("-n", "shop", "get", "deploy", "web", "-o", "json"))
    assert "ports" not in d["spec"]["template"]["spec"]["containers"][0]


def test_server_side_apply(server):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  a: '1'\n"
    out = server.kubectl("apply", "--server-side", "-f", "-", input=cm)
    assert "configmap/ssa serverside-applied" in out
    server.kubectl("apply", "--server-side", "-f", "-", input=cm.replace("a: '1'", "a: '2'"))
    assert server.kubectl("get", "cm", "ssa", "-o", "jsonpath={.data.a}") == "2"


def test_watch_sees_changes(server):
    env_cmd = ["kubectl", "--kubeconfig", server.kubeconfig, "get", "configmaps", "-w", "--output-watch-events", "-o",
               "jsonpath={.type} {.object.metadata.name}{\"\\n\"}"]
    watcher = subprocess.Popen(env_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        server.kubectl("create", "configmap", "w1", "--from-literal=a=b", "--validate=false") if False else \
            server.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w1\ndata:\n  a: b\n")
        server.kubectl("patch", "configmap", "w1", "--type", "merge", "-p", '{"data":{"a":"c"}}')
        server.kubectl("delete", "configmap", "w1")
        lines = []
        deadline = time.time() + 20
        while time.time() < deadline and len([l for l in lines if "w1" in l]) < 3:
            line = watcher.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
        events = [l for l in lines if l.endswith(" w1")]
        assert events == ["ADDED w1", "MODIFIED w1", "DELETED w1"], lines
    finally:
        watcher.kill()
        watcher.wait()


def test_delete_waits_until_gone_and_namespace_cleanup(server):
    server.kubectl("apply", "-f", "-", input=MANIFEST)
    server.kubectl("-n", "shop", "delete", "deploy", "web")
    assert server.kubectl("-n", "shop", "get", "deploy", "web", check=False).returncode != 0
    server.kubectl("delete", "namespace", "shop", timeout=60)
    assert server.kubectl("get", "ns", "shop", check=False).returncode != 0
    # Its contents went with it.
    status, body, _ = server.request("GET", "/api/v1/namespaces/shop/services")
    assert status == 200 and body["items"] == []


def test_api_resources_and_version(server):
    out = server.kubectl("api-resources")
    for name in ["pods", "services", "deployments", "replicasets", "endpointslices", "leases", "configmaps", "secrets",
                 "namespaces", "nodes", "events", "endpoints"]:
        assert any(line.split()[0] == name for line in out.splitlines()[1:]), name
    v = json.loads(server.kubectl("version", "-o", "json"))
    assert v["serverVersion"]["minor"] == "32"


def test_get_pods_table_and_field_selector(server):
    server.kubectl("run", "p1", "--image=busybox:1.36", "--labels=app=a")
    server.kubectl("run", "p2", "--image=busybox:1.36", "--labels=app=b")
    out = server.kubectl("get", "pods")
    assert out.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "Pending" in out
    wide = server.kubectl("get", "pods", "-o", "wide")
    assert wide.splitlines()[0].split()[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    assert server.kubectl("get", "pods", "-l", "app=a", "-o", "name").split() == ["pod/p1"]
    assert server.kubectl("get", "pods", "-l", "app in (a,b)", "-o", "name").split() == ["pod/p1", "pod/p2"]
    assert server.kubectl("get", "pods", "--field-selector", "metadata.name=p2", "-o", "name").split() == ["pod/p2"]
    assert server.kubectl("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").split() == ["pod/p1", "pod/p2"]
    # Paginated listing (kubectl asks for chunks of 500; force small ones).
    assert server.kubectl("get", "pods", "--chunk-size=1", "-o", "name").split() == ["pod/p1", "pod/p2"]


def test_explain_and_strict_validation(server):
    out = server.kubectl("explain", "pods.spec.containers")
    assert "KIND:" in out and "Pod" in out and "FIELD:" in out and "containers" in out
    out = server.kubectl("explain", "deployments.spec.strategy")
    assert "rollingUpdate" in out
    # kubectl validates server-side (fieldValidation=Strict): an unknown field is refused and nothing is stored.
    bad = MANIFEST.replace("  replicas: 3\n", "  replicas: 3\n  replicaz: 4\n")
    p = server.kubectl("apply", "-f", "-", input=bad, check=False)
    assert p.returncode != 0
    assert 'unknown field "spec.replicaz"' in p.stderr
    assert server.kubectl("-n", "shop", "get", "deploy", "web", check=False).returncode != 0


def test_get_watch_prints_table_rows(server):
    watcher = subprocess.Popen(["kubectl", "--kubeconfig", server.kubeconfig, "get", "configmaps", "-w"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        server.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t1\ndata:\n  a: b\n")
        lines = []
        deadline = time.time() + 15
        while time.time() < deadline:
            line = watcher.stdout.readline()
            if not line:
                break
            lines.append(line.split())
            if lines[-1][:1] == ["t1"]:
                break
        assert ["NAME", "DATA", "AGE"] in lines
        assert any(l[:2] == ["t1", "1"] for l in lines), lines
    finally:
        watcher.kill()
        watcher.wait()


def test_typed_create_commands_send_protobuf(server):
    # kubectl's typed client sends these bodies as application/vnd.kubernetes.protobuf.
    server.kubectl("create", "configmap", "c1", "--from-literal=a=b")
    server.kubectl("create", "secret", "generic", "s1", "--from-literal=p=q")
    server.kubectl("create", "deployment", "web", "--image=busybox:1.36", "--replicas=2", "--port=8080")
    server.kubectl("create", "service", "nodeport", "web", "--tcp=80:8080")
    server.kubectl("create", "namespace", "n2")
    assert server.kubectl("get", "cm", "c1", "-o", "jsonpath={.data.a}") == "b"
    assert server.kubectl("get", "secret", "s1", "-o", "jsonpath={.data.p}") == "cQ=="
    d = json.loads(server.kubectl("get", "deploy", "web", "-o", "json"))
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == 8080
    s = json.loads(server.kubectl("get", "svc", "web", "-o", "json"))
    assert s["spec"]["type"] == "NodePort" and s["spec"]["ports"][0]["targetPort"] == 8080
    assert server.kubectl("get", "ns", "n2", "-o", "jsonpath={.status.phase}") == "Active"
