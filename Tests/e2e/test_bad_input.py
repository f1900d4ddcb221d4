"""Bad input gets upstream's Status errors and stores nothing."""


def count(server, path):
    status, body, _ = server.request("GET", path)
    assert status == 200
    return len(body["items"])


def assert_status(result, code, reason):
    status, body, _ = result
    assert status == code, body
    assert body["kind"] == "Status" and body["status"] == "Failure", body
    assert body["code"] == code and body["reason"] == reason, body
    return body


CM_PATH = "/api/v1/namespaces/default/configmaps"


def test_malformed_json_and_yaml(server):
    before = count(server, CM_PATH)
    assert_status(server.request("POST", CM_PATH, b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {'), 400, "BadRequest")
    assert_status(server.request("POST", CM_PATH, b"apiVersion: v1\nkind: [ConfigMap\n", content_type="application/yaml"),
                  400, "BadRequest")
    assert_status(server.request("POST", CM_PATH, b"[1,2,3]"), 400, "BadRequest")
    assert count(server, CM_PATH) == before


def test_unknown_kind_and_wrong_namespace(server):
    assert_status(server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "Gizmo", "metadata": {"name": "g"}}),
                  400, "BadRequest")
    assert_status(server.request("POST", CM_PATH, {"apiVersion": "v7", "kind": "ConfigMap", "metadata": {"name": "g"}}),
                  400, "BadRequest")
    body = assert_status(server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": {"name": "g", "namespace": "kube-system"}}),
                         400, "BadRequest")
    assert "does not match the namespace" in body["message"]
    status, _, _ = server.request("GET", "/apis/nope.example.com/v1/widgets")
    assert status == 404
    assert count(server, CM_PATH) == 0


def test_invalid_names_and_fields(server):
    body = assert_status(server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": {"name": "Not_Valid"}}), 422, "Invalid")
    assert body["message"].startswith('ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid"')
    body = assert_status(server.request("POST", "/api/v1/namespaces/default/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 70000}]}}), 422, "Invalid")
    assert "spec.ports[0].port: Invalid value: 70000" in body["message"]
    assert_status(server.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "y"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}),
                  422, "Invalid")
    assert count(server, CM_PATH) == 0
    assert count(server, "/apis/apps/v1/namespaces/default/deployments") == 0


def test_strict_field_validation(server):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "data": {"a": "b"}, "bogus": 1}
    body = assert_status(server.request("POST", CM_PATH + "?fieldValidation=Strict", cm), 400, "BadRequest")
    assert 'unknown field "bogus"' in body["message"]
    assert count(server, CM_PATH) == 0
    status, created, headers = server.request("POST", CM_PATH + "?fieldValidation=Warn", cm)
    assert status == 201 and "bogus" not in created
    assert 'unknown field' in headers.get("Warning", "")


def test_oversized_body(server):
    big = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":"' + b"a" * (3 * 1024 * 1024 + 10) + b'"}}'
    assert_status(server.request("POST", CM_PATH, big), 413, "RequestEntityTooLarge")
    assert count(server, CM_PATH) == 0


def test_bad_patches(server):
    server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p"}, "data": {"a": "1"}})
    status, _, _ = server.request("PATCH", CM_PATH + "/p", [{"op": "remove", "path": "/data/zzz"}],
                                  content_type="application/json-patch+json")
    assert status in (400, 422)
    status, _, _ = server.request("PATCH", CM_PATH + "/p", b"{not json", content_type="application/merge-patch+json")
    assert status == 400
    status, _, _ = server.request("PATCH", CM_PATH + "/p", {"a": 1}, content_type="text/plain")
    assert status == 415
    _, cm, _ = server.request("GET", CM_PATH + "/p")
    assert cm["data"] == {"a": "1"} and cm["metadata"]["resourceVersion"]


def test_unauthenticated(server):
    status, body, _ = server.request("GET", "/api/v1/namespaces", auth=False)
    assert status == 401 and body["reason"] == "Unauthorized"
    status, body, _ = server.request("GET", "/api/v1/namespaces", auth=False, headers={"Authorization": "Bearer wrong"})
    assert status == 401
    for path in ("/healthz", "/livez", "/readyz"):
        assert server.request("GET", path, auth=False)[0] == 200


def test_paginated_list_with_selector_fills_pages(server):
    for i in range(7):
        server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": f"c{i}", "labels": {"odd": str(i % 2)}}})
    names, token, pages = [], "", 0
    while True:
        q = "?labelSelector=odd%3D0&limit=2" + (f"&continue={token}" if token else "")
        status, body, _ = server.request("GET", CM_PATH + q)
        assert status == 200
        assert len(body["items"]) <= 2
        names += [i["metadata"]["name"] for i in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert names == ["c0", "c2", "c4", "c6"]
    assert pages == 2
    status, body, _ = server.request("GET", CM_PATH + "?limit=3")
    assert len(body["items"]) == 3 and body["metadata"]["remainingItemCount"] == 4
    status, body, _ = server.request("GET", CM_PATH + "?continue=garbage")
    assert status == 400


def test_yaml_bodies_keep_their_types(server):
    body = b"""apiVersion: apps/v1
kind: Deployment
metadata: {name: y}
spec:
  replicas: 3
  selector: {matchLabels: {app: y}}
  template:
    metadata: {labels: {app: y, version: "2"}}
    spec: {containers: [{name: c, image: busybox, ports: [{containerPort: 80}]}]}
"""
    status, created, _ = server.request("POST", "/apis/apps/v1/namespaces/default/deployments", body,
                                        content_type="application/yaml")
    assert status == 201, created
    assert created["spec"]["replicas"] == 3
    assert created["spec"]["template"]["metadata"]["labels"]["version"] == "2"
    assert created["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == 80


def test_wrong_types_and_deep_nesting_are_refused(server):
    cases = [
        (CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t1"}, "data": {"a": {"nested": [1]}}}),
        (CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t2", "labels": "notamap"}}),
        (CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t3", "finalizers": "x"}}),
        ("/apis/apps/v1/namespaces/default/deployments",
         {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "t4"},
          "spec": {"replicas": "three", "selector": {"matchLabels": {"a": "b"}},
                   "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}),
    ]
    for path, body in cases:
        status, reply, _ = server.request("POST", path, body)
        assert status == 400 and reply["reason"] == "BadRequest", reply
    deep = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 400))
    status, _, _ = server.request("POST", CM_PATH, ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  " + deep).encode(),
                                  content_type="application/yaml")
    assert status == 400
    assert count(server, CM_PATH) == 0
    assert count(server, "/apis/apps/v1/namespaces/default/deployments") == 0


def test_patch_cannot_change_identity(server):
    server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "foo"}})
    for patch in ({"metadata": {"name": "bar"}}, {"metadata": {"namespace": "kube-system"}}, {"kind": "Secret"}):
        status, _, _ = server.request("PATCH", CM_PATH + "/foo", patch, content_type="application/merge-patch+json")
        assert status == 400, patch
    status, _, _ = server.request("PATCH", CM_PATH + "/aaa?fieldManager=t",
                                  b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"zzz"}}',
                                  content_type="application/apply-patch+yaml")
    assert status == 400
    _, cm, _ = server.request("GET", CM_PATH + "/foo")
    assert cm["kind"] == "ConfigMap" and cm["metadata"]["name"] == "foo" and cm["metadata"]["namespace"] == "default"
    assert count(server, CM_PATH) == 1


def test_hostile_numbers_do_not_crash_the_server(server):
    status, _, _ = server.request("POST", "/api/v1/namespaces/default/pods", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 9223372036854775807,
                 "containers": [{"name": "c", "image": "i"}]}})
    assert status == 201
    status, _, _ = server.request("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=9223372036854775807")
    assert status == 200
    status, _, _ = server.request("DELETE", "/api/v1/namespaces/default/pods/p")
    assert status == 200
    req_path = "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=9223372036854775807"
    import socket, ssl, os
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "tls", "ca.crt"))
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="127.0.0.1")
    s.sendall(f"GET {req_path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token()}\r\n\r\n".encode())
    assert s.recv(100).startswith(b"HTTP/1.1 200")
    s.close()
    assert server.request("GET", "/readyz", auth=False)[0] == 200
    assert server.proc.poll() is None


def test_resource_version_parameters_as_upstream(server):
    _, body, _ = server.request("GET", CM_PATH)
    current = int(body["metadata"]["resourceVersion"])
    status, body, _ = server.request("GET", CM_PATH + f"?resourceVersion={current + 1000}&resourceVersionMatch=NotOlderThan")
    assert status == 504 and body["reason"] == "Timeout"
    assert server.request("GET", CM_PATH + "?resourceVersion=1&resourceVersionMatch=Sometimes")[0] == 400
    assert server.request("GET", CM_PATH + "?resourceVersionMatch=Exact")[0] == 400
    status, _, _ = server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"name": "rv", "resourceVersion": "5"}})
    assert status == 400
    server.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rv"}})
    status, _, _ = server.request("PUT", CM_PATH + "/rv", {"apiVersion": "v1", "kind": "ConfigMap",
                                                           "metadata": {"name": "rv", "resourceVersion": "garbage"}})
    assert status == 422


def test_unauthenticated_body_is_not_read(server):
    import os, socket, ssl
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "tls", "ca.crt"))
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="127.0.0.1")
    s.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n")
    reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 401")
    s.close()
