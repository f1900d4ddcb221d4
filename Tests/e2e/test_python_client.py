"""The official Python client (kubernetes 32.x, for Kubernetes 1.32) against `skiff server`."""
import threading

from kubernetes import client, config, watch


def api_client(server):
    return config.new_client_from_config(config_file=server.kubeconfig)


def test_list_create_patch_watch(server):
    with api_client(server) as c:
        core = client.CoreV1Api(c)
        apps = client.AppsV1Api(c)
        names = [ns.metadata.name for ns in core.list_namespace().items]
        assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= set(names)

        svc = core.read_namespaced_service("kubernetes", "default")
        assert svc.spec.cluster_ip == "10.96.0.1"

        body = client.V1Deployment(
            metadata=client.V1ObjectMeta(name="api", labels={"app": "api"}),
            spec=client.V1DeploymentSpec(
                replicas=2,
                selector=client.V1LabelSelector(match_labels={"app": "api"}),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels={"app": "api"}),
                    spec=client.V1PodSpec(containers=[client.V1Container(name="api", image="busybox:1.36")]))))
        created = apps.create_namespaced_deployment("default", body)
        assert created.metadata.uid and created.metadata.resource_version
        assert created.spec.strategy.rolling_update.max_surge == "25%"

        patched = apps.patch_namespaced_deployment("api", "default", {"spec": {"replicas": 4}})
        assert patched.spec.replicas == 4
        assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)

        scale = apps.read_namespaced_deployment_scale("api", "default")
        assert scale.spec.replicas == 4

        # A watch from the current resourceVersion sees a create, an update and a delete.
        rv = core.list_namespaced_config_map("default").metadata.resource_version
        seen = []
        done = threading.Event()

        def run_watch():
            w = watch.Watch()
            for event in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=20):
                if event["object"].metadata.name == "py":
                    seen.append(event["type"])
                    if event["type"] == "DELETED":
                        w.stop()
            done.set()

        t = threading.Thread(target=run_watch)
        t.start()
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py"), data={"k": "v"}))
        core.patch_namespaced_config_map("py", "default", {"data": {"k": "w"}})
        core.delete_namespaced_config_map("py", "default")
        done.wait(25)
        t.join(1)
        assert seen == ["ADDED", "MODIFIED", "DELETED"]


def test_errors_are_status_objects(server):
    with api_client(server) as c:
        core = client.CoreV1Api(c)
        try:
            core.read_namespaced_config_map("missing", "default")
            raise AssertionError("expected 404")
        except client.exceptions.ApiException as e:
            assert e.status == 404
            assert '"reason":"NotFound"' in e.body

        cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dup"))
        core.create_namespaced_config_map("default", cm)
        try:
            core.create_namespaced_config_map("default", cm)
            raise AssertionError("expected 409")
        except client.exceptions.ApiException as e:
            assert e.status == 409 and '"reason":"AlreadyExists"' in e.body

        # Optimistic concurrency: an update from a stale resourceVersion conflicts.
        current = core.read_namespaced_config_map("dup", "default")
        current.data = {"a": "1"}
        core.replace_namespaced_config_map("dup", "default", current)
        current.data = {"a": "2"}
        try:
            core.replace_namespaced_config_map("dup", "default", current)
            raise AssertionError("expected 409")
        except client.exceptions.ApiException as e:
            assert e.status == 409 and '"reason":"Conflict"' in e.body
