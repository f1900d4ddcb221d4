@testable import NodeAgent
import KubeAPI
import XCTest

final class ContainerSpecTests: XCTestCase {
    func spec(command: [String]? = nil, args: [String]? = nil, entrypoint: [String]? = ["/entry"], cmd: [String]? = ["default"]) -> ContainerSpec {
        var container = Container(name: "c")
        container.command = command
        container.args = args
        let image = ImageConfig(config: ImageConfig.Config(Env: ["PATH=/bin", "LANG=C"], Entrypoint: entrypoint, Cmd: cmd))
        return ContainerSpec(container: container, image: image, podName: "p", netnsPath: "/ns", cgroupsPath: "/cg", etcFiles: [:])
    }

    func testCommandAndArgsOverTheImageAsKubernetesDefines() {
        XCTAssertEqual(spec().arguments, ["/entry", "default"])
        XCTAssertEqual(spec(args: ["x"]).arguments, ["/entry", "x"])
        XCTAssertEqual(spec(command: ["/bin/sh"]).arguments, ["/bin/sh"])            // command drops the image's cmd
        XCTAssertEqual(spec(command: ["/bin/sh"], args: ["-c", "y"]).arguments, ["/bin/sh", "-c", "y"])
    }

    func testEnvironmentLayersAndExpansion() {
        var s = spec()
        s.containerEnv = [("LANG", "en"), ("GREETING", "hi")]
        XCTAssertEqual(s.environment, ["PATH=/bin", "LANG=en", "HOSTNAME=p", "GREETING=hi"])
        XCTAssertEqual(ContainerSpec.expand("a $(X) $$(X) $(NOPE) $", ["X": "1"]), "a 1 $(X) $(NOPE) $")
    }

    func testTailAndLimitOfLogs() {
        let data = Data("a\nb\nc\n".utf8)
        XCTAssertEqual(String(decoding: ContainerLogs.initial(data, tailLines: 2, limitBytes: nil), as: UTF8.self), "b\nc\n")
        XCTAssertEqual(String(decoding: ContainerLogs.initial(data, tailLines: 10, limitBytes: nil), as: UTF8.self), "a\nb\nc\n")
        XCTAssertEqual(ContainerLogs.initial(data, tailLines: 0, limitBytes: nil).count, 0)
        XCTAssertEqual(String(decoding: ContainerLogs.initial(Data("a\nb".utf8), tailLines: 1, limitBytes: nil), as: UTF8.self), "b")
        XCTAssertEqual(String(decoding: ContainerLogs.initial(data, tailLines: nil, limitBytes: 3), as: UTF8.self), "a\nb")
    }

    func testNamedProbePorts() {
        var container = Container(name: "c")
        container.ports = [ContainerPort(name: "http", containerPort: 8080)]
        XCTAssertEqual(ProbeRunner.port(.string("http"), container), 8080)
        XCTAssertEqual(ProbeRunner.port(.int(9000), container), 9000)
        XCTAssertNil(ProbeRunner.port(.string("nope"), container))
    }
}
