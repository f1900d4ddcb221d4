import CNI
import Netlink
import SkiffJSON
import XCTest

final class CNISpecTests: XCTestCase {
    func parse(_ text: String) throws -> NetworkConfig { try NetworkConfig(bytes: Array(text.utf8)) }

    func code(_ text: String) -> Int? {
        do { _ = try parse(text); return nil } catch { return (error as? CNIError)?.code }
    }

    func testDefaults() throws {
        let c = try parse(#"{"cniVersion":"1.0.0","name":"pods","type":"skiff-cni","ipam":{"podCIDR":"10.244.3.0/24"}}"#)
        XCTAssertEqual(c.bridge, "cni0")
        XCTAssertEqual(c.ipam.dataDir, "/var/lib/cni/networks")
        XCTAssertEqual(c.ipam.gateway, IPAddress("10.244.3.1"))
        XCTAssertEqual(c.ipam.subnet, IPPrefix("10.244.3.0/24"))
        XCTAssertTrue(c.isGateway)
        XCTAssertFalse(c.hairpinMode)
        XCTAssertNil(c.mtu)
        XCTAssertNil(c.prevResult)
        XCTAssertNil(c.validAttachments)
    }

    func testPluginFields() throws {
        let c = try parse("""
            {"cniVersion":"1.1.0","name":"pods","type":"skiff-cni","bridge":"br-pods","mtu":1450,"isGateway":false,
             "hairpinMode":true,"ipMasq":true,"dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]},
             "runtimeConfig":{"ips":["10.244.1.9/24"]},
             "ipam":{"subnet":"10.244.1.0/24","gateway":"10.244.1.254","routes":[{"dst":"0.0.0.0/0"},{"dst":"10.96.0.0/12","gw":"10.244.1.254"}]},
             "cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}]}
            """)
        XCTAssertEqual(c.bridge, "br-pods")
        XCTAssertEqual(c.mtu, 1450)
        XCTAssertFalse(c.isGateway)
        XCTAssertTrue(c.hairpinMode)
        XCTAssertTrue(c.ipMasq)
        XCTAssertEqual(c.dns.nameservers, ["10.96.0.10"])
        XCTAssertEqual(c.requestedIPs, [IPAddress("10.244.1.9")!])
        XCTAssertEqual(c.ipam.gateway, IPAddress("10.244.1.254"))
        XCTAssertEqual(c.ipam.routes.count, 2)
        XCTAssertEqual(c.validAttachments, [CNIAttachment(containerID: "a", ifname: "eth0")])
    }

    func testConfigErrors() {
        let ipam = #""ipam":{"subnet":"10.244.1.0/24"}"#
        XCTAssertEqual(code("{bad"), CNIError.decodeFailure)
        XCTAssertEqual(code("[1]"), CNIError.decodeFailure)
        XCTAssertEqual(code(#"{"name":"pods",\#(ipam)}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"9.9.9","name":"pods",\#(ipam)}"#), CNIError.incompatibleVersion)
        XCTAssertEqual(code(#"{"cniVersion":"0.2.0","name":"pods",\#(ipam)}"#), CNIError.incompatibleVersion)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0",\#(ipam)}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"../etc",\#(ipam)}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods"}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","ipam":{}}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","ipam":{"subnet":"10.244.1.0/33"}}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","ipam":{"subnet":"10.244.1.0/31"}}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","ipam":{"subnet":"10.244.1.0/24","gateway":"10.0.0.1"}}"#),
                       CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","ipam":{"subnet":"10.244.1.0/24","dataDir":"rel"}}"#),
                       CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","mtu":"big",\#(ipam)}"#), CNIError.decodeFailure)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","mtu":10,\#(ipam)}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":"1.0.0","name":"pods","bridge":"a/b",\#(ipam)}"#), CNIError.invalidConfig)
        XCTAssertEqual(code(#"{"cniVersion":1,"name":"pods",\#(ipam)}"#), CNIError.decodeFailure)
    }

    func testEnvironment() throws {
        func envCode(_ e: [String: String]) -> Int? {
            do throws(CNIError) { _ = try CNIEnvironment(e); return nil } catch { return error.code }
        }
        XCTAssertEqual(envCode([:]), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(["CNI_COMMAND": "FROB"]), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(["CNI_COMMAND": "ADD", "CNI_PATH": "/x"]), CNIError.invalidEnvironment)
        var add = env("ADD", "abc")
        XCTAssertNil(envCode(add))
        add["CNI_NETNS"] = ""
        XCTAssertEqual(envCode(add), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(env("ADD", "-bad")), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(env("ADD", "abc", ifname: "a-very-long-interface")), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(env("ADD", "abc", ifname: "eth/0")), CNIError.invalidEnvironment)
        XCTAssertEqual(envCode(env("ADD", "abc", args: "novalue")), CNIError.invalidEnvironment)
        var del = env("DEL", "abc")
        del["CNI_NETNS"] = nil
        XCTAssertNil(envCode(del), "DEL does not need the netns")
        XCTAssertNil(envCode(["CNI_COMMAND": "VERSION"]))
        XCTAssertNil(envCode(["CNI_COMMAND": "STATUS"]))
        XCTAssertEqual(envCode(["CNI_COMMAND": "GC"]), CNIError.invalidEnvironment)
        let parsed = try CNIEnvironment(env("ADD", "abc", args: "IgnoreUnknown=1;K8S_POD_NAME=web-0;IP=10.244.1.7"))
        XCTAssertEqual(parsed.arg("IP"), "10.244.1.7")
        XCTAssertEqual(parsed.arg("K8S_POD_NAME"), "web-0")
        XCTAssertEqual(parsed.path, ["/opt/cni/bin"])
    }

    func testResultShape() throws {
        var r = CNIResult(cniVersion: "1.0.0")
        r.interfaces = [.init(name: "cni0", mac: "0a:58:0a:f4:01:01"), .init(name: "eth0", mtu: 1450, sandbox: "/var/run/netns/x")]
        r.ips = [.init(address: CNIAddress("10.244.1.5/24")!, gateway: IPAddress("10.244.1.1"), interface: 1)]
        r.routes = [.init(dst: IPPrefix("0.0.0.0/0")!, gw: IPAddress("10.244.1.1"))]
        r.dns.nameservers = ["10.96.0.10"]
        XCTAssertEqual(JSONSerializer.string(r.json()), """
            {"cniVersion":"1.0.0","dns":{"nameservers":["10.96.0.10"]},\
            "interfaces":[{"mac":"0a:58:0a:f4:01:01","name":"cni0"},{"mtu":1450,"name":"eth0","sandbox":"/var/run/netns/x"}],\
            "ips":[{"address":"10.244.1.5/24","gateway":"10.244.1.1","interface":1}],\
            "routes":[{"dst":"0.0.0.0/0","gw":"10.244.1.1"}]}
            """)
        // Round trip through prevResult parsing.
        XCTAssertEqual(try CNIResult(json: r.json(), cniVersion: "1.0.0"), r)
        // 0.4.0 adds the per-address version.
        r.cniVersion = "0.4.0"
        XCTAssertEqual(r.json()["ips"]?.arrayValue?.first?["version"], "4")
        let err = CNIError(code: 7, msg: "bad", details: "why")
        XCTAssertEqual(JSONSerializer.string(err.json(cniVersion: "1.1.0")),
                       #"{"cniVersion":"1.1.0","code":7,"details":"why","msg":"bad"}"#)
    }

    func testVersionCommand() throws {
        let out = CNIPlugin().run(environment: ["CNI_COMMAND": "VERSION"], stdin: Array(#"{"cniVersion":"1.0.0"}"#.utf8))
        XCTAssertEqual(out.exitCode, 0)
        XCTAssertEqual(out.json?["supportedVersions"]?.arrayValue?.compactMap { $0.stringValue },
                       ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"])
        XCTAssertEqual(out.json?["cniVersion"], "1.1.0")
    }

    func testErrorsComeAsJSONWithNonZeroExit() {
        let plugin = CNIPlugin()
        let bad = plugin.run(environment: env("ADD", "abc"), stdin: Array("{".utf8))
        XCTAssertEqual(bad.exitCode, 1)
        XCTAssertEqual(bad.errorCode, 6)
        XCTAssertNotNil(bad.json?["msg"]?.stringValue)
        let missing = plugin.run(environment: ["CNI_COMMAND": "ADD"], stdin: [])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertEqual(missing.errorCode, 4)
        let version = plugin.run(environment: env("ADD", "abc"),
                                 stdin: Array(#"{"cniVersion":"2.0.0","name":"x","ipam":{"subnet":"10.0.0.0/24"}}"#.utf8))
        XCTAssertEqual(version.errorCode, 1)
    }
}
