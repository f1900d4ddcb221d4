import Foundation
import XCTest

@testable import KubeAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Test types

/// A ConfigMap of our own, so these tests depend only on `KubeObject`.
private struct TestConfigMap: KubeObject, Equatable {
    static let gvk = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let resource = "configmaps"
    static let namespaced = true

    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
    var data: [String: String]?

    init(name: String, namespace: String = "default", data: [String: String]? = nil) {
        metadata = ObjectMeta(name: name, namespace: namespace)
        self.data = data
    }
}

/// A projected form of a ConfigMap: its name and data only.
private struct TestNamedValue: KubeObject {
    static let gvk = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let resource = "configmaps"
    static let namespaced = true
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
    var data: [String: String]?
}

private struct TestNode: KubeObject {
    static let gvk = GroupVersionKind(group: "", version: "v1", kind: "Node")
    static let resource = "nodes"
    static let namespaced = false
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
}

private struct TestDeployment: KubeObject {
    static let gvk = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let resource = "deployments"
    static let namespaced = true
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
}

private struct TestClusterRole: KubeObject {
    static let gvk = GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")
    static let resource = "clusterroles"
    static let namespaced = false
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta?
}

// MARK: - Unit tests (no server)

final class ClientTests: XCTestCase {

    // MARK: kubeconfig

    private static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func testKubeconfigResolvesCurrentContext() throws {
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: admin@skiff
            clusters:
            - name: skiff
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: \(Data(Self.caPEM.utf8).base64EncodedString())
            - name: other
              cluster:
                server: https://10.0.0.1:6443
                insecure-skip-tls-verify: true
            users:
            - name: admin
              user:
                client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
                client-key-data: \(Data("KEY".utf8).base64EncodedString())
            - name: agent
              user:
                token: abc.def
            contexts:
            - name: admin@skiff
              context:
                cluster: skiff
                user: admin
            - name: agent@other
              context:
                cluster: other
                user: agent
                namespace: kube-system
            """
        let kubeconfig = try Kubeconfig(yaml: yaml)
        XCTAssertEqual(kubeconfig.clusters.map(\.name), ["skiff", "other"])
        XCTAssertEqual(kubeconfig.currentContext, "admin@skiff")

        let admin = try kubeconfig.clientConfig()
        XCTAssertEqual(admin.server, "https://127.0.0.1:6443")
        XCTAssertEqual(admin.certificateAuthorityPEM, Self.caPEM)
        XCTAssertFalse(admin.insecureSkipTLSVerify)
        XCTAssertEqual(admin.clientCertificatePEM, "CERT")
        XCTAssertEqual(admin.clientKeyPEM, "KEY")
        XCTAssertNil(admin.token)
        XCTAssertEqual(admin.namespace, "default")

        let agent = try kubeconfig.clientConfig(context: "agent@other")
        XCTAssertEqual(agent.server, "https://10.0.0.1:6443")
        XCTAssertTrue(agent.insecureSkipTLSVerify)
        XCTAssertNil(agent.certificateAuthorityPEM)
        XCTAssertEqual(agent.token, "abc.def")
        XCTAssertEqual(agent.namespace, "kube-system")

        XCTAssertThrowsError(try kubeconfig.clientConfig(context: "nope")) { error in
            XCTAssertEqual(error as? KubeconfigError, .missing(kind: "context", name: "nope"))
        }
    }

    func testKubeconfigReadsFilesRelativeToItself() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("skiff-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.caPEM.write(to: dir.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "file-token\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let yaml = """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://example.test:6443/prefix", certificate-authority: ca.crt}
            users:
            - name: u
              user: {token-file: token}
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """
        try yaml.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)

        let config = try Kubeconfig.load(path: dir.appendingPathComponent("config").path).clientConfig()
        XCTAssertEqual(config.certificateAuthorityPEM, Self.caPEM)
        XCTAssertEqual(config.tokenFile, dir.appendingPathComponent("token").path)

        // clientcmd's own spelling, `tokenFile`, works too.
        let camel = try Kubeconfig(yaml: yaml.replacingOccurrences(of: "token-file", with: "tokenFile"),
                                   baseDirectory: dir.path).clientConfig()
        XCTAssertEqual(camel.tokenFile, dir.appendingPathComponent("token").path)
    }

    func testKubeconfigErrors() {
        XCTAssertThrowsError(try Kubeconfig(yaml: "clusters: [").clientConfig())
        XCTAssertThrowsError(try Kubeconfig(yaml: "clusters: []").clientConfig()) { error in
            XCTAssertEqual(error as? KubeconfigError, .noCurrentContext)
        }
    }

    // MARK: splitting watch bodies

    private func strings(_ documents: [[UInt8]]) -> [String] {
        documents.map { String(decoding: $0, as: UTF8.self) }
    }

    func testSplitterHandsOutSeveralDocumentsFromOneChunk() throws {
        var splitter = JSONStreamSplitter()
        let docs = try splitter.append(Array("{\"a\":1}\n{\"b\":[1,{\"c\":2}]}\n{\"d\"".utf8))
        XCTAssertEqual(strings(docs), ["{\"a\":1}", "{\"b\":[1,{\"c\":2}]}"])
        XCTAssertTrue(splitter.hasPartialDocument)
        XCTAssertEqual(strings(try splitter.append(Array(":3}\n".utf8))), ["{\"d\":3}"])
        XCTAssertFalse(splitter.hasPartialDocument)
    }

    func testSplitterReassemblesDocumentsFedByteByByte() throws {
        // Braces, brackets, quotes and backslashes inside strings must not end a document.
        let input = #"{"type":"ADDED","object":{"s":"}]{[\"\\","n":null}}"# + "\n" + #"{"x":"\\"}"# + "\n"
        var splitter = JSONStreamSplitter()
        var docs: [[UInt8]] = []
        for byte in input.utf8 { docs += try splitter.append([byte]) }
        XCTAssertEqual(strings(docs), [#"{"type":"ADDED","object":{"s":"}]{[\"\\","n":null}}"#, #"{"x":"\\"}"#])
        for doc in docs {
            XCTAssertNoThrow(try JSONDecoder().decode(JSONValue.self, from: Data(doc)))
        }
    }

    func testSplitterAcceptsPrettyPrintedAndUnseparatedDocuments() throws {
        var splitter = JSONStreamSplitter()
        let docs = try splitter.append(Array("{\n  \"a\": {\n \"b\": 1\n }\n}{\"c\":2}  \r\n".utf8))
        XCTAssertEqual(docs.count, 2)
        XCTAssertFalse(splitter.hasPartialDocument)
    }

    func testSplitterRejectsGarbageAndOversizedDocuments() {
        var splitter = JSONStreamSplitter()
        XCTAssertThrowsError(try splitter.append(Array("hello".utf8)))
        var small = JSONStreamSplitter(maxDocumentSize: 8)
        XCTAssertThrowsError(try small.append(Array("{\"aaaaaaaaaaaa".utf8)))
    }

    func testWatchEventDecoding() throws {
        let added = try WatchStream.decode(
            Array(#"{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"5"},"data":{"k":"v"}}}"#.utf8),
            as: TestConfigMap.self)
        guard case .event(.added(let cm)) = added else { return XCTFail("\(added)") }
        XCTAssertEqual(cm.name, "a")
        XCTAssertEqual(cm.data, ["k": "v"])

        let bookmark = try WatchStream.decode(
            Array(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"42"}}}"#.utf8),
            as: TestConfigMap.self)
        guard case .event(.bookmark(let rv)) = bookmark else { return XCTFail("\(bookmark)") }
        XCTAssertEqual(rv, "42")

        let expired = try WatchStream.decode(
            Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (20)","reason":"Expired","code":410}}"#.utf8),
            as: TestConfigMap.self)
        guard case .error(let error) = expired else { return XCTFail("\(expired)") }
        XCTAssertTrue(error.isGone)
        XCTAssertEqual(error.message, "too old resource version: 1 (20)")

        XCTAssertThrowsError(try WatchStream.decode(Array(#"{"type":"WEIRD","object":{}}"#.utf8),
                                                    as: JSONValue.self))
    }

    // MARK: URLs

    func testResourcePaths() {
        XCTAssertEqual(ResourcePath(TestConfigMap.self, namespace: "default").path,
                       "/api/v1/namespaces/default/configmaps")
        XCTAssertEqual(ResourcePath(TestConfigMap.self, namespace: "kube-system", name: "x").path,
                       "/api/v1/namespaces/kube-system/configmaps/x")
        XCTAssertEqual(ResourcePath(TestConfigMap.self).path, "/api/v1/configmaps",
                       "no namespace lists across all namespaces")
        XCTAssertEqual(ResourcePath(TestNode.self, namespace: "ignored", name: "n1", subresource: "status").path,
                       "/api/v1/nodes/n1/status")
        XCTAssertEqual(ResourcePath(TestDeployment.self, namespace: "web", name: "front", subresource: "scale").path,
                       "/apis/apps/v1/namespaces/web/deployments/front/scale")
        XCTAssertEqual(ResourcePath(TestDeployment.self).path, "/apis/apps/v1/deployments")
        XCTAssertEqual(ResourcePath(TestClusterRole.self, name: "system:admin").path,
                       "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aadmin")
        XCTAssertEqual(ResourcePath(group: "", version: "v1", resource: "pods", namespace: "a", name: "p",
                                    subresource: "log").description,
                       "/api/v1/namespaces/a/pods/p/log")
    }

    func testRequestURLs() async throws {
        // No connection is made: the client only builds URLs here.
        let client = try KubeClient(config: KubeClientConfig(server: "https://127.0.0.1:6443/"))
        let options = ListOptions(labelSelector: "app in (web,db),tier!=cache", fieldSelector: "metadata.name=a",
                                  limit: 50, continueToken: "abc+/=", resourceVersion: "0",
                                  resourceVersionMatch: "NotOlderThan", timeoutSeconds: 30,
                                  allowWatchBookmarks: true)
        XCTAssertEqual(
            client.url(path: ResourcePath(TestConfigMap.self, namespace: "default").path, query: options.queryItems),
            "https://127.0.0.1:6443/api/v1/namespaces/default/configmaps"
                + "?labelSelector=app%20in%20%28web%2Cdb%29%2Ctier%21%3Dcache&fieldSelector=metadata.name%3Da"
                + "&limit=50&continue=abc%2B%2F%3D&resourceVersion=0&resourceVersionMatch=NotOlderThan"
                + "&timeoutSeconds=30&allowWatchBookmarks=true")
        XCTAssertEqual(client.url(path: "/api/v1/nodes", query: []), "https://127.0.0.1:6443/api/v1/nodes")
        XCTAssertEqual(WriteOptions(fieldManager: "skiff", dryRun: true, force: true).queryItems.map(\.name),
                       ["dryRun", "fieldManager", "force"])
        try await client.shutdown()
    }

    func testClientRejectsBadServerURL() {
        XCTAssertThrowsError(try KubeClient(config: KubeClientConfig(server: "127.0.0.1:6443")))
        XCTAssertThrowsError(try KubeClient(config: KubeClientConfig(server: "https://x",
                                                                     certificateAuthorityPEM: "not a pem")))
    }

    func testPatchContentTypes() {
        XCTAssertEqual(PatchType.merge.contentType, "application/merge-patch+json")
        XCTAssertEqual(PatchType.json.contentType, "application/json-patch+json")
        XCTAssertEqual(PatchType.strategic.contentType, "application/strategic-merge-patch+json")
        XCTAssertEqual(PatchType.apply.contentType, "application/apply-patch+yaml")
    }

    // MARK: Status → error

    private func error(_ code: Int, _ body: String) -> KubeAPIError {
        KubeAPIError(httpStatus: code, body: Array(body.utf8))
    }

    func testStatusBodiesMapToErrors() {
        let notFound = error(404, #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"configmaps"},"code":404}"#)
        XCTAssertTrue(notFound.isNotFound)
        XCTAssertFalse(notFound.isConflict)
        XCTAssertEqual(notFound.code, 404)
        XCTAssertEqual(notFound.message, #"configmaps "x" not found"#)
        XCTAssertEqual(notFound.details?["name"], "x")

        let exists = error(409, #"{"kind":"Status","status":"Failure","reason":"AlreadyExists","code":409,"message":"exists"}"#)
        XCTAssertTrue(exists.isAlreadyExists)
        XCTAssertFalse(exists.isConflict)

        let conflict = error(409, #"{"kind":"Status","status":"Failure","reason":"Conflict","code":409,"message":"the object has been modified"}"#)
        XCTAssertTrue(conflict.isConflict)
        XCTAssertFalse(conflict.isAlreadyExists)

        let expired = error(410, #"{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"}"#)
        XCTAssertTrue(expired.isGone)

        // A Status without a code takes the HTTP one.
        let codeless = error(410, #"{"kind":"Status","reason":"Gone","message":"gone"}"#)
        XCTAssertEqual(codeless.code, 410)
        XCTAssertTrue(codeless.isGone)
    }

    func testNonStatusBodiesStillMapByHTTPCode() {
        let plain = error(503, "upstream connect error\n")
        XCTAssertEqual(plain.code, 503)
        XCTAssertEqual(plain.reason, "ServiceUnavailable")
        XCTAssertEqual(plain.message, "upstream connect error")

        let bare404 = error(404, "")
        XCTAssertTrue(bare404.isNotFound)
        XCTAssertFalse(bare404.message.isEmpty)

        let otherJSON = error(409, #"{"hello":"world"}"#)
        XCTAssertTrue(otherJSON.isConflict)
        XCTAssertEqual(otherJSON.message, #"{"hello":"world"}"#)

        XCTAssertTrue(error(410, "").isGone)
    }

    // MARK: cache and backoff

    private func cm(_ name: String, rv: String, _ value: String = "") -> TestConfigMap {
        var c = TestConfigMap(name: name, data: ["v": value])
        c.metadata?.resourceVersion = rv
        return c
    }

    private func describe(_ change: ObjectChange<TestConfigMap>?) -> String {
        switch change {
        case .added(let o): "add \(o.name)@\(o.metadata?.resourceVersion ?? "")"
        case .updated(let old, let new):
            "update \(new.name)@\(old.metadata?.resourceVersion ?? "")->\(new.metadata?.resourceVersion ?? "")"
        case .deleted(let o): "delete \(o.name)@\(o.metadata?.resourceVersion ?? "")"
        case nil: "none"
        }
    }

    func testCacheReplaceReportsOnlyDifferences() {
        var cache = ObjectCache<TestConfigMap>()
        XCTAssertEqual(cache.replace(with: [cm("b", rv: "2"), cm("a", rv: "1")], resourceVersion: "2").map(describe),
                       ["add a@1", "add b@2"])
        XCTAssertEqual(cache.replace(with: [cm("b", rv: "2"), cm("c", rv: "4"), cm("a", rv: "3")],
                                     resourceVersion: "4").map(describe),
                       ["update a@1->3", "add c@4"])
        XCTAssertEqual(cache.replace(with: [cm("c", rv: "4")], resourceVersion: "6").map(describe),
                       ["delete a@3", "delete b@2"])
        XCTAssertEqual(cache.resourceVersion, "6")
        XCTAssertEqual(Array(cache.keys), ["default/c"])
    }

    func testCacheAppliesWatchEvents() {
        var cache = ObjectCache<TestConfigMap>()
        _ = cache.replace(with: [cm("a", rv: "1")], resourceVersion: "1")
        XCTAssertEqual(describe(cache.apply(.added(cm("b", rv: "2")))), "add b@2")
        XCTAssertEqual(describe(cache.apply(.modified(cm("a", rv: "3")))), "update a@1->3")
        XCTAssertEqual(describe(cache.apply(.added(cm("a", rv: "4")))), "update a@3->4")
        XCTAssertEqual(describe(cache.apply(.modified(cm("z", rv: "5")))), "add z@5")
        XCTAssertEqual(describe(cache.apply(.deleted(cm("b", rv: "6")))), "delete b@6")
        XCTAssertEqual(describe(cache.apply(.deleted(cm("never", rv: "7")))), "none")
        XCTAssertEqual(describe(cache.apply(.bookmark(resourceVersion: "9"))), "none")
        XCTAssertEqual(cache.resourceVersion, "9")
        XCTAssertEqual(cache.keys.sorted(), ["default/a", "default/z"])
        XCTAssertEqual(ObjectCache<TestNode>.key(namespace: nil, name: "n1"), "n1")
    }

    func testBackoffDoublesToCapAndResets() {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(1), jitter: 0)
        XCTAssertEqual((0..<5).map { _ in backoff.next() },
                       [.milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        backoff.reset()
        XCTAssertEqual(backoff.next(), .milliseconds(200))

        var jittered = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.5)
        let first = jittered.next()
        XCTAssertGreaterThanOrEqual(first, .seconds(1))
        XCTAssertLessThanOrEqual(first, .milliseconds(1500))
    }

    func testInformerStopEndsRetriesAndWaiters() async throws {
        // Nothing listens on port 1: the informer keeps retrying until stopped.
        let client = try KubeClient(config: KubeClientConfig(server: "https://127.0.0.1:1"))
        let informer = Informer<TestConfigMap>(client: client,
                                               backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)))
        informer.start()
        informer.start()  // idempotent
        let waiter = Task { try await informer.waitForSync() }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertFalse(informer.hasSynced)
        XCTAssertTrue(informer.list().isEmpty)

        let cancelled = Task { try await informer.waitForSync() }
        cancelled.cancel()
        do {
            try await cancelled.value
            XCTFail("waitForSync returned without a sync")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }

        await informer.stop()
        do {
            try await waiter.value
            XCTFail("waitForSync returned without a sync")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        // Handlers registered after stop are inert, and stopping twice is harmless.
        informer.onAdd { _ in XCTFail("no events after stop") }
        await informer.stop()
        try await client.shutdown()
    }

    func testDeletionOptionsBody() {
        let body = DeletionOptions(gracePeriodSeconds: 0, propagationPolicy: .foreground,
                                   preconditionUID: "u1").body
        XCTAssertEqual(body["kind"], "DeleteOptions")
        XCTAssertEqual(body["gracePeriodSeconds"], 0)
        XCTAssertEqual(body["propagationPolicy"], "Foreground")
        XCTAssertEqual(body[path: ["preconditions", "uid"]], "u1")
    }
}

// MARK: - Integration test against `skiff server`

/// Handler calls as text, in arrival order.
private actor EventLog {
    private(set) var lines: [String] = []

    func append(_ line: String) { lines.append(line) }

    /// Lines after the first `from`.
    func lines(from start: Int) -> [String] { Array(lines.dropFirst(start)) }
}

/// Polls until `condition` holds; never a timing assertion, only a bound on a hang.
private func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}

/// A `skiff server` on a loopback port over a temporary data directory. `destroy()`
/// kills it and removes the directory; tests call it from a teardown block so that it
/// runs whatever the outcome.
private final class ServerUnderTest: @unchecked Sendable {
    let binary: URL
    let dataDir: URL
    let port: Int
    private let lock = NSLock()
    private var process: Process?
    private var starts = 0

    var kubeconfigPath: String { dataDir.appendingPathComponent("admin.kubeconfig").path }

    init(binary: URL) throws {
        self.binary = binary
        dataDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("skiff-client-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        port = try Self.freeLoopbackPort()
    }

    /// The repository's debug build of `skiff`, found from this file's path;
    /// `SKIFF_TEST_BINARY` points elsewhere.
    static func findBinary() -> URL? {
        if let override = ProcessInfo.processInfo.environment["SKIFF_TEST_BINARY"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/skiff")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// Binds port 0 to learn a free port; the server binds it a moment later.
    static func freeLoopbackPort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Bool in
                bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func start() throws {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["server", "--data-dir", dataDir.path, "--listen", "127.0.0.1:\(port)"]
        let log = dataDir.appendingPathComponent("server-\(starts).log")
        starts += 1
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        lock.withLock { process = p }
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// SIGKILL, as a crash: no goodbye to clients.
    func kill() {
        let p = lock.withLock { () -> Process? in
            defer { process = nil }
            return process
        }
        guard let p, p.isRunning else { return }
        #if canImport(Glibc)
        _ = Glibc.kill(p.processIdentifier, SIGKILL)
        #else
        _ = Darwin.kill(p.processIdentifier, SIGKILL)
        #endif
        p.waitUntilExit()
    }

    func logs() -> String {
        (0..<starts).map { i in
            let text = (try? String(contentsOf: dataDir.appendingPathComponent("server-\(i).log"), encoding: .utf8))
            return "--- server run \(i) ---\n" + (text ?? "")
        }.joined(separator: "\n")
    }

    func destroy() {
        kill()
        try? FileManager.default.removeItem(at: dataDir)
    }

    /// Waits for the kubeconfig and for `/readyz` to answer through a client made from it.
    func waitReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: Error?
        while ContinuousClock.now < deadline {
            guard isRunning else {
                throw ServerError.exited(logs())
            }
            if FileManager.default.fileExists(atPath: kubeconfigPath) {
                do {
                    let client = try KubeClient(kubeconfigPath: kubeconfigPath)
                    do {
                        let body = try await client.raw(method: "GET", path: "/readyz")
                        try await client.shutdown()
                        if String(decoding: body, as: UTF8.self).contains("ok") { return }
                    } catch {
                        try? await client.shutdown()
                        throw error
                    }
                } catch {
                    lastError = error
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError.notReady("\(lastError.map { "\($0)" } ?? "no kubeconfig")\n\(logs())")
    }

    enum ServerError: Error, CustomStringConvertible {
        case exited(String)
        case notReady(String)

        var description: String {
            switch self {
            case .exited(let logs): "skiff server exited before it was ready:\n\(logs)"
            case .notReady(let why): "skiff server not ready: \(why)"
            }
        }
    }
}

final class ClientTestsAgainstServer: XCTestCase {
    /// A ready `skiff server` on loopback, removed when the test ends.
    private func startedServer() async throws -> ServerUnderTest {
        guard let binary = ServerUnderTest.findBinary() else {
            throw XCTSkip("no .build/debug/skiff yet: build the `skiff` product to run the client integration test")
        }
        let server = try ServerUnderTest(binary: binary)
        addTeardownBlock { server.destroy() }
        try server.start()
        try await server.waitReady()
        return server
    }

    func testClientAndInformerAgainstSkiffServer() async throws {
        let server = try await startedServer()

        let client = try KubeClient(kubeconfigPath: server.kubeconfigPath)
        let informer = Informer<TestConfigMap>(client: client, namespace: "default",
                                               backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(2)))
        do {
            try await exercise(client: client, informer: informer, server: server)
        } catch {
            await informer.stop()
            try? await client.shutdown()
            XCTFail("server logs:\n\(server.logs())")
            throw error
        }
        await informer.stop()
        try await client.shutdown()
    }

    /// A projection of a shared informer: only what `include` keeps, as the projected type;
    /// objects moving in and out of it are adds and deletes.
    func testProjectedInformerFollowsItsShareOfTheSource() async throws {
        let server = try await startedServer()
        let client = try KubeClient(kubeconfigPath: server.kubeconfigPath)
        let shared = Informer<TestConfigMap>(client: client, namespace: "default")
        func labelled(_ name: String, _ keep: String?, _ v: String) -> TestConfigMap {
            var object = TestConfigMap(name: name, data: ["v": v])
            object.metadata?.labels = keep.map { ["keep": $0] }
            return object
        }
        _ = try await client.create(labelled("early", "yes", "0"))
        _ = try await client.create(labelled("other", "no", "0"))
        let view = ProjectedInformer<TestConfigMap, TestNamedValue>(decoding: shared,
                                                                   include: { $0.metadata?.labels?["keep"] == "yes" })
        let log = EventLog()
        let registration = view.addEventHandlers(
            onAdd: { await log.append("add \($0.metadata?.name ?? "") \($0.data?["v"] ?? "")") },
            onUpdate: { await log.append("update \($1.metadata?.name ?? "") \($0.data?["v"] ?? "")->\($1.data?["v"] ?? "")") },
            onDelete: { await log.append("delete \($0.metadata?.name ?? "")") })
        view.start()
        try await withTimeout(.seconds(30)) { try await view.waitForSync() }
        await view.waitUntilHandled(registration)
        let first = await log.lines
        XCTAssertEqual(first, ["add early 0"])

        var early = try await client.get(TestConfigMap.self, name: "early")
        early.data = ["v": "1"]
        _ = try await client.update(early)                                   // in the view: update
        var other = try await client.get(TestConfigMap.self, name: "other")
        other.metadata?.labels = ["keep": "yes"]
        _ = try await client.update(other)                                   // moves in: add
        early = try await client.get(TestConfigMap.self, name: "early")
        early.metadata?.labels = ["keep": "no"]
        _ = try await client.update(early)                                   // moves out: delete
        _ = try await client.create(labelled("ignored", nil, "0"))           // never in it
        try await client.delete(TestConfigMap.self, name: "other")           // in it: delete
        let expected = ["add early 0", "update early 0->1", "add other 0", "delete early", "delete other"]
        let sawAll = await eventually { await log.lines.count >= expected.count }
        XCTAssertTrue(sawAll)
        try await Task.sleep(for: .milliseconds(300))
        let seen = await log.lines
        XCTAssertEqual(seen, expected)

        // Stopping the view leaves the shared informer running for its other users.
        await view.stop()
        XCTAssertTrue(shared.hasSynced)
        _ = try await client.create(labelled("late", "yes", "0"))
        let sawLate = await eventually { shared.get(namespace: "default", name: "late") != nil }
        XCTAssertTrue(sawLate)
        let after = await log.lines
        XCTAssertEqual(after, expected)
        await shared.stop()
        try await client.shutdown()
    }

    private func exercise(client: KubeClient, informer: Informer<TestConfigMap>,
                          server: ServerUnderTest) async throws {
        // Typed writes and the errors the server reports.
        let a = try await client.create(TestConfigMap(name: "a", data: ["v": "0"]))
        XCTAssertEqual(a.name, "a")
        XCTAssertEqual(a.kind, "ConfigMap")
        XCTAssertNotNil(a.metadata?.resourceVersion)
        _ = try await client.create(TestConfigMap(name: "b", data: ["v": "1"]))

        await assertAPIError({ _ = try await client.create(TestConfigMap(name: "a")) }, \.isAlreadyExists)
        await assertAPIError({ _ = try await client.get(TestConfigMap.self, name: "missing") }, \.isNotFound)
        var stale = a
        stale.data = ["v": "stale"]
        stale.metadata?.resourceVersion = a.metadata?.resourceVersion
        // Without a resourceVersion an update is unconditional; it must change something,
        // or the server may keep the resourceVersion and the stale one would still match.
        _ = try await client.update(TestConfigMap(name: "a", data: ["v": "1"]))
        await assertAPIError({ _ = try await client.update(stale) }, \.isConflict)

        // Pages: whatever the server's page size, the pages add up to the list.
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await client.list(TestConfigMap.self, namespace: "default",
                                             options: ListOptions(limit: 1, continueToken: token))
            XCTAssertNotNil(page.resourceVersion)
            names += page.items.map(\.name)
            token = page.continueToken
        } while token != nil
        XCTAssertEqual(names.sorted(), ["a", "b"])

        // Untyped read of the same object.
        let raw = try await client.get(path: ResourcePath(TestConfigMap.self, namespace: "default", name: "b").path)
        XCTAssertEqual(raw[path: ["data", "v"]], "1")

        // The informer: initial adds from the list, then live events in order.
        let log = EventLog()
        informer.addEventHandler(
            onAdd: { await log.append("add \($0.name) \($0.data?["v"] ?? "")") },
            onUpdate: { await log.append("update \($1.name) \($0.data?["v"] ?? "")->\($1.data?["v"] ?? "")") },
            onDelete: { await log.append("delete \($0.name)") })
        informer.start()
        try await withTimeout(.seconds(30)) { try await informer.waitForSync() }
        XCTAssertTrue(informer.hasSynced)
        XCTAssertEqual(informer.list().map(\.name), ["a", "b"])

        _ = try await client.create(TestConfigMap(name: "c", data: ["v": "1"]))
        var current = try await client.get(TestConfigMap.self, name: "a")
        current.data = ["v": "2"]
        _ = try await client.update(current)
        let patched: TestConfigMap = try await client.patch(TestConfigMap.self, name: "b", type: .merge,
                                                            patch: ["data": ["v": "2"]])
        XCTAssertEqual(patched.data, ["v": "2"])
        try await client.delete(TestConfigMap.self, name: "c")

        let expected = ["add a 1", "add b 1", "add c 1", "update a 1->2", "update b 1->2", "delete c"]
        let sawAll = await eventually { await log.lines.count >= expected.count }
        let seen = await log.lines
        XCTAssertTrue(sawAll, "informer events so far: \(seen)")
        XCTAssertEqual(seen, expected)
        XCTAssertEqual(informer.get(namespace: "default", name: "a")?.data, ["v": "2"])
        XCTAssertNil(informer.get(namespace: "default", name: "c"))

        // Crash and restart the server on the same data: the informer reconnects,
        // resumes (or relists) and misses nothing, without repeating anything.
        server.kill()
        try server.start()
        try await server.waitReady()
        let mark = await log.lines.count

        _ = try await client.create(TestConfigMap(name: "d", data: ["v": "1"]))
        current = try await client.get(TestConfigMap.self, name: "a")
        current.data = ["v": "3"]
        _ = try await client.update(current)
        try await client.delete(TestConfigMap.self, name: "b")

        let afterRestart = ["add d 1", "update a 2->3", "delete b"]
        let sawRest = await eventually(timeout: .seconds(60)) { await log.lines.count >= mark + afterRestart.count }
        let rest = await log.lines(from: mark)
        XCTAssertTrue(sawRest, "informer events after restart: \(rest)")
        XCTAssertEqual(rest, afterRestart)
        XCTAssertEqual(informer.list().map(\.name), ["a", "d"])
        XCTAssertEqual(informer.get(namespace: "default", name: "a")?.data, ["v": "3"])

        // A handler added late first gets the cache as adds.
        let late = EventLog()
        informer.onAdd { await late.append($0.name) }
        let lateSaw = await eventually { await late.lines.count >= 2 }
        XCTAssertTrue(lateSaw)
        let lateLines = await late.lines
        XCTAssertEqual(lateLines, ["a", "d"])

        // A raw watch from the informer's resourceVersion delivers the next change.
        let rv = try XCTUnwrap(informer.resourceVersion)
        let events = try await client.watch(TestConfigMap.self, namespace: "default",
                                            options: ListOptions(resourceVersion: rv, timeoutSeconds: 30))
        _ = try await client.create(TestConfigMap(name: "e"))
        let first = try await withTimeout(.seconds(30)) { () -> KubeWatchEvent<TestConfigMap>? in
            for try await event in events {
                if case .bookmark = event { continue }
                return event
            }
            return nil
        }
        XCTAssertEqual(first?.type, "ADDED")
        XCTAssertEqual(first?.object?.name, "e")

        // Untyped calls, other patch formats, label selectors and deletecollection.
        let ePath = ResourcePath(TestConfigMap.self, namespace: "default", name: "e").path
        let jsonPatched = try await client.patch(path: ePath, type: .json,
                                                 patch: [["op": "add", "path": "/data", "value": ["k": "j"]]])
        XCTAssertEqual(jsonPatched[path: ["data", "k"]], "j")
        let labelled: TestConfigMap = try await client.patch(TestConfigMap.self, name: "d", type: .strategic,
                                                             patch: ["metadata": ["labels": ["app": "x"]]])
        XCTAssertEqual(labelled.metadata?.labels, ["app": "x"])
        let selected = try await client.list(TestConfigMap.self, namespace: "default",
                                             options: ListOptions(labelSelector: "app=x"))
        XCTAssertEqual(selected.items.map(\.name), ["d"])
        let collection = ResourcePath(TestConfigMap.self, namespace: "default").path
        try await client.deleteCollection(path: collection)
        let remaining = try await client.list(path: collection)
        XCTAssertEqual(remaining.items.count, 0)
        let emptied = await eventually { informer.list().isEmpty }
        XCTAssertTrue(emptied, "informer still holds \(informer.list().map(\.name))")
    }

    private func assertAPIError(_ body: () async throws -> Void, _ predicate: (KubeAPIError) -> Bool,
                                file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await body()
            XCTFail("expected an API error", file: file, line: line)
        } catch let error as KubeAPIError {
            XCTAssertTrue(predicate(error), "unexpected \(error)", file: file, line: line)
        } catch {
            XCTFail("expected an API error, got \(error)", file: file, line: line)
        }
    }
}

private struct TimedOut: Error {}

/// Runs `body`, failing with `TimedOut` if it takes longer than `limit`: a bound on a
/// hang, so that a broken server fails the test instead of stalling it.
private func withTimeout<R: Sendable>(_ limit: Duration,
                                      _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimedOut()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
