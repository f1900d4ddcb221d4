import CNI
import Foundation
import SkiffJSON

/// A temp data dir, removed when the test ends.
func makeTempDir(_ test: String) -> String {
    let path = NSTemporaryDirectory() + "skiff-cni-\(test)-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A network config's JSON text for a pool in `dataDir`.
func configText(dataDir: String, subnet: String = "10.244.1.0/24", version: String = "1.1.0",
                name: String = "pods", extra: String = "", ipamExtra: String = "") -> String {
    """
    {"cniVersion":"\(version)","name":"\(name)","type":"skiff-cni"\(extra),
     "ipam":{"subnet":"\(subnet)","dataDir":"\(dataDir)"\(ipamExtra)}}
    """
}

func env(_ command: String, _ id: String? = nil, ifname: String = "eth0", args: String? = nil) -> [String: String] {
    var e = ["CNI_COMMAND": command, "CNI_PATH": "/opt/cni/bin"]
    if let id {
        e["CNI_CONTAINERID"] = id
        e["CNI_NETNS"] = "/var/run/netns/\(id)"
        e["CNI_IFNAME"] = ifname
    }
    if let args { e["CNI_ARGS"] = args }
    return e
}

extension CNIOutcome {
    var json: JSONValue? { stdout.isEmpty ? nil : try? JSONParser.parse(stdout) }
    var errorCode: Int64? { json?["code"]?.intValue }
    /// The first address of an ADD result, without its prefix length.
    var firstIP: String? {
        json?["ips"]?.arrayValue?.first?["address"]?.stringValue.map { String($0.split(separator: "/")[0]) }
    }
}
