import XCTest

@testable import KubeAPI

final class JSONTests: XCTestCase {
    func testParseAndSerializeRoundTrip() throws {
        let text = #"{"a":[1,-2.5,true,false,null,"x\"y\\z\n\u00e9\ud83d\ude00"],"b":{"c":{}},"big":9007199254740993}"#
        let value = try JSONParser.parse(text)
        XCTAssertEqual(value["big"], .int(9_007_199_254_740_993))
        XCTAssertEqual(value["a"]?.arrayValue?[5], .string("x\"y\\z\né😀"))
        XCTAssertEqual(try JSONParser.parse(JSONSerializer.serialize(value)), value)
    }

    func testRejectsMalformedInput() {
        for bad in ["", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"\u{01}\"", "{} x", "\"abc"] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
    }

    func testDuplicateKeysAreReported() throws {
        let (_, duplicates) = try JSONParser.parseReportingDuplicates(Array(#"{"metadata":{"name":"a","name":"b"}}"#.utf8))
        XCTAssertEqual(duplicates, ["metadata.name"])
    }

    func testProjectionBuildsOnlyWhatIsAsked() throws {
        let pod = #"{"kind":"Pod","metadata":{"name":"p","labels":{"app":"web"},"managedFields":[{"x":[1,{"y":"}"}]}]},"spec":{"nodeName":"n1","containers":[{"name":"c"}]},"status":{"phase":"Running"}}"#
        let projection = JSONProjection(paths: [["metadata", "labels"], ["spec", "nodeName"]])
        let value = try JSONParser.parse(Array(pod.utf8), projection: projection)
        XCTAssertEqual(value, ["metadata": ["labels": ["app": "web"]], "spec": ["nodeName": "n1"]])
        XCTAssertThrowsError(try JSONParser.parse(Array(#"{"spec":{"x":[1,}}"#.utf8), projection: projection))
    }

    func testYAMLManifestsResolveScalarsAsKubernetesDoes() throws {
        let docs = try Manifest.parseDocuments("""
            a: 1
            b: "1"
            c: true
            d: 'yes'
            e: null
            f: 1.5
            ---
            ---
            kind: Second
            """)
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(docs[0], ["a": 1, "b": "1", "c": true, "d": "yes", "e": nil, "f": 1.5])
        XCTAssertEqual(docs[1]["kind"], "Second")
    }
}
