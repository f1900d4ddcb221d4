import Foundation
import Netlink
import XCTest

/// The ruleset generation: what lets a periodic resync be skipped when nothing changed.
final class GenerationTests: XCTestCase {
    override func tearDown() {
        TestNamespace.assertRootNamespaceUntouched()
    }

    func testGenerationMovesWithEveryCommitByAnyone() throws {
        try TestNamespace.with { ns in
            let (before, afterOurs, again) = try ns.inside { () -> (UInt32, UInt32, UInt32) in
                let socket = try NetlinkSocket()
                let before = try socket.rulesetGeneration()
                let batch = NFTBatch()
                batch.add(NFTTable(.inet, "skiff-gen"))
                try batch.commit(on: socket)
                let after = try socket.rulesetGeneration()
                return (before, after, try socket.rulesetGeneration())
            }
            XCTAssertEqual(afterOurs, before &+ 1)
            XCTAssertEqual(again, afterOurs, "reading does not move it")
            _ = try ns.exec("nft", "add", "table", "ip", "someone-else")
            let afterTheirs = try ns.inside { try NetlinkSocket().rulesetGeneration() }
            XCTAssertEqual(afterTheirs, afterOurs &+ 1, "another process's commit moves it too")
        }
    }
}
