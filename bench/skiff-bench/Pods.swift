import Foundation

/// The realistic Pod every benchmark writes (~1.6 KB of JSON): labels, annotations, one
/// container with ports, env (plain and downward API), resources, probes and a mount.
enum PodFactory {
    /// Annotation carrying "SEQ:MONOTONIC_NANOS" in the watch benchmark. No slash in the key,
    /// so the marker is found byte-for-byte whatever a serializer does with `/`.
    static let stampKey = "skiff-bench-sent"
    static let marker = Array("\"\(stampKey)\":\"".utf8)

    static func namespace(_ index: Int, namespaces: Int) -> String { "bench-\(index % namespaces)" }

    static func name(_ index: Int) -> String {
        let digits = String(index)
        return "web-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The app label takes 10 values; `app=web-3` selects a tenth of the pods.
    static func app(_ index: Int) -> String { "web-\(index % 10)" }

    static func json(index: Int, namespaces: Int, stamp: String? = nil) -> String {
        let ns = namespace(index, namespaces: namespaces)
        let name = name(index)
        // The stamp comes first so it lies in the first bytes of the value (etcd watchers
        // decode only a prefix of the base64 value to find it).
        let stampField = stamp.map { "\"\(stampKey)\":\"\($0)\"," } ?? ""
        return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{\(stampField)"kubectl.kubernetes.io/default-container":"web",\
        "prometheus.io/scrape":"true","prometheus.io/port":"9090"},"name":"\(name)","namespace":"\(ns)",\
        "labels":{"app":"\(app(index))","tier":"frontend","release":"stable","pod-template-hash":"7d4b9c8f6d",\
        "bench.skiff.io/index":"\(index)"}},"spec":{"containers":[{"name":"web",\
        "image":"registry.example.com/shop/web:1.27.3","imagePullPolicy":"IfNotPresent",\
        "command":["/usr/local/bin/web"],"args":["--listen=:8080","--metrics=:9090","--log-format=json"],\
        "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],\
        "env":[{"name":"LOG_LEVEL","value":"info"},{"name":"CACHE_URL","value":"redis://cache.shop.svc.cluster.local:6379/0"},\
        {"name":"DB_HOST","value":"postgres.shop.svc.cluster.local"},\
        {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},\
        {"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}],\
        "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},\
        "readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":5},\
        "livenessProbe":{"httpGet":{"path":"/livez","port":8080},"initialDelaySeconds":10,"periodSeconds":10},\
        "volumeMounts":[{"name":"config","mountPath":"/etc/web","readOnly":true}]}],\
        "volumes":[{"name":"config","configMap":{"name":"web-config"}}],"restartPolicy":"Always",\
        "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default",\
        "nodeSelector":{"kubernetes.io/os":"linux"},\
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}
        """
    }

    /// The merge patch that stamps an existing pod in the watch benchmark.
    static func stampPatch(_ stamp: String) -> String {
        "{\"metadata\":{\"annotations\":{\"\(stampKey)\":\"\(stamp)\"}}}"
    }

    static func etcdKey(index: Int, namespaces: Int) -> String {
        "/registry/pods/\(namespace(index, namespaces: namespaces))/\(name(index))"
    }
}
