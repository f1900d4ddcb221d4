@testable import NodeAgent
import KubeAPI
import XCTest

final class NodeConditionsTests: XCTestCase {
    func testHealthyNodeReportsTheKubeletsReasons() {
        let conditions = NodeConditions.update([], readings: NodeReadings(memoryAvailableBytes: 1 << 30, diskAvailableFraction: 0.5,
                                                                          pidsAvailable: 100_000), now: "t1")
        XCTAssertEqual(conditions.map { "\($0.type!)=\($0.status!):\($0.reason!)" },
                       ["MemoryPressure=False:KubeletHasSufficientMemory", "DiskPressure=False:KubeletHasNoDiskPressure",
                        "PIDPressure=False:KubeletHasSufficientPID", "Ready=True:KubeletReady"])
        XCTAssertEqual(conditions.last?.message, "kubelet is posting ready status")
    }

    func testPressureAndNotReadyAndTransitionTimes() {
        let first = NodeConditions.update([], readings: NodeReadings(memoryAvailableBytes: 1 << 30), now: "t1")
        let second = NodeConditions.update(first, readings: NodeReadings(memoryAvailableBytes: 50 << 20, diskAvailableFraction: 0.05,
                                                                         notReadyReason: "container runtime is down"), now: "t2")
        let byType = Dictionary(uniqueKeysWithValues: second.map { ($0.type!, $0) })
        XCTAssertEqual(byType["MemoryPressure"]?.status, "True")
        XCTAssertEqual(byType["MemoryPressure"]?.lastTransitionTime, "t2")
        XCTAssertEqual(byType["DiskPressure"]?.reason, "KubeletHasDiskPressure")
        XCTAssertEqual(byType["PIDPressure"]?.lastTransitionTime, "t1")      // unchanged status keeps its time
        XCTAssertEqual(byType["PIDPressure"]?.lastHeartbeatTime, "t2")
        XCTAssertEqual(byType["Ready"]?.status, "False")
        XCTAssertEqual(byType["Ready"]?.message, "container runtime is down")
    }

    func testMachineFactsParse() {
        XCTAssertEqual(MachineInfo.memTotal("MemTotal:       24576000 kB\nMemFree: 1 kB\n"), 24_576_000 * 1024)
        XCTAssertEqual(MachineInfo.memAvailable("MemTotal: 2 kB\nMemAvailable:   1000 kB\n"), 1_024_000)
        XCTAssertEqual(MachineInfo.prettyName("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"), "Debian GNU/Linux 12 (bookworm)")
        XCTAssertEqual(MachineInfo.goArchitecture("x86_64"), "amd64")
        XCTAssertEqual(MachineInfo.goArchitecture("aarch64"), "arm64")
        XCTAssertEqual(MachineInfo.allowedCPUs("Name: x\nCpus_allowed:\t00000000,0000000f\nCpus_allowed_list: 0-3\n"), 4)
    }

    func testRegistrationLabelsCapacityAndAddresses() {
        var registration = NodeRegistration(name: "n1", internalIP: "10.0.0.5",
                                            machine: MachineInfo(cpus: 2, memoryBytes: 4 << 30, architecture: "amd64"))
        registration.extraLabels = ["pool": "a"]
        XCTAssertEqual(registration.labels["kubernetes.io/hostname"], "n1")
        XCTAssertEqual(registration.labels["kubernetes.io/arch"], "amd64")
        XCTAssertEqual(registration.labels["pool"], "a")
        XCTAssertEqual(registration.capacity["cpu"], Quantity("2"))
        XCTAssertEqual(registration.capacity["memory"], Quantity("4194304Ki"))
        XCTAssertEqual(registration.capacity["pods"], Quantity("110"))
        XCTAssertEqual(registration.addresses.map { $0.type! }, ["InternalIP", "Hostname"])
    }
}
