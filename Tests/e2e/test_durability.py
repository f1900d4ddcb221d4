"""Acknowledged writes survive kill -9; resourceVersions continue and watches resume."""
import json
import ssl
import threading
import time
import urllib.request

from conftest import Server


def test_kill_9_during_writes_loses_nothing_acknowledged(server):
    acknowledged = []
    stop = threading.Event()

    def writer(prefix):
        i = 0
        while not stop.is_set():
            name = f"{prefix}-{i}"
            try:
                status, body, _ = server.request("POST", "/api/v1/namespaces/default/configmaps",
                                                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                                                  "data": {"i": str(i)}})
            except OSError:
                return  # the server is gone: this write was never acknowledged
            if status == 201:
                acknowledged.append((name, int(body["metadata"]["resourceVersion"])))
            i += 1

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    server.kill()  # SIGKILL, mid-stream
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acknowledged) > 50

    server.start()
    status, body, _ = server.request("GET", "/api/v1/namespaces/default/configmaps")
    assert status == 200
    present = {item["metadata"]["name"] for item in body["items"]}
    missing = [name for name, _ in acknowledged if name not in present]
    assert missing == []

    # resourceVersions continue after the restart.
    highest = max(rv for _, rv in acknowledged)
    status, created, _ = server.request("POST", "/api/v1/namespaces/default/configmaps",
                                        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after-restart"}})
    assert status == 201 and int(created["metadata"]["resourceVersion"]) > highest


def test_watch_resumes_after_restart(server):
    status, body, _ = server.request("GET", "/api/v1/namespaces/default/configmaps")
    rv = body["metadata"]["resourceVersion"]
    server.request("POST", "/api/v1/namespaces/default/configmaps",
                   {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "before"}})
    server.kill()
    server.start()
    server.request("POST", "/api/v1/namespaces/default/configmaps",
                   {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after"}})
    req = urllib.request.Request(
        server.url + f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=2",
        headers={"Authorization": "Bearer " + server.token()})
    with urllib.request.urlopen(req, context=server.ssl_context(), timeout=10) as resp:
        events = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "before"), ("ADDED", "after")]


def test_filtered_watch_sees_objects_enter_and_leave(server):
    status, body, _ = server.request("GET", "/api/v1/namespaces/default/configmaps")
    rv = body["metadata"]["resourceVersion"]
    path = "/api/v1/namespaces/default/configmaps"
    server.request("POST", path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "f"}})
    label = lambda value: server.request("PATCH", path + "/f", {"metadata": {"labels": {"team": value}}},
                                         content_type="application/merge-patch+json")
    label("a")                       # enters the selection: ADDED
    server.request("PATCH", path + "/f", {"data": {"k": "v"}}, content_type="application/merge-patch+json")  # MODIFIED
    label("b")                       # leaves it: DELETED
    server.request("DELETE", path + "/f")  # already out of the selection: nothing
    req = urllib.request.Request(
        server.url + f"{path}?watch=1&labelSelector=team%3Da&resourceVersion={rv}&timeoutSeconds=2",
        headers={"Authorization": "Bearer " + server.token()})
    with urllib.request.urlopen(req, context=server.ssl_context(), timeout=10) as resp:
        events = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    deleted = events[2]["object"]
    assert deleted["metadata"]["labels"]["team"] == "a"
    assert int(deleted["metadata"]["resourceVersion"]) > int(events[1]["object"]["metadata"]["resourceVersion"])


def test_compacted_history_gives_410_expired(make_server):
    server = make_server("--compaction-interval", "1")
    path = "/api/v1/namespaces/default/configmaps"
    _, first, _ = server.request("POST", path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old"}})
    old_rv = int(first["metadata"]["resourceVersion"])
    server.request("PATCH", path + "/old", {"data": {"a": "1"}}, content_type="application/merge-patch+json")
    time.sleep(2.5)  # two compaction rounds: the first records the revision, the second compacts to it
    server.request("POST", path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}})
    req = urllib.request.Request(server.url + f"{path}?watch=1&resourceVersion={old_rv}&timeoutSeconds=2",
                                 headers={"Authorization": "Bearer " + server.token()})
    with urllib.request.urlopen(req, context=server.ssl_context(), timeout=10) as resp:
        events = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
    # A list at the compacted revision is refused the same way; a fresh list works.
    status, body, _ = server.request("GET", f"{path}?resourceVersion={old_rv}&resourceVersionMatch=Exact")
    assert status == 410 and body["reason"] == "Expired"
    status, body, _ = server.request("GET", path)
    assert status == 200 and {i["metadata"]["name"] for i in body["items"]} == {"old", "new"}
