import Foundation
import XCTest
@testable import ControlPlane
import KubeAPI

// Sample types covering what the reflector has to handle.
private struct Sample: Codable {
    enum Mode: String, Codable, CaseIterable { case fast = "Fast", slow = "Slow" }

    var name: String?
    var count: Int32?
    var big: Int64?
    var ratio: Double?
    var flag: Bool?
    var tags: [String]?
    var labels: [String: String]?
    var child: Child?
    var children: [Child]?
    var byName: [String: Child]?
    var matrix: [[Int32]]?
    var port: IntOrString?
    var limits: [String: Quantity]?
    var raw: JSONValue?
    var mode: Mode?
    var id: String  // non-optional: required
}

private struct Child: Codable {
    var value: String?
    var createdTime: String?
}

/// A recursive type: the cycle guard must stop at `children`.
private struct Tree: Codable {
    var name: String?
    var children: [Tree]?
    var meta: [String: Tree]?
}

/// A required self-reference: reflection must terminate although no value can be built.
private final class Loop: Decodable {
    let name: String
    let next: Loop
}

/// Custom-coded leaf with its own schema.
private struct Percent: Codable, SchemaProviding {
    var value: Int
    init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        value = Int(s.dropLast()) ?? 0
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode("\(value)%")
    }
    static var schema: Schema { .primitive(Primitive(.string, format: "percent")) }
}

/// Hand-written init(from:) with a nested container and documentation.
private struct Custom: Decodable, SchemaDocumenting {
    var a: String?
    var inner: String?
    var percent: Percent?
    enum Keys: String, CodingKey { case a, nested, percent }
    enum NestedKeys: String, CodingKey { case inner }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        a = try c.decodeIfPresent(String.self, forKey: .a)
        let n = try c.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        inner = try n.decodeIfPresent(String.self, forKey: .inner)
        percent = try c.decodeIfPresent(Percent.self, forKey: .percent)
    }
    static var schemaDescription: String? { "A custom thing." }
    static var fieldAnnotations: [String: SchemaAnnotation] { ["a": SchemaAnnotation(description: "The a.")] }
}

private func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

private let allResources: [ResourceDescription] = [
    ResourceDescription(Pod.self, subresources: ["status", "binding", "log", "exec", "attach", "portforward"]),
    ResourceDescription(Service.self, subresources: ["status"]),
    ResourceDescription(Namespace.self, subresources: ["status"]),
    ResourceDescription(Node.self, subresources: ["status"]),
    ResourceDescription(ConfigMap.self),
    ResourceDescription(Secret.self),
    ResourceDescription(Endpoints.self),
    ResourceDescription(Event.self),
    ResourceDescription(Deployment.self, subresources: ["status", "scale"]),
    ResourceDescription(ReplicaSet.self, subresources: ["status", "scale"]),
    ResourceDescription(EndpointSlice.self),
    ResourceDescription(Lease.self),
]

final class OpenAPITests: XCTestCase {
    // MARK: Reflection

    func testReflectsSampleType() throws {
        let schema = SchemaReflector.schema(for: Sample.self)
        let o = try XCTUnwrap(schema.objectSchema)
        XCTAssertTrue(o.typeName?.hasSuffix("Sample") ?? false)
        XCTAssertEqual(o.properties["name"]?.schema, .string)
        XCTAssertEqual(o.properties["count"]?.schema, .int32)
        XCTAssertEqual(o.properties["big"]?.schema, .int64)
        XCTAssertEqual(o.properties["ratio"]?.schema, .double)
        XCTAssertEqual(o.properties["flag"]?.schema, .boolean)
        XCTAssertEqual(o.properties["tags"]?.schema, .array(.string))
        XCTAssertEqual(o.properties["labels"]?.schema, .map(.string))
        XCTAssertEqual(o.properties["matrix"]?.schema, .array(.array(.int32)))
        XCTAssertEqual(o.properties["port"]?.schema, .intOrString)
        XCTAssertEqual(o.properties["limits"]?.schema, .map(.quantity))
        XCTAssertEqual(o.properties["raw"]?.schema, .any)
        XCTAssertEqual(o.properties["mode"]?.schema, .primitive(Primitive(.string, enumValues: ["Fast", "Slow"])))
        XCTAssertEqual(o.required, ["id"])
        XCTAssertEqual(o.properties.count, 16)

        let child = try XCTUnwrap(o.properties["child"]?.schema.objectSchema)
        XCTAssertEqual(Set(child.properties.keys), ["value", "createdTime"])
        XCTAssertEqual(child.properties["createdTime"]?.schema, .dateTime, "timestamps kept as String are date-time")
        XCTAssertEqual(o.properties["children"]?.schema, .array(.object(child)))
        XCTAssertEqual(o.properties["byName"]?.schema, .map(.object(child)))
    }

    func testRecursiveTypeIsCycleGuarded() throws {
        let schema = SchemaReflector.schema(for: Tree.self)
        let o = try XCTUnwrap(schema.objectSchema)
        let typeName = try XCTUnwrap(o.typeName)
        XCTAssertEqual(o.properties["children"]?.schema, .array(.recursive(typeName)))
        XCTAssertEqual(o.properties["meta"]?.schema, .map(.recursive(typeName)))
        // The back-reference resolves while walking.
        XCTAssertEqual(schema.lookup(["children", "children", "name"]), .string)
        XCTAssertEqual(schema.lookup(["children"]), .array(.recursive(typeName)))
        XCTAssertEqual(schema.lookup(["children", "meta"])?.objectSchema, nil)
        XCTAssertEqual(schema.lookup(["meta", "children", "meta", "name"]), .string)
        XCTAssertNil(schema.lookup(["children", "nope"]))
        let found = UnknownFields.find(
            in: try json(#"{"name":"a","children":[{"name":"b","children":[{"bad":1}]}],"meta":{"k":{"x":2}}}"#),
            schema: schema)
        XCTAssertEqual(found, ["children[0].children[0].bad", "meta.k.x"])
    }

    func testRequiredSelfReferenceTerminates() throws {
        let o = try XCTUnwrap(SchemaReflector.schema(for: Loop.self).objectSchema)
        XCTAssertEqual(o.properties["name"]?.schema, .string)
        XCTAssertEqual(o.properties["next"]?.schema, .recursive(o.typeName!))
        XCTAssertEqual(o.required, ["name", "next"])
    }

    func testCustomCodedTypesAndDocumentation() throws {
        let o = try XCTUnwrap(SchemaReflector.schema(for: Custom.self).objectSchema)
        XCTAssertEqual(o.description, "A custom thing.")
        XCTAssertEqual(o.properties["a"]?.annotation.description, "The a.")
        XCTAssertEqual(o.properties["percent"]?.schema, .primitive(Primitive(.string, format: "percent")))
        let nested = try XCTUnwrap(o.properties["nested"]?.schema.objectSchema)
        XCTAssertNil(nested.typeName, "a nested container is an anonymous object")
        XCTAssertEqual(nested.properties["inner"]?.schema, .string)
    }

    func testReflectsPodAndDeployment() throws {
        let pod = SchemaReflector.schema(for: Pod.self)
        XCTAssertEqual(pod.lookup(["metadata", "labels"]), .map(.string))
        XCTAssertEqual(pod.lookup(["metadata", "creationTimestamp"]), .dateTime)
        XCTAssertEqual(pod.lookup(["spec", "containers", "ports", "containerPort"]), .int32)
        XCTAssertEqual(pod.lookup(["spec", "containers", "resources", "limits"]), .map(.quantity))
        XCTAssertEqual(pod.lookup(["spec", "containers", "livenessProbe", "httpGet", "port"]), .intOrString)
        XCTAssertEqual(pod.lookup(["metadata", "managedFields", "fieldsV1"]), .any)
        XCTAssertEqual(pod.lookup(["spec", "containers"])?.objectSchema, nil, "containers is an array")

        let containers = try XCTUnwrap(pod.property(at: ["spec", "containers"]))
        XCTAssertEqual(containers.annotation.patchStrategy, "merge")
        XCTAssertEqual(containers.annotation.patchMergeKey, "name")
        let ports = try XCTUnwrap(pod.property(at: ["spec", "containers", "ports"]))
        XCTAssertEqual(ports.annotation.patchMergeKey, "containerPort")
        XCTAssertEqual(ports.annotation.listMapKeys, ["containerPort", "protocol"])
        XCTAssertEqual(pod.property(at: ["spec", "volumes"])?.annotation.patchStrategy, "merge,retainKeys")
        XCTAssertEqual(pod.property(at: ["status", "conditions"])?.annotation.patchMergeKey, "type")

        let deployment = SchemaReflector.schema(for: Deployment.self)
        XCTAssertEqual(deployment.lookup(["spec", "replicas"]), .int32)
        XCTAssertEqual(deployment.lookup(["spec", "strategy", "rollingUpdate", "maxSurge"]), .intOrString)
        XCTAssertEqual(deployment.lookup(["spec", "template", "spec", "containers", "image"]), .string)
        XCTAssertEqual(deployment.property(at: ["spec", "strategy"])?.annotation.patchStrategy, "retainKeys")
        XCTAssertEqual(deployment.lookup(["spec", "selector", "matchLabels"]), .map(.string))

        let service = SchemaReflector.schema(for: Service.self)
        XCTAssertEqual(service.property(at: ["spec", "ports"])?.annotation.patchMergeKey, "port")
        XCTAssertEqual(service.lookup(["spec", "ports", "targetPort"]), .intOrString)
    }

    // MARK: Unknown fields

    func testUnknownFieldPaths() throws {
        let deployment = SchemaReflector.schema(for: Deployment.self)
        let body = try json("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","foo":1,"labels":{"app":"web"}},
             "spec":{"replicas":1,"bar":true,
               "selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"a","image":"i"},{"name":"b","image":"i","foo":{"x":1},
                   "ports":[{"containerPort":80,"Protocol":"TCP"}],
                   "resources":{"limits":{"cpu":"1"}}}]}}}}
            """)
        let unknown = UnknownFields.find(in: body, schema: deployment)
        XCTAssertEqual(unknown, ["metadata.foo", "spec.bar", "spec.template.spec.containers[1].foo",
                                 "spec.template.spec.containers[1].ports[0].Protocol"])
        XCTAssertEqual(UnknownFields.strictErrorMessage(["spec.foo", "spec.bar"]),
                       #"strict decoding error: unknown field "spec.foo", unknown field "spec.bar""#)
        XCTAssertNil(UnknownFields.strictErrorMessage([]))
        XCTAssertEqual(UnknownFields.warningHeaderValues(["spec.foo"]), [#"299 - "unknown field \"spec.foo\"""#])

        let pruned = deployment.prune(body)
        XCTAssertEqual(UnknownFields.find(in: pruned, schema: deployment), [])
        XCTAssertNil(pruned[path: ["metadata", "foo"]])
        XCTAssertEqual(pruned[path: ["metadata", "labels", "app"]], "web")
        XCTAssertEqual(pruned[path: ["spec", "replicas"]], 1)
        let containers = try XCTUnwrap(pruned[path: ["spec", "template", "spec", "containers"]]?.arrayValue)
        XCTAssertEqual(containers.count, 2)
        XCTAssertNil(containers[1]["foo"])
        XCTAssertEqual(containers[1][path: ["resources", "limits", "cpu"]], "1")

        // Free-form JSON keeps everything.
        let pod = SchemaReflector.schema(for: Pod.self)
        let withFields = try json(#"{"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"anything":{}}}}]}}"#)
        XCTAssertEqual(UnknownFields.find(in: withFields, schema: pod), [])
        XCTAssertEqual(pod.prune(withFields), withFields)
    }

    // MARK: Documents

    func testIndexAndDocumentShape() throws {
        let builder = OpenAPIBuilder(resources: allResources)
        let index = builder.index()
        let apps = try XCTUnwrap(index[path: ["paths", "apis/apps/v1", "serverRelativeURL"]]?.stringValue)
        let hash = try XCTUnwrap(builder.hash(groupVersionPath: "apis/apps/v1"))
        XCTAssertEqual(apps, "/openapi/v3/apis/apps/v1?hash=\(hash)")
        XCTAssertNotNil(index[path: ["paths", "api/v1"]])
        XCTAssertNotNil(index[path: ["paths", "apis/discovery.k8s.io/v1"]])
        XCTAssertNotNil(index[path: ["paths", "apis/coordination.k8s.io/v1"]])
        XCTAssertEqual(builder.groupVersionPaths.first, "api/v1")

        let doc = try XCTUnwrap(builder.document(groupVersionPath: "apis/apps/v1"))
        XCTAssertNotNil(builder.document(groupVersionPath: "/openapi/v3/apis/apps/v1?hash=x"))
        XCTAssertNil(builder.document(groupVersionPath: "apis/batch/v1"))
        XCTAssertEqual(doc["openapi"], "3.0.0")

        // (a) The PATCH operation kubectl's QueryParamVerifierV3 looks for.
        let item = try XCTUnwrap(doc[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]])
        let patch = try XCTUnwrap(item["patch"])
        XCTAssertEqual(patch["x-kubernetes-group-version-kind"],
                       ["group": "apps", "kind": "Deployment", "version": "v1"])
        XCTAssertEqual(patch["x-kubernetes-action"], "patch")
        let params = try XCTUnwrap(patch["parameters"]?.arrayValue)
        let queryNames = params.filter { $0["in"] == "query" }.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(Set(queryNames), ["dryRun", "fieldManager", "fieldValidation", "force"])
        // (c) apply's 3-way patch needs strategic merge patch in the request body types.
        XCTAssertNotNil(patch[path: ["requestBody", "content", "application/strategic-merge-patch+json"]])
        for method in ["get", "put", "delete"] {
            XCTAssertEqual(item[method]?["x-kubernetes-action"]?.stringValue, method)
        }
        let post = try XCTUnwrap(doc[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments", "post"]])
        XCTAssertTrue(post["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } ?? false)
        XCTAssertEqual(doc[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments", "get",
                                  "x-kubernetes-action"]], "list")
        XCTAssertNotNil(doc[path: ["paths", "/apis/apps/v1/deployments", "get"]], "list across namespaces")

        // Every PATCH operation with a GVK carries fieldValidation (kubectl checks only the first it finds).
        for (path, pathItem) in doc["paths"]?.objectValue ?? [:] {
            guard let op = pathItem["patch"], op["x-kubernetes-group-version-kind"] != nil else { continue }
            XCTAssertTrue(op["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } ?? false, path)
        }
        let scale = try XCTUnwrap(doc[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "patch"]])
        XCTAssertEqual(scale["x-kubernetes-group-version-kind"], ["group": "autoscaling", "kind": "Scale", "version": "v1"])

        // (b) Components named as upstream, GVK list on top-level kinds, refs via allOf.
        let schemas = try XCTUnwrap(doc[path: ["components", "schemas"]]?.objectValue)
        let deployment = try XCTUnwrap(schemas["io.k8s.api.apps.v1.Deployment"])
        XCTAssertEqual(deployment["x-kubernetes-group-version-kind"],
                       [["group": "apps", "kind": "Deployment", "version": "v1"]])
        XCTAssertEqual(deployment[path: ["properties", "metadata", "allOf"]],
                       [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]])
        XCTAssertEqual(schemas["io.k8s.api.apps.v1.DeploymentList"]?["x-kubernetes-group-version-kind"],
                       [["group": "apps", "kind": "DeploymentList", "version": "v1"]])
        for name in ["io.k8s.api.apps.v1.DeploymentSpec", "io.k8s.api.core.v1.PodTemplateSpec", "io.k8s.api.core.v1.PodSpec",
                     "io.k8s.api.core.v1.Container", "io.k8s.api.autoscaling.v1.Scale",
                     "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
                     "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.apimachinery.pkg.api.resource.Quantity",
                     "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.Status"] {
            XCTAssertNotNil(schemas[name], name)
        }
        let containers = try XCTUnwrap(schemas["io.k8s.api.core.v1.PodSpec"]?[path: ["properties", "containers"]])
        XCTAssertEqual(containers["type"], "array")
        XCTAssertEqual(containers["x-kubernetes-patch-strategy"], "merge")
        XCTAssertEqual(containers["x-kubernetes-patch-merge-key"], "name")
        XCTAssertEqual(containers[path: ["items", "$ref"]], "#/components/schemas/io.k8s.api.core.v1.Container")
        XCTAssertEqual(schemas["io.k8s.api.core.v1.ServicePort"], nil, "not in the apps document")
        XCTAssertNil(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]?["type"], "oneOf, no type")

        // All $refs resolve, in every document, and no name needed disambiguation.
        for gv in builder.groupVersionPaths {
            let d = try XCTUnwrap(builder.document(groupVersionPath: gv))
            let names = Set(d[path: ["components", "schemas"]]?.objectValue?.keys.map { $0 } ?? [])
            for name in names {
                XCTAssertFalse(name.last!.isNumber && !name.hasSuffix("v1"), "\(gv): \(name)")
            }
            for ref in refs(in: d) {
                XCTAssertTrue(ref.hasPrefix("#/components/schemas/"), ref)
                XCTAssertTrue(names.contains(String(ref.dropFirst("#/components/schemas/".count))), "\(gv): \(ref)")
            }
        }
    }

    func testCoreDocumentPathsForExplain() throws {
        let builder = OpenAPIBuilder(resources: allResources)
        let doc = try XCTUnwrap(builder.document(groupVersionPath: "api/v1"))
        let paths = try XCTUnwrap(doc["paths"]?.objectValue)
        XCTAssertEqual(paths["/api/v1/namespaces/{namespace}/pods"]?[path: ["get", "x-kubernetes-group-version-kind"]],
                       ["group": "", "kind": "Pod", "version": "v1"])
        XCTAssertNotNil(paths["/api/v1/nodes/{name}"]?["patch"], "cluster-scoped item path")
        XCTAssertNotNil(paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]?["patch"])
        XCTAssertEqual(paths["/api/v1/namespaces/{namespace}/pods/{name}/binding"]?[path: ["post", "x-kubernetes-group-version-kind"]],
                       ["group": "", "kind": "Binding", "version": "v1"])
        XCTAssertEqual(paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"]?[path: ["get", "x-kubernetes-action"]], "connect")
        XCTAssertEqual(doc[path: ["components", "schemas", "io.k8s.api.core.v1.Pod", "x-kubernetes-group-version-kind"]],
                       [["group": "", "kind": "Pod", "version": "v1"]])
        let ports = doc[path: ["components", "schemas", "io.k8s.api.core.v1.ServiceSpec", "properties", "ports"]]
        XCTAssertEqual(ports?["x-kubernetes-patch-merge-key"], "port")
        XCTAssertEqual(ports?["x-kubernetes-list-map-keys"], ["port", "protocol"])

        // discovery.k8s.io/v1 names its own EndpointPort.
        let discovery = try XCTUnwrap(builder.document(groupVersionPath: "apis/discovery.k8s.io/v1"))
        XCTAssertNotNil(discovery[path: ["components", "schemas", "io.k8s.api.discovery.v1.EndpointPort"]])
        XCTAssertNotNil(discovery[path: ["components", "schemas", "io.k8s.api.discovery.v1.EndpointSlice"]])

        // The schemas the API server validates against.
        XCTAssertEqual(builder.schema(for: Pod.gvk), SchemaReflector.schema(for: Pod.self))
        XCTAssertEqual(builder.schema(group: "apps", version: "v1", resource: "deployments", subresource: "scale"),
                       builder.schema(for: GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")))
        XCTAssertEqual(builder.schema(group: "apps", version: "v1", resource: "deployments", subresource: "status"),
                       builder.schema(for: Deployment.gvk))
        XCTAssertNil(builder.schema(group: "", version: "v1", resource: "widgets"))
    }

    func testSwaggerV2() throws {
        let builder = OpenAPIBuilder(resources: allResources)
        let v2 = builder.swaggerV2()
        XCTAssertEqual(v2["swagger"], "2.0")
        let definitions = try XCTUnwrap(v2["definitions"]?.objectValue)
        XCTAssertEqual(definitions["io.k8s.api.apps.v1.Deployment"]?["x-kubernetes-group-version-kind"],
                       [["group": "apps", "kind": "Deployment", "version": "v1"]])
        let containers = definitions["io.k8s.api.core.v1.PodSpec"]?[path: ["properties", "containers"]]
        XCTAssertEqual(containers?["x-kubernetes-patch-merge-key"], "name")
        XCTAssertEqual(containers?[path: ["items", "$ref"]], "#/definitions/io.k8s.api.core.v1.Container")
        XCTAssertEqual(definitions["io.k8s.api.core.v1.Container"]?[path: ["properties", "env", "x-kubernetes-patch-merge-key"]], "name")
        XCTAssertEqual(definitions["io.k8s.api.core.v1.Container"]?[path: ["properties", "volumeMounts", "x-kubernetes-patch-merge-key"]], "mountPath")
        let patch = try XCTUnwrap(v2[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch"]])
        XCTAssertTrue(patch["consumes"]?.arrayValue?.contains("application/strategic-merge-patch+json") ?? false)
        XCTAssertTrue(patch["parameters"]?.arrayValue?.contains { $0["name"] == "body" && $0["in"] == "body" } ?? false)
        let names = Set(definitions.keys)
        for ref in refs(in: v2) {
            XCTAssertTrue(names.contains(String(ref.dropFirst("#/definitions/".count))), ref)
        }

        // The protobuf form kubectl asks for: openapi.v2.Document, field 1 = "2.0".
        let pb = builder.swaggerV2Protobuf()
        XCTAssertEqual(Array(pb.prefix(5)), [0x0a, 0x03, UInt8(ascii: "2"), UInt8(ascii: "."), UInt8(ascii: "0")])
        XCTAssertGreaterThan(pb.count, 10_000)
    }

    func testProtobufWireFormat() {
        var m = SwaggerProtobuf.Message()
        m.string(1, "a")
        m.bool(4, true)
        var inner = SwaggerProtobuf.Message()
        inner.string(2, String(repeating: "x", count: 200))
        m.message(3, inner)
        // key 1/LEN "a"; key 4/VARINT 1; key 3/LEN with a two-byte varint length (203).
        XCTAssertEqual(Array(m.bytes.prefix(7)), [0x0a, 0x01, 0x61, 0x20, 0x01, 0x1a, 0xcb])
        XCTAssertEqual(m.bytes[7], 0x01)
        XCTAssertEqual(m.bytes.count, 8 + 203)
    }

    func testDocumentsAreDeterministic() {
        let a = OpenAPIBuilder(resources: allResources)
        let b = OpenAPIBuilder(resources: allResources.reversed())
        for gv in a.groupVersionPaths {
            XCTAssertEqual(a.hash(groupVersionPath: gv), b.hash(groupVersionPath: gv), gv)
            XCTAssertEqual(a.document(groupVersionPath: gv), b.document(groupVersionPath: gv), gv)
        }
        XCTAssertEqual(a.swaggerV2Protobuf(), b.swaggerV2Protobuf())
        let fewer = OpenAPIBuilder(resources: allResources.filter { $0.kind != "ReplicaSet" })
        XCTAssertNotEqual(a.hash(groupVersionPath: "apis/apps/v1"), fewer.hash(groupVersionPath: "apis/apps/v1"))
    }
}

/// Every `$ref` value in a document.
private func refs(in v: JSONValue) -> [String] {
    switch v {
    case .object(let o):
        var out: [String] = []
        for (k, x) in o {
            if k == "$ref", let s = x.stringValue { out.append(s) } else { out += refs(in: x) }
        }
        return out
    case .array(let a):
        return a.flatMap { refs(in: $0) }
    default:
        return []
    }
}
