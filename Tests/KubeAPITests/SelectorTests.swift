import XCTest
@testable import KubeAPI

final class SelectorTests: XCTestCase {
    private func parseError(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try LabelSelectorQuery(parsing: s)
            XCTFail("expected \(s.debugDescription) to fail", file: file, line: line)
            return nil
        } catch let e as SelectorQueryError {
            return e.message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: label selector parsing

    func testEqualityForms() throws {
        let q = try LabelSelectorQuery(parsing: "a=b,c==d,e!=f")
        XCTAssertEqual(q.requirements.map(\.op), [.equals, .doubleEquals, .notEquals])
        XCTAssertEqual(q.description, "a=b,c==d,e!=f")
        XCTAssertTrue(q.matches(["a": "b", "c": "d"]))
        XCTAssertTrue(q.matches(["a": "b", "c": "d", "e": "g"]))
        XCTAssertFalse(q.matches(["a": "b", "c": "d", "e": "f"]))
        XCTAssertFalse(q.matches(["c": "d"]))
    }

    func testSetBasedAndExistence() throws {
        let q = try LabelSelectorQuery(parsing: "env in (prod, qa),tier notin (cache),app,!legacy")
        XCTAssertEqual(q.description, "app,env in (prod,qa),!legacy,tier notin (cache)")
        XCTAssertTrue(q.matches(["app": "x", "env": "qa"]))
        XCTAssertTrue(q.matches(["app": "x", "env": "prod", "tier": "web"]))
        XCTAssertFalse(q.matches(["app": "x", "env": "prod", "tier": "cache"]))
        XCTAssertFalse(q.matches(["env": "prod"]))
        XCTAssertFalse(q.matches(["app": "x", "env": "dev"]))
        XCTAssertFalse(q.matches(["app": "x", "env": "qa", "legacy": "true"]))
    }

    func testValuesAreSortedAndDeduplicatedAndEmptyValues() throws {
        let q = try LabelSelectorQuery(parsing: "x in (foo,,baz,foo),y,z notin ()")
        XCTAssertEqual(q.requirements[0].values, ["", "baz", "foo"])
        XCTAssertEqual(q.requirements[2].values, [""])
        XCTAssertEqual(q.description, "x in (,baz,foo),y,z notin ()")
        let e = try LabelSelectorQuery(parsing: "a=")
        XCTAssertTrue(e.matches(["a": ""]))
        XCTAssertFalse(e.matches(["a": "b"]))
        XCTAssertFalse(e.matches([:]))
    }

    func testWhitespaceAndKeywordsAsValues() throws {
        let q = try LabelSelectorQuery(parsing: "  a = b ,\tc in ( x , y )  ")
        XCTAssertEqual(q.description, "a=b,c in (x,y)")
        let k = try LabelSelectorQuery(parsing: "in in (in,notin)")
        XCTAssertEqual(k.requirements[0].key, "in")
        XCTAssertTrue(k.matches(["in": "notin"]))
    }

    func testEmptySelectorMatchesEverything() throws {
        let q = try LabelSelectorQuery(parsing: "")
        XCTAssertTrue(q.isEmpty)
        XCTAssertTrue(q.matches([:]))
        XCTAssertTrue(q.matches(["a": "b"]))
        XCTAssertFalse(LabelSelectorQuery.nothing.matches([:]))
        XCTAssertFalse(LabelSelectorQuery.nothing.isEmpty)
    }

    func testGreaterLessThan() throws {
        let q = try LabelSelectorQuery(parsing: "gen>3,size<10")
        XCTAssertTrue(q.matches(["gen": "4", "size": "9"]))
        XCTAssertFalse(q.matches(["gen": "3", "size": "9"]))
        XCTAssertFalse(q.matches(["gen": "x", "size": "9"]))
        XCTAssertEqual(parseError("gen<x"),
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer")
    }

    func testRequiresExactMatch() throws {
        let q = try LabelSelectorQuery(parsing: "app=web,tier in (a),env in (a,b),x!=y")
        XCTAssertEqual(q.requiresExactMatch("app"), "web")
        XCTAssertEqual(q.requiresExactMatch("tier"), "a")
        XCTAssertNil(q.requiresExactMatch("env"))
        XCTAssertNil(q.requiresExactMatch("x"))
        XCTAssertNil(q.requiresExactMatch("none"))
    }

    // MARK: label selector errors (upstream text)

    func testInvalidValueMessage() {
        XCTAssertEqual(parseError("app=-x"),
            "unable to parse requirement: values[0][app]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        XCTAssertEqual(parseError("a=" + String(repeating: "v", count: 64)),
            "unable to parse requirement: values[0][a]: Invalid value: \"\(String(repeating: "v", count: 64))\": must be no more than 63 characters")
    }

    func testInvalidKeyMessages() {
        XCTAssertEqual(parseError("-x=b"),
            "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        XCTAssertEqual(parseError(String(repeating: "k", count: 64)),
            "unable to parse requirement: <nil>: Invalid value: \"\(String(repeating: "k", count: 64))\": name part must be no more than 63 characters")
        XCTAssertEqual(parseError("/a"), "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty")
        XCTAssertEqual(parseError("Example.com/a=b"),
            "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        XCTAssertNotNil(try? LabelSelectorQuery(parsing: "example.com/app=web,app.kubernetes.io/name=x"))
    }

    func testSyntaxErrors() {
        XCTAssertEqual(parseError("a b"), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")
        XCTAssertEqual(parseError("a=b,"), "found '', expected: identifier after ','")
        XCTAssertEqual(parseError(",a"), "found ',', expected: !, identifier, or 'end of string'")
        XCTAssertEqual(parseError("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'")
        XCTAssertEqual(parseError("a in b"), "unable to parse requirement: found 'b' expected: '('")
        XCTAssertEqual(parseError("a=b c"), "found 'c', expected: ',' or 'end of string'")
        XCTAssertEqual(parseError("!a=b"), "found '=', expected: ',' or 'end of string'")
        XCTAssertEqual(parseError("a=(b)"), "unable to parse requirement: found '(', expected: identifier")
    }

    // MARK: meta/v1 LabelSelector conversion

    func testFromLabelSelector() throws {
        let json: JSONValue = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "tier", "operator": "In", "values": ["b", "a"]],
                ["key": "legacy", "operator": "DoesNotExist"],
                ["key": "env", "operator": "NotIn", "values": ["dev"]],
                ["key": "team", "operator": "Exists"],
            ],
        ]
        let q = try LabelSelectorQuery.fromLabelSelector(json)
        XCTAssertEqual(q.description, "app=web,env notin (dev),!legacy,team,tier in (a,b)")
        XCTAssertTrue(q.matches(["app": "web", "tier": "a", "team": "t"]))
        XCTAssertFalse(q.matches(["app": "web", "tier": "a"]))
        XCTAssertFalse(q.matches(["app": "web", "tier": "a", "team": "t", "env": "dev"]))
    }

    func testEmptyAndNilLabelSelector() throws {
        XCTAssertTrue(try LabelSelectorQuery.fromLabelSelector([:]).matches(["x": "y"]))
        XCTAssertTrue(try LabelSelectorQuery.fromLabelSelector(["matchLabels": [:]]).isEmpty)
        XCTAssertFalse(try LabelSelectorQuery.fromLabelSelector(nil).matches([:]))
        XCTAssertFalse(try LabelSelectorQuery.fromLabelSelector(.null).matches(["x": "y"]))
        XCTAssertEqual(LabelSelectorQuery.formatLabelSelector(nil), "<none>")
        XCTAssertEqual(LabelSelectorQuery.formatLabelSelector(["matchLabels": ["b": "2", "a": "1"]]), "a=1,b=2")
    }

    func testLabelSelectorConversionErrors() {
        XCTAssertThrowsError(try LabelSelectorQuery.fromLabelSelector(["matchExpressions": [["key": "k", "operator": "In"]]])) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message,
                           "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")
        }
        XCTAssertThrowsError(try LabelSelectorQuery.fromLabelSelector(["matchExpressions": [["key": "k", "operator": "Foo"]]])) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "\"Foo\" is not a valid label selector operator")
        }
        XCTAssertThrowsError(try LabelSelectorQuery.fromLabelSelector(
            ["matchExpressions": [["key": "k", "operator": "Exists", "values": ["a"]]]])) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message,
                           "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not exist")
        }
        XCTAssertEqual(LabelSelectorQuery.formatLabelSelector(["matchLabels": ["-bad": "x"]]), "<error>")
    }

    func testMatchesObjectLabels() throws {
        let obj: JSONValue = ["metadata": ["name": "p", "labels": ["app": "web"]]]
        XCTAssertTrue(try LabelSelectorQuery(parsing: "app=web").matches(object: obj))
        XCTAssertFalse(try LabelSelectorQuery(parsing: "app=db").matches(object: obj))
        XCTAssertEqual(LabelSelectorQuery.formatLabels(["b": "2", "a": "1"]), "a=1,b=2")
        XCTAssertEqual(LabelSelectorQuery.formatLabels([:]), "<none>")
    }

    // MARK: field selectors

    func testFieldSelectorParseAndMatch() throws {
        let q = try FieldSelectorQuery(parsing: "metadata.name=x,spec.nodeName!=y")
        XCTAssertEqual(q.terms.count, 2)
        XCTAssertTrue(q.matches(["metadata.name": "x", "spec.nodeName": "z"]))
        XCTAssertFalse(q.matches(["metadata.name": "x", "spec.nodeName": "y"]))
        XCTAssertTrue(q.matches(fields: { $0 == "metadata.name" ? "x" : nil }))
        XCTAssertEqual(try FieldSelectorQuery(parsing: "a==b").description, "a=b")
        XCTAssertEqual(try FieldSelectorQuery(parsing: "b=2,a=1").description, "a=1,b=2")
        XCTAssertTrue(try FieldSelectorQuery(parsing: "").isEmpty)
        XCTAssertEqual(q.requiresExactMatch("metadata.name"), "x")
        XCTAssertNil(q.requiresExactMatch("spec.nodeName"))
    }

    func testFieldSelectorEscapes() throws {
        let q = try FieldSelectorQuery(parsing: "a=b\\,c\\=d\\\\e")
        XCTAssertEqual(q.terms[0].value, "b,c=d\\e")
        XCTAssertEqual(q.description, "a=b\\,c\\=d\\\\e")
        XCTAssertThrowsError(try FieldSelectorQuery(parsing: "a=b=c")) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "invalid field selector: unescaped character in value: 61")
        }
        XCTAssertThrowsError(try FieldSelectorQuery(parsing: "a=b\\x")) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "invalid field selector: invalid escape sequence: \\x")
        }
        XCTAssertThrowsError(try FieldSelectorQuery(parsing: "nofield")) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "invalid selector: 'nofield'; can't understand 'nofield'")
        }
    }

    func testFieldLabelSupport() throws {
        let q = try FieldSelectorQuery(parsing: "foo=bar")
        XCTAssertThrowsError(try q.validated(supportedFields: ["metadata.name"])) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "field label not supported: foo")
        }
        XCTAssertThrowsError(try q.converted(using: .upstream(kind: "Pod"))) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message, "field label not supported: foo")
        }
        XCTAssertThrowsError(try q.converted(using: .upstream(kind: "Deployment"))) {
            XCTAssertEqual(($0 as? SelectorQueryError)?.message,
                           "\"foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
        }
        let host = try FieldSelectorQuery(parsing: "spec.host=n1").converted(using: .upstream(kind: "Pod"))
        XCTAssertEqual(host.terms[0].field, "spec.nodeName")

        let pod: JSONValue = [
            "metadata": ["name": "p", "namespace": "default"],
            "spec": ["nodeName": "n1", "hostNetwork": true],
            "status": ["phase": "Running", "podIP": "10.244.0.5"],
        ]
        let fields = FieldLabelSupport.selectableFields(kind: "Pod", object: pod)
        XCTAssertEqual(fields["spec.hostNetwork"], "true")
        XCTAssertEqual(fields["status.podIP"], "10.244.0.5")
        XCTAssertTrue(try FieldSelectorQuery(parsing: "spec.nodeName=n1,status.phase!=Failed,metadata.namespace=default")
            .converted(using: .upstream(kind: "Pod")).matches(fields))
        let node: JSONValue = ["metadata": ["name": "n1"], "spec": ["unschedulable": true]]
        XCTAssertEqual(FieldLabelSupport.selectableFields(kind: "Node", object: node)["spec.unschedulable"], "true")
    }
}
