@testable import ControlPlane
import KubeAPI
import XCTest

final class EndpointSliceReconcilerTests: XCTestCase {
    let reconciler = EndpointSliceReconciler(maxEndpointsPerSlice: 3)

    func service(ports: [ServicePort] = [ServicePort(name: "http", port: 80, targetPort: .int(8080))],
                 families: [String] = ["IPv4"], publishNotReady: Bool? = nil) -> Service {
        var meta = ObjectMeta(name: "web", namespace: "default", labels: ["team": "a"])
        meta.uid = "svc-uid"
        var spec = ServiceSpec(ports: ports, selector: ["app": "web"], clusterIP: "10.96.0.10", type: "ClusterIP")
        spec.ipFamilies = families
        spec.publishNotReadyAddresses = publishNotReady
        return Service(metadata: meta, spec: spec)
    }

    func pod(_ i: Int, ready: Bool = true, ips: [String]? = nil, terminating: Bool = false,
             containerPorts: [ContainerPort] = [], phase: String = "Running", restartPolicy: String? = nil) -> Pod {
        var meta = ObjectMeta(name: "p\(i)", namespace: "default", labels: ["app": "web"])
        meta.uid = "pod-\(i)"
        if terminating { meta.deletionTimestamp = "2026-11-23T10:00:00Z" }
        var spec = PodSpec(containers: [Container(name: "c", ports: containerPorts)])
        spec.restartPolicy = restartPolicy
        let addresses = ips ?? ["10.244.0.\(i)"]
        let status = PodStatus(phase: phase, conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")],
                               podIP: addresses.first, podIPs: addresses.map { PodIP(ip: $0) })
        return Pod(metadata: meta, spec: spec, status: status)
    }

    /// Applies a plan the way the API server would: names for created slices.
    func applied(_ plan: EndpointSliceReconciler.Plan, to existing: [EndpointSlice]) -> [EndpointSlice] {
        var byName: [String: EndpointSlice] = [:]
        for s in existing { byName[s.metadata!.name!] = s }
        for s in plan.deletes { byName[s.metadata!.name!] = nil }
        for s in plan.updates { byName[s.metadata!.name!] = s }
        for (i, var s) in plan.creates.enumerated() {
            s.metadata?.name = "web-new\(byName.count)-\(i)"
            byName[s.metadata!.name!] = s
        }
        return byName.values.sorted { $0.metadata!.name! < $1.metadata!.name! }
    }

    func sync(_ pods: [Pod], existing: [EndpointSlice], service s: Service? = nil) -> (EndpointSliceReconciler.Plan, [EndpointSlice]) {
        let svc = s ?? service()
        let plan = reconciler.plan(service: svc, desired: reconciler.desired(service: svc, pods: pods, zones: [:]),
                                   existing: existing, triggerTime: "2026-11-23T10:00:00Z")
        return (plan, applied(plan, to: existing))
    }

    func addresses(_ slices: [EndpointSlice]) -> [String] {
        slices.flatMap { $0.endpoints ?? [] }.compactMap { $0.addresses?.first }.sorted()
    }

    func testSlicesHoldAtMostTheLimitAndChangesTouchOnlyTheSliceConcerned() {
        let pods = (1...7).map { pod($0) }
        let (first, slices) = sync(pods, existing: [])
        XCTAssertEqual(first.creates.map { $0.endpoints!.count }, [3, 3, 1])
        XCTAssertEqual(addresses(slices).count, 7)
        for slice in slices {
            XCTAssertEqual(slice.metadata?.labels?["kubernetes.io/service-name"], "web")
            XCTAssertEqual(slice.metadata?.labels?["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io")
            XCTAssertEqual(slice.metadata?.labels?["team"], "a")
            XCTAssertEqual(slice.metadata?.ownerReferences?.first?.uid, "svc-uid")
            XCTAssertEqual(slice.ports, [EndpointPort(name: "http", port: 8080, protocol: "TCP")])
        }

        // Nothing changed: nothing written.
        XCTAssertTrue(sync(pods, existing: slices).0.isEmpty)

        // One Pod turns not-ready: only its slice is rewritten.
        var changed = pods
        changed[4] = pod(5, ready: false)
        let (second, after) = sync(changed, existing: slices)
        XCTAssertEqual(second.updates.count, 1)
        XCTAssertTrue(second.creates.isEmpty && second.deletes.isEmpty)
        let p5 = after.flatMap { $0.endpoints! }.first { $0.addresses == ["10.244.0.5"] }
        XCTAssertEqual(p5?.conditions, EndpointConditions(ready: false, serving: false, terminating: false))

        // A new Pod goes into the slice with room (an update), not a new slice.
        let (third, grown) = sync(changed + [pod(8)], existing: after)
        XCTAssertTrue(third.creates.isEmpty)
        XCTAssertEqual(third.updates.count, 1)
        XCTAssertEqual(addresses(grown).count, 8)

        // Pods gone: emptied slices are deleted, the others keep theirs.
        let (fourth, shrunk) = sync([pod(1)], existing: grown)
        XCTAssertEqual(addresses(shrunk), ["10.244.0.1"])
        XCTAssertEqual(fourth.deletes.count, 2)
    }

    func testNoEndpointsLeavesOnePlaceholder() {
        let (plan, slices) = sync([], existing: [])
        XCTAssertEqual(plan.creates.count, 1)
        XCTAssertEqual(slices.first?.endpoints, [])
        XCTAssertTrue(sync([], existing: slices).0.isEmpty)        // kept, not rewritten
        let (filled, after) = sync([pod(1)], existing: slices)
        XCTAssertEqual(filled.deletes.count, 1)                      // the placeholder goes
        XCTAssertEqual(addresses(after), ["10.244.0.1"])
    }

    func testConditionsAndWhichPodsCount() {
        let svc = service()
        let desired = reconciler.desired(service: svc, pods: [
            pod(1), pod(2, ready: false), pod(3, terminating: true),
            pod(4, phase: "Succeeded", restartPolicy: "Never"),     // finished for good
            pod(5, ips: []),                                         // no address yet
        ], zones: [:])
        let endpoints = desired.values.flatMap { $0 }.map(\.endpoint)
        XCTAssertEqual(endpoints.map { $0.addresses!.first! }, ["10.244.0.1", "10.244.0.2", "10.244.0.3"])
        XCTAssertEqual(endpoints.map(\.conditions), [
            EndpointConditions(ready: true, serving: true, terminating: false),
            EndpointConditions(ready: false, serving: false, terminating: false),
            EndpointConditions(ready: false, serving: true, terminating: true),
        ])
        // publishNotReadyAddresses: ready whatever the Pod says.
        let published = reconciler.desired(service: service(publishNotReady: true), pods: [pod(2, ready: false)], zones: [:])
        XCTAssertEqual(published.values.first?.first?.endpoint.conditions?.ready, true)
    }

    func testNamedPortsResolvePerPodAndDualStackGetsASlicePerFamily() {
        let svc = service(ports: [ServicePort(name: "http", port: 80, targetPort: .string("web")),
                                  ServicePort(name: "metrics", port: 9090)],
                          families: ["IPv4", "IPv6"])
        let named = pod(1, ips: ["10.244.0.1", "fd00::1"], containerPorts: [ContainerPort(name: "web", containerPort: 8080)])
        let unnamed = pod(2, ips: ["10.244.0.2", "fd00::2"])
        let desired = reconciler.desired(service: svc, pods: [named, unnamed], zones: [:])
        XCTAssertEqual(desired.count, 4)   // 2 families × 2 port sets
        let v4Both = EndpointSliceReconciler.Shape(addressType: "IPv4", ports: [
            EndpointPort(name: "http", port: 8080, protocol: "TCP"), EndpointPort(name: "metrics", port: 9090, protocol: "TCP")])
        XCTAssertEqual(desired[v4Both]?.map(\.address), ["10.244.0.1"])
        let v6MetricsOnly = EndpointSliceReconciler.Shape(addressType: "IPv6", ports: [EndpointPort(name: "metrics", port: 9090, protocol: "TCP")])
        XCTAssertEqual(desired[v6MetricsOnly]?.map(\.address), ["fd00::2"])
    }

    func testHostnameOnlyWhenTheSubdomainNamesTheService() {
        var p = pod(1)
        p.spec?.hostname = "pet"
        p.spec?.subdomain = "web"
        XCTAssertEqual(PodEndpoints.hostname(of: p, in: service()), "pet")
        p.spec?.subdomain = "other"
        XCTAssertNil(PodEndpoints.hostname(of: p, in: service()))
    }

    func testSlicesOfAnEarlierServiceOfTheSameNameAreReplaced() {
        let (_, slices) = sync([pod(1)], existing: [])
        var other = service()
        other.metadata?.uid = "new-uid"
        let (plan, after) = sync([pod(1)], existing: slices, service: other)
        XCTAssertEqual(plan.deletes.count, 1)
        XCTAssertEqual(after.map { $0.metadata?.ownerReferences?.first?.uid }, ["new-uid"])
    }
}
