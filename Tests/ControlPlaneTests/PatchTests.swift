import XCTest
#if !STANDALONE_CHECK
import KubeAPI
@testable import ControlPlane
#endif

/// Parses JSON text written in a test; test fixtures are always valid JSON.
private func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        XCTFail("bad fixture: \(error)", file: file, line: line)
        return .null
    }
}

private func assertJSON(_ actual: JSONValue, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let want = json(expected, file: file, line: line)
    XCTAssertEqual(JSONSerializer.string(actual), JSONSerializer.string(want), file: file, line: line)
}

private func assertPatchError(_ expression: @autoclosure () throws -> Any, _ message: String,
                              reason: PatchError.Reason? = nil, file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try expression()
        XCTFail("expected error \(message)", file: file, line: line)
    } catch let error as PatchError {
        XCTAssertEqual(error.message, message, file: file, line: line)
        if let reason { XCTAssertEqual(error.reason, reason, file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

// MARK: - JSON Patch (RFC 6902)

final class JSONPatchTests: XCTestCase {
    private func patch(_ doc: String, _ ops: String) throws -> JSONValue {
        try JSONPatch.apply(json(ops), to: json(doc))
    }

    // RFC 6902 appendix A.1 - A.16.
    func testAddObjectMember() throws {
        assertJSON(try patch(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#),
                   #"{"baz":"qux","foo":"bar"}"#)
    }

    func testAddArrayElement() throws {
        assertJSON(try patch(#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#),
                   #"{"foo":["bar","qux","baz"]}"#)
    }

    func testRemoveObjectMember() throws {
        assertJSON(try patch(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#), #"{"foo":"bar"}"#)
    }

    func testRemoveArrayElement() throws {
        assertJSON(try patch(#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#),
                   #"{"foo":["bar","baz"]}"#)
    }

    func testReplaceValue() throws {
        assertJSON(try patch(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#),
                   #"{"baz":"boo","foo":"bar"}"#)
    }

    func testMoveValue() throws {
        let doc = #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#
        assertJSON(try patch(doc, #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#),
                   #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
    }

    func testMoveArrayElement() throws {
        assertJSON(try patch(#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#),
                   #"{"foo":["all","cows","eat","grass"]}"#)
    }

    func testTestSucceeds() throws {
        let doc = #"{"baz":"qux","foo":["a",2,"c"]}"#
        let ops = #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#
        assertJSON(try patch(doc, ops), doc)
    }

    func testTestFails() {
        assertPatchError(try patch(#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#),
                         "testing value /baz failed: test failed", reason: .invalid)
    }

    func testAddNestedMemberObject() throws {
        assertJSON(try patch(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#),
                   #"{"foo":"bar","child":{"grandchild":{}}}"#)
    }

    func testUnrecognizedElementsAreIgnored() throws {
        assertJSON(try patch(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#),
                   #"{"foo":"bar","baz":"qux"}"#)
    }

    func testAddToNonexistentTarget() {
        assertPatchError(try patch(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#),
                         #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#,
                         reason: .invalid)
    }

    func testTildeEscapes() throws {
        let doc = #"{"/":9,"~1":10}"#
        assertJSON(try patch(doc, #"[{"op":"test","path":"/~01","value":10}]"#), doc)
        assertJSON(try patch(doc, #"[{"op":"remove","path":"/~1"}]"#), #"{"~1":10}"#)
    }

    func testStringIsNotNumber() {
        assertPatchError(try patch(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#),
                         "testing value /~01 failed: test failed")
    }

    func testAppendWithDash() throws {
        assertJSON(try patch(#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#),
                   #"{"foo":["bar",["abc","def"]]}"#)
    }

    // kubectl patch --type=json examples.
    func testReplaceReplicasAndAppendContainerPort() throws {
        let deployment = #"{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}}}"#
        let ops = #"""
        [{"op":"replace","path":"/spec/replicas","value":3},
         {"op":"add","path":"/spec/template/spec/containers/0/ports/-","value":{"containerPort":443}},
         {"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"}]
        """#
        assertJSON(try patch(deployment, ops),
                   #"{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80},{"containerPort":443}]}]}}}}"#)
    }

    func testAnnotationKeyWithSlash() throws {
        let doc = #"{"metadata":{"annotations":{}}}"#
        assertJSON(try patch(doc, #"[{"op":"add","path":"/metadata/annotations/example.com~1team","value":"net"}]"#),
                   #"{"metadata":{"annotations":{"example.com/team":"net"}}}"#)
    }

    func testCopy() throws {
        assertJSON(try patch(#"{"a":{"b":1},"c":{}}"#, #"[{"op":"copy","from":"/a","path":"/c/d"}]"#),
                   #"{"a":{"b":1},"c":{"d":{"b":1}}}"#)
    }

    func testNumbersCompareByValue() throws {
        assertJSON(try patch(#"{"a":1}"#, #"[{"op":"test","path":"/a","value":1.0}]"#), #"{"a":1}"#)
    }

    func testReplaceRoot() throws {
        assertJSON(try patch(#"{"a":1}"#, #"[{"op":"replace","path":"","value":{"b":2}}]"#), #"{"b":2}"#)
    }

    func testErrorsUseUpstreamWording() {
        assertPatchError(try patch(#"{"spec":{}}"#, #"[{"op":"replace","path":"/spec/foo","value":1}]"#),
                         "replace operation does not apply: doc is missing key: /spec/foo: missing value")
        assertPatchError(try patch(#"{}"#, #"[{"op":"replace","path":"/spec/foo","value":1}]"#),
                         "replace operation does not apply: doc is missing path: /spec/foo: missing value")
        assertPatchError(try patch(#"{"spec":{}}"#, #"[{"op":"remove","path":"/spec/foo"}]"#),
                         "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value")
        assertPatchError(try patch(#"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":1}]"#),
                         "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced")
        assertPatchError(try patch(#"{}"#, #"[{"op":"move","from":"/x","path":"/y"}]"#),
                         "error in move for path: '/x': Unable to remove nonexistent key: x: missing value")
        assertPatchError(try patch(#"{}"#, #"[{"op":"frobnicate","path":"/x"}]"#), "Unexpected kind: frobnicate")
        assertPatchError(try patch(#"{}"#, #"[{"op":"add","value":1}]"#),
                         "add operation failed to decode path: missing value")
        assertPatchError(try patch(#"{}"#, #"{"op":"add"}"#),
                         "json: cannot unmarshal object into Go value of type jsonpatch.Patch", reason: .badRequest)
    }

    func testFailedOperationLeavesNothingApplied() {
        // The whole patch fails; callers keep the original document.
        let ops = #"[{"op":"add","path":"/a","value":1},{"op":"test","path":"/a","value":2}]"#
        XCTAssertThrowsError(try patch(#"{}"#, ops))
    }

    func testPointerParsing() throws {
        XCTAssertEqual(try JSONPointer("/a~1b/c~0d/0").tokens, ["a/b", "c~d", "0"])
        XCTAssertEqual(try JSONPointer("").tokens, [])
        XCTAssertEqual(JSONPointer(tokens: ["a/b", "~"]).description, "/a~1b/~0")
        XCTAssertThrowsError(try JSONPointer("a"))
        XCTAssertEqual(try JSONPointer("/x/1").resolve(in: json(#"{"x":[1,2]}"#)), .int(2))
    }
}

// MARK: - JSON Merge Patch (RFC 7386)

final class MergePatchTests: XCTestCase {
    func testRFC7386AppendixA() {
        let cases: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, #"null"#, #"null"#),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (original, patch, result) in cases {
            assertJSON(MergePatch.apply(json(patch), to: json(original)), result)
        }
    }

    func testRFC7386Example() {
        let target = #"{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}"#
        let patch = #"{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}"#
        assertJSON(MergePatch.apply(json(patch), to: json(target)),
                   #"{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}"#)
    }

    func testKubectlMergePatchReplacesLists() {
        let deployment = #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"gcr.io/google-samples/hello-app:2.0"}]}}}}"#
        assertJSON(MergePatch.apply(json(patch), to: json(deployment)), patch)
    }

    func testCreateRoundTrips() {
        let original = json(#"{"a":1,"b":{"c":2,"d":3},"e":[1,2],"f":"x"}"#)
        let modified = json(#"{"a":1,"b":{"c":5},"e":[1],"g":true}"#)
        let patch = MergePatch.create(original: original, modified: modified)
        assertJSON(patch, #"{"b":{"c":5,"d":null},"e":[1],"f":null,"g":true}"#)
        assertJSON(MergePatch.apply(patch, to: original), JSONSerializer.string(modified))
        assertJSON(MergePatch.create(original: original, modified: original), "{}")
    }
}

// MARK: - Strategic merge patch

final class StrategicMergePatchTests: XCTestCase {
    private let deploymentGVK = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

    private func smp(_ original: String, _ patch: String, kind: GroupVersionKind? = nil) throws -> JSONValue {
        let gvk = kind ?? deploymentGVK
        return try StrategicMergePatch.apply(json(patch), to: json(original), schema: PatchSchema.forKind(gvk))
    }

    private let deployment = #"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"patch-demo"},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},
      "template":{"metadata":{"labels":{"app":"nginx"}},
       "spec":{"containers":[{"name":"patch-demo-ctr","image":"nginx"}],
               "tolerations":[{"effect":"NoSchedule","key":"dedicated","value":"test-team"}]}}}}
    """#

    // kubernetes.io "Update API Objects in Place Using kubectl patch": the new container
    // is merged in by name and comes first.
    func testContainersMergeByName() throws {
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-2","image":"redis"}]}}}}"#
        let result = try smp(deployment, patch)
        assertJSON(result[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"patch-demo-ctr-2","image":"redis"},{"name":"patch-demo-ctr","image":"nginx"}]"#)
    }

    // Same page: tolerations have no patch strategy, so the list is replaced.
    func testTolerationsAreReplaced() throws {
        let patch = #"{"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}}}}"#
        let result = try smp(deployment, patch)
        assertJSON(result[path: ["spec", "template", "spec", "tolerations"]]!,
                   #"[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]"#)
    }

    func testExistingElementMergesInPlace() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},{"name":"b","image":"b:1"}]}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2","env":[{"name":"Y","value":"3"},{"name":"Z","value":"4"}]}]}}}}"#
        let result = try smp(original, patch)
        assertJSON(result[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"a","image":"a:2","env":[{"name":"X","value":"1"},{"name":"Y","value":"3"},{"name":"Z","value":"4"}]},{"name":"b","image":"b:1"}]"#)
    }

    func testContainerPortsMergeByContainerPort() throws {
        let original = #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}}"#
        let patch = #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]}}"#
        let result = try smp(original, patch, kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"))
        assertJSON(result[path: ["spec", "containers"]]!,
                   #"[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]"#)
    }

    func testPatchReplaceDirectiveInList() throws {
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"},{"$patch":"replace"}]}}}}"#
        let result = try smp(deployment, patch)
        assertJSON(result[path: ["spec", "template", "spec", "containers"]]!, #"[{"name":"only","image":"busybox"}]"#)
    }

    func testPatchDeleteDirectiveInList() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"b","$patch":"delete"}]}}}}"#
        assertJSON(try smp(original, patch)[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"a"},{"name":"c"}]"#)
    }

    func testPatchReplaceDirectiveInMap() throws {
        let original = #"{"metadata":{"labels":{"a":"1","b":"2"}}}"#
        let patch = #"{"metadata":{"labels":{"$patch":"replace","c":"3"}}}"#
        assertJSON(try smp(original, patch), #"{"metadata":{"labels":{"c":"3"}}}"#)
    }

    func testPatchDeleteDirectiveInMap() throws {
        let original = #"{"spec":{"template":{"spec":{"securityContext":{"runAsUser":1000}}}}}"#
        let patch = #"{"spec":{"template":{"spec":{"securityContext":{"$patch":"delete"}}}}}"#
        assertJSON(try smp(original, patch), #"{"spec":{"template":{"spec":{"securityContext":{}}}}}"#)
    }

    func testNullDeletesKey() throws {
        let original = #"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":3}}"#
        let patch = #"{"metadata":{"labels":{"a":null,"zzz":null}},"spec":{"replicas":null}}"#
        assertJSON(try smp(original, patch), #"{"metadata":{"labels":{"b":"2"}},"spec":{}}"#)
    }

    // kubectl patch docs, "Notes on the strategic merge patch using the retainKeys strategy".
    func testRetainKeysOnDeploymentStrategy() throws {
        let original = #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}}"#
        let patch = #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#
        assertJSON(try smp(original, patch), #"{"spec":{"strategy":{"type":"Recreate"}}}"#)
    }

    func testRetainKeysOnVolumeSource() throws {
        let original = #"{"spec":{"volumes":[{"name":"data","emptyDir":{}},{"name":"other","emptyDir":{}}]}}"#
        let patch = #"{"spec":{"volumes":[{"name":"data","$retainKeys":["name","hostPath"],"hostPath":{"path":"/srv"}}]}}"#
        let result = try smp(original, patch, kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"))
        assertJSON(result[path: ["spec", "volumes"]]!,
                   #"[{"name":"data","hostPath":{"path":"/srv"}},{"name":"other","emptyDir":{}}]"#)
    }

    func testRetainKeysMustNameEverySetMember() {
        let patch = #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":1}}}}"#
        assertPatchError(try smp(deployment, patch), "invalid patch format of retainKeys", reason: .badRequest)
        assertPatchError(try smp(deployment, #"{"spec":{"strategy":{"$retainKeys":"type"}}}"#),
                         "invalid patch format of retainKeys")
    }

    func testSetElementOrderForMergedList() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}}}}"#
        let patch = #"""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"c"},{"name":"a"}],
                                     "containers":[{"name":"c","image":"c"}]}}}}
        """#
        assertJSON(try smp(original, patch)[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"b","image":"b"},{"name":"c","image":"c"},{"name":"a","image":"a"}]"#)
    }

    func testSetElementOrderForPrimitiveList() throws {
        let original = #"{"metadata":{"finalizers":["x","y"]}}"#
        let patch = #"{"metadata":{"$setElementOrder/finalizers":["y","z","x"],"finalizers":["z"]}}"#
        assertJSON(try smp(original, patch), #"{"metadata":{"finalizers":["y","z","x"]}}"#)
    }

    func testSetElementOrderMustAgreeWithPatch() {
        let patch = #"{"metadata":{"$setElementOrder/finalizers":["a","b"],"finalizers":["b","a"]}}"#
        assertPatchError(try smp(#"{"metadata":{}}"#, patch),
                         "The order in patch list:\n[b a]\n doesn't match $setElementOrder list:\n[a b]\n")
        assertPatchError(try smp(#"{"metadata":{}}"#, #"{"metadata":{"$setElementOrder":["a"]}}"#),
                         "invalid patch format of setElementOrder list")
    }

    // The shape `kubectl apply` (client-side) sends when a container was dropped from the
    // manifest and the remaining list was reordered.
    func testKubectlApplyStyleDeletionWithOrder() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"},{"name":"c","image":"c"}]}}}}"#
        let patch = #"""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}],
                                     "containers":[{"name":"b","$patch":"delete"}]}}}}
        """#
        assertJSON(try smp(original, patch)[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"c","image":"c"},{"name":"a","image":"a"}]"#)
    }

    func testFinalizersAreUnioned() throws {
        let original = #"{"metadata":{"finalizers":["a","b"]}}"#
        assertJSON(try smp(original, #"{"metadata":{"finalizers":["c","a"]}}"#),
                   #"{"metadata":{"finalizers":["c","a","b"]}}"#)
    }

    func testDeleteFromPrimitiveList() throws {
        let original = #"{"metadata":{"finalizers":["a","b","c"]}}"#
        assertJSON(try smp(original, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zzz"]}}"#),
                   #"{"metadata":{"finalizers":["a","c"]}}"#)
        assertPatchError(try smp(original, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":"b"}}"#),
                         "invalid patch format of primitive list")
        assertPatchError(try smp(original, #"{"metadata":{"$deleteFromPrimitiveList":["b"]}}"#),
                         "invalid patch format of primitive list")
    }

    func testOwnerReferencesMergeByUID() throws {
        let original = #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}}"#
        let patch = #"{"metadata":{"ownerReferences":[{"uid":"2","name":"b"},{"uid":"1","controller":true}]}}"#
        assertJSON(try smp(original, patch),
                   #"{"metadata":{"ownerReferences":[{"uid":"2","name":"b"},{"uid":"1","name":"a","controller":true}]}}"#)
    }

    func testConditionsMergeByType() throws {
        let original = #"{"status":{"conditions":[{"type":"Available","status":"False"},{"type":"Progressing","status":"True"}]}}"#
        let patch = #"{"status":{"conditions":[{"type":"Available","status":"True"}]}}"#
        assertJSON(try smp(original, patch),
                   #"{"status":{"conditions":[{"type":"Available","status":"True"},{"type":"Progressing","status":"True"}]}}"#)
    }

    func testServicePortsMergeByPort() throws {
        let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
        let original = #"{"spec":{"ports":[{"port":80,"targetPort":8080}],"selector":{"app":"a"}}}"#
        let patch = #"{"spec":{"ports":[{"port":443,"targetPort":8443}],"selector":{"tier":"web"}}}"#
        assertJSON(try smp(original, patch, kind: service),
                   #"{"spec":{"ports":[{"port":443,"targetPort":8443},{"port":80,"targetPort":8080}],"selector":{"app":"a","tier":"web"}}}"#)
    }

    func testNodeAddressesMergeAndTaintsReplace() throws {
        let node = GroupVersionKind(group: "", version: "v1", kind: "Node")
        let original = #"{"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}"#
        let patch = #"{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}}"#
        assertJSON(try smp(original, patch, kind: node),
                   #"{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}]}}"#)
    }

    func testUnknownKindMergesMapsAndReplacesLists() throws {
        let widget = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
        let original = #"{"spec":{"items":[{"name":"a"}],"config":{"x":1}}}"#
        let patch = #"{"spec":{"items":[{"name":"b"}],"config":{"y":2}}}"#
        assertJSON(try smp(original, patch, kind: widget), #"{"spec":{"items":[{"name":"b"}],"config":{"x":1,"y":2}}}"#)
    }

    func testDirectivesInNewValuesAreCarriedOut() throws {
        // The list does not exist yet: directives in it must not be stored.
        let patch = #"{"spec":{"template":{"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"gone","$patch":"delete"}]}}}}"#
        let result = try smp(#"{"spec":{"template":{"spec":{}}}}"#, patch)
        assertJSON(result, #"{"spec":{"template":{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}}}"#)
    }

    func testMalformedDirectives() {
        assertPatchError(try smp(deployment, #"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#),
                         "map: map[image:x] does not contain declared merge key: name", reason: .badRequest)
        assertPatchError(try smp(deployment, #"{"metadata":{"$patch":"frobnicate"}}"#),
                         "unknown patch type: frobnicate in map: map[$patch:frobnicate]")
        assertPatchError(try smp(deployment, #"{"spec":{"template":{"spec":{"containers":[{"$patch":"merge"}]}}}}"#),
                         "merging lists cannot yet be specified in the patch")
        assertPatchError(try smp(deployment, #"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}"#),
                         "map: map[$patch:delete] does not contain declared merge key: name")
        assertPatchError(try smp(#"{"metadata":{"finalizers":["a"]}}"#, #"{"metadata":{"finalizers":[["b"]]}}"#),
                         "lists of lists are not supported")
        assertPatchError(try smp(deployment, #"["not","a","map"]"#), "invalid JSON document")
    }

    func testTopLevelPatchDelete() throws {
        assertJSON(try smp(deployment, #"{"$patch":"delete"}"#), "{}")
    }
}

// MARK: - Server-side apply and managedFields

final class ServerSideApplyPatchTests: XCTestCase {
    private let now = "2024-05-01T10:00:00Z"
    private let later = "2024-05-01T11:00:00Z"

    private let config = #"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
       "spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}
    """#

    private func entries(_ object: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for entry in object[path: ["metadata", "managedFields"]]?.arrayValue ?? [] {
            let key = (entry["manager"]?.stringValue ?? "") + "/" + (entry["operation"]?.stringValue ?? "")
            result[key] = entry
        }
        return result
    }

    private func apply(_ config: String, to live: JSONValue?, manager: String = "kubectl",
                       force: Bool = false, at time: String? = nil) throws -> JSONValue {
        try ServerSideApply.apply(config: json(config), to: live, manager: manager, force: force, now: time ?? now)
    }

    func testCreateRecordsApplyEntry() throws {
        let result = try apply(config, to: nil)
        XCTAssertEqual(result[path: ["spec", "replicas"]], 2)
        let entry = try XCTUnwrap(entries(result)["kubectl/Apply"])
        XCTAssertEqual(entry["apiVersion"], "apps/v1")
        XCTAssertEqual(entry["time"], .string(now))
        XCTAssertEqual(entry["fieldsType"], "FieldsV1")
        assertJSON(entry["fieldsV1"]!, #"""
        {"f:metadata":{"f:labels":{"f:app":{}}},
         "f:spec":{"f:replicas":{},"f:selector":{},
          "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
           "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},
             "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
        """#)
    }

    func testReapplyUpdatesAndDropsFieldsNoLongerApplied() throws {
        let live = try apply(config, to: nil)
        let next = config
            .replacingOccurrences(of: #""namespace":"default","labels":{"app":"web"}}"#,
                                  with: #""namespace":"default","labels":{"tier":"front"}}"#)
            .replacingOccurrences(of: "nginx:1.25", with: "nginx:1.27")
        let result = try apply(next, to: live, at: later)
        assertJSON(result[path: ["metadata", "labels"]]!, #"{"tier":"front"}"#)
        XCTAssertEqual(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"], "nginx:1.27")
        let entry = try XCTUnwrap(entries(result)["kubectl/Apply"])
        XCTAssertEqual(entry["time"], .string(later))
        assertJSON(entry[path: ["fieldsV1", "f:metadata"]]!, #"{"f:labels":{"f:tier":{}}}"#)
    }

    func testFieldOwnedBySomeoneElseSurvivesRemovalFromConfig() throws {
        var live = try apply(config, to: nil)
        // Another manager sets the same label through an update.
        var labelled = live
        labelled[path: ["metadata", "labels", "team"]] = "net"
        labelled = ManagedFields.recordUpdate(old: live, new: labelled, manager: "labeller", now: now)
        live = labelled
        let withoutLabels = config.replacingOccurrences(of: #""namespace":"default","labels":{"app":"web"}}"#,
                                                        with: #""namespace":"default"}"#)
        let result = try apply(withoutLabels, to: live, at: later)
        assertJSON(result[path: ["metadata", "labels"]]!, #"{"team":"net"}"#)
    }

    func testConflictWithUpdateManager() throws {
        let live = json(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
          {"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
         "spec":{"replicas":3}}
        """#)
        let config = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}"#
        do {
            _ = try apply(config, to: live)
            XCTFail("expected a conflict")
        } catch let error as PatchError {
            XCTAssertEqual(error.reason, .conflict)
            XCTAssertEqual(error.httpStatus, 409)
            XCTAssertEqual(error.message,
                           #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
            XCTAssertEqual(error.conflicts, [PatchError.Conflict(
                message: #"conflict with "kubectl-client-side-apply" using apps/v1"#, field: ".spec.replicas",
                manager: "kubectl-client-side-apply")])
        }
    }

    func testSameValueIsSharedNotConflicting() throws {
        let live = json(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
          {"manager":"other","operation":"Apply","apiVersion":"apps/v1",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
         "spec":{"replicas":3}}
        """#)
        let result = try apply(#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3}}"#, to: live)
        let all = entries(result)
        assertJSON(all["other/Apply"]!["fieldsV1"]!, #"{"f:spec":{"f:replicas":{}}}"#)
        assertJSON(all["kubectl/Apply"]!["fieldsV1"]!, #"{"f:spec":{"f:replicas":{}}}"#)
    }

    func testForceTakesOwnership() throws {
        let live = json(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
          {"manager":"other","operation":"Apply","apiVersion":"apps/v1","time":"2024-01-01T00:00:00Z",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{},"f:paused":{}}}}]},
         "spec":{"replicas":3,"paused":false}}
        """#)
        let config = #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":5}}"#
        assertPatchError(try apply(config, to: live),
                         #"Apply failed with 1 conflict: conflict with "other": .spec.replicas"#, reason: .conflict)
        let result = try apply(config, to: live, force: true)
        XCTAssertEqual(result[path: ["spec", "replicas"]], 5)
        let all = entries(result)
        assertJSON(all["other/Apply"]!["fieldsV1"]!, #"{"f:spec":{"f:paused":{}}}"#)
        assertJSON(all["kubectl/Apply"]!["fieldsV1"]!, #"{"f:spec":{"f:replicas":{}}}"#)
    }

    func testSeveralConflictsAreGroupedByManager() throws {
        let live = json(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
          {"manager":"b-manager","operation":"Update","apiVersion":"apps/v1","time":"2024-01-01T00:00:00Z",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{},"f:paused":{}}}},
          {"manager":"a-manager","operation":"Apply","apiVersion":"apps/v1",
           "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}}}}]},
         "spec":{"replicas":3,"paused":false,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}}
        """#)
        let config = #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"paused":true,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}"#
        assertPatchError(try apply(config, to: live), """
            Apply failed with 3 conflicts: conflicts with "a-manager":
            - .spec.template.spec.containers[name="web"].image
            conflicts with "b-manager" using apps/v1 at 2024-01-01T00:00:00Z:
            - .spec.paused
            - .spec.replicas
            """)
    }

    func testListElementsOwnedByOthersAreKept() throws {
        var live = try apply(config, to: nil)
        let sidecarConfig = #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy"}]}}}}"#
        live = try apply(sidecarConfig, to: live, manager: "mesh")
        var names = live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(names, ["web", "sidecar"])

        // kubectl re-applies its config: the sidecar belongs to "mesh" and stays.
        live = try apply(config, to: live)
        names = live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(names, ["web", "sidecar"])

        // "mesh" stops applying its sidecar: it goes.
        live = try apply(#"{"apiVersion":"apps/v1","kind":"Deployment"}"#, to: live, manager: "mesh")
        names = live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        XCTAssertEqual(names, ["web"])
        XCTAssertNil(entries(live)["mesh/Apply"])
    }

    func testDefaultedKeyFieldsMatch() throws {
        // The stored port carries the defaulted protocol; the config does not.
        var live = try apply(config, to: nil)
        live[path: ["spec", "template", "spec", "containers"]] = json(
            #"[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}]}]"#)
        let result = try apply(config, to: live)
        assertJSON(result[path: ["spec", "template", "spec", "containers"]]!,
                   #"[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}]}]"#)
    }

    func testFinalizersAreASet() throws {
        let live = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a"]}}"#,
                             to: nil, manager: "one")
        let result = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["b"]}}"#,
                               to: live, manager: "two")
        XCTAssertEqual(result[path: ["metadata", "finalizers"]], ["a", "b"])
        assertJSON(entries(result)["two/Apply"]!["fieldsV1"]!, #"{"f:metadata":{"f:finalizers":{"v:\"b\"":{}}}}"#)
    }

    func testObjectsWithoutManagedFieldsBelongToBeforeFirstApply() throws {
        let live = json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#)
        assertPatchError(try apply(#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":4}}"#, to: live),
                         #"Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas"#)
    }

    func testManagedFieldsInConfigAreRejected() {
        assertPatchError(try apply(#"{"metadata":{"managedFields":[]}}"#, to: nil),
                         "metadata.managedFields must be nil", reason: .badRequest)
    }

    // MARK: recordUpdate

    func testRecordCreate() throws {
        let pod = json(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"a"},"uid":"u","resourceVersion":"1"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"#)
        let result = ManagedFields.recordUpdate(old: nil, new: pod, manager: "kubectl-create", now: now)
        let entry = try XCTUnwrap(entries(result)["kubectl-create/Update"])
        XCTAssertEqual(entry["apiVersion"], "v1")
        assertJSON(entry["fieldsV1"]!, #"""
        {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
         "f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}}
        """#)
    }

    func testUpdateTakesChangedFieldsFromOthers() throws {
        let live = try apply(config, to: nil)
        var scaled = live
        scaled[path: ["spec", "replicas"]] = 5
        let result = ManagedFields.recordUpdate(old: live, new: scaled, manager: "kube-controller-manager", now: later)
        let all = entries(result)
        XCTAssertNil(all["kubectl/Apply"]![path: ["fieldsV1", "f:spec", "f:replicas"]])
        assertJSON(all["kube-controller-manager/Update"]!["fieldsV1"]!, #"{"f:spec":{"f:replicas":{}}}"#)
        XCTAssertEqual(all["kube-controller-manager/Update"]!["time"], .string(later))

        // The controller's change now conflicts with kubectl's next apply of replicas: 2.
        assertPatchError(try apply(config, to: result), """
            Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1 at \(later): .spec.replicas
            """)
    }

    func testRemovedFieldsLeaveEveryEntry() throws {
        let cm = json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#)
        let created = ManagedFields.recordUpdate(old: nil, new: cm, manager: "creator", now: now)
        var emptied = created
        emptied["data"] = nil
        let result = ManagedFields.recordUpdate(old: created, new: emptied, manager: "cleaner", now: later)
        XCTAssertNil(result[path: ["metadata", "managedFields"]])
    }

    func testNoOpUpdateChangesNothing() throws {
        let live = try apply(config, to: nil)
        let result = ManagedFields.recordUpdate(old: live, new: live, manager: "someone", now: later)
        XCTAssertEqual(result, live)
    }

    func testFieldSetRoundTrip() throws {
        let fieldsV1 = json(#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}"#)
        let set = FieldSet(fieldsV1: fieldsV1)
        assertJSON(set.fieldsV1, JSONSerializer.string(fieldsV1))
        XCTAssertEqual(set.paths.map(FieldSet.render), [
            ".metadata.labels", ".metadata.labels.app",
            ".spec.ports[port=80,protocol=\"TCP\"]", ".spec.ports[port=80,protocol=\"TCP\"].port",
        ])
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        replacing(target, with: replacement)
    }
}
