@testable import NodeAgent
import CZlib
import KubeAPI
import NIOCore
import XCTest

final class StreamingTests: XCTestCase {
    func testExecRequestsAreReadAsTheAPIServerSendsThem() throws {
        let r = try XCTUnwrap(try ExecRequest(uri: "/exec/ns/web/uid-1/main?command=sh&command=-c&command=echo%20a%2Bb&stdin=true&stdout=1&stderr=true&tty=true"))
        XCTAssertEqual(r.command, ["sh", "-c", "echo a+b"])
        XCTAssertEqual(r.containerID, "uid-1_main")
        XCTAssertTrue(r.stdin && r.stdout && r.tty)
        XCTAssertFalse(r.stderr)                                   // a terminal has one output
        XCTAssertNil(try ExecRequest(uri: "/containerLogs/ns/web/main"))
        XCTAssertThrowsError(try ExecRequest(uri: "/exec/ns/web/uid/main?stdout=true"))               // no command
        XCTAssertThrowsError(try ExecRequest(uri: "/exec/ns/web/uid/main?command=true"))              // no stream
        XCTAssertThrowsError(try ExecRequest(uri: "/exec/ns/web/main?command=true&stdout=true"))      // no uid
        XCTAssertEqual(try PortForwardRequest(uri: "/portForward/ns/web/uid-1")?.uid, "uid-1")
        XCTAssertThrowsError(try PortForwardRequest(uri: "/portForward/ns/web"))
    }

    func testProtocolNegotiationPrefersV5() {
        XCTAssertEqual(RemoteCommandSession.negotiate(["v4.channel.k8s.io, v5.channel.k8s.io"]), "v5.channel.k8s.io")
        XCTAssertEqual(RemoteCommandSession.negotiate(["v4.channel.k8s.io"]), "v4.channel.k8s.io")
        XCTAssertNil(RemoteCommandSession.negotiate(["channel.k8s.io", "base64.channel.k8s.io"]))
    }

    func testExitStatusesAreReportedAsTheKubeletReportsThem() throws {
        XCTAssertEqual(RemoteCommandSession.status(.exited(0), command: ["true"])["status"], "Success")
        let failed = RemoteCommandSession.status(.exited(3), command: ["sh", "-c", "exit 3"])
        XCTAssertEqual(failed["reason"], "NonZeroExitCode")
        XCTAssertEqual(failed[path: ["details", "causes"]]?.arrayValue?.first?["message"], "3")
        XCTAssertEqual(failed["message"]?.stringValue,
                       "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3")
        XCTAssertEqual(RemoteCommandSession.status(.failedToStart("exec: \"x\": not found"), command: ["x"])["reason"], "InternalError")
    }

    func testSPDYFramesRoundTripAndWaitForTheirWholeLength() throws {
        let frames: [SPDYFrame] = [
            .synStream(streamID: 1, flags: 0, headerBlock: ByteBuffer(bytes: [1, 2, 3])),
            .synReply(streamID: 3, flags: SPDYFrame.fin, headerBlock: ByteBuffer(bytes: [4])),
            .rstStream(streamID: 5, status: SPDYFrame.refusedStream),
            .ping(id: 7),
            .goAway(lastStreamID: 9, status: 0),
            .data(streamID: 11, flags: SPDYFrame.fin, payload: ByteBuffer(string: "payload")),
        ]
        var wire = ByteBuffer()
        for frame in frames {
            var bytes = frame.encoded()
            wire.writeBuffer(&bytes)
        }
        // Fed a byte at a time, as a tunnel may split it: nothing until a frame is whole.
        var received = ByteBuffer()
        var decoded: [SPDYFrame] = []
        while var byte = wire.readSlice(length: 1) {
            received.writeBuffer(&byte)
            while let frame = try SPDYFrame.read(from: &received) { decoded.append(frame) }
        }
        XCTAssertEqual(decoded, frames)
        var wrongVersion = ByteBuffer(bytes: [0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1])
        XCTAssertThrowsError(try SPDYFrame.read(from: &wrongVersion))
    }

    func testHeaderBlocksFromADictionaryPrimedPeerAndOurOwn() throws {
        // What moby/spdystream sends: one zlib stream primed with SPDY/3's dictionary.
        var plain = ByteBuffer()
        plain.writeInteger(UInt32(3))
        for (name, value) in [("streamtype", "data"), ("port", "8080"), ("requestid", "0")] {
            plain.writeInteger(UInt32(name.utf8.count)); plain.writeString(name)
            plain.writeInteger(UInt32(value.utf8.count)); plain.writeString(value)
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        XCTAssertEqual(deflateInit_(stream, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size)), Z_OK)
        let dictionary = SPDYHeaderCodec.dictionary
        XCTAssertEqual(dictionary.count, 1423)
        XCTAssertEqual(dictionary.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }, 0xe3c6a7c2)
        _ = dictionary.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
        func compress(_ input: [UInt8]) -> ByteBuffer {
            var out = [UInt8](repeating: 0, count: 4096)
            var input = input
            let produced = input.withUnsafeMutableBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_in = source.baseAddress
                    stream.pointee.avail_in = uInt(source.count)
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = uInt(target.count)
                    _ = deflate(stream, Z_SYNC_FLUSH)
                    return target.count - Int(stream.pointee.avail_out)
                }
            }
            return ByteBuffer(bytes: out[0..<produced])
        }
        let codec = try SPDYHeaderCodec()
        let block = Array(plain.readableBytesView)
        XCTAssertEqual(try codec.decode(compress(block)), ["streamtype": "data", "port": "8080", "requestid": "0"])
        XCTAssertEqual(try codec.decode(compress(block))["port"], "8080")     // the stream carries on

        let ours = try SPDYHeaderCodec()
        let reader = try SPDYHeaderCodec()
        XCTAssertEqual(try reader.decode(try ours.encode([])), [:])
        XCTAssertEqual(try reader.decode(try ours.encode([("X-A", "b")])), ["x-a": "b"])
        XCTAssertThrowsError(try SPDYHeaderCodec().decode(ByteBuffer(bytes: [1, 2, 3, 4, 5])))
    }
}
