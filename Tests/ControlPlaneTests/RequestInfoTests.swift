import NIOHTTP1
import XCTest

@testable import ControlPlane

final class RequestInfoTests: XCTestCase {
    func info(_ method: HTTPMethod, _ uri: String) -> RequestInfo? {
        let request = HTTPRequest(method: method, uri: uri, headers: [:], body: [])
        return RequestInfo(method: method, path: request.path, query: request.query)
    }

    func testNamespacedAndClusterScopedPaths() {
        let get = info(.GET, "/api/v1/namespaces/default/pods/web")
        XCTAssertEqual(get?.namespace, "default")
        XCTAssertEqual(get?.resource, "pods")
        XCTAssertEqual(get?.name, "web")
        XCTAssertEqual(get?.verb, "get")

        let list = info(.GET, "/apis/apps/v1/deployments")
        XCTAssertEqual(list?.group, "apps")
        XCTAssertNil(list?.namespace)
        XCTAssertEqual(list?.verb, "list")

        let namespace = info(.GET, "/api/v1/namespaces/kube-system")
        XCTAssertEqual(namespace?.resource, "namespaces")
        XCTAssertEqual(namespace?.name, "kube-system")
        XCTAssertNil(namespace?.namespace)

        let status = info(.PUT, "/api/v1/namespaces/demo/status")
        XCTAssertEqual(status?.resource, "namespaces")
        XCTAssertEqual(status?.name, "demo")
        XCTAssertEqual(status?.subresource, "status")
        XCTAssertEqual(status?.verb, "update")
    }

    func testVerbsAndSubresources() {
        XCTAssertEqual(info(.GET, "/api/v1/pods?watch=true")?.verb, "watch")
        XCTAssertEqual(info(.GET, "/api/v1/pods?watch=True")?.verb, "watch")
        XCTAssertEqual(info(.GET, "/api/v1/pods?watch=false")?.verb, "list")
        XCTAssertEqual(info(.GET, "/api/v1/watch/namespaces/a/pods")?.verb, "watch")
        XCTAssertEqual(info(.DELETE, "/api/v1/namespaces/a/pods")?.verb, "deletecollection")
        XCTAssertEqual(info(.DELETE, "/api/v1/namespaces/a/pods/p")?.verb, "delete")
        let scale = info(.PATCH, "/apis/apps/v1/namespaces/a/deployments/d/scale")
        XCTAssertEqual(scale?.subresource, "scale")
        XCTAssertEqual(scale?.verb, "patch")
        XCTAssertEqual(info(.POST, "/api/v1/namespaces/a/pods/p/binding")?.subresource, "binding")
        XCTAssertNil(info(.GET, "/healthz"))
        XCTAssertNil(info(.GET, "/apis/apps"))
    }

    func testQueryDecoding() {
        let q = QueryParameters("labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=5&watch")
        XCTAssertEqual(q["labelSelector"], "app=web,tier in (a,b)")
        XCTAssertEqual(q["limit"], "5")
        XCTAssertEqual(q["watch"], "")
        XCTAssertFalse(q.bool("watch"))
    }

    func testContinueTokenRoundTrip() {
        let token = ContinueToken(revision: 42, startAfter: "/pods/default/web-1")
        let decoded = ContinueToken(token.encoded)
        XCTAssertEqual(decoded?.revision, 42)
        XCTAssertEqual(decoded?.startAfter, "/pods/default/web-1")
        XCTAssertNil(ContinueToken("not-a-token"))
    }
}
