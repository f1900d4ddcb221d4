import CNI
import Foundation
import Netlink
import XCTest

/// The runtime-facing files: the conflist a node's runtime reads and skiff-cni in its plugin dir.
final class CNIInstallationTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = makeTempDir("install")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testTheConfigListIsWrittenOnceAndRewrittenOnlyWhenItChanges() throws {
        let install = CNIInstallation(confDir: dir + "/net.d", binDir: dir + "/bin")
        let cidr = IPPrefix("10.244.3.0/24")!
        XCTAssertTrue(try install.writeConfig(podCIDR: cidr, mtu: 1450))
        let text = try String(contentsOfFile: dir + "/net.d/10-skiff.conflist", encoding: .utf8)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(json["cniVersion"] as? String, "1.0.0")
        let plugins = try XCTUnwrap(json["plugins"] as? [[String: Any]])
        XCTAssertEqual(plugins.map { $0["type"] as? String }, ["skiff-cni", "portmap"])
        XCTAssertEqual(plugins[0]["mtu"] as? Int, 1450)
        XCTAssertEqual((plugins[0]["ipam"] as? [String: Any])?["subnet"] as? String, "10.244.3.0/24")
        // What skiff-cni itself parses.
        let parsed = try NetworkConfig(bytes: Array(JSONSerialization.data(withJSONObject: plugins[0].merging(
            ["cniVersion": "1.0.0", "name": "skiff"], uniquingKeysWith: { a, _ in a }))))
        XCTAssertEqual(parsed.ipam.subnet, cidr)
        XCTAssertEqual(parsed.mtu, 1450)

        XCTAssertFalse(try install.writeConfig(podCIDR: cidr, mtu: 1450), "unchanged: not rewritten")
        XCTAssertTrue(try install.writeConfig(podCIDR: cidr, mtu: 1400))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/net.d"), ["10-skiff.conflist"],
                       "no temp file left behind")
    }

    func testThePluginIsCopiedExecutableAndOnlyWhenDifferent() throws {
        let source = dir + "/skiff-cni-build"
        try Data("#!/bin/sh\necho one\n".utf8).write(to: URL(fileURLWithPath: source))
        let install = CNIInstallation(confDir: dir + "/net.d", binDir: dir + "/opt/cni/bin")
        XCTAssertTrue(try install.installPlugin(from: source))
        let attributes = try FileManager.default.attributesOfItem(atPath: install.pluginPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o755)
        XCTAssertFalse(try install.installPlugin(from: source))
        try Data("#!/bin/sh\necho two\n".utf8).write(to: URL(fileURLWithPath: source))
        XCTAssertTrue(try install.installPlugin(from: source))
        XCTAssertEqual(try String(contentsOfFile: install.pluginPath, encoding: .utf8), "#!/bin/sh\necho two\n")
        XCTAssertThrowsError(try install.installPlugin(from: dir + "/missing")) { error in
            XCTAssertEqual((error as? CNIError)?.code, CNIError.ioFailure)
        }
    }
}
